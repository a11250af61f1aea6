// Security (API.md §1, §2, §4.1, §9, §10): mass assignment of server-managed fields, MongoDB
// operator injection through query strings, path parameters and bodies, token handling
// (another user's token, expiry, deactivation, header spelling, duplicates, tokens outside the
// headers), body and agent limits, deep nesting, security headers and non-JSON bodies.
import { createHash, randomBytes } from 'node:crypto';
import { IncomingHttpHeaders, OutgoingHttpHeaders, request as httpRequest } from 'node:http';
import {
  ApiResponse,
  expectInvalidParams,
  FORBIDDEN_403,
  Session,
  TestApp,
  TestUser,
  UNAUTHORIZED_401,
} from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- documents are checked field by field
type Json = any;

const DAY_MS = 24 * 60 * 60 * 1000;

const validDepartment = () => ({
  name: `sec-${randomBytes(4).toString('hex')}`,
  email: 'sec@example.com',
  enabled: true,
  showOnRegistration: true,
  showOnOfflineForm: true,
});

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  body: Json;
}

/**
 * A request through node:http, which sends header names in the given letter case and
 * repeated headers as separate lines. A fresh connection each time (`agent: false`), as
 * some answers close theirs.
 */
function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: OutgoingHttpHeaders,
  body?: string | Buffer,
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path, method, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Json = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: asserted by the caller
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
        });
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Any 4xx in the 400-style envelope: `success: false`, `errorType`, `error` ending in it. */
function expectEnvelope4xx(res: { status: number; body: Json }, status?: number): void {
  if (status !== undefined) expect(res.status).toBe(status);
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(res.body).toEqual({
    success: false,
    error: expect.any(String),
    errorType: expect.any(String),
  });
  expect(res.body.error.endsWith(` [${res.body.errorType}]`)).toBe(true);
}

