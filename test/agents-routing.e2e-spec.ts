// Agents and managers (API.md §3: livechat/users, agent.status, agents/:agentId/departments)
// and routing (§5: next-agent), including concurrent next-agent calls.
import { randomBytes } from 'node:crypto';
import {
  ApiResponse,
  expectInvalidParams,
  FORBIDDEN_403,
  TestApp,
  TestUser,
} from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- stored documents are checked field by field
type Doc = { _id: string; [key: string]: any };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The envelope `{ success, error: "<message> [<code>]", errorType }` of §1. */
function expectError(res: ApiResponse, status: number, errorType: string): void {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({
    success: false,
    error: expect.stringMatching(
      new RegExp(`^\\S.* \\[${errorType.replace(/[-[\]]/g, '\\$&')}\\]$`),
    ),
    errorType,
  });
}

const unique = () => randomBytes(4).toString('hex');

describe('agents, managers and routing', () => {
  let t: TestApp;
  let manager: TestUser;

  beforeAll(async () => {
    t = await TestApp.start();
    manager = await t.createUser({ roles: ['livechat-manager'] });
  });
  afterAll(() => t.close());

  const users = () => t.db.collection<Doc>('users');
  const departments = () => t.db.collection<Doc>('rocketchat_livechat_department');
  const assignments = () => t.db.collection<Doc>('rocketchat_livechat_department_agents');
  const userDoc = (id: string) => users().findOne({ _id: id });
  const numAgents = async (id: string) => (await departments().findOne({ _id: id }))?.numAgents;

  /** An agent with a chosen username, optionally available. */
  async function agentNamed(username: string, available = true): Promise<TestUser> {
    const user = await t.createUser({ username });
    expect((await t.post('/livechat/users/agent', { username })).status).toBe(200);
    if (available) {
      const res = await t.post('/livechat/agent.status', { status: 'available' }, { as: user });
      expect(res.status).toBe(200);
    }
    return user;
  }

  // ---------------------------------------------------------------------------------------
  describe.each([
    ['agent', 'livechat-agent'],
    ['manager', 'livechat-manager'],
  ])('/livechat/users/%s', (type, role) => {
    const path = `/livechat/users/${type}`;

    it('POST adds the role', async () => {
      const user = await t.createUser();
      const res = await t.post(path, { username: user.username });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        user: { _id: user.userId, username: user.username },
        success: true,
      });
      expect((await userDoc(user.userId))?.roles).toEqual(['user', role]);

      // Adding it again keeps one copy of the role.
      expect((await t.post(path, { username: user.username })).status).toBe(200);
      expect((await userDoc(user.userId))?.roles).toEqual(['user', role]);
    });

    it('POST with an unknown username → 400 error-invalid-user', async () => {
      const res = await t.post(path, { username: `nobody-${unique()}` });
      expectError(res, 400, 'error-invalid-user');
    });

    it('POST without a username → 400 invalid-params', async () => {
      expectInvalidParams(await t.post(path, {}), 'username');
    });

    it('GET lists the holders of the role, filtered by text', async () => {
      const tag = unique();
      const named = await t.createUser({ username: `list-${tag}-one` });
      const other = await t.createUser({ username: `list-${tag}-two` });
      const outsider = await t.createUser({ username: `list-${tag}-three` });
      await t.post(path, { username: named.username });
      await t.post(path, { username: other.username });

      const res = await t.get(`${path}?text=${tag.toUpperCase()}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        users: [
          {
            _id: named.userId,
            username: named.username,
            name: named.username,
            status: 'offline',
            emails: [{ address: `${named.username}@example.com`, verified: false }],
          },
          {
            _id: other.userId,
            username: other.username,
            name: other.username,
            status: 'offline',
            emails: [{ address: `${other.username}@example.com`, verified: false }],
          },
        ],
        count: 2,
        offset: 0,
        total: 2,
        success: true,
      });
      expect(res.body.users.map((u: Doc) => u._id)).not.toContain(outsider.userId);

      const all = await t.get(`${path}?count=1`);
      expect(all.status).toBe(200);
      expect(all.body).toMatchObject({ count: 1, offset: 0, success: true });
      expect(all.body.total).toBeGreaterThanOrEqual(2);
      expect(all.body.users).toHaveLength(1);
      expect(all.body.users[0]).not.toHaveProperty('services');
      expect(all.body.users[0]).not.toHaveProperty('roles');
    });

    it('DELETE removes the role', async () => {
      const user = await t.createUser();
      await t.post(path, { username: user.username });
      const res = await t.delete(`${path}/${user.userId}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true });
      expect((await userDoc(user.userId))?.roles).toEqual(['user']);
      const list = await t.get(`${path}?text=${user.username}`);
      expect(list.body.users).toEqual([]);
    });
  });

  describe('permissions', () => {
    it('a livechat-manager manages agents', async () => {
      const user = await t.createUser();
      const add = await t.post(
        '/livechat/users/agent',
        { username: user.username },
        { as: manager },
      );
      expect(add.status).toBe(200);
      expect((await t.get('/livechat/users/agent', { as: manager })).status).toBe(200);
      const remove = await t.delete(`/livechat/users/agent/${user.userId}`, { as: manager });
      expect(remove.status).toBe(200);
      expect((await userDoc(user.userId))?.roles).toEqual(['user']);
    });

    it('a livechat-manager cannot manage managers (403)', async () => {
      const user = await t.createUser();
      const add = await t.post(
        '/livechat/users/manager',
        { username: user.username },
        { as: manager },
      );
      expect(add.status).toBe(403);
      expect(add.body).toEqual(FORBIDDEN_403);
      expect((await userDoc(user.userId))?.roles).toEqual(['user']);

      const list = await t.get('/livechat/users/manager', { as: manager });
      expect(list.status).toBe(403);
      expect(list.body).toEqual(FORBIDDEN_403);

      const remove = await t.delete(`/livechat/users/manager/${manager.userId}`, { as: manager });
      expect(remove.status).toBe(403);
      expect(remove.body).toEqual(FORBIDDEN_403);
      expect((await userDoc(manager.userId))?.roles).toContain('livechat-manager');
    });

    it('an agent cannot manage agents (403)', async () => {
      const agent = await t.createAgent();
      const other = await t.createUser();
      const add = await t.post(
        '/livechat/users/agent',
        { username: other.username },
        { as: agent },
      );
      expect(add.status).toBe(403);
      expect(add.body).toEqual(FORBIDDEN_403);
      const remove = await t.delete(`/livechat/users/agent/${agent.userId}`, { as: agent });
      expect(remove.status).toBe(403);
      expect(remove.body).toEqual(FORBIDDEN_403);
    });
  });

  it("DELETE agent removes every assignment of the agent and each department's numAgents drops by one", async () => {
    const [leaving, staying] = await Promise.all([t.createAgent(), t.createAgent()]);
    const d1 = (
      await t.createDepartment({}, [{ agentId: leaving.userId }, { agentId: staying.userId }])
    ).department;
    const d2 = (await t.createDepartment({ enabled: false }, [{ agentId: leaving.userId }]))
      .department;
    const d3 = (await t.createDepartment({}, [{ agentId: staying.userId }])).department;
    const stayingBefore = await assignments()
      .find({ agentId: staying.userId })
      .sort({ _id: 1 })
      .toArray();

    const res = await t.delete(`/livechat/users/agent/${leaving.userId}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });

    expect((await userDoc(leaving.userId))?.roles).toEqual(['user']);
    expect(await assignments().countDocuments({ agentId: leaving.userId })).toBe(0);
    expect(await numAgents(d1._id)).toBe(1);
    expect(await numAgents(d2._id)).toBe(0);
    expect(await numAgents(d3._id)).toBe(1);
    expect(
      await assignments().find({ agentId: staying.userId }).sort({ _id: 1 }).toArray(),
    ).toEqual(stayingBefore);
    for (const id of [d1._id, d2._id, d3._id]) {
      expect(await numAgents(id)).toBe(await assignments().countDocuments({ departmentId: id }));
    }
  });

  // ---------------------------------------------------------------------------------------
  describe('POST /livechat/agent.status', () => {
    it("sets the caller's own statusLivechat", async () => {
      const agent = await t.createAgent();
      const available = await t.post(
        '/livechat/agent.status',
        { status: 'available' },
        { as: agent },
      );
      expect(available.status).toBe(200);
      expect(available.body).toEqual({ success: true });
      expect((await userDoc(agent.userId))?.statusLivechat).toBe('available');

      const away = await t.post(
        '/livechat/agent.status',
        { status: 'not-available', agentId: agent.userId },
        { as: agent },
      );
      expect(away.status).toBe(200);
      expect((await userDoc(agent.userId))?.statusLivechat).toBe('not-available');
    });

    it('an invalid or missing status → 400 invalid-params', async () => {
      const agent = await t.createAgent();
      expectInvalidParams(
        await t.post('/livechat/agent.status', { status: 'busy' }, { as: agent }),
        'status',
      );
      expectInvalidParams(await t.post('/livechat/agent.status', {}, { as: agent }), 'status');
      expect((await userDoc(agent.userId))?.statusLivechat).toBeUndefined();
    });

    it("another agent's status: 403 for a plain agent, 200 for an admin or a manager", async () => {
      const [agent, other] = await Promise.all([t.createAgent(), t.createAgent()]);
      const denied = await t.post(
        '/livechat/agent.status',
        { status: 'available', agentId: other.userId },
        { as: agent },
      );
      expect(denied.status).toBe(403);
      expect(denied.body).toEqual(FORBIDDEN_403);
      expect((await userDoc(other.userId))?.statusLivechat).toBeUndefined();

      const admin = await t.post('/livechat/agent.status', {
        status: 'available',
        agentId: other.userId,
      });
      expect(admin.status).toBe(200);
      expect(admin.body).toEqual({ success: true });
      expect((await userDoc(other.userId))?.statusLivechat).toBe('available');

      const byManager = await t.post(
        '/livechat/agent.status',
        { status: 'not-available', agentId: other.userId },
        { as: manager },
      );
      expect(byManager.status).toBe(200);
      expect((await userDoc(other.userId))?.statusLivechat).toBe('not-available');
    });

    it('needs view-l-room: a plain user gets 403', async () => {
      const user = await t.createUser();
      const res = await t.post('/livechat/agent.status', { status: 'available' }, { as: user });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(FORBIDDEN_403);
      expect((await userDoc(user.userId))?.statusLivechat).toBeUndefined();
    });
  });

  // ---------------------------------------------------------------------------------------
  describe('GET /livechat/agents/:agentId/departments', () => {
    it('lists the agent assignments with departmentName; enabledDepartmentsOnly keeps enabled ones', async () => {
      const agent = await t.createAgent();
      const enabled = (
        await t.createDepartment({ name: `Enabled ${unique()}`, enabled: true }, [
          { agentId: agent.userId, count: 2, order: 1 },
        ])
      ).department;
      const disabled = (
        await t.createDepartment({ name: `Disabled ${unique()}`, enabled: false }, [
          { agentId: agent.userId },
        ])
      ).department;
      await t.createDepartment({}, [{ agentId: (await t.createAgent()).userId }]);

      const assignmentOf = (department: Doc) => ({
        _id: expect.any(String),
        agentId: agent.userId,
        departmentId: department._id,
        username: agent.username,
        departmentEnabled: department.enabled,
        count: department === enabled ? 2 : 0,
        order: department === enabled ? 1 : 0,
        _updatedAt: expect.stringMatching(ISO_DATE),
        departmentName: department.name,
      });
      const byDepartment = (x: Doc, y: Doc) => (x.departmentId < y.departmentId ? -1 : 1);

      const res = await t.get(`/livechat/agents/${agent.userId}/departments`, { as: agent });
      expect(res.status).toBe(200);
      expect(res.body.success).toBe(true);
      expect(Object.keys(res.body).sort()).toEqual(['departments', 'success']);
      expect([...res.body.departments].sort(byDepartment)).toEqual(
        [enabled, disabled].map(assignmentOf).sort(byDepartment),
      );
      const storedIds = (await assignments().find({ agentId: agent.userId }).toArray())
        .map((x) => x._id)
        .sort();
      expect(res.body.departments.map((x: Doc) => x._id).sort()).toEqual(storedIds);

      const only = await t.get(
        `/livechat/agents/${agent.userId}/departments?enabledDepartmentsOnly=true`,
      );
      expect(only.status).toBe(200);
      expect(only.body).toEqual({ departments: [assignmentOf(enabled)], success: true });
    });

    it('needs view-l-room: a plain user gets 403', async () => {
      const user = await t.createUser();
      const res = await t.get(`/livechat/agents/${user.userId}/departments`, { as: user });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(FORBIDDEN_403);
    });
  });

  // ---------------------------------------------------------------------------------------
  describe('POST /livechat/department/:_id/next-agent', () => {
    const countOf = async (departmentId: string, agentId: string) =>
      (await assignments().findOne({ departmentId, agentId }))?.count;

    it('picks the lowest count, then order, then username, among eligible agents', async () => {
      const p = `rt${unique()}`;
      const [b, a, c, away, inactive, demoted] = await Promise.all([
        agentNamed(`${p}-b`),
        agentNamed(`${p}-a`),
        agentNamed(`${p}-c`),
        agentNamed(`${p}-0-away`, false),
        agentNamed(`${p}-0-inactive`),
        agentNamed(`${p}-0-demoted`),
      ]);
      const { department } = await t.createDepartment({}, [
        { agentId: b.userId, count: 1, order: 1 },
        { agentId: a.userId, count: 1, order: 1 },
        { agentId: c.userId, count: 1, order: 0 },
        { agentId: away.userId, count: 0, order: 0 },
        { agentId: inactive.userId, count: 0, order: 0 },
        { agentId: demoted.userId, count: 0, order: 0 },
      ]);
      // Deactivated, and agent role taken away behind the service's back (the assignment stays).
      await users().updateOne({ _id: inactive.userId }, { $set: { active: false } });
      await users().updateOne({ _id: demoted.userId }, { $set: { roles: ['user'] } });

      const expected = [c, a, b, c, a, b, c];
      for (const agent of expected) {
        const res = await t.post(`/livechat/department/${department._id}/next-agent`);
        expect(res.status).toBe(200);
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.body).toEqual({
          agent: { agentId: agent.userId, username: agent.username },
          success: true,
        });
      }
      expect(await countOf(department._id, c.userId)).toBe(4);
      expect(await countOf(department._id, a.userId)).toBe(3);
      expect(await countOf(department._id, b.userId)).toBe(3);
      for (const skipped of [away, inactive, demoted]) {
        expect(await countOf(department._id, skipped.userId)).toBe(0);
      }
    });

    it('a livechat-agent may ask (view-l-room); a plain user gets 403', async () => {
      const agent = await t.createAgent({ available: true });
      const { department } = await t.createDepartment({}, [{ agentId: agent.userId }]);
      const ok = await t.post(`/livechat/department/${department._id}/next-agent`, undefined, {
        as: agent,
      });
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({
        agent: { agentId: agent.userId, username: agent.username },
        success: true,
      });

      const user = await t.createUser();
      const denied = await t.post(`/livechat/department/${department._id}/next-agent`, undefined, {
        as: user,
      });
      expect(denied.status).toBe(403);
      expect(denied.body).toEqual(FORBIDDEN_403);
      expect(await countOf(department._id, agent.userId)).toBe(1);
    });

    it('no eligible agent → 200 with agent null', async () => {
      const away = await t.createAgent({ available: false });
      const withAway = (await t.createDepartment({}, [{ agentId: away.userId }])).department;
      const res = await t.post(`/livechat/department/${withAway._id}/next-agent`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ agent: null, success: true });
      expect(await countOf(withAway._id, away.userId)).toBe(0);

      const empty = (await t.createDepartment()).department;
      const none = await t.post(`/livechat/department/${empty._id}/next-agent`);
      expect(none.status).toBe(200);
      expect(none.body).toEqual({ agent: null, success: true });
    });

    it('unknown department → 400 error-department-not-found', async () => {
      const res = await t.post('/livechat/department/does-not-exist/next-agent');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        success: false,
        error: 'Department not found [error-department-not-found]',
        errorType: 'error-department-not-found',
      });
    });

    it('disabled or archived department → 400 error-department-disabled', async () => {
      const agent = await t.createAgent({ available: true });
      const disabled = (await t.createDepartment({ enabled: false }, [{ agentId: agent.userId }]))
        .department;
      expectError(
        await t.post(`/livechat/department/${disabled._id}/next-agent`),
        400,
        'error-department-disabled',
      );
      const archived = (await t.createDepartment({ enabled: true }, [{ agentId: agent.userId }]))
        .department;
      expect((await t.post(`/livechat/department/${archived._id}/archive`)).status).toBe(200);
      expectError(
        await t.post(`/livechat/department/${archived._id}/next-agent`),
        400,
        'error-department-disabled',
      );
      expect(await countOf(disabled._id, agent.userId)).toBe(0);
      expect(await countOf(archived._id, agent.userId)).toBe(0);
    });

    it('with Livechat_Routing_Method = Manual_Selection → agent null, nothing counted', async () => {
      const agent = await t.createAgent({ available: true });
      const { department } = await t.createDepartment({}, [{ agentId: agent.userId }]);
      const set = await t.post('/settings/Livechat_Routing_Method', { value: 'Manual_Selection' });
      expect(set.status).toBe(200);
      try {
        const res = await t.post(`/livechat/department/${department._id}/next-agent`);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ agent: null, success: true });
        expect(await countOf(department._id, agent.userId)).toBe(0);
      } finally {
        const reset = await t.post('/settings/Livechat_Routing_Method', {
          value: 'Auto_Selection',
        });
        expect(reset.status).toBe(200);
      }
      const auto = await t.post(`/livechat/department/${department._id}/next-agent`);
      expect(auto.body.agent).toEqual({ agentId: agent.userId, username: agent.username });
    });

    it('40 concurrent calls over 4 agents: every call counted once, 10 per agent', async () => {
      const four = await Promise.all(
        Array.from({ length: 4 }, () => t.createAgent({ available: true })),
      );
      const { department } = await t.createDepartment(
        {},
        four.map((agent) => ({ agentId: agent.userId, count: 0 })),
      );
      const results = await Promise.all(
        Array.from({ length: 40 }, () =>
          t.post(`/livechat/department/${department._id}/next-agent`),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(results.map(() => 200));

      const stored = await assignments().find({ departmentId: department._id }).toArray();
      expect(stored.reduce((sum, x) => sum + x.count, 0)).toBe(40);
      expect(stored.map((x) => x.count)).toEqual([10, 10, 10, 10]);

      const picked = new Map<string, number>();
      for (const res of results) {
        const agentId = res.body.agent?.agentId as string;
        picked.set(agentId, (picked.get(agentId) ?? 0) + 1);
      }
      expect(Object.fromEntries(picked)).toEqual(
        Object.fromEntries(four.map((agent) => [agent.userId, 10])),
      );
    });
  });
});
