// Service endpoints (API.md §7): info, health, Prometheus metrics, the OpenAPI document
// (checked against the routes the running app registers and against API.md §2–§5), request
// ids and the unknown-route envelope.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TestApp } from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- documents are checked field by field
type Json = any;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

const NOT_FOUND_404 = {
  success: false,
  error: 'API endpoint not found [error-not-found]',
  errorType: 'error-not-found',
};

/** Every endpoint of API.md §2–§5, as `METHOD path` with the global prefix. */
const CONTRACT_ENDPOINTS = [
  // §2
  'POST /api/v1/login',
  'POST /api/v1/logout',
  'GET /api/v1/me',
  // §3
  'POST /api/v1/users.create',
  'POST /api/v1/livechat/users/agent',
  'POST /api/v1/livechat/users/manager',
  'GET /api/v1/livechat/users/agent',
  'GET /api/v1/livechat/users/manager',
  'DELETE /api/v1/livechat/users/agent/:_id',
  'DELETE /api/v1/livechat/users/manager/:_id',
  'POST /api/v1/livechat/agent.status',
  'GET /api/v1/livechat/agents/:agentId/departments',
  'GET /api/v1/permissions.listAll',
  'POST /api/v1/permissions.update',
  'GET /api/v1/settings/:_id',
  'POST /api/v1/settings/:_id',
  // §4
  'GET /api/v1/livechat/department',
  'POST /api/v1/livechat/department',
  'GET /api/v1/livechat/departments/archived',
  'GET /api/v1/livechat/department/:_id',
  'PUT /api/v1/livechat/department/:_id',
  'DELETE /api/v1/livechat/department/:_id',
  'POST /api/v1/livechat/department/:_id/archive',
  'POST /api/v1/livechat/department/:_id/unarchive',
  'GET /api/v1/livechat/department.autocomplete',
  'GET /api/v1/livechat/department.listByIds',
  'GET /api/v1/livechat/department/:_id/agents',
  'POST /api/v1/livechat/department/:_id/agents',
  'GET /api/v1/livechat/department/isDepartmentCreationAvailable',
  // §5
  'POST /api/v1/livechat/department/:_id/next-agent',
];

/** §7: the service's own endpoints (no authentication). */
const SERVICE_ENDPOINTS = [
  'GET /api/info',
  'GET /health/live',
  'GET /health/ready',
  'GET /metrics',
];

/**
 * The routes in Fastify's `printRoutes({ commonPrefix: false })` tree: each line adds its
 * segment to its ancestors' (`├── /api/v1/livechat/department`, `│   ├── /:_id (GET, PUT)`).
 */
function parseRouteTree(tree: string): { path: string; methods: string[] }[] {
  const stack: string[] = [];
  const routes: { path: string; methods: string[] }[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    stack.length = match[1].length / 4;
    stack.push(match[2]);
    if (match[3]) routes.push({ path: stack.join(''), methods: match[3].split(', ') });
  }
  return routes;
}

const toOpenApiPath = (route: string) => route.replace(/:([A-Za-z_]\w*)/g, '{$1}');

/**
 * Whether `METHOD path` is an operation of the OpenAPI document. A documented path
 * parameter with an enum also covers those literal segments (`/livechat/users/{type}` with
 * `type ∈ {agent, manager}` documents `/livechat/users/agent`).
 */
function isDocumented(doc: Json, endpoint: string): boolean {
  const [method, route] = endpoint.split(' ');
  const wanted = toOpenApiPath(route).split('/');
  return Object.entries(doc.paths as Record<string, Json>).some(([docPath, item]) => {
    const operation = item[method.toLowerCase()];
    if (!operation) return false;
    const segments = docPath.split('/');
    if (segments.length !== wanted.length) return false;
    return segments.every((segment, i) => {
      if (segment === wanted[i]) return true;
      const param = /^\{(.+)\}$/.exec(segment)?.[1];
      if (!param) return false;
      if (/^\{.+\}$/.test(wanted[i])) return true;
      const parameters: Json[] = [...(item.parameters ?? []), ...(operation.parameters ?? [])];
      const declared = parameters.find((p) => p.in === 'path' && p.name === param);
      return Array.isArray(declared?.schema?.enum) && declared.schema.enum.includes(wanted[i]);
    });
  });
}

