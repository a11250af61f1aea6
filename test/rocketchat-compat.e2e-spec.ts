// What Rocket.Chat's own API tests expect of these endpoints (issue 30), and the permission
// declared on each route (issue 25): answers' media type, the order of checks, check()'s
// messages, units, departments in and out of units, and business hours with agents.
import { FORBIDDEN_403, TestApp, TestUser } from './support/test-app';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const week = (open: boolean) =>
  DAYS.map((day) => ({ day, start: '00:00', finish: '23:59', open }));

describe('Rocket.Chat compatibility', () => {
  let t: TestApp;
  let plain: TestUser;

  const departmentBody = (name: string) => ({
    name,
    email: 'a@b.c',
    enabled: true,
    showOnRegistration: true,
    showOnOfflineForm: true,
  });
  const setRoles = async (permission: string, roles: string[]) =>
    expect(
      (await t.post('/permissions.update', { permissions: [{ _id: permission, roles }] })).status,
    ).toBe(200);
  const makeMonitor = async () => {
    const user = await t.createUser();
    expect((await t.post('/livechat/monitors.create', { username: user.username })).status).toBe(200);
    return user;
  };
  const saveUnit = (name: string, monitors: TestUser[], departments: string[]) =>
    t.post('/livechat/units', {
      unitData: { name, visibility: 'public' },
      unitMonitors: monitors.map((m) => ({ monitorId: m.userId, username: m.username })),
      unitDepartments: departments.map((departmentId) => ({ departmentId })),
    });

  beforeAll(async () => {
    t = await TestApp.start();
    plain = await t.createUser({ roles: ['user'] });
  });
  afterAll(() => t.close());

  describe('permissions declared on each route', () => {
    it('lists every operation as public or with its x-permissions', async () => {
      const doc = (await t.request('GET', '!/api/docs-json', { as: null })).body as Json;
      const undeclared: string[] = [];
      let declared = 0;
      for (const [path, item] of Object.entries(doc.paths as Json)) {
        for (const [method, operation] of Object.entries(item as Json)) {
          const isPublic = Array.isArray(operation.security) && operation.security.length === 0;
          if (operation['x-permissions'] !== undefined) declared++;
          else if (!isPublic) undeclared.push(`${method.toUpperCase()} ${path}`);
        }
      }
      expect(undeclared).toEqual([]);
      expect(declared).toBeGreaterThan(40);
      const put = doc.paths['/api/v1/livechat/department/{_id}'].put;
      expect(put['x-permissions']).toEqual([
        'manage-livechat-departments',
        'add-livechat-department-agents',
      ]);
      expect(doc.paths['/api/v1/me'].get['x-permissions']).toEqual([]);
      expect(doc.paths['/api/v1/livechat/users/{type}'].get['x-permissions']).toMatchObject({
        byParam: 'type',
        anyOf: { agent: ['manage-livechat-agents'], manager: ['manage-livechat-managers'] },
      });
    });

    it('answers 403 before looking at the input (Rocket.Chat order)', async () => {
      const department = (await t.createDepartment()).department;
      const cases: [string, string, unknown][] = [
        ['GET', '/livechat/department.autocomplete', undefined],
        ['GET', '/livechat/department.listByIds', undefined],
        ['POST', `/livechat/department/${department._id}/agents`, undefined],
        ['POST', '/livechat/units', { unitData: { name: 'test', enabled: 'x' } }],
        ['POST', '/livechat/units/123', { unitData: 5 }],
      ];
      for (const [method, path, body] of cases) {
        const res = await t.request(method, path, { as: plain, ...(body ? { body } : {}) });
        expect({ path, status: res.status, body: res.body }).toEqual({
          path,
          status: 403,
          body: FORBIDDEN_403,
        });
      }
      // With the permission the same requests are bad input.
      for (const [method, path, body] of cases) {
        const res = await t.request(method, path, body ? { body } : {});
        expect({ path, status: res.status }).toEqual({ path, status: 400 });
      }
    });

    it('takes a path parameter into account where the permission depends on it', async () => {
      const manager = await t.createUser({ roles: ['livechat-manager'] });
      expect((await t.get('/livechat/users/agent', { as: manager })).status).toBe(200);
      expect((await t.get('/livechat/users/manager', { as: manager })).status).toBe(403);
      const unknown = await t.get('/livechat/users/visitor', { as: manager });
      expect(unknown.status).toBe(404);
    });
  });

  it('says application/json, without a charset, on every kind of JSON answer', async () => {
    const answers = [
      await t.get('/livechat/department'),
      await t.get('/livechat/department?count=-1'),
      await t.get('/livechat/department', { as: null }),
      await t.get('/livechat/department', { as: plain }),
      await t.get('/livechat/no-such-endpoint'),
      await t.get('/livechat/units/no-such-unit'), // the bare JSON null
      await t.post('/login', { user: 'nobody', password: 'wrong' }, { as: null }),
    ];
    expect(answers.map((res) => res.status)).toEqual([200, 400, 401, 403, 404, 200, 401]);
    for (const res of answers) expect(res.headers.get('content-type')).toBe('application/json');
  });

  describe("check()'s messages", () => {
    it('on department/:id/agents', async () => {
      const department = (await t.createDepartment()).department;
      const path = `/livechat/department/${department._id}/agents`;
      const noBody = await t.post(path);
      expect(noBody.body).toEqual({
        success: false,
        error: "Match error: Missing key 'upsert'",
        errorType: 'invalid-params',
      });
      const noAgentId = await t.post(path, { upsert: [{}], remove: [] });
      expect(noAgentId.status).toBe(400);
      expect(noAgentId.body.error).toBe("Match error: Missing key 'agentId' in field upsert[0]");
    });

    it('on departmentUnit, and nothing is written', async () => {
      const department = (await t.createDepartment({ name: 'Match unit' })).department;
      const put = (departmentUnit: unknown) =>
        t.put(`/livechat/department/${department._id}`, {
          department: departmentBody('Renamed'),
          departmentUnit,
        });
      const unknownKey = await put({ invalidProperty: true });
      expect(unknownKey.status).toBe(400);
      expect(unknownKey.body).toEqual({
        success: false,
        error: 'Match error: Unknown key in field departmentUnit.invalidProperty',
        errorType: 'invalid-params',
      });
      const notString = await put({ _id: true });
      expect(notString.body.error).toBe(
        'Match error: Expected string, got boolean in field departmentUnit._id',
      );
      const created = await t.post('/livechat/department', {
        department: departmentBody('Never'),
        departmentUnit: { invalidProperty: true },
      });
      expect(created.body.errorType).toBe('invalid-params');
      expect((await t.get(`/livechat/department/${department._id}`)).body.department.name).toBe(
        'Match unit',
      );
    });
  });

  describe('units', () => {
    it("accepts the form's enabled and description, and leaves out non-monitors", async () => {
      const monitor = await makeMonitor();
      const notMonitor = await t.createUser();
      const department = (await t.createDepartment()).department;
      const res = await t.post('/livechat/units', {
        unitData: { name: 'Form unit', visibility: 'public', enabled: true, description: 'test' },
        unitMonitors: [monitor, notMonitor].map((m) => ({ monitorId: m.userId, username: m.username })),
        unitDepartments: [{ departmentId: department._id }],
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'Form unit', numMonitors: 1, numDepartments: 1 });
      expect(res.body).not.toHaveProperty('description');
      const monitors = await t.get(`/livechat/units/${res.body._id}/monitors`);
      expect(monitors.body.monitors.map((m: Json) => m.monitorId)).toEqual([monitor.userId]);
    });

    it('lists the caller its own units without manage-livechat-units', async () => {
      const monitor = await makeMonitor();
      const mine = (await saveUnit('Mine', [monitor], [])).body;
      await saveUnit('Not mine', [], []);
      const asMonitor = await t.get('/livechat/units', { as: monitor });
      expect(asMonitor.status).toBe(200);
      expect(asMonitor.body.units.map((u: Json) => u._id)).toEqual([mine._id]);
      const asPlain = await t.get('/livechat/units', { as: plain });
      expect(asPlain.body).toMatchObject({ units: [], count: 0, total: 0, success: true });
      // Its own unit by id needs manage-livechat-units.
      expect((await t.get(`/livechat/units/${mine._id}`, { as: monitor })).status).toBe(403);
    });

    it("needs manage-livechat-monitors for a unit's monitors", async () => {
      const manager = await t.createUser({ roles: ['livechat-manager'] });
      const unit = (await saveUnit('Monitors unit', [], [])).body;
      const path = `/livechat/units/${unit._id}/monitors`;
      expect((await t.get(path, { as: manager })).status).toBe(200);
      await setRoles('manage-livechat-monitors', ['admin']);
      try {
        expect((await t.get(path, { as: manager })).status).toBe(403);
        // manage-livechat-units alone does not do.
        expect((await t.get(`/livechat/units/${unit._id}`, { as: manager })).status).toBe(200);
      } finally {
        await setRoles('manage-livechat-monitors', ['admin', 'livechat-manager']);
      }
    });

    it('lets a monitor take a department in no unit into its unit, and out again', async () => {
      const monitor = await makeMonitor();
      const base = (await t.createDepartment()).department;
      const unit = (await saveUnit('Monitor moves', [monitor], [base._id])).body;
      const loose = (await t.createDepartment({ name: 'Loose' })).department;
      expect(loose.type).toBe('d');
      const into = await t.put(
        `/livechat/department/${loose._id}`,
        { department: departmentBody('Loose in'), departmentUnit: { _id: unit._id } },
        { as: monitor },
      );
      expect(into.status).toBe(200);
      expect(into.body.department).toMatchObject({
        name: 'Loose in',
        type: 'd',
        parentId: unit._id,
        ancestors: [unit._id],
      });
      expect((await t.get(`/livechat/units/${unit._id}`)).body.numDepartments).toBe(2);
      const out = await t.put(
        `/livechat/department/${loose._id}`,
        { department: departmentBody('Loose out'), departmentUnit: {} },
        { as: monitor },
      );
      expect(out.status).toBe(200);
      const read = (await t.get(`/livechat/department/${loose._id}`)).body.department;
      expect(read).toMatchObject({ name: 'Loose out', parentId: null, ancestors: null });
      expect((await t.get(`/livechat/units/${unit._id}`)).body.numDepartments).toBe(1);
      const last = await t.put(`/livechat/department/${base._id}`, {
        department: departmentBody('Base'),
        departmentUnit: {},
      });
      expect(last.body).toEqual({
        success: false,
        error: "The last department in a unit can't be removed [error-unit-cant-be-empty]",
        errorType: 'error-unit-cant-be-empty',
      });
    });

    it("names the unknown unit of the widget's config as Rocket.Chat does", async () => {
      const res = await t.get('/livechat/config?businessUnit=nope123', { as: null });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe(
        'Error! No Active Business Unit found with id: nope123 [error-unit-not-found]',
      );
    });

    it('finds monitors by e-mail address', async () => {
      const monitor = await makeMonitor();
      const res = await t.get(`/livechat/monitors?text=${monitor.username}%40example`);
      expect(res.body.monitors.map((m: Json) => m.username)).toEqual([monitor.username]);
    });
  });

  describe('business hours', () => {
    const defaultHour = async () =>
      (await t.get('/livechat/business-hour?type=default')).body.businessHour as Json;
    const saveDefault = async (open: boolean) => {
      const current = await defaultHour();
      const res = await t.post('/livechat/business-hours.save', {
        _id: current._id,
        name: current.name,
        active: true,
        type: 'default',
        timezone: current.timezone,
        timezoneName: 'UTC',
        workHours: week(open),
        departmentsToApplyBusinessHour: '',
        daysOpen: open ? DAYS : [],
        daysTime: week(open).map((d) => ({ ...d, start: { time: d.start }, finish: { time: d.finish } })),
        departments: current.departments,
      });
      expect(res.status).toBe(200);
      return res;
    };
    const setSetting = async (id: string, value: unknown) =>
      expect((await t.post(`/settings/${id}`, { value })).status).toBe(200);

    afterEach(async () => {
      await saveDefault(true);
      await setSetting('Livechat_enable_business_hours', false);
    });

    it("saves and removes with Rocket.Chat 8's bodies; the older paths answer the same", async () => {
      const name = `rc8-${Date.now()}`;
      const body = {
        name,
        active: true,
        type: 'custom',
        workHours: [{ day: 'Monday', open: true, start: '08:00', finish: '18:00' }],
        timezone: { name: 'America/Sao_Paulo', utc: '-03:00' },
        timezoneName: 'America/Sao_Paulo',
        departmentsToApplyBusinessHour: '',
      };
      const saved = await t.post('/livechat/business-hours.save', body);
      expect(saved.status).toBe(200);
      const listed = (await t.get(`/livechat/business-hours?name=${name}`)).body.businessHours;
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ name, type: 'custom', timezone: { name: 'America/Sao_Paulo' } });
      expect(listed[0].workHours).toHaveLength(1);
      expect(listed[0].workHours[0]).toMatchObject({ day: 'Monday', start: { time: '08:00' } });
      const older = await t.post('/livechat/business-hour', { ...body, _id: listed[0]._id });
      expect(older.status).toBe(200);
      expect(Object.keys(older.body).sort()).toEqual(Object.keys(saved.body).sort());
      expect(older.body.businessHour._id).toBe(saved.body.businessHour._id);

      const removed = await t.post('/livechat/business-hours.remove', {
        _id: listed[0]._id,
        type: 'custom',
      });
      expect(removed.status).toBe(200);
      expect(removed.body).toEqual({ success: true });
      expect((await t.get(`/livechat/business-hours?name=${name}`)).body.businessHours).toEqual([]);
      const again = await t.post('/livechat/business-hours.remove', { _id: listed[0]._id, type: 'custom' });
      expect(again.body.errorType).toBe('error-business-hour-not-found');
      expect((await t.post('/livechat/business-hours.remove', {}, { as: plain })).status).toBe(403);
    });

    it('unlinks archived, disabled and deleted departments; a schedule left with none is deactivated', async () => {
      const custom = async (departments: string[]) =>
        (
          await t.post('/livechat/business-hours.save', {
            name: `linked-${departments.length}-${Date.now()}`,
            active: true,
            type: 'custom',
            timezone: 'UTC',
            workHours: week(true),
            departmentsToApplyBusinessHour: departments.join(','),
          })
        ).body.businessHour as Json;
      const schedule = async (id: string) =>
        (await t.get(`/livechat/business-hour?_id=${id}`)).body.businessHour as Json;
      const [archived, disabled, deleted, kept] = await Promise.all(
        ['Archived', 'Disabled', 'Deleted', 'Kept'].map(async (name) => (await t.createDepartment({ name })).department),
      );
      expect((await t.post('/settings/Omnichannel_enable_department_removal', { value: true })).status).toBe(200);

      const shared = await custom([archived._id, kept._id]);
      // The list answers each schedule's departments too (its clients send them back).
      const listed = (await t.get(`/livechat/business-hours?name=${shared.name}`)).body.businessHours;
      expect(listed[0].departments.map((d: Json) => d._id).sort()).toEqual([archived._id, kept._id].sort());
      expect((await t.post(`/livechat/department/${archived._id}/archive`)).status).toBe(200);
      expect((await t.get(`/livechat/department/${archived._id}`)).body.department.businessHourId).toBeUndefined();
      expect(await schedule(shared._id)).toMatchObject({ active: true, departments: [{ _id: kept._id }] });

      const alone = await custom([disabled._id]);
      const off = await t.put(`/livechat/department/${disabled._id}`, {
        department: { ...departmentBody('Disabled'), enabled: false },
      });
      expect(off.body.department.businessHourId).toBeUndefined();
      expect(await schedule(alone._id)).toMatchObject({ active: false, departments: [] });

      const gone = await custom([deleted._id]);
      expect((await t.delete(`/livechat/department/${deleted._id}`)).status).toBe(200);
      expect(await schedule(gone._id)).toMatchObject({ active: false, departments: [] });
      // A schedule saved without departments stays active: only losing the last one deactivates.
      expect(await schedule((await custom([]))._id)).toMatchObject({ active: true });
    });

    it('answers businessHour: null to an unknown type', async () => {
      const res = await t.get('/livechat/business-hour?type=invalid');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ businessHour: null, success: true });
    });

    it('keeps an agent unavailable while its business hours are closed', async () => {
      const agent = await t.createAgent({ available: true });
      const open = await t.get('/me', { as: agent });
      const defaultId = (await defaultHour())._id;
      expect(open.body.openBusinessHours).toEqual([defaultId]);

      await setSetting('Livechat_enable_business_hours', true);
      await saveDefault(false);
      const refused = await t.post('/livechat/agent.status', { status: 'available' }, { as: agent });
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({
        success: false,
        error: 'error-business-hours-are-closed',
        errorType: 'error-business-hours-are-closed',
      });
      expect((await t.get('/me', { as: agent })).body.openBusinessHours).toEqual([]);
      // Going offline is always allowed.
      const off = await t.post('/livechat/agent.status', { status: 'not-available' }, { as: agent });
      expect(off.status).toBe(200);
      // A new agent follows the default schedule: not available while it is closed.
      const newcomer = await t.createAgent();
      expect((await t.get('/me', { as: newcomer })).body.statusLivechat).toBe('not-available');

      await saveDefault(true);
      const allowed = await t.post('/livechat/agent.status', { status: 'available' }, { as: agent });
      expect(allowed.status).toBe(200);
      expect((await t.get('/me', { as: agent })).body).toMatchObject({
        statusLivechat: 'available',
        openBusinessHours: [defaultId],
      });
    });
  });
});
