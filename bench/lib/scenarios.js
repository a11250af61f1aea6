'use strict';
// The benchmark scenarios (issue 5) and the sanity check each one must pass against both
// servers before anything is measured: status 200, success:true, and the same substance.

const { isDeepStrictEqual } = require('node:util');
const { request, sleep } = require('./common');

/** What a browser sends for the widget's config (S7b). */
const BROWSER_ENCODINGS = { 'accept-encoding': 'gzip, br' };

const S3_NAME = 'Bench S3 Created';

/**
 * How each scenario is measured (run.js ROUND_PLANS): 'fast' (a few ms per request), 'database'
 * (bound by the embedded database's collection scans) or 'serialised' (one department's lock).
 */
const KINDS = {
  S1: 'fast',
  S2: 'database',
  S2t: 'database',
  S3: 'database',
  S4: 'serialised',
  S5: 'fast',
  S6: 'serialised',
  S7: 'fast',
  S7b: 'fast',
  S8: 'database',
  S3m: 'database',
  S4m: 'serialised',
};

/** Measured on two instances of the service sharing the database (run.js, after the rest). */
const MULTI_INSTANCE = { S3m: 'S3', S4m: 'S4' };
const S2T_TEXT = 'sales';

/**
 * @param ctx { auth, data } — auth headers (admin) and what seed() returned.
 * Each scenario: { id, title, requests: [{ method, path, body? }], check(service, baseline) }.
 * A scenario with several requests cycles through them (autocannon `requests`).
 */
function scenarios(ctx) {
  const list = singleInstanceScenarios(ctx);
  // The write paths again, split between two instances with shared write leases: S4m's two
  // instances contend for one department's lease. No baseline: it has no cross-process locking.
  for (const [id, of] of Object.entries(MULTI_INSTANCE)) {
    const base = list.find((s) => s.id === of);
    list.push({
      ...base,
      id,
      title: `${base.title}, 2 instances (shared leases)`,
      multiInstance: true,
      check: undefined,
    });
  }
  return list;
}

