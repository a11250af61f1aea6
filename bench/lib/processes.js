'use strict';
// Child processes of the harness (embedded database, service, baseline): started on loopback
// ports, tracked, and always stopped — on normal end, on error, on SIGINT/SIGTERM and on exit.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { MongoClient } = require('mongodb');
const { LogTail, freePort, request, sleep } = require('./common');

const ROOT = path.resolve(__dirname, '..', '..');
const live = new Set();
const cleanups = [];
let handlersInstalled = false;
let shuttingDown = false;

/** Registers a synchronous cleanup (temp dirs…) run on exit, whatever the cause. */
function onCleanup(fn) {
  installHandlers();
  cleanups.push(fn);
}

function runCleanups() {
  for (const child of live) {
    try {
      child.process.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
  while (cleanups.length) {
    try {
      cleanups.pop()();
    } catch {
      // best effort
    }
  }
}

function installHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', runCleanups);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (shuttingDown) return;
      shuttingDown = true;
      console.error(`\n${signal}: stopping the benchmark processes…`);
      stopAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
}

function waitForExit(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/**
 * Spawns a tracked child. Returns { name, pid, process, tail, exited(), describeExit(), stop() }.
 */
function spawnManaged(name, command, args, options = {}) {
  installHandlers();
  const tail = new LogTail();
  const child = spawn(command, args, {
    cwd: options.cwd || ROOT,
    env: options.env || process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk) => tail.push(chunk));
  child.stderr.on('data', (chunk) => tail.push(chunk));
  let spawnError;
  child.once('error', (err) => (spawnError = err));
  const managed = {
    name,
    process: child,
    tail,
    get pid() {
      return child.pid;
    },
    exited() {
      return Boolean(spawnError) || child.exitCode !== null || child.signalCode !== null;
    },
    describeExit() {
      if (spawnError) return `could not start: ${spawnError.message}`;
      return child.signalCode
        ? `killed by ${child.signalCode}`
        : `exited with code ${child.exitCode}`;
    },
    async stop(graceMs = 5_000) {
      if (!managed.exited()) {
        child.kill('SIGTERM');
        if (!(await waitForExit(child, graceMs))) {
          child.kill('SIGKILL');
          await waitForExit(child, 5_000);
        }
      }
      live.delete(managed);
    },
  };
  live.add(managed);
  child.once('exit', () => live.delete(managed));
  return managed;
}

function isShuttingDown() {
  return shuttingDown;
}

async function stopAll() {
  await Promise.all([...live].map((child) => child.stop()));
}

async function canPing(url) {
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

/**
 * Starts the embedded database (FerretDB on SQLite, see embedded-db/) like
 * src/database/embedded-db.ts does: own binary, free loopback port, a temporary data dir.
 * Returns { url: 'mongodb://127.0.0.1:<port>/', child, dataDir }.
 */
async function startEmbeddedDb(log) {
  const { ensureEmbeddedDbBinary } = require(path.join(ROOT, 'scripts', 'build-embedded-db.js'));
  const bin = await ensureEmbeddedDbBinary({ log });
  const os = require('node:os');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'departments-bench-db-'));
  onCleanup(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const url = `mongodb://127.0.0.1:${port}/`;
    const child = spawnManaged('embedded-db', bin, [
      '-listen',
      `127.0.0.1:${port}`,
      '-data',
      dataDir,
    ]);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exited()) break;
      if (Date.now() > deadline) {
        await child.stop();
        throw new Error(`embedded-db not ready after 30 s. Last output:\n${child.tail.text()}`);
      }
      if (await canPing(url)) return { url, child, dataDir };
      await sleep(100);
    }
    const output = child.tail.text();
    if (!/address already in use/i.test(output) || attempt === 3) {
      throw new Error(`embedded-db ${child.describeExit()}. Last output:\n${output}`);
    }
    log(`embedded-db: port ${port} taken, retrying`);
  }
  throw new Error('embedded-db: no port');
}

/**
 * Starts a Node HTTP server (`node [nodeArgs] script`) with `env` on `port` and waits until it
 * answers any HTTP request (Nest listens only once bootstrap — indexes, admin — is done).
 */
async function startNodeServer(name, script, { port, env, nodeArgs = [], timeoutMs = 60_000 }) {
  const child = spawnManaged(name, process.execPath, [...nodeArgs, script], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exited()) {
      throw new Error(
        `${name} ${child.describeExit()} during start. Last output:\n${child.tail.text()}`,
      );
    }
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error(
        `${name} not answering on port ${port} after ${timeoutMs / 1000} s. Last output:\n${child.tail.text()}`,
      );
    }
    try {
      await request(port, 'GET', '/api/v1/me', { timeoutMs: 2_000 });
      return child;
    } catch {
      await sleep(150);
    }
  }
}

module.exports = {
  ROOT,
  isShuttingDown,
  spawnManaged,
  stopAll,
  startEmbeddedDb,
  startNodeServer,
  onCleanup,
  runCleanups,
};
