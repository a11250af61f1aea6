#!/usr/bin/env node
// Prints the README's performance table from saved runs: `node bench/table.js <run.json>...`
// (files written by `BENCH_SAVE=1 npm run bench`). Each figure is the median over the runs;
// the per-run values follow in parentheses where the issue's targets are judged on them.
'use strict';
const fs = require('node:fs');
const { summaryOf, goalsOf, markdownOf } = require('./lib/scale');

/** Issue 20's targets: CPU per request on reads and writes, p99, RSS after the run; S7b's is issue 29's. */
const CPU_TARGET = {
  S1: 1.2,
  S2: 1.2,
  S2t: 1.2,
  S5: 1.2,
  S7: 1.2,
  S7b: 0.5,
  S3: 1.4,
  S4: 1.4,
  S6: 1.4,
};
const P99_TARGET = 1.2;
const RSS_TARGET = 1.25;

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node bench/table.js <bench/results/run.json>...');
  process.exit(2);
}
const runs = files.map((file) => JSON.parse(fs.readFileSync(file, 'utf8')));
// Runs of BENCH_SCALE=only have no main rows: their scale table alone.
const mainRuns = runs.filter((run) => run.results.length);

const median = (values) => {
  const sorted = values.filter((value) => typeof value === 'number').sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const fixed = (value, digits = 2) => (value === undefined ? '-' : value.toFixed(digits));
const ratio = (value) => (value === undefined ? '-' : `${value.toFixed(2)}×`);
const list = (values) => `(${values.map((value) => fixed(value)).join(', ')})`;
const verdict = (value, target) =>
  target === undefined || value === undefined
    ? '-'
    : `≤ ${target}× ${value <= target ? 'met' : 'missed'}`;

if (mainRuns.length) printMain(mainRuns);
const scaleRuns = runs.filter((run) => run.scale);
if (scaleRuns.length) printScale(scaleRuns);

function printMain(runs) {
  console.log(
    '| scenario | CPU ms/req service/baseline | CPU ratio (the runs) | target | req/s service/baseline | req/s ratio | p99 ms service/baseline | p99 ratio (the runs) |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const { id, title } of runs[0].results) {
    const rows = runs.map((run) => run.results.find((result) => result.id === id)).filter(Boolean);
    const pick = (side, get) => median(rows.map((row) => row[side] && get(row[side])));
    const cpuRatios = rows.map((row) => row.cpuRatio?.median);
    const p99Ratios = rows.map((row) => row.p99Ratio);
    const cpu = median(cpuRatios);
    const p99 = median(p99Ratios);
    const baseline = rows.some((row) => row.baseline);
    console.log(
      `| ${id} ${title} | ${fixed(pick('service', (s) => s.cpuMsPerRequest))}/${fixed(pick('baseline', (s) => s.cpuMsPerRequest))} ` +
        `| ${baseline ? `**${ratio(cpu)}** ${list(cpuRatios)}` : '-'} | ${verdict(cpu, CPU_TARGET[id])} ` +
        `| ${fixed(
          pick('service', (s) => s.reqPerSec),
          1,
        )}/${fixed(
          pick('baseline', (s) => s.reqPerSec),
          1,
        )} ` +
        `| ${ratio(median(rows.map((row) => row.ratio)))} ` +
        `| ${fixed(
          pick('service', (s) => s.latencyMs.p99),
          0,
        )}/${fixed(
          pick('baseline', (s) => s.latencyMs.p99),
          0,
        )} ` +
        `| ${baseline ? `${ratio(p99)}${p99 > P99_TARGET ? ' (missed)' : ''} ${list(p99Ratios)}` : '-'} |`,
    );
  }
  const settled = runs.map((run) => run.memory.ratio.settledRss);
  const peak = runs.map((run) => run.memory.ratio.peakRss);
  console.log(
    `\nRSS after the run, service/baseline: median ${ratio(median(settled))} ${list(settled)} ` +
      `(target ≤ ${RSS_TARGET}×, ${median(settled) <= RSS_TARGET ? 'met' : 'missed'}); peak ${ratio(median(peak))} ${list(peak)}; ` +
      `service ${runs.map((run) => run.memory.service.afterRun.rssMiB).join(', ')} MiB, ` +
      `baseline ${runs.map((run) => run.memory.baseline.afterRun.rssMiB).join(', ')} MiB`,
  );
  console.log(
    `load average at start: ${runs.map((run) => run.machine.loadAverage1mAtStart).join(', ')}; ` +
      `machine: ${runs[0].machine.cpu}, ${runs[0].machine.cores} cores, Node ${runs[0].machine.node}`,
  );
}

/**
 * The scale table (BENCH_SCALE runs): each figure the median over the runs of that scenario and
 * size, the growth and goals computed on the medians.
 */
function printScale(runs) {
  const summaries = runs.map((run) => summaryOf(run.scale));
  const keyOf = (row) => `${row.axis}/${row.size}/${row.id}`;
  const figures = (sides) => {
    const present = sides.filter(Boolean);
    if (present.length === 0) return null;
    const pick = (key) => median(present.map((side) => side[key]));
    return {
      p50: pick('p50'),
      reqPerSec: pick('reqPerSec'),
      cpuMsPerRequest: pick('cpuMsPerRequest'),
      meanMs: pick('meanMs'),
      failed: pick('failed'),
    };
  };
  const rows = summaries[0].rows.map((first) => {
    const same = summaries
      .map((summary) => summary.rows.find((row) => keyOf(row) === keyOf(first)))
      .filter(Boolean);
    return {
      ...first,
      service: figures(same.map((row) => row.service)),
      baseline: figures(same.map((row) => row.baseline)),
      ratio: median(same.map((row) => row.ratio)) ?? null,
    };
  });
  const memory = summaries[0].memory.map((first) => {
    const same = summaries
      .map((summary) => summary.memory.find((m) => m.departments === first.departments))
      .filter(Boolean);
    return {
      departments: first.departments,
      service: median(same.map((m) => m.service)) ?? null,
      baseline: median(same.map((m) => m.baseline)) ?? null,
    };
  });
  console.log(`\nScale: medians of ${runs.length} run(s)\n`);
  console.log(markdownOf({ connections: summaries[0].connections, rows, memory }));
  const goals = goalsOf(rows);
  if (goals.length) {
    console.log('');
    for (const g of goals) console.log(`- ${g.goal}: ${g.value}, ${g.met ? 'met' : '**missed**'}`);
  }
}
