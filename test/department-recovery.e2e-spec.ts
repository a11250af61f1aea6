// Crash safety, step by step: each department write is interrupted after its k-th
// database write (k = 0, 1, 2, … until it completes), as a crash would leave it, then
// the journal is rolled forward. Afterwards the stored invariants hold, nothing is left
// pending, and the write has either not happened at all (k = 0) or fully happened.
import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { DepartmentRecovery } from '../src/livechat/write-path/department-recovery';
import { MAX_REPLAY_ATTEMPTS } from '../src/livechat/write-path/journal-replay';
import { UsersService } from '../src/users/users.service';
import { DepartmentAgent } from '../src/livechat/departments/schemas/department-agent.schema';
import { Department } from '../src/livechat/departments/schemas/department.schema';
import { DepartmentHistoryEntry } from '../src/livechat/history/department-history.schema';
import { DepartmentJournalEntry } from '../src/livechat/write-path/journal.schema';
import { Unit, UnitMonitor } from '../src/livechat/units/unit.schema';
import { invariantViolations } from './support/invariants';
import { ApiResponse, TestApp, TestUser } from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- stored documents are checked field by field
type Json = any;

const WRITE_METHODS = [
  'insertMany',
  'updateOne',
  'updateMany',
  'bulkWrite',
  'deleteOne',
  'deleteMany',
] as const;

class SimulatedCrash extends Error {}

let t: TestApp;
let recovery: DepartmentRecovery;
let agents: TestUser[];
/** Writes still allowed before the simulated crash; Infinity = no crash. */
let writesLeft = Infinity;

/** Makes every write of the app's department, history and unit models fail once writesLeft is 0. */
function crashable(app: TestApp): void {
  for (const name of [
    Department.name,
    DepartmentAgent.name,
    DepartmentHistoryEntry.name,
    DepartmentJournalEntry.name,
    Unit.name,
    UnitMonitor.name,
  ]) {
    const model = app.app.get<Model<unknown>>(getModelToken(name));
    for (const method of WRITE_METHODS) {
      const original = (model[method] as (...args: unknown[]) => unknown).bind(model);
      jest.spyOn(model, method).mockImplementation(((...args: unknown[]) => {
        if (writesLeft <= 0) throw new SimulatedCrash(`crash before ${name}.${method}`);
        writesLeft--;
        return original(...args);
      }) as never);
    }
  }
}

beforeAll(async () => {
  t = await TestApp.start({ DEPARTMENT_REMOVAL_ENABLED: 'true' });
  recovery = t.app.get(DepartmentRecovery);
  // The tests run the recovery passes themselves, between the simulated crashes.
  await recovery.onApplicationShutdown();
  crashable(t);
  agents = await Promise.all([t.createAgent(), t.createAgent(), t.createAgent()]);
});

afterAll(async () => {
  jest.restoreAllMocks();
  await t?.close();
});

const department = (id: string): Promise<Json> =>
  t.db.collection('rocketchat_livechat_department').findOne({ _id: id as never });
const agentIdsOf = async (id: string): Promise<string[]> =>
  (
    await t.db
      .collection('rocketchat_livechat_department_agents')
      .find({ departmentId: id })
      .toArray()
  )
    .map((assignment) => assignment.agentId as string)
    .sort();

interface Scenario {
  name: string;
  /** Builds fresh data (no crash) and returns what the write needs. */
  setup(): Promise<Json>;
  write(fixture: Json): Promise<ApiResponse>;
  /** Asserts the write's full effect. */
  done(fixture: Json, response: ApiResponse | undefined): Promise<void>;
  /** Asserts that nothing happened. */
  untouched(fixture: Json): Promise<void>;
}

const sorted = (ids: string[]) => [...ids].sort();

