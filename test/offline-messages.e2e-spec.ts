// POST livechat/offline.message end to end: the real service and database, and a real SMTP
// server on loopback receiving the mails. Retries are fast here (first after 100 ms).
import { randomBytes } from 'node:crypto';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AppModule } from '../src/app.module';
import { loadConfig } from '../src/config/app-config';
import { CLOCK } from '../src/livechat/business-hours/clock';
import { OfflineMessageOutbox } from '../src/livechat/offline-messages/offline-message-outbox';
import { OfflineMessagesService } from '../src/livechat/offline-messages/offline-messages.service';
import { SmtpSink } from './support/smtp-sink';
import { TestApp, FORBIDDEN_403 } from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- checked field by field
type Json = any;

const FROM = 'Support Desk <desk@service.example>';
const FALLBACK = 'fallback@service.example';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const visitor = () => `visitor-${randomBytes(4).toString('hex')}@example.org`;

describe('POST livechat/offline.message', () => {
  let app: TestApp;
  let smtp: SmtpSink;
  let sales: Json;
  let hidden: Json;
  let disabled: Json;
  let archived: Json;

  const send = (body: Record<string, unknown>, headers?: Record<string, string>) =>
    app.post('/livechat/offline.message', body, { as: null, headers });
  const stored = async (email: string): Promise<Json> =>
    app.db.collection('livechat_offline_messages').findOne({ email });
  const waitForStatus = async (email: string, done: (doc: Json) => boolean): Promise<Json> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const doc = await stored(email);
      if (doc && done(doc)) return doc;
      if (Date.now() > deadline)
        throw new Error(`outbox state not reached: ${JSON.stringify(doc)}`);
      await sleep(50);
    }
  };
  const setSetting = async (id: string, value: unknown) => {
    const res = await app.post(`/settings/${id}`, { value });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    smtp = await SmtpSink.create();
    app = await TestApp.start({
      OFFLINE_MESSAGE_FIRST_RETRY_MS: '100',
      OFFLINE_MESSAGE_POLL_MS: '100',
      OFFLINE_MESSAGE_MAX_ATTEMPTS: '5',
      RATE_LIMIT_OFFLINE_MESSAGE_PER_IP: '1000',
    });
    await setSetting('SMTP_Host', '127.0.0.1');
    await setSetting('SMTP_Port', String(smtp.port));
    await setSetting('From_Email', FROM);
    await setSetting('Livechat_offline_email', FALLBACK);
    sales = (await app.createDepartment({ name: 'Sales', email: 'sales@shop.example' })).department;
    hidden = (await app.createDepartment({ showOnOfflineForm: false })).department;
    disabled = (await app.createDepartment({ enabled: false })).department;
    archived = (await app.createDepartment()).department;
    expect((await app.post(`/livechat/department/${archived._id}/archive`)).status).toBe(200);
  });

  afterEach(() => smtp.endHold());
  afterAll(async () => {
    await app?.close();
    await smtp?.stop();
  });

  it("stores the message before answering and mails it to the department's address", async () => {
    const email = visitor();
    const res = await send({
      name: 'Ada Lovelace',
      email,
      message: 'Do you ship <b>engines</b> & parts?\nThanks',
      department: sales._id,
      host: 'https://shop.example/engines',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Thank you for your message. We will answer you by e-mail.',
      success: true,
    });
    const doc = await stored(email);
    expect(doc).toMatchObject({ to: 'sales@shop.example', departmentId: sales._id });

    const { mail, recipients, sender } = await smtp.waitFor(doc.messageId);
    expect(recipients).toEqual(['sales@shop.example']);
    expect(sender).toBe('desk@service.example');
    expect(mail.from?.value).toEqual([{ name: 'Support Desk', address: 'desk@service.example' }]);
    expect(mail.replyTo?.value).toEqual([{ name: 'Ada Lovelace', address: email }]);
    expect(mail.subject).toBe('Offline message from Ada Lovelace (Sales)');
    expect(mail.text).toContain('Do you ship <b>engines</b> & parts?\nThanks');
    expect(mail.text).toContain('Page: https://shop.example/engines');
    expect(mail.html).toContain('Do you ship &lt;b&gt;engines&lt;/b&gt; &amp; parts?<br>');
    expect(mail.html).not.toContain('<b>engines');
    expect(doc.messageId).toMatch(/^<[A-Za-z0-9]{17}\.offline-message@service\.example>$/);

    const sent = await waitForStatus(email, (item) => item.status === 'sent');
    expect(sent).toMatchObject({ attempts: 1, status: 'sent' });
  });

  it('sends to Livechat_offline_email without a department, and nowhere else', async () => {
    const email = visitor();
    const res = await send({
      name: 'Eve\r\nBcc: victim@evil.example\r\nX-Injected: 1',
      email,
      message: 'hi',
      department: '',
    });
    expect(res.status).toBe(200);
    const { mail, recipients } = await smtp.waitFor((await stored(email)).messageId);
    expect(recipients).toEqual([FALLBACK]);
    expect(mail.bcc).toBeUndefined();
    expect(mail.headers.has('x-injected')).toBe(false);
    expect(mail.subject).toBe('Offline message from Eve Bcc: victim@evil.example X-Injected: 1');
    expect(mail.replyTo?.value).toEqual([
      { name: 'Eve Bcc: victim@evil.example X-Injected: 1', address: email },
    ]);
  });

  it('refuses a recipient chosen by the client (no open relay)', async () => {
    const email = visitor();
    const res = await send({ name: 'Mallory', email, message: 'hi', to: 'victim@evil.example' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      success: false,
      errorType: 'invalid-params',
      message: 'to is not allowed',
    });
    expect(await stored(email)).toBeNull();
  });

  it.each([
    [{ email: 'a@example.org', message: 'x' }, 'invalid-params', /^name /],
    [
      { name: 'A', email: 'not-an-email', message: 'x' },
      'invalid-params',
      /^email must be a valid e-mail address$/,
    ],
    [{ name: 'A', email: 'a@example.org' }, 'invalid-params', /^message /],
    [{ name: 'A', email: 'a@example.org', message: '' }, 'invalid-params', /^message /],
    [
      { name: 'A', email: 'a@example.org', message: 'x', department: 'nope' },
      'error-invalid-department',
      /cannot be chosen/,
    ],
  ])('answers 400 with a message the widget shows: %j', async (body, errorType, text) => {
    const before = await app.db.collection('livechat_offline_messages').countDocuments();
    const res = await send(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      success: false,
      error: expect.stringContaining(`[${errorType}]`),
      errorType,
      message: expect.stringMatching(text),
    });
    expect(await app.db.collection('livechat_offline_messages').countDocuments()).toBe(before);
  });

  it('refuses departments that are not on the offline form, disabled or archived', async () => {
    for (const department of [hidden, disabled, archived]) {
      const email = visitor();
      const res = await send({ name: 'A', email, message: 'x', department: department._id });
      expect(res.status).toBe(400);
      expect(res.body.errorType).toBe('error-invalid-department');
      expect(await stored(email)).toBeNull();
    }
  });

  it('honours Livechat_display_offline_form and Livechat_offline_success_message', async () => {
    await setSetting('Livechat_offline_success_message', 'Merci, à bientôt !');
    const email = visitor();
    const ok = await send({ name: 'A', email, message: 'x' });
    expect(ok.body).toEqual({ message: 'Merci, à bientôt !', success: true });
    await setSetting('Livechat_offline_success_message', '');

    await setSetting('Livechat_display_offline_form', false);
    const off = await send({ name: 'A', email: visitor(), message: 'x' });
    expect(off.status).toBe(400);
    expect(off.body).toMatchObject({
      errorType: 'error-offline-form-disabled',
      message: 'The offline form is turned off',
    });
    await setSetting('Livechat_display_offline_form', true);
  });

  it('waits through an SMTP outage and delivers when the server is back', async () => {
    await smtp.stop();
    const email = visitor();
    expect((await send({ name: 'Patient', email, message: 'still there?' })).status).toBe(200);
    const waiting = await waitForStatus(email, (doc) => doc.attempts >= 2);
    expect(waiting.status).toBe('pending');
    expect(waiting.lastError).toMatch(/ECONNREFUSED|connect/i);
    expect(smtp.copiesOf(waiting.messageId)).toBe(0);

    await smtp.start();
    const { recipients } = await smtp.waitFor(waiting.messageId);
    expect(recipients).toEqual([FALLBACK]);
    const sent = await waitForStatus(email, (doc) => doc.status === 'sent');
    expect(sent.messageId).toBe(waiting.messageId);
    expect(smtp.copiesOf(waiting.messageId)).toBe(1);
  });

  it('marks a message failed after the last attempt; a retry from the console sends it', async () => {
    await smtp.stop();
    const email = visitor();
    expect((await send({ name: 'Unlucky', email, message: 'hello' })).status).toBe(200);
    const failed = await waitForStatus(email, (doc) => doc.status === 'failed');
    expect(failed.attempts).toBe(5);

    const listed = await app.get('/livechat/offline.messages?status=failed');
    expect(listed.status).toBe(200);
    expect(listed.body.messages.map((item: Json) => item._id)).toContain(failed._id);

    await smtp.start();
    const retried = await app.post(`/livechat/offline.messages/${failed._id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body.message).toMatchObject({ _id: failed._id, status: 'pending' });
    await smtp.waitFor(failed.messageId);
    expect((await waitForStatus(email, (doc) => doc.status === 'sent')).attempts).toBe(6);

    // A sent message is never set back: the retry is refused and changes nothing.
    const sent = await stored(email);
    const again = await app.post(`/livechat/offline.messages/${failed._id}/retry`);
    expect(again.status).toBe(400);
    expect(again.body).toEqual({
      success: false,
      error: 'This message was already sent [error-offline-message-sent]',
      errorType: 'error-offline-message-sent',
    });
    expect(await stored(email)).toEqual(sent);
    expect(smtp.copiesOf(failed.messageId)).toBe(1);
  });

  it('refuses to retry a message whose attempt is in flight, and changes nothing', async () => {
    const held = smtp.holdNextData();
    const email = visitor();
    expect((await send({ name: 'In flight', email, message: 'hold on' })).status).toBe(200);
    await held.arrived;
    const inFlight = await stored(email);
    expect(inFlight).toMatchObject({ status: 'pending', attempts: 1 });
    expect(inFlight.attemptId).toEqual(expect.any(String));

    const res = await app.post(`/livechat/offline.messages/${inFlight._id}/retry`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      success: false,
      error:
        'This message is being sent now; try again once the attempt has ended [error-offline-message-in-progress]',
      errorType: 'error-offline-message-in-progress',
    });
    expect(await stored(email)).toEqual(inFlight);

    held.release('accept');
    const sent = await waitForStatus(email, (doc) => doc.status === 'sent');
    expect(sent).toMatchObject({ attempts: 1, maxAttempts: inFlight.maxAttempts });
    expect(sent.attemptId).toBeUndefined();
    expect(smtp.copiesOf(inFlight.messageId)).toBe(1);
  });

  it('parallel retries of a failed message send it once', async () => {
    await smtp.stop();
    const email = visitor();
    expect((await send({ name: 'Many clicks', email, message: 'once' })).status).toBe(200);
    const failed = await waitForStatus(email, (doc) => doc.status === 'failed');
    await smtp.start();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => app.post(`/livechat/offline.messages/${failed._id}/retry`)),
    );
    // Each either moved it to pending, or found its attempt in flight or already done.
    for (const res of answers) {
      if (res.status === 200) {
        expect(res.body.message).toMatchObject({ _id: failed._id, status: 'pending' });
      } else {
        expect(res.status).toBe(400);
        expect(['error-offline-message-in-progress', 'error-offline-message-sent']).toContain(
          res.body.errorType,
        );
      }
    }
    expect(answers.filter((res) => res.status === 200).length).toBeGreaterThanOrEqual(1);
    await smtp.waitFor(failed.messageId);
    const sent = await waitForStatus(email, (doc) => doc.status === 'sent');
    expect(sent.attempts).toBe(6);
    expect(smtp.copiesOf(failed.messageId)).toBe(1);
  });

  it('lists the outbox only for livechat managers', async () => {
    const agent = await app.createAgent();
    const res = await app.get('/livechat/offline.messages', { as: agent });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(FORBIDDEN_403);
    const bad = await app.get('/livechat/offline.messages?status=lost');
    expect(bad.status).toBe(400);
    expect(bad.body.errorType).toBe('invalid-params');
    const unknown = await app.post('/livechat/offline.messages/nope/retry');
    expect(unknown.body.errorType).toBe('error-offline-message-not-found');
  });

  it('limits messages per visitor address (429 with Retry-After)', async () => {
    const email = visitor();
    for (let i = 0; i < 5; i++) {
      expect((await send({ name: 'Spam', email, message: `#${i}` })).status).toBe(200);
    }
    const limited = await send({ name: 'Spam', email: email.toUpperCase(), message: '#6' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({
      errorType: 'error-too-many-requests',
      message: 'Too many requests',
    });
    expect(await app.db.collection('livechat_offline_messages').countDocuments({ email })).toBe(5);
  });

  it('never passes an operator to the database', async () => {
    const res = await send({ name: 'A', email: { $gt: '' }, message: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.errorType).toBe('invalid-params');
  });

  it('caps the message and the request body', async () => {
    const long = await send({ name: 'Big', email: visitor(), message: 'x'.repeat(10_001) });
    expect(long.status).toBe(400);
    expect(long.body.errorType).toBe('invalid-params');
    const huge = await send({
      name: 'Big',
      email: visitor(),
      message: 'x',
      host: 'y'.repeat(40_000),
    });
    expect(huge.status).toBe(413);
    expect(huge.body.errorType).toBe('error-payload-too-large');
  });
});

describe('offline.message per-IP limit', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await TestApp.start({ RATE_LIMIT_OFFLINE_MESSAGE_PER_IP: '2' });
  });
  afterAll(() => app?.close());

  it('answers 429 past the per-IP limit, before validating the body', async () => {
    for (let i = 0; i < 2; i++) {
      expect((await app.post('/livechat/offline.message', {}, { as: null })).status).toBe(400);
    }
    const res = await app.post('/livechat/offline.message', {}, { as: null });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('the outbox on two instances of one database', () => {
  let a: TestApp;
  let b: TestApp;
  let smtp: SmtpSink;
  const outboxOf = (t: TestApp) => t.app.get(OfflineMessageOutbox);
  const stored = (email: string): Promise<Json> =>
    a.db.collection('livechat_offline_messages').findOne({ email });

  beforeAll(async () => {
    smtp = await SmtpSink.create();
    const env = {
      OFFLINE_MESSAGE_FIRST_RETRY_MS: '100',
      OFFLINE_MESSAGE_POLL_MS: '100',
      // An attempt in flight for a second (on the observer's clock) is given up on.
      OFFLINE_MESSAGE_ATTEMPT_LEASE_MS: '1000',
    };
    a = await TestApp.start(env);
    b = await TestApp.start(env, { sameDatabaseAs: a });
    for (const [id, value] of Object.entries({
      SMTP_Host: '127.0.0.1',
      SMTP_Port: String(smtp.port),
      From_Email: 'desk@service.example',
      Livechat_offline_email: FALLBACK,
    })) {
      expect((await a.post(`/settings/${id}`, { value })).status).toBe(200);
    }
  });
  afterEach(() => smtp.endHold());
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await smtp?.stop();
  });

  it.each(['reject', 'accept'] as const)(
    'a sender paused mid-DATA past the lease wakes after the other instance sent: the message stays sent, never a third copy (the late DATA answered %s)',
    async (answer) => {
      const held = smtp.holdNextData();
      const email = visitor();
      const posted = performance.now();
      const res = await a.post(
        '/livechat/offline.message',
        { name: 'Paused', email, message: 'one copy please' },
        { as: null },
      );
      expect(res.status).toBe(200);
      // One instance claimed attempt 1 and is stuck waiting for the answer to its DATA.
      await held.arrived;
      const inFlight = await stored(email);
      expect(inFlight).toMatchObject({ status: 'pending', attempts: 1 });
      expect(inFlight.attemptId).toEqual(expect.any(String));

      // The other instance sees that attempt in flight for the whole lease, gives up on it,
      // makes attempt 2 and marks the message sent.
      const sent = await waitFor(async () => {
        const doc = await stored(email);
        return doc?.status === 'sent' ? doc : undefined;
      });
      expect(performance.now() - posted).toBeGreaterThanOrEqual(1000);
      expect(sent).toMatchObject({ attempts: 2, status: 'sent' });
      expect(sent.attemptId).toBeUndefined();
      expect(smtp.copiesOf(inFlight.messageId)).toBe(1);

      // The paused sender wakes: its attempt's outcome (failure or success) is written only
      // if its attempt is still the one in flight, which it is not. A round of each instance
      // ending after this one proves the late outcome was handled.
      held.release(answer);
      await Promise.all([outboxOf(a).kick(), outboxOf(b).kick()]);
      await Promise.all([outboxOf(a).kick(), outboxOf(b).kick()]);
      expect(await stored(email)).toEqual(sent);
      const transmissions =
        smtp.copiesOf(inFlight.messageId) +
        smtp.rejected.filter((mail) => mail.messageId === inFlight.messageId).length;
      expect(transmissions).toBe(2);
      expect(smtp.copiesOf(inFlight.messageId)).toBe(answer === 'accept' ? 2 : 1);
    },
    60_000,
  );
});

