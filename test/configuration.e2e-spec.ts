// Configuration as code and undo (API.md §16): export, plan, apply (409 on a stale basis,
// idempotent, one history entry per object with the apply's id), the monitor scope, restore
// of a history version and of deleted departments, and the retention purge.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DepartmentRecovery } from '../src/livechat/write-path/department-recovery';
import { invariantViolations } from './support/invariants';
import { TestApp, TestUser } from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are checked field by field
type Json = any;

const ENV = { DEPARTMENT_REMOVAL_ENABLED: 'true' };
const WEEK = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];

async function ok(promise: Promise<{ status: number; body: Json }>): Promise<Json> {
  const res = await promise;
  if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Users of the given names and roles (agents and monitors get their role through the API). */
async function makeUsers(
  t: TestApp,
  agents: string[],
  monitors: string[],
): Promise<Map<string, TestUser>> {
  const users = new Map<string, TestUser>();
  for (const username of agents) {
    users.set(username, await t.createUser({ username }));
    await ok(t.post('/livechat/users/agent', { username }));
  }
  for (const username of monitors) {
    users.set(username, await t.createUser({ username }));
    await ok(t.post('/livechat/monitors.create', { username }));
  }
  return users;
}

async function exportOf(
  t: TestApp,
  as?: TestUser,
): Promise<{ configuration: Json; version: string }> {
  return ok(t.get('/livechat/configuration', { as }));
}

async function planOf(t: TestApp, configuration: Json, as?: TestUser): Promise<Json> {
  return (await ok(t.post('/livechat/configuration.plan', { configuration }, { as }))).plan;
}

async function applyPlanned(t: TestApp, configuration: Json, as?: TestUser): Promise<Json> {
  const plan = await planOf(t, configuration, as);
  expect(plan.refusals).toEqual([]);
  return ok(
    t.post('/livechat/configuration.apply', { configuration, basedOn: plan.basedOn }, { as }),
  );
}

describe('configuration as code', () => {
  let t: TestApp;
  let users: Map<string, TestUser>;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await TestApp.start(ENV);
    users = await makeUsers(t, ['ann', 'bob', 'cy'], ['mo']);
    const agentId = (name: string) => users.get(name)!.userId;
    ids.sales = (
      await t.createDepartment(
        {
          name: 'Sales',
          description: 'Buyers',
          chatClosingTags: ['won', 'lost'],
          requestTagBeforeClosingChat: true,
        },
        [{ agentId: agentId('ann'), count: 2, order: 1 }, { agentId: agentId('bob') }],
      )
    ).department._id;
    ids.support = (
      await t.createDepartment(
        {
          name: 'Support',
          fallbackForwardDepartment: ids.sales,
          departmentsAllowedToForward: [ids.sales],
          maxNumberSimultaneousChat: 3,
        },
        [{ agentId: agentId('cy'), order: 2 }],
      )
    ).department._id;
    ids.archive = (
      await t.createDepartment({ name: 'Old', enabled: false, showOnOfflineForm: false })
    ).department._id;
    await ok(t.post(`/livechat/department/${ids.archive}/archive`));
    const unit = await ok(
      t.post('/livechat/units', {
        unitData: { name: 'Europe', visibility: 'private' },
        unitMonitors: [{ monitorId: users.get('mo')!.userId, username: 'mo' }],
        unitDepartments: [{ departmentId: ids.support }],
      }),
    );
    ids.europe = unit._id;
    await ok(
      t.post('/livechat/business-hours.save', {
        name: 'Weekdays',
        active: true,
        type: 'custom',
        timezone: 'Europe/Paris',
        workHours: WEEK.map((day) => ({ day, open: true, start: '09:00', finish: '17:30' })),
        departmentsToApplyBusinessHour: ids.sales,
      }),
    );
    await ok(t.post('/settings/Livechat_title', { value: 'Help desk' }));
    await ok(t.post('/settings/SMTP_Password', { value: 'never-exported' }));
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('exports one versioned document with readable keys, names instead of ids, and no secret', async () => {
    const { configuration, version } = await exportOf(t);
    expect(version).toMatch(/^[0-9a-f]{32}$/);
    expect(configuration.format).toBe('omnichannel-departments/configuration');
    expect(configuration.version).toBe(1);
    expect(Object.keys(configuration.departments)).toEqual(['Old', 'Sales', 'Support']);
    expect(configuration.departments.Sales).toMatchObject({
      email: 'dept@example.com',
      enabled: true,
      archived: false,
      description: 'Buyers',
      chatClosingTags: ['won', 'lost'],
      agents: { ann: { count: 2, order: 1 }, bob: { count: 0, order: 0 } },
    });
    expect(configuration.departments.Support).toMatchObject({
      fallbackForwardDepartment: 'Sales',
      departmentsAllowedToForward: ['Sales'],
      maxNumberSimultaneousChat: 3,
    });
    expect(configuration.departments.Old).toMatchObject({ archived: true, enabled: false });
    expect(configuration.units).toEqual({
      Europe: { visibility: 'private', monitors: ['mo'], departments: ['Support'] },
    });
    expect(configuration.businessHours.custom.Weekdays).toMatchObject({
      active: true,
      timezone: 'Europe/Paris',
      departments: ['Sales'],
      workHours: { Monday: { open: true, start: '09:00', finish: '17:30' } },
    });
    expect(configuration.businessHours.default).toBeDefined();
    expect(configuration.settings.Livechat_title).toBe('Help desk');
    expect(JSON.stringify(configuration)).not.toContain('never-exported');
    expect(configuration.settings).not.toHaveProperty('SMTP_Password');
    // Nothing changed: the same version again.
    expect((await exportOf(t)).version).toBe(version);
  });

  it('plans an identical document to nothing, and a changed one field by field', async () => {
    const { configuration, version } = await exportOf(t);
    expect(await planOf(t, configuration)).toEqual({
      basedOn: version,
      changes: [],
      refusals: [],
      widget: { appearing: [], vanishing: [] },
    });

    const edited = structuredClone(configuration);
    edited.departments.Sales.description = 'Buyers and prospects';
    delete edited.departments.Sales.agents.bob;
    edited.departments.Sales.agents.cy = { count: 0, order: 5 };
    edited.departments.Support.showOnRegistration = false;
    edited.departments.Billing = {
      email: 'billing@example.com',
      enabled: true,
      showOnRegistration: true,
      showOnOfflineForm: true,
      agents: { ann: {} },
    };
    delete edited.departments.Old;
    edited.settings.Livechat_title = 'Support';
    const plan = await planOf(t, edited);
    expect(plan.refusals).toEqual([]);
    expect(plan.changes).toEqual(
      expect.arrayContaining([
        {
          object: 'department',
          name: 'Sales',
          action: 'update',
          fields: [{ field: 'description', from: 'Buyers', to: 'Buyers and prospects' }],
          agents: { added: ['cy'], removed: ['bob'], changed: [] },
        },
        expect.objectContaining({ object: 'department', name: 'Billing', action: 'create' }),
        { object: 'department', name: 'Old', action: 'delete' },
        {
          object: 'setting',
          name: 'Livechat_title',
          action: 'update',
          fields: [{ field: 'value', from: 'Help desk', to: 'Support' }],
        },
      ]),
    );
    expect(plan.widget).toEqual({ appearing: ['Billing'], vanishing: ['Support'] });
    // Planning wrote nothing.
    expect((await exportOf(t)).version).toBe(version);
  });

  it('refuses what a write would refuse, with its reason, and an apply of it changes nothing', async () => {
    const { configuration, version } = await exportOf(t);
    const edited = structuredClone(configuration);
    edited.departments.Sales.agents.nobody = { count: 0, order: 0 };
    edited.departments.Support.fallbackForwardDepartment = 'Nowhere';
    edited.units.Europe.monitors.push('ann'); // not a monitor
    edited.settings.SMTP_Password = 'x';
    edited.businessHours.custom.Weekdays.departments.push('Old'); // archived
    const plan = await planOf(t, edited);
    expect(plan.refusals).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          object: 'department',
          name: 'Sales',
          status: 400,
          errorType: 'error-agent-not-found',
        }),
        expect.objectContaining({
          name: 'Support',
          errorType: 'error-fallback-department-not-found',
        }),
        expect.objectContaining({
          object: 'unit',
          name: 'Europe',
          errorType: 'error-monitor-not-found',
        }),
        expect.objectContaining({
          object: 'setting',
          name: 'SMTP_Password',
          errorType: 'error-invalid-setting',
        }),
        expect.objectContaining({
          object: 'businessHour',
          name: 'Weekdays',
          errorType: 'invalid-params',
        }),
      ]),
    );
    const res = await t.post('/livechat/configuration.apply', {
      configuration: edited,
      basedOn: plan.basedOn,
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, errorType: 'error-agent-not-found' });
    expect((await exportOf(t)).version).toBe(version);
  });

  it('answers a malformed document with 400 invalid-params', async () => {
    for (const configuration of [
      { format: 'other', version: 1 },
      { format: 'omnichannel-departments/configuration', version: 2 },
      {
        format: 'omnichannel-departments/configuration',
        version: 1,
        departments: { X: { email: 'no' } },
      },
      { format: 'omnichannel-departments/configuration', version: 1, departments: [] },
      { format: 'omnichannel-departments/configuration', version: 1, extra: true },
    ]) {
      const res = await t.post('/livechat/configuration.plan', { configuration });
      expect(res.status).toBe(400);
      expect(res.body.errorType).toBe('invalid-params');
      expect(res.body.error).toMatch(/^configuration/);
    }
    const missing = await t.post('/livechat/configuration.apply', {
      configuration: { format: 'x' },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.errorType).toBe('invalid-params');
  });

  it('applies a plan once: one history entry per object with the apply id, and the same document again changes nothing', async () => {
    const { configuration } = await exportOf(t);
    const edited = structuredClone(configuration);
    edited.departments.Sales.description = 'Everything sold';
    delete edited.departments.Sales.agents.bob;
    edited.departments.Sales.agents.cy = { count: 0, order: 5 };
    edited.departments.Billing = {
      email: 'billing@example.com',
      enabled: true,
      showOnRegistration: true,
      showOnOfflineForm: true,
      fallbackForwardDepartment: 'Sales',
      agents: { ann: { count: 0, order: 1 } },
    };
    edited.units.Europe.departments.push('Billing');
    edited.businessHours.custom.Weekdays.departments = ['Billing', 'Sales'];
    const applied = await applyPlanned(t, edited);
    expect(applied.applyId).toMatch(/^\w{17}$/);
    expect(applied.changes.map((c: Json) => `${c.object}:${c.name}:${c.action}`).sort()).toEqual([
      'businessHour:Weekdays:update',
      'department:Billing:create',
      'department:Sales:update',
    ]);
    // Billing joins Europe with its create: the unit itself is not saved.
    expect(applied.changes.some((c: Json) => c.object === 'unit')).toBe(false);

    const after = await exportOf(t);
    expect(after.configuration.departments.Billing).toMatchObject({
      email: 'billing@example.com',
      fallbackForwardDepartment: 'Sales',
      agents: { ann: { count: 0, order: 1 } },
    });
    expect(after.configuration.departments.Sales.agents).toEqual({
      ann: { count: 2, order: 1 },
      cy: { count: 0, order: 5 },
    });
    expect(after.configuration.units.Europe.departments).toEqual(['Billing', 'Support']);
    expect(after.configuration.businessHours.custom.Weekdays.departments).toEqual([
      'Billing',
      'Sales',
    ]);

    // Sales: one entry for its fields and agents, carrying the apply's id and who applied it.
    const history = (await ok(t.get(`/livechat/department/${ids.sales}/history`))).history;
    const fromApply = history.filter((entry: Json) => entry.applyId === applied.applyId);
    expect(fromApply).toHaveLength(1);
    expect(fromApply[0]).toMatchObject({
      action: 'update',
      changes: [{ field: 'description', from: 'Buyers', to: 'Everything sold' }],
      user: { username: 'admin' },
      agents: { added: [users.get('cy')!.userId], removed: [users.get('bob')!.userId] },
    });
    const billingId = (await ok(t.get('/livechat/department?text=Billing'))).departments[0]._id;
    const billingHistory = (await ok(t.get(`/livechat/department/${billingId}/history`))).history;
    expect(billingHistory.every((entry: Json) => entry.applyId === applied.applyId)).toBe(true);

    // The same document again: nothing to do, nothing written.
    const entries = (await ok(t.get(`/livechat/department/${ids.sales}/history`))).total;
    const again = await applyPlanned(t, edited);
    expect(again).toEqual({ success: true, applyId: null, changes: [] });
    expect((await exportOf(t)).version).toBe(after.version);
    expect((await ok(t.get(`/livechat/department/${ids.sales}/history`))).total).toBe(entries);
    expect(await invariantViolations(t.db)).toEqual([]);
  });

  it('answers 409 error-configuration-changed when anything changed since the plan, and writes nothing', async () => {
    const { configuration } = await exportOf(t);
    const edited = structuredClone(configuration);
    edited.departments.Sales.description = 'Planned, never applied';
    const plan = await planOf(t, edited);
    // A write between plan and apply.
    await ok(
      t.put(`/livechat/department/${ids.support}`, {
        department: {
          name: 'Support',
          email: 'dept@example.com',
          enabled: true,
          showOnRegistration: true,
          showOnOfflineForm: true,
          description: 'changed meanwhile',
        },
      }),
    );
    const between = await exportOf(t);
    const res = await t.post('/livechat/configuration.apply', {
      configuration: edited,
      basedOn: plan.basedOn,
    });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      success: false,
      error:
        'The configuration changed since the plan was made: plan again [error-configuration-changed]',
      errorType: 'error-configuration-changed',
    });
    const now = await exportOf(t);
    expect(now.version).toBe(between.version);
    expect(now.configuration.departments.Sales.description).not.toBe('Planned, never applied');
  });

  it('serialises concurrent applies of one plan: exactly one applies, the other gets 409', async () => {
    const { configuration } = await exportOf(t);
    const edited = structuredClone(configuration);
    edited.departments.Sales.description = 'Raced';
    const plan = await planOf(t, edited);
    const other = structuredClone(configuration);
    other.departments.Sales.description = 'Raced too';
    const answers = await Promise.all([
      t.post('/livechat/configuration.apply', { configuration: edited, basedOn: plan.basedOn }),
      t.post('/livechat/configuration.apply', { configuration: other, basedOn: plan.basedOn }),
    ]);
    expect(answers.map((res) => res.status).sort()).toEqual([200, 409]);
  });

  it('keeps a monitor to its units: it exports and changes only their departments, anything else is refused whole', async () => {
    const mo = users.get('mo')!;
    const { configuration, version } = await exportOf(t, mo);
    expect(Object.keys(configuration.departments).sort()).toEqual(['Billing', 'Support']);
    expect(Object.keys(configuration.units)).toEqual(['Europe']);
    expect(configuration.businessHours).toBeUndefined();
    expect(configuration.settings).toBeUndefined();

    // Within its units: allowed, including a new department in its unit.
    const own = structuredClone(configuration);
    own.departments.Support.description = 'By the monitor';
    own.departments.Nordics = {
      email: 'n@example.com',
      enabled: true,
      showOnRegistration: true,
      showOnOfflineForm: true,
    };
    own.units.Europe.departments.push('Nordics');
    const applied = await applyPlanned(t, own, mo);
    expect(applied.changes.map((c: Json) => `${c.object}:${c.name}:${c.action}`).sort()).toEqual([
      'department:Nordics:create',
      'department:Support:update',
    ]);
    const mine = await exportOf(t, mo);
    expect(mine.configuration.units.Europe.departments).toEqual(['Billing', 'Nordics', 'Support']);
    expect(version).not.toBe(mine.version);

    // Anything else: a department of another name that exists outside its units, a new
    // department in no unit, its unit's monitors, a settings section.
    const cases: [string, (doc: Json) => void][] = [
      ['out-of-scope name', (doc) => (doc.departments.Sales = { ...doc.departments.Support })],
      ['department in no unit', (doc) => (doc.departments.Loose = { ...doc.departments.Support })],
      ['unit monitors', (doc) => (doc.units.Europe.monitors = [])],
      ['settings', (doc) => (doc.settings = { Livechat_title: 'x' })],
    ];
    for (const [what, edit] of cases) {
      const doc = structuredClone(mine.configuration);
      doc.departments.Support.description = `with ${what}`;
      edit(doc);
      const plan = await planOf(t, doc, mo);
      expect(plan.refusals.map((r: Json) => r.status)).toContain(403);
      const res = await t.post(
        '/livechat/configuration.apply',
        { configuration: doc, basedOn: plan.basedOn },
        { as: mo },
      );
      expect(res.status).toBe(403);
      // Refused whole: not even its own department changed.
      expect((await exportOf(t, mo)).version).toBe(mine.version);
    }
  });

  it('is described in the OpenAPI document, with the permissions of each route', async () => {
    const doc = (await t.get('!/api/docs-json')).body;
    const apply = doc.paths['/api/v1/livechat/configuration.apply'].post;
    expect(apply['x-permissions']).toContain('manage-livechat-departments');
    expect(JSON.stringify(apply.requestBody)).toContain('ApplyConfigurationDto');
    expect(doc.components.schemas.ApplyConfigurationDto.required).toEqual([
      'configuration',
      'basedOn',
    ]);
    for (const [path, method] of [
      ['/api/v1/livechat/configuration', 'get'],
      ['/api/v1/livechat/configuration.plan', 'post'],
      ['/api/v1/livechat/department/{_id}/history/{entryId}/restore', 'post'],
      ['/api/v1/livechat/departments/deleted', 'get'],
      ['/api/v1/livechat/departments/deleted/{_id}/restore', 'post'],
    ]) {
      expect(doc.paths[path][method]['x-permissions'].length).toBeGreaterThan(0);
      expect(doc.paths[path][method].summary).toEqual(expect.any(String));
    }
  });

  it('needs the manage permission of what an apply touches', async () => {
    const agent = users.get('ann')!;
    expect((await t.get('/livechat/configuration', { as: agent })).status).toBe(403);
    const res = await t.post(
      '/livechat/configuration.apply',
      { configuration: {}, basedOn: 'x' },
      { as: agent },
    );
    expect(res.status).toBe(403);
  });
});

