// `npm start` (scripts/start.js): builds only when the build is older than its sources
// (scripts/build-state.js), then runs the service in the same process, so SIGTERM reaches it
// and its exit code is npm's.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { EmbeddedDb, startEmbeddedDb } from '../src/database/embedded-db';

const ROOT = path.resolve(__dirname, '..');
const { staleReason } = require('../scripts/build-state') as {
  staleReason: (root?: string) => string | null;
};

/** Writes `file` under `root` with the given age in seconds (mtime = now - age). */
function put(root: string, file: string, ageS: number): void {
  const full = path.join(root, file);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, file);
  const at = new Date(Date.now() - ageS * 1000);
  utimesSync(full, at, at);
}

describe('npm start: build only when stale', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'start-script-'));
    put(root, 'src/main.ts', 100);
    put(root, 'tsconfig.json', 100);
    put(root, 'package-lock.json', 100);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('builds when dist/main.js is missing', () => {
    expect(staleReason(root)).toBe('dist/main.js is missing');
  });

  it('does not build when dist/ is newer than src/ and the build inputs', () => {
    put(root, 'dist/main.js', 10);
    expect(staleReason(root)).toBeNull();
  });

  it('builds when a file under src/ is newer than the build', () => {
    put(root, 'dist/main.js', 10);
    put(root, 'src/livechat/new-feature.ts', 1);
    expect(staleReason(root)).toBe('src/ changed since the last build');
  });

  it('builds when tsconfig.json or package-lock.json changed since the build', () => {
    put(root, 'dist/main.js', 10);
    put(root, 'package-lock.json', 1);
    expect(staleReason(root)).toBe('package-lock.json changed since the last build');
  });

  it('builds the console when web/ exists and is not built, or changed since its build', () => {
    put(root, 'dist/main.js', 10);
    put(root, 'web/src/App.tsx', 50);
    expect(staleReason(root)).toBe('the console (web/) has not been built');
    put(root, 'web/dist/index.html', 20);
    expect(staleReason(root)).toBeNull();
    put(root, 'web/src/App.tsx', 1);
    expect(staleReason(root)).toBe('web/ changed since the last build');
  });

  it("ignores web/'s own node_modules", () => {
    put(root, 'dist/main.js', 10);
    put(root, 'web/src/App.tsx', 50);
    put(root, 'web/dist/index.html', 20);
    put(root, 'web/node_modules/x/index.js', 1);
    expect(staleReason(root)).toBeNull();
  });
});

describe('npm start: the service in the same process', () => {
  let db: EmbeddedDb;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'start-script-db-'));
    db = await startEmbeddedDb({ dataDir, log: () => undefined });
  }, 120_000);
  afterAll(async () => {
    await db?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers /health/ready, stops on SIGTERM with exit code 0, and skips the build when up to date', async () => {
    const upToDate = staleReason() === null;
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as net.AddressInfo;
        server.close(() => resolve(free));
      });
    });
    const child = spawn('npm', ['start'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        MONGO_URL: `${db.url}start_script_${Date.now().toString(36)}`,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const deadline = Date.now() + 150_000;
      let ready = false;
      while (!ready && Date.now() < deadline) {
        const res = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => null);
        ready = res?.status === 200;
        if (!ready) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(ready).toBe(true);
      if (upToDate) expect(output).not.toContain('running npm run build');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toContain('SIGTERM received: shutting down');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 180_000);
});
