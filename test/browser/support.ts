// Playwright (playwright-core) driving Chromium against a TestApp that serves the built
// console. Pages are driven by accessible names; console errors are collected.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';
import type { TestApp } from '../support/test-app';

/** System browsers, in the order they are tried after CHROMIUM_PATH. */
const SYSTEM_BROWSERS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/**
 * The browser to drive: CHROMIUM_PATH, else a system Chromium or Chrome, else the one
 * `npx playwright install chromium` downloaded; none is a one-line error saying how to get one.
 */
export function findBrowser(): string {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (existsSync(configured)) return configured;
    throw new Error(`CHROMIUM_PATH is set to ${configured}, which does not exist`);
  }
  const system = SYSTEM_BROWSERS.find((candidate) => existsSync(candidate));
  if (system) return system;
  let playwrights: string | undefined;
  try {
    playwrights = chromium.executablePath();
  } catch {
    // playwright-core knows no browser for this platform
  }
  if (playwrights && existsSync(playwrights)) return playwrights;
  throw new Error(
    'No Chromium found for the browser tests: install one (apt-get install chromium, or npx playwright install chromium) or set CHROMIUM_PATH',
  );
}

export const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';
export const DOCS_DIR = path.resolve(__dirname, '../../docs');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: findBrowser(),
    // Root in CI containers: Chromium's sandbox needs user namespaces it does not get there.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  /** Browser console errors and uncaught page errors seen so far. */
  errors: string[];
  /** API answers with a 4xx/5xx status (`401 POST /api/v1/login`); tests expecting one remove it. */
  failures: string[];
}

/**
 * Endpoints the console uses when the service has them (issue 26) and does without otherwise:
 * their 404 is the console's expected "not offered here", not a failure.
 */
const OPTIONAL_ENDPOINTS = ['/api/v1/livechat/widget.refused-origins'];

export async function openConsole(
  browser: Browser,
  app: TestApp,
  options: { width?: number; height?: number; timezoneId?: string } = {},
): Promise<ConsolePage> {
  const context = await browser.newContext({
    baseURL: app.baseUrl,
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    locale: 'en-US',
    timezoneId: options.timezoneId ?? 'UTC',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  const failures: string[] = [];
  page.on('console', (message) => {
    // Chromium logs every 4xx/5xx answer as "Failed to load resource"; those are checked,
    // with their URL, in `failures` instead.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      errors.push(message.text());
    }
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 400) {
      const url = new URL(response.url());
      if (response.status() === 404 && OPTIONAL_ENDPOINTS.includes(url.pathname)) return;
      failures.push(`${response.status()} ${response.request().method()} ${url.pathname}`);
    }
  });
  return { context, page, errors, failures };
}

export async function logIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/admin/');
  await page.getByLabel('Username or email').fill(username);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's serious and critical violations on the current page, or in one frame of it
 * (injected without a script tag, so the CSP stays on).
 */
export async function axeViolations(page: Page | Frame): Promise<string[]> {
  // A dialog fading in has, for a moment, too little contrast: scan the settled page.
  await page.waitForFunction(() =>
    document.getAnimations().every(
      (animation) =>
        animation.playState !== 'running' ||
        animation.effect?.getComputedTiming().endTime === Infinity, // spinners never end
    ),
  );
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run: (
            context: unknown,
            options: unknown,
          ) => Promise<{
            violations: {
              id: string;
              impact: string;
              help: string;
              nodes: { target: unknown }[];
            }[];
          }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map(
        (violation) =>
          `${violation.id} (${violation.impact}): ${violation.help} at ${JSON.stringify(violation.nodes.map((node) => node.target))}`,
      );
  });
  return violations;
}

/** Whether the page scrolls horizontally (it must not, down to 360 px). */
export function scrollsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate(
    () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
  );
}

/** A picture for the README: the whole page, or (fullPage false) the window as the user sees it. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: path.join(DOCS_DIR, name), fullPage });
}

export async function expectVisible(locator: {
  waitFor: (options: { state: 'visible' }) => Promise<void>;
}): Promise<void> {
  await locator.waitFor({ state: 'visible' });
}

export async function expectHidden(locator: {
  waitFor: (options: { state: 'hidden' }) => Promise<void>;
}): Promise<void> {
  await locator.waitFor({ state: 'hidden' });
}

/** Waits until `condition` holds (an effect the page causes through the API), up to 10 s. */
export async function until(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The latest toast (Mantine notification) with this text (an earlier one may still be fading). */
export function toast(page: Page, text: string | RegExp) {
  return page.locator('.mantine-Notification-root').filter({ hasText: text }).last();
}
