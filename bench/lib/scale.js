'use strict';
// BENCH_SCALE=1: how the cost of a request grows with the data (issue 29). The same scenarios,
// service and baseline alternating as in the main run, with few connections (latency = the work
// per request), at several sizes in one run: agents in the big department (S4, S6), then
// departments (S1, S2, S2t, S7), the service's RSS after each department size.

const { growAgents, growDepartments, removeAgents } = require('./seed');
const { median } = require('./stats');

const DEPARTMENT_SCENARIOS = ['S1', 'S2', 'S2t', 'S7'];
const AGENT_SCENARIOS = ['S4', 'S6'];

/** Issue 29's goals: p50 within 2× of the first size's; S2 at 10,000 departments ≥ 10× the baseline's req/s. */
const P50_GROWTH_GOAL = 2;
const S2_RATIO_GOAL = 10;
const S2_RATIO_GOAL_AT = 10_000;

/** A slow row's round lasts for about this many requests, up to SLOW_ROUND_MAX_S. */
const REQUESTS_PER_SLOW_ROUND = 3;
const SLOW_ROUND_MAX_S = 30;

/**
 * The round plan of a row whose requests take `perRequestS` seconds: unchanged when a round
 * counts at least REQUESTS_PER_SLOW_ROUND of them; otherwise rounds long enough for that many
 * (at most SLOW_ROUND_MAX_S), and at most 2 of them, so the run stays bounded. At 50,000
 * departments a listing on the embedded database takes seconds: a 3 s round would end with
 * none answered.
 */
function slowPlan(plan, perRequestS) {
  if (perRequestS * REQUESTS_PER_SLOW_ROUND <= plan.duration) return plan;
  return {
    rounds: Math.min(plan.rounds, 2),
    duration: Math.min(SLOW_ROUND_MAX_S, Math.ceil(perRequestS * REQUESTS_PER_SLOW_ROUND)),
    warmup: plan.warmup,
  };
}

/**
 * "10000,50000" → [10000, 50000]: sizes above `base`, ascending. "0" (or "none") measures none
 * of that axis. Exits with a message on anything else, as run.js does for its integers.
 */
function parseSizes(name, fallback, base) {
  const raw = (process.env[name] ?? '').trim();
  if (raw === '') return fallback;
  if (raw === '0' || raw.toLowerCase() === 'none') return [];
  const sizes = raw.split(',').map((part) => Number(part.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n <= base || n > 1_000_000)) {
    console.error(
      `${name} must be a comma list of integers above ${base} and at most 1000000 (got "${raw}")`,
    );
    process.exit(2);
  }
  return [...new Set(sizes)].sort((a, b) => a - b);
}

/**
 * Measures every scale row. `ctx`: config (scaleConnections, scaleDepartments, scaleAgents), db,
 * data (the seed's), auth, targets, measure (run.js's, with a label and connections),
 * sanityCheck, scenariosOf(data), settledMemory(targets), widget (false: no S7), log.
 */
