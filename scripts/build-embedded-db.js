'use strict';
// Builds (once) the embedded database binary from embedded-db/ (FerretDB on SQLite)
// into .cache/embedded-db/<hash of the Go sources>/embedded-db, and reuses it afterwards.
// Usage: node scripts/build-embedded-db.js  (prints the binary's path)
// EMBEDDED_DB_BIN=/path/to/binary skips the build and uses that binary.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { setInterval, clearInterval } = require('node:timers');

const ROOT = path.resolve(__dirname, '..');
const SRC_DIR = path.join(ROOT, 'embedded-db');
const EXE = process.platform === 'win32' ? '.exe' : '';
const PROGRESS_EVERY_MS = 15_000;
const NO_GO_MESSAGE =
  'The embedded database needs Go (https://go.dev/dl/) to build once; install Go or set MONGO_URL to use your own MongoDB.';

/** go.mod, go.sum and every .go file: what the binary is built from. */
function sourceNames() {
  const goFiles = fs.readdirSync(SRC_DIR).filter((name) => name.endsWith('.go'));
  return ['go.mod', 'go.sum', ...goFiles.sort()];
}

function sourceHash() {
  const hash = crypto.createHash('sha256');
  for (const name of sourceNames()) {
    hash.update(name + '\0');
    hash.update(fs.readFileSync(path.join(SRC_DIR, name)));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function isExecutableFile(file) {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function run(cmd, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk) => {
      output += chunk.toString();
      if (output.length > 20000) output = output.slice(-20000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, output }));
  });
}

async function findGo() {
  try {
    const { code } = await run('go', ['version'], { env: process.env });
    if (code === 0) return 'go';
  } catch {
    // ENOENT: go is not on PATH
  }
  throw new Error(NO_GO_MESSAGE);
}

/**
 * @param {{ log?: (msg: string) => void }} [options]
 * @returns {Promise<string>} absolute path of the embedded-db binary
 */
async function ensureEmbeddedDbBinary(options = {}) {
  const log = options.log || ((msg) => console.log(msg));

  if (process.env.EMBEDDED_DB_BIN) {
    const bin = path.resolve(process.env.EMBEDDED_DB_BIN);
    if (!isExecutableFile(bin)) throw new Error(`EMBEDDED_DB_BIN=${bin} is not a file`);
    return bin;
  }

  const outDir = path.join(ROOT, '.cache', 'embedded-db', sourceHash());
  const bin = path.join(outDir, 'embedded-db' + EXE);
  if (isExecutableFile(bin)) return bin;

  const go = await findGo();
  fs.mkdirSync(outDir, { recursive: true });
  const tmp = path.join(
    outDir,
    `.embedded-db-${process.pid}-${crypto.randomBytes(4).toString('hex')}${EXE}`,
  );

  log(
    'Building the embedded database (FerretDB) once: about 2 to 3 minutes with an empty Go cache ' +
      '(128 s and 195 s measured on 2 busy cores), seconds when Go has built it before…',
  );
  const started = Date.now();
  // A line every 15 s, so a first start that seems idle says it is still working.
  const progress = setInterval(
    () =>
      log(`…still building the embedded database (${Math.round((Date.now() - started) / 1000)} s)`),
    PROGRESS_EVERY_MS,
  );
  let result;
  try {
    result = await run(go, ['build', '-trimpath', '-o', tmp, '.'], {
      cwd: SRC_DIR,
      env: { ...process.env, CGO_ENABLED: '0' },
    });
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  } finally {
    clearInterval(progress);
  }
  if (result.code !== 0) {
    fs.rmSync(tmp, { force: true });
    throw new Error(
      `Building the embedded database failed (go build exited with ${result.code ?? result.signal}):\n${result.output.trim()}`,
    );
  }
  fs.chmodSync(tmp, 0o755);
  // rename is atomic: a concurrent builder either sees no binary or a complete one.
  fs.renameSync(tmp, bin);
  log(`Embedded database built in ${Math.round((Date.now() - started) / 1000)} s: ${bin}`);
  return bin;
}

module.exports = { ensureEmbeddedDbBinary };

if (require.main === module) {
  ensureEmbeddedDbBinary({ log: (msg) => console.error(msg) }).then(
    (bin) => console.log(bin),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    },
  );
}
