// Updates of one user document and uniqueness of users, under parallel requests (issue 24,
// "Users"): every login token answered 200 authenticates, on the instance that issued it and
// on another one; a role removal racing a role grant keeps both; the same e-mail address or
// username (in any case) created at once on two instances gives exactly one user.
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { EmbeddedDb, startEmbeddedDb } from '../src/database/embedded-db';
import { ServiceProcess, Session, sleep } from './support/service-process';
import { TestApp } from './support/test-app';

const PARALLEL_LOGINS = 20;
const ROLE_RACE_ROUNDS = 15;
const DUPLICATE_ROUNDS = 8;

const unique = () => randomBytes(4).toString('hex');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are checked field by field
type Json = any;

function expectFieldUnavailable(res: { status: number; body: Json }) {
  expect(res.status).toBe(400);
  expect(res.body).toEqual({
    success: false,
    error: expect.stringMatching(/ is already in use :\( \[error-field-unavailable\]$/),
    errorType: 'error-field-unavailable',
  });
}

describe('users on one instance, under parallel requests', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start();
  });

  afterAll(async () => {
    await t?.close();
  });

  it(`every one of ${PARALLEL_LOGINS} parallel logins of one user gives a working token`, async () => {
    const user = await t.createUser();
    const logins = await Promise.all(
      Array.from({ length: PARALLEL_LOGINS }, () =>
        t.post('/login', { user: user.username, password: user.password }, { as: null }),
      ),
    );
    expect(logins.map((res) => res.status)).toEqual(logins.map(() => 200));
    const tokens = new Set(logins.map((res) => res.body.data.authToken as string));
    expect(tokens.size).toBe(PARALLEL_LOGINS);
    const checks = await Promise.all(
      [...tokens].map((authToken) => t.get('/me', { as: { userId: user.userId, authToken } })),
    );
    expect(checks.map((res) => res.status)).toEqual(checks.map(() => 200));
    // And the database holds each of them (the cache is not what answered).
    const stored = await t.db
      .collection<{ _id: string; services: { resume: { loginTokens: unknown[] } } }>('users')
      .findOne({ _id: user.userId });
    expect(stored?.services.resume.loginTokens.length).toBe(PARALLEL_LOGINS + 1);
  });

  it(`an agent-role removal racing a manager-role grant keeps both, ${ROLE_RACE_ROUNDS} rounds`, async () => {
    const users = t.db.collection<{ _id: string; roles: string[] }>('users');
    for (let round = 0; round < ROLE_RACE_ROUNDS; round++) {
      const agent = await t.createAgent();
      const [removed, granted] = await Promise.all([
        t.delete(`/livechat/users/agent/${agent.userId}`),
        t.post('/livechat/users/manager', { username: agent.username }),
      ]);
      expect([removed.status, granted.status]).toEqual([200, 200]);
      const roles = (await users.findOne({ _id: agent.userId }))?.roles;
      expect({ round, roles: [...(roles ?? [])].sort() }).toEqual({
        round,
        roles: ['livechat-manager', 'user'],
      });
    }
  });

  it('parallel creates of one e-mail address (in several cases) give exactly one user', async () => {
    const email = `same-${unique()}@example.com`;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.post('/users.create', {
          username: `same-${i}-${unique()}`,
          email: i % 2 ? email.toUpperCase() : email,
          password: 'pw-12345',
          name: 'Same',
        }),
      ),
    );
    expect(results.filter((res) => res.status === 200)).toHaveLength(1);
    for (const res of results.filter((each) => each.status !== 200)) expectFieldUnavailable(res);
    expect(await t.db.collection('users').countDocuments({ 'emails.address': email })).toBe(1);
  });

  it('a user written without a reservation (a Rocket.Chat database) still blocks its name and address', async () => {
    const username = `legacy-${unique()}`;
    await t.db.collection<Json>('users').insertOne({
      _id: `legacy-${unique()}`,
      username,
      emails: [{ address: `${username}@example.com`, verified: true }],
      roles: ['user'],
      active: true,
    });
    expectFieldUnavailable(
      await t.post('/users.create', {
        username: username.toUpperCase(),
        email: `other-${unique()}@example.com`,
        password: 'pw-12345',
        name: 'x',
      }),
    );
    expectFieldUnavailable(
      await t.post('/users.create', {
        username: `other-${unique()}`,
        email: `${username}@EXAMPLE.com`,
        password: 'pw-12345',
        name: 'x',
      }),
    );
  });

  it('a reservation left by a create that crashed is freed when an instance starts', async () => {
    const username = `crashed-${unique()}`;
    // What a process killed between its reservation and its user insert leaves behind.
    await t.db
      .collection<Json>('users_identity_reservations')
      .insertOne({ _id: `username:${username}`, userId: 'never-inserted', state: 'pending' });
    const body = {
      username,
      email: `${username}@example.com`,
      password: 'pw-12345',
      name: 'x',
    };
    // A create cannot tell it from a create on its way: it does not take it.
    expectFieldUnavailable(await t.post('/users.create', body));
    // The crashed instance restarting (here: another one starting) frees it.
    const restarted = await TestApp.start({}, { sameDatabaseAs: t });
    try {
      expect((await restarted.post('/users.create', body)).status).toBe(200);
    } finally {
      await restarted.close();
    }
  });

  it('a reservation left by a delete that crashed is freed by the next create', async () => {
    const username = `deleted-${unique()}`;
    await t.db
      .collection<Json>('users_identity_reservations')
      .insertOne({ _id: `username:${username}`, userId: 'deleted-user', state: 'held' });
    const created = await t.post('/users.create', {
      username,
      email: `${username}@example.com`,
      password: 'pw-12345',
      name: 'x',
    });
    expect(created.status).toBe(200);
  });

  it('a deleted user frees its username and e-mail address', async () => {
    const user = await t.createUser();
    expect((await t.post('/users.delete', { userId: user.userId })).status).toBe(200);
    const again = await t.post('/users.create', {
      username: user.username.toUpperCase(),
      email: `${user.username}@example.com`,
      password: 'pw-12345',
      name: 'again',
    });
    expect(again.status).toBe(200);
  });
});

