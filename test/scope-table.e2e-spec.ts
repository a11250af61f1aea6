// Who sees and changes which department-linked data, for every route of the running app
// (its OpenAPI document), from one table: each route has a row, and a route without one
// fails the test, so a new endpoint has to say how it treats a monitor's scope.
//
// Callers: admin, manager, the monitor of unit A, the monitor of unit B, an agent, a plain
// user. Objects: a department in unit A, one in unit B, one in no unit (and archived ones of
// each), an offline message of each, and one without a department. The rule (API.md §14,
// docs/api.md §1): admins, managers and everyone who is not a monitor are unrestricted; a
// monitor keeps to its units' departments for every write and for the reads Rocket.Chat
// forgot, while the documented reads (lists, archived list, GET by id, autocomplete) are
// unscoped unless `onlyMyDepartments=true`.
import { randomBytes } from 'node:crypto';
import { TestApp, type ApiResponse, type Session } from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test responses are checked field by field
type Json = any;

const ROLES = ['admin', 'manager', 'monitorA', 'monitorB', 'agent', 'plain'] as const;
type Role = (typeof ROLES)[number];
type Unit = 'A' | 'B' | 'none';
const UNITS: Unit[] = ['A', 'B', 'none'];

const DEPARTMENTS = ['depA', 'depB', 'depNone'] as const;
const ARCHIVED = ['arcA', 'arcB', 'arcNone'] as const;
const MESSAGES = ['msgA', 'msgB', 'msgNone', 'msgNoDept'] as const;
const UNIT_OBJECTS = ['unitA', 'unitB'] as const;
type Obj =
  | (typeof DEPARTMENTS)[number]
  | (typeof ARCHIVED)[number]
  | (typeof MESSAGES)[number]
  | (typeof UNIT_OBJECTS)[number];

/** The unit of each object's department (null: a message without a department). */
const UNIT_OF: Record<Obj, Unit | null> = {
  depA: 'A',
  depB: 'B',
  depNone: 'none',
  arcA: 'A',
  arcB: 'B',
  arcNone: 'none',
  msgA: 'A',
  msgB: 'B',
  msgNone: 'none',
  msgNoDept: null,
  unitA: 'A',
  unitB: 'B',
};

/** The default roles of the permissions these routes declare (API.md §3). */
const HOLDERS = {
  viewDepartments: ['admin', 'manager', 'monitorA', 'monitorB'],
  viewRoom: ['admin', 'manager', 'monitorA', 'monitorB', 'agent'],
  manageDepartments: ['admin', 'manager', 'monitorA', 'monitorB'],
  viewManager: ['admin', 'manager', 'monitorA', 'monitorB'],
  manageUnits: ['admin', 'manager'],
} satisfies Record<string, Role[]>;
const holds = (role: Role, permission: keyof typeof HOLDERS) =>
  (HOLDERS[permission] as Role[]).includes(role);

/** Whether a caller's scope covers data of `unit` (a monitor: its own unit only, never none). */
function inScope(role: Role, unit: Unit | null): boolean {
  if (role === 'monitorA') return unit === 'A';
  if (role === 'monitorB') return unit === 'B';
  return true;
}

/** The objects of `objects` a caller sees when scoped (`scoped`) or not. */
const visible = (role: Role, objects: readonly Obj[], scoped: boolean) =>
  objects.filter((object) => !scoped || inScope(role, UNIT_OF[object])).join(',');

interface Fixture {
  ids: Record<Obj, string>;
  agentId: string;
  /** A department created for one request (deletes, archives), in `unit`. */
  fresh(unit: Unit): Promise<string>;
}

