// Mail that is secure by default, end to end: the real service, real SMTP servers on loopback
// (one offering STARTTLS, one not, one behind a relay that strips STARTTLS), and a wire tap
// recording what the service sends before any TLS, to assert that credentials never go out
// in clear unless SMTP_AllowCleartextAuth says so. Also: the test e-mail, the password that is
// forgotten when the server changes, and the settings as Rocket.Chat's clients send them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SmtpSink } from './support/smtp-sink';
import { SmtpWireTap } from './support/smtp-wire-tap';
import { FORBIDDEN_403, type Session, TestApp } from './support/test-app';

const PASSWORD = 'S3cret-smtp-pass';
const USERNAME = 'mailer';
const FROM = 'Support Desk <desk@service.example>';

/** Whether the password left the service readable: as typed, or base64 in AUTH PLAIN/LOGIN. */
function passwordInClear(wire: string): boolean {
  const plain = Buffer.from(`\0${USERNAME}\0${PASSWORD}`).toString('base64');
  const login = Buffer.from(PASSWORD).toString('base64');
  return wire.includes(PASSWORD) || wire.includes(plain) || wire.includes(login);
}

describe('SMTP: TLS whenever credentials are set', () => {
  let app: TestApp;
  let dir: string;
  let tls: { key: string; cert: string };
  const servers: { close(): Promise<void> }[] = [];

  /** A new admin per test: mail.test is limited per user. */
  const admin = async (): Promise<Session> => app.createUser({ roles: ['admin'] });
  const setSetting = async (id: string, value: unknown) => {
    const res = await app.post(`/settings/${id}`, { value });
    expect(res.status).toBe(200);
  };
  /** SMTP settings pointing at `port`, with credentials; the password set last. */
  const useServer = async (port: number, extra: Record<string, unknown> = {}) => {
    await setSetting('SMTP_Host', '127.0.0.1');
    await setSetting('SMTP_Port', port);
    await setSetting('SMTP_Username', USERNAME);
    for (const [id, value] of Object.entries(extra)) await setSetting(id, value);
    await setSetting('SMTP_Password', PASSWORD);
  };
  const mailTest = async (as: Session, to = 'admin@service.example') =>
    app.post('/livechat/mail.test', { to }, { as });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'smtp-tls-'));
    // A certificate for 127.0.0.1, trusted by the service through SMTP_CA_FILE.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    tls = {
      key: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    };
    app = await TestApp.start({
      SMTP_CA_FILE: path.join(dir, 'cert.pem'),
      OFFLINE_MESSAGE_FIRST_RETRY_MS: '100',
      OFFLINE_MESSAGE_POLL_MS: '100',
    });
    await setSetting('From_Email', FROM);
    await setSetting('Livechat_offline_email', 'desk@service.example');
  });

  afterAll(async () => {
    await app?.close();
    for (const server of servers) await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sinkWithTap = async (options: { starttls: boolean; strip?: boolean }) => {
    const sink = await SmtpSink.create(options.starttls ? { tls } : {});
    const tap = await SmtpWireTap.create(sink.port, { stripStartTls: options.strip });
    servers.push({ close: () => sink.stop() }, tap);
    return { sink, tap };
  };

  it('uses STARTTLS before AUTH when the server offers it, whatever SMTP_IgnoreTLS says', async () => {
    const { sink, tap } = await sinkWithTap({ starttls: true });
    await useServer(tap.port, { SMTP_IgnoreTLS: true });
    const res = await mailTest(await admin());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    expect(sink.logins).toEqual([{ username: USERNAME, password: PASSWORD, secure: true }]);
    expect(sink.received).toHaveLength(1);
    expect(tap.clientBytes).toContain('STARTTLS');
    expect(tap.clientBytes).not.toMatch(/AUTH /);
    expect(passwordInClear(tap.clientBytes)).toBe(false);
  });

  it('refuses to log in to a server without STARTTLS, and says why', async () => {
    const { sink, tap } = await sinkWithTap({ starttls: false });
    await useServer(tap.port, { SMTP_IgnoreTLS: false });
    const res = await mailTest(await admin());
    expect(res.status).toBe(400);
    expect(res.body.success).toBe(false);
    expect(res.body.errorType).toBe('error-smtp-test-failed');
    expect(res.body.error).toMatch(/STARTTLS|TLS/i);
    expect(sink.logins).toEqual([]);
    expect(tap.clientBytes).not.toMatch(/AUTH /);
    expect(passwordInClear(tap.clientBytes)).toBe(false);
  });

  it('refuses when STARTTLS is stripped on the way (downgrade), in the outbox too', async () => {
    const { sink, tap } = await sinkWithTap({ starttls: true, strip: true });
    await useServer(tap.port);
    const res = await mailTest(await admin());
    expect(res.status).toBe(400);
    expect(res.body.errorType).toBe('error-smtp-test-failed');

    const email = `visitor-${Date.now()}@example.org`;
    const sent = await app.post(
      '/livechat/offline.message',
      { name: 'Ada', email, message: 'hello' },
      { as: null },
    );
    expect(sent.status).toBe(200);
    const messages = app.db.collection('livechat_offline_messages');
    const deadline = Date.now() + 20_000;
    let doc = await messages.findOne({ email });
    while (!doc?.lastError && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      doc = await messages.findOne({ email });
    }
    expect(doc).toMatchObject({ status: 'pending' });
    expect(doc?.lastError).toMatch(/TLS/i);
    expect(sink.logins).toEqual([]);
    expect(sink.received).toEqual([]);
    expect(tap.clientBytes).not.toMatch(/AUTH /);
    expect(passwordInClear(tap.clientBytes)).toBe(false);
    await messages.deleteOne({ email });
  });

  it('sends AUTH in clear only with SMTP_AllowCleartextAuth', async () => {
    const { sink, tap } = await sinkWithTap({ starttls: false });
    await useServer(tap.port, { SMTP_AllowCleartextAuth: true });
    const res = await mailTest(await admin());
    expect(res.status).toBe(200);
    expect(sink.logins).toEqual([{ username: USERNAME, password: PASSWORD, secure: false }]);
    expect(passwordInClear(tap.clientBytes)).toBe(true);
    await setSetting('SMTP_AllowCleartextAuth', false);
  });
});

