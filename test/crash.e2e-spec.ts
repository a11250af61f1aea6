// kill -9 under a mixed write load, several times, on the same data: after each restart
// the stored invariants hold, every acknowledged create and delete is durable, and the
// embedded database never outlives the service it belongs to.
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient } from 'mongodb';
import { startEmbeddedDb } from '../src/database/embedded-db';
import { durabilityViolations, invariantViolations } from './support/invariants';
import {
  pick,
  processesUsing,
  ServiceProcess,
  Session,
  sleep,
  some,
} from './support/service-process';

const ADMIN = { username: 'crash-admin', password: 'crash-admin-secret' };
const KILLS = 6;
const CLIENTS = 4;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are checked field by field
type Json = any;

/** The service on its embedded database in `dataDir`. */
const startService = (dataDir: string) =>
  ServiceProcess.start({
    DATA_DIR: dataDir,
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASS: ADMIN.password,
  });

describe('kill -9 under a mixed write load', () => {
  let dataDir: string;
  let service: ServiceProcess | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'departments-crash-'));
  });

  afterAll(async () => {
    service?.child.kill('SIGKILL');
    for (const pid of processesUsing(dataDir)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`keeps every invariant over ${KILLS} kills`, async () => {
    service = await startService(dataDir);
    const admin: Session = await service.login(ADMIN.username, ADMIN.password);
    const agentIds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const username = `crash-agent-${i}`;
      const created = await service.call('POST', '/users.create', admin, {
        username,
        email: `${username}@example.com`,
        password: 'agent-password-1',
        name: username,
      });
      agentIds.push(created.body.user._id);
      expect(
        (await service.call('POST', '/livechat/users/agent', admin, { username })).status,
      ).toBe(200);
    }
    const monitors: { monitorId: string; username: string }[] = [];
    for (let i = 0; i < 2; i++) {
      const username = `crash-monitor-${i}`;
      const created = await service.call('POST', '/users.create', admin, {
        username,
        email: `${username}@example.com`,
        password: 'monitor-password-1',
        name: username,
      });
      monitors.push({ monitorId: created.body.user._id, username });
      expect(
        (await service.call('POST', '/livechat/monitors.create', admin, { username })).status,
      ).toBe(200);
    }
    const units: string[] = [];

    const created = new Set<string>(); // acknowledged creates, minus acknowledged deletes
    const deleted = new Set<string>();
    // A DELETE cut off by the kill may or may not have happened (it is rolled forward).
    const maybeDeleted = new Set<string>();
    const statuses: Record<string, number> = {};
    let operations = 0;
    let rolledForward = 0;

    const operation = async (target: ServiceProcess): Promise<void> => {
      const ids = [...created];
      const id = ids.length ? pick(ids) : undefined;
      const roll = Math.random();
      const department = (name: string) => ({
        name,
        email: 'crash@example.com',
        enabled: Math.random() < 0.7,
        showOnRegistration: true,
        showOnOfflineForm: Math.random() < 0.5,
        ...(id &&
          Math.random() < 0.5 && {
            fallbackForwardDepartment: id,
            departmentsAllowedToForward: [id],
          }),
      });
      let res: { status: number; body: Json };
      if (!id || roll < 0.3) {
        res = await target.call('POST', '/livechat/department', admin, {
          department: department(`crash-${operations}`),
          agents: some(agentIds, 4).map((agentId) => ({ agentId })),
        });
        if (res.status === 200) created.add(res.body.department._id);
      } else if (roll < 0.5) {
        const body = department(`crash-put-${operations}`);
        if (body.fallbackForwardDepartment === id) delete body.fallbackForwardDepartment;
        res = await target.call('PUT', `/livechat/department/${id}`, admin, {
          department: body,
          agents: some(agentIds, 3).map((agentId) => ({ agentId, count: operations % 5 })),
        });
      } else if (roll < 0.6) {
        const upsert = some(agentIds, 3);
        res = await target.call('POST', `/livechat/department/${id}/agents`, admin, {
          upsert: upsert.map((agentId) => ({ agentId })),
          remove: some(
            agentIds.filter((agentId) => !upsert.includes(agentId)),
            2,
          ).map((agentId) => ({ agentId })),
        });
      } else if (roll < 0.7) {
        res = await target.call(
          'POST',
          `/livechat/department/${id}/${pick(['archive', 'unarchive'])}`,
          admin,
        );
      } else if (roll < 0.78) {
        // A unit's save moves up to three departments and replaces its monitors.
        const unitId = units.length >= 2 || (units.length && Math.random() < 0.5) ? pick(units) : undefined;
        res = await target.call('POST', unitId ? `/livechat/units/${unitId}` : '/livechat/units', admin, {
          unitData: { name: `crash-unit-${operations}`, visibility: 'public' },
          unitMonitors: some(monitors, 2),
          unitDepartments: some(ids, 3).map((departmentId) => ({ departmentId })),
        });
        if (res.status === 200 && !unitId) units.push(res.body._id);
      } else if (roll < 0.84 && units.length) {
        res = await target.call('PUT', `/livechat/department/${id}`, admin, {
          department: department(`crash-move-${operations}`),
          departmentUnit: Math.random() < 0.8 ? { _id: pick(units) } : {},
        });
      } else if (roll < 0.86 && units.length) {
        res = await target.call('DELETE', `/livechat/units/${pick(units)}`, admin);
      } else {
        maybeDeleted.add(id);
        res = await target.call('DELETE', `/livechat/department/${id}`, admin);
        if (res.status === 200) {
          created.delete(id);
          deleted.add(id);
        }
      }
      operations++;
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    };

    const violations: string[] = [];
    for (let kill = 1; kill <= KILLS; kill++) {
      const target: ServiceProcess = service;
      let stop = false;
      const clients = Array.from({ length: CLIENTS }, async () => {
        while (!stop) await operation(target).catch(() => undefined); // refused: the service is gone
      });
      await sleep(300 + Math.random() * 1200);
      target.child.kill('SIGKILL');
      const killedAt = Date.now();
      stop = true;
      await target.exited;
      // The embedded database follows its service down within a second.
      while (processesUsing(dataDir).length && Date.now() < killedAt + 1_000) await sleep(20);
      expect(processesUsing(dataDir)).toEqual([]);
      await Promise.all(clients);

      service = await startService(dataDir);
      rolledForward += Number(/Rolled forward (\d+)/.exec(service.output)?.[1] ?? 0);
      // Ready means recovered: check through the API that acknowledged writes are there.
      for (const departmentId of [...created].filter((id) => !maybeDeleted.has(id)).slice(-10)) {
        const res = await service.call('GET', `/livechat/department/${departmentId}`, admin);
        if (res.body.department?._id !== departmentId)
          violations.push(`created ${departmentId} is missing`);
      }
    }

    // Stop it cleanly, then read the data directly.
    service.child.kill('SIGTERM');
    await service.exited;
    service = undefined;
    const db = await startEmbeddedDb({ dataDir, log: () => undefined });
    const client = await MongoClient.connect(`${db.url}rocketchat`);
    try {
      violations.push(...(await invariantViolations(client.db())));
      violations.push(
        ...(await durabilityViolations(client.db(), { created, deleted, maybeDeleted })),
      );
      const departments = await client
        .db()
        .collection('rocketchat_livechat_department')
        .countDocuments({});
      console.log(
        `crash test: ${KILLS} kills, ${operations} operations (${JSON.stringify(statuses)}), ` +
          `${rolledForward} interrupted writes rolled forward, ${departments} departments, ` +
          `${violations.length} invariant violations`,
      );
    } finally {
      await client.close();
      await db.stop();
    }
    expect(violations).toEqual([]);
    expect(operations).toBeGreaterThan(KILLS * 10);
  }, 180_000);
});
