// Writes to departments (API.md §4.6–§4.8, §4.12): PUT (merge, validation before any write,
// If-Match), DELETE (setting, reference cleanup), archive/unarchive, and the agents endpoint,
// including concurrent requests into one department.
import { BSON } from 'mongodb';
import {
  ApiResponse,
  expectInvalidParams,
  expectMatchError,
  FORBIDDEN_403,
  TestApp,
  TestUser,
} from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- stored documents are checked field by field
type Doc = { _id: string; [key: string]: any };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const DEPARTMENT_NOT_FOUND = {
  success: false,
  error: 'Department not found [error-department-not-found]',
  errorType: 'error-department-not-found',
};

/** The 400 envelope `{ success, error: "<message> [<code>]", errorType, details? }` of §1. */
function expectError(
  res: ApiResponse,
  status: number,
  errorType: string,
  details?: Record<string, unknown>,
): void {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({
    success: false,
    error: expect.stringMatching(
      new RegExp(`^\\S.* \\[${errorType.replace(/[-[\]]/g, '\\$&')}\\]$`),
    ),
    errorType,
    ...(details ? { details } : {}),
  });
}

const required = (overrides: Record<string, unknown> = {}) => ({
  name: 'Required fields',
  email: 'required@example.com',
  enabled: true,
  showOnRegistration: true,
  showOnOfflineForm: true,
  ...overrides,
});