describe("the outbox with one instance's wall clock 2 minutes behind", () => {
  let normal: TestApp;
  let skewed: NestFastifyApplication;
  let smtp: SmtpSink;
  const stored = (email: string): Promise<Json> =>
    normal.db.collection('livechat_offline_messages').findOne({ email });

  beforeAll(async () => {
    smtp = await SmtpSink.create();
    // The default lease (2 minutes). This instance runs rounds only when a message arrives
    // through it or the test asks (its timer is 10 minutes).
    normal = await TestApp.start({ OFFLINE_MESSAGE_POLL_MS: '600000' });
    for (const [id, value] of Object.entries({
      SMTP_Host: '127.0.0.1',
      SMTP_Port: String(smtp.port),
      From_Email: 'desk@service.example',
      Livechat_offline_email: FALLBACK,
    })) {
      expect((await normal.post(`/settings/${id}`, { value })).status).toBe(200);
    }
    // A second instance on the same database whose wall clock is 2 minutes behind.
    const moduleRef = await Test.createTestingModule({
      imports: [
        AppModule.forRoot(
          loadConfig({
            MONGO_URL: normal.mongoUrl,
            LOG_LEVEL: 'silent',
            OFFLINE_MESSAGE_POLL_MS: '100',
          }),
        ),
      ],
    })
      .overrideProvider(CLOCK)
      .useValue(() => Date.now() - 120_000)
      .compile();
    skewed = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
      logger: false,
    });
    await skewed.init();
  });
  afterEach(() => smtp.endHold());
  afterAll(async () => {
    await skewed?.close();
    await normal?.close();
    await smtp?.stop();
  });

  it.each([
    ['the skewed instance sends, the other watches', 'skewed'],
    ['the other instance sends, the skewed one watches', 'normal'],
  ] as const)('no live attempt is taken over: %s', async (_title, sender) => {
    const held = smtp.holdNextData();
    const email = visitor();
    const observer =
      sender === 'skewed' ? normal.app.get(OfflineMessageOutbox) : skewed.get(OfflineMessageOutbox);
    const message = { name: 'Skewed', email, message: 'clocks differ' };
    if (sender === 'skewed') {
      // The message arrives at the skewed instance, which claims it at once.
      await skewed.get(OfflineMessagesService).accept(message);
    } else {
      expect((await normal.post('/livechat/offline.message', message, { as: null })).status).toBe(
        200,
      );
    }
    await held.arrived;
    const inFlight = await stored(email);
    expect(inFlight).toMatchObject({ status: 'pending', attempts: 1 });
    // Its start, written on the sender's clock: more than the lease away from the other's.
    if (sender === 'skewed') {
      expect(Date.now() - inFlight.attemptStartedAt.getTime()).toBeGreaterThanOrEqual(120_000);
    }

    // The observer looks at the attempt, round after round: it is live (seen for far less
    // than the lease on the observer's own clock), whatever the two wall clocks say.
    for (let round = 0; round < 3; round++) await observer.kick();
    expect(await stored(email)).toEqual(inFlight);
    expect(smtp.copiesOf(inFlight.messageId)).toBe(0);

    held.release('accept');
    const sent = await waitFor(async () => {
      const doc = await stored(email);
      return doc?.status === 'sent' ? doc : undefined;
    });
    expect(sent).toMatchObject({ attempts: 1 });
    await observer.kick();
    expect(smtp.copiesOf(inFlight.messageId)).toBe(1);
  });
});

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(50);
  }
}
