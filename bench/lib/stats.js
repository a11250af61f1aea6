'use strict';
// Robust summaries of repeated measurements: the harness alternates service and baseline over
// several short rounds and keeps medians, with the spread, so one noisy second does not decide.

const round = (n, digits = 2) =>
  typeof n === 'number' && Number.isFinite(n) ? Number(n.toFixed(digits)) : null;

function median(values) {
  const sorted = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  if (!sorted.length) return null;
  sorted.sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function range(values) {
  const finite = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  return finite.length ? [Math.min(...finite), Math.max(...finite)] : [null, null];
}

/**
 * One side (service or baseline) of a scenario over its rounds: the median of each figure, the
 * min–max of req/s, errors summed, and the rounds themselves.
 */
function summariseSide(rounds) {
  const rps = rounds.map((r) => r.reqPerSec);
  const [min, max] = range(rps);
  const latency = (key) => round(median(rounds.map((r) => r.latencyMs[key])));
  const statusCodes = {};
  for (const r of rounds) {
    for (const [code, count] of Object.entries(r.statusCodes))
      statusCodes[code] = (statusCodes[code] || 0) + count;
  }
  const sum = (key) => rounds.reduce((total, r) => total + (r[key] || 0), 0);
  const cpu = rounds.map((r) => r.cpuMsPerRequest);
  return {
    reqPerSec: round(median(rps), 1),
    cpuMsPerRequest: round(median(cpu), 3),
    cpuMsPerRequestRange: range(cpu).map((v) => round(v, 3)),
    reqPerSecRange: [round(min, 1), round(max, 1)],
    latencyMs: {
      p50: latency('p50'),
      p90: latency('p90'),
      p99: latency('p99'),
      max: round(Math.max(...rounds.map((r) => r.latencyMs.max ?? 0))),
    },
    requests: sum('requests'),
    non2xx: sum('non2xx'),
    errors: sum('errors'),
    timeouts: sum('timeouts'),
    statusCodes,
    rounds,
  };
}

/**
 * service/baseline req/s, round by round (each pair measured back to back, so a slow phase of
 * the machine hits both): the median of those ratios and their min–max.
 */
function pairedRatio(serviceRounds, baselineRounds) {
  const ratios = serviceRounds
    .map((s, i) =>
      baselineRounds[i]?.reqPerSec ? s.reqPerSec / baselineRounds[i].reqPerSec : null,
    )
    .filter((r) => r !== null);
  const [min, max] = range(ratios);
  return {
    ratio: round(median(ratios)),
    ratioRange: [round(min), round(max)],
  };
}

/**
 * service/baseline CPU time per request, round by round: the median and min–max. Above 1, the
 * service spends more of its own CPU on a request than the baseline does. Far less sensitive to
 * other load on the machine than req/s.
 */
function pairedCpuRatio(serviceRounds, baselineRounds) {
  const ratios = serviceRounds
    .map((s, i) =>
      s.cpuMsPerRequest && baselineRounds[i]?.cpuMsPerRequest
        ? s.cpuMsPerRequest / baselineRounds[i].cpuMsPerRequest
        : null,
    )
    .filter((r) => r !== null);
  const [min, max] = range(ratios);
  return ratios.length ? { median: round(median(ratios)), range: [round(min), round(max)] } : null;
}

module.exports = { median, range, round, summariseSide, pairedRatio, pairedCpuRatio };
