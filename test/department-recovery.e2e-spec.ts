// Crash safety, step by step: each department write is interrupted after its k-th
// database write (k = 0, 1, 2, … until it completes), as a crash would leave it, then
// the journal is rolled forward. Afterwards the stored invariants hold, nothing is left
// pending, and the write has either not happened at all (k = 0) or fully happened.
import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { DepartmentRecovery } from '../src/livechat/departments/department-recovery';
import { DepartmentAgent } from '../src/livechat/departments/schemas/department-agent.schema';
import { Department } from '../src/livechat/departments/schemas/department.schema';
import {
  DepartmentHistoryEntry,
  DepartmentJournalEntry,
} from '../src/livechat/history/department-history.schema';
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

beforeAll(async () => {
  t = await TestApp.start({ DEPARTMENT_REMOVAL_ENABLED: 'true' });
  recovery = t.app.get(DepartmentRecovery);
  for (const name of [
    Department.name,
    DepartmentAgent.name,
    DepartmentHistoryEntry.name,
    DepartmentJournalEntry.name,
  ]) {
    const model = t.app.get<Model<unknown>>(getModelToken(name));
    for (const method of WRITE_METHODS) {
      const original = (model[method] as (...args: unknown[]) => unknown).bind(model);
      jest.spyOn(model, method).mockImplementation(((...args: unknown[]) => {
        if (writesLeft <= 0) throw new SimulatedCrash(`crash before ${name}.${method}`);
        writesLeft--;
        return original(...args);
      }) as never);
    }
  }
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
          await recovery.run(new Date());
          if (k === 0) await scenario.untouched(fixture);
          else await scenario.done(fixture, undefined);
        }
        expect(await invariantViolations(t.db)).toEqual([]);
      }
      // It took several writes: each of them was a crash point above.
      expect(completedAt).toBeGreaterThanOrEqual(3);
    },
  );
});

describe('rolling forward after an outage, while the service keeps running', () => {
  it('never undoes a later write: a superseded entry only repairs derived data', async () => {
    const d = (await t.createDepartment({}, [{ agentId: agents[0].userId }])).department;
    const put = (name: string) =>
      t.put(`/livechat/department/${d._id}`, {
        department: {
          name,
          email: d.email,
          enabled: true,
          showOnRegistration: true,
          showOnOfflineForm: true,
        },
      });
    writesLeft = 1; // journaled, then the database "fails"
    try {
      expect((await put('first, interrupted')).status).toBe(500);
    } finally {
      writesLeft = Infinity;
    }
    expect((await put('second, acknowledged')).status).toBe(200);
    await recovery.run(new Date());
    expect(await department(d._id)).toMatchObject({ name: 'second, acknowledged', numAgents: 1 });
    expect(await invariantViolations(t.db)).toEqual([]);
  });

  it('leaves a write younger than the cut-off to its own request', async () => {
    const d = (await t.createDepartment()).department;
    writesLeft = 1;
    try {
      expect((await t.post(`/livechat/department/${d._id}/archive`)).status).toBe(500);
    } finally {
      writesLeft = Infinity;
    }
    await recovery.run(new Date(Date.now() - 30_000)); // the periodic pass
    expect((await department(d._id)).archived).toBeUndefined();
    await recovery.run(new Date());
    expect(await department(d._id)).toMatchObject({ archived: true, enabled: false });
  });
});
