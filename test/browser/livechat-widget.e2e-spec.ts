// Rocket.Chat's own Live Chat widget (npm @rocket.chat/livechat, served by this service at
// /livechat), embedded with Rocket.Chat's standard install snippet on a shop page of another
// origin (a small server on loopback), in a real browser: with an agent available it still
// offers only what this service can do (the offline form: there is no chat server), the
// message reaches a real SMTP server, the page's console stays clean, and a site that is
// not allowed is told why.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, FrameLocator } from 'playwright-core';
import { SmtpSink } from '../support/smtp-sink';
import { TestApp, type TestUser } from '../support/test-app';
import { ADMIN } from '../support/test-app';
import {
  axeViolations,
  launchBrowser,
  logIn,
  openConsole,
  screenshot,
  toast,
  type ConsolePage,
} from './support';

jest.setTimeout(150_000);

/** How long the shop page is watched for a console error or a reconnecting widget. */
const QUIET_WINDOW_MS = 60_000;
/** The shop's page the visitor is on (its full address is the mail's "Page:"). */
const SHOP_PATH = '/spring-service?from=newsletter';

/** Rocket.Chat's install snippet, as the admin copies it into a site (only the URLs are ours). */
function shopPage(serviceUrl: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Lisbon Bikes</title>
<style>body{font-family:Georgia,serif;margin:0;background:#faf7f2;color:#2b2b2b}
header{background:#24415e;color:#fff;padding:24px 40px}main{padding:24px 40px;max-width:640px}</style>
</head>
<body>
<header><h1>Lisbon Bikes</h1><p>City bikes, repairs and rentals since 1998.</p></header>
<main><h2>Spring service</h2><p>Bring your bike in for a full check: brakes, gears, tyres and chain.
Questions? Use the chat button in the corner.</p></main>
<!-- Start of Rocket.Chat Livechat Script -->
<script type="text/javascript">
(function(w, d, s, u) {
	w.RocketChat = function(c) { w.RocketChat._.push(c) }; w.RocketChat._ = []; w.RocketChat.url = u;
	var h = d.getElementsByTagName(s)[0], j = d.createElement(s);
	j.async = true; j.src = '${serviceUrl}/livechat/rocketchat-livechat.min.js?_=201903270000';
	h.parentNode.insertBefore(j, h);
})(window, document, 'script', '${serviceUrl}/livechat');
</script>
<!-- End of Rocket.Chat Livechat Script -->
</body>
</html>`;
}

describe('the Live Chat widget on a customer site (browser)', () => {
  let app: TestApp;
  let browser: Browser;
  let smtp: SmtpSink;
  let site: http.Server;
  let siteUrl: string;
  /** A second shop, on an origin Livechat_AllowedDomainsList does not name. */
  let otherSite: http.Server;
  let otherSiteUrl: string;
  let agent: TestUser;
  let current: ConsolePage | undefined;

  beforeAll(async () => {
    [app, browser, smtp] = await Promise.all([
      TestApp.start({
        OFFLINE_MESSAGE_FIRST_RETRY_MS: '100',
        OFFLINE_MESSAGE_POLL_MS: '200',
        OFFLINE_MESSAGE_MAX_ATTEMPTS: '2',
      }),
      launchBrowser(),
      SmtpSink.create(),
    ]);
    site = http.createServer((_request, response) => {
      response.setHeader('Content-Type', 'text/html; charset=utf-8');
      response.end(shopPage(app.baseUrl));
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    // Another origin (another port) on the same site: a browser that blocks third-party
    // storage would otherwise deny the widget its localStorage.
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    otherSite = http.createServer((_request, response) => {
      response.setHeader('Content-Type', 'text/html; charset=utf-8');
      response.end(shopPage(app.baseUrl));
    });
    await new Promise<void>((resolve) => otherSite.listen(0, '127.0.0.1', resolve));
    otherSiteUrl = `http://127.0.0.1:${(otherSite.address() as AddressInfo).port}`;

    for (const [id, value] of Object.entries({
      SMTP_Host: '127.0.0.1',
      SMTP_Port: String(smtp.port),
      From_Email: 'Lisbon Bikes <chat@lisbon-bikes.example>',
      Livechat_offline_email: 'desk@lisbon-bikes.example',
      Livechat_title: 'Lisbon Bikes',
      Livechat_title_color: '#24415e',
      Livechat_offline_title_color: '#24415e',
      // The served widget offers the offline form even while agents are available: say so.
      Livechat_offline_message: 'Leave us a message: we answer by e-mail within a day.',
      // Only the shop may frame the widget (copied from the address bar, with its slash).
      Livechat_AllowedDomainsList: `${siteUrl}/`,
    })) {
      expect((await app.post(`/settings/${id}`, { value })).status).toBe(200);
    }
    agent = await app.createAgent({ available: true });
    const staffed = [{ agentId: agent.userId }];
    const departments: [string, boolean, boolean, Record<string, unknown>?][] = [
      ['Rentals', true, false],
      ['Repairs', false, true, { email: 'repairs@lisbon-bikes.example' }],
      ['Sales', true, true, { email: 'sales@lisbon-bikes.example' }],
      ['Closed desk', true, true, { enabled: false }],
    ];
    for (const [name, showOnRegistration, showOnOfflineForm, extra] of departments) {
      await app.createDepartment(
        { name, showOnRegistration, showOnOfflineForm, ...extra },
        staffed,
      );
    }
    // No agent: never offered.
    await app.createDepartment({
      name: 'Warehouse',
      showOnRegistration: true,
      showOnOfflineForm: true,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await smtp?.stop();
    await new Promise((resolve) => site?.close(resolve));
    await new Promise((resolve) => otherSite?.close(resolve));
  });

  afterEach(async () => {
    if (!current) return;
    const { context, errors, failures } = current;
    current = undefined;
    await context.close();
    expect(errors).toEqual([]);
    expect(failures).toEqual([]);
  });

  async function offeredDepartments(widget: FrameLocator): Promise<string[]> {
    const select = widget.locator('select[name="department"]');
    await select.waitFor();
    return select.locator('option:not([disabled])').allTextContents();
  }

  it('with an agent available, offers the offline form (never a chat it cannot start), and the message is sent', async () => {
    expect((await app.get('/livechat/config', { as: null })).body.config.online).toBe(true);
    const sockets: string[] = [];
    current = await openConsole(browser, app, { width: 1100, height: 760 });
    const { page, errors } = current;
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await page.goto(`${siteUrl}${SHOP_PATH}`);
    const widget = page.frameLocator('#rocketchat-iframe');
    await widget.locator('[class*="screen__chat-button"]').click();
    await widget.getByText('Leave a message', { exact: true }).first().waitFor();
    expect(await widget.getByText('Start chat').count()).toBe(0);
    expect(await offeredDepartments(widget)).toEqual(['Repairs', 'Sales']);

    await widget.locator('input[name="name"]').fill('Joana Silva');
    await widget.locator('input[name="email"]').fill('joana@example.org');
    await widget.locator('select[name="department"]').selectOption({ label: 'Repairs' });
    await widget
      .locator('textarea[name="message"]')
      .fill('My rear brake squeaks <loudly>. Can I come on Saturday?');
    await screenshot(page, 'livechat-widget.png');
    await widget.getByRole('button', { name: 'Send' }).click();
    await widget.getByText('Thank you for your message. We will answer you by e-mail.').waitFor();

    const stored = await app.db
      .collection('livechat_offline_messages')
      .findOne({ email: 'joana@example.org' });
    const { recipients, mail } = await smtp.waitFor(stored!.messageId);
    expect(recipients).toEqual(['repairs@lisbon-bikes.example']);
    expect(mail.replyTo?.value).toEqual([{ name: 'Joana Silva', address: 'joana@example.org' }]);
    expect(mail.subject).toBe('Offline message from Joana Silva (Repairs)');
    expect(mail.text).toContain('My rear brake squeaks <loudly>. Can I come on Saturday?');
    expect(mail.text).toContain(`Page: ${siteUrl}${SHOP_PATH}`);

    // The page then stays quiet: no console error and no reconnecting socket for a minute
    // (the widget pings its DDP socket every 20 s; an unanswered one reconnects within 40 s).
    expect(sockets).toEqual([`${app.baseUrl.replace('http', 'ws')}/livechat/websocket`]);
    const noise = await page
      .waitForEvent('console', {
        predicate: (message) => message.type() === 'error',
        timeout: QUIET_WINDOW_MS,
      })
      .then((message) => message.text())
      .catch((error: Error) => (error.name === 'TimeoutError' ? undefined : error.message));
    expect(noise).toBeUndefined();
    expect(sockets).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('names the chat button by the widget’s title; the shop’s page with the bubble shown, and the open form, pass axe', async () => {
    current = await openConsole(browser, app, { width: 1100, height: 760 });
    const { page } = current;
    await page.goto(`${siteUrl}${SHOP_PATH}`);
    const frame = page.locator('#rocketchat-iframe');
    const widget = page.frameLocator('#rocketchat-iframe');
    // The bubble, as the visitor first sees it: named by what it opens, not by a letter.
    const bubble = widget.getByRole('button', { name: 'Leave a message', exact: true });
    await bubble.waitFor();
    expect(await frame.getAttribute('title')).toBe('Live Chat');
    expect(await axeViolations(page)).toEqual([]);
    // Inside the widget's frame (another origin: axe is run there on its own).
    const inside = await (await frame.elementHandle())!.contentFrame();
    expect(await axeViolations(inside!)).toEqual([]);
    // Open, the same button minimizes the widget, and says so.
    await bubble.click();
    await widget.getByText('Leave a message', { exact: true }).first().waitFor();
    expect(await axeViolations(inside!)).toEqual([]);
    await widget.getByRole('button', { name: 'Minimize the widget', exact: true }).click();
    await bubble.waitFor();
  });

  it('tells a site that is not allowed why there is no widget', async () => {
    current = await openConsole(browser, app, { width: 1100, height: 760 });
    const { page, errors } = current;
    const warning = page.waitForEvent('console', {
      predicate: (message) =>
        message.type() === 'warning' && message.text().includes('Livechat_AllowedDomainsList'),
    });
    await page.goto(otherSiteUrl);
    expect((await warning).text()).toContain(otherSiteUrl);
    // No empty box left on the page.
    await page.locator('.rocketchat-widget').waitFor({ state: 'detached' });
    // The browser's own refusal to frame the widget is the expected error here.
    const refused = errors.filter((error) => /frame-ancestors/.test(error));
    errors.splice(0, errors.length, ...errors.filter((error) => !refused.includes(error)));
    const listed = await app.get('/livechat/widget.refused-origins');
    expect(listed.body.origins.map((entry: { origin: string }) => entry.origin)).toContain(
      otherSiteUrl,
    );
  });

  it('shows the outbox in the console, retries a failed message, and embeds the real widget', async () => {
    await smtp.stop();
    const res = await app.post(
      '/livechat/offline.message',
      { name: 'Tomás Reis', email: 'tomas@example.org', message: 'Do you rent tandems?' },
      { as: null },
    );
    expect(res.status).toBe(200);
    const outbox = app.db.collection('livechat_offline_messages');
    for (let i = 0; i < 100; i++) {
      if ((await outbox.findOne({ email: 'tomas@example.org' }))?.status === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await smtp.start();

    current = await openConsole(browser, app);
    const { page } = current;
    await logIn(page, ADMIN.username, ADMIN.password);
    await page.getByRole('link', { name: 'Offline messages' }).click();
    await page.getByRole('heading', { name: 'Offline messages', exact: true }).waitFor();
    const table = page.getByRole('table', { name: 'Offline messages' });
    const row = table.getByRole('row').filter({ hasText: 'Tomás Reis' });
    await row.getByText('Failed', { exact: true }).waitFor();
    await table.getByRole('row').filter({ hasText: 'Joana Silva' }).getByText('Sent').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await row.getByRole('button', { name: 'Retry the message from Tomás Reis' }).click();
    await toast(page, 'will be sent again').waitFor();
    await row.getByText('Sent', { exact: true }).waitFor({ timeout: 20_000 });
    expect(
      smtp.received.some(({ mail }) => mail.subject === 'Offline message from Tomás Reis'),
    ).toBe(true);

    await page.getByRole('link', { name: 'Widget preview' }).click();
    await page.getByRole('button', { name: 'Show the real widget' }).click();
    const widget = page.frameLocator('iframe[title="Live Chat widget"]');
    await widget.getByText('Leave a message', { exact: true }).first().waitFor();
    expect(await offeredDepartments(widget)).toEqual(['Repairs', 'Sales']);

    // The mail settings: the SMTP password can be replaced, never read back.
    await page.getByRole('link', { name: 'Settings' }).click();
    const passwordForm = page.getByRole('form', { name: 'SMTP password' });
    const password = passwordForm.locator('input');
    await page.getByPlaceholder('Not set').waitFor();
    await password.fill('relay-secret');
    await passwordForm.getByRole('button', { name: 'Save' }).click();
    await toast(page, 'SMTP password saved.').waitFor();
    await page.getByPlaceholder('Stored (type to replace)').waitFor();
    expect(await password.inputValue()).toBe('');
    expect((await app.get('/settings/SMTP_Password')).body).toMatchObject({
      value: '',
      isSet: true,
    });
    expect(await page.getByRole('textbox', { name: 'SMTP host' }).inputValue()).toBe('127.0.0.1');
  });
});
