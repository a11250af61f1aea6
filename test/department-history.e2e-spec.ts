// GET /livechat/department/:_id/history: one entry per change, newest first, with who,
// when, which request and what changed; kept after the department is deleted.
import { DepartmentRecovery } from '../src/livechat/write-path/department-recovery';
import {
  FORBIDDEN_403,
  TestApp,
  TestUser,
  UNAUTHORIZED_401,
  expectInvalidParams,
} from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- entries are checked field by field
type Json = any;

let t: TestApp;
let agents: TestUser[];

beforeAll(async () => {
  t = await TestApp.start({ DEPARTMENT_REMOVAL_ENABLED: 'true', HISTORY_RETENTION_DAYS: '30' });
  agents = await Promise.all([t.createAgent(), t.createAgent(), t.createAgent()]);
});

afterAll(async () => {
  await t?.close();
});

const history = async (id: string, query = ''): Promise<Json> => {
  const res = await t.get(`/livechat/department/${id}/history${query}`);
  expect(res.status).toBe(200);
  return res.body;
};

/** An agent as history entries name it. */
const userOf = (user: TestUser) => ({ _id: user.userId, username: user.username });

const base = (overrides: Record<string, unknown> = {}) => ({
  name: 'History desk',
  email: 'history@example.com',
  enabled: true,
  showOnRegistration: true,
  showOnOfflineForm: false,
  ...overrides,
});

