// The outbox across processes: the built service (`node dist/main.js`) on a shared
// database (MONGO_URL). An accepted message survives kill -9 before it could be sent, two
// instances deliver every message exactly once (each attempt claimed by a conditional
// write), and a sender stopped (SIGSTOP) mid-DATA cannot set a sent message back.
import { randomBytes } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { ServiceProcess, sleep } from './support/service-process';
import { SmtpSink } from './support/smtp-sink';

const ADMIN = { username: 'outbox-admin', password: 'outbox-admin-secret' };
const SMTP_PASSWORD = 'smtp-pass-never-logged-9431';
const FALLBACK = 'desk@shop.example';
/** The service on the shared database, with fast outbox retries. */
const startService = (mongoUrl: string) =>
  ServiceProcess.start({
    MONGO_URL: mongoUrl,
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASS: ADMIN.password,
    LOG_LEVEL: 'debug',
    OFFLINE_MESSAGE_FIRST_RETRY_MS: '200',
    OFFLINE_MESSAGE_POLL_MS: '200',
    OFFLINE_MESSAGE_MAX_ATTEMPTS: '100',
    // An attempt cut short (kill -9, SIGSTOP) is given up on after 10 s: far longer than an
    // exchange with the local mail server takes, even on a busy machine.
    OFFLINE_MESSAGE_ATTEMPT_LEASE_MS: '10000',
  });

/** Polls `probe` until it returns a value (60 s at most). */
async function waitUntil<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(100);
  }
}

describe('the offline-message outbox across processes', () => {
  let mongoUrl: string;
  let client: MongoClient;
  let db: Db;
  let smtp: SmtpSink;
  const services: ServiceProcess[] = [];

  const start = async () => {
    const service = await startService(mongoUrl);
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
    await Promise.all(services.map((service) => service.kill()));
    await db?.dropDatabase().catch(() => undefined);
    await client?.close();
    await smtp?.stop();
  });

  it('delivers a message accepted just before a kill -9, after the restart', async () => {
    const first = await start();
    const admin = await first.login(ADMIN.username, ADMIN.password);
    for (const [id, value] of Object.entries({
      SMTP_Host: '127.0.0.1',
      SMTP_Port: String(smtp.port),
      SMTP_Username: 'desk',
      SMTP_Password: SMTP_PASSWORD,
      // The sink offers no TLS: credentials in clear only with the explicit opt-in.
      SMTP_AllowCleartextAuth: true,
      From_Email: 'desk@service.example',
      Livechat_offline_email: FALLBACK,
    })) {
      expect((await first.call('POST', `/settings/${id}`, admin, { value })).status).toBe(200);
    }

    // The mail server is down: the message is accepted, stored, and cannot leave yet.
    const accepted = await first.call('POST', '/livechat/offline.message', null, {
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
    expect(smtp.logins[0]).toEqual({ username: 'desk', password: SMTP_PASSWORD, secure: false });
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
      const res = await (i % 2 ? a : b).call('POST', '/livechat/offline.message', null, {
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
    await Promise.all([a.kill(), b.kill()]);
  }, 120_000);

  it('a sender stopped mid-DATA past the lease wakes to a failure and leaves the sent message alone', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    const held = smtp.holdNextData();
    const accepted = await a.call('POST', '/livechat/offline.message', null, {
      name: 'Stopped',
      email: 'stopped@example.org',
      message: 'one copy',
    });
    expect(accepted.status).toBe(200);
    await held.arrived;
    const inFlight = (await outbox().findOne({ email: 'stopped@example.org' }))!;
    // The instance that claimed the attempt logged its id; it is stopped now, mid-DATA.
    const sender = [a, b].find((service) => service.output.includes(inFlight.attemptId))!;
    const other = sender === a ? b : a;
    expect(sender).toBeDefined();
    sender.child.kill('SIGSTOP');
    try {
      // The other instance gives the attempt up after the lease (10 s on its clock) and sends.
      const sent = await waitUntil(async () => {
        const doc = await outbox().findOne({ _id: inFlight._id });
        return doc?.status === 'sent' ? doc : undefined;
      });
      expect(sent).toMatchObject({ attempts: 2 });
      expect(smtp.copiesOf(inFlight.messageId)).toBe(1);
      // The stopped sender's DATA is answered with a temporary failure, then it runs again.
      held.release('reject');
      sender.child.kill('SIGCONT');
      await waitUntil(async () =>
        sender.output.includes('the attempt had been given up on') ? true : undefined,
      );
      expect(await outbox().findOne({ _id: inFlight._id })).toEqual(sent);
      expect(smtp.copiesOf(inFlight.messageId)).toBe(1);
      expect(other.output).not.toContain('the attempt had been given up on');
    } finally {
      sender.child.kill('SIGCONT');
      smtp.endHold();
    }
  }, 120_000);
});
