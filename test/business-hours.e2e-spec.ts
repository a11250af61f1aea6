// Business hours (API.md §13): schedules over REST, and their effect on the widget
// (livechat/config), on routing (next-agent) and on departments (businessHourId).
import {
  ApiResponse,
  expectInvalidParams,
  FORBIDDEN_403,
  TestApp,
  TestUser,
  UNAUTHORIZED_401,
} from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
type Json = any;

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const COLLECTION = 'rocketchat_livechat_business_hours';
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

type Day = { day: string; start: string; finish: string; open: boolean };

const allOpen = (): Day[] =>
  DAYS.map((day) => ({ day, start: '00:00', finish: '23:59', open: true }));
const allClosed = (): Day[] =>
  DAYS.map((day) => ({ day, start: '08:00', finish: '17:00', open: false }));
const officeHours = (): Day[] =>
  DAYS.map((day) => ({
    day,
    start: '08:00',
    finish: '17:00',
    open: !['Saturday', 'Sunday'].includes(day),
  }));

function customBody(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `schedule-${Math.random().toString(36).slice(2, 8)}`,
    active: true,
    type: 'custom',
    timezone: 'Europe/Berlin',
    workHours: officeHours(),
    ...fields,
  };
}

/** The envelope `{ success, error: "<message> [<code>]", errorType }` of §1. */
function expectError(res: ApiResponse, status: number, errorType: string): void {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({
    success: false,
    error: expect.stringMatching(new RegExp(`^\\S.* \\[${errorType.replace(/-/g, '\\-')}\\]$`)),
    errorType,
  });
}