function singleInstanceScenarios(ctx) {
  const { data } = ctx;
  /** The service's widget answer lists the seeded departments, as the widget gets them. */
  const checkWidget = (s, id) => {
    const listed = s.config?.departments;
    expect(
      Array.isArray(listed) && listed.length === data.widgetDepartmentCount,
      `${id}: expected ${data.widgetDepartmentCount} departments, got ${listed?.length}`,
    );
    expect(
      listed.every((d) => Object.keys(d).sort().join() === WIDGET_DEPARTMENT_KEYS),
      `${id}: a department with other fields than the four the widget gets`,
    );
    expect(s.config.online === true, `${id}: the widget should be online`);
    expect(s.config.theme?.title === data.widgetTitle, `${id}: the seeded title is not shown`);
  };
  const [agentA, agentB] = [data.agents[300], data.agents[301]];
  return [
    {
      id: 'S1',
      title: 'GET department/:_id?includeAgents=false',
      requests: [
        {
          method: 'GET',
          path: `/api/v1/livechat/department/${data.sampleDepartmentId}?includeAgents=false`,
        },
      ],
      check: (s, b) => {
        expect(
          s.department?._id === data.sampleDepartmentId,
          'S1: service returned another department',
        );
        expect(!('agents' in s) && !('agents' in b), 'S1: includeAgents=false must omit agents');
        same(s, b, 'S1');
      },
    },
    {
      id: 'S2',
      title: 'GET department?count=50',
      requests: [{ method: 'GET', path: '/api/v1/livechat/department?count=50' }],
      check: (s, b) => {
        expect(
          s.count === 50 && s.departments.length === 50,
          `S2: expected 50 departments, got ${s.count}`,
        );
        const unarchived = data.departmentCount - data.archivedCount;
        expect(s.total >= unarchived, `S2: total ${s.total} < ${unarchived}`);
        same(s, b, 'S2');
      },
    },
    {
      id: 'S2t',
      title: `GET department?count=50&text=${S2T_TEXT}`,
      requests: [{ method: 'GET', path: `/api/v1/livechat/department?count=50&text=${S2T_TEXT}` }],
      check: (s, b) => {
        expect(
          s.count > 0 && s.total < data.departmentCount,
          `S2t: expected some matches, got ${s.count}/${s.total}`,
        );
        expect(
          s.departments.every((d) => d.name.toLowerCase().includes(S2T_TEXT)),
          'S2t: a department not matching the text',
        );
        same(s, b, 'S2t');
      },
    },
    {
      id: 'S3',
      title: 'POST department (2 agents)',
      requests: [
        {
          method: 'POST',
          path: '/api/v1/livechat/department',
          body: {
            department: {
              enabled: true,
              showOnRegistration: true,
              showOnOfflineForm: true,
              name: S3_NAME,
              email: 'bench.s3@bench.example.com',
            },
            agents: [{ agentId: data.agents[10]._id }, { agentId: data.agents[11]._id, order: 1 }],
          },
        },
      ],
      cleanupName: S3_NAME,
      check: (s, b) => {
        for (const [who, body] of [
          ['service', s],
          ['baseline', b],
        ]) {
          expect(
            body.department?.numAgents === 2 && body.department.name === S3_NAME,
            `S3: ${who} department wrong`,
          );
          expect(body.agents?.length === 2, `S3: ${who} must return 2 assignments`);
        }
        sameKeys(s.department, b.department, 'S3 department');
        sameKeys(s.agents[0], b.agents[0], 'S3 assignment');
        const strip = (list) =>
          list.map(({ agentId, username, departmentEnabled, count, order }) => ({
            agentId,
            username,
            departmentEnabled,
            count,
            order,
          }));
        same(strip(s.agents), strip(b.agents), 'S3 assignments');
      },
    },
    {
      id: 'S4',
      title: 'POST department/:_id/agents (upsert 1, remove 1)',
      // Alternates: upsert A/remove B, then upsert B/remove A.
      requests: [
        {
          method: 'POST',
          path: `/api/v1/livechat/department/${data.agentsDepartmentId}/agents`,
          body: {
            upsert: [{ agentId: agentA._id, username: agentA.username }],
            remove: [{ agentId: agentB._id }],
          },
        },
        {
          method: 'POST',
          path: `/api/v1/livechat/department/${data.agentsDepartmentId}/agents`,
          body: {
            upsert: [{ agentId: agentB._id, username: agentB.username }],
            remove: [{ agentId: agentA._id }],
          },
        },
      ],
      check: (s, b) => same(s, b, 'S4'),
    },
    {
      id: 'S5',
      title: 'GET me (authentication only)',
      requests: [{ method: 'GET', path: '/api/v1/me' }],
      check: (s, b) => {
        expect(s._id === ctx.auth['x-user-id'], 'S5: /me returned another user');
        expect(!('services' in s) && !('services' in b), 'S5: services must never be returned');
        same(s, b, 'S5');
      },
    },
    {
      id: 'S6',
      title: 'POST department/:_id/next-agent (500 agents)',
      requests: [
        { method: 'POST', path: `/api/v1/livechat/department/${data.bigDepartmentId}/next-agent` },
      ],
      check: (s, b) => {
        for (const [who, body] of [
          ['service', s],
          ['baseline', b],
        ]) {
          expect(
            body.agent && typeof body.agent.agentId === 'string',
            `S6: ${who} found no available agent`,
          );
        }
        sameKeys(s.agent, b.agent, 'S6 agent');
      },
    },
    {
      id: 'S7',
      title: `GET livechat/config (public, ${data.departmentCount} departments)`,
      anonymous: true,
      requests: [{ method: 'GET', path: '/api/v1/livechat/config' }],
      // The baseline refreshes its answer every 3 s and the service reads the widget's version at
      // most once a second: the seed's direct writes (which bump that version) may take that long.
      settleMs: 6_000,
      check: (s, b) => {
        checkWidget(s, 'S7');
        same(s, b, 'S7');
      },
    },
    {
      id: 'S7b',
      title: `GET livechat/config as browsers ask (gzip, br; If-None-Match on half)`,
      anonymous: true,
      requests: [
        { method: 'GET', path: '/api/v1/livechat/config', headers: { ...BROWSER_ENCODINGS } },
      ],
      /**
       * Per server: every request accepts gzip and br; every second one also carries the ETag
       * that server gives now (a browser's revalidation; nothing changes during the run). A
       * server without ETags gets a tag it never gave, and answers in full.
       */
      requestsFor: async (port) => {
        const res = await request(port, 'GET', '/api/v1/livechat/config', {
          headers: BROWSER_ENCODINGS,
          timeoutMs: 60_000,
        });
        const etag = typeof res.headers.etag === 'string' ? res.headers.etag : '"none"';
        const plain = {
          method: 'GET',
          path: '/api/v1/livechat/config',
          headers: BROWSER_ENCODINGS,
        };
        return [plain, { ...plain, headers: { ...BROWSER_ENCODINGS, 'if-none-match': etag } }];
      },
      // 304s are answers, not errors.
      notModifiedIsSuccess: true,
      settleMs: 6_000,
      check: (s, b) => {
        checkWidget(s, 'S7b');
        same(s, b, 'S7b');
      },
    },
    {
      id: 'S8',
      title: 'POST livechat/offline.message (public)',
      anonymous: true,
      requests: [
        {
          method: 'POST',
          path: '/api/v1/livechat/offline.message',
          body: {
            name: 'Bench Visitor',
            email: 'visitor@bench.example.com',
            message: 'Do you ship to Lisbon? I would like to order 12 of them.',
            department: data.agentsDepartmentId,
            host: 'https://shop.bench.example.com/products/1',
          },
        },
      ],
      // Every message stays in the outbox (delivery is off in the bench): removed after each round.
      cleanupOfflineMessages: true,
      // Both servers cache settings for 5 s: the seeded recipient address may take that long to show.
      settleMs: 6_000,
      check: (s, b) => {
        expect(typeof s.message === 'string' && s.message !== '', 'S8: no message to show');
        same(s, b, 'S8');
      },
    },
  ];
}