const unitBody = (monitors: TestUser[], departmentIds: string[]) => ({
  unitData: { name: `unit-${Math.random()}`, visibility: 'public' },
  unitMonitors: monitors.map((m) => ({ monitorId: m.userId, username: m.username })),
  unitDepartments: departmentIds.map((departmentId) => ({ departmentId })),
});
/** Saves a unit (no crash); returns its id. */
const saveUnit = async (id: string | null, monitors: TestUser[], departmentIds: string[]) => {
  const res = await t.post(id ? `/livechat/units/${id}` : '/livechat/units', unitBody(monitors, departmentIds));
  expect(res.status).toBe(200);
  return res.body._id as string;
};
/** Monitors, made once and shared by every iteration (each one saves new units). */
const monitorPool: TestUser[] = [];
const makeMonitor = async () => {
  if (monitorPool.length < 2) {
    const user = await t.createUser();
    expect((await t.post('/livechat/monitors.create', { username: user.username })).status).toBe(200);
    monitorPool.push(user);
  }
  return monitorPool[0];
};
const monitorsOf = async (unitId: string) =>
  (await t.db.collection('rocketchat_livechat_unit_monitors').find({ unitId }).toArray()).map(
    (link) => link.monitorId as string,
  );

const scenarios: Scenario[] = [
  {
    name: 'create with agents and a fallback',
    setup: async () => ({
      target: (await t.createDepartment()).department._id,
      name: `c-${Date.now()}-${Math.random()}`,
    }),
    write: (f) =>
      t.post('/livechat/department', {
        department: {
          name: f.name,
          email: 'c@example.com',
          enabled: true,
          showOnRegistration: true,
          showOnOfflineForm: false,
          fallbackForwardDepartment: f.target,
        },
        agents: [{ agentId: agents[0].userId }, { agentId: agents[1].userId, count: 3 }],
      }),
    done: async (f) => {
      const created: Json = await t.db
        .collection('rocketchat_livechat_department')
        .findOne({ name: f.name });
      expect(created).toMatchObject({
        numAgents: 2,
        fallbackForwardDepartment: f.target,
        enabled: true,
      });
      expect(await agentIdsOf(created._id)).toEqual(sorted([agents[0].userId, agents[1].userId]));
    },
    untouched: async (f) => {
      expect(
        await t.db.collection('rocketchat_livechat_department').countDocuments({ name: f.name }),
      ).toBe(0);
    },
  },
  {
    name: 'PUT that enables, renames and adds and re-counts agents',
    setup: async () =>
      (await t.createDepartment({ enabled: false }, [{ agentId: agents[0].userId }])).department,
    write: (d) =>
      t.put(`/livechat/department/${d._id}`, {
        department: {
          name: `${d.name}-renamed`,
          email: d.email,
          enabled: true,
          showOnRegistration: true,
          showOnOfflineForm: true,
        },
        agents: [{ agentId: agents[0].userId, count: 7 }, { agentId: agents[2].userId }],
      }),
    done: async (d) => {
      expect(await department(d._id)).toMatchObject({
        name: `${d.name}-renamed`,
        enabled: true,
        numAgents: 2,
      });
      expect(await agentIdsOf(d._id)).toEqual(sorted([agents[0].userId, agents[2].userId]));
      const first: Json = await t.db
        .collection('rocketchat_livechat_department_agents')
        .findOne({ departmentId: d._id, agentId: agents[0].userId });
      expect(first.count).toBe(7);
    },
    untouched: async (d) => {
      expect(await department(d._id)).toMatchObject({ name: d.name, enabled: false, numAgents: 1 });
      expect(await agentIdsOf(d._id)).toEqual([agents[0].userId]);
    },
  },
  {
    name: 'POST agents that upserts one and removes one',
    setup: async () =>
      (await t.createDepartment({}, [{ agentId: agents[0].userId }, { agentId: agents[1].userId }]))
        .department,
    write: (d) =>
      t.post(`/livechat/department/${d._id}/agents`, {
        upsert: [{ agentId: agents[2].userId, order: 2 }],
        remove: [{ agentId: agents[0].userId }],
      }),
    done: async (d) => {
      expect(await department(d._id)).toMatchObject({ numAgents: 2 });
      expect(await agentIdsOf(d._id)).toEqual(sorted([agents[1].userId, agents[2].userId]));
    },
    untouched: async (d) => {
      expect(await agentIdsOf(d._id)).toEqual(sorted([agents[0].userId, agents[1].userId]));
    },
  },
  {
    // The second request of a save: its history is folded into the PUT's entry.
    name: 'POST agents that completes a save (one history entry)',
    setup: async () => {
      const d = (
        await t.createDepartment({}, [{ agentId: agents[0].userId }, { agentId: agents[1].userId }])
      ).department;
      const requestId = `save-${d._id}`;
      const put = await t.put(
        `/livechat/department/${d._id}`,
        {
          department: {
            name: `${d.name} renamed`,
            email: d.email,
            enabled: true,
            showOnRegistration: true,
            showOnOfflineForm: true,
          },
        },
        { headers: { 'x-request-id': requestId } },
      );
      expect(put.status).toBe(200);
      return { ...d, requestId };
    },
    write: (d) =>
      t.post(
        `/livechat/department/${d._id}/agents`,
        { upsert: [], remove: [{ agentId: agents[0].userId }] },
        { headers: { 'x-request-id': d.requestId } },
      ),
    done: async (d) => {
      expect(await agentIdsOf(d._id)).toEqual([agents[1].userId]);
      const history = (await t.get(`/livechat/department/${d._id}/history`)).body.history;
      expect(history.map((entry: Json) => entry.action)).toEqual(['update', 'create']);
      expect(history[0].agents).toMatchObject({ added: [], removed: [agents[0].userId] });
    },
    untouched: async (d) => {
      expect(await agentIdsOf(d._id)).toEqual(sorted([agents[0].userId, agents[1].userId]));
      const history = (await t.get(`/livechat/department/${d._id}/history`)).body.history;
      expect(history.map((entry: Json) => entry.action)).toEqual(['update', 'create']);
      expect(history[0].agents).toBeUndefined();
    },
  },
  {
    name: 'archive',
    setup: async () => (await t.createDepartment({}, [{ agentId: agents[0].userId }])).department,
    write: (d) => t.post(`/livechat/department/${d._id}/archive`),
    done: async (d) => {
      expect(await department(d._id)).toMatchObject({
        archived: true,
        enabled: false,
        numAgents: 1,
      });
    },
    untouched: async (d) => {
      expect(await department(d._id)).toMatchObject({ enabled: true, numAgents: 1 });
      expect((await department(d._id)).archived).toBeUndefined();
    },
  },
  {
    name: 'unarchive',
    setup: async () => {
      const d = (await t.createDepartment({}, [{ agentId: agents[0].userId }])).department;
      expect((await t.post(`/livechat/department/${d._id}/archive`)).status).toBe(200);
      return d;
    },
    write: (d) => t.post(`/livechat/department/${d._id}/unarchive`),
    done: async (d) => {
      expect(await department(d._id)).toMatchObject({
        archived: false,
        enabled: false,
        numAgents: 1,
      });
    },
    untouched: async (d) => {
      expect(await department(d._id)).toMatchObject({ archived: true, enabled: false });
    },
  },
  {
    name: 'delete of a department that others point at',
    setup: async () => {
      const doomed = (
        await t.createDepartment({}, [{ agentId: agents[0].userId }, { agentId: agents[1].userId }])
      ).department;
      const other = (
        await t.createDepartment({
          fallbackForwardDepartment: doomed._id,
          departmentsAllowedToForward: [doomed._id],
        })
      ).department;
      return { doomed, other };
    },
    write: (f) => t.delete(`/livechat/department/${f.doomed._id}`),
    done: async (f) => {
      expect(await department(f.doomed._id)).toBeNull();
      expect(await agentIdsOf(f.doomed._id)).toEqual([]);
      const other = await department(f.other._id);
      expect(other.fallbackForwardDepartment).toBeUndefined();
      expect(other.departmentsAllowedToForward).toEqual([]);
    },
    untouched: async (f) => {
      expect(await department(f.doomed._id)).toMatchObject({ numAgents: 2 });
      expect(await department(f.other._id)).toMatchObject({
        fallbackForwardDepartment: f.doomed._id,
      });
    },
  },
  {
    name: 'unit save that takes a department from another unit, drops one and replaces its monitors',
    setup: async () => {
      await makeMonitor();
      await makeMonitor();
      const [m1, m2] = monitorPool;
      const [d1, d2, d3] = [
        (await t.createDepartment()).department,
        (await t.createDepartment()).department,
        (await t.createDepartment()).department,
      ];
      const u1 = await saveUnit(null, [m1], [d1._id, d2._id]);
      const u2 = await saveUnit(null, [], [d3._id]);
      return { m1, m2, d1, d2, d3, u1, u2 };
    },
    write: (f) => t.post(`/livechat/units/${f.u1}`, unitBody([f.m2], [f.d1._id, f.d3._id])),
    done: async (f) => {
      expect(await department(f.u1)).toMatchObject({ numDepartments: 2, numMonitors: 1 });
      expect(await department(f.u2)).toMatchObject({ numDepartments: 0 });
      expect(await department(f.d3._id)).toMatchObject({ parentId: f.u1, ancestors: [f.u1] });
      expect(await department(f.d2._id)).toMatchObject({ parentId: null, ancestors: null });
      expect(await monitorsOf(f.u1)).toEqual([f.m2.userId]);
    },
    untouched: async (f) => {
      expect(await department(f.u1)).toMatchObject({ numDepartments: 2, numMonitors: 1 });
      expect(await department(f.d3._id)).toMatchObject({ parentId: f.u2 });
      expect(await monitorsOf(f.u1)).toEqual([f.m1.userId]);
    },
  },
  {
    name: 'unit delete',
    setup: async () => {
      const [d1, d2] = [(await t.createDepartment()).department, (await t.createDepartment()).department];
      return { d1, d2, unit: await saveUnit(null, [await makeMonitor()], [d1._id, d2._id]) };
    },
    write: (f) => t.delete(`/livechat/units/${f.unit}`),
    done: async (f) => {
      expect(await department(f.unit)).toBeNull();
      expect(await department(f.d1._id)).toMatchObject({ parentId: null, ancestors: null });
      expect(await department(f.d2._id)).toMatchObject({ parentId: null, ancestors: null });
      expect(await monitorsOf(f.unit)).toEqual([]);
    },
    untouched: async (f) => {
      expect(await department(f.unit)).toMatchObject({ numDepartments: 2, numMonitors: 1 });
    },
  },
  {
    name: 'department moved to another unit by a PUT',
    setup: async () => {
      const [d1, d2] = [(await t.createDepartment()).department, (await t.createDepartment()).department];
      return { d1, from: await saveUnit(null, [], [d1._id, d2._id]), to: await saveUnit(null, [], []) };
    },
    write: (f) => t.put(`/livechat/department/${f.d1._id}`, { ...departmentBody(f.d1), departmentUnit: { _id: f.to } }),
    done: async (f) => {
      expect(await department(f.d1._id)).toMatchObject({ parentId: f.to, ancestors: [f.to] });
      expect(await department(f.from)).toMatchObject({ numDepartments: 1 });
      expect(await department(f.to)).toMatchObject({ numDepartments: 1 });
    },
    untouched: async (f) => {
      expect(await department(f.d1._id)).toMatchObject({ parentId: f.from });
      expect(await department(f.to)).toMatchObject({ numDepartments: 0 });
    },
  },
  {
    name: 'agent role removal across two departments',
    setup: async () => {
      const agent = await t.createAgent();
      const a = (
        await t.createDepartment({}, [{ agentId: agent.userId }, { agentId: agents[0].userId }])
      ).department;
      const b = (await t.createDepartment({}, [{ agentId: agent.userId }])).department;
      return { agent, a, b };
    },
    write: (f) => t.delete(`/livechat/users/agent/${f.agent.userId}`),
    done: async (f) => {
      expect(await agentIdsOf(f.a._id)).toEqual([agents[0].userId]);
      expect(await agentIdsOf(f.b._id)).toEqual([]);
      expect(await department(f.b._id)).toMatchObject({ numAgents: 0 });
    },
    // The role is taken away before any department write, so even a crash at k = 0
    // ends with the agent out of every department (recovery drops non-agents' assignments).
    untouched: async (f) => {
      expect(await agentIdsOf(f.a._id)).toEqual([agents[0].userId]);
      expect(await agentIdsOf(f.b._id)).toEqual([]);
    },
  },
];

