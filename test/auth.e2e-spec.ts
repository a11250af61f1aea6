// Authentication (API.md §1, §2): login / logout / me, token storage and checks, the 401
// and 404 envelopes, Cache-Control, rate limits and the bootstrap admin; and users.create (§3).
import { createHash, randomBytes } from 'node:crypto';
import { IncomingHttpHeaders, request as httpRequest } from 'node:http';
import bcrypt from 'bcryptjs';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';
import {
  ADMIN,
  ApiResponse,
  expectInvalidParams,
  FORBIDDEN_403,
  TestApp,
  TestUser,
  UNAUTHORIZED_401,
} from './support/test-app';

const METEOR_ID = /^[23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz]{17}$/;
const DAY_MS = 24 * 60 * 60 * 1000;

const LOGIN_FAILED_401 = {
  success: false,
  status: 'error',
  error: 'Unauthorized',
  message: 'Unauthorized',
};

const NOT_FOUND_404 = {
  success: false,
  error: 'API endpoint not found [error-not-found]',
  errorType: 'error-not-found',
};

const LOGGED_OUT = {
  status: 'success',
  data: { message: "You've been logged out!" },
  success: true,
};

interface UserDoc {
  _id: string;
  username: string;
  name?: string;
  active?: boolean;
  roles: string[];
  emails?: { address: string; verified: boolean }[];
  services?: {
    password?: { bcrypt?: string };
    resume?: { loginTokens?: { when: Date; hashedToken: string }[] };
  };
}

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');
const hashToken = (token: string) => createHash('sha256').update(token).digest('base64');
const unique = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}`;

function expectTooManyRequests(res: { status: number; body: unknown }, retryAfter: unknown) {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({
    success: false,
    error: expect.stringMatching(/\[error-too-many-requests\]$/),
    errorType: 'error-too-many-requests',
  });
  expect(String(retryAfter)).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(60);
}

function expectFieldUnavailable(res: ApiResponse) {
  expect(res.status).toBe(400);
  expect(res.body).toEqual({
    success: false,
    error: expect.stringMatching(/\[error-field-unavailable\]$/),
    errorType: 'error-field-unavailable',
  });
}

/**
 * POST /api/v1/login from a chosen loopback source address, so per-IP and per-user login
 * limits can be told apart (the server sees the socket's address as the client IP).
 */
function loginFrom(
  baseUrl: string,
  localAddress: string,
  body: unknown,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Record<string, unknown> }> {
  const url = new URL('/api/v1/login', baseUrl);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('authentication and users', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  const users = () => t.db.collection<UserDoc>('users');

  /** Creates a user through users.create (as admin) without logging it in. */
  async function createAccount(fields: Record<string, unknown> = {}) {
    const username = unique('acct');
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const email = `${username}@example.com`;
    const res = await t.post('/users.create', {
      username,
      email,
      password,
      name: `Name ${username}`,
      ...fields,
    });
    expect(res.status).toBe(200);
    return { _id: res.body.user._id as string, username, password, email };
  }

  describe('POST /login', () => {
    let account: Awaited<ReturnType<typeof createAccount>>;

    beforeAll(async () => {
      account = await createAccount();
    });

    const expectLoginSuccess = (res: ApiResponse) => {
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        status: 'success',
        data: {
          userId: account._id,
          authToken: expect.any(String),
          me: {
            _id: account._id,
            username: account.username,
            name: `Name ${account.username}`,
            active: true,
            roles: ['user'],
            emails: [{ address: account.email, verified: false }],
            email: account.email,
            status: expect.any(String),
          },
        },
        success: true,
      });
      expect((res.body.data as { authToken: string }).authToken.length).toBeGreaterThanOrEqual(32);
      const text = JSON.stringify(res.body);
      for (const secret of ['bcrypt', 'hashedToken', 'services'])
        expect(text).not.toContain(secret);
    };

    it('accepts the username as `user`', async () => {
      const res = await t.post(
        '/login',
        { user: account.username, password: account.password },
        { as: null },
      );
      expectLoginSuccess(res);
      expect(res.headers.get('cache-control')).toBe('no-store');
    });

    it('accepts the e-mail address as `user` (any case)', async () => {
      expectLoginSuccess(
        await t.post('/login', { user: account.email, password: account.password }, { as: null }),
      );
      expectLoginSuccess(
        await t.post(
          '/login',
          { user: account.email.toUpperCase(), password: account.password },
          { as: null },
        ),
      );
    });

    it('accepts `username` and `email`', async () => {
      expectLoginSuccess(
        await t.post(
          '/login',
          { username: account.username, password: account.password },
          { as: null },
        ),
      );
      expectLoginSuccess(
        await t.post('/login', { email: account.email, password: account.password }, { as: null }),
      );
    });

    it('accepts the password as a sha-256 digest', async () => {
      expectLoginSuccess(
        await t.post(
          '/login',
          {
            user: account.username,
            password: { digest: sha256Hex(account.password), algorithm: 'sha-256' },
          },
          { as: null },
        ),
      );
    });

    it('issues a new working token on every login', async () => {
      const a = await t.login(account.username, account.password);
      const b = await t.login(account.username, account.password);
      expect(a.authToken).not.toBe(b.authToken);
      expect((await t.get('/me', { as: a })).status).toBe(200);
      expect((await t.get('/me', { as: b })).status).toBe(200);
    });

    it('answers the same 401 for a wrong password and an unknown user', async () => {
      const wrong = await t.post(
        '/login',
        { user: account.username, password: 'not-the-password' },
        { as: null },
      );
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual(LOGIN_FAILED_401);
      expect(wrong.headers.get('cache-control')).toBe('no-store');

      const wrongDigest = await t.post(
        '/login',
        { user: account.username, password: { digest: sha256Hex('nope'), algorithm: 'sha-256' } },
        { as: null },
      );
      expect(wrongDigest.status).toBe(401);
      expect(wrongDigest.body).toEqual(LOGIN_FAILED_401);

      for (const body of [
        { user: unique('ghost'), password: account.password },
        { email: 'ghost@example.com', password: account.password },
      ]) {
        const res = await t.post('/login', body, { as: null });
        expect(res.status).toBe(401);
        expect(res.body).toEqual(LOGIN_FAILED_401);
      }
    });

    it('does not log in a deactivated user', async () => {
      const inactive = await createAccount({ active: false });
      for (const user of [inactive.username, inactive.email]) {
        const res = await t.post('/login', { user, password: inactive.password }, { as: null });
        expect(res.status).toBe(401);
        expect(res.body).toEqual(LOGIN_FAILED_401);
      }
      const doc = await users().findOne({ _id: inactive._id });
      expect(doc?.services?.resume?.loginTokens ?? []).toEqual([]);
    });

    describe('rejects bad bodies with 400 invalid-params', () => {
      const cases: [string, unknown, string][] = [
        ['no login field', { password: 'x' }, 'user'],
        ['missing password', { user: 'someone' }, 'password'],
        ['numeric password', { user: 'someone', password: 5 }, 'password'],
        ['empty password', { user: 'someone', password: '' }, 'password'],
        ['array password', { user: 'someone', password: ['x'] }, 'password'],
        [
          'digest not hex',
          { user: 'someone', password: { digest: 'abc', algorithm: 'sha-256' } },
          'password',
        ],
        [
          'digest with another algorithm',
          { user: 'someone', password: { digest: sha256Hex('x'), algorithm: 'md5' } },
          'password',
        ],
        ['unknown key', { user: 'someone', password: 'x', remember: true }, 'remember'],
        ['operator as user', { user: { $ne: null }, password: 'x' }, 'user'],
        ['operator as username', { username: { $gt: '' }, password: 'x' }, 'username'],
        ['empty user', { user: '', password: 'x' }, 'user'],
      ];
      it.each(cases)('%s', async (_name, body, fieldPath) => {
        const res = await t.post('/login', body, { as: null });
        expectInvalidParams(res, fieldPath);
        expect(res.headers.get('cache-control')).toBe('no-store');
      });

      it('malformed JSON', async () => {
        const res = await t.request('POST', '/login', { rawBody: '{"user": ', as: null });
        expect(res.status).toBe(400);
        expect(res.body).toEqual({
          success: false,
          error: 'The request body is not valid JSON [invalid-params]',
          errorType: 'invalid-params',
        });
      });
    });
  });

  describe('stored credentials', () => {
    it('stores only base64(sha256(token)) and bcrypt(sha256_hex(password))', async () => {
      const user = await t.createUser();
      const second = await t.login(user.username, user.password);
      const doc = await users().findOne({ _id: user.userId });
      expect(doc).not.toBeNull();

      const tokens = doc?.services?.resume?.loginTokens ?? [];
      expect(tokens).toHaveLength(2);
      for (const token of tokens) {
        expect(Object.keys(token).sort()).toEqual(['hashedToken', 'when']);
        expect(token.when).toBeInstanceOf(Date);
        expect(Date.now() - token.when.getTime()).toBeLessThan(60_000);
      }
      expect(tokens.map((token) => token.hashedToken).sort()).toEqual(
        [hashToken(user.authToken), hashToken(second.authToken)].sort(),
      );

      // Neither the plain tokens nor the plain password appear anywhere in the document.
      const text = JSON.stringify(doc);
      for (const secret of [user.authToken, second.authToken, user.password]) {
        expect(text).not.toContain(secret);
      }

      const stored = doc?.services?.password?.bcrypt ?? '';
      expect(stored).toMatch(/^\$2[aby]\$\d{2}\$/);
      expect(await bcrypt.compare(sha256Hex(user.password), stored)).toBe(true);
      expect(await bcrypt.compare(user.password, stored)).toBe(false);
    });
  });

  describe('GET /me', () => {
    it('returns the public profile and never any secret', async () => {
      const user = await t.createUser();
      const res = await t.get('/me', { as: user });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        _id: user.userId,
        username: user.username,
        name: user.username,
        active: true,
        roles: ['user'],
        emails: [{ address: `${user.username}@example.com`, verified: false }],
        email: `${user.username}@example.com`,
        status: expect.any(String),
        success: true,
      });
      const text = JSON.stringify(res.body);
      for (const secret of ['bcrypt', 'hashedToken', 'services', user.authToken]) {
        expect(text).not.toContain(secret);
      }
      expect(res.headers.get('cache-control')).toBe('no-store');
    });

    it('is what login returned as `me`', async () => {
      const user = await t.createUser();
      const login = await t.post(
        '/login',
        { user: user.username, password: user.password },
        { as: null },
      );
      const me = await t.get('/me', { as: user });
      const { success, ...profile } = me.body;
      expect(success).toBe(true);
      expect(login.body.data.me).toEqual(profile);
    });

    it('includes statusLivechat for an agent', async () => {
      const agent = await t.createAgent({ available: true });
      const res = await t.get('/me', { as: agent });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        _id: agent.userId,
        roles: expect.arrayContaining(['livechat-agent']),
        statusLivechat: 'available',
      });
      expect(JSON.stringify(res.body)).not.toContain('services');
    });

    it('the bootstrap admin holds role admin', async () => {
      const res = await t.get('/me');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ username: ADMIN.username, roles: ['admin'], active: true });
    });
  });

  describe('401 for missing or bad credentials', () => {
    let user: TestUser;
    let other: TestUser;

    beforeAll(async () => {
      user = await t.createUser();
      other = await t.createUser();
    });

    const expect401 = (res: ApiResponse) => {
      expect(res.status).toBe(401);
      expect(res.body).toEqual(UNAUTHORIZED_401);
      expect(res.headers.get('cache-control')).toBe('no-store');
    };

    it('no headers', async () => {
      expect401(await t.get('/me', { as: null }));
      expect401(await t.post('/logout', undefined, { as: null }));
      expect401(await t.get('/livechat/department', { as: null }));
    });

    it('only one of the two headers', async () => {
      expect401(await t.get('/me', { as: null, headers: { 'x-user-id': user.userId } }));
      expect401(await t.get('/me', { as: null, headers: { 'x-auth-token': user.authToken } }));
    });

    it('empty headers', async () => {
      expect401(await t.get('/me', { as: null, headers: { 'x-user-id': '', 'x-auth-token': '' } }));
      expect401(await t.get('/me', { as: { userId: user.userId, authToken: '' } }));
    });

    it('a wrong token', async () => {
      expect401(await t.get('/me', { as: { userId: user.userId, authToken: 'nope' } }));
      expect401(
        await t.get('/me', { as: { userId: user.userId, authToken: `${user.authToken}x` } }),
      );
      // The stored hash itself is not a token.
      expect401(
        await t.get('/me', { as: { userId: user.userId, authToken: hashToken(user.authToken) } }),
      );
    });

    it('an unknown user id', async () => {
      expect401(await t.get('/me', { as: { userId: 'nobody', authToken: user.authToken } }));
    });

    it("another user's token with this user's id", async () => {
      expect401(await t.get('/me', { as: { userId: user.userId, authToken: other.authToken } }));
      expect401(await t.get('/me', { as: { userId: other.userId, authToken: user.authToken } }));
      // Both sessions still work on their own.
      expect((await t.get('/me', { as: user })).status).toBe(200);
      expect((await t.get('/me', { as: other })).status).toBe(200);
    });

    it('checks authentication before validating the body', async () => {
      expect401(await t.post('/users.create', { bogus: 1 }, { as: null }));
      expect401(await t.post('/permissions.update', {}, { as: null }));
    });

    it('accepts the headers in any letter case', async () => {
      const res = await t.get('/me', {
        as: null,
        headers: { 'X-USER-ID': user.userId, 'x-auth-token': user.authToken },
      });
      expect(res.status).toBe(200);
      expect(res.body._id).toBe(user.userId);
      const mixed = await t.get('/me', {
        as: null,
        headers: { 'X-User-Id': user.userId, 'X-AUTH-TOKEN': user.authToken },
      });
      expect(mixed.status).toBe(200);
    });

    it('a token after logout; other sessions of the user keep working', async () => {
      const account = await t.createUser();
      const second = await t.login(account.username, account.password);
      expect((await t.get('/me', { as: account })).status).toBe(200);

      const res = await t.post('/logout', undefined, { as: account });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(LOGGED_OUT);
      expect(res.headers.get('cache-control')).toBe('no-store');

      expect401(await t.get('/me', { as: account }));
      expect401(await t.post('/logout', undefined, { as: account }));
      expect((await t.get('/me', { as: second })).status).toBe(200);

      const doc = await users().findOne({ _id: account.userId });
      expect(doc?.services?.resume?.loginTokens?.map((token) => token.hashedToken)).toEqual([
        hashToken(second.authToken),
      ]);
    });

    it('a token older than the login expiration (90 days)', async () => {
      // A fresh account whose credentials the server has never read (nothing cached).
      const account = await createAccount();
      const expired = randomBytes(32).toString('base64url');
      const fresh = randomBytes(32).toString('base64url');
      await users().updateOne(
        { _id: account._id },
        {
          $push: {
            'services.resume.loginTokens': {
              $each: [
                { when: new Date(Date.now() - 91 * DAY_MS), hashedToken: hashToken(expired) },
                { when: new Date(Date.now() - 89 * DAY_MS), hashedToken: hashToken(fresh) },
              ],
            },
          },
        },
      );
      expect401(await t.get('/me', { as: { userId: account._id, authToken: expired } }));
      const ok = await t.get('/me', { as: { userId: account._id, authToken: fresh } });
      expect(ok.status).toBe(200);
      expect(ok.body._id).toBe(account._id);
    });

    it('the token of a user deactivated since login', async () => {
      // Logged in, but no authenticated request yet: nothing cached by the server.
      const account = await t.createUser();
      await users().updateOne({ _id: account.userId }, { $set: { active: false } });
      expect401(await t.get('/me', { as: account }));
      const login = await t.post(
        '/login',
        { user: account.username, password: account.password },
        { as: null },
      );
      expect(login.status).toBe(401);
      expect(login.body).toEqual(LOGIN_FAILED_401);
    });
  });

  describe('unknown routes', () => {
    it.each([
      ['GET', '/nope'],
      ['POST', '/livechat/nope'],
      ['GET', '/livechat/department/x/y/z'],
      ['DELETE', '/me'],
      ['GET', '!/nope'],
    ])('%s %s → 404', async (method, path) => {
      for (const as of [undefined, null]) {
        const res = await t.request(method, path, { as });
        expect(res.status).toBe(404);
        expect(res.body).toEqual(NOT_FOUND_404);
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
    });
  });

  describe('Cache-Control: no-store', () => {
    it('is on success and error answers alike', async () => {
      const plain = await t.createUser();
      const responses = [
        await t.get('/me'),
        await t.get('/livechat/department'),
        await t.get('/livechat/department', { as: plain }), // 403
        await t.post('/users.create', {}), // 400
        await t.get('/me', { as: null }), // 401
        await t.request('GET', '!/api/info', { as: null }),
      ];
      expect(responses.map((res) => res.status)).toEqual([200, 200, 403, 400, 401, 200]);
      for (const res of responses) expect(res.headers.get('cache-control')).toBe('no-store');
    });
  });

  describe('bootstrap admin', () => {
    it('exists once with roles ["admin"], and a restart neither duplicates nor changes it', async () => {
      const before = await users().find({ username: ADMIN.username }).toArray();
      expect(before).toHaveLength(1);
      expect(before[0].roles).toEqual(['admin']);
      expect(before[0].active).not.toBe(false);

      const base = process.env.TEST_MONGO_URL;
      if (!base) throw new Error('TEST_MONGO_URL is not set');
      const url = new URL(base);
      url.pathname = `/${t.db.databaseName}`;
      const second = await createApp(
        loadConfig({
          MONGO_URL: url.toString(),
          ADMIN_USERNAME: ADMIN.username,
          ADMIN_PASS: 'another-password',
          LOG_LEVEL: 'silent',
        }),
      );
      try {
        await second.init();
      } finally {
        await second.close();
      }

      const after = await users().find({ username: ADMIN.username }).toArray();
      expect(after).toHaveLength(1);
      expect(after[0]._id).toBe(before[0]._id);
      expect(after[0].services?.password?.bcrypt).toBe(before[0].services?.password?.bcrypt);
      // The original password still works; the new ADMIN_PASS did not overwrite it.
      const login = await t.post(
        '/login',
        { user: ADMIN.username, password: ADMIN.password },
        { as: null },
      );
      expect(login.status).toBe(200);
    });
  });

  describe('POST /users.create', () => {
    it('creates a user with default role "user"', async () => {
      const username = unique('new');
      const res = await t.post('/users.create', {
        username,
        email: `${username}@example.com`,
        password: 'secret-1',
        name: 'New Person',
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        user: {
          _id: expect.stringMatching(METEOR_ID),
          username,
          name: 'New Person',
          emails: [{ address: `${username}@example.com`, verified: false }],
          roles: ['user'],
          active: true,
        },
        success: true,
      });
      expect(JSON.stringify(res.body)).not.toContain('services');
      const doc = await users().findOne({ _id: res.body.user._id });
      expect(typeof doc?._id).toBe('string');
      expect(doc).toMatchObject({ username, roles: ['user'], active: true });
      const session = await t.login(username, 'secret-1');
      expect(session.userId).toBe(res.body.user._id);
    });

    it('stores the given roles and active flag', async () => {
      const username = unique('roles');
      const res = await t.post('/users.create', {
        username,
        email: `${username}@example.com`,
        password: 'secret-1',
        name: 'Roles',
        roles: ['livechat-agent', 'livechat-manager'],
        active: false,
      });
      expect(res.status).toBe(200);
      expect(res.body.user).toMatchObject({
        roles: ['livechat-agent', 'livechat-manager'],
        active: false,
      });
      expect(await users().findOne({ _id: res.body.user._id })).toMatchObject({
        roles: ['livechat-agent', 'livechat-manager'],
        active: false,
      });
    });

    it('rejects a taken username or e-mail (any case) with error-field-unavailable', async () => {
      const existing = await createAccount();
      const count = await users().countDocuments();

      expectFieldUnavailable(
        await t.post('/users.create', {
          username: existing.username,
          email: `${unique('x')}@example.com`,
          password: 'secret-1',
          name: 'Dup',
        }),
      );
      expectFieldUnavailable(
        await t.post('/users.create', {
          username: unique('other'),
          email: existing.email,
          password: 'secret-1',
          name: 'Dup',
        }),
      );
      expectFieldUnavailable(
        await t.post('/users.create', {
          username: existing.username.toUpperCase(),
          email: `${unique('x')}@example.com`,
          password: 'secret-1',
          name: 'Dup',
        }),
      );
      expectFieldUnavailable(
        await t.post('/users.create', {
          username: unique('other'),
          email: existing.email.toUpperCase(),
          password: 'secret-1',
          name: 'Dup',
        }),
      );
      expectFieldUnavailable(
        await t.post('/users.create', {
          username: unique('other'),
          email: `${ADMIN.username}@localhost`, // the bootstrap admin's default address
          password: 'secret-1',
          name: 'Dup',
        }),
      );
      expect(await users().countDocuments()).toBe(count);
    });

    it('20 parallel creates with one username make exactly one user', async () => {
      const username = unique('race');
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          t.post('/users.create', {
            username,
            email: `${username}-${i}@example.com`,
            password: 'secret-1',
            name: 'Race',
          }),
        ),
      );
      expect(results.filter((res) => res.status === 200)).toHaveLength(1);
      for (const res of results.filter((r) => r.status !== 200)) expectFieldUnavailable(res);
      expect(await users().countDocuments({ username })).toBe(1);
    });

    it('20 parallel creates with one e-mail make exactly one user', async () => {
      const email = `${unique('race-mail')}@example.com`;
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          t.post('/users.create', {
            username: unique(`race-${i}`),
            email: i % 2 ? email.toUpperCase() : email,
            password: 'secret-1',
            name: 'Race',
          }),
        ),
      );
      expect(results.filter((res) => res.status === 200)).toHaveLength(1);
      for (const res of results.filter((r) => r.status !== 200)) expectFieldUnavailable(res);
      expect(await users().countDocuments({ 'emails.address': email })).toBe(1);
    });

    describe('rejects bad input with 400 invalid-params and writes nothing', () => {
      const valid = () => ({
        username: unique('valid'),
        email: `${unique('valid')}@example.com`,
        password: 'secret-1',
        name: 'Valid',
      });
      const without = (key: string) => {
        const body: Record<string, unknown> = valid();
        delete body[key];
        return body;
      };
      const cases: [string, () => unknown, string][] = [
        ['bad username chars', () => ({ ...valid(), username: 'bad name!' }), 'username'],
        ['username with a slash', () => ({ ...valid(), username: 'a/b' }), 'username'],
        ['empty username', () => ({ ...valid(), username: '' }), 'username'],
        ['operator username', () => ({ ...valid(), username: { $ne: null } }), 'username'],
        ['missing username', () => without('username'), 'username'],
        ['bad email', () => ({ ...valid(), email: 'not-an-email' }), 'email'],
        ['numeric email', () => ({ ...valid(), email: 5 }), 'email'],
        ['missing email', () => without('email'), 'email'],
        ['missing password', () => without('password'), 'password'],
        ['empty password', () => ({ ...valid(), password: '' }), 'password'],
        ['numeric password', () => ({ ...valid(), password: 123456 }), 'password'],
        ['missing name', () => without('name'), 'name'],
        ['unknown role', () => ({ ...valid(), roles: ['superuser'] }), 'roles'],
        ['roles not an array', () => ({ ...valid(), roles: 'admin' }), 'roles'],
        ['active not a boolean', () => ({ ...valid(), active: 'yes' }), 'active'],
        ['unknown key', () => ({ ...valid(), verified: true }), 'verified'],
        ['services key', () => ({ ...valid(), services: { password: {} } }), 'services'],
      ];
      it.each(cases)('%s', async (_name, body, fieldPath) => {
        const count = await users().countDocuments();
        expectInvalidParams(await t.post('/users.create', body()), fieldPath);
        expect(await users().countDocuments()).toBe(count);
      });
    });

    it('is forbidden without create-user, before validation (Rocket.Chat order)', async () => {
      const count = await users().countDocuments();
      for (const roles of [['user'], ['livechat-manager'], ['livechat-agent']]) {
        const caller = await t.createUser({ roles });
        const before = await users().countDocuments();
        const username = unique('forbidden');
        const res = await t.post(
          '/users.create',
          { username, email: `${username}@example.com`, password: 'secret-1', name: 'F' },
          { as: caller },
        );
        expect(res.status).toBe(403);
        expect(res.body).toEqual(FORBIDDEN_403);
        expect(await users().countDocuments()).toBe(before);

        const invalid = await t.post('/users.create', { username: 'bad name!' }, { as: caller });
        expect(invalid.status).toBe(403);
        expect(invalid.body).toEqual(FORBIDDEN_403);
      }
      expect(await users().countDocuments()).toBe(count + 3);
    });

    it('needs authentication', async () => {
      const username = unique('anon');
      const res = await t.post(
        '/users.create',
        { username, email: `${username}@example.com`, password: 'secret-1', name: 'A' },
        { as: null },
      );
      expect(res.status).toBe(401);
      expect(res.body).toEqual(UNAUTHORIZED_401);
      expect(await users().countDocuments({ username })).toBe(0);
    });
  });
});

describe('failed-login limits (Block_Multiple_Failed_Logins_* settings)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start();
    // Small numbers, so the tests stay short; one-minute blocks keep Retry-After within 60 s.
    for (const [id, value] of Object.entries({
      Block_Multiple_Failed_Logins_Attempts_Until_Block_by_User: 3,
      Block_Multiple_Failed_Logins_Time_To_Unblock_By_User_In_Minutes: 1,
      Block_Multiple_Failed_Logins_Attempts_Until_Block_By_Ip: 6,
      Block_Multiple_Failed_Logins_Time_To_Unblock_By_Ip_In_Minutes: 1,
    })) {
      expect((await t.post(`/settings/${id}`, { value })).status).toBe(200);
    }
  });
  afterAll(() => t.close());

  /** A user created through the API, not logged in. */
  async function account() {
    const username = unique('limited');
    const email = `${username}@example.com`;
    const res = await t.post('/users.create', {
      username,
      email,
      password: 'secret-1',
      name: 'Limited',
    });
    expect(res.status).toBe(200);
    return { username, email, password: 'secret-1' };
  }

  it('a lock-out attempt from one address does not keep the owner out from another', async () => {
    const user = await account();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await loginFrom(t.baseUrl, '127.0.0.2', { user: user.username, password: 'x' });
      statuses.push(res.status);
      if (res.status === 429) expectTooManyRequests(res, res.headers['retry-after']);
    }
    expect(statuses).toEqual([401, 401, 401, ...Array(9).fill(429)]);
    // That address is blocked for this account, even with the right password…
    const blocked = await loginFrom(t.baseUrl, '127.0.0.2', {
      user: user.username,
      password: user.password,
    });
    expectTooManyRequests(blocked, blocked.headers['retry-after']);
    expect(blocked.headers['cache-control']).toBe('no-store');
    // …but the owner, from an address that has not failed, gets in.
    const owner = await loginFrom(t.baseUrl, '127.0.0.3', {
      user: user.username,
      password: user.password,
    });
    expect(owner.status).toBe(200);
  });

  it("counts only failures, and a success clears its address's count", async () => {
    const user = await account();
    const ip = '127.0.0.4';
    for (let i = 0; i < 5; i++) {
      expect(
        (await loginFrom(t.baseUrl, ip, { user: user.username, password: user.password })).status,
      ).toBe(200);
    }
    // Two rounds: 4 failures in all, over the per-account-and-address count (3), under the
    // per-address one (6, which a success does not clear).
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2; i++) {
        expect(
          (await loginFrom(t.baseUrl, ip, { user: user.username, password: 'x' })).status,
        ).toBe(401);
      }
      const ok = await loginFrom(t.baseUrl, ip, { user: user.username, password: user.password });
      expect(ok.status).toBe(200);
    }
  });

  it('username, e-mail address and letter case share one count', async () => {
    const user = await account();
    const ip = '127.0.0.5';
    for (const body of [
      { user: user.username, password: 'wrong' },
      { email: user.email, password: 'wrong' },
      { user: user.email.toUpperCase(), password: 'wrong' },
    ]) {
      const res = await loginFrom(t.baseUrl, ip, body);
      expect(res.status).toBe(401);
      expect(res.body).toEqual(LOGIN_FAILED_401);
    }
    const res = await loginFrom(t.baseUrl, ip, {
      username: user.username,
      password: user.password,
    });
    expectTooManyRequests(res, res.headers['retry-after']);
  });

  it('blocks an address that fails for many accounts (By_Ip), not the accounts', async () => {
    const ip = '127.0.0.6';
    for (let i = 0; i < 6; i++) {
      const res = await loginFrom(t.baseUrl, ip, { user: unique('ghost'), password: 'x' });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(LOGIN_FAILED_401);
    }
    const user = await account();
    const res = await loginFrom(t.baseUrl, ip, { user: user.username, password: user.password });
    expectTooManyRequests(res, res.headers['retry-after']);
    const ok = await loginFrom(t.baseUrl, '127.0.0.7', {
      user: user.username,
      password: user.password,
    });
    expect(ok.status).toBe(200);
  });

  it('slows a guess spread over many addresses: one try per new address once the account cap is hit', async () => {
    const user = await account();
    // The account cap is ten times the per-address count: 30 failures, from 30 addresses.
    for (let i = 1; i <= 30; i++) {
      const res = await loginFrom(t.baseUrl, `127.0.1.${i}`, {
        user: user.username,
        password: 'x',
      });
      expect(res.status).toBe(401);
    }
    // Addresses that have failed are now blocked for this account, right password or not…
    const again = await loginFrom(t.baseUrl, '127.0.1.1', {
      user: user.username,
      password: user.password,
    });
    expectTooManyRequests(again, again.headers['retry-after']);
    // …a new address gets one try: a wrong guess, and it is blocked too…
    expect(
      (await loginFrom(t.baseUrl, '127.0.1.100', { user: user.username, password: 'y' })).status,
    ).toBe(401);
    const next = await loginFrom(t.baseUrl, '127.0.1.100', {
      user: user.username,
      password: user.password,
    });
    expectTooManyRequests(next, next.headers['retry-after']);
    // …while the owner, from an address that has not failed, gets in.
    expect(
      (await loginFrom(t.baseUrl, '127.0.1.200', { user: user.username, password: user.password }))
        .status,
    ).toBe(200);
  });

  it('can be switched off (Block_Multiple_Failed_Logins_Enabled)', async () => {
    const user = await account();
    expect(
      (await t.post('/settings/Block_Multiple_Failed_Logins_Enabled', { value: false })).status,
    ).toBe(200);
    try {
      for (let i = 0; i < 8; i++) {
        expect(
          (await loginFrom(t.baseUrl, '127.0.0.8', { user: user.username, password: 'x' })).status,
        ).toBe(401);
      }
      expect(
        (await loginFrom(t.baseUrl, '127.0.0.8', { user: user.username, password: user.password }))
          .status,
      ).toBe(200);
    } finally {
      await t.post('/settings/Block_Multiple_Failed_Logins_Enabled', { value: true });
    }
  });

  it('validates the settings', async () => {
    for (const [id, value] of [
      ['Block_Multiple_Failed_Logins_Attempts_Until_Block_by_User', 0],
      ['Block_Multiple_Failed_Logins_Time_To_Unblock_By_Ip_In_Minutes', 1.5],
      ['Block_Multiple_Failed_Logins_By_Ip', 'yes'],
      ['Accounts_LoginExpiration', 0],
    ] as const) {
      const res = await t.post(`/settings/${id}`, { value });
      expect(res.status).toBe(400);
      expect(res.body.errorType).toBe('invalid-params');
    }
  });
});

describe('login flood guard per address (RATE_LIMIT_LOGIN_PER_MINUTE=3)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start({ RATE_LIMIT_LOGIN_PER_MINUTE: '3' });
  });
  afterAll(() => t.close());

  it('counts every login request of an address, and only that address', async () => {
    const user = await t.createUser();
    const ip = '127.0.0.21';
    for (let i = 0; i < 3; i++) {
      expect(
        (await loginFrom(t.baseUrl, ip, { user: user.username, password: user.password })).status,
      ).toBe(200);
    }
    const res = await loginFrom(t.baseUrl, ip, { user: user.username, password: user.password });
    expectTooManyRequests(res, res.headers['retry-after']);
    const ok = await loginFrom(t.baseUrl, '127.0.0.22', {
      user: user.username,
      password: user.password,
    });
    expect(ok.status).toBe(200);
  });
});

describe('login tokens: expiry (Accounts_LoginExpiration) and pruning (MAX_LOGIN_TOKENS_PER_USER=3)', () => {
  let t: TestApp;
  const users = () => t.db.collection<UserDoc>('users');

  beforeAll(async () => {
    t = await TestApp.start({ LOGIN_EXPIRATION_DAYS: '30', MAX_LOGIN_TOKENS_PER_USER: '3' });
  });
  afterAll(() => t.close());

  const storedHashes = async (userId: string) =>
    ((await users().findOne({ _id: userId }))?.services?.resume?.loginTokens ?? []).map(
      (token) => token.hashedToken,
    );

  it("LOGIN_EXPIRATION_DAYS is the setting's initial value", async () => {
    const res = await t.get('/settings/Accounts_LoginExpiration');
    expect(res.status).toBe(200);
    expect(res.body.value).toBe(30);
  });

  it('keeps the newest tokens of a user, up to the cap; older ones stop working', async () => {
    const user = await t.createUser();
    const sessions = [user];
    for (let i = 0; i < 4; i++)
      sessions.push({ ...user, ...(await t.login(user.username, user.password)) });
    const newest = sessions.slice(-3);
    expect((await storedHashes(user.userId)).sort()).toEqual(
      newest.map((session) => hashToken(session.authToken)).sort(),
    );
    for (const session of sessions.slice(0, 2)) {
      expect((await t.get('/me', { as: session })).status).toBe(401);
    }
    for (const session of newest) expect((await t.get('/me', { as: session })).status).toBe(200);
  });

  it('prunes expired tokens at login, and follows the setting', async () => {
    const user = await t.createUser();
    const days = (n: number) => new Date(Date.now() - n * DAY_MS);
    const aged = { token: randomBytes(32).toString('base64url'), age: 45 };
    const expired = { token: randomBytes(32).toString('base64url'), age: 400 };
    await users().updateOne(
      { _id: user.userId },
      {
        $push: {
          'services.resume.loginTokens': {
            $each: [
              { when: days(expired.age), hashedToken: hashToken(expired.token) },
              { when: days(aged.age), hashedToken: hashToken(aged.token) },
            ],
          },
        },
      },
    );
    // 45 days old, with a 30-day expiration: refused.
    expect(
      (await t.get('/me', { as: { userId: user.userId, authToken: aged.token } })).status,
    ).toBe(401);
    // With 60 days (the setting overrides the environment), it is valid again.
    expect((await t.post('/settings/Accounts_LoginExpiration', { value: 60 })).status).toBe(200);
    try {
      await new Promise((resolve) => setTimeout(resolve, 5_100)); // the credentials cache
      expect(
        (await t.get('/me', { as: { userId: user.userId, authToken: aged.token } })).status,
      ).toBe(200);
      // A login prunes what has expired (400 days), and keeps the rest.
      const session = await t.login(user.username, user.password);
      const stored = await storedHashes(user.userId);
      expect(stored).not.toContain(hashToken(expired.token));
      expect(stored).toEqual(
        expect.arrayContaining([hashToken(aged.token), hashToken(session.authToken)]),
      );
    } finally {
      await t.post('/settings/Accounts_LoginExpiration', { value: 30 });
    }
  });
});

describe('request rate limit per user (RATE_LIMIT_PER_MINUTE=5)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start({ RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(() => t.close());

  it('answers the 6th request of a user within a minute with 429', async () => {
    const user = await t.createUser();
    for (let i = 0; i < 5; i++) expect((await t.get('/me', { as: user })).status).toBe(200);
    const res = await t.get('/me', { as: user });
    expectTooManyRequests(res, res.headers.get('retry-after'));
    expect(res.headers.get('cache-control')).toBe('no-store');

    // Authentication comes first: a bad token is still a 401, not a 429.
    const bad = await t.get('/me', { as: { userId: user.userId, authToken: 'nope' } });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual(UNAUTHORIZED_401);

    // Other users have their own budget.
    const me = await t.get('/me');
    expect(me.status).toBe(200);
  });
});
