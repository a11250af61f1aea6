// Starts the embedded database (FerretDB on SQLite, see embedded-db/) as a child process on a free
// loopback port. Used when MONGO_URL is not set, and by the e2e tests' global setup.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { MongoClient } from 'mongodb';

export interface EmbeddedDb {
  /** `mongodb://127.0.0.1:<port>/` — append the database name. */
  url: string;
  /** The database process's id (fault tests stop and resume it). */
  pid: number;
  /** Graceful stop (SIGTERM, then SIGKILL after 5 s); resolves once the process has exited. */
  stop(): Promise<void>;
  /** Kills the process at once, as a crash would (fault tests); resolves once it has exited. */
  crash(): Promise<void>;
}

interface BuildScript {
  ensureEmbeddedDbBinary(opts: { log: (msg: string) => void }): Promise<string>;
}

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const MAX_LOG_LINES = 50;
const PORT_ATTEMPTS = 3;
/** embedded-db/main.go's exit code when another live process holds the data directory's lock. */
const EXIT_DATA_DIR_IN_USE = 3;

/** The project root: the nearest folder above this file holding package.json (works from src/ and dist/). */
function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`embedded-db: no package.json above ${__dirname}`);
    dir = parent;
  }
}

function loadBuildScript(): BuildScript {
  return require(path.join(projectRoot(), 'scripts', 'build-embedded-db.js')) as BuildScript;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('embedded-db: no free port'))));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function canPing(url: string): Promise<boolean> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 1000, directConnection: true });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Keeps the last lines a child process printed (its pipes must be drained anyway). */
class LogTail {
  readonly lines: string[] = [];
  private partial = '';

  push(chunk: Buffer): void {
    const parts = (this.partial + chunk.toString()).split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) if (line) this.add(line);
    if (this.partial.length > 8192) {
      this.add(this.partial);
      this.partial = '';
    }
  }

  text(): string {
    return [...this.lines, ...(this.partial ? [this.partial] : [])].join('\n');
  }

  private add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > MAX_LOG_LINES) this.lines.shift();
  }
}

class PortInUseError extends Error {}

/** Another running service (its embedded database) holds DATA_DIR; the message is one line. */
export class DataDirInUseError extends Error {
  constructor(dataDir: string, output: string) {
    // main.go prints the holder's record: "pid N, parent pid M", M being its service.
    const service = /parent pid (\d+)/.exec(output)?.[1];
    super(
      `DATA_DIR ${dataDir} is in use by another running service${service ? ` (pid ${service})` : ''}`,
    );
  }
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

async function startOnce(
  bin: string,
  dataDir: string,
  log: (msg: string) => void,
  fixedPort?: number,
): Promise<EmbeddedDb> {
  const port = fixedPort ?? (await freePort());
  const url = `mongodb://127.0.0.1:${port}/`;
  const tail = new LogTail();
  // stdin is a pipe this process never writes to: the database stops when it reads end of
  // file, i.e. when this process is gone, however it died (kill -9 included).
  const child = spawn(bin, ['-listen', `127.0.0.1:${port}`, '-data', dataDir, '-watch-stdin'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin?.on('error', () => undefined);
  child.stdout?.on('data', (chunk: Buffer) => tail.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => tail.push(chunk));
  // After 'exit', output may still be in the pipes; 'close' comes once it has been read.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));

  let stopping = false;
  let started = false;
  let exitInfo: string | undefined;
  let exitCode: number | null = null;
  let spawnError: Error | undefined;
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.on('exit', killOnExit);
  child.once('error', (err) => (spawnError = err));
  child.once('exit', (code, signal) => {
    exitCode = code;
    exitInfo = signal ? `signal ${signal}` : `code ${code}`;
    process.off('exit', killOnExit);
    if (started && !stopping)
      log(`embedded-db exited unexpectedly (${exitInfo}); last output:\n${tail.text()}`);
  });

  let stopPromise: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopPromise ??= (async () => {
      stopping = true;
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        if (!(await waitForExit(child, STOP_TIMEOUT_MS))) {
          child.kill('SIGKILL');
          await waitForExit(child, STOP_TIMEOUT_MS);
        }
      }
      process.off('exit', killOnExit);
    })();
    return stopPromise;
  };

  const fail = async (reason: string): Promise<never> => {
    await stop();
    await closed;
    const output = tail.text();
    if (exitCode === EXIT_DATA_DIR_IN_USE) throw new DataDirInUseError(dataDir, output);
    const message = `embedded-db failed to start on port ${port} (${reason}). Last output:\n${output}`;
    if (/address already in use/i.test(output)) throw new PortInUseError(message);
    log(message);
    throw new Error(message);
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (spawnError) return fail(`cannot run ${bin}: ${spawnError.message}`);
    if (exitInfo) return fail(`exited with ${exitInfo}`);
    if (Date.now() > deadline) return fail(`not ready after ${START_TIMEOUT_MS / 1000} s`);
    if ((await canConnect(port)) && (await canPing(url))) break;
    await sleep(100);
  }
  started = true;
  const crash = async (): Promise<void> => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await stop();
  };
  return { url, pid: child.pid as number, stop, crash };
}

export async function startEmbeddedDb(opts: {
  dataDir: string;
  log: (msg: string) => void;
  /** A fixed port (fault tests restart the database where clients expect it); default: a free one. */
  port?: number;
}): Promise<EmbeddedDb> {
  const bin = await loadBuildScript().ensureEmbeddedDbBinary({ log: opts.log });
  const dataDir = path.resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(bin, dataDir, opts.log, opts.port);
    } catch (err) {
      if (!(err instanceof PortInUseError) || opts.port !== undefined) throw err;
      if (attempt >= PORT_ATTEMPTS) {
        opts.log(err.message);
        throw err;
      }
      opts.log(
        `embedded-db: port already in use, retrying on another port (attempt ${attempt + 1})`,
      );
    }
  }
}