describe('a department write interrupted after any of its steps is rolled forward', () => {
  it.each(scenarios.map((scenario) => [scenario.name, scenario] as const))(
    '%s',
    async (_name, scenario) => {
      let completedAt: number | undefined;
      for (let k = 0; completedAt === undefined && k < 50; k++) {
        const fixture = await scenario.setup();
        writesLeft = k;
        let response: ApiResponse;
        try {
          response = await scenario.write(fixture);
        } finally {
          writesLeft = Infinity;
        }
        if (response.status === 200) {
          completedAt = k;
          await scenario.done(fixture, response);
        } else {
          expect(response.status).toBe(500); // the simulated crash
          await recovery.run();
          if (k === 0) await scenario.untouched(fixture);
          else await scenario.done(fixture, undefined);
        }
        expect(await invariantViolations(t.db)).toEqual([]);
      }
      // It took several writes: each of them was a crash point above.
      expect(completedAt).toBeGreaterThanOrEqual(3);
    },
    120_000,
  );
});

/** Runs `request` with only `k` database writes allowed (then the "database" fails). */
async function failingAfter(k: number, request: () => Promise<ApiResponse>): Promise<ApiResponse> {
  writesLeft = k;
  try {
    return await request();
  } finally {
    writesLeft = Infinity;
  }
}

