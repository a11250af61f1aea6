// GET users.autocomplete (Rocket.Chat's user picker), which the console's "Make agent" uses.
import { TestApp, TestUser } from './support/test-app';

describe('GET /users.autocomplete', () => {
  let t: TestApp;
  let agent: TestUser;
  const prefix = `pick${Date.now().toString(36)}`;

  beforeAll(async () => {
    t = await TestApp.start();
    for (const suffix of ['alice', 'bob', 'carol']) {
      await t.createUser({ username: `${prefix}-${suffix}` });
    }
    const inactive = await t.post('/users.create', {
      username: `${prefix}-gone`,
      email: `${prefix}-gone@example.com`,
      password: 'pw-123456',
      name: 'Gone',
      active: false,
    });
    expect(inactive.status).toBe(200);
    agent = await t.createAgent();
  });
  afterAll(() => t.close());

  const search = (selector: unknown, as?: TestUser | null) =>
    t.get(
      `/users.autocomplete?selector=${encodeURIComponent(
        typeof selector === 'string' ? selector : JSON.stringify(selector),
      )}`,
      as === undefined ? {} : { as },
    );

  it('lists active users whose username or name starts with the term, by username', async () => {
    const res = await search({ term: prefix.toUpperCase() });
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.items.map((user: { username: string }) => user.username)).toEqual([
      `${prefix}-alice`,
      `${prefix}-bob`,
      `${prefix}-carol`,
    ]);
    // Only what a picker shows (Rocket.Chat's fields): no e-mail addresses, roles or credentials.
    for (const item of res.body.items) {
      expect(['_id', 'name', 'status', 'username']).toEqual(
        expect.arrayContaining(Object.keys(item)),
      );
    }
  });

  it('leaves out the exceptions, matches literally and caps the answer at 10', async () => {
    const res = await search({ term: prefix, exceptions: [`${prefix}-bob`], conditions: {} });
    expect(res.body.items.map((user: { username: string }) => user.username)).toEqual([
      `${prefix}-alice`,
      `${prefix}-carol`,
    ]);
    expect((await search({ term: '.*' })).body.items).toEqual([]);
    expect((await search({})).body.items.length).toBeLessThanOrEqual(10);
  });

  it('refuses a malformed selector with 400 invalid-params', async () => {
    for (const selector of [
      'not json',
      [],
      { term: 42 },
      { term: 'x'.repeat(257) },
      { exceptions: 'bob' },
      { conditions: { roles: 'admin' } },
      { conditions: null },
      { term: { $regex: '.' } },
      { other: 1 },
    ]) {
      const res = await search(selector);
      expect([res.status, res.body.errorType]).toEqual([400, 'invalid-params']);
    }
    const missing = await t.get('/users.autocomplete');
    expect([missing.status, missing.body.errorType]).toEqual([400, 'invalid-params']);
  });

  it('needs a login (401) and a livechat role-management permission (403)', async () => {
    expect((await search({ term: prefix }, null)).status).toBe(401);
    const res = await search({ term: prefix }, agent);
    expect([res.status, res.body.errorType]).toEqual([403, 'error-unauthorized']);
  });
});
