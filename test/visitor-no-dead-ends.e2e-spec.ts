// The visitor's side without dead ends (issue 26): the widget served at /livechat offers only
// what this service can do (the offline form), its DDP socket is answered so it stays quiet,
// a refused site can tell why, and every security finding of the probe, each with the
// request that exploited it.
import * as net from 'node:net';
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { ServiceProcess } from './support/service-process';
import { SmtpSink } from './support/smtp-sink';
import { FORBIDDEN_403, TestApp } from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- checked field by field
type Json = any;

const visitor = () => `visitor-${randomBytes(4).toString('hex')}@example.org`;

/** One HTTP/1.1 request written as is (any request-target form); the raw answer's status and body. */
function rawRequest(baseUrl: string, text: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(text));
    socket.setTimeout(20_000, () => socket.destroy(new Error('no answer')));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      const match = /^HTTP\/1\.1 (\d{3})[^]*?\r\n\r\n([^]*)$/.exec(answer);
      if (match && /"success":false|"success":true/.test(match[2])) {
        socket.destroy();
        resolve({ status: Number(match[1]), body: match[2] });
      }
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const match = /^HTTP\/1\.1 (\d{3})[^]*?\r\n\r\n([^]*)$/.exec(answer);
      if (match) resolve({ status: Number(match[1]), body: match[2] });
      else reject(new Error(`no HTTP answer: ${JSON.stringify(answer)}`));
    });
  });
}

/** A DDP client on `url` that resolves each sent message with the next answer to it. */
async function ddpClient(url: string) {
  const ws = new WebSocket(url);
  const received: Json[] = [];
  ws.on('message', (data) => received.push(JSON.parse(data.toString())));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const next = async (match: (message: Json) => boolean): Promise<Json> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = received.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no DDP answer; got ${JSON.stringify(received)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return { ws, send: (message: Json) => ws.send(JSON.stringify(message)), next };
}

describe('the widget served at /livechat', () => {
  let app: TestApp;
  let smtp: SmtpSink;
  let sales: Json;

  const setSetting = async (id: string, value: unknown) => {
    const res = await app.post(`/settings/${id}`, { value });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    smtp = await SmtpSink.create();
    app = await TestApp.start({ RATE_LIMIT_OFFLINE_MESSAGE_PER_IP: '1000' });
    await setSetting('SMTP_Host', '127.0.0.1');
    await setSetting('SMTP_Port', smtp.port);
    await setSetting('From_Email', 'desk@service.example');
    await setSetting('Livechat_offline_email', 'desk@service.example');
    const agent = await app.createAgent({ available: true });
    sales = (await app.createDepartment({ name: 'Sales' }, [{ agentId: agent.userId }])).department;
  });
  afterAll(async () => {
    await app?.close();
    await smtp?.stop();
  });

  it('is told online: false while livechat/config keeps online: true for other clients', async () => {
    const api = await app.get('/livechat/config', { as: null });
    expect(api.body.config.online).toBe(true);
    const served = await app.get('!/livechat/api/v1/livechat/config', { as: null });
    expect(served.status).toBe(200);
    expect(served.body.config.online).toBe(false);
    expect(served.body.config.departments).toEqual(api.body.config.departments);
    const oneDepartment = await app.get(
      `!/livechat/api/v1/livechat/config?department=${sales._id}`,
      {
        as: null,
      },
    );
    expect(oneDepartment.body.config.online).toBe(false);
  });

  it('sets its server to /livechat before its bundles, and keeps the visitor’s page for the mail', async () => {
    const page = await app.get('!/livechat', { as: null });
    expect(page.body).toMatch(/<script src="livechat\/server-url\.js"><\/script>/);
    const script = await app.get('!/livechat/server-url.js', { as: null });
    expect(script.body).toContain("window.SERVER_URL = window.location.origin + '/livechat'");
    expect(script.body).toContain('pageVisited');
  });

  it('takes offline messages through /livechat, "Page:" being the page the widget reports', async () => {
    const email = visitor();
    const res = await app.post(
      '!/livechat/api/v1/livechat/offline.message',
      {
        name: 'Ada',
        email,
        message: 'Hello',
        department: sales._id,
        host: 'https://shop.example/cart?step=2',
      },
      { as: null },
    );
    expect(res.status).toBe(200);
    const doc = await app.db.collection('livechat_offline_messages').findOne({ email });
    const { mail } = await smtp.waitFor(doc?.messageId);
    expect(mail.text).toContain('Page: https://shop.example/cart?step=2');
  });

  it('sends the offline colour and the unavailable message Rocket.Chat’s widget reads', async () => {
    await setSetting('Livechat_offline_title_color', '#0B7A0B');
    await setSetting('Livechat_offline_form_unavailable', 'We are away');
    const { body } = await app.get('/livechat/config', { as: null });
    expect(body.config.theme.offlineColor).toBe('#0B7A0B');
    expect(body.config.messages.offlineUnavailableMessage).toBe('We are away');
    expect(
      (await app.post('/settings/Livechat_offline_title_color', { value: 'red; x' })).status,
    ).toBe(400);
  });

  it('answers the DDP socket (connect, ping, setUpConnection) so the widget stops retrying', async () => {
    const ddp = await ddpClient(`${app.baseUrl.replace('http', 'ws')}/livechat/websocket`);
    ddp.send({ msg: 'connect', version: '1', support: ['1', 'pre2', 'pre1'] });
    expect(await ddp.next((m) => m.msg === 'connected')).toMatchObject({
      session: expect.any(String),
    });
    ddp.send({ msg: 'ping' });
    await ddp.next((m) => m.msg === 'pong');
    ddp.send({
      msg: 'method',
      method: 'livechat:setUpConnection',
      params: [{ token: 't' }],
      id: 'ddp-1',
    });
    const result = await ddp.next((m) => m.msg === 'result' && m.id === 'ddp-1');
    expect(result.error).toBeUndefined();
    ddp.send({ msg: 'method', method: 'sendMessageLivechat', params: [], id: 'ddp-2' });
    expect((await ddp.next((m) => m.msg === 'result' && m.id === 'ddp-2')).error).toMatchObject({
      error: 404,
    });
    ddp.ws.close();
  });

  it('refuses WebSocket upgrades anywhere else', async () => {
    const ws = new WebSocket(`${app.baseUrl.replace('http', 'ws')}/websocket`);
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });
    expect(status === 404 || status === -1).toBe(true);
  });
});

