// kill -9 in the middle of a large configuration apply (hundreds of departments and agents):
// after the restart the apply is finished (the recovery pass takes it over), the live
// configuration is the document, and every stored invariant holds.
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient } from 'mongodb';
import { startEmbeddedDb } from '../src/database/embedded-db';
import { invariantViolations } from './support/invariants';
import { processesUsing, ServiceProcess, Session, sleep } from './support/service-process';

const ADMIN = { username: 'apply-admin', password: 'apply-admin-secret' };
const DEPARTMENTS = 240;
const AGENTS = 60;
const AGENTS_PER_DEPARTMENT = 4;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are checked field by field
type Json = any;

const startService = (dataDir: string) =>
  ServiceProcess.start({
    DATA_DIR: dataDir,
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASS: ADMIN.password,
  });

async function ok(res: Promise<{ status: number; body: Json }>): Promise<Json> {
  const answer = await res;
  if (answer.status !== 200) throw new Error(`${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

describe('kill -9 during a large configuration apply', () => {
  let dataDir: string;
  let service: ServiceProcess | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'departments-apply-crash-'));
  });

  afterAll(async () => {
    service?.child.kill('SIGKILL');
    for (const pid of processesUsing(dataDir)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is finished after the restart, and every invariant holds', async () => {
    service = await startService(dataDir);
    const admin: Session = await service.login(ADMIN.username, ADMIN.password);
    const agents: string[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const username = `apply-agent-${i}`;
      await ok(
        service.call('POST', '/users.create', admin, {
          username,
          email: `${username}@example.com`,
          password: 'agent-password-1',
          name: username,
        }),
      );
      await ok(service.call('POST', '/livechat/users/agent', admin, { username }));
      agents.push(username);
    }

    const { configuration: empty, version } = await ok(
      service.call('GET', '/livechat/configuration', admin),
    );
    const document = structuredClone(empty);
    const name = (i: number) => `Department ${String(i).padStart(3, '0')}`;
    for (let i = 0; i < DEPARTMENTS; i++) {
      document.departments[name(i)] = {
        email: `d${i}@example.com`,
        enabled: i % 7 !== 0,
        archived: false,
        showOnRegistration: true,
        showOnOfflineForm: i % 2 === 0,
        description: `Department number ${i}`,
        requestTagBeforeClosingChat: null,
        chatClosingTags: null,
        fallbackForwardDepartment: i > 0 ? name(i - 1) : null,
        departmentsAllowedToForward: i > 1 ? [name(i - 2), name(i - 1)] : [],
        allowReceiveForwardOffline: null,
        offlineMessageChannelName: null,
        abandonedRoomsCloseCustomMessage: null,
        waitingQueueMessage: null,
        maxNumberSimultaneousChat: i % 5,
        visitorInactivityTimeoutInSeconds: null,
        agents: Object.fromEntries(
          Array.from({ length: AGENTS_PER_DEPARTMENT }, (_, k) => [
            agents[(i * 3 + k * 7) % AGENTS],
            { count: 0, order: k },
          ]),
        ),
      };
    }
    document.units = {
      Everything: {
        visibility: 'public',
        monitors: [],
        departments: Array.from({ length: 20 }, (_, i) => name(i * 10)),
      },
    };
    const { plan } = await ok(
      service.call('POST', '/livechat/configuration.plan', admin, { configuration: document }),
    );
    expect(plan.basedOn).toBe(version);
    expect(plan.refusals).toEqual([]);
    expect(plan.changes).toHaveLength(DEPARTMENTS + 1);

    // The apply, without a client timeout (it is killed before it answers).
    const target = service;
    const applying = fetch(`${target.baseUrl}/api/v1/livechat/configuration.apply`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-user-id': admin.userId,
        'x-auth-token': admin.authToken,
      },
      body: JSON.stringify({ configuration: document, basedOn: plan.basedOn }),
    }).then(
      (res) => res.status,
      () => 'cut off',
    );
    // Killed once part of it is written, however fast or slow the machine is.
    let written = 0;
    const deadline = Date.now() + 120_000;
    while (written < DEPARTMENTS / 8 && Date.now() < deadline) {
      await sleep(50);
      written = (await ok(target.call('GET', '/livechat/department?count=1', admin))).total;
    }
    await target.kill();
    expect(await applying).toBe('cut off');
    expect(written).toBeGreaterThanOrEqual(DEPARTMENTS / 8);
    expect(written).toBeLessThan(DEPARTMENTS);

    // The restarted service finishes the apply in the background: wait for the log line.
    service = await startService(dataDir);
    const restarted = service;
    const finishBy = Date.now() + 240_000;
    while (!/Finished configuration apply/.test(restarted.output) && Date.now() < finishBy) {
      await sleep(200);
    }
    expect(restarted.output).toMatch(/Finishing interrupted configuration apply/);
    expect(restarted.output).toMatch(/Finished configuration apply/);
    const after = await ok(service.call('GET', '/livechat/configuration', admin));
    expect(after.configuration.departments).toEqual(document.departments);
    expect(after.configuration.units).toEqual(document.units);
    // Applying it again changes nothing.
    const { plan: again } = await ok(
      service.call('POST', '/livechat/configuration.plan', admin, { configuration: document }),
    );
    expect(again.changes).toEqual([]);

    service.child.kill('SIGTERM');
    await service.exited;
    service = undefined;
    const db = await startEmbeddedDb({ dataDir, log: () => undefined });
    const client = await MongoClient.connect(`${db.url}rocketchat`);
    try {
      expect(await invariantViolations(client.db())).toEqual([]);
      const applies = await client
        .db()
        .collection('livechat_configuration_applies')
        .find({})
        .toArray();
      expect(applies.map((apply) => apply.state)).toEqual(['finished']);
      const names = await client
        .db()
        .collection('rocketchat_livechat_department')
        .distinct('name', { type: { $ne: 'u' } });
      const count = await client
        .db()
        .collection('rocketchat_livechat_department')
        .countDocuments({ type: { $ne: 'u' } });
      // No department created twice.
      expect(count).toBe(DEPARTMENTS);
      expect(names).toHaveLength(DEPARTMENTS);
    } finally {
      await client.close();
      await db.stop();
    }
  }, 400_000);
});
