// kill -9 under a mixed write load, several times, on the same data: after each restart
// the stored invariants hold, every acknowledged create and delete is durable, and the
// embedded database never outlives the service it belongs to.
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient } from 'mongodb';
import { startEmbeddedDb } from '../src/database/embedded-db';
import { invariantViolations } from './support/invariants';

const ROOT = path.resolve(__dirname, '..');
const ADMIN = { username: 'crash-admin', password: 'crash-admin-secret' };
const KILLS = 6;
const CLIENTS = 4;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are checked field by field
type Json = any;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Pids of live processes whose command line mentions `dataDir` (the embedded database). */
function processesUsing(dataDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (cmdline.includes(dataDir) && state !== 'Z') pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

interface Session {
  userId: string;
  authToken: string;
}

class Service {
  output = '';
  readonly exited: Promise<void>;
  private constructor(
    readonly child: ChildProcess,
    readonly baseUrl: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Starts `node dist/main.js` on `dataDir` and waits until /health/ready says ready. */
  static async start(dataDir: string): Promise<Service> {
    const port = await freePort();
    const child = spawn(process.execPath, ['dist/main.js'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
        ADMIN_USERNAME: ADMIN.username,
        ADMIN_PASS: ADMIN.password,
        DEPARTMENT_REMOVAL_ENABLED: 'true',
        LOG_LEVEL: 'info',
        RATE_LIMIT_PER_MINUTE: '1000000',
        RATE_LIMIT_LOGIN_PER_MINUTE: '1000000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service = new Service(child, `http://127.0.0.1:${port}`);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && child.exitCode === null) {
      const ready = await fetch(`${service.baseUrl}/health/ready`).catch(() => null);
      if (ready?.status === 200) return service;
      await sleep(100);
    }
    child.kill('SIGKILL');
    throw new Error(`service did not become ready:\n${service.output}`);
  }

  async call(method: string, pathname: string, session: Session | null, body?: unknown) {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (session) {
      headers['x-user-id'] = session.userId;
      headers['x-auth-token'] = session.authToken;
    }
    const res = await fetch(`${this.baseUrl}/api/v1${pathname}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.status, body: (await res.json()) as Json };
  }
}

const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)];
const some = <T>(items: T[], max: number): T[] =>
  items.filter(() => Math.random() < max / items.length).slice(0, max);

describe('kill -9 under a mixed write load', () => {
  let dataDir: string;
  let service: Service | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'departments-crash-'));
  });

  afterAll(async () => {
    service?.child.kill('SIGKILL');
    for (const pid of processesUsing(dataDir)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`keeps every invariant over ${KILLS} kills`, async () => {
    service = await Service.start(dataDir);
    const login = await service.call('POST', '/login', null, {
      user: ADMIN.username,
      password: ADMIN.password,
    });
    const admin: Session = { userId: login.body.data.userId, authToken: login.body.data.authToken };
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

    const created = new Set<string>(); // acknowledged creates, minus acknowledged deletes
    const deleted = new Set<string>();
    // A DELETE cut off by the kill may or may not have happened (it is rolled forward).
    const maybeDeleted = new Set<string>();
    const statuses: Record<string, number> = {};
    let operations = 0;
    let rolledForward = 0;

    const operation = async (target: Service): Promise<void> => {
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
      } else if (roll < 0.7) {
        const upsert = some(agentIds, 3);
        res = await target.call('POST', `/livechat/department/${id}/agents`, admin, {
          upsert: upsert.map((agentId) => ({ agentId })),
          remove: some(
            agentIds.filter((agentId) => !upsert.includes(agentId)),
            2,
          ).map((agentId) => ({ agentId })),
        });
      } else if (roll < 0.8) {
        res = await target.call(
          'POST',
          `/livechat/department/${id}/${pick(['archive', 'unarchive'])}`,
          admin,
        );
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
      const target: Service = service;
      let stop = false;
      const clients = Array.from({ length: CLIENTS }, async () => {
        while (!stop) await operation(target).catch(() => undefined); // refused: the service is gone
      });
      await sleep(300 + Math.random() * 1200);
      target.child.kill('SIGKILL');
      stop = true;
      await Promise.all([target.exited, ...clients]);

      // The embedded database follows its service down.
      const deadline = Date.now() + 5_000;
      while (processesUsing(dataDir).length && Date.now() < deadline) await sleep(50);
      expect(processesUsing(dataDir)).toEqual([]);

      service = await Service.start(dataDir);
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
      const stored = new Set(
        (
          await client
            .db()
            .collection('rocketchat_livechat_department')
            .find({}, { projection: { _id: 1 } })
            .toArray()
        ).map((department) => String(department._id)),
      );
      for (const id of created) {
        if (!stored.has(id) && !maybeDeleted.has(id))
          violations.push(`acknowledged create ${id} was lost`);
      }
      for (const id of deleted)
        if (stored.has(id)) violations.push(`acknowledged delete ${id} came back`);
      console.log(
        `crash test: ${KILLS} kills, ${operations} operations (${JSON.stringify(statuses)}), ` +
          `${rolledForward} interrupted writes rolled forward, ${stored.size} departments, ` +
          `${violations.length} invariant violations`,
      );
    } finally {
      await client.close();
      await db.stop();
    }
    expect(violations).toEqual([]);
    expect(operations).toBeGreaterThan(KILLS * 10);
  });
});