describe('users on two instances of one database', () => {
  const ADMIN = { username: 'users-admin', password: 'users-admin-secret' };
  let dataDir: string;
  let db: EmbeddedDb;
  let client: MongoClient;
  const services: ServiceProcess[] = [];
  let admins: Session[];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'departments-users-'));
    db = await startEmbeddedDb({ dataDir, log: () => undefined });
    const mongoUrl = `${db.url}users`;
    client = await MongoClient.connect(mongoUrl);
    // One at a time: the first creates the bootstrap admin.
    for (let i = 0; i < 2; i++) {
      services.push(
        await ServiceProcess.start({
          MONGO_URL: mongoUrl,
          ADMIN_USERNAME: ADMIN.username,
          ADMIN_PASS: ADMIN.password,
          LOG_LEVEL: 'warn',
        }),
      );
    }
    admins = await Promise.all(
      services.map((service) => service.login(ADMIN.username, ADMIN.password)),
    );
  }, 120_000);

  afterAll(async () => {
    for (const service of services) service.child.kill('SIGKILL');
    await Promise.all(services.map((service) => service.exited));
    await client?.close();
    await db?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('parallel logins on both instances: every token works on both, at once', async () => {
    const [a, b] = services;
    const username = `both-${unique()}`;
    const password = 'both-password-1';
    const created = await a.call('POST', '/users.create', admins[0], {
      username,
      email: `${username}@example.com`,
      password,
      name: username,
    });
    expect(created.status).toBe(200);
    const logins = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        (i % 2 ? b : a).call('POST', '/login', null, { user: username, password }),
      ),
    );
    expect(logins.map((res) => res.status)).toEqual(logins.map(() => 200));
    const sessions: Session[] = logins.map((res) => ({
      userId: res.body.data.userId,
      authToken: res.body.data.authToken,
    }));
    const checks = await Promise.all(
      sessions.flatMap((session) => [a, b].map((service) => service.call('GET', '/me', session))),
    );
    expect(checks.map((res) => res.status)).toEqual(checks.map(() => 200));
  });

  it('a user deactivated on one instance is refused there at once, and on the other within its cache time', async () => {
    const [a, b] = services;
    const username = `off-${unique()}`;
    const password = 'off-password-1';
    const created = await a.call('POST', '/users.create', admins[0], {
      username,
      email: `${username}@example.com`,
      password,
      name: username,
    });
    const session = await a.login(username, password);
    expect((await b.call('GET', '/me', session)).status).toBe(200);
    const off = await a.call('POST', '/users.setActiveStatus', admins[0], {
      userId: created.body.user._id,
      activeStatus: false,
    });
    expect(off.status).toBe(200);
    expect((await a.call('GET', '/me', session)).status).toBe(401);
    // API.md §3: at most 5 s across instances; the deadline leaves a busy machine room.
    const deadline = Date.now() + 30_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      status = (await b.call('GET', '/me', session)).status;
      if (status === 200) await sleep(200);
    }
    expect(status).toBe(401);
  });

  it.each([
    [
      'the same e-mail address',
      (i: number, id: string) => [`e${i}-${id}`, `dup-${id}@example.com`],
    ],
    [
      'usernames differing in case',
      (i: number, id: string) => [i ? `Case-${id}` : `case-${id}`, `case-${i}-${id}@example.com`],
    ],
    ['the same username', (i: number, id: string) => [`same-${id}`, `same-${i}-${id}@example.com`]],
  ])(
    `%s created on both instances at once: one 200, one 400 error-field-unavailable (${DUPLICATE_ROUNDS} rounds)`,
    async (_name, identity) => {
      for (let round = 0; round < DUPLICATE_ROUNDS; round++) {
        const id = unique();
        const results = await Promise.all(
          services.map((service, i) => {
            const [username, email] = identity(i, id);
            return service.call('POST', '/users.create', admins[i], {
              username,
              email,
              password: 'pw-12345',
              name: username,
            });
          }),
        );
        const statuses = results.map((res) => res.status).sort();
        expect({ round, statuses }).toEqual({ round, statuses: [200, 400] });
        expectFieldUnavailable(results.find((res) => res.status === 400) as Json);
        const winner = results.find((res) => res.status === 200)?.body.user;
        const stored = await client
          .db()
          .collection('users')
          .countDocuments({
            $or: [
              { username: { $regex: `^${winner.username}$`, $options: 'i' } },
              { 'emails.address': winner.emails[0].address },
            ],
          });
        expect(stored).toBe(1);
      }
    },
  );
});
