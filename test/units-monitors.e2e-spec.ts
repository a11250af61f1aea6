// Units and monitors (Rocket.Chat EE): the endpoints, their shapes and errors, the monitor
// scope through every department endpoint, and counts that stay exact under parallel writes.
import { TestApp, TestUser, expectInvalidParams } from './support/test-app';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('units and monitors', () => {
  let t: TestApp;
  let monitor: TestUser;
  let agent: TestUser;
  let unit: Json;
  let inside: Json[]; // the unit's two departments
  let outside: Json; // a department in no unit

  const saveUnit = (id: string | null, name: string, monitors: TestUser[], departments: string[]) =>
    t.post(id ? `/livechat/units/${id}` : '/livechat/units', {
      unitData: { name, visibility: 'public' },
      unitMonitors: monitors.map((m) => ({ monitorId: m.userId, username: m.username })),
      unitDepartments: departments.map((departmentId) => ({ departmentId })),
    });
  const fullDepartment = (name: string) => ({
    name,
    email: 'a@b.c',
    enabled: true,
    showOnRegistration: true,
    showOnOfflineForm: true,
  });
  const stored = (id: string) => t.db.collection('rocketchat_livechat_department').findOne({ _id: id as never });
  const makeMonitor = async () => {
    const user = await t.createUser();
    const res = await t.post('/livechat/monitors.create', { username: user.username });
    expect(res.status).toBe(200);
    return user;
  };

  beforeAll(async () => {
    t = await TestApp.start();
    expect((await t.post('/settings/Omnichannel_enable_department_removal', { value: true })).status).toBe(200);
    agent = await t.createAgent({ available: true });
    monitor = await makeMonitor();
    inside = [
      (await t.createDepartment({ name: 'Unit A one' }, [{ agentId: agent.userId }])).department,
      (await t.createDepartment({ name: 'Unit A two' })).department,
    ];
    outside = (await t.createDepartment({ name: 'Outside' }, [{ agentId: agent.userId }])).department;
    const res = await saveUnit(null, 'Unit A', [monitor], inside.map((d) => d._id));
    expect(res.status).toBe(200);
    unit = res.body;
  });
  afterAll(() => t.close());

  describe('monitors', () => {
    it('monitors.create gives the role and answers Rocket.Chat shape; unknown user is 400', async () => {
      const user = await t.createUser();
      const res = await t.post('/livechat/monitors.create', { username: user.username });
      expect(res.body).toEqual({ _id: user.userId, username: user.username, success: true });
      const me = await t.get('/me', { as: user });
      expect(me.body.roles).toContain('livechat-monitor');
      const unknown = await t.post('/livechat/monitors.create', { username: 'nobody-here' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.errorType).toBe('error-invalid-user');
      expectInvalidParams(await t.post('/livechat/monitors.create', { username: 5 }), 'username');
    });

    it('lists and finds monitors; a non-monitor is the JSON null', async () => {
      const list = await t.get(`/livechat/monitors?text=${monitor.username}`);
      expect(list.status).toBe(200);
      expect(list.body).toMatchObject({ count: 1, offset: 0, total: 1, success: true });
      expect(list.body.monitors[0]).toMatchObject({ _id: monitor.userId, username: monitor.username });
      expect(list.body.monitors[0].services).toBeUndefined();
      const one = await t.get(`/livechat/monitors/${monitor.username}`);
      expect(one.body).toMatchObject({ _id: monitor.userId, username: monitor.username, success: true });
      const none = await t.get(`/livechat/monitors/${agent.username}`);
      expect(none.status).toBe(200);
      expect(none.body).toBeNull();
    });

    it('needs a session and manage-livechat-monitors', async () => {
      expect((await t.get('/livechat/monitors', { as: null })).status).toBe(401);
      expect((await t.get('/livechat/monitors', { as: agent })).status).toBe(403);
      expect((await t.get('/livechat/monitors', { as: monitor })).status).toBe(403);
      const denied = await t.post('/livechat/monitors.create', { username: agent.username }, { as: agent });
      expect(denied.status).toBe(403);
      expect((await t.get('/me', { as: agent })).body.roles).not.toContain('livechat-monitor');
    });

    it('monitors.delete takes the role and every unit link, and recounts the units', async () => {
      const leaving = await makeMonitor();
      const other = await saveUnit(null, 'Leaving unit', [leaving, monitor], []);
      expect(other.body.numMonitors).toBe(2);
      const res = await t.post('/livechat/monitors.delete', { username: leaving.username });
      expect(res.body).toEqual({ success: true });
      expect((await t.get('/me', { as: leaving })).body.roles).not.toContain('livechat-monitor');
      const links = await t.db.collection('rocketchat_livechat_unit_monitors').find({ monitorId: leaving.userId }).toArray();
      expect(links).toEqual([]);
      expect((await t.get(`/livechat/units/${other.body._id}`)).body.numMonitors).toBe(1);
      const history = await t.get(`/livechat/department/${other.body._id}/history`);
      expect(history.body.history[0].changes).toEqual([
        { field: 'monitors', from: [leaving.username, monitor.username].sort(), to: [monitor.username] },
      ]);
      expect((await t.post('/livechat/monitors.delete', { username: 'nobody-here' })).body.errorType).toBe(
        'error-invalid-user',
      );
      await t.delete(`/livechat/units/${other.body._id}`);
    });
  });

  describe('units', () => {
    it('creates a unit in the department collection, its links and its departments', async () => {
      expect(unit).toEqual({
        _id: expect.any(String),
        name: 'Unit A',
        visibility: 'public',
        type: 'u',
        numMonitors: 1,
        numDepartments: 2,
        success: true,
      });
      expect(await stored(unit._id)).toMatchObject({ type: 'u', name: 'Unit A' });
      for (const department of inside) {
        expect(await stored(department._id)).toMatchObject({ parentId: unit._id, ancestors: [unit._id] });
      }
      const links = await t.db
        .collection('rocketchat_livechat_unit_monitors')
        .find({ unitId: unit._id }, { projection: { _fence: 0 } })
        .toArray();
      expect(links).toEqual([
        { _id: expect.any(String), monitorId: monitor.userId, unitId: unit._id, username: monitor.username },
      ]);
    });

    it('reads units, their departments, the available ones and their monitors', async () => {
      const list = await t.get('/livechat/units?text=unit%20a');
      expect(list.body).toMatchObject({ count: 1, total: 1, offset: 0, success: true });
      expect(list.body.units[0]).toMatchObject({ _id: unit._id, numDepartments: 2, numMonitors: 1 });
      const one = await t.get(`/livechat/units/${unit._id}`);
      expect(one.body).toMatchObject({ _id: unit._id, name: 'Unit A', type: 'u', success: true });
      const departments = await t.get(`/livechat/units/${unit._id}/departments`);
      expect(departments.body.departments.map((d: Json) => d.name)).toEqual(['Unit A one', 'Unit A two']);
      expect(departments.body.total).toBe(2);
      const available = await t.get(`/livechat/units/${unit._id}/departments/available?text=o`);
      const names = available.body.departments.map((d: Json) => d.name);
      expect(names).toEqual(expect.arrayContaining(['Outside', 'Unit A one', 'Unit A two']));
      const monitors = await t.get(`/livechat/units/${unit._id}/monitors`);
      expect(monitors.body.monitors).toEqual([
        { _id: expect.any(String), monitorId: monitor.userId, unitId: unit._id, username: monitor.username },
      ]);
    });

    it('keeps units out of every department answer', async () => {
      const list = await t.get('/livechat/department?count=100');
      expect(list.body.departments.map((d: Json) => d._id)).not.toContain(unit._id);
      expect((await t.get(`/livechat/department/${unit._id}`)).body.department).toBeNull();
      const byIds = await t.get(`/livechat/department.listByIds?ids[]=${unit._id}`);
      expect(byIds.body.departments).toEqual([]);
      const auto = await t.get('/livechat/department.autocomplete?selector=' + encodeURIComponent('{"term":"Unit A"}'));
      expect(auto.body.items.map((d: Json) => d._id)).not.toContain(unit._id);
      expect((await t.put(`/livechat/department/${unit._id}`, { department: { name: 'x', email: 'a@b.c', enabled: true, showOnRegistration: true, showOnOfflineForm: true } })).status).toBe(400);
    });

    it('answers unknown units as Rocket.Chat does', async () => {
      const get = await t.get('/livechat/units/no-such-unit');
      expect(get.status).toBe(200);
      expect(get.body).toBeNull();
      const post = await saveUnit('no-such-unit', 'x', [], []);
      expect(post.status).toBe(400);
      expect(post.body.errorType).toBe('error-unit-not-found');
      const del = await t.delete('/livechat/units/no-such-unit');
      expect(del.status).toBe(400);
      expect(del.body.errorType).toBe('unit-not-found');
    });

    it('validates the body and changes nothing when it refuses one', async () => {
      const before = await t.db.collection('rocketchat_livechat_department').countDocuments({ type: 'u' });
      expectInvalidParams(
        await t.post('/livechat/units', { unitData: { name: 'x', visibility: 'secret' }, unitMonitors: [], unitDepartments: [] }),
        'unitData.visibility',
      );
      expectInvalidParams(
        await t.post('/livechat/units', { unitData: { name: ' ', visibility: 'public' }, unitMonitors: [], unitDepartments: [] }),
        'unitData.name',
      );
      expectInvalidParams(
        await t.post('/livechat/units', { unitData: { name: 'x', visibility: 'public' }, unitMonitors: [], unitDepartments: [{ departmentId: { $ne: 1 } }] }),
        'unitDepartments.0.departmentId',
      );
      expectInvalidParams(await t.post('/livechat/units', { unitData: { name: 'x', visibility: 'public' } }), 'unitMonitors');
      const unknownDepartment = await saveUnit(null, 'x', [monitor], [outside._id, 'no-such-department']);
      expect(unknownDepartment.status).toBe(400);
      expect(unknownDepartment.body.errorType).toBe('error-department-not-found');
      const twice = await saveUnit(null, 'x', [], [outside._id, outside._id]);
      expect(twice.status).toBe(400);
      expect(await t.db.collection('rocketchat_livechat_department').countDocuments({ type: 'u' })).toBe(before);
      expect((await stored(outside._id))?.parentId).toBeUndefined();
    });

    it('needs manage-livechat-units to write, and a session', async () => {
      expect((await t.get('/livechat/units', { as: null })).status).toBe(401);
      // Anybody else lists the units it monitors: none for an agent (Rocket.Chat).
      const none = await t.get('/livechat/units', { as: agent });
      expect(none.status).toBe(200);
      expect(none.body).toMatchObject({ units: [], total: 0 });
      const body = { unitData: { name: 'x', visibility: 'public' }, unitMonitors: [], unitDepartments: [] };
      expect((await t.post('/livechat/units', body, { as: monitor })).status).toBe(403);
      expect((await t.post(`/livechat/units/${unit._id}`, body, { as: monitor })).status).toBe(403);
      expect((await t.delete(`/livechat/units/${unit._id}`, { as: monitor })).status).toBe(403);
      expect((await t.get(`/livechat/units/${unit._id}/departments/available`, { as: monitor })).status).toBe(403);
    });

    it('moves departments with departmentUnit, keeps both counts exact and records the move', async () => {
      const other = (await saveUnit(null, 'Unit B', [], [])).body;
      const moved = await t.createDepartment({ name: 'Mover' });
      const into = await t.put(`/livechat/department/${moved.department._id}`, {
        department: fullDepartment('Mover'),
        departmentUnit: { _id: other._id },
      });
      expect(into.status).toBe(200);
      expect(into.body.department).toMatchObject({ parentId: other._id, ancestors: [other._id] });
      expect((await t.get(`/livechat/units/${other._id}`)).body.numDepartments).toBe(1);
      const empty = await t.put(`/livechat/department/${moved.department._id}`, {
        department: fullDepartment('Mover'),
        departmentUnit: {},
      });
      expect(empty.status).toBe(400);
      expect(empty.body).toEqual({
        success: false,
        error: "The last department in a unit can't be removed [error-unit-cant-be-empty]",
        errorType: 'error-unit-cant-be-empty',
      });
      // Into unit A: B is left empty (allowed: only taking out is refused).
      await t.put(`/livechat/department/${moved.department._id}`, { department: fullDepartment('Mover'), departmentUnit: { _id: unit._id } });
      expect((await t.get(`/livechat/units/${other._id}`)).body.numDepartments).toBe(0);
      expect((await t.get(`/livechat/units/${unit._id}`)).body.numDepartments).toBe(3);
      const history = await t.get(`/livechat/department/${moved.department._id}/history`);
      expect(history.body.history[0].changes).toEqual([
        { field: 'parentId', from: other._id, to: unit._id, fromName: 'Unit B', toName: 'Unit A' },
      ]);
      const out = await t.put(`/livechat/department/${moved.department._id}`, { department: fullDepartment('Mover'), departmentUnit: {} });
      expect(out.status).toBe(200);
      // Rocket.Chat's shape once out of a unit.
      expect(out.body.department).toMatchObject({ parentId: null, ancestors: null, type: 'd' });
      expect((await t.get(`/livechat/units/${unit._id}`)).body.numDepartments).toBe(2);
      const unknown = await t.post('/livechat/department', {
        department: { name: 'x', email: 'a@b.c', enabled: true, showOnRegistration: true, showOnOfflineForm: true },
        departmentUnit: { _id: 'no-such-unit' },
      });
      expect(unknown.body.errorType).toBe('error-unit-not-found');
      // Created straight into a unit.
      const created = await t.post('/livechat/department', {
        department: { name: 'Born in B', email: 'a@b.c', enabled: true, showOnRegistration: true, showOnOfflineForm: true },
        departmentUnit: { _id: other._id },
      });
      expect(created.body.department.parentId).toBe(other._id);
      expect((await t.get(`/livechat/units/${other._id}`)).body.numDepartments).toBe(1);
      await t.delete(`/livechat/department/${created.body.department._id}`);
      expect((await t.get(`/livechat/units/${other._id}`)).body.numDepartments).toBe(0);
      await t.delete(`/livechat/units/${other._id}`);
    });

    it('deletes a unit: its departments stay, out of any unit, and its links go', async () => {
      const departments = [(await t.createDepartment()).department._id, (await t.createDepartment()).department._id];
      const doomed = (await saveUnit(null, 'Doomed', [monitor], departments)).body;
      const res = await t.delete(`/livechat/units/${doomed._id}`);
      expect(res.status).toBe(200);
      expect(res.body).toBe(1);
      for (const id of departments) {
        const department = await stored(id);
        expect(department).not.toBeNull();
        expect(department).toMatchObject({ parentId: null, ancestors: null });
      }
      expect(await stored(doomed._id)).toBeNull();
      expect(await t.db.collection('rocketchat_livechat_unit_monitors').countDocuments({ unitId: doomed._id })).toBe(0);
    });

    it('limits the widget to a unit with ?businessUnit', async () => {
      const config = await t.get(`/livechat/config?businessUnit=${unit._id}`, { as: null });
      expect(config.status).toBe(200);
      expect(config.body.config.departments.map((d: Json) => d._id)).toEqual([inside[0]._id]);
      expect(config.body.config.online).toBe(true);
      const all = await t.get('/livechat/config', { as: null });
      expect(all.body.config.departments.map((d: Json) => d._id)).toEqual(
        expect.arrayContaining([inside[0]._id, outside._id]),
      );
      const unknown = await t.get('/livechat/config?businessUnit=no-such-unit', { as: null });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error).toBe(
        'Error! No Active Business Unit found with id: no-such-unit [error-unit-not-found]',
      );
    });
  });

  describe("a monitor's scope", () => {
    const departmentBody = (name: string) => ({
      department: { name, email: 'a@b.c', enabled: true, showOnRegistration: true, showOnOfflineForm: true },
    });

    it('lists only its units with onlyMyDepartments=true, everything without (Rocket.Chat)', async () => {
      const mine = await t.get('/livechat/department?onlyMyDepartments=true&count=100', { as: monitor });
      expect(mine.body.departments.map((d: Json) => d._id).sort()).toEqual(inside.map((d) => d._id).sort());
      expect(mine.body.total).toBe(2);
      const all = await t.get('/livechat/department?count=100', { as: monitor });
      expect(all.body.departments.map((d: Json) => d._id)).toContain(outside._id);
      const auto = await t.get(
        '/livechat/department.autocomplete?onlyMyDepartments=true&selector=' + encodeURIComponent('{"term":""}'),
        { as: monitor },
      );
      expect(auto.body.items.map((d: Json) => d._id).sort()).toEqual(inside.map((d) => d._id).sort());
      const archived = await t.get('/livechat/departments/archived?onlyMyDepartments=true', { as: monitor });
      expect(archived.status).toBe(200);
      expect(archived.body.departments).toEqual([]);
      // Admins are never limited.
      const admin = await t.get('/livechat/department?onlyMyDepartments=true&count=100');
      expect(admin.body.departments.map((d: Json) => d._id)).toContain(outside._id);
    });

    it('answers department: null out of scope with onlyMyDepartments=true', async () => {
      const out = await t.get(`/livechat/department/${outside._id}?onlyMyDepartments=true`, { as: monitor });
      expect(out.status).toBe(200);
      expect(out.body.department).toBeNull();
      const own = await t.get(`/livechat/department/${inside[0]._id}?onlyMyDepartments=true`, { as: monitor });
      expect(own.body.department._id).toBe(inside[0]._id);
    });

    it('never reads out of scope through listByIds, agents, history or next-agent', async () => {
      const byIds = await t.get(`/livechat/department.listByIds?ids[]=${outside._id}&ids[]=${inside[0]._id}`, { as: monitor });
      expect(byIds.body.departments.map((d: Json) => d._id)).toEqual([inside[0]._id]);
      for (const path of [
        `/livechat/department/${outside._id}/agents`,
        `/livechat/department/${outside._id}/history`,
      ]) {
        const res = await t.get(path, { as: monitor });
        expect(res.status).toBe(403);
        expect(res.body.errorType).toBe('error-not-allowed');
      }
      expect((await t.post(`/livechat/department/${outside._id}/next-agent`, undefined, { as: monitor })).status).toBe(403);
      expect((await t.get(`/livechat/department/${inside[0]._id}/agents`, { as: monitor })).status).toBe(200);
      expect((await t.post(`/livechat/department/${inside[0]._id}/next-agent`, undefined, { as: monitor })).body.agent).toMatchObject({ username: agent.username });
    });

    it('changes nothing out of scope: PUT, DELETE, agents, archive, unarchive', async () => {
      const before = await stored(outside._id);
      const attempts = [
        t.put(`/livechat/department/${outside._id}`, departmentBody('Taken'), { as: monitor }),
        t.delete(`/livechat/department/${outside._id}`, { as: monitor }),
        t.post(`/livechat/department/${outside._id}/agents`, { upsert: [], remove: [{ agentId: agent.userId }] }, { as: monitor }),
        t.post(`/livechat/department/${outside._id}/archive`, undefined, { as: monitor }),
        t.post(`/livechat/department/${outside._id}/unarchive`, undefined, { as: monitor }),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.status).toBe(403);
        expect(res.body.errorType).toBe('error-not-allowed');
      }
      expect(await stored(outside._id)).toEqual(before);
      expect(await t.db.collection('rocketchat_livechat_department_agents').countDocuments({ departmentId: outside._id })).toBe(1);
    });

    it('edits its own departments, and moves them only between its own units and no unit', async () => {
      const res = await t.put(`/livechat/department/${inside[1]._id}`, departmentBody('Unit A two'), { as: monitor });
      expect(res.status).toBe(200);
      const foreign = (await saveUnit(null, 'Foreign', [], [])).body;
      const away = await t.put(
        `/livechat/department/${inside[1]._id}`,
        { ...departmentBody('Unit A two'), departmentUnit: { _id: foreign._id } },
        { as: monitor },
      );
      expect(away.status).toBe(403);
      expect((await stored(inside[1]._id))?.parentId).toBe(unit._id);
      // Out of its own unit (Rocket.Chat allows it; the department leaves its scope)…
      const out = await t.put(`/livechat/department/${inside[1]._id}`, { ...departmentBody('Unit A two'), departmentUnit: {} }, { as: monitor });
      expect(out.status).toBe(200);
      expect(await stored(inside[1]._id)).toMatchObject({ parentId: null, ancestors: null });
      expect((await t.get(`/livechat/units/${unit._id}`)).body.numDepartments).toBe(1);
      // …but never the last one of a unit…
      const last = await t.put(`/livechat/department/${inside[0]._id}`, { ...departmentBody('Unit A one'), departmentUnit: {} }, { as: monitor });
      expect(last.body.errorType).toBe('error-unit-cant-be-empty');
      // …and a department in no unit may come into its unit, with its other changes.
      const back = await t.put(`/livechat/department/${inside[1]._id}`, { ...departmentBody('Unit A two'), departmentUnit: { _id: unit._id } }, { as: monitor });
      expect(back.status).toBe(200);
      expect(back.body.department).toMatchObject({ parentId: unit._id, ancestors: [unit._id], type: 'd' });
      expect((await t.get(`/livechat/units/${unit._id}`)).body.numDepartments).toBe(2);
      // A department in no unit stays out of reach otherwise, and of a foreign unit.
      const stray = (await t.createDepartment({ name: 'Stray one' })).department;
      const edit = await t.put(`/livechat/department/${stray._id}`, departmentBody('Renamed'), { as: monitor });
      expect(edit.status).toBe(403);
      const intoForeign = await t.put(`/livechat/department/${stray._id}`, { ...departmentBody('Renamed'), departmentUnit: { _id: foreign._id } }, { as: monitor });
      expect(intoForeign.status).toBe(403);
      expect((await stored(stray._id))?.name).toBe('Stray one');
      await t.delete(`/livechat/department/${stray._id}`);
      await t.delete(`/livechat/units/${foreign._id}`);
    });

    it('creates departments only inside its units, and then sees them (#32615)', async () => {
      const nowhere = await t.post('/livechat/department', departmentBody('Stray'), { as: monitor });
      expect(nowhere.status).toBe(403);
      const created = await t.post(
        '/livechat/department',
        { ...departmentBody('Made by monitor'), departmentUnit: { _id: unit._id } },
        { as: monitor },
      );
      expect(created.status).toBe(200);
      const mine = await t.get('/livechat/department?onlyMyDepartments=true', { as: monitor });
      expect(mine.body.departments.map((d: Json) => d.name)).toContain('Made by monitor');
      expect((await t.get(`/livechat/units/${unit._id}`)).body.numDepartments).toBe(3);
      await t.delete(`/livechat/department/${created.body.department._id}`);
      expect((await t.get(`/livechat/units/${unit._id}`)).body.numDepartments).toBe(2);
    });

    it('reads its own units only, and a scope change applies at once', async () => {
      const list = await t.get('/livechat/units', { as: monitor });
      expect(list.body.units.map((u: Json) => u._id)).toEqual([unit._id]);
      const extra = (await saveUnit(null, 'Later', [], [])).body;
      // By id, a unit needs manage-livechat-units, even the monitor's own (Rocket.Chat).
      expect((await t.get(`/livechat/units/${extra._id}`, { as: monitor })).status).toBe(403);
      expect((await t.get(`/livechat/units/${unit._id}`, { as: monitor })).status).toBe(403);
      expect((await t.get(`/livechat/units/${unit._id}/departments`, { as: monitor })).status).toBe(403);
      const department = (await t.createDepartment({ name: 'Later dept' })).department;
      await saveUnit(extra._id, 'Later', [monitor], [department._id]);
      const mine = await t.get('/livechat/department?onlyMyDepartments=true', { as: monitor });
      expect(mine.body.departments.map((d: Json) => d._id)).toContain(department._id);
      await t.delete(`/livechat/units/${extra._id}`);
      const after = await t.get('/livechat/department?onlyMyDepartments=true', { as: monitor });
      expect(after.body.departments.map((d: Json) => d._id)).not.toContain(department._id);
    });
  });

  it('keeps numDepartments and numMonitors exact under parallel moves and unit edits', async () => {
    const monitors = [await makeMonitor(), await makeMonitor()];
    const departments: string[] = [];
    for (let i = 0; i < 6; i++) departments.push((await t.createDepartment({ name: `Par ${i}` })).department._id);
    const u1 = (await saveUnit(null, 'Par one', [monitors[0]], departments.slice(0, 3))).body;
    const u2 = (await saveUnit(null, 'Par two', [monitors[1]], departments.slice(3))).body;
    const requests: Promise<{ status: number }>[] = [];
    for (let round = 0; round < 4; round++) {
      for (const [i, id] of departments.entries()) {
        const target = (i + round) % 2 === 0 ? u1._id : u2._id;
        requests.push(t.put(`/livechat/department/${id}`, { department: fullDepartment(`Par ${i}`), departmentUnit: { _id: target } }));
      }
      requests.push(saveUnit(u1._id, `Par one ${round}`, round % 2 ? monitors : [monitors[0]], []).then((res) => res));
    }
    const statuses = (await Promise.all(requests)).map((res) => res.status);
    expect(statuses.every((status) => status === 200 || status === 400)).toBe(true);
    for (const u of [u1, u2]) {
      const stored = (await t.get(`/livechat/units/${u._id}`)).body;
      const members = await t.db.collection('rocketchat_livechat_department').countDocuments({ parentId: u._id });
      const links = await t.db.collection('rocketchat_livechat_unit_monitors').countDocuments({ unitId: u._id });
      expect({ numDepartments: stored.numDepartments, numMonitors: stored.numMonitors }).toEqual({
        numDepartments: members,
        numMonitors: links,
      });
    }
  });
});