describe('operations (API.md §7)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  describe('GET /api/info', () => {
    it('answers { version, success: true } without authentication', async () => {
      const res = await t.get('!/api/info', { as: null });
      expect(res.status).toBe(200);
      const { version } = JSON.parse(
        readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'),
      ) as { version: string };
      expect(res.body).toEqual({ version, success: true });
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    });
  });

  describe('health', () => {
    it('GET /health/live → 200 without authentication', async () => {
      const res = await t.get('!/health/live', { as: null });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'ok' });
    });

    it('GET /health/ready → 200 while the database answers', async () => {
      const res = await t.get('!/health/ready', { as: null });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'ok' });
    });

    it('health answers are not under /api/v1', async () => {
      for (const route of ['/health/live', '/health/ready', '/info']) {
        const res = await t.get(route, { as: null });
        expect(res.status).toBe(404);
        expect(res.body).toEqual(NOT_FOUND_404);
      }
    });
  });

  describe('GET /metrics', () => {
    /** The metrics text once `predicate` holds (metrics are recorded after each response). */
    async function metricsWhen(predicate: (text: string) => boolean): Promise<string> {
      let text = '';
      for (let attempt = 0; attempt < 20; attempt++) {
        const res = await t.get('!/metrics', { as: null });
        expect(res.status).toBe(200);
        text = String(res.body);
        if (predicate(text)) return text;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return text;
    }

    it('is Prometheus text, without authentication', async () => {
      const res = await t.get('!/metrics', { as: null });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(String(res.body)).toMatch(/^# HELP http_requests_total /m);
      expect(String(res.body)).toMatch(/^# TYPE http_requests_total counter$/m);
      expect(String(res.body)).toMatch(/^# TYPE http_request_duration_seconds histogram$/m);
    });

    it('counts requests and latency by route template and status; raw ids are never labels', async () => {
      const created = await t.createDepartment();
      const id: string = created.department._id;
      const unknownId = `unknown${randomBytes(6).toString('hex')}`;
      expect((await t.get(`/livechat/department/${id}`)).status).toBe(200);
      const put = await t.put(`/livechat/department/${unknownId}`, {
        department: {
          name: 'x',
          email: 'x@example.com',
          enabled: true,
          showOnRegistration: true,
          showOnOfflineForm: true,
        },
      });
      expect(put.status).toBe(400);
      const unknownPath = `/nope-${randomBytes(6).toString('hex')}`;
      expect((await t.get(unknownPath)).status).toBe(404);

      const route = 'route="/api/v1/livechat/department/:_id"';
      const text = await metricsWhen(
        (body) =>
          body.includes(`method="PUT",${route},status="400"`) && body.includes('status="404"'),
      );
      expect(text).toMatch(
        /^http_requests_total\{method="GET",route="\/api\/v1\/livechat\/department\/:_id",status="200"\} [1-9]\d*$/m,
      );
      expect(text).toMatch(
        /^http_requests_total\{method="PUT",route="\/api\/v1\/livechat\/department\/:_id",status="400"\} [1-9]\d*$/m,
      );
      expect(text).toMatch(
        /^http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/api\/v1\/livechat\/department\/:_id",status="200"\} \d+$/m,
      );
      expect(text).toMatch(
        /^http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/api\/v1\/livechat\/department\/:_id",status="200"\} [1-9]\d*$/m,
      );
      expect(text).toMatch(/^http_request_duration_seconds_count\{.*status="200"\} \d+$/m);
      expect(text).toMatch(/^http_request_duration_seconds_sum\{.*\} [\d.e+-]+$/m);
      expect(text).toMatch(/^http_requests_total\{[^}]*status="404"\} [1-9]\d*$/m);
      // Neither ids nor unknown paths become labels (bounded cardinality).
      expect(text).not.toContain(id);
      expect(text).not.toContain(unknownId);
      expect(text).not.toContain(unknownPath);
    });

    it('includes process metrics', async () => {
      const res = await t.get('!/metrics', { as: null });
      expect(String(res.body)).toMatch(
        /^(process_cpu_user_seconds_total|nodejs_heap_size_used_bytes)(\{[^}]*\})? [\d.e+-]+$/m,
      );
    });
  });

  describe('OpenAPI', () => {
    let doc: Json;

    beforeAll(async () => {
      const res = await t.get('!/api/docs-json', { as: null });
      expect(res.status).toBe(200);
      doc = res.body;
    });

    it('GET /api/docs-json is an OpenAPI 3 document, without authentication', () => {
      expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
      expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
      expect(typeof doc.paths).toBe('object');
    });

    it('declares X-User-Id and X-Auth-Token as apiKey headers and requires them', () => {
      const schemes = Object.values(doc.components?.securitySchemes ?? {}) as Json[];
      for (const header of ['X-User-Id', 'X-Auth-Token']) {
        expect(schemes).toContainEqual(
          expect.objectContaining({ type: 'apiKey', in: 'header', name: header }),
        );
      }
      const names = Object.entries(doc.components.securitySchemes as Record<string, Json>)
        .filter(([, scheme]) => ['X-User-Id', 'X-Auth-Token'].includes(scheme.name))
        .map(([name]) => name);
      const required = (doc.security ?? []).flatMap((entry: Json) => Object.keys(entry));
      for (const name of names) expect(required).toContain(name);
      // Login is the documented operation that needs no token.
      expect(doc.paths['/api/v1/login'].post.security).toEqual([]);
    });

    it('has an ErrorEnvelope schema, used by the error answers', () => {
      const envelope = doc.components?.schemas?.ErrorEnvelope;
      expect(envelope).toMatchObject({
        type: 'object',
        properties: { success: expect.any(Object), error: { type: 'string' } },
      });
      expect(envelope.properties).toHaveProperty('errorType');
      const departments = doc.paths['/api/v1/livechat/department'].post.responses;
      expect(JSON.stringify(departments['400'])).toContain('#/components/schemas/ErrorEnvelope');
    });

    it('the documentation check itself tells documented from undocumented', () => {
      expect(isDocumented(doc, 'GET /api/v1/livechat/department/:_id')).toBe(true);
      expect(isDocumented(doc, 'PATCH /api/v1/livechat/department/:_id')).toBe(false);
      expect(isDocumented(doc, 'GET /api/v1/not-a-route')).toBe(false);
      expect(isDocumented(doc, 'POST /api/v1/livechat/users/admin')).toBe(false);
    });

    it.each(CONTRACT_ENDPOINTS)('documents %s (API.md §2–§5)', (endpoint) => {
      expect(isDocumented(doc, endpoint)).toBe(true);
    });

    /** `METHOD path` of every route the running app registers (HEAD is Fastify's own). */
    function registeredEndpoints(): string[] {
      const tree = t.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
      const routes = parseRouteTree(tree);
      // The parser must see the whole API, or this check would prove nothing.
      expect(routes.map((route) => route.path)).toEqual(
        expect.arrayContaining([
          '/api/v1/login',
          '/api/v1/livechat/department/:_id',
          '/api/v1/livechat/department/:_id/next-agent',
          '/api/v1/livechat/departments/archived',
        ]),
      );
      // The browsable docs, the admin console (`/` redirects to it) and the visitor's widget
      // (/livechat) are pages, not API.
      return routes
        .filter((route) => !route.path.startsWith('/api/docs'))
        .filter((route) => route.path !== '/' && !route.path.startsWith('/admin'))
        .filter((route) => !route.path.startsWith('/livechat'))
        .flatMap((route) =>
          route.methods
            .filter((method) => method !== 'HEAD' && method !== 'OPTIONS')
            .map((method) => `${method} ${route.path}`),
        );
    }

    it('documents every API route the app registers (read from the running server)', () => {
      const api = registeredEndpoints().filter((endpoint) => endpoint.includes(' /api/v1/'));
      expect(api.length).toBeGreaterThanOrEqual(CONTRACT_ENDPOINTS.length - 4);
      expect(api.filter((endpoint) => !isDocumented(doc, endpoint))).toEqual([]);
    });

    it('documents the service endpoints of §7 too, like every other registered route', () => {
      const registered = registeredEndpoints();
      expect(registered).toEqual(expect.arrayContaining(SERVICE_ENDPOINTS));
      expect(registered.filter((endpoint) => !isDocumented(doc, endpoint))).toEqual([]);
    });

    it('documents no route the app does not serve', () => {
      const registered = registeredEndpoints().map((endpoint) => {
        const [method, route] = endpoint.split(' ');
        return `${method} ${toOpenApiPath(route)}`;
      });
      const documented = Object.entries(doc.paths as Record<string, Json>).flatMap(
        ([docPath, item]) =>
          ['get', 'put', 'post', 'delete', 'patch']
            .filter((method) => item[method])
            .map((method) => `${method.toUpperCase()} ${docPath}`),
      );
      expect(documented.filter((endpoint) => !registered.includes(endpoint))).toEqual([]);
    });

    it('GET /api/docs serves the browsable HTML', async () => {
      const res = await t.get('!/api/docs', { as: null });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(String(res.body)).toMatch(/<html/i);
      expect(String(res.body)).toMatch(/swagger/i);
    });
  });

  describe('X-Request-Id', () => {
    it('is echoed back when the client sends one', async () => {
      const requestId = `req-${randomBytes(6).toString('hex')}`;
      for (const res of [
        await t.get('/me', { headers: { 'x-request-id': requestId } }),
        await t.get('/nope', { headers: { 'x-request-id': requestId } }),
        await t.post('/livechat/department', {}, { headers: { 'x-request-id': requestId } }),
        await t.get('!/api/info', { as: null, headers: { 'X-Request-Id': requestId } }),
      ]) {
        expect(res.headers.get('x-request-id')).toBe(requestId);
      }
    });

    it('is a new UUID on every request that carries none', async () => {
      const first = (await t.get('/me')).headers.get('x-request-id');
      const second = (await t.get('/me', { as: null })).headers.get('x-request-id');
      expect(first).toMatch(UUID);
      expect(second).toMatch(UUID);
      expect(first).not.toBe(second);
    });

    it('is replaced by a UUID when the one sent is not a plain token', async () => {
      for (const bad of ['has space', 'x'.repeat(129), 'a"b', '<script>']) {
        const res = await t.get('/me', { headers: { 'x-request-id': bad } });
        expect(res.status).toBe(200);
        expect(res.headers.get('x-request-id')).toMatch(UUID);
      }
    });
  });

  describe('unknown routes', () => {
    it.each([
      ['GET', '/api/v1/nope'],
      ['POST', '/api/v1/livechat/departmentz'],
      ['GET', '/api/v2/livechat/department'],
      ['PATCH', '/api/v1/livechat/department'],
      ['GET', '/api/v1/livechat/department/x/y/z'],
      ['GET', '/nope'],
    ])('%s %s → 404 envelope', async (method, route) => {
      const res = await t.request(method, `!${route}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(NOT_FOUND_404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    });

    it('an unknown route is a 404 even without authentication', async () => {
      const res = await t.get('/nope', { as: null });
      expect(res.status).toBe(404);
      expect(res.body).toEqual(NOT_FOUND_404);
    });
  });
});
