// Three instances on one database (the embedded FerretDB started on its own, as a shared
// MongoDB would be), six clients sending a contended write load to random instances, two
// instances killed with SIGKILL during the load and restarted, and one frozen (SIGSTOP) for
// three lease periods and resumed. Once the load stops and the journal has drained, every
// invariant holds, every acknowledged create and delete is durable, each department's name
// is one no acknowledged PUT has overwritten, and no answer was a 500 or a 412 (nobody sent
// If-Match).
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient } from 'mongodb';
import { EmbeddedDb, startEmbeddedDb } from '../src/database/embedded-db';
import { durabilityViolations, invariantViolations } from './support/invariants';
import { pick, ServiceProcess, Session, sleep, some } from './support/service-process';

const ADMIN = { username: 'multi-admin', password: 'multi-admin-secret' };
const INSTANCES = 3;
const CLIENTS = 6;
/** The load's size: answered operations, in LOAD_MS or more. */
const MIN_OPERATIONS = 100;
const LOAD_MS = 30_000;
/** Short, so that the leases of a killed instance are taken over quickly. */
const LEASE_TTL_MS = 2_000;
const AGENTS = 6;
/** Few departments: the load is meant to collide. */
const MAX_DEPARTMENTS = 8;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are checked field by field
type Json = any;

