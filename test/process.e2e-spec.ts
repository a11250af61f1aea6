// The production start command (`node dist/main.js` with MONGO_URL, as in the container
// image) against an embedded database started separately: database outage and recovery,
// SIGTERM under load, and what reaches the logs.
import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { EmbeddedDb, startEmbeddedDb } from '../src/database/embedded-db';

const ROOT = path.resolve(__dirname, '..');
const ADMIN = { username: 'ops-admin', password: 'ops-admin-secret-pw' };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are checked field by field
type Json = any;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class ServiceProcess {
  output = '';
  readonly exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly baseUrl: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(mongoUrl: string): Promise<ServiceProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, ['dist/main.js'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        MONGO_URL: mongoUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        ADMIN_USERNAME: ADMIN.username,
        ADMIN_PASS: ADMIN.password,
        LOG_LEVEL: 'info',
        RATE_LIMIT_PER_MINUTE: '1000000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service = new ServiceProcess(child, `http://127.0.0.1:${port}`);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const live = await fetch(`${service.baseUrl}/health/live`).catch(() => null);
      if (live?.status === 200) return service;
      if (child.exitCode !== null) break;
      await sleep(100);
    }
    child.kill('SIGKILL');
    throw new Error(`service did not start:\n${service.output}`);
  }

  async call(method: string, pathname: string, body?: unknown, session?: Session) {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (session) {
      headers['x-user-id'] = session.userId;
      headers['x-auth-token'] = session.authToken;
    }
    const res = await fetch(`${this.baseUrl}${pathname}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
  }
}

interface Session {
  userId: string;
  authToken: string;
}

const department = (name: string) => ({
  department: {
    name,
    email: 'ops@example.com',
    enabled: true,
    showOnRegistration: true,
    showOnOfflineForm: true,
  },
});

describe('production process (node dist/main.js)', () => {
  let dataDir: string;
  let dbPort: number;
  let db: EmbeddedDb;
  let service: ServiceProcess;
  let admin: Session;
  let authToken: string;

  beforeAll(async () => {
    // dist/ is the same build the container image runs (built by the global setup).
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'departments-process-'));
    dbPort = await freePort();
    db = await startEmbeddedDb({ dataDir, port: dbPort, log: () => undefined });
    service = await ServiceProcess.start(`mongodb://127.0.0.1:${dbPort}/ops`);
    const login = await service.call('POST', '/api/v1/login', {
      user: ADMIN.username,
      password: ADMIN.password,
    });
    expect(login.status).toBe(200);
    authToken = login.body.data.authToken;
    admin = { userId: login.body.data.userId, authToken };
  }, 120_000);

  afterAll(async () => {
    if (service?.child.exitCode === null) service.child.kill('SIGKILL');
    await db?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 within 5 s while the database is down, and recovers by itself', async () => {
    const acknowledged: string[] = [];
    const create = async (name: string) => {
      const res = await service.call(
        'POST',
        '/api/v1/livechat/department',
        department(name),
        admin,
      );
      if (res.status === 200) acknowledged.push(res.body.department._id);
      return res;
    };
    for (let i = 0; i < 10; i++) expect((await create(`before ${i}`)).status).toBe(200);

    // Kill the database under load: 4 clients keep creating until told to stop.
    let loading = true;
    const outcomes: number[] = [];
    const clients = Array.from({ length: 4 }, async (_, client) => {
      for (let i = 0; loading && i < 100; i++) {
        outcomes.push((await create(`load ${client}-${i}`)).status);
      }
    });
    await sleep(300);
    await db.crash();
    // Hold the port during the outage (resetting every connection), so that no other
    // test's database can be started on it meanwhile.
    const portHolder = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => portHolder.listen(dbPort, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      const during = await Promise.all(Array.from({ length: 5 }, () => create('during')));
      for (const res of during) {
        expect(res.status).toBe(503);
        expect(res.body).toEqual({
          success: false,
          error: 'The database is unavailable [error-database-unavailable]',
          errorType: 'error-database-unavailable',
        });
        expect(res.headers.get('retry-after')).toBe('5');
      }
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((await service.call('GET', '/health/ready')).status).toBe(503);
    } finally {
      loading = false;
      await Promise.all(clients);
      await new Promise((resolve) => portHolder.close(resolve));
    }
    // Under load every answer was a success or a clean 503, never a 500 or a hang.
    expect(outcomes.length).toBeGreaterThan(0);
    for (const status of outcomes) expect([200, 503]).toContain(status);

    db = await startEmbeddedDb({ dataDir, port: dbPort, log: () => undefined });
    const restarted = Date.now();
    let recovered = false;
    while (Date.now() - restarted < 5_000) {
      if ((await service.call('GET', '/health/ready')).status === 200) {
        recovered = true;
        break;
      }
      await sleep(100);
    }
    expect(recovered).toBe(true);

    // Every create acknowledged with 200, before or during the outage, is still there.
    const stored = new Set<string>();
    for (let i = 0; i < acknowledged.length; i += 100) {
      const query = acknowledged
        .slice(i, i + 100)
        .map((id) => `ids[]=${id}`)
        .join('&');
      const list = await service.call(
        'GET',
        `/api/v1/livechat/department.listByIds?${query}`,
        undefined,
        admin,
      );
      expect(list.status).toBe(200);
      for (const found of list.body.departments as { _id: string }[]) stored.add(found._id);
    }
    expect([...acknowledged].filter((id) => !stored.has(id))).toEqual([]);
  }, 60_000);

  it('keeps tokens and passwords out of the logs, and tags each line with the request id', async () => {
    const me = await fetch(`${service.baseUrl}/api/v1/me`, {
      headers: {
        'x-user-id': admin.userId,
        'x-auth-token': authToken,
        'x-request-id': 'trace-me-123',
      },
    });
    expect(me.status).toBe(200);
    expect(me.headers.get('x-request-id')).toBe('trace-me-123');
    await sleep(200);
    expect(service.output).toContain('"id":"trace-me-123"');
    expect(service.output).toContain('request completed');
    const hashed = createHash('sha256').update(authToken).digest('base64');
    for (const secret of [authToken, hashed, ADMIN.password]) {
      expect(service.output).not.toContain(secret);
    }
  });

  it('on SIGTERM finishes every accepted request and exits 0 within 10 s', async () => {
    const inFlight = Array.from({ length: 30 }, (_, i) =>
      service.call('POST', '/api/v1/livechat/department', department(`sigterm ${i}`), admin).then(
        (res) => res.status,
        () => 'not accepted',
      ),
    );
    await sleep(30);
    const signalled = Date.now();
    service.child.kill('SIGTERM');
    const statuses = await Promise.all(inFlight);
    const code = await service.exited;
    if (code !== 0) console.log(service.output.slice(-3000));
    expect(code).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    // A request either completed normally or was never accepted (connection refused
    // or 503 while closing); none failed half-way.
    for (const status of statuses) expect([200, 503, 'not accepted']).toContain(status);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(0);
  }, 30_000);
});