const WIDGET_DEPARTMENT_KEYS = ['_id', 'name', 'showOnOfflineForm', 'showOnRegistration'].join();

function expect(condition, message) {
  if (!condition) throw new Error(`sanity check failed: ${message}`);
}

function same(s, b, label) {
  if (!isDeepStrictEqual(s, b)) {
    throw new Error(
      `sanity check failed: ${label}: service and baseline bodies differ\n  service:  ${JSON.stringify(s).slice(0, 800)}\n  baseline: ${JSON.stringify(b).slice(0, 800)}`,
    );
  }
}

function sameKeys(s, b, label) {
  const ks = Object.keys(s || {}).sort();
  const kb = Object.keys(b || {}).sort();
  if (!isDeepStrictEqual(ks, kb)) {
    throw new Error(
      `sanity check failed: ${label}: keys differ\n  service:  ${ks}\n  baseline: ${kb}`,
    );
  }
}

/**
 * Sends each request of the scenario once to each server; every answer must be 200 with
 * success:true, then the scenario's own comparison runs. Throws (loudly) otherwise.
 */
async function sanityCheck(scenario, targets, auth) {
  const deadline = Date.now() + (scenario.settleMs || 0);
  for (;;) {
    try {
      return await checkOnce(scenario, targets, auth);
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await sleep(500);
    }
  }
}

async function checkOnce(scenario, targets, auth) {
  const answers = {};
  for (const target of targets) {
    answers[target.name] = [];
    for (const req of scenario.requests) {
      const res = await request(target.port, req.method, req.path, {
        headers: { ...(scenario.anonymous ? {} : auth), ...req.headers },
        body: req.body,
        timeoutMs: 60_000,
      });
      const encoding = req.headers?.['accept-encoding'];
      if (encoding && res.status === 200 && !res.headers['content-encoding']) {
        throw new Error(
          `sanity check failed: ${scenario.id} against ${target.name}: Accept-Encoding: ${encoding} answered uncompressed`,
        );
      }
      if (res.status !== 200 || res.body?.success !== true) {
        throw new Error(
          `sanity check failed: ${scenario.id} ${req.method} ${req.path} against ${target.name}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`,
        );
      }
      answers[target.name].push(res.body);
    }
  }
  if (scenario.check && answers.service && answers.baseline) {
    scenario.requests.forEach((_, i) => scenario.check(answers.service[i], answers.baseline[i]));
  }
}

module.exports = { scenarios, sanityCheck, KINDS, S2T_TEXT };
