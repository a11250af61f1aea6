'use strict';
// npm run bench — load scenarios of issue 5 against the service and against the baseline
// (bench/baseline/server.js), one after the other, on one database, loopback only.
// See bench/README.md for the scenarios, the options (env) and how to read the figures.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { MongoClient } = require('mongodb');
const { cpuMsOf, freePort, memoryOf, request, sleep, randomId } = require('./lib/common');
const {
  ROOT,
  isShuttingDown,
  onCleanup,
  startEmbeddedDb,
  startNodeServer,
  stopAll,
} = require('./lib/processes');
const {
  seed,
  login,
  removeCreatedDepartments,
  removeDepartmentsExcept,
  removeOfflineMessages,
} = require('./lib/seed');
const { scenarios: buildScenarios, sanityCheck, KINDS } = require('./lib/scenarios');
const { runLoad } = require('./lib/load');
const scaleRun = require('./lib/scale');
const { measureConsole, unavailable: consoleUnavailable } = require('./lib/console');
const { staleReason } = require('../scripts/build-state');
const profileSummary = require('./lib/profile');
const { median, summariseSide, pairedRatio, pairedCpuRatio } = require('./lib/stats');

const RESULTS_DIR = path.join(__dirname, 'results');

// ---- configuration -----------------------------------------------------------------------------

function intEnv(name, fallback, min, max) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
    process.exit(2);
  }
  return value;
}
const flag = (name) => ['1', 'true', 'yes'].includes(String(process.env[name] || '').toLowerCase());

/**
 * Rounds per scenario and server, seconds per round, warm-up before each server's first round,
 * by kind of scenario: fast ones need many short rounds; database-bound ones (tens of requests a
 * second) need longer rounds to count enough requests; serialised ones queue 10 requests on one
 * lock (seconds of latency, and a drain of seconds after each round), need the longest rounds.
 * Neither gains anything from a JIT warm-up. A default run must stay within about 4 minutes.
 * BENCH_ROUNDS, BENCH_DURATION and BENCH_WARMUP override every kind.
 */
const ROUND_PLANS = {
  fast: { rounds: 5, duration: 2, warmup: 1 },
  database: { rounds: 3, duration: 3, warmup: 0 },
  serialised: { rounds: 2, duration: 5, warmup: 0 },
};