const departmentBody = (d: Json, fields: Record<string, unknown> = {}) => ({
  department: {
    name: d.name,
    email: d.email,
    enabled: true,
    showOnRegistration: true,
    showOnOfflineForm: true,
    ...fields,
  },
});

describe('rolling forward after an outage, while the service keeps running', () => {
  it('finishes a write that failed midway at the next background pass, however young', async () => {
    const d = (await t.createDepartment({}, [{ agentId: agents[0].userId }])).department;
    // Journal, department, assignments written; the numAgents increment fails.
    const res = await failingAfter(3, () =>
      t.post(`/livechat/department/${d._id}/agents`, {
        upsert: [{ agentId: agents[1].userId }],
        remove: [],
      }),
    );
    expect(res.status).toBe(500);
    expect(await department(d._id)).toMatchObject({ numAgents: 1 });
    await recovery.background();
    expect(await department(d._id)).toMatchObject({ numAgents: 2 });
    expect(await invariantViolations(t.db)).toEqual([]);
  });

  it('never replays a failed DELETE over a later acknowledged write', async () => {
    const d = (await t.createDepartment()).department;
    const del = await failingAfter(1, () => t.delete(`/livechat/department/${d._id}`));
    expect(del.status).toBe(500); // journaled, nothing applied
    // The next write finishes the interrupted DELETE first: the PUT finds no department.
    const put = await t.put(`/livechat/department/${d._id}`, departmentBody(d, { name: 'later' }));
    expect(put.status).toBe(400);
    expect(put.body.errorType).toBe('error-department-not-found');
    await recovery.run();
    expect(await department(d._id)).toBeNull();
    expect(await invariantViolations(t.db)).toEqual([]);
  });

  it('never undoes a later write, even when the interrupted one carries a later clock', async () => {
    const d = (await t.createDepartment({}, [{ agentId: agents[0].userId }])).department;
    expect(
      (
        await failingAfter(1, () =>
          t.put(`/livechat/department/${d._id}`, departmentBody(d, { name: 'interrupted' })),
        )
      ).status,
    ).toBe(500);
    // That instance's clock was an hour ahead.
    await t.db
      .collection('livechat_department_journal')
      .updateMany({ departmentId: d._id }, { $set: { ts: new Date(Date.now() + 3_600_000) } });
    const put = await t.put(`/livechat/department/${d._id}`, departmentBody(d, { name: 'acked' }));
    expect(put.status).toBe(200);
    await recovery.run();
    expect(await department(d._id)).toMatchObject({ name: 'acked', numAgents: 1 });
    expect(await invariantViolations(t.db)).toEqual([]);
  });

  it('finishes an interrupted unit save before a later move of one of its departments', async () => {
    const d = (await t.createDepartment()).department;
    const [u1, u2] = [await saveUnit(null, [], []), await saveUnit(null, [], [])];
    // Journaled (with the move of d into u1), then the database fails.
    const interrupted = await failingAfter(2, () => t.post(`/livechat/units/${u1}`, unitBody([], [d._id])));
    expect(interrupted.status).toBe(500);
    const put = await t.put(`/livechat/department/${d._id}`, { ...departmentBody(d), departmentUnit: { _id: u2 } });
    expect(put.status).toBe(200);
    await recovery.run();
    expect(await department(d._id)).toMatchObject({ parentId: u2, ancestors: [u2] });
    expect(await department(u1)).toMatchObject({ numDepartments: 0 });
    expect(await department(u2)).toMatchObject({ numDepartments: 1 });
    const history = await t.get(`/livechat/department/${d._id}/history`);
    // Both moves are recorded, the acknowledged one last (the history is newest first).
    const moves = history.body.history
      .flatMap((entry: Json) => entry.changes ?? [])
      .filter((change: Json) => change.field === 'parentId');
    expect(moves).toMatchObject([
      { from: u1, to: u2 },
      { from: null, to: u1 },
    ]);
    expect(await invariantViolations(t.db)).toEqual([]);
  });

  it('local mode too: an interrupted unit save is finished before a later move of one of its departments', async () => {
    // Local mode reads the journal only for documents a failed write touched in this process.
    const local = await TestApp.start({ WRITE_COORDINATION: 'local' }, { sameDatabaseAs: t });
    try {
      await local.app.get(DepartmentRecovery).onApplicationShutdown();
      crashable(local);
      const d = (await local.createDepartment()).department;
      const u1 = (await local.post('/livechat/units', unitBody([], []))).body._id;
      const u2 = (await local.post('/livechat/units', unitBody([], []))).body._id;
      const interrupted = await failingAfter(2, () =>
        local.post(`/livechat/units/${u1}`, unitBody([], [d._id])),
      );
      expect(interrupted.status).toBe(500);
      const put = await local.put(`/livechat/department/${d._id}`, {
        ...departmentBody(d),
        departmentUnit: { _id: u2 },
      });
      expect(put.status).toBe(200);
      await local.app.get(DepartmentRecovery).run();
      expect(await department(d._id)).toMatchObject({ parentId: u2 });
      expect(await invariantViolations(t.db)).toEqual([]);
    } finally {
      await local.close();
    }
  });

  it('re-checks references when it replays: no reference to a department deleted meanwhile', async () => {
    const target = (await t.createDepartment()).department;
    const d = (await t.createDepartment()).department;
    const put = await failingAfter(1, () =>
      t.put(
        `/livechat/department/${d._id}`,
        departmentBody(d, {
          fallbackForwardDepartment: target._id,
          departmentsAllowedToForward: [target._id],
        }),
      ),
    );
    expect(put.status).toBe(500);
    expect((await t.delete(`/livechat/department/${target._id}`)).status).toBe(200);
    await recovery.run();
    const stored = await department(d._id);
    expect(stored.fallbackForwardDepartment).toBeUndefined();
    expect(stored.departmentsAllowedToForward).toEqual([]);
    expect(await invariantViolations(t.db)).toEqual([]);
  });

  it('removing a schedule interrupted anywhere leaves no department following a missing one', async () => {
    const days = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
    for (let k = 0; k < 20; k++) {
      const a = (await t.createDepartment()).department;
      const b = (await t.createDepartment()).department;
      const saved = await t.post('/livechat/business-hour', {
        name: `schedule-${k}-${Math.random()}`,
        active: true,
        type: 'custom',
        timezone: 'UTC',
        workHours: days.map((day) => ({ day, start: '08:00', finish: '17:00', open: true })),
        departmentsToApplyBusinessHour: `${a._id},${b._id}`,
      });
      expect(saved.status).toBe(200);
      const id = saved.body.businessHour._id;
      const res = await failingAfter(k, () => t.delete(`/livechat/business-hour/${id}`));
      await recovery.run();
      expect(await invariantViolations(t.db)).toEqual([]);
      if (res.status === 200) break;
    }
  });

  it('drops an assignment when the agent role is taken away between its check and its insert', async () => {
    const users = t.app.get(UsersService);
    const agent = await t.createAgent();
    const d = (await t.createDepartment()).department;
    const original = users.findWithRole.bind(users);
    jest.spyOn(users, 'findWithRole').mockImplementationOnce(async (ids, role) => {
      const found = await original(ids, role);
      // Another request takes the role away (and sweeps its assignments) right now.
      expect((await t.delete(`/livechat/users/agent/${agent.userId}`)).status).toBe(200);
      return found;
    });
    const res = await t.post(`/livechat/department/${d._id}/agents`, {
      upsert: [{ agentId: agent.userId }],
      remove: [],
    });
    expect(res.status).toBe(200);
    expect(await agentIdsOf(d._id)).toEqual([]);
    expect(await department(d._id)).toMatchObject({ numAgents: 0 });
    expect(await invariantViolations(t.db)).toEqual([]);
  });

  it("never lets a replay overwrite routing's count", async () => {
    const agent = await t.createAgent({ available: true });
    const d = (await t.createDepartment({}, [{ agentId: agent.userId }])).department;
    const res = await failingAfter(1, () =>
      t.post(`/livechat/department/${d._id}/agents`, {
        upsert: [{ agentId: agent.userId, count: 5 }],
        remove: [],
      }),
    );
    expect(res.status).toBe(500);
    const routed = await t.post(`/livechat/department/${d._id}/next-agent`);
    expect(routed.status).toBe(200);
    expect(routed.body.agent).toMatchObject({ agentId: agent.userId });
    await recovery.run();
    const assignment: Json = await t.db
      .collection('rocketchat_livechat_department_agents')
      .findOne({ departmentId: d._id, agentId: agent.userId });
    expect(assignment.count).toBe(6); // the journaled 5, then the routed chat
  });

  it('repair restores every invariant, whatever was left behind', async () => {
    const target = (await t.createDepartment()).department;
    const d = (
      await t.createDepartment({ fallbackForwardDepartment: target._id }, [
        { agentId: agents[0].userId },
      ])
    ).department;
    const gone = (await t.createDepartment({}, [{ agentId: agents[1].userId }])).department;
    const departments = t.db.collection<Json>('rocketchat_livechat_department');
    const assignments = t.db.collection<Json>('rocketchat_livechat_department_agents');
    // Damage of every kind, as a crash between unjournaled steps could leave it.
    await departments.deleteOne({ _id: target._id });
    await departments.deleteOne({ _id: gone._id });
    await departments.updateOne(
      { _id: d._id },
      {
        $set: {
          numAgents: 7,
          departmentsAllowedToForward: [target._id],
          businessHourId: 'no-such-schedule',
          parentId: 'no-such-unit',
        },
      },
    );
    await assignments.updateMany({ departmentId: d._id }, { $set: { departmentEnabled: false } });
    await assignments.insertOne({
      _id: `stray-${Date.now()}`,
      departmentId: d._id,
      agentId: t.admin.userId, // not an agent
      username: 'admin',
      departmentEnabled: true,
      count: 0,
      order: 0,
      _updatedAt: new Date(),
    });
    // Journal entries for both, as interrupted writes would leave them.
    const journal = t.db.collection<Json>('livechat_department_journal');
    for (const [id, plan] of [
      [
        d._id,
        {
          kind: 'update',
          departmentId: d._id,
          version: new Date(),
          set: {},
          unset: [],
          upsert: [],
          removeAgentIds: [],
          departmentEnabled: true,
          syncEnabled: false,
        },
      ],
      [gone._id, { kind: 'delete', departmentId: gone._id }],
    ] as const) {
      await journal.insertOne({
        _id: `repair-${id}`,
        departmentId: id,
        action: 'update',
        user: { _id: 'system', username: 'system' },
        requestId: 'test',
        ts: new Date(),
        plan,
      });
    }
    await recovery.run();
    expect(await invariantViolations(t.db)).toEqual([]);
    expect(await department(d._id)).toMatchObject({ numAgents: 1 });
  });
});