describe('round trip to an empty database', () => {
  it('export → apply to an empty database → the same export', async () => {
    const source = await TestApp.start(ENV);
    const target = await TestApp.start(ENV);
    try {
      const people = await makeUsers(source, ['ann', 'bob'], ['mo']);
      await makeUsers(target, ['ann', 'bob'], ['mo']);
      const ann = people.get('ann')!.userId;
      const bob = people.get('bob')!.userId;
      const a = await source.createDepartment(
        { name: 'A', description: 'first', maxNumberSimultaneousChat: 4 },
        [
          { agentId: ann, count: 3, order: 1 },
          { agentId: bob, order: 2 },
        ],
      );
      const b = await source.createDepartment({
        name: 'B',
        fallbackForwardDepartment: a.department._id,
        departmentsAllowedToForward: [a.department._id],
      });
      await source.createDepartment({ name: 'C', enabled: false });
      await ok(source.post(`/livechat/department/${a.department._id}/archive`));
      const monitor = people.get('mo')!.userId;
      await ok(
        source.post('/livechat/units', {
          unitData: { name: 'U', visibility: 'public' },
          unitMonitors: [{ monitorId: monitor, username: 'mo' }],
          unitDepartments: [{ departmentId: b.department._id }],
        }),
      );
      await ok(
        source.post('/livechat/business-hours.save', {
          name: 'Late',
          active: false,
          type: 'custom',
          timezone: 'America/New_York',
          workHours: [{ day: 'Saturday', open: true, start: '18:00', finish: '23:59' }],
          departmentsToApplyBusinessHour: b.department._id,
        }),
      );
      await ok(source.post('/settings/Livechat_offline_title', { value: 'Write to us' }));

      const exported = await exportOf(source);
      const applied = await applyPlanned(target, exported.configuration);
      expect(applied.applyId).toBeTruthy();
      const again = await exportOf(target);
      // Identical, ids and all: the document carries no ids, so nothing is ignored.
      expect(again.configuration).toEqual(exported.configuration);
      expect(again.version).toBe(exported.version);
      expect(await invariantViolations(target.db)).toEqual([]);
    } finally {
      await source.close();
      await target.close();
    }
  }, 90_000);
});

