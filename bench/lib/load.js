'use strict';
// One autocannon run (loopback only) and the figures we keep from it.

const autocannon = require('autocannon');

const round = (n, digits = 2) =>
  typeof n === 'number' && Number.isFinite(n) ? Number(n.toFixed(digits)) : null;

/**
 * Drives `scenario.requests` (cycled per connection), or those `scenario.requestsFor(port)` gives
 * for this server, against 127.0.0.1:port for `duration` s.
 */
async function runLoad({ port, scenario, headers, connections, duration }) {
  const planned = scenario.requestsFor ? await scenario.requestsFor(port) : scenario.requests;
  const requests = planned.map((req) => ({
    method: req.method,
    path: req.path,
    headers: {
      ...headers,
      ...req.headers,
      ...(req.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
  }));
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections,
        duration,
        requests,
        timeout: 30,
      },
      (err, result) =>
        err ? reject(err) : resolve(summarise(result, scenario.notModifiedIsSuccess === true)),
    );
  });
}

/** `notModifiedIsSuccess`: 304s are expected answers (S7b), not counted with the non-2xx. */
function summarise(result, notModifiedIsSuccess) {
  const statusCodes = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats || {}))
    statusCodes[code] = count;
  const expected304 = notModifiedIsSuccess ? statusCodes['304'] || 0 : 0;
  return {
    // Completed requests over the measured time: exact for short rounds, unlike the average of
    // per-second samples (a 2 s round has two samples, the last one partial).
    reqPerSec: round(result.requests.total / result.duration, 1),
    requests: result.requests.total,
    durationS: round(result.duration, 2),
    latencyMs: {
      p50: round(result.latency.p50),
      p90: round(result.latency.p90),
      p99: round(result.latency.p99),
      avg: round(result.latency.average),
      max: round(result.latency.max),
    },
    non2xx: result.non2xx - expected304,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
  };
}

module.exports = { runLoad };
