// GET /livechat/department/:_id/history: one entry per change, newest first, with who,
// when, which request and what changed; kept after the department is deleted.
import { DepartmentRecovery } from '../src/livechat/departments/department-recovery';
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
      agents: { added: [agents[0].userId], removed: [], changed: [] },
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
      agents: { added: [], removed: [agents[2].userId], changed: [] },
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

it('is described in the OpenAPI document with its answer shape', async () => {
  const doc = (await t.get('!/api/docs-json', { as: null })).body;
  const operation = doc.paths['/api/v1/livechat/department/{_id}/history'].get;
  expect(operation.summary).toMatch(/history/i);
  const schema = JSON.stringify(operation.responses['200']);
  expect(schema).toContain('HistoryPageDoc');
  expect(Object.keys(doc.components.schemas.HistoryPageDoc.properties)).toEqual(
    expect.arrayContaining(['history', 'count', 'offset', 'total']),
  );
});