describe('department writes', () => {
  let t: TestApp;
  let agents: TestUser[];

  beforeAll(async () => {
    t = await TestApp.start();
    agents = await Promise.all(Array.from({ length: 4 }, () => t.createAgent()));
  });
  afterAll(() => t.close());

  const departments = () => t.db.collection<Doc>('rocketchat_livechat_department');
  const assignments = () => t.db.collection<Doc>('rocketchat_livechat_department_agents');
  // `_fence` is the write path's fencing epoch (never answered): compared by its own tests.
  const unfenced = { projection: { _fence: 0 } };
  const stored = (id: string) => departments().findOne({ _id: id }, unfenced);
  const assignmentsOf = (id: string) =>
    assignments().find({ departmentId: id }, unfenced).sort({ agentId: 1 }).toArray();

  /**
   * Every department and every assignment, serialised as canonical Extended JSON (types
   * included), so that "unchanged" means byte for byte.
   */
  async function snapshot(): Promise<string> {
    const [allDepartments, allAssignments] = await Promise.all([
      departments().find().sort({ _id: 1 }).toArray(),
      assignments().find().sort({ _id: 1 }).toArray(),
    ]);
    return BSON.EJSON.stringify(
      { departments: allDepartments, assignments: allAssignments },
      { relaxed: false },
    );
  }

  /** Runs a request that must be rejected and checks that it wrote nothing at all. */
  async function rejected(send: () => Promise<ApiResponse>): Promise<ApiResponse> {
    const before = await snapshot();
    const res = await send();
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(await snapshot()).toBe(before);
    return res;
  }

  async function setSetting(id: string, value: unknown): Promise<void> {
    const res = await t.post(`/settings/${id}`, { value });
    expect(res.status).toBe(200);
  }

  async function setPermission(id: string, roles: string[]): Promise<void> {
    const res = await t.post('/permissions.update', { permissions: [{ _id: id, roles }] });
    expect(res.status).toBe(200);
  }

  // ---------------------------------------------------------------------------------------
  describe('PUT /livechat/department/:_id', () => {
    it('merges the given fields into the stored department, keeping omitted optional ones', async () => {
      const other = (await t.createDepartment()).department;
      const { department } = await t.createDepartment({
        description: 'desk',
        requestTagBeforeClosingChat: true,
        chatClosingTags: ['a', 'b'],
        fallbackForwardDepartment: other._id,
        departmentsAllowedToForward: [other._id],
        maxNumberSimultaneousChat: 3,
        waitingQueueMessage: 'wait',
      });
      const before = await stored(department._id);

      const res = await t.put(`/livechat/department/${department._id}`, {
        department: {
          name: 'Renamed',
          email: 'renamed@example.com',
          enabled: false,
          showOnRegistration: false,
          showOnOfflineForm: false,
          waitingQueueMessage: 'please wait',
        },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const expected = {
        _id: department._id,
        name: 'Renamed',
        email: 'renamed@example.com',
        enabled: false,
        showOnRegistration: false,
        showOnOfflineForm: false,
        description: 'desk',
        requestTagBeforeClosingChat: true,
        chatClosingTags: ['a', 'b'],
        fallbackForwardDepartment: other._id,
        departmentsAllowedToForward: [other._id],
        maxNumberSimultaneousChat: 3,
        waitingQueueMessage: 'please wait',
        numAgents: 0,
        type: 'd',
      };
      expect(res.body).toEqual({
        department: { ...expected, _updatedAt: expect.stringMatching(ISO_DATE) },
        agents: [],
        success: true,
      });
      const after = await stored(department._id);
      expect(after).toEqual({ ...expected, _updatedAt: expect.any(Date) });
      expect(after?._updatedAt.getTime()).toBeGreaterThan(before?._updatedAt.getTime());
      expect(new Date(res.body.department._updatedAt)).toEqual(after?._updatedAt);
    });

    describe('requires all five required fields', () => {
      it.each(['name', 'email', 'enabled', 'showOnRegistration', 'showOnOfflineForm'])(
        'missing %s → 400 invalid-params, nothing written',
        async (field) => {
          const { department } = await t.createDepartment();
          const body: Record<string, unknown> = required();
          delete body[field];
          const res = await rejected(() =>
            t.put(`/livechat/department/${department._id}`, { department: body }),
          );
          expectInvalidParams(res, `department.${field}`);
        },
      );
    });

    it.each([
      ['_id', 'abc'],
      ['numAgents', 5],
      ['archived', false],
      ['_updatedAt', '2020-01-01T00:00:00.000Z'],
    ])(
      'rejects the server-managed key %s with invalid-params, nothing written',
      async (key, value) => {
        const { department } = await t.createDepartment();
        const res = await rejected(() =>
          t.put(`/livechat/department/${department._id}`, {
            department: { ...required(), [key]: value },
          }),
        );
        expectInvalidParams(res, `department.${key}`);
      },
    );

    it('rejects an unknown key, agents that are not an array and a missing department', async () => {
      const { department } = await t.createDepartment();
      const path = `/livechat/department/${department._id}`;
      expectInvalidParams(
        await rejected(() => t.put(path, { department: { ...required(), color: 'red' } })),
        'department.color',
      );
      expectInvalidParams(
        await rejected(() => t.put(path, { department: required(), agents: {} })),
        'agents',
      );
      expectMatchError(
        await rejected(() => t.put(path, { department: required(), agents: [{}] })),
        "Match error: Missing key 'agentId' in field agents[0]",
      );
      expectInvalidParams(await rejected(() => t.put(path, {})), 'department');
    });

    it('unknown id → 400 Department not found, nothing written', async () => {
      const res = await rejected(() =>
        t.put('/livechat/department/does-not-exist', { department: required() }),
      );
      expect(res.status).toBe(400);
      expect(res.body).toEqual(DEPARTMENT_NOT_FOUND);
    });

    it('a department as its own fallback → 400 error-fallback-department-circular', async () => {
      const { department } = await t.createDepartment();
      const res = await rejected(() =>
        t.put(`/livechat/department/${department._id}`, {
          department: { ...required(), fallbackForwardDepartment: department._id },
        }),
      );
      expectError(res, 400, 'error-fallback-department-circular');
    });

    it('an unknown fallback → 400 error-fallback-department-not-found', async () => {
      const { department } = await t.createDepartment();
      const res = await rejected(() =>
        t.put(`/livechat/department/${department._id}`, {
          department: { ...required(), fallbackForwardDepartment: 'missing' },
        }),
      );
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        success: false,
        error: 'Fallback department not found [error-fallback-department-not-found]',
        errorType: 'error-fallback-department-not-found',
      });
    });

    it('an unknown department allowed to forward to → 400 error-department-not-found', async () => {
      const { department } = await t.createDepartment();
      const other = (await t.createDepartment()).department;
      const res = await rejected(() =>
        t.put(`/livechat/department/${department._id}`, {
          department: { ...required(), departmentsAllowedToForward: [other._id, 'missing'] },
        }),
      );
      expect(res.status).toBe(400);
      expect(res.body).toEqual(DEPARTMENT_NOT_FOUND);
    });

    it('an archived department cannot be enabled, but can be edited while disabled', async () => {
      const { department } = await t.createDepartment({}, [{ agentId: agents[0].userId }]);
      expect((await t.post(`/livechat/department/${department._id}/archive`)).status).toBe(200);
      const res = await rejected(() =>
        t.put(`/livechat/department/${department._id}`, {
          department: required({ enabled: true }),
        }),
      );
      expectError(res, 400, 'error-archived-department-cant-be-enabled');

      const disabled = await t.put(`/livechat/department/${department._id}`, {
        department: required({ enabled: false, name: 'Archived edit' }),
      });
      expect(disabled.status).toBe(200);
      expect(await stored(department._id)).toMatchObject({
        name: 'Archived edit',
        archived: true,
        enabled: false,
      });
    });

    it('applies the closing-tags rule to the merged department', async () => {
      const { department } = await t.createDepartment();
      const path = `/livechat/department/${department._id}`;
      expectError(
        await rejected(() =>
          t.put(path, { department: { ...required(), requestTagBeforeClosingChat: true } }),
        ),
        400,
        'error-validating-department-chat-closing-tags',
      );
      expectError(
        await rejected(() =>
          t.put(path, {
            department: { ...required(), requestTagBeforeClosingChat: true, chatClosingTags: [] },
          }),
        ),
        400,
        'error-validating-department-chat-closing-tags',
      );

      const tagged = (
        await t.createDepartment({ requestTagBeforeClosingChat: true, chatClosingTags: ['x'] })
      ).department;
      expectError(
        await rejected(() =>
          t.put(`/livechat/department/${tagged._id}`, {
            department: { ...required(), chatClosingTags: [] },
          }),
        ),
        400,
        'error-validating-department-chat-closing-tags',
      );
      // The stored tags satisfy the rule when the request omits them.
      const ok = await t.put(`/livechat/department/${tagged._id}`, {
        department: { ...required(), requestTagBeforeClosingChat: true },
      });
      expect(ok.status).toBe(200);
      expect(ok.body.department.chatClosingTags).toEqual(['x']);
    });

    it('unknown agents and non-agent users → 400 error-agent-not-found, nothing written', async () => {
      const plainUser = await t.createUser();
      const { department } = await t.createDepartment({}, [{ agentId: agents[0].userId }]);
      const res = await rejected(() =>
        t.put(`/livechat/department/${department._id}`, {
          department: required({ name: 'must not be saved' }),
          agents: [
            { agentId: agents[1].userId },
            { agentId: 'nope' },
            { agentId: plainUser.userId },
          ],
        }),
      );
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        success: false,
        error: 'Agent not found [error-agent-not-found]',
        errorType: 'error-agent-not-found',
        details: { agentIds: ['nope', plainUser.userId] },
      });
    });

    it('duplicate agent ids → 400 invalid-params, nothing written', async () => {
      const { department } = await t.createDepartment();
      const res = await rejected(() =>
        t.put(`/livechat/department/${department._id}`, {
          department: required(),
          agents: [{ agentId: agents[0].userId }, { agentId: agents[0].userId }],
        }),
      );
      expect(res.status).toBe(400);
      expect(res.body.errorType).toBe('invalid-params');
    });

    it('upserts agents without removing anyone; omitted count/order are kept, given ones replace', async () => {
      const [a, b, c, d] = agents;
      const { department } = await t.createDepartment({}, [
        { agentId: a.userId, count: 4, order: 2 },
        { agentId: b.userId, count: 1, order: 1 },
        { agentId: d.userId, count: 9, order: 9 },
      ]);
      const res = await t.put(`/livechat/department/${department._id}`, {
        department: required(),
        agents: [
          { agentId: a.userId },
          { agentId: b.userId, count: 7 },
          { agentId: c.userId, order: 3 },
        ],
      });
      expect(res.status).toBe(200);
      const expected = [
        { agentId: a.userId, username: a.username, count: 4, order: 2 },
        { agentId: b.userId, username: b.username, count: 7, order: 1 },
        { agentId: c.userId, username: c.username, count: 0, order: 3 },
        { agentId: d.userId, username: d.username, count: 9, order: 9 },
      ].map((assignment) => ({
        ...assignment,
        departmentId: department._id,
        departmentEnabled: true,
      }));
      const byAgent = (x: { agentId: string }, y: { agentId: string }) =>
        x.agentId < y.agentId ? -1 : 1;
      expect([...res.body.agents].sort(byAgent)).toEqual(
        [...expected]
          .sort(byAgent)
          .map((e) => ({ ...e, _id: expect.any(String), _updatedAt: expect.any(String) })),
      );
      expect(await assignmentsOf(department._id)).toEqual(
        [...expected]
          .sort(byAgent)
          .map((e) => ({ ...e, _id: expect.any(String), _updatedAt: expect.any(Date) })),
      );
      expect(res.body.department.numAgents).toBe(4);
      expect((await stored(department._id))?.numAgents).toBe(4);

      // Without `agents`, nobody is touched.
      const before = await assignmentsOf(department._id);
      const again = await t.put(`/livechat/department/${department._id}`, {
        department: required({ name: 'no agents key' }),
      });
      expect(again.status).toBe(200);
      expect(await assignmentsOf(department._id)).toEqual(before);
      expect((await stored(department._id))?.numAgents).toBe(4);
    });

    it("makes every assignment's departmentEnabled follow `enabled`", async () => {
      const [a, b, c] = agents;
      const { department } = await t.createDepartment({ enabled: true }, [
        { agentId: a.userId },
        { agentId: b.userId },
      ]);
      const disable = await t.put(`/livechat/department/${department._id}`, {
        department: required({ enabled: false }),
        agents: [{ agentId: c.userId }],
      });
      expect(disable.status).toBe(200);
      let docs = await assignmentsOf(department._id);
      expect(docs).toHaveLength(3);
      expect(docs.map((x) => x.departmentEnabled)).toEqual([false, false, false]);
      expect(disable.body.agents.map((x: Doc) => x.departmentEnabled)).toEqual([
        false,
        false,
        false,
      ]);

      const enable = await t.put(`/livechat/department/${department._id}`, {
        department: required({ enabled: true }),
      });
      expect(enable.status).toBe(200);
      docs = await assignmentsOf(department._id);
      expect(docs.map((x) => x.departmentEnabled)).toEqual([true, true, true]);
    });

    describe('permissions', () => {
      afterEach(() =>
        setPermission('add-livechat-department-agents', [
          'admin',
          'livechat-manager',
          'livechat-monitor',
        ]),
      );

      it('add-livechat-department-agents without manage-livechat-departments → 400 error-not-allowed', async () => {
        await setPermission('add-livechat-department-agents', [
          'admin',
          'livechat-manager',
          'livechat-monitor',
          'user',
        ]);
        const adder = await t.createUser({ roles: ['user'] });
        const { department } = await t.createDepartment();
        const res = await rejected(() =>
          t.put(
            `/livechat/department/${department._id}`,
            { department: required(), agents: [{ agentId: agents[0].userId }] },
            { as: adder },
          ),
        );
        expect(res.status).toBe(400);
        expect(res.body).toEqual({
          success: false,
          error: 'error-not-allowed',
          errorType: 'error-not-allowed',
        });
      });

      it('neither permission → 403', async () => {
        const nobody = await t.createUser({ roles: ['livechat-agent'] });
        const { department } = await t.createDepartment();
        const res = await rejected(() =>
          t.put(
            `/livechat/department/${department._id}`,
            { department: required() },
            { as: nobody },
          ),
        );
        expect(res.status).toBe(403);
        expect(res.body).toEqual(FORBIDDEN_403);
      });

      it('manage-livechat-departments without add-livechat-department-agents: agents are ignored', async () => {
        await setPermission('add-livechat-department-agents', ['admin']);
        const manager = await t.createUser({ roles: ['livechat-manager'] });
        const { department } = await t.createDepartment();
        const res = await t.put(
          `/livechat/department/${department._id}`,
          {
            department: required({ name: 'saved by manager' }),
            agents: [{ agentId: agents[0].userId }],
          },
          { as: manager },
        );
        expect(res.status).toBe(200);
        expect(res.body.agents).toEqual([]);
        expect(await stored(department._id)).toMatchObject({
          name: 'saved by manager',
          numAgents: 0,
        });
        expect(await assignmentsOf(department._id)).toEqual([]);
      });
    });

    describe('If-Match', () => {
      it('GET gives an ETag; a stale one → 412 and nothing written; the current one → 200', async () => {
        const { department } = await t.createDepartment();
        const path = `/livechat/department/${department._id}`;
        const first = await t.get(path);
        expect(first.status).toBe(200);
        const staleTag = first.headers.get('etag');
        expect(staleTag).toBeTruthy();

        const change = await t.put(path, { department: required({ name: 'changed' }) });
        expect(change.status).toBe(200);

        const stale = await rejected(() =>
          t.put(
            path,
            { department: required({ name: 'lost update' }) },
            { headers: { 'if-match': staleTag as string } },
          ),
        );
        expectError(stale, 412, 'error-precondition-failed');
        expect((await stored(department._id))?.name).toBe('changed');

        const current = await t.get(path);
        const currentTag = current.headers.get('etag');
        expect(currentTag).toBeTruthy();
        expect(currentTag).not.toBe(staleTag);
        const ok = await t.put(
          path,
          { department: required({ name: 'with current tag' }) },
          { headers: { 'if-match': currentTag as string } },
        );
        expect(ok.status).toBe(200);
        expect((await stored(department._id))?.name).toBe('with current tag');
      });

      it('an agents-only change also changes the ETag', async () => {
        const { department } = await t.createDepartment();
        const path = `/livechat/department/${department._id}`;
        const tag = (await t.get(path)).headers.get('etag') as string;
        const add = await t.post(`${path}/agents`, {
          upsert: [{ agentId: agents[0].userId }],
          remove: [],
        });
        expect(add.status).toBe(200);
        const stale = await rejected(() =>
          t.put(path, { department: required() }, { headers: { 'if-match': tag } }),
        );
        expectError(stale, 412, 'error-precondition-failed');
      });

      it('two concurrent PUTs with the same If-Match: exactly one 200 and one 412', async () => {
        for (let round = 0; round < 3; round++) {
          const { department } = await t.createDepartment();
          const path = `/livechat/department/${department._id}`;
          const tag = (await t.get(path)).headers.get('etag') as string;
          const results = await Promise.all(
            ['first', 'second'].map((name) =>
              t.put(path, { department: required({ name }) }, { headers: { 'if-match': tag } }),
            ),
          );
          expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
          const [winner] = results.filter((r) => r.status === 200);
          const [loser] = results.filter((r) => r.status === 412);
          expectError(loser, 412, 'error-precondition-failed');
          expect((await stored(department._id))?.name).toBe(winner.body.department.name);
        }
      });
    });
  });

  // ---------------------------------------------------------------------------------------
  describe('DELETE /livechat/department/:_id', () => {
    const REMOVAL_DISABLED = {
      success: false,
      error: 'error-department-removal-disabled',
      errorType: 'error-department-removal-disabled',
    };
    afterAll(() => setSetting('Omnichannel_enable_department_removal', false));

    it('is refused while the removal setting is off (the default), even for an unknown id', async () => {
      const { department } = await t.createDepartment({}, [{ agentId: agents[0].userId }]);
      const existing = await rejected(() => t.delete(`/livechat/department/${department._id}`));
      expect(existing.status).toBe(400);
      expect(existing.body).toEqual(REMOVAL_DISABLED);
      const unknown = await rejected(() => t.delete('/livechat/department/does-not-exist'));
      expect(unknown.status).toBe(400);
      expect(unknown.body).toEqual(REMOVAL_DISABLED);
    });

    it('needs manage-livechat-departments or remove-livechat-department', async () => {
      await setSetting('Omnichannel_enable_department_removal', true);
      const { department } = await t.createDepartment();
      const res = await rejected(() =>
        t.delete(`/livechat/department/${department._id}`, { as: agents[0] }),
      );
      expect(res.status).toBe(403);
      expect(res.body).toEqual(FORBIDDEN_403);
    });

    it('unknown id → 400 error-department-not-found (bare)', async () => {
      await setSetting('Omnichannel_enable_department_removal', true);
      const res = await rejected(() => t.delete('/livechat/department/does-not-exist'));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        success: false,
        error: 'error-department-not-found',
        errorType: 'error-department-not-found',
      });
    });

    it('deletes the department, its assignments and every reference to it', async () => {
      await setSetting('Omnichannel_enable_department_removal', true);
      const kept = (await t.createDepartment({}, [{ agentId: agents[0].userId }])).department;
      const target = (
        await t.createDepartment({}, [{ agentId: agents[0].userId }, { agentId: agents[1].userId }])
      ).department;
      const both = (
        await t.createDepartment({
          fallbackForwardDepartment: target._id,
          departmentsAllowedToForward: [kept._id, target._id],
        })
      ).department;
      const forwardOnly = (await t.createDepartment({ departmentsAllowedToForward: [target._id] }))
        .department;
      const unrelated = (
        await t.createDepartment({
          fallbackForwardDepartment: kept._id,
          departmentsAllowedToForward: [kept._id],
        })
      ).department;
      const unrelatedBefore = await stored(unrelated._id);
      const keptAssignments = await assignmentsOf(kept._id);

      const res = await t.delete(`/livechat/department/${target._id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true });

      expect(await stored(target._id)).toBeNull();
      expect(await assignments().countDocuments({ departmentId: target._id })).toBe(0);
      const bothAfter = await stored(both._id);
      expect(bothAfter).not.toHaveProperty('fallbackForwardDepartment');
      expect(bothAfter?.departmentsAllowedToForward).toEqual([kept._id]);
      expect((await stored(forwardOnly._id))?.departmentsAllowedToForward).toEqual([]);
      expect(
        await departments().countDocuments({
          $or: [
            { fallbackForwardDepartment: target._id },
            { departmentsAllowedToForward: target._id },
          ],
        }),
      ).toBe(0);
      expect(await stored(unrelated._id)).toEqual(unrelatedBefore);
      expect(await assignmentsOf(kept._id)).toEqual(keptAssignments);

      const again = await t.delete(`/livechat/department/${target._id}`);
      expect(again.status).toBe(400);
      expect(again.body.errorType).toBe('error-department-not-found');
    });
  });

  // ---------------------------------------------------------------------------------------
  describe('archive / unarchive', () => {
    it('archive disables the department and its assignments; twice is a no-op', async () => {
      const { department } = await t.createDepartment({ enabled: true }, [
        { agentId: agents[0].userId },
        { agentId: agents[1].userId },
      ]);
      const path = `/livechat/department/${department._id}`;
      const res = await t.post(`${path}/archive`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true });
      expect(await stored(department._id)).toMatchObject({ archived: true, enabled: false });
      expect((await assignmentsOf(department._id)).map((x) => x.departmentEnabled)).toEqual([
        false,
        false,
      ]);

      const before = await snapshot();
      const twice = await t.post(`${path}/archive`);
      expect(twice.status).toBe(200);
      expect(twice.body).toEqual({ success: true });
      expect(await snapshot()).toBe(before);

      const unarchive = await t.post(`${path}/unarchive`);
      expect(unarchive.status).toBe(200);
      expect(unarchive.body).toEqual({ success: true });
      expect(await stored(department._id)).toMatchObject({ archived: false, enabled: false });
      expect((await assignmentsOf(department._id)).map((x) => x.departmentEnabled)).toEqual([
        false,
        false,
      ]);
    });

    it('unknown id → 400 Department not found', async () => {
      for (const action of ['archive', 'unarchive']) {
        const res = await rejected(() => t.post(`/livechat/department/does-not-exist/${action}`));
        expect(res.status).toBe(400);
        expect(res.body).toEqual(DEPARTMENT_NOT_FOUND);
      }
    });

    it('needs manage-livechat-departments: an agent gets 403', async () => {
      const { department } = await t.createDepartment();
      for (const action of ['archive', 'unarchive']) {
        const res = await rejected(() =>
          t.post(`/livechat/department/${department._id}/${action}`, undefined, { as: agents[0] }),
        );
        expect(res.status).toBe(403);
        expect(res.body).toEqual(FORBIDDEN_403);
      }
    });
  });

  // ---------------------------------------------------------------------------------------
  describe('POST /livechat/department/:_id/agents', () => {
    let pool: TestUser[];
    beforeAll(async () => {
      pool = await Promise.all(Array.from({ length: 20 }, () => t.createAgent()));
    });

    it.each(['upsert', 'remove'])("missing %s → 400 in check()'s words", async (key) => {
      const { department } = await t.createDepartment({}, [{ agentId: agents[0].userId }]);
      const body: Record<string, unknown> = {
        upsert: [{ agentId: agents[1].userId }],
        remove: [{ agentId: agents[0].userId }],
      };
      delete body[key];
      const res = await rejected(() =>
        t.post(`/livechat/department/${department._id}/agents`, body),
      );
      expectMatchError(res, `Match error: Missing key '${key}'`);
    });

    it('unknown department → 400 Department not found', async () => {
      const res = await rejected(() =>
        t.post('/livechat/department/does-not-exist/agents', {
          upsert: [{ agentId: agents[0].userId }],
          remove: [],
        }),
      );
      expect(res.status).toBe(400);
      expect(res.body).toEqual(DEPARTMENT_NOT_FOUND);
    });

    it('an unknown agent in upsert → 400 error-agent-not-found, nothing written', async () => {
      const { department } = await t.createDepartment({}, [{ agentId: agents[0].userId }]);
      const res = await rejected(() =>
        t.post(`/livechat/department/${department._id}/agents`, {
          upsert: [{ agentId: agents[1].userId }, { agentId: 'nope' }],
          remove: [{ agentId: agents[0].userId }],
        }),
      );
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        success: false,
        error: 'Agent not found [error-agent-not-found]',
        errorType: 'error-agent-not-found',
        details: { agentIds: ['nope'] },
      });
    });

    it('needs a permission: a plain agent gets 403', async () => {
      const { department } = await t.createDepartment();
      const res = await rejected(() =>
        t.post(
          `/livechat/department/${department._id}/agents`,
          { upsert: [{ agentId: agents[0].userId }], remove: [] },
          { as: agents[0] },
        ),
      );
      expect(res.status).toBe(403);
      expect(res.body).toEqual(FORBIDDEN_403);
    });

    it('removing an agent that is not assigned is a no-op', async () => {
      const { department } = await t.createDepartment({}, [{ agentId: agents[0].userId }]);
      const before = await assignmentsOf(department._id);
      const res = await t.post(`/livechat/department/${department._id}/agents`, {
        upsert: [],
        remove: [{ agentId: agents[1].userId }, { agentId: 'never-assigned' }],
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true });
      expect(await assignmentsOf(department._id)).toEqual(before);
      expect((await stored(department._id))?.numAgents).toBe(1);
    });

    it('upserts keep omitted count/order, replace given ones, and keep numAgents exact', async () => {
      const [a, b, c, d] = agents;
      const { department } = await t.createDepartment({ enabled: false }, [
        { agentId: a.userId, count: 5, order: 6 },
        { agentId: b.userId, count: 2, order: 3 },
        { agentId: d.userId },
      ]);
      const res = await t.post(`/livechat/department/${department._id}/agents`, {
        upsert: [
          { agentId: a.userId },
          { agentId: b.userId, count: 0, order: 8, username: 'ignored' },
          { agentId: c.userId, count: 1 },
        ],
        remove: [{ agentId: d.userId }],
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true });
      const docs = await assignmentsOf(department._id);
      const view = (x: Doc) => ({
        agentId: x.agentId,
        username: x.username,
        count: x.count,
        order: x.order,
        departmentEnabled: x.departmentEnabled,
      });
      expect(docs.map(view)).toEqual(
        [
          { agentId: a.userId, username: a.username, count: 5, order: 6, departmentEnabled: false },
          { agentId: b.userId, username: b.username, count: 0, order: 8, departmentEnabled: false },
          { agentId: c.userId, username: c.username, count: 1, order: 0, departmentEnabled: false },
        ].sort((x, y) => (x.agentId < y.agentId ? -1 : 1)),
      );
      expect((await stored(department._id))?.numAgents).toBe(3);
    });

    /** numAgents equals the real number of assignments, and no agent is assigned twice. */
    async function expectConsistent(departmentId: string): Promise<Doc[]> {
      const docs = await assignments().find({ departmentId }).toArray();
      const agentIds = docs.map((x) => x.agentId);
      expect(new Set(agentIds).size).toBe(agentIds.length);
      expect((await stored(departmentId))?.numAgents).toBe(docs.length);
      return docs;
    }

    it('20 concurrent upserts and removes of 10 agents keep numAgents exact and pairs unique', async () => {
      const ten = pool.slice(0, 10);
      for (let round = 0; round < 3; round++) {
        const { department } = await t.createDepartment(
          {},
          ten.slice(0, 5).map((agent) => ({ agentId: agent.userId })),
        );
        const path = `/livechat/department/${department._id}/agents`;
        const bodies = [
          // Each agent upserted by one request...
          ...ten.map((agent, i) => ({ upsert: [{ agentId: agent.userId, order: i }], remove: [] })),
          // ...and removed by another, which also upserts the next agent.
          ...ten.map((agent, i) => ({
            upsert: [{ agentId: ten[(i + 1) % 10].userId, count: i }],
            remove: [{ agentId: agent.userId }],
          })),
        ];
        // Interleave so upserts and removes of the same agent race each other.
        const order = bodies.map((_, i) => (i % 2 === 0 ? i / 2 : 10 + (i - 1) / 2));
        const results = await Promise.all(order.map((i) => t.post(path, bodies[i])));
        for (const res of results) {
          expect(res.status).toBe(200);
          expect(res.body).toEqual({ success: true });
        }
        await expectConsistent(department._id);
      }
    });

    it('20 concurrent upserts of 20 distinct agents → numAgents 20', async () => {
      const { department } = await t.createDepartment();
      const path = `/livechat/department/${department._id}/agents`;
      const results = await Promise.all(
        pool.map((agent) => t.post(path, { upsert: [{ agentId: agent.userId }], remove: [] })),
      );
      expect(results.map((r) => r.status)).toEqual(pool.map(() => 200));
      const docs = await expectConsistent(department._id);
      expect(docs).toHaveLength(20);
      expect((await stored(department._id))?.numAgents).toBe(20);
    });

    it('10 concurrent upserts of the same agent assign it once', async () => {
      const { department } = await t.createDepartment();
      const path = `/livechat/department/${department._id}/agents`;
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          t.post(path, { upsert: [{ agentId: pool[0].userId, count: i }], remove: [] }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
      const docs = await expectConsistent(department._id);
      expect(docs).toHaveLength(1);
    });
  });
});