async function runScale(ctx) {
  const { config, db, data, auth, targets, measure, sanityCheck, scenariosOf, log } = ctx;
  const connections = config.scaleConnections;
  const measureAt = async (dataset, ids, size) => {
    const rows = [];
    for (const scenario of scenariosOf(dataset).filter((s) => ids.includes(s.id))) {
      const checked = Date.now();
      await sanityCheck(scenario, targets, auth);
      // The check sent each request once to each server: the time of one, roughly.
      const perRequestS =
        (Date.now() - checked) / 1000 / (targets.length * scenario.requests.length);
      const plan = slowPlan(ctx.planOf(scenario.id), scenario.settleMs ? 0 : perRequestS);
      if (plan.duration !== ctx.planOf(scenario.id).duration)
        log(
          `scale ${size}: ${scenario.id} takes ~${perRequestS.toFixed(1)} s a request: ${plan.rounds} round(s) of ${plan.duration} s`,
        );
      rows.push(await measure(scenario, `scale ${size}, ${connections} conn: `, connections, plan));
    }
    return rows;
  };
  const timed = async (what, work) => {
    log(`${what}…`);
    const started = Date.now();
    const result = await work();
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    log(`${what}: ${seconds} s`);
    return { result, seconds };
  };

  // Agents first, at the seeded number of departments; removed again before the departments grow,
  // so every department row has the seeded agents.
  const agents = [];
  if (config.scaleAgents.length) {
    let held = data.agents.length;
    agents.push({
      agents: held,
      seedS: 0,
      results: await measureAt(data, AGENT_SCENARIOS, `${held} agents`),
    });
    const added = { userIds: [], assignmentIds: [] };
    for (const total of config.scaleAgents) {
      const grown = await timed(`growing the big department from ${held} to ${total} agents`, () =>
        growAgents(db, data, held, total),
      );
      added.userIds.push(...grown.result.userIds);
      added.assignmentIds.push(...grown.result.assignmentIds);
      held = total;
      agents.push({
        agents: total,
        seedS: grown.seconds,
        results: await measureAt(data, AGENT_SCENARIOS, `${total} agents`),
      });
    }
    await timed(`removing the ${added.userIds.length} added agents`, () =>
      removeAgents(db, data, added),
    );
  }

  const departmentIds = DEPARTMENT_SCENARIOS.filter((id) => id !== 'S7' || ctx.widget);
  const departments = [];
  const memoryNow = async () => {
    const settled = await ctx.settledMemory(targets);
    return { service: settled.service, baseline: settled.baseline ?? null };
  };
  departments.push({
    departments: data.departmentCount,
    seedS: 0,
    results: await measureAt(data, departmentIds, `${data.departmentCount} departments`),
    memory: await memoryNow(),
  });
  for (const size of config.scaleDepartments) {
    const before = departments[departments.length - 1].departments;
    const grown = await timed(`growing from ${before} to ${size} departments`, () =>
      growDepartments(db, size),
    );
    const total = grown.result;
    departments.push({
      departments: total,
      seedS: grown.seconds,
      results: await measureAt(
        { ...data, departmentCount: total },
        departmentIds,
        `${total} departments`,
      ),
      memory: await memoryNow(),
    });
  }

  const scale = { connections, agents, departments };
  scale.memoryPer10kDepartments = memoryGrowth(departments);
  const summary = summaryOf(scale);
  scale.goals = goalsOf(summary.rows);
  scale.markdown = markdownOf(summary);
  return scale;
}

/** RSS growth per 10,000 departments, from the first size to the largest (MiB), per server. */
function memoryGrowth(departments) {
  const first = departments[0];
  const last = departments[departments.length - 1];
  if (!first || last === first) return null;
  const per10k = (side) => {
    const a = first.memory?.[side]?.rssMiB;
    const b = last.memory?.[side]?.rssMiB;
    return a == null || b == null
      ? null
      : Math.round(((b - a) / ((last.departments - first.departments) / 10_000)) * 10) / 10;
  };
  return {
    from: first.departments,
    to: last.departments,
    serviceMiB: per10k('service'),
    baselineMiB: per10k('baseline'),
  };
}

/**
 * The figures a scale row needs, from run.js's row (or a median of several, table.js). Latencies
 * come from the rounds in which requests were answered: autocannon records only 2xx latencies,
 * and a round in which none finished reports 0. `failed`: non-2xx answers and errors.
 */
function figuresOf(side, connections) {
  if (!side) return null;
  const answered = (side.rounds ?? []).filter((r) => r.requests - r.non2xx - r.errors > 0);
  const p50 = answered.length ? median(answered.map((r) => r.latencyMs.p50)) : null;
  return {
    p50,
    reqPerSec: side.reqPerSec,
    cpuMsPerRequest: side.cpuMsPerRequest,
    // With one connection, the mean time per request (autocannon's p50 is in whole ms).
    meanMs: p50 !== null && side.reqPerSec ? (connections * 1000) / side.reqPerSec : null,
    failed: (side.non2xx ?? 0) + (side.errors ?? 0),
  };
}