describe('a site that is not allowed can tell why', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await TestApp.start();
    await app.post('/settings/Livechat_AllowedDomainsList', { value: 'https://shop.example/' });
  });
  afterAll(() => app?.close());

  it('the embed script asks, and warns naming Livechat_AllowedDomainsList', async () => {
    const script = await app.get('!/livechat/rocketchat-livechat.min.js', { as: null });
    expect(script.status).toBe(200);
    expect(script.body).toContain('/api/v1/livechat/widget.check');
    expect(script.body).toContain('console.warn');

    const refused = await app.get('/livechat/widget.check', {
      as: null,
      headers: { origin: 'https://evil.example' },
    });
    expect(refused.status).toBe(200);
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
    expect(refused.body).toEqual({
      origin: 'https://evil.example',
      allowed: false,
      setting: 'Livechat_AllowedDomainsList',
      success: true,
    });
    const allowed = await app.get('/livechat/widget.check', {
      as: null,
      headers: { origin: 'https://shop.example' },
    });
    expect(allowed.body.allowed).toBe(true);
  });

  it('lists the refused origins (frame, CORS, check) for whoever reads the widget settings', async () => {
    await app.get('!/livechat', {
      as: null,
      headers: { 'sec-fetch-dest': 'iframe', referer: 'https://other.example/page' },
    });
    await app.get('/livechat/config', { as: null, headers: { origin: 'https://evil.example' } });
    const res = await app.get('/livechat/widget.refused-origins');
    expect(res.status).toBe(200);
    const byOrigin = Object.fromEntries(
      res.body.origins.map((entry: Json) => [entry.origin, entry]),
    );
    expect(byOrigin['https://evil.example']).toMatchObject({ count: 2 });
    expect(byOrigin['https://other.example']).toMatchObject({ count: 1 });
    expect(new Date(byOrigin['https://evil.example'].lastSeenAt).getTime()).toBeGreaterThan(
      Date.now() - 60_000,
    );
    expect(byOrigin['https://shop.example']).toBeUndefined();

    const manager = await app.createUser({ roles: ['livechat-manager'] });
    expect(await app.get('/livechat/widget.refused-origins', { as: manager })).toMatchObject({
      status: 403,
      body: FORBIDDEN_403,
    });
  });
});

