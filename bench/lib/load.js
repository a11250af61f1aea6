'use strict';
// One autocannon run (loopback only) and the figures we keep from it.

const autocannon = require('autocannon');

const round = (n, digits = 2) =>
  typeof n === 'number' && Number.isFinite(n) ? Number(n.toFixed(digits)) : null;

/** Drives `scenario.requests` (cycled per connection) against 127.0.0.1:port for `duration` s. */
function runLoad({ port, scenario, headers, connections, duration }) {
  const requests = scenario.requests.map((req) => ({
    method: req.method,
    path: req.path,
    headers: {
      ...headers,
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
      (err, result) => (err ? reject(err) : resolve(summarise(result))),
    );
  });
}

function summarise(result) {
  const statusCodes = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats || {}))
    statusCodes[code] = count;
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
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
  };
}

module.exports = { runLoad };