describe('several instances on one database', () => {
  let dataDir: string;
  let db: EmbeddedDb;
  let mongoUrl: string;
  const services: (ServiceProcess | undefined)[] = [];
  /** Every instance started, killed ones included (their logs explain a failure). */
  const started: ServiceProcess[] = [];

  const startInstance = async () => {
    const service = await ServiceProcess.start({
      MONGO_URL: mongoUrl,
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASS: ADMIN.password,
      WRITE_LEASE_TTL_MS: String(LEASE_TTL_MS),
      LOG_LEVEL: 'warn',
    });
    started.push(service);
    return service;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'departments-multi-'));
    db = await startEmbeddedDb({ dataDir, log: () => undefined });
    mongoUrl = `${db.url}multi`;
    // One at a time: the first creates the bootstrap admin.
    for (let i = 0; i < INSTANCES; i++) services.push(await startInstance());
  }, 120_000);

  afterAll(async () => {
    for (const service of services) service?.child.kill('SIGKILL');
    await Promise.all(services.map((service) => service?.exited));
    await db?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every invariant under a contended load with two kills and a freeze', async () => {
    const admin: Session = await (services[0] as ServiceProcess).login(
      ADMIN.username,
      ADMIN.password,
    );
    const first = services[0] as ServiceProcess;
    const agents: { _id: string; username: string }[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const username = `multi-agent-${i}`;
      const created = await first.call('POST', '/users.create', admin, {
        username,
        email: `${username}@example.com`,
        password: 'agent-password-1',
        name: username,
      });
      agents.push({ _id: created.body.user._id, username });
      expect((await first.call('POST', '/livechat/users/agent', admin, { username })).status).toBe(
        200,
      );
    }

    const monitors: { monitorId: string; username: string }[] = [];
    for (let i = 0; i < 2; i++) {
      const username = `multi-monitor-${i}`;
      const created = await first.call('POST', '/users.create', admin, {
        username,
        email: `${username}@example.com`,
        password: 'monitor-password-1',
        name: username,
      });
      monitors.push({ monitorId: created.body.user._id, username });
      expect(
        (await first.call('POST', '/livechat/monitors.create', admin, { username })).status,
      ).toBe(200);
    }
    const units: string[] = [];

    const live = new Set<string>(); // acknowledged creates, minus acknowledged deletes
    const created = new Set<string>();
    const deleted = new Set<string>();
    const maybeDeleted = new Set<string>(); // a DELETE without an answer may have happened
    /** Per department, every PUT that set its name: when it was sent and answered, and how. */
    const renames = new Map<
      string,
      { name: string; sentAt: number; answeredAt: number; ok: boolean }[]
    >();
    const statuses: Record<string, number> = {};
    const unexpected: string[] = [];
    let operations = 0;
    let refused = 0;

    const department = (name: string, others: string[]) => {
      const target = others.length && Math.random() < 0.5 ? pick(others) : undefined;
      return {
        name,
        email: 'multi@example.com',
        enabled: Math.random() < 0.7,
        showOnRegistration: true,
        showOnOfflineForm: Math.random() < 0.5,
        ...(target && {
          fallbackForwardDepartment: target,
          departmentsAllowedToForward: [target],
        }),
      };
    };

    const operation = async (): Promise<void> => {
      const target = pick(services.filter((service) => service !== undefined));
      const ids = [...live];
      const id = ids.length ? pick(ids) : undefined;
      const others = ids.filter((other) => other !== id);
      const roll = Math.random();
      const agentIds = agents.map((agent) => agent._id);
      let res: { status: number; body: Json };
      let what: string;
      if (!id || (roll < 0.15 && live.size < MAX_DEPARTMENTS)) {
        what = 'create';
        res = await target.call('POST', '/livechat/department', admin, {
          department: department(`multi-${operations}`, ids),
          agents: some(agentIds, 3).map((agentId) => ({ agentId })),
        });
        if (res.status === 200) {
          live.add(res.body.department._id);
          created.add(res.body.department._id);
        }
      } else if (roll < 0.35) {
        what = 'put';
        const name = `multi-put-${operations}-${Math.random()}`;
        const rename = { name, sentAt: performance.now(), answeredAt: Infinity, ok: false };
        renames.set(id, [...(renames.get(id) ?? []), rename]);
        res = await target.call('PUT', `/livechat/department/${id}`, admin, {
          department: department(name, others),
          agents: some(agentIds, 2).map((agentId) => ({ agentId, count: operations % 5 })),
        });
        rename.answeredAt = performance.now();
        rename.ok = res.status === 200;
        if (res.status === 200 && res.body.department?._id !== id) {
          unexpected.push(`PUT ${id} answered 200 with ${JSON.stringify(res.body.department)}`);
        }
      } else if (roll < 0.6) {
        what = 'agents';
        const upsert = some(agentIds, 3);
        res = await target.call('POST', `/livechat/department/${id}/agents`, admin, {
          upsert: upsert.map((agentId) => ({ agentId })),
          remove: some(
            agentIds.filter((agentId) => !upsert.includes(agentId)),
            2,
          ).map((agentId) => ({ agentId })),
        });
      } else if (roll < 0.72) {
        what = 'archive';
        res = await target.call(
          'POST',
          `/livechat/department/${id}/${pick(['archive', 'unarchive'])}`,
          admin,
        );
      } else if (roll < 0.8) {
        what = 'next-agent';
        res = await target.call('POST', `/livechat/department/${id}/next-agent`, admin);
      } else if (roll < 0.84) {
        // Unit saves and department moves contend for the same unit documents (counts).
        const unitId =
          units.length >= 2 || (units.length && Math.random() < 0.5) ? pick(units) : undefined;
        if (unitId && Math.random() < 0.5) {
          what = 'move';
          const name = `multi-move-${operations}-${Math.random()}`;
          const rename = { name, sentAt: performance.now(), answeredAt: Infinity, ok: false };
          renames.set(id, [...(renames.get(id) ?? []), rename]);
          res = await target.call('PUT', `/livechat/department/${id}`, admin, {
            department: department(name, others),
            departmentUnit: { _id: unitId },
          });
          rename.answeredAt = performance.now();
          rename.ok = res.status === 200;
        } else {
          what = 'unit';
          res = await target.call(
            'POST',
            unitId ? `/livechat/units/${unitId}` : '/livechat/units',
            admin,
            {
              unitData: { name: `multi-unit-${operations}`, visibility: 'public' },
              unitMonitors: some(monitors, 2),
              unitDepartments: some(ids, 3).map((departmentId) => ({ departmentId })),
            },
          );
          if (res.status === 200 && !unitId) units.push(res.body._id);
        }
      } else if (roll < 0.92) {
        what = 'role';
        const agent = pick(agents);
        res = await target.call('DELETE', `/livechat/users/agent/${agent._id}`, admin);
        const back = await target.call('POST', '/livechat/users/agent', admin, {
          username: agent.username,
        });
        if (back.status !== 200) unexpected.push(`giving the role back answered ${back.status}`);
      } else {
        what = 'delete';
        maybeDeleted.add(id);
        res = await target.call('DELETE', `/livechat/department/${id}`, admin);
        if (res.status === 200) {
          live.delete(id);
          deleted.add(id);
        }
      }
      operations++;
      const key = `${what} ${res.status}`;
      statuses[key] = (statuses[key] ?? 0) + 1;
      // 503 (retry later) is a truthful answer while an instance or the database is away;
      // 500 never is, nor 412 without If-Match.
      if (res.status === 500 || res.status === 412) {
        unexpected.push(`${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
      }
    };

    let stop = false;
    const clients = Array.from({ length: CLIENTS }, async () => {
      while (!stop) {
        await operation().catch(() => refused++); // the instance was killed under it
      }
    });

    // However the schedule ends (a restart may fail), the clients stop: no loop outlives the test.
    try {
      // Two kills during the load, each restarted a little later.
      const startedAt = Date.now();
      for (const [index, at] of [
        [1, 7_000],
        [2, 15_000],
      ] as const) {
        await sleep(at - (Date.now() - startedAt));
        const victim = services[index] as ServiceProcess;
        services[index] = undefined;
        victim.child.kill('SIGKILL');
        await victim.exited;
        await sleep(1_000);
        services[index] = await startInstance();
      }
      // One instance frozen past its leases (a GC pause, a stalled VM), then resumed: its
      // writes in flight are taken over, and whatever it sends late the database refuses.
      await sleep(22_000 - (Date.now() - startedAt));
      const frozen = services[0] as ServiceProcess;
      frozen.child.kill('SIGSTOP');
      await sleep(3 * LEASE_TTL_MS);
      frozen.child.kill('SIGCONT');
      await sleep(LOAD_MS - (Date.now() - startedAt));
      // A busy machine (CI runs the browser tests beside this) gets more time for the same load.
      while (operations < MIN_OPERATIONS && Date.now() - startedAt < 3 * LOAD_MS) await sleep(100);
    } finally {
      stop = true;
      await Promise.all(clients);
    }

    const client = await MongoClient.connect(mongoUrl);
    try {
      // The killed instances' leases expire and the live instances finish their writes.
      const journal = client.db().collection('livechat_department_journal');
      const deadline = Date.now() + 60_000;
      const unfinished = { overtaken: { $ne: true } };
      while ((await journal.countDocuments(unfinished)) > 0 && Date.now() < deadline)
        await sleep(500);

      // An acknowledged PUT's name is never undone: the stored name comes from a PUT that was
      // not answered before the last acknowledged one was sent (it may have landed after it).
      const lostNames: string[] = [];
      for (const [id, puts] of renames) {
        if (!live.has(id)) continue;
        const acknowledged = puts.filter((put) => put.ok);
        if (!acknowledged.length) continue;
        const lastSent = Math.max(...acknowledged.map((put) => put.sentAt));
        const doc = await client
          .db()
          .collection('rocketchat_livechat_department')
          .findOne({ _id: id as never });
        if (!doc && maybeDeleted.has(id)) continue; // a DELETE without an answer happened
        const stored = doc?.name;
        const source = puts.find((put) => put.name === stored);
        if (!source || source.answeredAt < lastSent) {
          lostNames.push(`${id}: stored name ${stored} was overwritten by an acknowledged PUT`);
        }
      }
      const violations = [
        ...lostNames,
        ...(await invariantViolations(client.db())),
        ...(await durabilityViolations(client.db(), { created: live, deleted, maybeDeleted })),
      ];
      console.log(
        `multi-instance test: ${INSTANCES} instances, 2 kills, 1 freeze, ${operations} operations ` +
          `(${refused} refused by a killed instance), ${created.size} creates, ` +
          `${deleted.size} deletes, statuses ${JSON.stringify(statuses)}, ` +
          `${violations.length} invariant violations, ${unexpected.length} unexpected answers`,
      );
      if (violations.length || unexpected.length) {
        for (const service of started) console.log(service.output.slice(-5_000));
      }
      expect(violations).toEqual([]);
      expect(unexpected).toEqual([]);
      expect(operations).toBeGreaterThanOrEqual(MIN_OPERATIONS);
    } finally {
      await client.close();
    }
  }, 240_000);
});
