// kill -9 in the middle of a large configuration apply (hundreds of departments and agents):
// after the restart the apply is finished (the recovery pass takes it over), the live
// configuration is the document, and every stored invariant holds.
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient } from 'mongodb';
import { EmbeddedDb, startEmbeddedDb } from '../src/database/embedded-db';
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

async function createAgents(service: ServiceProcess, admin: Session, count: number) {
  const agents: string[] = [];
  for (let i = 0; i < count; i++) {
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
  return agents;
}

/** `departments` departments, each forwarding to the two before it, with agents; a tenth in one unit. */
function largeDocument(empty: Json, agents: string[], departments: number): Json {
  const document = structuredClone(empty);
  const name = (i: number) => `Department ${String(i).padStart(3, '0')}`;
  for (let i = 0; i < departments; i++) {
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
          agents[(i * 3 + k * 7) % agents.length],
          { count: 0, order: k },
        ]),
      ),
    };
  }
  document.units = {
    Everything: {
      visibility: 'public',
      monitors: [],
      departments: Array.from({ length: departments / 10 }, (_, i) => name(i * 10)),
    },
  };
  return document;
}

/** Starts the apply without a client timeout; resolves with its status, or 'cut off'. */
function startApply(service: ServiceProcess, admin: Session, document: Json, basedOn: string) {
  return fetch(`${service.baseUrl}/api/v1/livechat/configuration.apply`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-user-id': admin.userId,
      'x-auth-token': admin.authToken,
    },
    body: JSON.stringify({ configuration: document, basedOn }),
  }).then(
    async (res) => `${res.status} ${await res.text()}`,
    () => 'cut off' as const,
  );
}

/** Waits until `reader` answers at least `count` departments (part of the apply is written). */
async function waitForDepartments(reader: ServiceProcess, admin: Session, count: number) {
  let written = 0;
  const deadline = Date.now() + 120_000;
  while (written < count && Date.now() < deadline) {
    await sleep(50);
    written = (await ok(reader.call('GET', '/livechat/department?count=1', admin))).total;
  }
  return written;
}

/** Waits (up to 4 minutes) until the service logged that it finished an interrupted apply. */
async function waitForFinish(service: ServiceProcess) {
  const deadline = Date.now() + 240_000;
  while (!/Finished configuration apply/.test(service.output) && Date.now() < deadline) {
    await sleep(200);
  }
  expect(service.output).toMatch(/Finishing interrupted configuration apply/);
  expect(service.output).toMatch(/Finished configuration apply/);
}

/** The stored invariants, one finished apply, and each department stored once. */
async function checkStored(mongoUrl: string, departments: number) {
  const client = await MongoClient.connect(mongoUrl);
  try {
    expect(await invariantViolations(client.db())).toEqual([]);
    const applies = await client
      .db()
      .collection('livechat_configuration_applies')
      .find({})
      .toArray();
    expect(applies.map((apply) => apply.state)).toEqual(['finished']);
    const stored = client.db().collection('rocketchat_livechat_department');
    expect(await stored.countDocuments({ type: { $ne: 'u' } })).toBe(departments);
    expect(await stored.distinct('name', { type: { $ne: 'u' } })).toHaveLength(departments);
  } finally {
    await client.close();
  }
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
    const agents = await createAgents(service, admin, AGENTS);
    const { configuration: empty, version } = await ok(
      service.call('GET', '/livechat/configuration', admin),
    );
    const document = largeDocument(empty, agents, DEPARTMENTS);
    const { plan } = await ok(
      service.call('POST', '/livechat/configuration.plan', admin, { configuration: document }),
    );
    expect(plan.basedOn).toBe(version);
    expect(plan.refusals).toEqual([]);
    expect(plan.changes).toHaveLength(DEPARTMENTS + 1);

    // Killed once part of it is written, however fast or slow the machine is.
    const target = service;
    const applying = startApply(target, admin, document, plan.basedOn);
    const written = await waitForDepartments(target, admin, DEPARTMENTS / 8);
    await target.kill();
    expect(await applying).toBe('cut off');
    expect(written).toBeGreaterThanOrEqual(DEPARTMENTS / 8);
    expect(written).toBeLessThan(DEPARTMENTS);

    // The restarted service finishes the apply in the background: wait for the log line.
    service = await startService(dataDir);
    await waitForFinish(service);
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
    try {
      await checkStored(`${db.url}rocketchat`, DEPARTMENTS);
    } finally {
      await db.stop();
    }
  }, 400_000);
});

describe('an apply cut short on one instance, with another one running', () => {
  const SHARED_DEPARTMENTS = 120;
  let dataDir: string;
  let db: EmbeddedDb;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'departments-apply-shared-'));
    db = await startEmbeddedDb({ dataDir, log: () => undefined });
  });

  afterAll(async () => {
    for (const service of services) service.child.kill('SIGKILL');
    await Promise.all(services.map((service) => service.exited));
    await db?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is finished by the other instance, without a restart', async () => {
    const mongoUrl = `${db.url}shared`;
    const start = () =>
      ServiceProcess.start({
        MONGO_URL: mongoUrl,
        ADMIN_USERNAME: ADMIN.username,
        ADMIN_PASS: ADMIN.password,
        // Short, so that the killed instance's leases are taken over quickly.
        WRITE_LEASE_TTL_MS: '2000',
      });
    // One at a time: the first creates the bootstrap admin.
    const first = await start();
    services.push(first);
    const second = await start();
    services.push(second);
    const admin = await first.login(ADMIN.username, ADMIN.password);
    const agents = await createAgents(first, admin, 30);
    const { configuration: empty } = await ok(first.call('GET', '/livechat/configuration', admin));
    const document = largeDocument(empty, agents, SHARED_DEPARTMENTS);
    const { plan } = await ok(
      first.call('POST', '/livechat/configuration.plan', admin, { configuration: document }),
    );
    expect(plan.refusals).toEqual([]);

    const applying = startApply(first, admin, document, plan.basedOn);
    // Read through the other instance: part of the apply is written.
    const written = await waitForDepartments(second, admin, SHARED_DEPARTMENTS / 8);
    await first.kill();
    expect(await applying).toBe('cut off');
    expect(written).toBeLessThan(SHARED_DEPARTMENTS);

    await waitForFinish(second);
    const after = await ok(second.call('GET', '/livechat/configuration', admin));
    expect(after.configuration.departments).toEqual(document.departments);
    expect(after.configuration.units).toEqual(document.units);
    second.child.kill('SIGTERM');
    await second.exited;
    await checkStored(mongoUrl, SHARED_DEPARTMENTS);
  }, 400_000);
});