describe('SMTP settings and the test e-mail', () => {
  let app: TestApp;
  let sink: SmtpSink;
  const setSetting = (id: string, value: unknown) => app.post(`/settings/${id}`, { value });
  const passwordIsSet = async () => (await app.get('/settings/SMTP_Password')).body.isSet;

  beforeAll(async () => {
    sink = await SmtpSink.create();
    app = await TestApp.start();
  });
  afterAll(async () => {
    await app?.close();
    await sink?.stop();
  });

  it('accepts SMTP_Port as a number (as Rocket.Chat sends it) and stores it as text', async () => {
    const res = await setSetting('SMTP_Port', sink.port);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ _id: 'SMTP_Port', value: String(sink.port), success: true });
    expect((await app.get('/settings/SMTP_Port')).body.value).toBe(String(sink.port));
    expect((await setSetting('SMTP_Port', 70000)).status).toBe(400);
    expect((await setSetting('SMTP_Port', 25.5)).status).toBe(400);
  });

  it('forgets SMTP_Password when host, port, protocol or user change, not when set to the same', async () => {
    expect((await setSetting('SMTP_Host', 'mail.one.example')).status).toBe(200);
    for (const [id, value, other] of [
      ['SMTP_Host', 'mail.one.example', 'mail.two.example'],
      ['SMTP_Port', '2525', '2526'],
      ['SMTP_Protocol', 'smtp', 'smtps'],
      ['SMTP_Username', 'alice', 'bob'],
    ] as const) {
      expect((await setSetting(id, value)).status).toBe(200);
      expect((await setSetting('SMTP_Password', PASSWORD)).status).toBe(200);
      expect((await setSetting(id, value)).status).toBe(200);
      expect(await passwordIsSet()).toBe(true);
      expect((await setSetting(id, other)).status).toBe(200);
      expect(await passwordIsSet()).toBe(false);
      const stored = await app.db
        .collection('rocketchat_settings')
        .findOne({ _id: 'SMTP_Password' as never });
      expect(stored?.value).toBe('');
    }
    // A refused value changes nothing: the password stays.
    expect((await setSetting('SMTP_Password', PASSWORD)).status).toBe(200);
    expect((await setSetting('SMTP_Host', 'bad host!')).status).toBe(400);
    expect(await passwordIsSet()).toBe(true);
    await setSetting('SMTP_Protocol', 'smtp');
  });

  it('sends a test e-mail to the given address, for whoever may change SMTP settings', async () => {
    await setSetting('SMTP_Host', '127.0.0.1');
    await setSetting('SMTP_Port', sink.port);
    await setSetting('SMTP_Username', '');

    const manager = await app.createUser({ roles: ['livechat-manager'] });
    expect(
      await app.post('/livechat/mail.test', { to: 'a@service.example' }, { as: manager }),
    ).toMatchObject({
      status: 403,
      body: FORBIDDEN_403,
    });
    // Not configured yet: From_Email is empty.
    const notConfigured = await app.post('/livechat/mail.test', { to: 'a@service.example' });
    expect(notConfigured.status).toBe(400);
    expect(notConfigured.body.errorType).toBe('error-smtp-not-configured');

    expect((await setSetting('From_Email', FROM)).status).toBe(200);
    const bad = await app.post('/livechat/mail.test', { to: 'not an address' });
    expect(bad.status).toBe(400);
    expect(bad.body.errorType).toBe('invalid-params');

    const res = await app.post('/livechat/mail.test', { to: 'owner@service.example' });
    expect(res).toMatchObject({ status: 200, body: { success: true } });
    expect(sink.received).toHaveLength(1);
    expect(sink.received[0].recipients).toEqual(['owner@service.example']);
    expect(sink.received[0].mail.subject).toMatch(/Test e-mail/);

    // The server's refusal is the answer's text.
    await sink.stop();
    const down = await app.post('/livechat/mail.test', { to: 'owner@service.example' });
    expect(down.status).toBe(400);
    expect(down.body.error).toMatch(/ECONNREFUSED|connect/i);
    await sink.start();
  });

  it('limits test e-mails per user (429 with Retry-After)', async () => {
    const admin = await app.createUser({ roles: ['admin'] });
    const answers = [];
    for (let i = 0; i < 6; i++) {
      answers.push(
        await app.post('/livechat/mail.test', { to: 'x@service.example' }, { as: admin }),
      );
    }
    expect(answers.slice(0, 5).map((res) => res.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers[5].status).toBe(429);
    expect(Number(answers[5].headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('refuses a From_Email display name that would break the From header', async () => {
    for (const value of [
      'Desk: Ops <desk@service.example>',
      'Desk\u0085Ops <desk@service.example>',
      'A, B <desk@service.example>',
    ]) {
      const res = await setSetting('From_Email', value);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/display name/);
    }
    expect((await app.get('/settings/From_Email')).body.value).toBe(FROM);
  });
});
