// Starts the embedded database (FerretDB on SQLite, see embedded-db/) as a child process that
// listens on a Unix socket inside DATA_DIR. Used when MONGO_URL is not set, and by the e2e
// tests' global setup.
//
// FerretDB has no authentication, so the database must be reachable by this service only:
// DATA_DIR is 0700 and the socket 0600, and there is no TCP port another local process could
// connect to, or take before the database binds it.
import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient } from 'mongodb';

export interface EmbeddedDb {
  /** `mongodb://<percent-encoded socket path>/` — append the database name. */
  url: string;
  /** The Unix socket the database listens on (mode 0600, in a 0700 folder). */
  socketPath: string;
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
/** The socket's name inside DATA_DIR. */
const SOCKET_NAME = 'db.sock';
/**
 * The longest Unix socket path (sun_path less its terminating NUL): 107 bytes on Linux,
 * 103 on macOS and the BSDs.
 */
const MAX_SOCKET_PATH = process.platform === 'linux' ? 107 : 103;
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function canConnect(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ path: socketPath });
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

/**
 * Creates DATA_DIR for this user only (0700). A folder that already holds an embedded
 * database (its `.lock`) is ours: an earlier version created it 0755, so it is tightened.
 * Any other existing folder is the operator's, and left as it is.
 */
function preparePrivateDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (existsSync(path.join(dataDir, '.lock'))) chmodSync(dataDir, 0o700);
}

/**
 * Where the socket goes: inside DATA_DIR, or, when that path is too long for a socket, in a
 * new private (0700) temporary folder, removed at stop. Returns that folder too.
 */
function chooseSocketPath(dataDir: string): { socketPath: string; tempDir?: string } {
  const inDataDir = path.join(dataDir, SOCKET_NAME);
  if (Buffer.byteLength(inDataDir) <= MAX_SOCKET_PATH) return { socketPath: inDataDir };
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'embedded-db-'));
  const socketPath = path.join(tempDir, SOCKET_NAME);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    rmSync(tempDir, { recursive: true, force: true });
    throw new Error(
      `embedded-db: neither DATA_DIR nor the temporary folder (${os.tmpdir()}) is short enough for a Unix socket path (${MAX_SOCKET_PATH} bytes); set a shorter DATA_DIR or TMPDIR`,
    );
  }
  return { socketPath, tempDir };
}

async function startOnce(
  bin: string,
  dataDir: string,
  log: (msg: string) => void,
): Promise<EmbeddedDb> {
  const { socketPath, tempDir } = chooseSocketPath(dataDir);
  const removeTempDir = (): void => {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  };
  const url = `mongodb://${encodeURIComponent(socketPath)}/`;
  const tail = new LogTail();
  // stdin is a pipe this process never writes to: the database exits when it reads end of
  // file, i.e. when this process is gone, however it died (kill -9 included).
  const child = spawn(bin, ['-socket', socketPath, '-data', dataDir, '-watch-stdin'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin?.on('error', () => undefined);
  // main.go prints this once it holds the data folder's lock and has removed a stale socket:
  // before it, the socket may still be another database's (which then keeps the lock).
  let announced = false;
  child.stdout?.on('data', (chunk: Buffer) => {
    tail.push(chunk);
    announced ||= tail.text().includes('embedded-db: listening on');
  });
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
    removeTempDir();
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
    const message = `embedded-db failed to start on ${socketPath} (${reason}). Last output:\n${output}`;
    log(message);
    throw new Error(message);
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (spawnError) return fail(`cannot run ${bin}: ${spawnError.message}`);
    if (exitInfo) return fail(`exited with ${exitInfo}`);
    if (Date.now() > deadline) return fail(`not ready after ${START_TIMEOUT_MS / 1000} s`);
    if (announced && (await canConnect(socketPath)) && (await canPing(url))) break;
    await sleep(100);
  }
  started = true;
  const crash = async (): Promise<void> => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await stop();
  };
  return { url, socketPath, pid: child.pid as number, stop, crash };
}

/**
 * Starts the embedded database on `dataDir`. Started again on the same folder, it answers at
 * the same `url` (fault tests restart it where clients expect it).
 */
export async function startEmbeddedDb(opts: {
  dataDir: string;
  log: (msg: string) => void;
}): Promise<EmbeddedDb> {
  const bin = await loadBuildScript().ensureEmbeddedDbBinary({ log: opts.log });
  const dataDir = path.resolve(opts.dataDir);
  preparePrivateDataDir(dataDir);
  return startOnce(bin, dataDir, opts.log);
}