describe('a poisoned journal entry', () => {
  const poison = (id: string, departmentId: string) =>
    t.db.collection<Json>('livechat_department_journal').insertOne({
      _id: id,
      departmentId,
      action: 'update',
      user: { _id: 'system', username: 'system' },
      requestId: 'test',
      ts: new Date(),
      plan: { kind: 'no-such-kind', departmentId },
    });

  it('blocks neither the other entries nor a start, and is parked after a few tries', async () => {
    const d = (await t.createDepartment()).department;
    const other = (await t.createDepartment()).department;
    await poison(`poison-${d._id}`, d._id);
    expect(
      (await failingAfter(1, () => t.post(`/livechat/department/${other._id}/archive`))).status,
    ).toBe(500);

    // A start (local mode finishes the journal before it listens) is not stopped by it.
    const second = await TestApp.start({ WRITE_COORDINATION: 'local' }, { sameDatabaseAs: t });
    await second.close();
    expect(await department(other._id)).toMatchObject({ archived: true, enabled: false });

    // Writes to its department answer 503 (retry later) until it is parked.
    const put = await t.put(`/livechat/department/${d._id}`, departmentBody(d, { name: 'x' }));
    expect(put.status).toBe(503);
    for (let i = 0; i < MAX_REPLAY_ATTEMPTS; i++) await recovery.run();
    const entry: Json = await t.db
      .collection('livechat_department_journal')
      .findOne({ _id: `poison-${d._id}` as never });
    expect(entry).toMatchObject({ parked: true, attempts: MAX_REPLAY_ATTEMPTS });

    const ready = await t.request('GET', '!/health/ready', { as: null });
    expect(ready.status).toBe(200);
    expect(ready.body.details.departmentJournal.parked).toEqual([
      { _id: `poison-${d._id}`, departmentId: d._id },
    ]);
    const metrics = await t.request<string>('GET', '!/metrics', { as: null });
    expect(String(metrics.body)).toMatch(/^department_journal_parked 1$/m);

    // Parked: the department is writable again.
    const after = await t.put(`/livechat/department/${d._id}`, departmentBody(d, { name: 'y' }));
    expect(after.status).toBe(200);
    await t.db
      .collection('livechat_department_journal')
      .deleteOne({ _id: `poison-${d._id}` as never });
    expect(await invariantViolations(t.db)).toEqual([]);
  });
});
