// The largest writes the contract allows (1000 agents in one request) complete, on the
// embedded database too: FerretDB 1.24 hangs on update batches of 100 or more, so the
// service sends them in chunks.
import { TestApp } from './support/test-app';

const AGENTS = 1000;

let t: TestApp;
let agentIds: string[];

beforeAll(async () => {
  // One instance, as the embedded default runs (`local`): its writes carry no fence. With
  // shared coordination each fenced update scans the collection on FerretDB; a 1000-agent
  // write of several instances is test/write-fencing-process.e2e-spec.ts.
  // The largest write takes seconds on FerretDB, and many on a busy machine: no request
  // timeout may cut it short.
  t = await TestApp.start({
    WRITE_COORDINATION: 'local',
    REQUEST_TIMEOUT_MS: '300000',
    CONNECTION_TIMEOUT_MS: '300000',
  });
  agentIds = Array.from({ length: AGENTS }, (_, i) => `bulk-agent-${String(i).padStart(4, '0')}`);
  await t.db.collection('users').insertMany(
    agentIds.map((_id) => ({
      _id: _id as never,
      username: _id,
      roles: ['user', 'livechat-agent'],
      active: true,
      emails: [],
      type: 'user',
    })),
  );
});

afterAll(async () => {
  await t?.close();
});

it(`creates a department with ${AGENTS} agents, then updates all of them at once`, async () => {
  const created = await t.createDepartment(
    {},
    agentIds.map((agentId) => ({ agentId })),
  );
  const id = created.department._id;
  expect(created.department.numAgents).toBe(AGENTS);

  const res = await t.post(`/livechat/department/${id}/agents`, {
    upsert: agentIds.map((agentId, order) => ({ agentId, count: 2, order })),
    remove: [],
  });
  expect(res.status).toBe(200);
  const assignments = t.db.collection('rocketchat_livechat_department_agents');
  expect(await assignments.countDocuments({ departmentId: id })).toBe(AGENTS);
  expect(await assignments.countDocuments({ departmentId: id, count: 2 })).toBe(AGENTS);
  const stored = await t.get(`/livechat/department/${id}?includeAgents=false`);
  expect(stored.body.department.numAgents).toBe(AGENTS);
  const [entry] = (await t.get(`/livechat/department/${id}/history?count=1`)).body.history;
  expect(entry.agents.changed).toHaveLength(AGENTS);
}, 300_000);
