'use strict';
// The admin console's list page (issue 12 target 5), in a real browser against the service the
// bench just measured: the gzip size of the JavaScript the page loads, and the time from
// navigation start until the departments table shows its first rows of the seeded list.
// Needs playwright-core (a dev dependency of the console) and Chromium; skipped otherwise.

/* global sessionStorage, document, performance -- functions run in the browser */
const fs = require('node:fs');
const { URL } = require('node:url');
const zlib = require('node:zlib');
const { request } = require('./common');
const { ROOT } = require('./processes');

const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** Where the console keeps its session (web/src/api.ts). */
const SESSION_KEY = 'departments-console.session';
const LOADS = 3;

/** Why the console cannot be measured here, or null. */
async function unavailable(port) {
  try {
    require.resolve('playwright-core', { paths: [ROOT] });
  } catch {
    return 'playwright-core is not installed';
  }
  if (!fs.existsSync(CHROMIUM_PATH)) return `no Chromium at ${CHROMIUM_PATH} (set CHROMIUM_PATH)`;
  const page = await request(port, 'GET', '/admin/');
  if (page.status !== 200 || !/<script/i.test(String(page.body))) {
    return `the service serves no built console at /admin/ (HTTP ${page.status})`;
  }
  return null;
}

/**
 * LOADS fresh loads (new browser context each: empty cache) of /admin/ with the admin's session
 * already in place. Returns { jsGzipBytes, jsFiles, shownMs: [..], shownMsMedian, rowsText }.
 */
async function measureConsole({ port, auth }) {
  const { chromium } = require(require.resolve('playwright-core', { paths: [ROOT] }));
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Root in containers: Chromium's sandbox needs user namespaces it may not get.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  try {
    const session = { userId: auth['x-user-id'], authToken: auth['x-auth-token'] };
    const shownMs = [];
    const scripts = new Map();
    let summary = '';
    for (let i = 0; i < LOADS; i++) {
      const context = await browser.newContext({
        baseURL: `http://127.0.0.1:${port}`,
        viewport: { width: 1280, height: 900 },
      });
      await context.addInitScript(
        ([key, value]) => sessionStorage.setItem(key, value),
        [SESSION_KEY, JSON.stringify(session)],
      );
      const page = await context.newPage();
      const bodies = [];
      page.on('response', (response) => {
        if (response.request().resourceType() !== 'script') return;
        bodies.push(
          response.body().then(
            (body) => scripts.set(new URL(response.url()).pathname, body),
            () => undefined,
          ),
        );
      });
      await page.goto('/admin/');
      // The list page shows "<n> departments" above the table once its first page is in.
      const shown = await page.waitForFunction(
        () => {
          const rows = document.querySelectorAll('tbody tr a').length;
          const total = [...document.querySelectorAll('body *')].find(
            (el) => el.children.length === 0 && /^[\d,]+ departments$/.test(el.textContent.trim()),
          );
          return rows > 0 && total
            ? { at: performance.now(), text: `${total.textContent.trim()}, ${rows} rows shown` }
            : null;
        },
        undefined,
        { polling: 'raf', timeout: 30_000 },
      );
      const value = await shown.jsonValue();
      shownMs.push(Math.round(value.at));
      summary = value.text;
      await Promise.all(bodies);
      await context.close();
    }
    const jsFiles = [...scripts].map(([path, body]) => ({
      path,
      bytes: body.length,
      gzipBytes: zlib.gzipSync(body, { level: 9 }).length,
    }));
    const sorted = [...shownMs].sort((a, b) => a - b);
    return {
      jsGzipBytes: jsFiles.reduce((sum, f) => sum + f.gzipBytes, 0),
      jsFiles,
      shownMs,
      shownMsMedian: sorted[Math.floor(sorted.length / 2)],
      shown: summary,
    };
  } finally {
    await browser.close();
  }
}

module.exports = { unavailable, measureConsole };