const config = {
  rounds: intEnv('BENCH_ROUNDS', null, 1, 100),
  duration: intEnv('BENCH_DURATION', null, 1, 600),
  warmup: intEnv('BENCH_WARMUP', null, 0, 120),
  connections: intEnv('BENCH_CONNECTIONS', 10, 1, 1000),
  departments: intEnv('BENCH_DEPARTMENTS', 1000, 10, 1_000_000),
  // BENCH_SCALE=only: the scale part alone, without the main scenarios.
  scale: flag('BENCH_SCALE') || process.env.BENCH_SCALE === 'only',
  scaleOnly: process.env.BENCH_SCALE === 'only',
  scaleConnections: intEnv('BENCH_SCALE_CONNECTIONS', 1, 1, 1000),
  profile: flag('BENCH_PROFILE'),
  save: flag('BENCH_SAVE'),
  baseline: process.env.BENCH_BASELINE !== '0',
  only: (process.env.BENCH_ONLY || process.env.BENCH_SCENARIOS || '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
  externalMongo: process.env.MONGO_URL || '',
};
/** Sizes the scale part grows to, beyond the seeded 1,000 departments and 500 agents. */
config.scaleDepartments = scaleRun.parseSizes(
  'BENCH_SCALE_DEPARTMENTS',
  [10_000, 50_000],
  config.departments,
);
config.scaleAgents = scaleRun.parseSizes('BENCH_SCALE_AGENTS', [5_000], 500);
const SCALE_SCENARIOS = [...scaleRun.AGENT_SCENARIOS, ...scaleRun.DEPARTMENT_SCENARIOS];
/**
 * The checkout whose service is measured: this one, or BENCH_SERVICE_ROOT (another worktree of the
 * repository, e.g. the commit before a change, with its own node_modules or a link to this one's)
 * for an A/B against the same baseline, harness and dataset.
 */
const SERVICE_ROOT = process.env.BENCH_SERVICE_ROOT
  ? path.resolve(process.env.BENCH_SERVICE_ROOT)
  : ROOT;
/**
 * BENCH_COMPARE_ROOT: another checkout's service takes the baseline's place (same env as the
 * service, same database), so every round pairs the two services back to back — the steadiest
 * A/B on a busy machine. Its ratio is then after/before, not service/baseline.
 */
const COMPARE_ROOT = process.env.BENCH_COMPARE_ROOT
  ? path.resolve(process.env.BENCH_COMPARE_ROOT)
  : null;

/** How scenario `id` is measured: ROUND_PLANS for its kind, with the environment's overrides. */
function planOf(id) {
  const plan = ROUND_PLANS[KINDS[id]];
  return {
    rounds: config.rounds ?? plan.rounds,
    duration: config.duration ?? plan.duration,
    warmup: config.warmup ?? plan.warmup,
  };
}

/** "fast 5 × 2 s, database 3 × 4 s" for the kinds among `ids`. */
function describePlans(ids) {
  const kinds = [...new Set(ids.map((id) => KINDS[id]))];
  return kinds
    .map((kind) => {
      const plan = planOf(ids.find((id) => KINDS[id] === kind));
      return `${kind} ${plan.rounds} × ${plan.duration} s`;
    })
    .join(', ');
}

const log = (msg) => console.log(`[bench] ${msg}`);

// ---- build -------------------------------------------------------------------------------------

/** Builds (`npm run build`: the service, and the console when web/ exists) when it is stale. */
function ensureBuilt(root = SERVICE_ROOT) {
  const reason = staleReason(root);
  if (!reason) return false;
  log(`${reason}: running npm run build in ${root}…`);
  const result = spawnSync('npm', ['run', 'build'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (result.status !== 0 || !fs.existsSync(path.join(root, 'dist', 'main.js'))) {
    throw new Error(
      `npm run build failed (${result.error?.message || `exit ${result.status}`}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return true;
}

/**
 * Copies dist/ (plus package.json, web/dist, and a node_modules link) to a temporary folder and returns
 * its main.js: other people rebuild dist/ (nest build empties it first) while a run is going.
 */
function snapshotDist(root = SERVICE_ROOT) {
  const target = fs.mkdtempSync(path.join(os.tmpdir(), 'departments-bench-service-'));
  onCleanup(() => fs.rmSync(target, { recursive: true, force: true }));
  for (let attempt = 1; ; attempt++) {
    try {
      fs.rmSync(path.join(target, 'dist'), { recursive: true, force: true });
      fs.cpSync(path.join(root, 'dist'), path.join(target, 'dist'), { recursive: true });
      if (!fs.existsSync(path.join(target, 'dist', 'main.js')))
        throw new Error('dist/main.js missing');
      break;
    } catch (error) {
      if (attempt >= 10)
        throw new Error(`cannot copy dist/ (is a build running?): ${error.message}`);
      spawnSync('sleep', ['2']);
    }
  }
  // The console's build, where the service looks for it (../../web/dist from dist/admin-console).
  const webDist = path.join(root, 'web', 'dist');
  if (fs.existsSync(webDist)) {
    fs.cpSync(webDist, path.join(target, 'web', 'dist'), { recursive: true });
  }
  fs.copyFileSync(path.join(root, 'package.json'), path.join(target, 'package.json'));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(target, 'node_modules'), 'dir');
  return path.join(target, 'dist', 'main.js');
}

// ---- database URL helpers ----------------------------------------------------------------------

/** `mongodb://h:p/db?x=y` + name → `mongodb://h:p/<name>?x=y` (any path in the given URL is replaced). */
function withDatabase(url, name) {
  const [base, query] = url.split('?');
  const scheme = base.indexOf('://') + 3;
  const slash = base.indexOf('/', scheme);
  const hosts = slash < 0 ? base : base.slice(0, slash);
  return `${hosts}/${name}${query ? `?${query}` : ''}`;
}

// ---- memory ------------------------------------------------------------------------------------

const MEMORY_SAMPLES = 9;
const MEMORY_SAMPLE_EVERY_MS = 250;

/**
 * For each target, after a 1 s pause: the median VmRSS of MEMORY_SAMPLES samples (with their
 * min–max) and the peak VmHWM. Both servers are sampled at the same moments.
 */
async function settledMemory(targets) {
  await sleep(1_000);
  const samples = Object.fromEntries(targets.map((t) => [t.name, []]));
  for (let i = 0; i < MEMORY_SAMPLES; i++) {
    for (const t of targets) samples[t.name].push(memoryOf(t.child.pid));
    await sleep(MEMORY_SAMPLE_EVERY_MS);
  }
  const out = {};
  for (const t of targets) {
    const rss = samples[t.name].filter(Boolean).map((m) => m.rssMiB);
    const peaks = samples[t.name].filter(Boolean).map((m) => m.peakRssMiB);
    out[t.name] = rss.length
      ? {
          rssMiB: median(rss),
          rssRangeMiB: [Math.min(...rss), Math.max(...rss)],
          peakRssMiB: Math.max(...peaks),
          samples: rss.length,
        }
      : null;
  }
  return out;
}

// ---- output ------------------------------------------------------------------------------------

const fmt = (n, digits = 1) => (n === null || n === undefined ? '-' : Number(n).toFixed(digits));
/** Latency in ms: one decimal below 10 ms, none above. */
const ms = (n) => fmt(n, n !== null && n !== undefined && n < 10 ? 1 : 0);

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [
    line(headers),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

function errorsOf(figures) {
  return figures ? figures.non2xx + figures.errors : null;
}

const withRange = (value, [min, max], digits = 1, unit = '') =>
  value === null || value === undefined
    ? '-'
    : `${fmt(value, digits)}${unit} (${fmt(min, digits)}–${fmt(max, digits)})`;

/** CPU time per request, service/baseline, and their paired ratio with its min–max. */
function cpuCell(r) {
  const cpu = (side) => (side?.cpuMsPerRequest == null ? '-' : fmt(side.cpuMsPerRequest, 2));
  const ratio = r.cpuRatio ? ` (${withRange(r.cpuRatio.median, r.cpuRatio.range, 2, '×')})` : '';
  return `${cpu(r.service)}/${cpu(r.baseline)}${ratio}`;
}

function resultRows(results) {
  return results.map((r) => [
    `${r.id} ${r.title}`,
    r.service ? withRange(r.service.reqPerSec, r.service.reqPerSecRange) : '-',
    r.baseline ? withRange(r.baseline.reqPerSec, r.baseline.reqPerSecRange) : '-',
    r.ratio === null ? '-' : withRange(r.ratio, r.ratioRange, 2, '×'),
    r.service ? `${ms(r.service.latencyMs.p50)}/${ms(r.service.latencyMs.p99)}` : '-',
    r.baseline ? `${ms(r.baseline.latencyMs.p50)}/${ms(r.baseline.latencyMs.p99)}` : '-',
    r.p99Ratio === null ? '-' : `${fmt(r.p99Ratio, 2)}×`,
    cpuCell(r),
    `${errorsOf(r.service) ?? '-'}/${errorsOf(r.baseline) ?? '-'}`,
  ]);
}

const RESULT_HEADERS = [
  'scenario',
  'service req/s (min–max)',
  'baseline req/s (min–max)',
  'ratio (min–max)',
  'service p50/p99 ms',
  'baseline p50/p99 ms',
  'p99 ratio',
  'CPU ms/req s/b (ratio)',
  'errors s/b',
];

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model || 'unknown',
    cores: cpus.length,
    totalMemoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    hostname: os.hostname(),
    date: new Date().toISOString(),
  };
}

function machineSlug() {
  if (process.env.BENCH_MACHINE) return process.env.BENCH_MACHINE.replace(/[^A-Za-z0-9._-]+/g, '-');
  const host = os
    .hostname()
    .split('.')[0]
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-');
  // Container ids and generic VM names say nothing about the machine.
  const generic = ['vm', 'localhost', 'ubuntu', 'debian', 'container', 'runner'];
  return !host || generic.includes(host) || /^[0-9a-f]{8,}$/.test(host) ? 'polyglot' : host;
}

/** Issue 12's targets: req/s ratio at least this, and p99 at most 1.2× the baseline's. */
const RATIO_TARGETS = { S1: 0.9, S7: 0.9 };
const DEFAULT_RATIO_TARGET = 0.95;
const P99_TARGET = 1.2;
/** Issue 9: the widget's configuration at 10 connections on the 2-core machine. */
const S7_MIN_REQ_PER_S = 3000;

/**
 * Issue 20: CPU time per request at most this many times the baseline's (reads 1.2×, writes
 * 1.4×), and RSS after the run at most 1.25× the baseline's.
 */
const CPU_TARGETS = {
  S1: 1.2,
  S2: 1.2,
  S2t: 1.2,
  S5: 1.2,
  S7: 1.2,
  S3: 1.4,
  S4: 1.4,
  S6: 1.4,
  // Issue 29: prepared once per change against compressed per request.
  S7b: 0.5,
};
const RSS_TARGET = 1.25;

/** The scenarios whose median misses a target, with why. */
function missedTargets(results, memoryRatio) {
  const missed = [];
  if (memoryRatio?.settledRss > RSS_TARGET)
    missed.push(`RSS ${fmt(memoryRatio.settledRss, 2)}× > ${RSS_TARGET}×`);
  for (const r of results) {
    if (
      r.id === 'S7' &&
      r.service &&
      r.connections === 10 &&
      r.service.reqPerSec < S7_MIN_REQ_PER_S
    )
      missed.push(`S7 ${fmt(r.service.reqPerSec)} req/s < ${S7_MIN_REQ_PER_S}`);
    if (r.ratio === null) continue;
    const target = RATIO_TARGETS[r.id] ?? DEFAULT_RATIO_TARGET;
    if (r.ratio < target) missed.push(`${r.id} ratio ${fmt(r.ratio, 2)}× < ${target}×`);
    if (r.p99Ratio !== null && r.p99Ratio > P99_TARGET)
      missed.push(`${r.id} p99 ${fmt(r.p99Ratio, 2)}× > ${P99_TARGET}×`);
    const cpuTarget = CPU_TARGETS[r.id];
    if (cpuTarget && r.cpuRatio && r.cpuRatio.median > cpuTarget)
      missed.push(`${r.id} CPU/req ${fmt(r.cpuRatio.median, 2)}× > ${cpuTarget}×`);
  }
  return missed;
}

// ---- main --------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  const all = Object.keys(KINDS);
  const unknown = config.only.filter((id) => !all.includes(id));
  if (unknown.length)
    throw new Error(
      `BENCH_SCENARIOS: unknown scenario(s) ${unknown.join(', ')} (known: ${all.join(', ')})`,
    );
  const selected = config.scaleOnly ? [] : config.only.length ? config.only : all;
  // Time budget for the watchdog: every round plus its drain (up to a few seconds for queued writes).
  const secondsOf = (id) => {
    const plan = planOf(id);
    return plan.warmup + plan.rounds * (plan.duration + 5);
  };
  const sides = config.baseline ? 2 : 1;
  const budgetS =
    selected.reduce((sum, id) => sum + secondsOf(id), 0) * sides +
    (config.scale ? scaleRun.scaleBudgetS(config, secondsOf, sides) : 0) +
    300;
  const watchdog = setTimeout(() => {
    console.error(`[bench] watchdog: not finished after ${budgetS} s, aborting`);
    stopAll().finally(() => process.exit(1));
  }, budgetS * 1000);
  watchdog.unref();

  const scaleLine = config.scale
    ? `scale: ${config.scaleAgents.length ? `${scaleRun.AGENT_SCENARIOS.join(', ')} at ${[500, ...config.scaleAgents].join(', ')} agents, ` : ''}` +
      `${scaleRun.DEPARTMENT_SCENARIOS.join(', ')} at ${[config.departments, ...config.scaleDepartments].join(', ')} departments, ` +
      `${config.scaleConnections} connection(s), rounds per server: ${describePlans(SCALE_SCENARIOS)}`
    : '';
  log(
    `${selected.length ? `${selected.join(', ')}: ${config.connections} connections, rounds per server: ${describePlans(selected)}` : 'main scenarios skipped (BENCH_SCALE=only)'}` +
      `${scaleLine ? `; ${scaleLine}` : ''}${config.baseline ? '; service and baseline alternating' : ''}` +
      `${config.profile ? ' — PROFILING the service (figures not comparable)' : ''}` +
      ` (time budget ${budgetS} s)`,
  );

  if (SERVICE_ROOT !== ROOT) log(`measuring the service of ${SERVICE_ROOT} (BENCH_SERVICE_ROOT)`);
  if (ensureBuilt()) log('build done');
  const serviceMain = snapshotDist();
  let compareMain;
  if (COMPARE_ROOT) {
    log(`the service of ${COMPARE_ROOT} takes the baseline's place (BENCH_COMPARE_ROOT)`);
    if (ensureBuilt(COMPARE_ROOT)) log('build done');
    compareMain = snapshotDist(COMPARE_ROOT);
  }
  const loadAtStart = os.loadavg()[0];
  if (loadAtStart > 0.5 * os.cpus().length) {
    log(
      `warning: load average ${loadAtStart.toFixed(2)} on ${os.cpus().length} cores — other processes are busy, figures will be noisy`,
    );
  }

  // Database: one embedded FerretDB (or MONGO_URL), one database for both servers.
  let dbBase;
  let dbName;
  let dbKind;
  let embedded;
  if (config.externalMongo) {
    if (!/^mongodb(\+srv)?:\/\//.test(config.externalMongo))
      throw new Error('MONGO_URL must start with mongodb://');
    dbName = `departments_bench_${Date.now().toString(36)}`;
    dbBase = config.externalMongo;
    dbKind = 'external MongoDB (MONGO_URL)';
    log(`using MONGO_URL, database ${dbName} (dropped at the end)`);
  } else {
    embedded = await startEmbeddedDb(log);
    dbBase = embedded.url;
    dbName = 'bench';
    dbKind = 'embedded FerretDB 1.24 on SQLite (embedded-db/)';
    log(`embedded database on ${embedded.url} (data in ${embedded.dataDir})`);
  }
  const mongoUrl = withDatabase(dbBase, dbName);
  const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5_000 });
  await client.connect();
  const db = client.db();
  if (config.externalMongo && (await db.listCollections({}, { nameOnly: true }).toArray()).length) {
    throw new Error(`database ${dbName} already exists on MONGO_URL; refusing to touch it`);
  }

  // The service.
  const admin = { username: 'bench-admin', password: randomId(24) };
  const servicePort = await freePort();
  let profileDir;
  const nodeArgs = (process.env.BENCH_SERVICE_NODE_FLAGS || '').split(/\s+/).filter(Boolean);
  if (config.profile) {
    profileDir = RESULTS_DIR;
    fs.mkdirSync(profileDir, { recursive: true });
    nodeArgs.push(
      '--cpu-prof',
      `--cpu-prof-dir=${profileDir}`,
      `--cpu-prof-name=service-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`,
    );
  }
  log(
    `starting the service on 127.0.0.1:${servicePort}${config.profile ? ' (node --cpu-prof)' : ''}`,
  );
  const serviceEnv = {
    MONGO_URL: mongoUrl,
    ADMIN_USERNAME: admin.username,
    ADMIN_PASS: admin.password,
    LOG_LEVEL: 'warn',
    // 10,000,000/min is the highest value the service's configuration accepts: effectively no limit.
    RATE_LIMIT_PER_MINUTE: '10000000',
    RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
    RATE_LIMIT_WIDGET_PER_MINUTE: '10000000',
    // The offline form's limits at their highest accepted value (S8).
    RATE_LIMIT_OFFLINE_MESSAGE_PER_IP: '1000000',
    RATE_LIMIT_OFFLINE_MESSAGE_PER_ADDRESS: '1000000',
    NODE_ENV: 'production',
    // One instance owns this database, as with `npm start`'s embedded one: in-process write
    // locks. BENCH_WRITE_COORDINATION=shared measures the leases several instances need.
    WRITE_COORDINATION: process.env.BENCH_WRITE_COORDINATION || 'local',
  };
  const service = await startNodeServer('service', serviceMain, {
    port: servicePort,
    nodeArgs,
    env: serviceEnv,
  });
  const auth = await login(servicePort, admin.username, admin.password);

  log(`seeding ${config.departments} departments, 500 agents…`);
  const seedStarted = Date.now();
  const data = await seed(db, { port: servicePort, auth, departments: config.departments });
  log(
    `seeded in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s (${data.assignmentCount} assignments)`,
  );

  let baseline;
  const targets = [{ name: 'service', port: servicePort, child: service }];
  if (config.baseline) {
    const baselinePort = await freePort();
    log(`starting the baseline on 127.0.0.1:${baselinePort}`);
    baseline = compareMain
      ? await startNodeServer('baseline', compareMain, { port: baselinePort, env: serviceEnv })
      : await startNodeServer('baseline', path.join(__dirname, 'baseline', 'server.js'), {
          port: baselinePort,
          env: { MONGO_URL: mongoUrl },
        });
    targets.push({ name: 'baseline', port: baselinePort, child: baseline });
  }

  let scenarioList = buildScenarios({ auth, data }).filter((s) => selected.includes(s.id));
  // S7 and S7b need the widget's endpoint (issue 9); a build without it skips them and says so.
  const WIDGET_SCENARIOS = ['S7', 'S7b'];
  if (scenarioList.some((s) => WIDGET_SCENARIOS.includes(s.id))) {
    const probe = await request(servicePort, 'GET', '/api/v1/livechat/config');
    if (probe.status === 404) {
      log('S7, S7b skipped: this build of the service has no GET /api/v1/livechat/config');
      scenarioList = scenarioList.filter((s) => !WIDGET_SCENARIOS.includes(s.id));
    }
  }
  // Creates that autocannon abandoned at the end of a round may still land after the drain (it
  // waits for one request, not for all of them): remove until a pass half a second later finds none.
  const cleanup = async (scenario) => {
    if (scenario.cleanupOfflineMessages) {
      // The same wait for requests that land after the drain.
      for (let pass = 0; pass < 20; pass++) {
        if ((await removeOfflineMessages(db)) === 0 && pass > 0) return;
        await sleep(500);
      }
      return;
    }
    if (!scenario.cleanupName) return;
    for (let pass = 0; pass < 20; pass++) {
      if ((await removeCreatedDepartments(db, scenario.cleanupName)) === 0 && pass > 0) return;
      await sleep(500);
    }
  };
  const alive = () => {
    for (const target of targets) {
      if (target.child.exited()) {
        throw new Error(
          `${target.name} ${target.child.describeExit()}. Last output:\n${target.child.tail.text()}`,
        );
      }
    }
  };

  log('sanity checks (one request per scenario and server)…');
  for (const scenario of scenarioList) {
    await sanityCheck(scenario, targets, auth);
    await cleanup(scenario);
  }
  log('sanity checks passed');

  const memory = {
    service: { afterSeed: memoryOf(service.pid) },
    baseline: baseline ? { afterSeed: memoryOf(baseline.pid) } : undefined,
  };

  // Public scenarios (the widget's) send no credentials.
  const headersOf = (scenario) => (scenario.anonymous ? {} : auth);

  // When the service was under load, on the monotonic clock in µs (the profile's time base).
  const loadWindows = [];
  // Waits until the target has worked off what autocannon left in flight (requests queued on a
  // department lock or in the database), so the next run does not share the machine with it.
  const drain = async (scenario, target) => {
    const req = scenario.requests[0];
    const res = await request(target.port, req.method, req.path, {
      headers: { ...headersOf(scenario), ...req.headers },
      body: req.body,
      timeoutMs: 120_000,
    });
    if (res.status !== 200)
      log(`warning: ${target.name} answered ${res.status} after ${scenario.id}`);
  };

  // Several short rounds per scenario, alternating the order (service, baseline, then baseline,
  // service, …) so that a slow phase of the machine hits both sides; a warm-up only before each
  // side's first round. The row keeps medians, the spread, and every round.
  // `plan`: rounds, seconds and warm-up, planOf's unless the scale part lengthens slow rows.
  const measure = async (
    scenario,
    label,
    connections = config.connections,
    plan = planOf(scenario.id),
  ) => {
    const rounds = Object.fromEntries(targets.map((t) => [t.name, []]));
    for (let i = 0; i < plan.rounds; i++) {
      const order = i % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) {
        alive();
        const load = { port: target.port, scenario, headers: headersOf(scenario), connections };
        if (i === 0 && plan.warmup > 0) {
          await runLoad({ ...load, duration: plan.warmup });
          await drain(scenario, target);
          await cleanup(scenario);
        }
        const from = process.hrtime.bigint() / 1000n;
        const cpuBefore = cpuMsOf(target.child.pid);
        const figures = await runLoad({ ...load, duration: plan.duration });
        await drain(scenario, target);
        const cpuAfter = cpuMsOf(target.child.pid);
        // The drain request counts too: its work is in the CPU time.
        figures.cpuMsPerRequest =
          cpuBefore === null || cpuAfter === null
            ? null
            : Math.round(((cpuAfter - cpuBefore) / (figures.requests + 1)) * 1000) / 1000;
        if (target.name === 'service')
          loadWindows.push({
            id: scenario.id,
            label,
            window: [Number(from), Number(process.hrtime.bigint() / 1000n)],
          });
        figures.loadAverage1m = Math.round(os.loadavg()[0] * 100) / 100;
        rounds[target.name].push(figures);
        await cleanup(scenario);
        await sleep(100);
      }
      alive();
    }
    const row = {
      id: scenario.id,
      title: scenario.title,
      connections,
      plan,
      service: summariseSide(rounds.service),
      baseline: rounds.baseline ? summariseSide(rounds.baseline) : null,
      ratio: null,
      ratioRange: null,
      p99Ratio: null,
    };
    if (row.baseline) {
      Object.assign(row, pairedRatio(rounds.service, rounds.baseline));
      row.cpuRatio = pairedCpuRatio(rounds.service, rounds.baseline);
      if (row.baseline.latencyMs.p99)
        row.p99Ratio =
          Math.round((row.service.latencyMs.p99 / row.baseline.latencyMs.p99) * 100) / 100;
    }
    const side = (f) =>
      `${fmt(f.reqPerSec)} req/s (${fmt(f.reqPerSecRange[0])}–${fmt(f.reqPerSecRange[1])}), p50 ${ms(f.latencyMs.p50)} ms, p99 ${ms(f.latencyMs.p99)} ms${f.non2xx + f.errors ? `, ${f.non2xx} non-2xx ${JSON.stringify(f.statusCodes)}, ${f.errors} errors` : ''}`;
    const cpu = row.cpuRatio
      ? ` | CPU/req ${fmt(row.cpuRatio.median, 2)}× (${fmt(row.cpuRatio.range[0], 2)}–${fmt(row.cpuRatio.range[1], 2)})`
      : '';
    log(
      `${label}${scenario.id}: service ${side(row.service)}` +
        (row.baseline
          ? ` | baseline ${side(row.baseline)} | ratio ${fmt(row.ratio, 2)}× (${fmt(row.ratioRange[0], 2)}–${fmt(row.ratioRange[1], 2)})${cpu}`
          : ''),
    );
    return row;
  };

  // One scenario split between the instances of `pair`, at the same time, half the connections
  // each; per round: req/s summed, latencies the higher instance's, CPU of both per request.
  const measureSplit = async (scenario, pair) => {
    const plan = planOf(scenario.id);
    const connections = Math.max(1, Math.floor(config.connections / pair.length));
    const rounds = [];
    for (let i = 0; i < plan.rounds; i++) {
      for (const target of pair) {
        if (target.child.exited())
          throw new Error(
            `${target.name} ${target.child.describeExit()}: ${target.child.tail.text()}`,
          );
      }
      const cpuBefore = pair.map((t) => cpuMsOf(t.child.pid));
      const parts = await Promise.all(
        pair.map((t) =>
          runLoad({
            port: t.port,
            scenario,
            headers: headersOf(scenario),
            connections,
            duration: plan.duration,
          }),
        ),
      );
      await Promise.all(pair.map((t) => drain(scenario, t)));
      const cpuAfter = pair.map((t) => cpuMsOf(t.child.pid));
      const requests = parts.reduce((n, p) => n + p.requests, 0);
      const cpu = cpuAfter.every((v, k) => v !== null && cpuBefore[k] !== null)
        ? cpuAfter.reduce((n, v, k) => n + v - cpuBefore[k], 0)
        : null;
      const highest = (key) => Math.max(...parts.map((p) => p.latencyMs[key] ?? 0));
      const statusCodes = {};
      for (const p of parts)
        for (const [code, count] of Object.entries(p.statusCodes))
          statusCodes[code] = (statusCodes[code] || 0) + count;
      rounds.push({
        reqPerSec: Math.round(parts.reduce((n, p) => n + p.reqPerSec, 0) * 10) / 10,
        requests,
        durationS: Math.max(...parts.map((p) => p.durationS)),
        latencyMs: {
          p50: highest('p50'),
          p90: highest('p90'),
          p99: highest('p99'),
          avg: highest('avg'),
          max: highest('max'),
        },
        non2xx: parts.reduce((n, p) => n + p.non2xx, 0),
        errors: parts.reduce((n, p) => n + p.errors, 0),
        timeouts: parts.reduce((n, p) => n + p.timeouts, 0),
        statusCodes,
        // The drain requests count too (one per instance).
        cpuMsPerRequest:
          cpu === null ? null : Math.round((cpu / (requests + pair.length)) * 1000) / 1000,
        byInstance: parts,
        loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
      });
      await cleanup(scenario);
      await sleep(100);
    }
    const row = {
      id: scenario.id,
      title: scenario.title,
      connections: connections * pair.length,
      instances: pair.length,
      service: summariseSide(rounds),
      baseline: null,
      ratio: null,
      ratioRange: null,
      p99Ratio: null,
    };
    const f = row.service;
    log(
      `${scenario.id}: ${pair.length} instances ${fmt(f.reqPerSec)} req/s (${fmt(f.reqPerSecRange[0])}–${fmt(f.reqPerSecRange[1])}), p50 ${ms(f.latencyMs.p50)} ms, p99 ${ms(f.latencyMs.p99)} ms, CPU ${fmt(f.cpuMsPerRequest, 2)} ms/req${f.non2xx + f.errors ? `, ${f.non2xx} non-2xx ${JSON.stringify(f.statusCodes)}, ${f.errors} errors` : ''}`,
    );
    return row;
  };

  const results = [];
  for (const scenario of scenarioList) {
    if (!scenario.multiInstance) results.push(await measure(scenario, ''));
  }
  // Memory once the load has stopped, in a way that does not hang on when GC last ran: the peak
  // (VmHWM, the highest RSS over the whole run) and the median of several samples over 2 s.
  const settled = await settledMemory(targets);
  memory.service.afterRun = settled.service;
  if (baseline) {
    memory.baseline.afterRun = settled.baseline;
    const ratio = (key) =>
      settled.baseline[key]
        ? Math.round((settled.service[key] / settled.baseline[key]) * 100) / 100
        : null;
    memory.ratio = { settledRss: ratio('rssMiB'), peakRss: ratio('peakRssMiB') };
  }

  // The admin console's list page (issue 12 target 5), on the service as measured.
  let consolePage;
  if (process.env.BENCH_CONSOLE !== '0' && !config.scaleOnly) {
    const reason = await consoleUnavailable(servicePort);
    if (reason) {
      log(`console list page: skipped (${reason})`);
      consolePage = { skipped: reason };
    } else {
      log('console list page: 3 fresh loads in Chromium…');
      consolePage = await measureConsole({ port: servicePort, auth });
    }
  }

  let scale;
  if (config.scale) {
    // The departments the scale part adds go again after it: S3m and S4m measure the seeded data.
    const seededIds = await db
      .collection('rocketchat_livechat_department')
      .distinct('_id');
    const widget =
      (await request(servicePort, 'GET', '/api/v1/livechat/config', { timeoutMs: 60_000 }))
        .status !== 404;
    if (!widget) log('scale: S7 skipped (this build of the service has no GET livechat/config)');
    scale = await scaleRun.runScale({
      config,
      db,
      data,
      auth,
      targets,
      measure,
      sanityCheck,
      scenariosOf: (dataset) => buildScenarios({ auth, data: dataset }),
      settledMemory,
      planOf,
      widget,
      log,
    });
    memory.service.afterScale = memoryOf(service.pid);
    log(`scale: removed the ${await removeDepartmentsExcept(db, seededIds)} departments it added`);
  }

  // Stop the servers (gracefully: the profile is written on exit), then the database.
  if (baseline) await baseline.stop();
  await service.stop(config.profile ? 30_000 : 5_000);

  // Several instances: two more services on the same database with shared write leases, the
  // load split between them (half the connections each). Only these two run meanwhile.
  const multiScenarios = scenarioList.filter((s) => s.multiInstance);
  if (multiScenarios.length) {
    const pair = [];
    for (const name of ['instance A', 'instance B']) {
      const port = await freePort();
      log(`starting ${name} on 127.0.0.1:${port} (WRITE_COORDINATION=shared)`);
      const child = await startNodeServer(name, serviceMain, {
        port,
        nodeArgs: (process.env.BENCH_SERVICE_NODE_FLAGS || '').split(/\s+/).filter(Boolean),
        env: { ...serviceEnv, WRITE_COORDINATION: 'shared' },
      });
      pair.push({ name, port, child });
    }
    for (const scenario of multiScenarios) {
      await sanityCheck(scenario, pair, auth);
      await cleanup(scenario);
      results.push(await measureSplit(scenario, pair));
    }
    for (const target of pair) await target.child.stop();
  }
  if (config.externalMongo) await db.dropDatabase().catch(() => undefined);
  await client.close();
  if (embedded) await embedded.child.stop();

  // ---- report ----
  console.log('');
  if (results.length) console.log(table(RESULT_HEADERS, resultRows(results)));
  if (results.length)
    console.log(
      `(rounds per scenario and server, alternating service and baseline: ${describePlans(selected)}; req/s and latencies are medians over the rounds, (min–max) their spread; ratio = median of the per-round service/baseline ratios; CPU ms/req = the server process's own CPU time per request, which other load on the machine barely moves — its ratio (service/baseline, above 1 = the service costs more) is the figure to compare when the machine is busy)`,
    );
  const seedMem = (m) => (m ? `${m.rssMiB} MiB` : 'n/a');
  const runMem = (m) =>
    m
      ? `${fmt(m.rssMiB)} MiB (samples ${fmt(m.rssRangeMiB[0])}–${fmt(m.rssRangeMiB[1])}), peak ${fmt(m.peakRssMiB)} MiB`
      : 'n/a';
  // BENCH_SCALE=only: nothing ran before the scale part, whose own RSS figures follow.
  if (results.length)
    console.log(
      `\nservice RSS: after seed ${seedMem(memory.service.afterSeed)}; after the run ${runMem(memory.service.afterRun)}`,
    );
  if (baseline && results.length) {
    console.log(
      `baseline RSS: after seed ${seedMem(memory.baseline.afterSeed)}; after the run ${runMem(memory.baseline.afterRun)}`,
    );
    console.log(
      `RSS service/baseline: ${fmt(memory.ratio.settledRss, 2)}× after the run (median of ${MEMORY_SAMPLES} samples), ${fmt(memory.ratio.peakRss, 2)}× at peak`,
    );
  }

  if (consolePage && !consolePage.skipped) {
    console.log(
      `\nconsole list page: ${fmt(consolePage.jsGzipBytes / 1024)} KiB of JavaScript (gzip -9, ${consolePage.jsFiles.length} file(s)); table shown ${consolePage.shownMsMedian} ms after navigation start (median of ${consolePage.shownMs.join(', ')} ms; ${consolePage.shown})`,
    );
  } else if (consolePage) {
    console.log(`\nconsole list page: skipped (${consolePage.skipped})`);
  }

  if (scale) {
    const sizes = (axis) => scale[axis].map((size) => size[axis]).join(' → ');
    console.log(
      `\nScale (${scale.connections} connection(s)): ${sizes('agents')} agents in the big department, ${sizes('departments')} departments; growing took ` +
        [...scale.agents, ...scale.departments]
          .filter((size) => size.seedS)
          .map((size) => `${size.seedS} s to ${size.agents ?? size.departments}`)
          .join(', '),
    );
    console.log(`\n${scale.markdown}`);
    const m = scale.memoryPer10kDepartments;
    if (m)
      console.log(
        `\nRSS growth per 10,000 departments (${m.from} → ${m.to}): service ${fmt(m.serviceMiB)} MiB, baseline ${fmt(m.baselineMiB)} MiB`,
      );
    if (scale.goals.length) {
      console.log('\nIssue 29 scale goals (this run):');
      for (const g of scale.goals)
        console.log(`  ${g.met ? 'met   ' : 'MISSED'} ${g.goal}: ${g.value}`);
    }
  }

  const flagged =
    config.baseline && !config.profile && !COMPARE_ROOT && !config.scaleOnly
      ? missedTargets(results, memory.ratio)
      : [];
  if (flagged.length) {
    console.log(
      `\nBelow issue 12's and issue 20's targets (medians of this run; compare with the spread before concluding): ${flagged.join('; ')}. Profile with BENCH_PROFILE=1 BENCH_BASELINE=0 npm run bench`,
    );
  }

  let profile;
  if (config.profile) {
    const files = fs
      .readdirSync(profileDir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => path.join(profileDir, f))
      .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
    if (!files.length || fs.statSync(files[0]).mtimeMs < started) {
      console.error('\n[bench] no CPU profile was written by the service');
    } else {
      const windows = loadWindows.map((w) => w.window);
      profile = profileSummary.summarise(files[0], { windows });
      if (profile.samples === 0) profile = profileSummary.summarise(files[0]);
      console.log(`\n${profileSummary.format(profile)}`);
      // The same, scenario by scenario (main runs only), in short.
      profile.byScenario = {};
      for (const scenario of scenarioList) {
        const own = loadWindows.filter((w) => w.id === scenario.id && w.label === '');
        if (!own.length) continue;
        const part = profileSummary.summarise(files[0], {
          windows: own.map((w) => w.window),
          top: 8,
        });
        // The load windows (monotonic µs, the profile's clock), for further analysis of the file.
        profile.byScenario[scenario.id] = { ...part, windows: own.map((w) => w.window) };
        console.log(`\n${profileSummary.formatShort(part, `${scenario.id} ${scenario.title}`)}`);
      }
    }
  }

  const report = {
    machine: {
      ...machine(),
      loadAverage1mAtStart: Math.round(loadAtStart * 100) / 100,
      loadAverage1mAtEnd: Math.round(os.loadavg()[0] * 100) / 100,
    },
    config: {
      rounds: Object.fromEntries(
        [...selected, ...(config.scale ? SCALE_SCENARIOS : [])].map((id) => [id, planOf(id)]),
      ),
      connections: config.connections,
      scenarios: selected,
      ...(config.scale
        ? {
            scale: {
              connections: config.scaleConnections,
              departments: config.scaleDepartments,
              agents: config.scaleAgents,
            },
          }
        : {}),
      profile: config.profile,
      database: dbKind,
      serviceRoot: SERVICE_ROOT,
      ...(COMPARE_ROOT ? { compareRoot: COMPARE_ROOT } : {}),
    },
    dataset: {
      departments: data.departmentCount,
      agents: data.agents.length,
      assignments: data.assignmentCount,
      bigDepartmentAgents: data.agents.length,
    },
    results,
    memory,
    ...(consolePage ? { consoleListPage: consolePage } : {}),
    ...(scale ? { scale } : {}),
    missedTargets: flagged,
    ...(profile ? { profile } : {}),
    elapsedS: Math.round((Date.now() - started) / 1000),
  };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
  log(`wrote bench/results/latest.json`);
  if (config.save) {
    // Issue 12's targets are medians of three runs: a second run the same day gets -2, and so on.
    const stem = `${report.machine.date.slice(0, 10)}-${machineSlug()}${config.profile ? '-profile' : ''}`;
    let name = `${stem}.json`;
    for (let n = 2; fs.existsSync(path.join(RESULTS_DIR, name)); n++) name = `${stem}-${n}.json`;
    fs.writeFileSync(path.join(RESULTS_DIR, name), JSON.stringify(report, null, 2) + '\n');
    log(`wrote bench/results/${name}`);
  }
  log(`done in ${report.elapsedS} s`);
}

main().then(
  () => process.exit(0),
  async (error) => {
    if (isShuttingDown()) return; // the signal handler stops everything and exits
    console.error(`\n[bench] FAILED: ${error instanceof Error ? error.message : error}`);
    await stopAll().catch(() => undefined);
    process.exit(1);
  },
);