describe('department history', () => {
  let id: string;
  const admin = () => ({ _id: t.admin.userId, username: 'admin' });

  it('records a create with its agents, the author and the request id', async () => {
    const res = await t.post(
      '/livechat/department',
      { department: base(), agents: [{ agentId: agents[0].userId }] },
      { headers: { 'x-request-id': 'req-create-1' } },
    );
    expect(res.status).toBe(200);
    id = res.body.department._id;
    const body = await history(id);
    expect(body).toEqual({
      history: [expect.any(Object)],
      count: 1,
      offset: 0,
      total: 1,
      success: true,
    });
    expect(body.history[0]).toEqual({
      _id: expect.any(String),
      departmentId: id,
      action: 'create',
      user: admin(),
      ts: expect.any(String),
      requestId: 'req-create-1',
      agents: {
        added: [agents[0].userId],
        removed: [],
        changed: [],
        users: [userOf(agents[0])],
      },
    });
    expect(Date.parse(body.history[0].ts)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('records a PUT as one update entry with changed fields and agents', async () => {
    const res = await t.put(`/livechat/department/${id}`, {
      department: base({ name: 'History desk 2', description: 'now described' }),
      agents: [{ agentId: agents[0].userId, count: 4 }, { agentId: agents[1].userId }],
    });
    expect(res.status).toBe(200);
    const [latest] = (await history(id)).history;
    expect(latest).toMatchObject({ action: 'update', user: admin() });
    expect(latest.changes).toEqual([
      { field: 'name', from: 'History desk', to: 'History desk 2' },
      { field: 'description', from: null, to: 'now described' },
    ]);
    expect(latest.agents).toEqual({
      added: [agents[1].userId],
      removed: [],
      changed: [{ agentId: agents[0].userId, count: 4 }],
      users: [userOf(agents[1]), userOf(agents[0])],
    });
  });

  it('records nothing for a PUT that changes nothing', async () => {
    const before = (await history(id)).total;
    const res = await t.put(`/livechat/department/${id}`, {
      department: base({ name: 'History desk 2', description: 'now described' }),
    });
    expect(res.status).toBe(200);
    expect((await history(id)).total).toBe(before);
  });

  it('records agent changes through POST …/agents', async () => {
    const res = await t.post(`/livechat/department/${id}/agents`, {
      upsert: [{ agentId: agents[2].userId }, { agentId: agents[1].userId, order: 3 }],
      remove: [{ agentId: agents[0].userId }],
    });
    expect(res.status).toBe(200);
    const [latest] = (await history(id)).history;
    expect(latest).toMatchObject({ action: 'agents', user: admin() });
    expect(latest.changes).toBeUndefined();
    expect(latest.agents).toEqual({
      added: [agents[2].userId],
      removed: [agents[0].userId],
      changed: [{ agentId: agents[1].userId, order: 3 }],
      users: [userOf(agents[2]), userOf(agents[0]), userOf(agents[1])],
    });
  });

  it('records archive and unarchive, but not a repeated archive', async () => {
    expect((await t.post(`/livechat/department/${id}/archive`)).status).toBe(200);
    expect((await t.post(`/livechat/department/${id}/archive`)).status).toBe(200);
    expect((await t.post(`/livechat/department/${id}/unarchive`)).status).toBe(200);
    const [unarchive, archive, previous] = (await history(id)).history;
    expect(unarchive).toMatchObject({
      action: 'unarchive',
      changes: [{ field: 'archived', from: true, to: false }],
    });
    expect(archive).toMatchObject({
      action: 'archive',
      changes: [
        { field: 'archived', from: false, to: true },
        { field: 'enabled', from: true, to: false },
      ],
    });
    expect(previous.action).toBe('agents');
  });

  it('records who removed an agent role', async () => {
    const manager = await t.createUser({ roles: ['livechat-manager'] });
    expect(
      (await t.delete(`/livechat/users/agent/${agents[2].userId}`, { as: manager })).status,
    ).toBe(200);
    const [latest] = (await history(id)).history;
    expect(latest).toMatchObject({
      action: 'agents',
      user: { _id: manager.userId, username: manager.username },
      agents: {
        added: [],
        removed: [agents[2].userId],
        changed: [],
        users: [userOf(agents[2])],
      },
    });
  });

  it('pages newest first with count, offset and total', async () => {
    const all = await history(id);
    expect(all.total).toBe(6);
    expect(all.history.map((entry: Json) => entry.action)).toEqual([
      'agents',
      'unarchive',
      'archive',
      'agents',
      'update',
      'create',
    ]);
    const page = await history(id, '?count=2&offset=1');
    expect(page).toMatchObject({ count: 2, offset: 1, total: 6 });
    expect(page.history).toEqual(all.history.slice(1, 3));
    const timestamps = all.history.map((entry: Json) => Date.parse(entry.ts));
    expect([...timestamps].sort((a, b) => b - a)).toEqual(timestamps);
  });

  it('keeps the history after a delete, which is recorded too, and records the references it cleans', async () => {
    const other = (
      await t.createDepartment({ fallbackForwardDepartment: id, departmentsAllowedToForward: [id] })
    ).department;
    expect((await t.delete(`/livechat/department/${id}`)).status).toBe(200);
    const body = await history(id);
    expect(body.total).toBe(7);
    expect(body.history[0]).toMatchObject({ action: 'delete', departmentId: id, user: admin() });
    const [cleaned] = (await history(other._id)).history;
    expect(cleaned).toMatchObject({
      action: 'update',
      changes: [
        { field: 'departmentsAllowedToForward', from: [id], to: [] },
        { field: 'fallbackForwardDepartment', from: id, to: null },
      ],
    });
  });

  it('leaves no journaled write behind once writes are done', async () => {
    expect(await t.db.collection('livechat_department_history').countDocuments()).toBeGreaterThan(
      0,
    );
    expect(await t.db.collection('livechat_department_journal').countDocuments()).toBe(0);
  });

  it('answers an unknown department with an empty page', async () => {
    expect(await history('no-such-department')).toEqual({
      history: [],
      count: 0,
      offset: 0,
      total: 0,
      success: true,
    });
  });

  it('validates paging', async () => {
    expectInvalidParams(await t.get(`/livechat/department/${id}/history?count=-1`), 'count');
    const sort = await t.get(`/livechat/department/${id}/history?sort={"ts":1}`);
    expect(sort.status).toBe(400);
    expect(sort.body.errorType).toBe('error-invalid-sort');
  });

  it('needs authentication and view-livechat-departments', async () => {
    const res = await t.get(`/livechat/department/${id}/history`, { as: null });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(UNAUTHORIZED_401);
    // view-l-room alone (an agent) is not enough.
    const agentRes = await t.get(`/livechat/department/${id}/history`, { as: agents[0] });
    expect(agentRes.status).toBe(403);
    expect(agentRes.body).toEqual(FORBIDDEN_403);
  });

  it('prunes entries older than HISTORY_RETENTION_DAYS', async () => {
    const entries = t.db.collection('livechat_department_history');
    const old = new Date(Date.now() - 31 * 24 * 60 * 60 * 1000);
    const recent = new Date(Date.now() - 29 * 24 * 60 * 60 * 1000);
    const entry = (suffix: string, ts: Date) => ({
      _id: `prune-${suffix}` as never,
      departmentId: 'pruned-department',
      action: 'update',
      user: admin(),
      ts,
      requestId: 'r',
    });
    await entries.insertMany([entry('old', old), entry('recent', recent)]);
    await t.app.get(DepartmentRecovery).prune();
    const left = (await history('pruned-department')).history.map((e: Json) => e._id);
    expect(left).toEqual(['prune-recent']);
  });
});

describe('department history in names', () => {
  const latestOf = async (id: string): Promise<Json> => (await history(id)).history[0];

  it('keeps the referenced departments’ names with each reference change, after they are deleted too', async () => {
    const sales = (await t.createDepartment(base({ name: 'Sales' }))).department;
    const support = (await t.createDepartment(base({ name: 'Support' }))).department;
    const desk = (await t.createDepartment(base({ name: 'Names desk' }))).department;
    const res = await t.put(`/livechat/department/${desk._id}`, {
      department: base({
        name: 'Names desk',
        fallbackForwardDepartment: sales._id,
        departmentsAllowedToForward: [sales._id, support._id],
      }),
    });
    expect(res.status).toBe(200);
    const expected = [
      {
        field: 'fallbackForwardDepartment',
        from: null,
        to: sales._id,
        fromName: null,
        toName: 'Sales',
      },
      {
        field: 'departmentsAllowedToForward',
        from: null,
        to: [sales._id, support._id],
        fromName: null,
        toName: ['Sales', 'Support'],
      },
    ];
    expect((await latestOf(desk._id)).changes).toEqual(expect.arrayContaining(expected));

    // Moving the fallback names both ends.
    await t.put(`/livechat/department/${desk._id}`, {
      department: base({ name: 'Names desk', fallbackForwardDepartment: support._id }),
    });
    expect((await latestOf(desk._id)).changes).toEqual([
      {
        field: 'fallbackForwardDepartment',
        from: sales._id,
        to: support._id,
        fromName: 'Sales',
        toName: 'Support',
      },
    ]);

    // The names were stored with the entries: they still read once Sales is gone.
    expect((await t.delete(`/livechat/department/${sales._id}`)).status).toBe(200);
    const entries = (await history(desk._id)).history;
    const withSales = entries.find((entry: Json) =>
      entry.changes?.some((change: Json) => change.toName === 'Sales'),
    );
    expect(withSales.changes).toEqual(expect.arrayContaining(expected));
  });

  it('names the schedules of a businessHourId change, after the schedule is deleted too', async () => {
    const desk = (await t.createDepartment(base({ name: 'Schedule desk' }))).department;
    const schedule = {
      name: 'Berlin office',
      active: true,
      type: 'custom',
      timezone: 'Europe/Berlin',
      workHours: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'].map(
        (day) => ({ day, start: '08:00', finish: '17:00', open: true }),
      ),
      departmentsToApplyBusinessHour: desk._id,
    };
    const saved = await t.post('/livechat/business-hour', schedule);
    expect(saved.status).toBe(200);
    const scheduleId = saved.body.businessHour._id;
    expect((await latestOf(desk._id)).changes).toEqual([
      {
        field: 'businessHourId',
        from: null,
        to: scheduleId,
        fromName: null,
        toName: 'Berlin office',
      },
    ]);
    expect((await t.delete(`/livechat/business-hour/${scheduleId}`)).status).toBe(200);
    expect((await latestOf(desk._id)).changes).toEqual([
      {
        field: 'businessHourId',
        from: scheduleId,
        to: null,
        fromName: 'Berlin office',
        toName: null,
      },
    ]);
  });

  it('records no change for empty values a form sends for what was never set', async () => {
    const desk = (await t.createDepartment(base({ name: 'Phantom desk' }))).department;
    const before = (await history(desk._id)).total;
    // What Rocket.Chat's form (and the console) send for a department without optional values.
    const res = await t.put(`/livechat/department/${desk._id}`, {
      department: {
        enabled: true,
        name: 'Phantom desk',
        description: '',
        showOnRegistration: true,
        showOnOfflineForm: false,
        requestTagBeforeClosingChat: false,
        email: 'history@example.com',
        chatClosingTags: [],
        offlineMessageChannelName: '',
        abandonedRoomsCloseCustomMessage: '',
        waitingQueueMessage: '',
        departmentsAllowedToForward: [],
        fallbackForwardDepartment: '',
        allowReceiveForwardOffline: false,
        maxNumberSimultaneousChat: null,
      },
      agents: [],
    });
    expect(res.status).toBe(200);
    expect((await history(desk._id)).total).toBe(before);
  });

  it('records a cleared field as a change to null', async () => {
    const desk = (
      await t.createDepartment(
        base({ name: 'Clear desk', description: 'old', chatClosingTags: ['a'] }),
      )
    ).department;
    await t.put(`/livechat/department/${desk._id}`, {
      department: base({ name: 'Clear desk', description: '', chatClosingTags: [] }),
    });
    expect((await latestOf(desk._id)).changes).toEqual([
      { field: 'description', from: 'old', to: null },
      { field: 'chatClosingTags', from: ['a'], to: null },
    ]);
  });
});

describe('one history entry per save', () => {
  // Agents of their own: an earlier test takes the agent role from agents[2].
  let crew: TestUser[];
  beforeAll(async () => {
    crew = await Promise.all([t.createAgent(), t.createAgent(), t.createAgent()]);
  });

  /** A console save: PUT, then POST …/agents for the removals, both with `requestId`. */
  const save = async (
    id: string,
    requestId: string,
    remove: TestUser[],
    options: { agentsRequestId?: string; as?: TestUser } = {},
  ) => {
    const put = await t.put(
      `/livechat/department/${id}`,
      {
        department: base({ name: `Save desk ${requestId}` }),
        agents: [{ agentId: crew[2].userId, count: 1 }],
      },
      { headers: { 'x-request-id': requestId }, ...(options.as && { as: options.as }) },
    );
    expect(put.status).toBe(200);
    const post = await t.post(
      `/livechat/department/${id}/agents`,
      { upsert: [], remove: remove.map((agent) => ({ agentId: agent.userId })) },
      {
        headers: { 'x-request-id': options.agentsRequestId ?? requestId },
        ...(options.as && { as: options.as }),
      },
    );
    expect(post.status).toBe(200);
  };

  const desk = async () =>
    (
      await t.createDepartment(base({ name: 'Save desk' }), [
        { agentId: crew[0].userId },
        { agentId: crew[1].userId },
      ])
    ).department;

  it('merges the agents request into the PUT entry of the same user and request id', async () => {
    const department = await desk();
    await save(department._id, 'save-1', [crew[0]]);
    const body = await history(department._id);
    expect(body.total).toBe(2);
    expect(body.history[0]).toMatchObject({
      action: 'update',
      requestId: 'save-1',
      changes: [{ field: 'name', from: 'Save desk', to: 'Save desk save-1' }],
      agents: {
        added: [crew[2].userId],
        removed: [crew[0].userId],
        changed: [],
        users: [userOf(crew[2]), userOf(crew[0])],
      },
    });
    // The agents were really removed and added.
    const stored = (await t.get(`/livechat/department/${department._id}`)).body.agents;
    expect(stored.map((agent: Json) => agent.agentId).sort()).toEqual(
      [crew[1].userId, crew[2].userId].sort(),
    );
    expect(await t.db.collection('livechat_department_journal').countDocuments()).toBe(0);
  });

  it('keeps two entries for two request ids, or for another user', async () => {
    const department = await desk();
    await save(department._id, 'save-2', [crew[0]], { agentsRequestId: 'save-3' });
    const manager = await t.createUser({ roles: ['livechat-manager'] });
    await save(department._id, 'save-4', [crew[1]], { as: manager });
    // The same request id again, but the latest entry is someone else's: no merge.
    const post = await t.post(
      `/livechat/department/${department._id}/agents`,
      { upsert: [{ agentId: crew[0].userId }], remove: [] },
      { headers: { 'x-request-id': 'save-4' } },
    );
    expect(post.status).toBe(200);
    const actions = (await history(department._id)).history.map(
      (entry: Json) => `${entry.action}:${entry.requestId}`,
    );
    expect(actions).toEqual([
      'agents:save-4',
      'update:save-4',
      'agents:save-3',
      'update:save-2',
      expect.stringMatching(/^create:/),
    ]);
  });

  it('merges a save whose agents request echoes the id the service gave its PUT; without ids, two entries', async () => {
    const department = await desk();
    const update = { department: base({ name: 'Save desk echoed' }), agents: [] };
    const put = await t.put(`/livechat/department/${department._id}`, update);
    expect(put.status).toBe(200);
    const given = put.headers.get('x-request-id');
    expect(given).toEqual(expect.any(String));
    const echoed = await t.post(
      `/livechat/department/${department._id}/agents`,
      { upsert: [], remove: [{ agentId: crew[0].userId }] },
      { headers: { 'x-request-id': given! } },
    );
    expect(echoed.status).toBe(200);
    // No id at all: the service's fresh one matches no entry.
    const unnamed = await t.post(`/livechat/department/${department._id}/agents`, {
      upsert: [],
      remove: [{ agentId: crew[1].userId }],
    });
    expect(unnamed.status).toBe(200);
    const entries = (await history(department._id)).history;
    expect(entries.map((entry: Json) => entry.action)).toEqual(['agents', 'update', 'create']);
    expect(entries[1]).toMatchObject({
      requestId: given,
      agents: { added: [], removed: [crew[0].userId], changed: [] },
    });
    expect(entries[0].requestId).not.toBe(given);
  });

  it('nets out an agent added by the PUT and removed by the agents request', async () => {
    const department = await desk();
    await save(department._id, 'save-5', [crew[2]]);
    const [entry] = (await history(department._id)).history;
    expect(entry.agents).toEqual({ added: [], removed: [], changed: [], users: [] });
  });
});

it('is described in the OpenAPI document with its answer shape', async () => {
  const doc = (await t.get('!/api/docs-json', { as: null })).body;
  const operation = doc.paths['/api/v1/livechat/department/{_id}/history'].get;
  expect(operation.summary).toMatch(/history/i);
  const schema = JSON.stringify(operation.responses['200']);
  expect(schema).toContain('HistoryPageDoc');
  expect(Object.keys(doc.components.schemas.HistoryPageDoc.properties)).toEqual(
    expect.arrayContaining(['history', 'count', 'offset', 'total']),
  );
  // The names kept with an entry.
  expect(Object.keys(doc.components.schemas.FieldChangeDoc.properties)).toEqual(
    expect.arrayContaining(['field', 'from', 'to', 'fromName', 'toName']),
  );
  expect(Object.keys(doc.components.schemas.AgentChangesDoc.properties)).toEqual(
    expect.arrayContaining(['added', 'removed', 'changed', 'users']),
  );
});