describe('security findings, each with the request that exploited it', () => {
  let app: TestApp;
  const offlineMessage = (email: string) =>
    JSON.stringify({ name: 'Eve', email, message: 'hello' });

  beforeAll(async () => {
    app = await TestApp.start({
      RATE_LIMIT_OFFLINE_MESSAGE_PER_IP: '1000',
      RATE_LIMIT_OFFLINE_MESSAGE_PER_ADDRESS: '3',
    });
    await app.post('/settings/Livechat_offline_email', { value: 'desk@service.example' });
  });
  afterAll(() => app?.close());

  it('caps public bodies at 32 KiB and wants a length, whatever the request-target form', async () => {
    const big = JSON.stringify({ name: 'x', email: visitor(), message: 'x'.repeat(40_000) });
    for (const target of [
      'http://127.0.0.1/api/v1/livechat/offline.message',
      '/livechat/api/v1/livechat/offline.message',
      '/api/v1/livechat/offline.message',
    ]) {
      const tooLarge = await rawRequest(
        app.baseUrl,
        `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${big.length}\r\nConnection: close\r\n\r\n${big}`,
      );
      expect({ target, status: tooLarge.status }).toEqual({ target, status: 413 });
      const chunked = await rawRequest(
        app.baseUrl,
        `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
      );
      expect({ target, status: chunked.status }).toEqual({ target, status: 411 });
    }
    expect(await app.db.collection('livechat_offline_messages').countDocuments()).toBe(0);
  });

  it('answers 415 to a text/plain body, as docs/api.md says', async () => {
    const res = await app.request('POST', '/livechat/offline.message', {
      as: null,
      rawBody: offlineMessage(visitor()),
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ success: false, errorType: 'error-unsupported-media-type' });
    expect(await app.db.collection('livechat_offline_messages').countDocuments()).toBe(0);
  });

  it('counts the per-address limit after validation: invalid bodies naming a visitor do not lock them out', async () => {
    const victim = visitor();
    for (let i = 0; i < 5; i++) {
      const res = await app.post(
        '/livechat/offline.message',
        { name: '', email: victim, message: 'x' },
        { as: null },
      );
      expect(res.status).toBe(400);
    }
    const res = await app.post(
      '/livechat/offline.message',
      { name: 'Victim', email: victim, message: 'hi' },
      { as: null },
    );
    expect(res.status).toBe(200);
  });

  it('counts a quoted local part and another case as the same address', async () => {
    const local = `v${randomBytes(4).toString('hex')}`;
    const forms = [
      `${local}@shop.example`,
      `"${local}"@shop.example`,
      `${local.toUpperCase()}@SHOP.example`,
    ];
    const statuses = [];
    for (const email of [...forms, `"${local}"@shop.example`]) {
      statuses.push(
        (
          await app.post(
            '/livechat/offline.message',
            { name: 'V', email, message: 'hi' },
            { as: null },
          )
        ).status,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('refuses control characters in an address, even in a quoted local part', async () => {
    const email = `"vic\u0001tim"@shop.example`;
    const res = await app.post(
      '/livechat/offline.message',
      { name: 'V', email, message: 'hi' },
      { as: null },
    );
    expect(res.status).toBe(400);
    expect(await app.db.collection('livechat_offline_messages').findOne({ email })).toBeNull();
  });

  it('refuses the offline form with a message the widget shows while Live Chat is disabled', async () => {
    await app.post('/settings/Livechat_enabled', { value: false });
    const email = visitor();
    const res = await app.post(
      '/livechat/offline.message',
      { name: 'V', email, message: 'hi' },
      { as: null },
    );
    await app.post('/settings/Livechat_enabled', { value: true });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, errorType: 'error-livechat-disabled' });
    expect(res.body.message).toMatch(/Live chat is turned off/);
    expect(await app.db.collection('livechat_offline_messages').findOne({ email })).toBeNull();
  });
});

describe('what the log says', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    const url = new URL(process.env.TEST_MONGO_URL as string);
    url.pathname = `/t_${randomBytes(6).toString('hex')}`;
    service = await ServiceProcess.start({
      MONGO_URL: url.toString(),
      ADMIN_USERNAME: 'admin',
      ADMIN_PASS: 'admin-pass-1',
      REQUEST_TIMEOUT_MS: '1500',
    });
  });
  afterAll(() => service?.kill());

  it('logs a client that aborts its upload as an aborted request, not a database outage', async () => {
    const { port } = new URL(service.baseUrl);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /api/v1/livechat/offline.message HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":',
    );
    // The service has the headers and part of the body once it logs the route as started; a
    // closed socket then aborts the body.
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.destroy();
    await service.waitForOutput(/aborted by the client before its body arrived/);
    expect(service.output).not.toMatch(/Database unavailable/);
  });

  it('logs a body that does not arrive in time as a timeout', async () => {
    const { port } = new URL(service.baseUrl);
    const socket = net.connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /api/v1/livechat/offline.message HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":',
    );
    // Node answers 408 once REQUEST_TIMEOUT_MS is over; the client then goes away.
    const deadline = Date.now() + 20_000;
    while (!answer.startsWith('HTTP/1.1 408') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    socket.destroy();
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    await service.waitForOutput(/timed out: its body did not arrive in time/);
    expect(service.output).not.toMatch(/Database unavailable/);
  });

  it('logs each refused origin once', async () => {
    const admin = await service.login('admin', 'admin-pass-1');
    expect(
      (
        await service.call('POST', '/settings/Livechat_AllowedDomainsList', admin, {
          value: 'shop.example',
        })
      ).status,
    ).toBe(200);
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${service.baseUrl}/api/v1/livechat/widget.check`, {
        headers: { origin: 'https://refused.example' },
      });
      expect(res.status).toBe(200);
    }
    await service.waitForOutput(/refused\.example/);
    const lines = service.output
      .split('\n')
      .filter((line) => line.includes('https://refused.example'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Livechat_AllowedDomainsList');
  });
});
