// The same guarantee with real processes: instance A is frozen (SIGSTOP) in the middle of
// a 1000-agent upsert, for longer than its lease. Instance B takes the lease over, finishes
// A's journaled write and removes all 1000 agents (200). When A is resumed, its remaining
// upserts reach the database, which refuses or sweeps them: B's acknowledged removal stands.
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient } from 'mongodb';
import { EmbeddedDb, startEmbeddedDb } from '../src/database/embedded-db';
import { invariantViolations } from './support/invariants';
import { ServiceProcess, Session, sleep } from './support/service-process';

const ADMIN = { username: 'fence-admin', password: 'fence-admin-secret' };
const LEASE_TTL_MS = 2_000;
const AGENTS = 1000;
/** A thousand upserts, replayed and removed, on a busy machine: no fixed budget but a wide one. */
const SLOW_MS = 150_000;

let dataDir: string;
let db: EmbeddedDb;
let client: MongoClient;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'departments-fence-'));
  db = await startEmbeddedDb({ dataDir, log: () => undefined });
  const mongoUrl = `${db.url}fence`;
  client = await MongoClient.connect(mongoUrl);
  const env = {
    MONGO_URL: mongoUrl,
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASS: ADMIN.password,
    WRITE_LEASE_TTL_MS: String(LEASE_TTL_MS),
    // The frozen request outlives the default 30 s request timeout on a busy machine.
    REQUEST_TIMEOUT_MS: String(SLOW_MS),
    LOG_LEVEL: 'warn',
  };
  // One at a time: the first creates the bootstrap admin.
  services.push(await ServiceProcess.start(env));
  services.push(await ServiceProcess.start(env));
}, 120_000);

afterAll(async () => {
  for (const service of services) {
    service.child.kill('SIGCONT');
    service.child.kill('SIGKILL');
  }
  await Promise.all(services.map((service) => service.exited));
  await client?.close();
  await db?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it('a process frozen mid-upsert past its lease does not undo the removal acknowledged meanwhile', async () => {
  const [a, b] = services;
  const admin: Session = await a.login(ADMIN.username, ADMIN.password);
  // A thousand agents as fixtures, straight into the users collection (bcrypt for each would
  // take minutes); the service knows an agent by its role.
  const agentIds = Array.from(
    { length: AGENTS },
    (_, i) => `fence-agent-${String(i).padStart(4, '0')}`,
  );
  await client
    .db()
    .collection('users')
    .insertMany(
      agentIds.map((_id) => ({
        _id: _id as never,
        username: _id,
        name: _id,
        roles: ['user', 'livechat-agent'],
        active: true,
        type: 'user',
        status: 'offline',
        statusLivechat: 'not-available',
        emails: [{ address: `${_id}@example.com`, verified: false }],
        createdAt: new Date(),
        _updatedAt: new Date(),
      })),
    );
  const created = await a.call('POST', '/livechat/department', admin, {
    department: {
      name: 'frozen',
      email: 'frozen@example.com',
      enabled: true,
      showOnRegistration: true,
      showOnOfflineForm: true,
    },
  });
  expect(created.status).toBe(200);
  const id = created.body.department._id as string;
  const assignments = client.db().collection('rocketchat_livechat_department_agents');

  const upsert = a.call(
    'POST',
    `/livechat/department/${id}/agents`,
    admin,
    {
      upsert: agentIds.map((agentId) => ({ agentId })),
      remove: [],
    },
    SLOW_MS,
  );
  // Freeze A once its upsert is under way (some assignments stored, not all).
  let stored = 0;
  const deadline = Date.now() + 60_000;
  while ((stored = await assignments.countDocuments({ departmentId: id })) === 0) {
    if (Date.now() > deadline) throw new Error('the upsert never started');
    await sleep(5);
  }
  a.child.kill('SIGSTOP');
  expect(stored).toBeLessThan(AGENTS);
  try {
    const removal = await b.call(
      'POST',
      `/livechat/department/${id}/agents`,
      admin,
      {
        upsert: [],
        remove: agentIds.map((agentId) => ({ agentId })),
      },
      SLOW_MS,
    );
    expect(removal.status).toBe(200);
    expect(await assignments.countDocuments({ departmentId: id })).toBe(0);
  } finally {
    a.child.kill('SIGCONT');
  }
  expect((await upsert).status).toBe(503);

  // Every journal entry is finished, and A's late inserts swept (by A, or a recovery pass).
  const journal = client.db().collection('livechat_department_journal');
  const drained = Date.now() + 60_000;
  while (
    (await journal.countDocuments({})) > 0 ||
    (await assignments.countDocuments({ departmentId: id })) > 0
  ) {
    if (Date.now() > drained) break;
    await sleep(200);
  }
  expect(await assignments.countDocuments({ departmentId: id })).toBe(0);
  const department = await client
    .db()
    .collection('rocketchat_livechat_department')
    .findOne({ _id: id as never });
  expect(department?.numAgents).toBe(0);
  expect(await invariantViolations(client.db())).toEqual([]);
}, 480_000);