interface Request {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One request per (caller, object): `observe` reads the answer as `expect` names it. */
interface EachProbe {
  name: string;
  objects: readonly Obj[] | 'fresh';
  request(fixture: Fixture, id: string, unit: Unit | null): Request;
  observe?(res: ApiResponse<Json>): string;
  expect(role: Role, unit: Unit | null): string;
}

/** One request per caller: which of `objects` the answer shows. */
interface ListProbe {
  name: string;
  objects: readonly Obj[];
  request(fixture: Fixture): Request;
  shown(body: Json): string[];
  expect(role: Role): string;
}

type Row =
  | { probes: (EachProbe | ListProbe)[] }
  | { unscoped: string }
  /** Scoped, and its scope is tested where its data's shape is: that file. */
  | { scopeTestedIn: string };

const status = (res: ApiResponse<Json>) => String(res.status);
const ok = '200';
const forbidden = '403';

/** 200 where the caller holds `permission` and the object is in its scope; else 403. */
const scopedWrite =
  (permission: keyof typeof HOLDERS, inScopeAnswer = ok) =>
  (role: Role, unit: Unit | null) =>
    !holds(role, permission) ? forbidden : inScope(role, unit) ? inScopeAnswer : forbidden;

const departmentIds = (key: string) => (body: Json) =>
  (body[key] as { _id: string }[]).map((item) => item._id);

const notDepartmentData = (why: string): Row => ({ unscoped: why });

/** Configuration as code keys objects by name, not id: its monitor scope is tested with it. */
const CONFIGURATION: Row = { scopeTestedIn: 'test/configuration.e2e-spec.ts' };

/** Every route of the app: its row. */
const TABLE: Record<string, Row> = {
  // ---- configuration as code and undo ----------------------------------------------------------
  'GET /api/v1/livechat/configuration': CONFIGURATION,
  'POST /api/v1/livechat/configuration.plan': CONFIGURATION,
  'POST /api/v1/livechat/configuration.apply': CONFIGURATION,
  'POST /api/v1/livechat/department/{_id}/history/{entryId}/restore': CONFIGURATION,
  'GET /api/v1/livechat/departments/deleted': CONFIGURATION,
  'POST /api/v1/livechat/departments/deleted/{_id}/restore': CONFIGURATION,
  // ---- departments ---------------------------------------------------------------------------
  'GET /api/v1/livechat/department': {
    probes: [
      {
        name: 'list (unscoped)',
        objects: DEPARTMENTS,
        request: () => ({ method: 'GET', path: '/livechat/department?count=100' }),
        shown: departmentIds('departments'),
        expect: (role: Role) =>
          holds(role, 'viewRoom') ? visible(role, DEPARTMENTS, false) : forbidden,
      },
      {
        name: 'list, onlyMyDepartments=true',
        objects: DEPARTMENTS,
        request: () => ({
          method: 'GET',
          path: '/livechat/department?count=100&onlyMyDepartments=true',
        }),
        shown: departmentIds('departments'),
        expect: (role: Role) =>
          holds(role, 'viewRoom') ? visible(role, DEPARTMENTS, true) : forbidden,
      },
    ],
  },
  'GET /api/v1/livechat/departments/archived': {
    probes: [false, true].map((only) => ({
      name: `archived list${only ? ', onlyMyDepartments=true' : ''}`,
      objects: ARCHIVED,
      request: () => ({
        method: 'GET',
        path: `/livechat/departments/archived?count=100${only ? '&onlyMyDepartments=true' : ''}`,
      }),
      shown: departmentIds('departments'),
      expect: (role: Role) => (holds(role, 'viewRoom') ? visible(role, ARCHIVED, only) : forbidden),
    })),
  },
  'POST /api/v1/livechat/department': {
    probes: [
      {
        name: 'create in a unit (a monitor: its own only)',
        objects: DEPARTMENTS,
        request: (fixture, _id, unit) => ({
          method: 'POST',
          path: '/livechat/department',
          body: {
            department: newDepartment(),
            ...(unit === 'A' && { departmentUnit: { _id: fixture.ids.unitA } }),
            ...(unit === 'B' && { departmentUnit: { _id: fixture.ids.unitB } }),
          },
        }),
        expect: scopedWrite('manageDepartments'),
      },
    ],
  },
  'GET /api/v1/livechat/department/isDepartmentCreationAvailable':
    notDepartmentData('a constant answer'),
  'GET /api/v1/livechat/department.autocomplete': {
    probes: [false, true].map((only) => ({
      name: `autocomplete${only ? ', onlyMyDepartments=true' : ''}`,
      objects: DEPARTMENTS,
      request: () => ({
        method: 'GET',
        path: `/livechat/department.autocomplete?selector=${encodeURIComponent(JSON.stringify({ term: 'scope-' }))}${only ? '&onlyMyDepartments=true' : ''}`,
      }),
      shown: departmentIds('items'),
      expect: (role: Role) =>
        holds(role, 'viewRoom') ? visible(role, DEPARTMENTS, only) : forbidden,
    })),
  },
  'GET /api/v1/livechat/department.listByIds': {
    probes: [
      {
        name: 'listByIds (always scoped)',
        objects: DEPARTMENTS,
        request: (fixture: Fixture) => ({
          method: 'GET',
          path: `/livechat/department.listByIds?${DEPARTMENTS.map((o) => `ids[]=${fixture.ids[o]}`).join('&')}`,
        }),
        shown: departmentIds('departments'),
        expect: (role: Role) =>
          holds(role, 'viewRoom') ? visible(role, DEPARTMENTS, true) : forbidden,
      },
    ],
  },
  'GET /api/v1/livechat/department/{_id}': {
    probes: [false, true].map((only) => ({
      name: `GET by id${only ? ', onlyMyDepartments=true' : ''}`,
      objects: DEPARTMENTS,
      request: (_fixture: Fixture, id: string) => ({
        method: 'GET',
        path: `/livechat/department/${id}${only ? '?onlyMyDepartments=true' : ''}`,
      }),
      observe: (res: ApiResponse<Json>) =>
        res.status !== 200
          ? status(res)
          : res.body.department === null
            ? 'null'
            : 'agents' in res.body
              ? `with ${res.body.agents.length} agent(s)`
              : 'without agents',
      expect: (role: Role, unit: Unit | null) => {
        if (!holds(role, 'viewRoom')) return forbidden;
        if (only && !inScope(role, unit)) return 'null';
        // Agents only with view-livechat-departments, and only in the caller's scope.
        return holds(role, 'viewDepartments') && inScope(role, unit)
          ? 'with 1 agent(s)'
          : 'without agents';
      },
    })),
  },
  'PUT /api/v1/livechat/department/{_id}': {
    probes: [
      {
        name: 'update with a stale If-Match (412 in scope; nothing changes)',
        objects: DEPARTMENTS,
        request: (_fixture, id) => ({
          method: 'PUT',
          path: `/livechat/department/${id}`,
          body: { department: newDepartment() },
          headers: { 'if-match': '"stale"' },
        }),
        expect: scopedWrite('manageDepartments', '412'),
      },
    ],
  },
  'DELETE /api/v1/livechat/department/{_id}': {
    probes: [
      {
        name: 'delete (a fresh department each time)',
        objects: 'fresh',
        request: (_fixture, id) => ({ method: 'DELETE', path: `/livechat/department/${id}` }),
        expect: scopedWrite('manageDepartments'),
      },
    ],
  },
  'POST /api/v1/livechat/department/{_id}/archive': {
    probes: [
      {
        name: 'archive (a fresh department each time)',
        objects: 'fresh',
        request: (_fixture, id) => ({
          method: 'POST',
          path: `/livechat/department/${id}/archive`,
        }),
        expect: scopedWrite('manageDepartments'),
      },
    ],
  },
  'POST /api/v1/livechat/department/{_id}/unarchive': {
    probes: [
      {
        name: 'unarchive (of a department that is not archived: no change)',
        objects: DEPARTMENTS,
        request: (_fixture, id) => ({
          method: 'POST',
          path: `/livechat/department/${id}/unarchive`,
        }),
        expect: scopedWrite('manageDepartments'),
      },
    ],
  },
  'GET /api/v1/livechat/department/{_id}/agents': {
    probes: [
      {
        name: "a department's agents (always scoped)",
        objects: DEPARTMENTS,
        request: (_fixture, id) => ({ method: 'GET', path: `/livechat/department/${id}/agents` }),
        observe: (res) => (res.status === 200 ? `${res.body.agents.length} agent(s)` : status(res)),
        expect: (role, unit) =>
          !holds(role, 'viewRoom') || !inScope(role, unit) ? forbidden : '1 agent(s)',
      },
    ],
  },
  'POST /api/v1/livechat/department/{_id}/agents': {
    probes: [
      {
        name: 'change agents (nothing to change)',
        objects: DEPARTMENTS,
        request: (_fixture, id) => ({
          method: 'POST',
          path: `/livechat/department/${id}/agents`,
          body: { upsert: [], remove: [] },
        }),
        expect: scopedWrite('manageDepartments'),
      },
    ],
  },
  'GET /api/v1/livechat/department/{_id}/history': {
    probes: [
      {
        name: 'history (always scoped)',
        objects: DEPARTMENTS,
        request: (_fixture, id) => ({ method: 'GET', path: `/livechat/department/${id}/history` }),
        expect: scopedWrite('viewDepartments'),
      },
    ],
  },
  'POST /api/v1/livechat/department/{_id}/next-agent': {
    probes: [
      {
        name: 'routing (always scoped)',
        objects: DEPARTMENTS,
        request: (_fixture, id) => ({
          method: 'POST',
          path: `/livechat/department/${id}/next-agent`,
        }),
        expect: scopedWrite('viewRoom'),
      },
    ],
  },
  'GET /api/v1/livechat/agents/{agentId}/departments': {
    probes: [
      {
        name: "an agent's departments (scoped for monitors)",
        objects: DEPARTMENTS,
        request: (fixture: Fixture) => ({
          method: 'GET',
          path: `/livechat/agents/${fixture.agentId}/departments`,
        }),
        shown: (body) =>
          (body.departments as { departmentId: string }[]).map((item) => item.departmentId),
        expect: (role: Role) =>
          holds(role, 'viewRoom') ? visible(role, DEPARTMENTS, true) : forbidden,
      },
    ],
  },

  // ---- offline messages ---------------------------------------------------------------------
  'GET /api/v1/livechat/offline.messages': {
    probes: [
      {
        name: 'the outbox (a monitor: its units only, never a message without department)',
        objects: MESSAGES,
        request: () => ({ method: 'GET', path: '/livechat/offline.messages?count=100' }),
        shown: departmentIds('messages'),
        expect: (role: Role) =>
          holds(role, 'viewManager') ? visible(role, MESSAGES, true) : forbidden,
      },
    ],
  },
  'GET /api/v1/livechat/offline.messages/{_id}': {
    probes: [
      {
        name: 'one message',
        objects: MESSAGES,
        request: (_fixture, id) => ({ method: 'GET', path: `/livechat/offline.messages/${id}` }),
        observe: (res) =>
          res.status === 400 ? res.body.errorType : res.status === 200 ? ok : status(res),
        expect: (role, unit) =>
          !holds(role, 'viewManager')
            ? forbidden
            : inScope(role, unit)
              ? ok
              : 'error-offline-message-not-found',
      },
    ],
  },
  'POST /api/v1/livechat/offline.messages/{_id}/retry': {
    probes: [
      {
        name: 'retry',
        objects: MESSAGES,
        request: (_fixture, id) => ({
          method: 'POST',
          path: `/livechat/offline.messages/${id}/retry`,
        }),
        observe: (res) =>
          res.status === 400 ? res.body.errorType : res.status === 200 ? ok : status(res),
        expect: (role, unit) =>
          !holds(role, 'viewManager')
            ? forbidden
            : inScope(role, unit)
              ? ok
              : 'error-offline-message-not-found',
      },
    ],
  },
  'POST /api/v1/livechat/offline.message': notDepartmentData(
    "the visitor's form (public): writes a message, reads no one's",
  ),
  'POST /api/v1/livechat/page.visited': notDepartmentData('public, stores nothing'),
  'POST /api/v1/livechat/mail.test': notDepartmentData(
    'sends a test e-mail (edit-privileged-setting)',
  ),

  // ---- units and monitors (manage-livechat-units / -monitors: admins and managers) -------------
  'GET /api/v1/livechat/units': {
    probes: [
      {
        name: 'units (without manage-livechat-units: those the caller monitors)',
        objects: UNIT_OBJECTS,
        request: () => ({ method: 'GET', path: '/livechat/units?count=100' }),
        shown: departmentIds('units'),
        expect: (role: Role) =>
          holds(role, 'manageUnits')
            ? 'unitA,unitB'
            : role === 'monitorA'
              ? 'unitA'
              : role === 'monitorB'
                ? 'unitB'
                : '',
      },
    ],
  },
  'POST /api/v1/livechat/units': notDepartmentData(
    'creates a unit (manage-livechat-units: never a monitor by default; a monitor granted it may not)',
  ),
  'GET /api/v1/livechat/units/{unitId}': { probes: unitProbes('GET', '') },
  'POST /api/v1/livechat/units/{unitId}': { probes: unitProbes('POST', '', { unitData: 5 }) },
  'DELETE /api/v1/livechat/units/{unitId}': notDepartmentData(
    'deletes a unit (manage-livechat-units); its departments stay',
  ),
  'GET /api/v1/livechat/units/{unitId}/departments': {
    probes: unitProbes('GET', '/departments'),
  },
  'GET /api/v1/livechat/units/{unitId}/departments/available': {
    probes: unitProbes('GET', '/departments/available'),
  },
  'GET /api/v1/livechat/units/{unitId}/monitors': { probes: unitProbes('GET', '/monitors') },
  'GET /api/v1/livechat/monitors': notDepartmentData('users with the monitor role'),
  'GET /api/v1/livechat/monitors/{username}': notDepartmentData('a user with the monitor role'),
  'POST /api/v1/livechat/monitors.create': notDepartmentData('gives a user the monitor role'),
  'POST /api/v1/livechat/monitors.delete': notDepartmentData('takes the monitor role'),

  // ---- not department data ------------------------------------------------------------------
  'POST /api/v1/livechat/users/{type}': notDepartmentData('gives a livechat role'),
  'GET /api/v1/livechat/users/{type}': notDepartmentData('users with a livechat role'),
  'DELETE /api/v1/livechat/users/{type}/{_id}': notDepartmentData('takes a livechat role'),
  'POST /api/v1/livechat/agent.status': notDepartmentData("an agent's own status"),
  'GET /api/v1/livechat/business-hours': notDepartmentData(
    'schedules with the departments following each (business-hour permissions: never a monitor by default)',
  ),
  'GET /api/v1/livechat/business-hour': notDepartmentData('a schedule'),
  'POST /api/v1/livechat/business-hours.save': notDepartmentData('a schedule'),
  'POST /api/v1/livechat/business-hours.remove': notDepartmentData('a schedule'),
  'POST /api/v1/livechat/business-hour': notDepartmentData('a schedule'),
  'DELETE /api/v1/livechat/business-hour/{_id}': notDepartmentData('a schedule'),
  'GET /api/v1/livechat/config': notDepartmentData("the public widget's configuration"),
  'GET /api/v1/livechat/widget.check': notDepartmentData('whether the widget may be embedded'),
  'GET /api/v1/livechat/widget.refused-origins': notDepartmentData('origins refused lately'),
  'POST /api/v1/login': notDepartmentData('authentication'),
  'POST /api/v1/logout': notDepartmentData('authentication'),
  'GET /api/v1/me': notDepartmentData("the caller's own user"),
  'POST /api/v1/users.create': notDepartmentData('users'),
  'POST /api/v1/users.delete': notDepartmentData('users'),
  'POST /api/v1/users.setActiveStatus': notDepartmentData('users'),
  'POST /api/v1/users.setStatus': notDepartmentData('users'),
  'GET /api/v1/users.autocomplete': notDepartmentData('users'),
  'GET /api/v1/permissions.listAll': notDepartmentData('permissions'),
  'GET /api/v1/permissions.mine': notDepartmentData("the caller's permissions"),
  'POST /api/v1/permissions.update': notDepartmentData('permissions'),
  'GET /api/v1/settings/{_id}': notDepartmentData('settings'),
  'POST /api/v1/settings/{_id}': notDepartmentData('settings'),
  'GET /api/info': notDepartmentData('the server version'),
  'GET /health/live': notDepartmentData('health'),
  'GET /health/ready': notDepartmentData('health'),
  'GET /metrics': notDepartmentData('metrics'),
};

/** A unit route: admins and managers only (manage-livechat-units / -monitors), for either unit. */
function unitProbes(method: string, suffix: string, body?: unknown): EachProbe[] {
  return [
    {
      name: `${method} units/:unitId${suffix}`,
      objects: UNIT_OBJECTS,
      request: (_fixture, id) => ({
        method,
        path: `/livechat/units/${id}${suffix}`,
        ...(body !== undefined && { body }),
      }),
      expect: (role) => (!holds(role, 'manageUnits') ? forbidden : body !== undefined ? '400' : ok),
    },
  ];
}

function newDepartment() {
  return {
    name: `scope-${randomBytes(4).toString('hex')}`,
    email: 'scope@example.com',
    enabled: true,
    showOnRegistration: true,
    showOnOfflineForm: true,
  };
}

describe('scope table: every route × every kind of caller × every kind of object', () => {
  let t: TestApp;
  let fixture: Fixture;
  let sessions: Record<Role, Session>;
  let routes: string[];

  const send = (role: Role, request: Request) =>
    t.request(request.method, request.path, {
      as: sessions[role],
      body: request.body,
      headers: request.headers,
    });

  beforeAll(async () => {
    t = await TestApp.start({ RATE_LIMIT_OFFLINE_MESSAGE_PER_IP: '1000' });
    const [manager, monitorA, monitorB, plain] = await Promise.all([
      t.createUser({ roles: ['livechat-manager'] }),
      t.createUser({ roles: ['livechat-monitor'] }),
      t.createUser({ roles: ['livechat-monitor'] }),
      t.createUser({ roles: ['user'] }),
    ]);
    const agent = await t.createAgent();
    sessions = { admin: t.admin, manager, monitorA, monitorB, agent, plain };

    const ids = {} as Record<Obj, string>;
    for (const name of [...DEPARTMENTS, ...ARCHIVED]) {
      ids[name] = (
        await t.createDepartment({ name: `scope-${name}-${randomBytes(3).toString('hex')}` }, [
          { agentId: agent.userId },
        ])
      ).department._id;
    }
    const saveUnit = async (name: string, monitor: Session, departments: string[]) => {
      const res = await t.post('/livechat/units', {
        unitData: { name, visibility: 'public' },
        unitMonitors: [{ monitorId: monitor.userId, username: (monitor as Json).username }],
        unitDepartments: departments.map((departmentId) => ({ departmentId })),
      });
      expect(res.status).toBe(200);
      return res.body._id as string;
    };
    ids.unitA = await saveUnit('Unit A', monitorA, [ids.depA, ids.arcA]);
    ids.unitB = await saveUnit('Unit B', monitorB, [ids.depB, ids.arcB]);
    for (const name of ARCHIVED) {
      expect((await t.post(`/livechat/department/${ids[name]}/archive`)).status).toBe(200);
    }

    // One offline message per department, and one without (no SMTP: they wait, pending).
    expect(
      (await t.post('/settings/Livechat_offline_email', { value: 'fallback@example.com' })).status,
    ).toBe(200);
    const departmentOf: Record<(typeof MESSAGES)[number], string | undefined> = {
      msgA: ids.depA,
      msgB: ids.depB,
      msgNone: ids.depNone,
      msgNoDept: undefined,
    };
    for (const name of MESSAGES) {
      const email = `${name.toLowerCase()}-${randomBytes(3).toString('hex')}@example.org`;
      const sent = await t.post(
        '/livechat/offline.message',
        { name: 'Visitor', email, message: `confidential ${name}`, department: departmentOf[name] },
        { as: null },
      );
      expect(sent.status).toBe(200);
      const outbox = await t.get('/livechat/offline.messages?count=100');
      ids[name] = (outbox.body.messages as Json[]).find((message) => message.email === email)._id;
    }

    expect(
      (await t.post('/settings/Omnichannel_enable_department_removal', { value: true })).status,
    ).toBe(200);
    fixture = {
      ids,
      agentId: agent.userId,
      fresh: async (unit) => {
        const created = await t.post('/livechat/department', {
          department: newDepartment(),
          ...(unit !== 'none' && { departmentUnit: { _id: unit === 'A' ? ids.unitA : ids.unitB } }),
        });
        expect(created.status).toBe(200);
        return created.body.department._id;
      },
    };

    const doc = (await t.get('!/api/docs-json', { as: null })).body as Json;
    routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
  }, 180_000);
  afterAll(() => t?.close());

  it('has a row for every route of the app, and no row for a route that does not exist', () => {
    expect(routes.length).toBeGreaterThan(50);
    expect(routes.filter((route) => !(route in TABLE))).toEqual([]);
    expect(Object.keys(TABLE).filter((route) => !routes.includes(route))).toEqual([]);
  });

  const scoped = Object.entries(TABLE).flatMap(([route, row]) =>
    'probes' in row ? row.probes.map((probe) => [route, probe] as const) : [],
  );

  it.each(scoped.map(([route, probe]) => [`${route}: ${probe.name}`, probe]))(
    '%s',
    async (_title, probe) => {
      const observed: Record<string, string> = {};
      const expected: Record<string, string> = {};
      if ('shown' in probe) {
        const mine = new Map(probe.objects.map((name) => [fixture.ids[name], name]));
        for (const role of ROLES) {
          const res = await send(role, probe.request(fixture));
          observed[role] =
            res.status === 200
              ? probe
                  .shown(res.body)
                  .filter((id) => mine.has(id))
                  .map((id) => mine.get(id) as Obj)
                  .sort((a, b) => probe.objects.indexOf(a) - probe.objects.indexOf(b))
                  .join(',')
              : status(res);
          expected[role] = probe.expect(role);
        }
      } else {
        const objects: [string, Unit | null][] =
          probe.objects === 'fresh'
            ? UNITS.map((unit) => [unit, unit])
            : probe.objects.map((name) => [name, UNIT_OF[name]]);
        for (const role of ROLES) {
          for (const [name, unit] of objects) {
            const id =
              probe.objects === 'fresh'
                ? await fixture.fresh(unit as Unit)
                : fixture.ids[name as Obj];
            const res = await send(role, probe.request(fixture, id, unit));
            observed[`${role} × ${name}`] = (probe.observe ?? status)(res);
            expected[`${role} × ${name}`] = probe.expect(role, unit);
          }
        }
      }
      expect(observed).toEqual(expected);
    },
    120_000,
  );

  it("records a delete's reference clean-up as a clean-up: the deleter's in its units, the system's elsewhere", async () => {
    const create = async (unitId: string, fields: Record<string, unknown>) => {
      const res = await t.post('/livechat/department', {
        department: { ...newDepartment(), ...fields },
        departmentUnit: { _id: unitId },
      });
      expect(res.status).toBe(200);
      return res.body.department as Json;
    };
    const removed = await create(fixture.ids.unitA, {});
    const ownForward = await create(fixture.ids.unitA, {
      departmentsAllowedToForward: [removed._id],
    });
    const otherFallback = await create(fixture.ids.unitB, {
      fallbackForwardDepartment: removed._id,
    });
    const deleted = await t.delete(`/livechat/department/${removed._id}`, {
      as: sessions.monitorA,
    });
    expect(deleted.status).toBe(200);

    const latest = async (id: string) =>
      (await t.get(`/livechat/department/${id}/history?count=1`)).body.history[0];
    const cleanupOf = {
      departmentId: removed._id,
      departmentName: removed.name,
      deletedBy: { _id: sessions.monitorA.userId, username: (sessions.monitorA as Json).username },
      requestId: expect.any(String),
    };
    expect(await latest(ownForward._id)).toMatchObject({
      action: 'update',
      user: { _id: sessions.monitorA.userId },
      changes: [{ field: 'departmentsAllowedToForward', from: [removed._id], to: [] }],
      cleanupOf,
    });
    expect(await latest(otherFallback._id)).toMatchObject({
      action: 'update',
      user: { _id: 'system', username: 'system' },
      changes: [{ field: 'fallbackForwardDepartment', from: removed._id, to: null }],
      cleanupOf,
    });
    // No department is left pointing at the deleted one.
    const other = (await t.get(`/livechat/department/${otherFallback._id}`)).body.department;
    expect(other.fallbackForwardDepartment).toBeUndefined();
    // The monitor of B sees its department's entry as the system's clean-up, not A's edit.
    const seenByB = await t.get(`/livechat/department/${otherFallback._id}/history?count=1`, {
      as: sessions.monitorB,
    });
    expect(seenByB.body.history[0].user.username).toBe('system');
  });

  it('answers a route without department data the same for the monitors of A and of B', async () => {
    const plainGets = Object.entries(TABLE)
      .filter(
        ([route, row]) => 'unscoped' in row && route.startsWith('GET ') && !route.includes('{'),
      )
      .map(([route]) => route.slice(4));
    expect(plainGets.length).toBeGreaterThan(5);
    for (const path of plainGets) {
      const url = path.startsWith('/api/v1/') ? path.slice('/api/v1'.length) : `!${path}`;
      const [a, b] = await Promise.all([
        t.get(url, { as: sessions.monitorA }),
        t.get(url, { as: sessions.monitorB }),
      ]);
      expect({ path, status: b.status }).toEqual({ path, status: a.status });
    }
  });
});
