// The outbox across processes: the built service (`node dist/main.js`) on a shared
// database (MONGO_URL). An accepted message survives kill -9 before it could be sent, and
// two instances deliver every message exactly once (each attempt claimed by a unique insert).
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { freePort, SmtpSink } from './support/smtp-sink';

const ROOT = path.resolve(__dirname, '..');
const ADMIN = { username: 'outbox-admin', password: 'outbox-admin-secret' };
const SMTP_PASSWORD = 'smtp-pass-never-logged-9431';
const FALLBACK = 'desk@shop.example';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- checked field by field
type Json = any;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class Service {
  output = '';
  readonly exited: Promise<void>;
  private constructor(
    readonly child: ChildProcess,
    readonly baseUrl: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static async start(mongoUrl: string): Promise<Service> {
    const port = await freePort();
    const child = spawn(process.execPath, ['dist/main.js'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        MONGO_URL: mongoUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        ADMIN_USERNAME: ADMIN.username,
        ADMIN_PASS: ADMIN.password,
        LOG_LEVEL: 'debug',
        OFFLINE_MESSAGE_FIRST_RETRY_MS: '200',
        OFFLINE_MESSAGE_POLL_MS: '200',
        OFFLINE_MESSAGE_MAX_ATTEMPTS: '100',
        // An attempt cut short by the kill -9 is given up after 3 s (the mail server is local).
        OFFLINE_MESSAGE_ATTEMPT_LEASE_MS: '3000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service = new Service(child, `http://127.0.0.1:${port}`);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && child.exitCode === null) {
      const ready = await fetch(`${service.baseUrl}/health/ready`).catch(() => null);
      if (ready?.status === 200) return service;
      await sleep(100);
    }
    child.kill('SIGKILL');
    throw new Error(`service did not become ready:\n${service.output}`);
  }

  async post(
    pathname: string,
    body: unknown,
    session?: Json,
  ): Promise<{ status: number; body: Json }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (session) {
      headers['x-user-id'] = session.userId;
      headers['x-auth-token'] = session.authToken;
    }
    const res = await fetch(`${this.baseUrl}/api/v1${pathname}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.status, body: (await res.json()) as Json };
  }

  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

describe('the offline-message outbox across processes', () => {
  let mongoUrl: string;
  let client: MongoClient;
  let db: Db;
  let smtp: SmtpSink;
  const services: Service[] = [];

  const start = async () => {
    const service = await Service.start(mongoUrl);
    services.push(service);
    return service;
  };
  const outbox = () => db.collection('livechat_offline_messages');

  beforeAll(async () => {
    const base = process.env.TEST_MONGO_URL;
    if (!base) throw new Error('TEST_MONGO_URL is not set (jest global setup did not run)');
    const url = new URL(base);
    url.pathname = `/outbox_${randomBytes(6).toString('hex')}`;
    mongoUrl = url.toString();
    client = await MongoClient.connect(mongoUrl);
    db = client.db();
    smtp = await SmtpSink.create({ listening: false });
  });

  afterAll(async () => {
    for (const service of services) service.child.kill('SIGKILL');
    await Promise.all(services.map((service) => service.exited));
    await db?.dropDatabase().catch(() => undefined);
    await client?.close();
    await smtp?.stop();
  });

  it('delivers a message accepted just before a kill -9, after the restart', async () => {
    const first = await start();
    const login = await first.post('/login', { user: ADMIN.username, password: ADMIN.password });
    const admin = { userId: login.body.data.userId, authToken: login.body.data.authToken };
    for (const [id, value] of Object.entries({
      SMTP_Host: '127.0.0.1',
      SMTP_Port: String(smtp.port),
      SMTP_Username: 'desk',
      SMTP_Password: SMTP_PASSWORD,
      From_Email: 'desk@service.example',
      Livechat_offline_email: FALLBACK,
    })) {
      expect((await first.post(`/settings/${id}`, { value }, admin)).status).toBe(200);
    }

    // The mail server is down: the message is accepted, stored, and cannot leave yet.
    const accepted = await first.post('/livechat/offline.message', {
      name: 'Grace',
      email: 'grace@example.org',
      message: 'Please call me back',
    });
    expect(accepted.status).toBe(200);
    const stored = await outbox().findOne({ email: 'grace@example.org' });
    expect(stored).toMatchObject({ status: 'pending', to: FALLBACK });
    await first.kill();

    await smtp.start();
    const second = await start();
    const { recipients, mail } = await smtp.waitFor(stored!.messageId, 30_000);
    expect(recipients).toEqual([FALLBACK]);
    expect(mail.text).toContain('Please call me back');
    expect(smtp.logins[0]).toEqual({ username: 'desk', password: SMTP_PASSWORD });
    await sleep(1_000);
    expect(smtp.copiesOf(stored!.messageId)).toBe(1);
    expect(await outbox().findOne({ _id: stored!._id })).toMatchObject({ status: 'sent' });

    // The SMTP password went to the mail server only: never to a log line.
    expect(first.output + second.output).not.toContain(SMTP_PASSWORD);
    await second.kill();
  }, 120_000);

  it('never lets two instances send the same message: each arrives exactly once', async () => {
    await smtp.stop();
    const [a, b] = await Promise.all([start(), start()]);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const email = `multi-${i}@example.org`;
      const res = await (i % 2 ? a : b).post('/livechat/offline.message', {
        name: `Visitor ${i}`,
        email,
        message: `message ${i}`,
      });
      expect(res.status).toBe(200);
      ids.push((await outbox().findOne({ email }))!.messageId);
    }
    // Both instances retry the same waiting messages while the server is down...
    await sleep(1_500);
    await smtp.start();
    for (const id of ids) await smtp.waitFor(id, 30_000);
    await sleep(1_500);
    // ...and once it is back, every message arrives once.
    expect(ids.map((id) => smtp.copiesOf(id))).toEqual(ids.map(() => 1));
    expect(await outbox().countDocuments({ status: 'sent', email: /^multi-/ })).toBe(8);
  }, 120_000);
});