describe('business hours', () => {
  let t: TestApp;
  let agent: TestUser;

  beforeAll(async () => {
    t = await TestApp.start();
    agent = await t.createAgent({ available: true });
  });
  afterAll(() => t.close());

  const stored = () => t.db.collection<Json>(COLLECTION);
  const setSetting = async (id: string, value: unknown) =>
    expect((await t.post(`/settings/${id}`, { value })).status).toBe(200);
  const save = (body: Record<string, unknown>, as?: TestUser) =>
    t.post('/livechat/business-hour', body, as ? { as } : {});
  const getDefault = async () => (await t.get('/livechat/business-hour?type=default')).body;
  const online = async (departmentId?: string) =>
    (
      await t.get(`/livechat/config${departmentId ? `?department=${departmentId}` : ''}`, {
        as: null,
      })
    ).body.config.online;
  const nextAgent = async (departmentId: string) => {
    const res = await t.post(`/livechat/department/${departmentId}/next-agent`);
    expect(res.status).toBe(200);
    return res.body.agent;
  };
  const businessHourIdOf = async (departmentId: string) =>
    (await t.get(`/livechat/department/${departmentId}`)).body.department.businessHourId;

  // ---------------------------------------------------------------------------------------
  describe('the default schedule', () => {
    it('exists from the start: every day 00:00–23:59 in UTC, in Rocket.Chat’s shape', async () => {
      const res = await t.get('/livechat/business-hour?type=default');
      expect(res.status).toBe(200);
      const { businessHour } = res.body;
      expect(businessHour).toEqual({
        _id: expect.any(String),
        name: '',
        active: true,
        type: 'default',
        timezone: { name: 'UTC', utc: '+00:00' },
        workHours: DAYS.map((day, index) => ({
          day,
          start: {
            time: '00:00',
            utc: { dayOfWeek: day, time: '00:00' },
            cron: expect.objectContaining({ time: expect.stringMatching(/^\d\d:\d\d$/) }),
          },
          finish: {
            time: '23:59',
            utc: { dayOfWeek: day, time: '23:59' },
            cron: expect.objectContaining({ time: expect.stringMatching(/^\d\d:\d\d$/) }),
          },
          open: true,
          code: index + 1,
        })),
        ts: expect.stringMatching(ISO_DATE),
        _updatedAt: expect.stringMatching(ISO_DATE),
        departments: [],
      });
      expect(res.body.success).toBe(true);
      expect(await stored().countDocuments({ type: 'default' })).toBe(1);
    });

    it('cannot be deleted → 400 error-business-hour-default', async () => {
      const { businessHour } = await getDefault();
      const res = await t.delete(`/livechat/business-hour/${businessHour._id}`);
      expectError(res, 400, 'error-business-hour-default');
      expect(await stored().countDocuments({ type: 'default' })).toBe(1);
    });

    it('can be edited (with its _id, or by type without one)', async () => {
      const { businessHour } = await getDefault();
      const res = await save({
        _id: businessHour._id,
        name: '',
        active: true,
        type: 'default',
        timezone: 'Asia/Kolkata',
        workHours: officeHours(),
      });
      expect(res.status).toBe(200);
      expect(res.body.businessHour).toMatchObject({
        _id: businessHour._id,
        type: 'default',
        timezone: { name: 'Asia/Kolkata', utc: '+05:30' },
      });
      // Monday 08:00 in Kolkata (no DST) is Monday 02:30 UTC.
      expect(res.body.businessHour.workHours[0]).toMatchObject({
        day: 'Monday',
        start: { time: '08:00', utc: { dayOfWeek: 'Monday', time: '02:30' } },
        finish: { time: '17:00', utc: { dayOfWeek: 'Monday', time: '11:30' } },
        open: true,
      });
      if (new Date().getTimezoneOffset() === 0) {
        expect(res.body.businessHour.workHours[0].start.cron).toEqual({
          dayOfWeek: 'Monday',
          time: '02:30',
        });
      }
      const back = await save({
        name: '',
        active: true,
        type: 'default',
        timezone: 'UTC',
        workHours: allOpen(),
      });
      expect(back.status).toBe(200);
      expect(back.body.businessHour._id).toBe(businessHour._id);
      expect(await stored().countDocuments({ type: 'default' })).toBe(1);
    });
  });

  // ---------------------------------------------------------------------------------------
  describe('custom schedules: create, read, update, list, delete', () => {
    it('round trip', async () => {
      const created = await save(customBody({ name: 'Berlin office' }));
      expect(created.status).toBe(200);
      const id = created.body.businessHour._id;
      expect(created.body).toEqual({
        businessHour: expect.objectContaining({
          _id: expect.any(String),
          name: 'Berlin office',
          active: true,
          type: 'custom',
          timezone: { name: 'Europe/Berlin', utc: expect.stringMatching(/^\+0[12]:00$/) },
          departments: [],
        }),
        success: true,
      });
      expect(created.body.businessHour.workHours.map((w: Json) => [w.day, w.open])).toEqual(
        DAYS.map((day) => [day, !['Saturday', 'Sunday'].includes(day)]),
      );
      const doc = await stored().findOne({ _id: id });
      expect(doc).toMatchObject({ name: 'Berlin office', type: 'custom' });
      expect(doc?.ts).toBeInstanceOf(Date);

      const read = await t.get(`/livechat/business-hour?_id=${id}`);
      expect(read.status).toBe(200);
      expect(read.body.businessHour).toEqual(created.body.businessHour);

      const updated = await save(
        customBody({
          _id: id,
          name: 'Berlin office (late)',
          workHours: allClosed(),
          active: false,
        }),
      );
      expect(updated.status).toBe(200);
      expect(updated.body.businessHour).toMatchObject({
        _id: id,
        name: 'Berlin office (late)',
        active: false,
        ts: created.body.businessHour.ts,
      });
      expect(updated.body.businessHour.workHours.every((w: Json) => w.open === false)).toBe(true);

      const listed = await t.get('/livechat/business-hours?name=late');
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual({
        businessHours: [expect.objectContaining({ _id: id, name: 'Berlin office (late)' })],
        count: 1,
        offset: 0,
        total: 1,
        success: true,
      });
      const all = await t.get('/livechat/business-hours?count=1');
      expect(all.body.count).toBe(1);
      expect(all.body.total).toBeGreaterThanOrEqual(2);

      const removed = await t.delete(`/livechat/business-hour/${id}`);
      expect(removed.status).toBe(200);
      expect(removed.body).toEqual({ success: true });
      expect(await stored().countDocuments({ _id: id })).toBe(0);
      expectError(
        await t.get(`/livechat/business-hour?_id=${id}`),
        400,
        'error-business-hour-not-found',
      );
      expectError(
        await t.delete(`/livechat/business-hour/${id}`),
        400,
        'error-business-hour-not-found',
      );
    });

    it('assigning departments moves them off other schedules; deleting returns them to the default', async () => {
      const d1 = (await t.createDepartment()).department._id;
      const d2 = (await t.createDepartment()).department._id;
      const a = (await save(customBody({ departmentsToApplyBusinessHour: `${d1},${d2}` }))).body
        .businessHour;
      expect(a.departments.map((d: Json) => d._id).sort()).toEqual([d1, d2].sort());
      expect(await businessHourIdOf(d1)).toBe(a._id);
      expect(await businessHourIdOf(d2)).toBe(a._id);

      const b = (await save(customBody({ departmentsToApplyBusinessHour: ` ${d2} ` }))).body
        .businessHour;
      expect(b.departments).toEqual([{ _id: d2, name: expect.any(String) }]);
      expect(await businessHourIdOf(d2)).toBe(b._id);
      const aNow = (await t.get(`/livechat/business-hour?_id=${a._id}`)).body.businessHour;
      expect(aNow.departments.map((d: Json) => d._id)).toEqual([d1]);

      // Saving without the field keeps the assignments; "" empties the list.
      await save(customBody({ _id: a._id, name: a.name }));
      expect(await businessHourIdOf(d1)).toBe(a._id);
      await save(customBody({ _id: a._id, name: a.name, departmentsToApplyBusinessHour: '' }));
      expect(await businessHourIdOf(d1)).toBeUndefined();

      expect((await t.delete(`/livechat/business-hour/${b._id}`)).status).toBe(200);
      expect(await businessHourIdOf(d2)).toBeUndefined();

      // The change history records each schedule assignment, newest first.
      const history = (await t.get(`/livechat/department/${d2}/history`)).body.history;
      expect(
        history
          .filter((entry: Json) => entry.action === 'update')
          .map((entry: Json) => [entry.user.username, entry.changes]),
      ).toEqual([
        // With the schedules' names, which read after the delete of b.
        [
          'admin',
          [{ field: 'businessHourId', from: b._id, to: null, fromName: b.name, toName: null }],
        ],
        [
          'admin',
          [{ field: 'businessHourId', from: a._id, to: b._id, fromName: a.name, toName: b.name }],
        ],
        [
          'admin',
          [{ field: 'businessHourId', from: null, to: a._id, fromName: null, toName: a.name }],
        ],
      ]);
      const raw = await t.db
        .collection('rocketchat_livechat_department')
        .findOne({ _id: d2 as never });
      expect(raw).not.toHaveProperty('businessHourId');
    });

    it('businessHourId is server-managed: a department PUT cannot set it', async () => {
      const dept = (await t.createDepartment()).department;
      const res = await t.put(`/livechat/department/${dept._id}`, {
        department: {
          name: dept.name,
          email: dept.email,
          enabled: true,
          showOnRegistration: true,
          showOnOfflineForm: true,
          businessHourId: 'x',
        },
      });
      expectInvalidParams(res, 'department.businessHourId');
      expect(await businessHourIdOf(dept._id)).toBeUndefined();
    });
  });

  // ---------------------------------------------------------------------------------------
  describe('validation: 400 envelopes, nothing written', () => {
    const snapshot = async () => JSON.stringify(await stored().find({}).sort({ _id: 1 }).toArray());

    const withDay = (index: number, changes: Partial<Day>) =>
      officeHours().map((day, i) => (i === index ? { ...day, ...changes } : day));

    it.each([
      ['an unknown day name', { workHours: withDay(0, { day: 'Funday' }) }, 'workHours.0.day'],
      ['no day', { workHours: [] }, 'workHours'],
      ['eight days', { workHours: [...officeHours(), officeHours()[0]] }, 'workHours'],
      [
        'a time without a leading zero',
        { workHours: withDay(1, { start: '8:00' }) },
        'workHours.1.start',
      ],
      ['24:00', { workHours: withDay(2, { finish: '24:00' }) }, 'workHours.2.finish'],
      ['open as a string', { workHours: withDay(3, { open: 'yes' as never }) }, 'workHours.3.open'],
      [
        'an extra key in a day',
        { workHours: [{ ...officeHours()[0], color: 'red' }, ...officeHours().slice(1)] },
        'workHours.0.color',
      ],
      ['a timezone as a number', { timezone: 1 }, 'timezone'],
      ['type other', { type: 'weekly' }, 'type'],
      ['active missing', { active: undefined }, 'active'],
      ['an unknown top-level key', { color: 'red' }, 'color'],
      ['a timezone object with an extra key', { timezone: { name: 'UTC', x: 1 } }, 'timezone'],
      [
        'departmentsToApplyBusinessHour as an array',
        { departmentsToApplyBusinessHour: ['a'] },
        'departmentsToApplyBusinessHour',
      ],
    ])('%s → invalid-params', async (_label, changes, field) => {
      const before = await snapshot();
      expectInvalidParams(await save(customBody(changes as Record<string, unknown>)), field);
      expect(await snapshot()).toBe(before);
    });

    it.each([
      [
        'a day given twice',
        { workHours: [...officeHours().slice(0, 6), officeHours()[0]] },
        'invalid-params',
      ],
      ['an unknown zone', { timezone: 'Mars/Olympus_Mons' }, 'invalid-params'],
      ['a bare offset as zone', { timezone: '+01:00' }, 'invalid-params'],
      [
        'finish before start',
        { workHours: withDay(0, { start: '17:00', finish: '08:00' }) },
        'error-business-hour-finish-time-before-start-time',
      ],
      [
        'finish equal to start',
        { workHours: withDay(0, { start: '09:00', finish: '09:00' }) },
        'error-business-hour-finish-time-equals-start-time',
      ],
      ['an empty name on a custom schedule', { name: '  ' }, 'invalid-params'],
      ['an unknown _id', { _id: 'no-such-schedule' }, 'error-business-hour-not-found'],
    ])('%s → 400 %s', async (_label, changes, errorType) => {
      const before = await snapshot();
      expectError(await save(customBody(changes as Record<string, unknown>)), 400, errorType);
      expect(await snapshot()).toBe(before);
    });

    it('a closed day may have any valid times', async () => {
      const res = await save(
        customBody({ workHours: withDay(5, { start: '17:00', finish: '08:00' }) }),
      );
      expect(res.status).toBe(200);
      await t.delete(`/livechat/business-hour/${res.body.businessHour._id}`);
    });

    it('the unknown department is named in details', async () => {
      const dept = (await t.createDepartment()).department._id;
      const before = await snapshot();
      const res = await save(customBody({ departmentsToApplyBusinessHour: `${dept},ghost-1` }));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        success: false,
        error: 'Department not found [error-department-not-found]',
        errorType: 'error-department-not-found',
        details: { departmentIds: ['ghost-1'] },
      });
      expect(await snapshot()).toBe(before);
      expect(await businessHourIdOf(dept)).toBeUndefined();
    });

    it('a schedule cannot change type, and the default takes no departments', async () => {
      const { businessHour } = await getDefault();
      const before = await snapshot();
      expectInvalidParams(await save(customBody({ _id: businessHour._id })), 'type');
      const dept = (await t.createDepartment()).department._id;
      expectInvalidParams(
        await save({
          name: '',
          active: true,
          type: 'default',
          timezone: 'UTC',
          workHours: allOpen(),
          departmentsToApplyBusinessHour: dept,
        }),
        'departmentsToApplyBusinessHour',
      );
      expect(await snapshot()).toBe(before);
    });

    it('GET business-hour needs _id or a type (any but default: null); bad paging is 400', async () => {
      expectInvalidParams(await t.get('/livechat/business-hour'), '_id');
      for (const type of ['custom', 'weekly']) {
        const none = await t.get(`/livechat/business-hour?type=${type}`);
        expect(none.status).toBe(200);
        expect(none.body).toEqual({ businessHour: null, success: true });
      }
      expectInvalidParams(await t.get('/livechat/business-hours?count=-1'), 'count');
      expectError(
        await t.get('/livechat/business-hours?sort={"email":1}'),
        400,
        'error-invalid-sort',
      );
    });
  });

  // ---------------------------------------------------------------------------------------
  describe('permissions', () => {
    it('a user without the business-hour permissions gets 403 everywhere, and changes nothing', async () => {
      const custom = (await save(customBody())).body.businessHour;
      const plain = agent; // an agent holds neither permission
      expect((await t.get('/livechat/business-hours', { as: plain })).body).toEqual(FORBIDDEN_403);
      expect((await t.get('/livechat/business-hours', { as: plain })).status).toBe(403);
      expect((await t.get(`/livechat/business-hour?_id=${custom._id}`, { as: plain })).status).toBe(
        403,
      );
      const denied = await save(customBody({ _id: custom._id, name: 'hijacked' }), plain);
      expect(denied.status).toBe(403);
      expect(denied.body).toEqual(FORBIDDEN_403);
      const deleted = await t.delete(`/livechat/business-hour/${custom._id}`, { as: plain });
      expect(deleted.status).toBe(403);
      expect(await stored().findOne({ _id: custom._id })).toMatchObject({ name: custom.name });
      expect((await t.get('/livechat/business-hours', { as: null })).body).toEqual(
        UNAUTHORIZED_401,
      );
    });

    it('a livechat-manager may view and manage them (Rocket.Chat’s default roles)', async () => {
      const manager = await t.createUser({ roles: ['livechat-manager'] });
      expect((await t.get('/livechat/business-hours', { as: manager })).status).toBe(200);
      const created = await save(customBody(), manager);
      expect(created.status).toBe(200);
      expect(
        (
          await t.delete(`/livechat/business-hour/${created.body.businessHour._id}`, {
            as: manager,
          })
        ).status,
      ).toBe(200);
    });

    it('without manage-livechat-business-hours a viewer can read but not write', async () => {
      const monitor = await t.createUser({ roles: ['livechat-monitor'] });
      expect(
        (
          await t.post('/permissions.update', {
            permissions: [
              {
                _id: 'view-livechat-business-hours',
                roles: ['admin', 'livechat-manager', 'livechat-monitor'],
              },
            ],
          })
        ).status,
      ).toBe(200);
      try {
        expect((await t.get('/livechat/business-hours', { as: monitor })).status).toBe(200);
        expect((await save(customBody(), monitor)).status).toBe(403);
      } finally {
        await t.post('/permissions.update', {
          permissions: [
            { _id: 'view-livechat-business-hours', roles: ['admin', 'livechat-manager'] },
          ],
        });
      }
    });
  });

  // ---------------------------------------------------------------------------------------
  describe('effects on the widget and routing', () => {
    let closed: string;
    let open: string;
    let department: string;

    beforeAll(async () => {
      closed = (await save(customBody({ name: 'never', workHours: allClosed() }))).body.businessHour
        ._id;
      open = (
        await save(
          customBody({ name: 'always', timezone: 'Pacific/Kiritimati', workHours: allOpen() }),
        )
      ).body.businessHour._id;
      department = (await t.createDepartment({}, [{ agentId: agent.userId }])).department._id;
      await save(
        customBody({
          _id: closed,
          name: 'never',
          workHours: allClosed(),
          departmentsToApplyBusinessHour: department,
        }),
      );
    });
    afterEach(async () => {
      await setSetting('Livechat_enable_business_hours', false);
      await setSetting('Livechat_business_hour_type', 'Single');
    });

    it('business hours disabled (the default): a department on an all-closed schedule is open', async () => {
      expect(await businessHourIdOf(department)).toBe(closed);
      expect(await online(department)).toBe(true);
      expect(await nextAgent(department)).toEqual({
        agentId: agent.userId,
        username: agent.username,
      });
    });

    it('Multiple: all-closed schedule → offline and next-agent null; all-open → online', async () => {
      await setSetting('Livechat_enable_business_hours', true);
      await setSetting('Livechat_business_hour_type', 'Multiple');
      expect(await online(department)).toBe(false);
      expect(await nextAgent(department)).toBeNull();
      // The department is still listed: the widget shows it in the offline form.
      const config = (await t.get('/livechat/config', { as: null })).body.config;
      expect(config.departments.map((d: Json) => d._id)).toContain(department);

      await save(
        customBody({
          name: 'always',
          _id: open,
          timezone: 'Pacific/Kiritimati',
          workHours: allOpen(),
          departmentsToApplyBusinessHour: department,
        }),
      );
      expect(await businessHourIdOf(department)).toBe(open);
      expect(await online(department)).toBe(true);
      expect(await nextAgent(department)).toEqual({
        agentId: agent.userId,
        username: agent.username,
      });

      // An inactive custom schedule does not apply: the department follows the default (open).
      await save(
        customBody({
          _id: closed,
          name: 'never',
          workHours: allClosed(),
          departmentsToApplyBusinessHour: department,
        }),
      );
      expect(await online(department)).toBe(false);
      await save(customBody({ _id: closed, name: 'never', workHours: allClosed(), active: false }));
      expect(await online(department)).toBe(true);
      await save(customBody({ _id: closed, name: 'never', workHours: allClosed(), active: true }));
      expect(await online(department)).toBe(false);
    });

    it('Single: the default schedule applies to every department, custom ones are ignored', async () => {
      await setSetting('Livechat_enable_business_hours', true);
      await setSetting('Livechat_business_hour_type', 'Single');
      expect(await businessHourIdOf(department)).toBe(closed);
      expect(await online(department)).toBe(true);
      expect(await online()).toBe(true);

      // The default closed: every listed department is closed, so the widget is offline.
      const { businessHour } = await getDefault();
      await save({
        _id: businessHour._id,
        name: '',
        active: true,
        type: 'default',
        timezone: 'UTC',
        workHours: allClosed(),
      });
      try {
        expect(await online(department)).toBe(false);
        expect(await online()).toBe(false);
        expect(await nextAgent(department)).toBeNull();
        // Turning business hours off opens everything again.
        await setSetting('Livechat_enable_business_hours', false);
        expect(await online()).toBe(true);
        expect(await nextAgent(department)).not.toBeNull();
      } finally {
        await save({
          _id: businessHour._id,
          name: '',
          active: true,
          type: 'default',
          timezone: 'UTC',
          workHours: allOpen(),
        });
      }
    });

    it('Multiple, overall online: false only when every staffed listed department is closed', async () => {
      await setSetting('Livechat_enable_business_hours', true);
      await setSetting('Livechat_business_hour_type', 'Multiple');
      // Another staffed department follows the open default, so the widget as a whole is online.
      await t.createDepartment({}, [{ agentId: agent.userId }]);
      expect(await online()).toBe(true);
      const listed = (await t.get('/livechat/config', { as: null })).body.config.departments.map(
        (d: Json) => d._id,
      );
      await save(
        customBody({
          _id: closed,
          name: 'never',
          workHours: allClosed(),
          departmentsToApplyBusinessHour: listed.join(','),
        }),
      );
      try {
        expect(await online()).toBe(false);
      } finally {
        await save(
          customBody({
            _id: closed,
            name: 'never',
            workHours: allClosed(),
            departmentsToApplyBusinessHour: department,
          }),
        );
      }
      expect(await online()).toBe(true);
    });
  });
});
