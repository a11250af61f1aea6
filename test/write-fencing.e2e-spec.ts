// Fencing the database enforces: two instances on one database, the lease holder paused
// between deciding a write and sending it (its heartbeat stopped, as a frozen process's
// would) for longer than its lease. The other instance takes over and writes; when the
// paused one resumes and sends its old write, the database refuses it. Each scenario is
// one the advisory lease check let through.
import { getConnectionToken, getModelToken } from '@nestjs/mongoose';
import type { Connection, Model } from 'mongoose';
import { DepartmentAgent } from '../src/livechat/departments/schemas/department-agent.schema';
import { Department } from '../src/livechat/departments/schemas/department.schema';
import { Unit } from '../src/livechat/units/unit.schema';
import { DepartmentRecovery } from '../src/livechat/write-path/department-recovery';
import { WriteLeases } from '../src/livechat/write-path/write-leases';
import { invariantViolations } from './support/invariants';
import { ApiResponse, TestApp, TestUser } from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- stored documents are checked field by field
type Json = any;

// Lease takeovers, replays and sweeps on a busy machine: a wide margin, not a speed.
jest.setTimeout(180_000);

const ENV = { WRITE_LEASE_TTL_MS: '1000', DEPARTMENT_REMOVAL_ENABLED: 'true' };

let a: TestApp;
let b: TestApp;
let agents: TestUser[];

beforeAll(async () => {
  a = await TestApp.start(ENV);
  b = await TestApp.start(ENV, { sameDatabaseAs: a });
  // The tests run recovery passes themselves.
  await a.app.get(DepartmentRecovery).onApplicationShutdown();
  await b.app.get(DepartmentRecovery).onApplicationShutdown();
  agents = await Promise.all([a.createAgent(), a.createAgent()]);
});

afterAll(async () => {
  jest.restoreAllMocks();
  await b?.close();
  await a?.close();
});

/**
 * Pauses instance A at its next call of `method` on `model` (matching `when`): resolves
 * `reached` there and waits for `resume()`. A's heartbeat stops too, so its lease expires
 * as a frozen process's would.
 */
function pauseA<T>(
  modelName: string,
  method: 'updateOne' | 'insertMany' | 'bulkWrite',
  when: (args: unknown[]) => boolean = () => true,
): { reached: Promise<void>; resume: () => void } {
  const model = a.app.get<Model<T>>(getModelToken(modelName));
  const original = (model[method] as (...args: unknown[]) => unknown).bind(model);
  let resume!: () => void;
  const resumed = new Promise<void>((resolve) => (resume = resolve));
  let reached!: () => void;
  const reachedP = new Promise<void>((resolve) => (reached = resolve));
  let armed = true;
  const spy = jest.spyOn(model, method).mockImplementation((async (...args: unknown[]) => {
    if (armed && when(args)) {
      armed = false;
      a.app.get(WriteLeases).onApplicationShutdown();
      reached();
      await resumed;
      spy.mockRestore();
    }
    return original(...args);
  }) as never);
  return { reached: reachedP, resume };
}

/** Waits until A is paused; fails at once if A's request ends without reaching the pause. */
async function pausedDuring(pause: { reached: Promise<void> }, request: Promise<unknown>) {
  await Promise.race([
    pause.reached,
    request.then(() => {
      throw new Error("A's request ended without reaching its pause");
    }),
  ]);
}

const departments = () => a.db.collection<Json>('rocketchat_livechat_department');
const assignmentsOf = (id: string) =>
  a.db
    .collection<Json>('rocketchat_livechat_department_agents')
    .find({ departmentId: id })
    .toArray();