/**
 * The scale rows in a flat form both run.js and table.js use: one per scenario and size, with the
 * axis ('departments' or 'agents'), plus the memory per department size.
 */
function summaryOf(scale) {
  const rows = [];
  for (const [axis, sizes] of [
    ['agents', scale.agents],
    ['departments', scale.departments],
  ]) {
    for (const size of sizes) {
      for (const r of size.results) {
        rows.push({
          id: r.id,
          title: r.title.replace(/ \(.*\)$/, ''),
          axis,
          size: size[axis],
          service: figuresOf(r.service, scale.connections),
          baseline: figuresOf(r.baseline, scale.connections),
          ratio: r.ratio,
        });
      }
    }
  }
  const memory = scale.departments.map((d) => ({
    departments: d.departments,
    service: d.memory?.service?.rssMiB ?? null,
    baseline: d.memory?.baseline?.rssMiB ?? null,
  }));
  return { connections: scale.connections, rows, memory };
}

/**
 * Growth of each row against the first size of its scenario and axis: latency (the p50 when the
 * first size's p50 is at least 10 ms; below that autocannon's whole-ms p50 is too coarse, and the
 * mean per request is used) and CPU per request.
 */
function withGrowth(rows) {
  return rows.map((row) => {
    const first = rows.find((r) => r.id === row.id && r.axis === row.axis);
    const byMean = first.service?.p50 != null && first.service.p50 < 10;
    const latency = (f) => (f ? (byMean ? f.meanMs : f.p50) : null);
    const growth = (side, get) => {
      const a = first[side] && get(first[side]);
      const b = row[side] && get(row[side]);
      return a && b != null ? Math.round((b / a) * 100) / 100 : null;
    };
    return {
      ...row,
      latencyBasis: byMean ? 'mean' : 'p50',
      latencyGrowth: { service: growth('service', latency), baseline: growth('baseline', latency) },
      cpuGrowth: {
        service: growth('service', (f) => f.cpuMsPerRequest),
        baseline: growth('baseline', (f) => f.cpuMsPerRequest),
      },
    };
  });
}

/** Issue 29's goals on the department rows: met or missed, with the figure. */
function goalsOf(rows) {
  const goals = [];
  for (const row of withGrowth(rows)) {
    if (row.axis !== 'departments') continue;
    const first = rows.find((r) => r.id === row.id && r.axis === 'departments');
    if (row.size === first.size) continue;
    // A failed request (a 503 from a busy database, a timeout) is not an answer: missed.
    const failed = row.service?.failed ? `, ${row.service.failed} failed` : '';
    const growth = row.latencyGrowth.service;
    goals.push({
      goal: `${row.id} p50 at ${count(row.size)} departments ≤ ${P50_GROWTH_GOAL}× its ${count(first.size)}-department p50`,
      value:
        growth === null
          ? `not measured (no request answered${failed})`
          : `${growth.toFixed(2)}×${row.latencyBasis === 'mean' ? ' (mean)' : ''}${failed}`,
      met: growth !== null && growth <= P50_GROWTH_GOAL && !failed,
    });
    if (row.id === 'S2' && row.size === S2_RATIO_GOAL_AT && row.baseline)
      goals.push({
        goal: `S2 at ${count(S2_RATIO_GOAL_AT)} departments ≥ ${S2_RATIO_GOAL}× the baseline's req/s`,
        value: row.ratio == null ? `not measured${failed}` : `${row.ratio.toFixed(2)}×${failed}`,
        met: row.ratio != null && row.ratio >= S2_RATIO_GOAL && !failed,
      });
  }
  return goals;
}

const count = (n) => Number(n).toLocaleString('en-US');
const num = (n, digits = 1) => (n == null ? '-' : Number(n).toFixed(digits));
/** autocannon's latencies are whole ms: 0 means under a millisecond; none: no request answered. */
const latency = (n) => (n == null ? 'none' : n === 0 ? '< 1' : num(n, n < 10 ? 1 : 0));
const times = (n) => (n == null ? '-' : `${n.toFixed(2)}×`);