describe('undo', () => {
  let t: TestApp;
  let users: Map<string, TestUser>;

  beforeAll(async () => {
    t = await TestApp.start(ENV);
    users = await makeUsers(t, ['ann', 'bob', 'cy'], ['mo']);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  const agentId = (name: string) => users.get(name)!.userId;
  const departmentBody = (fields: Json) => ({
    department: {
      name: 'Desk',
      email: 'desk@example.com',
      enabled: true,
      showOnRegistration: true,
      showOnOfflineForm: true,
      ...fields,
    },
  });

  it('restores a version: fields, unit, schedule and the agents who are still agents, as a new entry', async () => {
    // The unit keeps another department: its last one could not leave it.
    const stays = await t.createDepartment({ name: 'Stays' });
    const unit = await ok(
      t.post('/livechat/units', {
        unitData: { name: 'First', visibility: 'public' },
        unitMonitors: [],
        unitDepartments: [{ departmentId: stays.department._id }],
      }),
    );
    const created = await t.createDepartment({ name: 'Desk', description: 'v1' }, [
      { agentId: agentId('ann'), count: 1, order: 1 },
      { agentId: agentId('bob') },
    ]);
    const id = created.department._id;
    // Version 2: into the unit, fields changed, bob out, cy in, onto a schedule.
    await ok(
      t.put(`/livechat/department/${id}`, {
        ...departmentBody({ name: 'Desk 2', description: 'v2', maxNumberSimultaneousChat: 9 }),
        departmentUnit: { _id: unit._id },
      }),
    );
    await ok(
      t.post(`/livechat/department/${id}/agents`, {
        upsert: [{ agentId: agentId('cy') }],
        remove: [{ agentId: agentId('bob') }],
      }),
    );
    // bob is no longer an agent at all.
    await ok(t.delete(`/livechat/users/agent/${agentId('bob')}`));
    // The schedule is created after the version restored: the department goes back to the default.
    await ok(
      t.post('/livechat/business-hours.save', {
        name: 'Nights',
        active: true,
        type: 'custom',
        timezone: 'UTC',
        workHours: [{ day: 'Monday', open: true, start: '20:00', finish: '23:00' }],
        departmentsToApplyBusinessHour: id,
      }),
    );

    const history = (await ok(t.get(`/livechat/department/${id}/history`))).history;
    const first = history[history.length - 1];
    expect(first.action).toBe('create');
    const restored = await ok(t.post(`/livechat/department/${id}/history/${first._id}/restore`));
    expect(restored.department).toMatchObject({ _id: id, name: 'Desk', description: 'v1' });
    expect(restored.department.maxNumberSimultaneousChat).toBeUndefined();
    expect(restored.department.parentId ?? null).toBeNull();
    expect(restored.department.businessHourId).toBeUndefined();
    const agents = (await ok(t.get(`/livechat/department/${id}/agents`))).agents;
    // ann as she was; bob lost the agent role, so he stays out; cy came later, so he leaves.
    expect(agents.map((a: Json) => [a.username, a.count, a.order])).toEqual([['ann', 1, 1]]);
    const after = (await ok(t.get(`/livechat/department/${id}/history`))).history;
    expect(after.length).toBeGreaterThan(history.length);
    expect(after[0].user.username).toBe('admin');
    expect(await invariantViolations(t.db)).toEqual([]);

    const bad = await t.post(`/livechat/department/${id}/history/nope/restore`);
    expect(bad.status).toBe(400);
    expect(bad.body.errorType).toBe('error-history-entry-not-found');
  });

  it('restores a deleted department after its unit was deleted, with its agents and the references that still exist', async () => {
    const unit = await ok(
      t.post('/livechat/units', {
        unitData: { name: 'Doomed', visibility: 'public' },
        unitMonitors: [],
        unitDepartments: [],
      }),
    );
    const target = await t.createDepartment({ name: 'Target' });
    const gone = await t.createDepartment({ name: 'Gone' });
    const created = await t.createDepartment(
      {
        name: 'Deleted',
        description: 'kept',
        fallbackForwardDepartment: gone.department._id,
        departmentsAllowedToForward: [target.department._id, gone.department._id],
      },
      [{ agentId: agentId('ann'), count: 4, order: 2 }, { agentId: agentId('cy') }],
    );
    const id = created.department._id;
    await ok(
      t.put(`/livechat/department/${id}`, {
        ...departmentBody({
          name: 'Deleted',
          description: 'kept',
          departmentsAllowedToForward: [target.department._id, gone.department._id],
          fallbackForwardDepartment: gone.department._id,
        }),
        departmentUnit: { _id: unit._id },
      }),
    );
    await ok(t.delete(`/livechat/department/${id}`));
    await ok(t.delete(`/livechat/department/${gone.department._id}`));
    await ok(t.delete(`/livechat/units/${unit._id}`));

    // Gone from Rocket.Chat's collections, exactly as after any delete.
    expect(
      await t.db.collection('rocketchat_livechat_department').findOne({ _id: id as never }),
    ).toBeNull();
    expect(
      await t.db
        .collection('rocketchat_livechat_department_agents')
        .countDocuments({ departmentId: id }),
    ).toBe(0);
    expect((await ok(t.get(`/livechat/department/${id}`))).department).toBeNull();

    const deleted = await ok(t.get('/livechat/departments/deleted'));
    expect(deleted.departments.map((d: Json) => d.name)).toEqual(
      expect.arrayContaining(['Deleted', 'Gone']),
    );
    expect(deleted.departments.find((d: Json) => d._id === id)).toEqual({
      _id: id,
      name: 'Deleted',
      deletedAt: expect.any(String),
      deletedBy: { _id: t.admin.userId, username: 'admin' },
    });

    const restored = await ok(t.post(`/livechat/departments/deleted/${id}/restore`));
    expect(restored.department).toMatchObject({
      _id: id,
      name: 'Deleted',
      description: 'kept',
      departmentsAllowedToForward: [target.department._id],
    });
    expect(restored.department.fallbackForwardDepartment).toBeUndefined();
    expect(restored.department.parentId ?? null).toBeNull();
    const agents = (await ok(t.get(`/livechat/department/${id}/agents`))).agents;
    expect(agents.map((a: Json) => [a.username, a.count, a.order])).toEqual([
      ['ann', 4, 2],
      ['cy', 0, 0],
    ]);
    // Listed no more; a second restore is refused.
    expect(
      (await ok(t.get('/livechat/departments/deleted'))).departments.map((d: Json) => d._id),
    ).not.toContain(id);
    expect((await t.post(`/livechat/departments/deleted/${id}/restore`)).status).toBe(400);
    // Its history goes on under the same id.
    const history = (await ok(t.get(`/livechat/department/${id}/history`))).history;
    expect(history.map((e: Json) => e.action)).toEqual(
      expect.arrayContaining(['create', 'delete']),
    );
    expect(await invariantViolations(t.db)).toEqual([]);
  });

  it('purges deleted departments after the retention days', async () => {
    const created = await t.createDepartment({ name: 'Short-lived' });
    const id = created.department._id;
    await ok(t.delete(`/livechat/department/${id}`));
    expect(
      (await ok(t.get('/livechat/departments/deleted'))).departments.map((d: Json) => d._id),
    ).toContain(id);
    await ok(t.post('/settings/Omnichannel_department_restore_days', { value: 2 }));
    // Three days pass for this snapshot (the clock is the database's record of the delete).
    await t.db
      .collection('livechat_department_deleted')
      .updateOne(
        { _id: id as never },
        { $set: { deletedAt: new Date(Date.now() - 3 * 24 * 60 * 60 * 1000) } },
      );
    // Past retention: not listed, not restorable, even before the purge runs.
    expect(
      (await ok(t.get('/livechat/departments/deleted'))).departments.map((d: Json) => d._id),
    ).not.toContain(id);
    expect((await t.post(`/livechat/departments/deleted/${id}/restore`)).status).toBe(400);
    await t.app.get(DepartmentRecovery).prune();
    expect(
      await t.db.collection('livechat_department_deleted').findOne({ _id: id as never }),
    ).toBeNull();
  });

  it('keeps a monitor to its units for restores and the deleted list', async () => {
    const mo = users.get('mo')!;
    const outside = await t.createDepartment({ name: 'Outside' });
    await ok(t.delete(`/livechat/department/${outside.department._id}`));
    const list = await ok(t.get('/livechat/departments/deleted', { as: mo }));
    expect(list.departments.map((d: Json) => d._id)).not.toContain(outside.department._id);
    const res = await t.post(
      `/livechat/departments/deleted/${outside.department._id}/restore`,
      undefined,
      { as: mo },
    );
    expect(res.status).toBe(403);
  });
});

/** Runs the package's CLI (its `bin`) as a CI job would; resolves with its exit code and output. */
function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = path.resolve(__dirname, '../scripts/config-cli.js');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...args],
      { env: { PATH: process.env.PATH, ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

describe('the CLI against a running service', () => {
  let t: TestApp;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await TestApp.start(ENV);
    await makeUsers(t, ['ann'], []);
    await t.createDepartment({ name: 'Front desk' });
    dir = mkdtempSync(path.join(os.tmpdir(), 'config-cli-'));
    env = {
      OMNICHANNEL_URL: t.baseUrl,
      OMNICHANNEL_USER_ID: t.admin.userId,
      OMNICHANNEL_TOKEN: t.admin.authToken,
    };
  }, 60_000);

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('exports, plans (exit codes for CI) and applies; a stale reviewed plan exits 3, a refusal 1', async () => {
    const file = path.join(dir, 'departments.json');
    const exported = await cli(['config', 'export', '--out', file], env);
    expect(exported).toMatchObject({ code: 0 });
    const document = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(document.departments)).toEqual(['Front desk']);

    // The flags work as well as the environment.
    const flags = ['--url', t.baseUrl, '--user-id', t.admin.userId, '--token', t.admin.authToken];
    const unchanged = await cli(['config', 'plan', file, '--detailed-exitcode', ...flags]);
    expect(unchanged).toMatchObject({ code: 0, stdout: 'No changes.\n' });

    // A pull request edits the file: the plan shows the diff and exits 2.
    document.departments['Front desk'].description = 'Walk-ins';
    document.departments['Back office'] = {
      email: 'back@example.com',
      enabled: true,
      showOnRegistration: false,
      showOnOfflineForm: false,
      agents: { ann: { count: 0, order: 1 } },
    };
    writeFileSync(file, JSON.stringify(document, null, 2));
    const planFile = path.join(dir, 'plan.json');
    const planned = await cli(
      ['config', 'plan', file, '--detailed-exitcode', '--save-plan', planFile],
      env,
    );
    expect(planned.code).toBe(2);
    expect(planned.stdout).toContain('+ department "Back office"');
    expect(planned.stdout).toContain('    agents: + ann');
    expect(planned.stdout).toContain('~ department "Front desk"');
    expect(planned.stdout).toContain('    description: null → "Walk-ins"');

    // On merge: applied against the reviewed plan.
    const applied = await cli(['config', 'apply', file, '--plan', planFile], env);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/^Applied 2 change\(s\) \(apply \w{17}\)\.\n$/);
    expect((await ok(t.get('/livechat/department?text=Back'))).departments).toHaveLength(1);

    // The reviewed plan is stale now: 3, and nothing written.
    document.departments['Front desk'].description = 'Walk-ins only';
    writeFileSync(file, JSON.stringify(document));
    const stale = await cli(['config', 'apply', file, '--plan', planFile], env);
    expect(stale.code).toBe(3);
    expect(stale.stderr).toContain('error-configuration-changed');
    expect((await exportOf(t)).configuration.departments['Front desk'].description).toBe(
      'Walk-ins',
    );

    // A refusal: 1, with its reason.
    document.departments['Front desk'].agents = { nobody: {} };
    writeFileSync(file, JSON.stringify(document));
    const refused = await cli(['config', 'plan', file], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(
      'refused: department "Front desk": Agent not found: nobody [error-agent-not-found]',
    );
    expect((await cli(['config', 'apply', file], env)).code).toBe(1);

    // Usage and connection errors: 4.
    expect((await cli(['config', 'export'], {})).code).toBe(4);
    expect((await cli(['config', 'frobnicate'], env)).code).toBe(4);
    const wrongToken = await cli(['config', 'export'], { ...env, OMNICHANNEL_TOKEN: 'wrong' });
    expect(wrongToken.code).toBe(1);
    const unreachable = await cli(['config', 'export'], {
      ...env,
      OMNICHANNEL_URL: 'http://127.0.0.1:9',
    });
    expect(unreachable.code).toBe(4);
  }, 60_000);
});