/** The paused writer, once resumed, sweeps and drops its overtaken entry itself. */
async function journalDrained(): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await a.db.collection('livechat_department_journal').countDocuments({})) > 0) {
    if (Date.now() > deadline)
      throw new Error('the overtaken writer never dropped its journal entry');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function expectConsistent(): Promise<void> {
  await journalDrained();
  // Sweeps of overtaken writers' late inserts, on both instances.
  await b.app.get(DepartmentRecovery).background();
  await a.app.get(DepartmentRecovery).background();
  expect(await invariantViolations(a.db)).toEqual([]);
}

/** Restarts A's heartbeat for the next scenario (a new WriteLeases timer on the next acquire). */
function reviveA(): void {
  (a.app.get(WriteLeases) as unknown as { heartbeat?: NodeJS.Timeout }).heartbeat = undefined;
}

afterEach(() => reviveA());

describe('a writer paused past its lease cannot undo a later acknowledged write', () => {
  it('PUT: the later PUT stays, the paused one answers 503', async () => {
    const { department } = await a.createDepartment({ name: 'before' });
    const pause = pauseA<Department>(Department.name, 'updateOne', ([filter]) => {
      return (filter as { _id?: string })._id === department._id;
    });
    const body = (name: string) => ({
      department: {
        name,
        email: 'dept@example.com',
        enabled: true,
        showOnRegistration: true,
        showOnOfflineForm: true,
      },
    });
    const fromA = a.put(`/livechat/department/${department._id}`, body('from-A'));
    await pausedDuring(pause, fromA);
    const fromB = await b.put(`/livechat/department/${department._id}`, body('from-B'));
    expect(fromB.status).toBe(200);
    pause.resume();
    expect((await fromA).status).toBe(503);
    expect((await departments().findOne({ _id: department._id }))?.name).toBe('from-B');
    const history = (await b.get(`/livechat/department/${department._id}/history`)).body.history;
    expect(history[0].changes).toEqual([
      expect.objectContaining({ field: 'name', from: 'from-A', to: 'from-B' }),
    ]);
    await expectConsistent();
    expect((await departments().findOne({ _id: department._id }))?.name).toBe('from-B');
  });

  it('agents: an agent the later request removed does not come back', async () => {
    const [x, y] = agents;
    const { department } = await a.createDepartment({}, [{ agentId: x.userId }]);
    // Paused after its department write, before it inserts the new assignment (late, then).
    const pause = pauseA<DepartmentAgent>(DepartmentAgent.name, 'insertMany');
    const fromA: Promise<ApiResponse> = a.post(`/livechat/department/${department._id}/agents`, {
      upsert: [{ agentId: y.userId }],
      remove: [],
    });
    await pausedDuring(pause, fromA);
    const fromB = await b.post(`/livechat/department/${department._id}/agents`, {
      upsert: [],
      remove: [{ agentId: y.userId }],
    });
    expect(fromB.status).toBe(200);
    pause.resume();
    expect((await fromA).status).toBe(503);
    await expectConsistent();
    expect((await assignmentsOf(department._id)).map((s) => s.agentId)).toEqual([x.userId]);
    expect((await departments().findOne({ _id: department._id }))?.numAgents).toBe(1);
  });

  it('create: a department whose DELETE was acknowledged does not come back', async () => {
    const pause = pauseA<Department>(Department.name, 'insertMany');
    const fromA = a.post('/livechat/department', {
      department: {
        name: 'late',
        email: 'dept@example.com',
        enabled: true,
        showOnRegistration: true,
        showOnOfflineForm: true,
      },
      agents: [{ agentId: agents[0].userId }],
    });
    await pausedDuring(pause, fromA);
    // B learns of the department from A's journal, finishes it (taking the lease over) and deletes it.
    const entry = await a.db
      .collection<Json>('livechat_department_journal')
      .findOne({ action: 'create', 'plan.department.name': 'late' });
    const id = entry?.departmentId as string;
    expect(id).toBeDefined();
    await b.app.get(DepartmentRecovery).background();
    expect(await departments().findOne({ _id: id })).not.toBeNull();
    expect((await b.delete(`/livechat/department/${id}`)).status).toBe(200);
    pause.resume();
    expect((await fromA).status).toBe(503);
    await expectConsistent();
    expect(await departments().findOne({ _id: id })).toBeNull();
    expect(await assignmentsOf(id)).toEqual([]);
  });

  it("unit: a paused recount does not overwrite the later one's numDepartments", async () => {
    const monitor = await a.createUser();
    expect((await a.post('/livechat/monitors.create', { username: monitor.username })).status).toBe(
      200,
    );
    const [d1, d2, d3] = await Promise.all([
      a.createDepartment(),
      a.createDepartment(),
      a.createDepartment(),
    ]);
    const unitBody = (name: string, ids: string[]) => ({
      unitData: { name, visibility: 'public' },
      unitMonitors: [{ monitorId: monitor.userId, username: monitor.username }],
      unitDepartments: ids.map((departmentId) => ({ departmentId })),
    });
    const created = await a.post(
      '/livechat/units',
      unitBody('unit', [d1.department._id, d2.department._id]),
    );
    expect(created.status).toBe(200);
    const unitId = created.body._id as string;
    // Paused just before it stores its count (2 departments).
    const pause = pauseA<Unit>(Unit.name, 'updateOne', ([, update]) =>
      Boolean(
        (update as { $set?: { numDepartments?: number } }).$set?.numDepartments !== undefined,
      ),
    );
    const fromA = a.post(
      `/livechat/units/${unitId}`,
      unitBody('renamed', [d1.department._id, d2.department._id]),
    );
    await pausedDuring(pause, fromA);
    const fromB = await b.post(
      `/livechat/units/${unitId}`,
      unitBody('renamed', [d1.department._id, d2.department._id, d3.department._id]),
    );
    expect(fromB.status).toBe(200);
    pause.resume();
    expect((await fromA).status).toBe(503);
    await expectConsistent();
    const unit = await departments().findOne({ _id: unitId });
    expect(unit?.numDepartments).toBe(3);
    expect(await departments().countDocuments({ parentId: unitId })).toBe(3);
  });
});

it('acknowledges writes with majority write concern unless MONGO_URL sets its own', () => {
  const client = a.app.get<Connection>(getConnectionToken()).getClient();
  expect(client.options.writeConcern?.w).toBe('majority');
});