/** The README's scale table (markdown), then the memory per department size. */
function markdownOf({ connections, rows, memory }) {
  const lines = [
    `| scenario | size | p50 ms service | p50 ms baseline | req/s service / baseline (ratio) | CPU ms/req service / baseline | latency growth service / baseline | CPU/req growth service / baseline | failed service / baseline |`,
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of withGrowth(rows)) {
    const first = rows.find((r) => r.id === row.id && r.axis === row.axis).size === row.size;
    const s = row.service;
    const b = row.baseline;
    const basis = row.latencyBasis === 'mean' ? ' (mean)' : '';
    lines.push(
      `| ${row.id} ${row.title} | ${count(row.size)} ${row.axis} | ${latency(s?.p50)} | ${latency(b?.p50)} ` +
        `| ${num(s?.reqPerSec)} / ${num(b?.reqPerSec)}${row.ratio == null ? '' : ` (${times(row.ratio)})`} ` +
        `| ${num(s?.cpuMsPerRequest, 2)} / ${num(b?.cpuMsPerRequest, 2)} ` +
        `| ${first ? 'reference' : `${times(row.latencyGrowth.service)} / ${times(row.latencyGrowth.baseline)}${basis}`} ` +
        `| ${first ? 'reference' : `${times(row.cpuGrowth.service)} / ${times(row.cpuGrowth.baseline)}`} ` +
        `| ${s?.failed ?? '-'} / ${b?.failed ?? '-'} |`,
    );
  }
  lines.push(
    '',
    `(${connections} connection(s); growth = this size's figure / the first size's, per scenario; latency growth is the p50's, or the mean time per request's (mean) where the first p50 is below 10 ms: autocannon's p50 is in whole ms; p50 "none": no request answered in any round; failed: non-2xx answers and errors, summed over the rounds)`,
  );
  if (memory.length) {
    const first = memory[0];
    const per10k = (m, side) =>
      m === first || m[side] == null || first[side] == null
        ? '-'
        : `${num(((m[side] - first[side]) * 10_000) / (m.departments - first.departments))}`;
    lines.push(
      '',
      '| departments | service RSS MiB | baseline RSS MiB | RSS growth per 10,000 departments, MiB: service / baseline |',
      '|---|---|---|---|',
      ...memory.map(
        (m) =>
          `| ${count(m.departments)} | ${num(m.service)} | ${num(m.baseline)} | ${m === first ? 'reference' : `${per10k(m, 'service')} / ${per10k(m, 'baseline')}`} |`,
      ),
      '',
      '(RSS: median of 9 samples over 2 s, 1 s after the load of that size stopped)',
    );
  }
  return lines.join('\n');
}

/**
 * Seconds the scale part may take, for run.js's watchdog: every round at every size (as run.js
 * counts them, doubled with a baseline), growing the data (allowing 2 s per 1,000 departments and
 * 2 s per 1,000 agents, several times what bench/README.md reports), sanity checks and memory samples.
 */
function scaleBudgetS(config, secondsOf, sides) {
  const sum = (ids) => ids.reduce((n, id) => n + secondsOf(id), 0);
  let total = 0;
  if (config.scaleAgents.length) {
    const largest = config.scaleAgents[config.scaleAgents.length - 1];
    total += (config.scaleAgents.length + 1) * (sum(AGENT_SCENARIOS) * sides + 30);
    total += 2 * 2 * (largest / 1000) + 30; // growing, then removing
  }
  let previous = config.departments;
  total += sum(DEPARTMENT_SCENARIOS) * sides + 30;
  for (const size of config.scaleDepartments) {
    // Each round's drain and each sanity check is one request, slower as the data grows.
    const slowdown = 1 + size / 25_000;
    total += sum(DEPARTMENT_SCENARIOS) * sides * slowdown + 30 * slowdown;
    total += 2 * ((size - previous) / 1000);
    previous = size;
  }
  return Math.round(total);
}

module.exports = {
  DEPARTMENT_SCENARIOS,
  AGENT_SCENARIOS,
  parseSizes,
  runScale,
  scaleBudgetS,
  summaryOf,
  goalsOf,
  markdownOf,
};
