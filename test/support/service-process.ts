// The production build (`node dist/main.js`) run as a child process, as the image runs it:
// for the tests that kill it (crash, several instances on one database, the outbox across
// restarts) and the process-level tests (signals, database outages, the DATA_DIR lock).
import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are checked field by field
type Json = any;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Pids of live processes whose command line mentions `text` (a data folder). */
export function processesUsing(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (cmdline.includes(text) && state !== 'Z') pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

export interface Session {
  userId: string;
  authToken: string;
}

/** What `ServiceProcess.start` waits for: readiness, or only liveness (the database may be down). */
export type ServiceHealth = 'ready' | 'live';

let callCount = 0;

export class ServiceProcess {
  /** Everything the service wrote, stdout and stderr. */
  output = '';
  /** What it wrote to stderr alone. */
  stderr = '';
  /** The exit code (null after a signal), once the process has exited. */
  readonly exited: Promise<number | null>;
  private constructor(
    readonly child: ChildProcess,
    readonly baseUrl: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /**
   * Starts `node dist/main.js` with `env` and waits until /health/ready says ready (or, with
   * `until: 'live'`, until /health/live answers: for a service started while its database is
   * down).
   */
  static async start(
    env: Record<string, string>,
    options: { until?: ServiceHealth } = {},
  ): Promise<ServiceProcess> {
    const until = options.until ?? 'ready';
    const service = await ServiceProcess.spawn(env);
    if (await service.waitFor(`/health/${until}`, 30_000)) return service;
    service.child.kill('SIGKILL');
    throw new Error(`service did not become ${until}:\n${service.output}`);
  }

  /** Spawns `node dist/main.js` with `env`, without waiting for it. */
  static async spawn(env: Record<string, string>): Promise<ServiceProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, ['dist/main.js'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        HOST: '127.0.0.1',
        DEPARTMENT_REMOVAL_ENABLED: 'true',
        LOG_LEVEL: 'info',
        RATE_LIMIT_PER_MINUTE: '1000000',
        RATE_LIMIT_LOGIN_PER_MINUTE: '1000000',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServiceProcess(child, `http://127.0.0.1:${port}`);
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Whether /health/ready answers 200 within `ms`. */
  waitReady(ms: number): Promise<boolean> {
    return this.waitFor('/health/ready', ms);
  }

  /** Waits until the service's output matches `pattern`; throws if it exits first or after `ms`. */
  async waitForOutput(pattern: RegExp, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pattern.test(this.output)) {
      if (!this.running || Date.now() > deadline) {
        const why = this.running ? `within ${ms} ms` : 'before it exited';
        throw new Error(
          `not in the service's output ${why}: ${pattern}\n${this.output.slice(-3000)}`,
        );
      }
      await sleep(20);
    }
  }

  private async waitFor(pathname: string, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline && this.running) {
      const res = await fetch(`${this.baseUrl}${pathname}`).catch(() => null);
      if (res?.status === 200) return true;
      await sleep(100);
    }
    return false;
  }

  /** A request to `/api/v1<pathname>` (or to `pathname` itself when it starts with `!`, as in TestApp). */
  async call(
    method: string,
    pathname: string,
    session: Session | null,
    body?: unknown,
    timeoutMs = 30_000,
  ) {
    // Tagged, so that a call that gets no answer can be found in the service's log.
    const requestId = `test-call-${++callCount}`;
    const headers: Record<string, string> = { 'x-request-id': requestId };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (session) {
      headers['x-user-id'] = session.userId;
      headers['x-auth-token'] = session.authToken;
    }
    const url = pathname.startsWith('!')
      ? `${this.baseUrl}${pathname.slice(1)}`
      : `${this.baseUrl}/api/v1${pathname}`;
    const startedAt = Date.now();
    try {
      const res = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
    } catch (error) {
      const lines = this.output.split('\n');
      throw new Error(
        `${method} ${pathname} (${requestId}) failed after ${Date.now() - startedAt} ms: ${String(error)}\n` +
          `its log lines (none if the service never answered):\n` +
          `${lines.filter((line) => line.includes(`"${requestId}"`)).join('\n')}\n` +
          `the service's last output:\n${lines.slice(-40).join('\n')}`,
        { cause: error },
      );
    }
  }

  async login(user: string, password: string): Promise<Session> {
    const res = await this.call('POST', '/login', null, { user, password });
    if (res.status !== 200) throw new Error(`login failed: ${JSON.stringify(res.body)}`);
    return { userId: res.body.data.userId, authToken: res.body.data.authToken };
  }

  /** kill -9, and waits until the process has exited. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }
}

export const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)];
export const some = <T>(items: T[], max: number): T[] =>
  items.filter(() => Math.random() < max / items.length).slice(0, max);