describe('security', () => {
  let t: TestApp;
  let agent: TestUser;
  let plain: TestUser;

  beforeAll(async () => {
    t = await TestApp.start();
    agent = await t.createAgent();
    plain = await t.createUser();
  });
  afterAll(() => t.close());

  const departments = () => t.db.collection<Json>('rocketchat_livechat_department');
  const users = () => t.db.collection<Json>('users');

  /** All five collections as JSON text, to show that a request wrote nothing. */
  async function dbState(): Promise<string> {
    const names = [
      'rocketchat_livechat_department',
      'rocketchat_livechat_department_agents',
      'users',
      'rocketchat_permissions',
      'rocketchat_settings',
    ];
    const all = await Promise.all(
      names.map((name) => t.db.collection(name).find({}).sort({ _id: 1 }).toArray()),
    );
    return JSON.stringify(all);
  }

  describe('mass assignment of server-managed fields (API.md §4.1, §10)', () => {
    const managed: [string, unknown][] = [
      ['_id', 'chosenByClient1234'],
      ['numAgents', 99],
      ['archived', true],
      ['_updatedAt', '2000-01-01T00:00:00.000Z'],
    ];

    it.each(managed)(
      'POST /livechat/department with department.%s → 400, nothing written',
      async (field, value) => {
        const before = await dbState();
        const res = await t.post('/livechat/department', {
          department: { ...validDepartment(), [field]: value },
        });
        expectInvalidParams(res, `department.${field}`);
        expect(await dbState()).toBe(before);
      },
    );

    it.each(managed)(
      'PUT /livechat/department/:_id with department.%s → 400, department unchanged',
      async (field, value) => {
        const created = await t.createDepartment();
        const id = created.department._id;
        const before = await dbState();
        const res = await t.put(`/livechat/department/${id}`, {
          department: { ...validDepartment(), [field]: value },
        });
        expectInvalidParams(res, `department.${field}`);
        expect(await dbState()).toBe(before);
      },
    );

    it('un-archiving through PUT (archived: false) is refused and the department stays archived', async () => {
      const created = await t.createDepartment();
      const id = created.department._id;
      expect((await t.post(`/livechat/department/${id}/archive`)).status).toBe(200);
      const res = await t.put(`/livechat/department/${id}`, {
        department: { ...validDepartment(), enabled: false, archived: false },
      });
      expectInvalidParams(res, 'department.archived');
      expect(await departments().findOne({ _id: id })).toMatchObject({ archived: true });
    });

    it('server-managed fields of agent assignments (_id, departmentId, departmentEnabled) cannot be set', async () => {
      // Rocket.Chat's form echoes them back from what it read: accepted, and ignored.
      const res = await t.post('/livechat/department', {
        department: validDepartment(),
        agents: [{ agentId: agent.userId, _id: 'x', departmentId: 'x', departmentEnabled: false }],
      });
      expect(res.status).toBe(200);
      const stored = await t.db
        .collection('rocketchat_livechat_department_agents')
        .findOne({ departmentId: res.body.department._id });
      expect(stored).toMatchObject({ agentId: agent.userId, departmentEnabled: true });
      expect(stored?._id).not.toBe('x');
      expect(
        await t.db.collection('rocketchat_livechat_department_agents').countDocuments({
          $or: [{ _id: 'x' as never }, { departmentId: 'x' }],
        }),
      ).toBe(0);
    });

    it('keys named like Object.prototype members are rejected, not silently dropped (API.md §1: unknown keys → 400)', async () => {
      const keys = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];
      const accepted: string[] = [];
      for (const key of keys) {
        const nested = await t.request('POST', '/livechat/department', {
          rawBody: `{"department":${JSON.stringify(validDepartment()).slice(0, -1)},"${key}":"x"}}`,
        });
        if (nested.status !== 400 || nested.body.errorType !== 'invalid-params')
          accepted.push(`department.${key} → ${nested.status}`);
        const top = await t.request('POST', '/livechat/department', {
          rawBody: `{"department":${JSON.stringify(validDepartment())},"${key}":1}`,
        });
        if (top.status !== 400 || top.body.errorType !== 'invalid-params')
          accepted.push(`${key} → ${top.status}`);
      }
      expect(accepted).toEqual([]);
    });

    it('null clears a typed optional field and is never stored (API.md §4.1)', async () => {
      const fields = [
        'description',
        'requestTagBeforeClosingChat',
        'chatClosingTags',
        'fallbackForwardDepartment',
        'departmentsAllowedToForward',
        'allowReceiveForwardOffline',
        'offlineMessageChannelName',
        'maxNumberSimultaneousChat',
      ];
      const stored: string[] = [];
      for (const field of fields) {
        const res = await t.post('/livechat/department', {
          department: { ...validDepartment(), [field]: null },
        });
        expect(res.status).toBe(200);
        const doc = await t.db
          .collection('rocketchat_livechat_department')
          .findOne({ _id: res.body.department._id });
        if (doc === null || field in doc) stored.push(field);
      }
      expect(stored).toEqual([]);
    });

    describe('POST /users.create', () => {
      const base = () => {
        const username = `mass-${randomBytes(4).toString('hex')}`;
        return { username, email: `${username}@example.com`, password: 'pw-1', name: username };
      };

      it.each([
        ['services', { password: { bcrypt: '$2b$10$known' } }],
        ['_id', 'chosenByClient1234'],
        ['createdAt', '2000-01-01T00:00:00.000Z'],
        ['_updatedAt', '2000-01-01T00:00:00.000Z'],
        ['type', 'bot'],
        ['emails', [{ address: 'other@example.com', verified: true }]],
        ['status', 'online'],
        ['statusLivechat', 'available'],
      ])('%s → 400 invalid-params, nothing written', async (field, value) => {
        const before = await dbState();
        const res = await t.post('/users.create', { ...base(), [field]: value });
        expectInvalidParams(res, field);
        expect(await dbState()).toBe(before);
      });

      it('roles outside the known ones, or not an array → 400 invalid-params', async () => {
        const before = await dbState();
        for (const roles of [['superadmin'], 'admin', [{ $ne: null }], ['admin', 'root']]) {
          const res = await t.post('/users.create', { ...base(), roles });
          expectInvalidParams(res, 'roles');
        }
        expect(await dbState()).toBe(before);
      });

      it('a caller without create-user cannot create an admin (403, nothing written)', async () => {
        const manager = await t.createUser({ roles: ['livechat-manager'] });
        const before = await dbState();
        for (const caller of [plain, manager]) {
          const res = await t.post(
            '/users.create',
            { ...base(), roles: ['admin'] },
            { as: caller },
          );
          expect(res.status).toBe(403);
          expect(res.body).toEqual(FORBIDDEN_403);
        }
        expect(await dbState()).toBe(before);
      });
    });

    describe('POST /login', () => {
      it.each([
        ['roles', ['admin']],
        ['services', { resume: { loginTokens: [] } }],
        ['active', true],
        ['_id', 'x'],
      ])(
        '%s next to valid credentials → 400 invalid-params, no token issued',
        async (field, value) => {
          const before = await users().findOne({ _id: plain.userId });
          const res = await t.post(
            '/login',
            { user: plain.username, password: plain.password, [field]: value },
            { as: null },
          );
          expectInvalidParams(res, field);
          const after = await users().findOne({ _id: plain.userId });
          expect(after.services.resume.loginTokens).toEqual(before.services.resume.loginTokens);
          expect(after.roles).toEqual(['user']);
        },
      );
    });
  });

  describe('operator injection in query strings and path parameters (API.md §1)', () => {
    let first: Json;

    beforeAll(async () => {
      first = (await t.createDepartment({ name: 'AAA first' })).department;
      await t.createDepartment({ name: 'BBB second' });
    });

    it.each([
      ['/livechat/department?text[$regex]=.*', 'text'],
      ['/livechat/department?text[$ne]=x', 'text'],
      ['/livechat/department?excludeDepartmentId[$ne]=x', 'excludeDepartmentId'],
      ['/livechat/department?enabled[$ne]=false', 'enabled'],
      ['/livechat/department?_id[$gt]=', '_id'],
      ['/livechat/departments/archived?text[$regex]=.*', 'text'],
      ['/livechat/users/agent?text[$regex]=.*', 'text'],
      ['/livechat/department/x/agents?count[$gt]=0', 'count'],
    ])('GET %s → 400 invalid-params naming the parameter', async (path, field) => {
      expectInvalidParams(await t.get(path), field);
    });

    it.each([
      '/livechat/department.listByIds?ids[$ne]=x',
      '/livechat/department.listByIds?ids[$in][]=x',
      '/livechat/department.listByIds?ids[0][$ne]=x',
      `/livechat/department.listByIds?ids[]=${'x'}&fields=${encodeURIComponent('{"$where":1}')}`,
      `/livechat/department.listByIds?ids[]=x&fields=${encodeURIComponent('{"name":{"$gt":""}}')}`,
    ])('GET %s → 400 invalid-params', async (path) => {
      const res = await t.get(path);
      expect(res.status).toBe(400);
      expect(res.body.errorType).toBe('invalid-params');
    });

    it.each([
      { conditions: { $where: 'true' } },
      { conditions: { name: { $regex: '.*' } } },
      { conditions: { enabled: { $ne: false } } },
      { conditions: { $or: [{ enabled: true }, { enabled: false }] } },
      { term: { $regex: '.*' } },
      { exceptions: { $ne: null } },
      { exceptions: [{ $gt: '' }] },
      { $where: 'true' },
      { conditions: { 'name.0': 'A' } },
    ])('department.autocomplete selector %j → 400 invalid-params', async (selector) => {
      const res = await t.get(
        `/livechat/department.autocomplete?selector=${encodeURIComponent(JSON.stringify(selector))}`,
      );
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        success: false,
        error: expect.stringMatching(/\[invalid-params\]$/),
        errorType: 'invalid-params',
      });
    });

    it('a sort with operators is an invalid sort', async () => {
      for (const sort of ['{"$where":1}', '{"name":{"$gt":""}}', '{"services":1}']) {
        const res = await t.get(`/livechat/department?sort=${encodeURIComponent(sort)}`);
        expect(res.status).toBe(400);
        expect(res.body.errorType).toBe('error-invalid-sort');
      }
    });

    const OPERATOR_ID = encodeURIComponent('{"$gt":""}');

    it('an operator as the :_id path parameter is a literal id: GET finds nothing', async () => {
      const res = await t.get(`/livechat/department/${OPERATOR_ID}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ department: null, agents: [], success: true });
      const agents = await t.get(`/livechat/department/${OPERATOR_ID}/agents`);
      expect(agents.body).toMatchObject({ agents: [], total: 0, success: true });
    });

    it('an operator as the :_id path parameter changes no department', async () => {
      await t.post('/settings/Omnichannel_enable_department_removal', { value: true });
      try {
        const before = await dbState();
        const attempts = [
          t.put(`/livechat/department/${OPERATOR_ID}`, { department: validDepartment() }),
          t.post(`/livechat/department/${OPERATOR_ID}/archive`),
          t.post(`/livechat/department/${OPERATOR_ID}/unarchive`),
          t.post(`/livechat/department/${OPERATOR_ID}/agents`, {
            upsert: [{ agentId: agent.userId }],
            remove: [],
          }),
          t.post(`/livechat/department/${OPERATOR_ID}/next-agent`),
          t.delete(`/livechat/department/${OPERATOR_ID}`),
        ];
        for (const res of await Promise.all(attempts)) {
          expect(res.status).toBe(400);
          expect(res.body.errorType).toBe('error-department-not-found');
        }
        expect(await dbState()).toBe(before);
        expect(await departments().findOne({ _id: first._id })).toMatchObject({
          name: 'AAA first',
        });
      } finally {
        await t.post('/settings/Omnichannel_enable_department_removal', { value: false });
      }
    });

    it('other operator-like path ids are literal ids too', async () => {
      for (const id of ['%24where', '%24ne', `${encodeURIComponent('{"$ne":null}')}`]) {
        const res = await t.get(`/livechat/department/${id}`);
        expect(res.body).toEqual({ department: null, agents: [], success: true });
      }
    });
  });

  describe('operator injection in bodies (API.md §1)', () => {
    it('POST /login with operators instead of credentials → 400, never 200', async () => {
      for (const body of [
        { user: { $ne: null }, password: { $ne: null } },
        { user: 'admin', password: { $ne: null } },
        { user: { $regex: 'adm' }, password: 'admin-pass-1' },
        { username: { $gt: '' }, password: 'x' },
        { email: { $ne: null }, password: 'x' },
        { user: 'admin', password: { digest: { $ne: null }, algorithm: 'sha-256' } },
      ]) {
        const res = await t.post('/login', body, { as: null });
        expect(res.status).toBe(400);
        expect(res.body).toEqual({
          success: false,
          error: expect.stringMatching(/\[invalid-params\]$/),
          errorType: 'invalid-params',
        });
      }
    });

    it('operators in write bodies are refused and nothing changes', async () => {
      const created = await t.createDepartment();
      const id = created.department._id;
      const before = await dbState();
      const attempts: [Promise<ApiResponse>, string][] = [
        [t.post('/livechat/users/agent', { username: { $ne: null } }), 'username'],
        [
          t.post('/livechat/agent.status', { status: 'available', agentId: { $ne: null } }),
          'agentId',
        ],
        [t.post('/livechat/agent.status', { status: { $ne: null } }), 'status'],
        [
          t.post('/livechat/department', {
            department: validDepartment(),
            agents: [{ agentId: { $ne: null } }],
          }),
          'agents.0.agentId',
        ],
        [
          t.post(`/livechat/department/${id}/agents`, {
            upsert: [],
            remove: [{ agentId: { $ne: null } }],
          }),
          'remove.0.agentId',
        ],
        [
          t.put(`/livechat/department/${id}`, {
            department: { ...validDepartment(), fallbackForwardDepartment: { $ne: null } },
          }),
          'department.fallbackForwardDepartment',
        ],
        [
          t.put(`/livechat/department/${id}`, {
            department: { ...validDepartment(), departmentsAllowedToForward: [{ $gt: '' }] },
          }),
          'department.departmentsAllowedToForward',
        ],
        [
          t.post('/permissions.update', { permissions: [{ _id: { $ne: null }, roles: ['user'] }] }),
          'permissions.0._id',
        ],
      ];
      for (const [attempt, field] of attempts) expectInvalidParams(await attempt, field);
      const setting = await t.post('/settings/Livechat_Routing_Method', {
        value: { $set: { value: 'Manual_Selection' } },
      });
      expectInvalidParams(setting, 'value');
      expect(await dbState()).toBe(before);
    });

    it('a null login name (email: null) is a 400, not a 500', async () => {
      for (const body of [
        { email: null, password: 'x' },
        { username: null, password: 'x' },
        { user: null, password: 'x' },
      ]) {
        const res = await t.post('/login', body, { as: null });
        expect(res.status).toBe(400);
        expect(res.body.errorType).toBe('invalid-params');
      }
    });

    it.each([
      [
        'POST /livechat/department',
        'department.email',
        () => ({ department: { ...validDepartment(), email: '\ud800' } }),
      ],
      [
        'POST /users.create',
        'email',
        () => ({ username: 'surrogate', email: 'a\udfff@b', password: 'x', name: 'n' }),
      ],
    ])('%s: a lone UTF-16 surrogate in %s is a 400, not a 500', async (route, field, body) => {
      const before = await dbState();
      expectInvalidParams(await t.post(route.slice('POST '.length), body()), field);
      expect(await dbState()).toBe(before);
    });

    describe('nested arrays are not agent items (API.md §4.6: malformed items → invalid-params)', () => {
      it.each([
        [
          'agents: [[]] on create',
          'agents',
          () => '/livechat/department',
          () => ({ department: validDepartment(), agents: [[]] }),
        ],
        [
          'upsert: [[{agentId}]]',
          'upsert',
          (id: string) => `/livechat/department/${id}/agents`,
          () => ({ upsert: [[{ agentId: agent.userId }]], remove: [] }),
        ],
        [
          'remove: [[]]',
          'remove',
          (id: string) => `/livechat/department/${id}/agents`,
          () => ({ upsert: [], remove: [[]] }),
        ],
      ])('%s → 400 invalid-params, nothing written', async (_case, field, path, body) => {
        const created = await t.createDepartment();
        const before = await dbState();
        expectInvalidParams(await t.post(path(created.department._id), body()), field);
        expect(await dbState()).toBe(before);
      });
    });

    it('__proto__ and constructor.prototype in bodies and queries pollute nothing', async () => {
      const probe = () => ({}) as Record<string, unknown>;
      const bodies = [
        '{"__proto__":{"polluted":"yes"}}',
        '{"department":{"__proto__":{"polluted":"yes"}}}',
        '{"constructor":{"prototype":{"polluted":"yes"}}}',
        '{"user":"x","password":"y","__proto__":{"polluted":"yes"}}',
      ];
      for (const rawBody of bodies) {
        const res = await t.request('POST', '/livechat/department', { rawBody });
        expectEnvelope4xx(res, 400);
        const login = await t.request('POST', '/login', { rawBody, as: null });
        expectEnvelope4xx(login, 400);
      }
      await t.get(
        '/livechat/department?__proto__[polluted]=yes&constructor[prototype][polluted]=yes',
      );
      await t.get(
        `/livechat/department.autocomplete?selector=${encodeURIComponent('{"__proto__":{"polluted":"yes"},"conditions":{"__proto__":{"polluted":"yes"}}}')}`,
      );
      // The server runs in this process: a polluted prototype would show here.
      expect(probe().polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    });
  });

  describe('tokens (API.md §2)', () => {
    it("user A's token with user B's id → 401", async () => {
      const other = await t.createUser();
      for (const as of [
        { userId: other.userId, authToken: plain.authToken },
        { userId: plain.userId, authToken: other.authToken },
        { userId: plain.userId, authToken: t.admin.authToken },
      ]) {
        const res = await t.get('/me', { as });
        expect(res.status).toBe(401);
        expect(res.body).toEqual(UNAUTHORIZED_401);
      }
    });

    /** Adds a login token straight to the database; returns the plain token. */
    async function addToken(userId: string, ageMs: number): Promise<string> {
      const token = randomBytes(32).toString('base64url');
      await users().updateOne({ _id: userId }, {
        $push: {
          'services.resume.loginTokens': {
            when: new Date(Date.now() - ageMs),
            hashedToken: createHash('sha256').update(token).digest('base64'),
          },
        },
      } as Json);
      return token;
    }

    it('a token older than the login expiration (90 days) → 401; a younger one works', async () => {
      // A fresh user has made no authenticated request yet, so nothing about it is cached.
      const user = await t.createUser();
      const expired = await addToken(user.userId, 91 * DAY_MS);
      const valid = await addToken(user.userId, 89 * DAY_MS);
      const old = await t.get('/me', { as: { userId: user.userId, authToken: expired } });
      expect(old.status).toBe(401);
      expect(old.body).toEqual(UNAUTHORIZED_401);
      const young = await t.get('/me', { as: { userId: user.userId, authToken: valid } });
      expect(young.status).toBe(200);
    });

    it('a deactivated user is refused (deactivated before its first authenticated request)', async () => {
      const user = await t.createUser();
      await users().updateOne({ _id: user.userId }, { $set: { active: false } });
      const res = await t.get('/me', { as: user });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(UNAUTHORIZED_401);
      const login = await t.post(
        '/login',
        { user: user.username, password: user.password },
        { as: null },
      );
      expect(login.status).toBe(401);
    });

    it('the header names work in any letter case', async () => {
      const variants: [string, string][] = [
        ['X-User-Id', 'X-Auth-Token'],
        ['x-user-id', 'x-auth-token'],
        ['X-USER-ID', 'X-AUTH-TOKEN'],
        ['x-User-ID', 'X-auth-TOKEN'],
      ];
      for (const [idHeader, tokenHeader] of variants) {
        const res = await rawRequest(t.baseUrl, 'GET', '/api/v1/me', {
          [idHeader]: plain.userId,
          [tokenHeader]: plain.authToken,
        });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ _id: plain.userId, success: true });
      }
    });

    it('duplicate X-Auth-Token or X-User-Id headers are refused', async () => {
      const cases: OutgoingHttpHeaders[] = [
        { 'X-User-Id': plain.userId, 'X-Auth-Token': [plain.authToken, plain.authToken] },
        { 'X-User-Id': plain.userId, 'X-Auth-Token': ['wrong-token', plain.authToken] },
        { 'X-User-Id': plain.userId, 'X-Auth-Token': [plain.authToken, 'wrong-token'] },
        { 'X-User-Id': [plain.userId, plain.userId], 'X-Auth-Token': plain.authToken },
      ];
      for (const headers of cases) {
        const res = await rawRequest(t.baseUrl, 'GET', '/api/v1/me', headers);
        expect(res.status).toBe(401);
        expect(res.body).toEqual(UNAUTHORIZED_401);
      }
    });

    it('credentials anywhere but the two headers are not accepted', async () => {
      const { userId, authToken } = plain;
      const queries = [
        `X-User-Id=${userId}&X-Auth-Token=${authToken}`,
        `x-user-id=${userId}&x-auth-token=${authToken}`,
        `userId=${userId}&authToken=${authToken}`,
        `rc_uid=${userId}&rc_token=${authToken}`,
        `access_token=${authToken}`,
      ];
      for (const query of queries) {
        const res = await t.get(`/me?${query}`, { as: null });
        expect(res.status).toBe(401);
        expect(res.body).toEqual(UNAUTHORIZED_401);
      }
      const elsewhere: Record<string, string>[] = [
        { cookie: `rc_uid=${userId}; rc_token=${authToken}` },
        { authorization: `Bearer ${authToken}` },
        { 'x-user-id': userId, authorization: `Bearer ${authToken}` },
      ];
      for (const headers of elsewhere) {
        const res = await t.get('/me', { as: null, headers });
        expect(res.status).toBe(401);
        expect(res.body).toEqual(UNAUTHORIZED_401);
      }
    });

    it('a logged-out token stops working at once', async () => {
      const user = await t.createUser();
      expect((await t.get('/me', { as: user })).status).toBe(200);
      expect((await t.post('/logout', undefined, { as: user })).status).toBe(200);
      const res = await t.get('/me', { as: user });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(UNAUTHORIZED_401);
    });

    it('tokens are stored only as hashes', async () => {
      const stored = JSON.stringify(await users().findOne({ _id: plain.userId }));
      expect(stored).not.toContain(plain.authToken);
      expect(stored).not.toContain(plain.password);
    });
  });

  describe('limits (API.md §9)', () => {
    it('a body over 1 MiB → 413 error-payload-too-large, with or without authentication', async () => {
      const huge = JSON.stringify({
        department: { ...validDepartment(), name: 'x'.repeat(1 << 20) },
      });
      const before = await dbState();
      for (const [method, path, as] of [
        ['POST', '/livechat/department', undefined],
        ['PUT', '/livechat/department/any', undefined],
        ['POST', '/login', null],
        ['POST', '/users.create', undefined],
      ] as const) {
        const res = await t.request(method, path, { rawBody: huge, as });
        expect(res.status).toBe(413);
        expect(res.body).toEqual({
          success: false,
          error: expect.stringMatching(/\[error-payload-too-large\]$/),
          errorType: 'error-payload-too-large',
        });
      }
      expect(await dbState()).toBe(before);
    });

    it('a body just under 1 MiB is read (and judged on its content)', async () => {
      const body = JSON.stringify({
        department: { ...validDepartment(), description: 'x'.repeat((1 << 20) - 300) },
      });
      expect(Buffer.byteLength(body)).toBeLessThan(1 << 20);
      const res = await t.request('POST', '/livechat/department', { rawBody: body });
      expectInvalidParams(res, 'department.description');
    });

    const agentIds = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ agentId: `nobody${i}` }));

    it('1001 agents in one request → 400 invalid-params, on every route that takes agents', async () => {
      const created = await t.createDepartment();
      const id = created.department._id;
      const before = await dbState();
      expectInvalidParams(
        await t.post('/livechat/department', {
          department: validDepartment(),
          agents: agentIds(1001),
        }),
        'agents',
      );
      expectInvalidParams(
        await t.put(`/livechat/department/${id}`, {
          department: validDepartment(),
          agents: agentIds(1001),
        }),
        'agents',
      );
      expectInvalidParams(
        await t.post(`/livechat/department/${id}/agents`, { upsert: agentIds(1001), remove: [] }),
        'upsert',
      );
      expectInvalidParams(
        await t.post(`/livechat/department/${id}/agents`, { upsert: [], remove: agentIds(1001) }),
        'remove',
      );
      expect(await dbState()).toBe(before);
    });

    it('1000 agents pass the shape check: 1000 unknown ids → error-agent-not-found naming them all', async () => {
      const created = await t.createDepartment();
      const before = await dbState();
      const responses = [
        await t.post('/livechat/department', {
          department: validDepartment(),
          agents: agentIds(1000),
        }),
        await t.post(`/livechat/department/${created.department._id}/agents`, {
          upsert: agentIds(1000),
          remove: [],
        }),
      ];
      for (const res of responses) {
        expect(res.status).toBe(400);
        expect(res.body).toEqual({
          success: false,
          error: 'Agent not found [error-agent-not-found]',
          errorType: 'error-agent-not-found',
          details: { agentIds: agentIds(1000).map((a) => a.agentId) },
        });
      }
      expect(await dbState()).toBe(before);
    });

    it('deeply nested JSON (5 000 and 100 000 levels) → 4xx envelope on every JSON endpoint, never 5xx', async () => {
      const created = await t.createDepartment();
      const id = created.department._id;
      const nest = (depth: number, kind: 'object' | 'array') =>
        kind === 'object'
          ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
          : `${'['.repeat(depth)}${']'.repeat(depth)}`;
      const targets: [string, string, (deep: string) => string, Session | null][] = [
        ['POST', '/login', (deep) => `{"user":${deep},"password":"x"}`, null],
        ['POST', '/livechat/department', (deep) => `{"department":${deep}}`, t.admin],
        ['PUT', `/livechat/department/${id}`, (deep) => `{"department":{"name":${deep}}}`, t.admin],
        [
          'POST',
          `/livechat/department/${id}/agents`,
          (deep) => `{"upsert":${deep},"remove":[]}`,
          t.admin,
        ],
        ['POST', '/users.create', (deep) => `{"username":${deep}}`, t.admin],
        ['POST', '/livechat/users/agent', (deep) => `{"username":${deep}}`, t.admin],
        ['POST', '/livechat/agent.status', (deep) => `{"status":${deep}}`, t.admin],
        ['POST', '/permissions.update', (deep) => `{"permissions":${deep}}`, t.admin],
        ['POST', '/settings/Livechat_Routing_Method', (deep) => `{"value":${deep}}`, t.admin],
      ];
      const before = await dbState();
      const failures: string[] = [];
      for (const depth of [5_000, 100_000]) {
        for (const kind of ['object', 'array'] as const) {
          const deep = nest(depth, kind);
          for (const [method, path, wrap, as] of targets) {
            const res = await t.request(method, path, { rawBody: wrap(deep), as });
            const ok =
              res.status >= 400 &&
              res.status < 500 &&
              res.body?.success === false &&
              typeof res.body?.errorType === 'string';
            if (!ok) failures.push(`${method} ${path} ${kind} depth ${depth} → ${res.status}`);
          }
        }
      }
      expect(failures).toEqual([]);
      expect(await dbState()).toBe(before);
    });
  });

  describe('URLs the router refuses still get an envelope (API.md §1)', () => {
    it.each([
      ['bad percent-encoding in a path id', '/api/v1/livechat/department/%'],
      ['overlong UTF-8 in a path id', '/api/v1/livechat/department/%C0%AF'],
      ['a path id over 100 characters', `/api/v1/livechat/department/${'x'.repeat(101)}`],
      ['a 20 KB query string', `/api/v1/livechat/department?text=${'x'.repeat(20_000)}`],
    ])('%s', async (_case, path) => {
      const res = await rawRequest(t.baseUrl, 'GET', path, {
        'x-user-id': t.admin.userId,
        'x-auth-token': t.admin.authToken,
      });
      expectEnvelope4xx(res);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('no-store');
    });
  });

  describe('security headers', () => {
    it('nosniff, X-Frame-Options and Cache-Control: no-store on every kind of answer', async () => {
      const answers = [
        await t.get('/me'), // 200
        await t.post('/livechat/department', { department: {} }), // 400
        await t.get('/me', { as: null }), // 401
        await t.post('/livechat/department', { department: validDepartment() }, { as: plain }), // 403
        await t.get('/nope'), // 404
        await t.request('POST', '/login', { rawBody: 'x'.repeat((1 << 20) + 1), as: null }), // 413
        await t.get('!/api/info'),
        await t.get('!/api/docs'),
      ];
      expect(answers.map((res) => res.status)).toEqual([200, 400, 401, 403, 404, 413, 200, 200]);
      for (const res of answers) {
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('x-frame-options')).toMatch(/^(DENY|SAMEORIGIN)$/);
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
    });

    it('errors are JSON and never carry a stack trace or driver message', async () => {
      const res = await t.request('POST', '/livechat/department', { rawBody: '{"department":' });
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(JSON.stringify(res.body)).not.toMatch(/\n\s+at |node_modules|SyntaxError|Mongo/);
    });
  });

  describe('non-JSON bodies on JSON endpoints', () => {
    const valid = () => JSON.stringify({ department: validDepartment() });

    it.each([
      ['text/plain', valid],
      ['text/plain;charset=UTF-8', valid],
      ['application/x-www-form-urlencoded', () => 'department[name]=x&department[enabled]=true'],
      ['application/x-www-form-urlencoded', () => `department=${encodeURIComponent(valid())}`],
      [
        'multipart/form-data; boundary=xyz',
        () => '--xyz\r\nContent-Disposition: form-data; name="department"\r\n\r\nx\r\n--xyz--\r\n',
      ],
      ['application/xml', () => '<department><name>x</name></department>'],
      ['application/octet-stream', valid],
      ['image/png', valid],
    ])('%s → 4xx envelope, nothing written', async (contentType, body) => {
      const before = await dbState();
      const res = await t.request('POST', '/livechat/department', {
        rawBody: body(),
        headers: { 'content-type': contentType },
      });
      expectEnvelope4xx(res);
      expect(await dbState()).toBe(before);
    });

    it('no content-type at all → 4xx envelope, nothing written', async () => {
      const before = await dbState();
      const res = await rawRequest(
        t.baseUrl,
        'POST',
        '/api/v1/livechat/department',
        { 'x-user-id': t.admin.userId, 'x-auth-token': t.admin.authToken },
        valid(),
      );
      expectEnvelope4xx(res);
      expect(await dbState()).toBe(before);
    });

    it('a charset parameter or letter case does not stop JSON from being read', async () => {
      for (const contentType of ['application/json; charset=utf-8', 'Application/JSON']) {
        const res = await t.request('POST', '/livechat/department', {
          rawBody: valid(),
          headers: { 'content-type': contentType },
        });
        expect(res.status).toBe(200);
        await departments().deleteOne({ _id: res.body.department._id });
      }
    });
  });
});
