// Business hours against a controlled clock: a second instance of the application, on
// the same database as the HTTP test app, with CLOCK overridden. Data is set up over HTTP;
// the widget's in-memory answer and routing are then read at chosen instants, a few
// milliseconds apart, so no background rebuild can hide a stale cached answer.
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AppModule } from '../src/app.module';
import { loadConfig } from '../src/config/app-config';
import { CLOCK } from '../src/livechat/business-hours/clock';
import { RoutingService } from '../src/livechat/routing/routing.service';
import { Scope } from '../src/livechat/scope/scope';
import { WidgetService } from '../src/livechat/widget/widget.service';
import { TestApp, TestUser } from './support/test-app';

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const weekdays = (start: string, finish: string) =>
  DAYS.map((day) => ({ day, start, finish, open: !['Saturday', 'Sunday'].includes(day) }));

describe('business hours at fixed instants (injected clock)', () => {
  let t: TestApp;
  let agent: TestUser;
  let berlin: string;
  let newYork: string;
  let app: NestFastifyApplication;
  let now = 0;

  beforeAll(async () => {
    t = await TestApp.start();
    agent = await t.createAgent({ available: true });
    berlin = (await t.createDepartment({ name: 'berlin' }, [{ agentId: agent.userId }])).department
      ._id;
    newYork = (await t.createDepartment({ name: 'new-york' }, [{ agentId: agent.userId }]))
      .department._id;
    for (const [name, timezone, departmentId, hours] of [
      ['Berlin office', 'Europe/Berlin', berlin, weekdays('08:00', '17:00')],
      ['New York office', 'America/New_York', newYork, weekdays('09:00', '17:00')],
    ] as const) {
      const res = await t.post('/livechat/business-hour', {
        name,
        active: true,
        type: 'custom',
        timezone,
        workHours: hours,
        departmentsToApplyBusinessHour: departmentId,
      });
      expect(res.status).toBe(200);
    }
    // The default schedule (open all day) would keep the widget online: close it.
    const { businessHour } = (await t.get('/livechat/business-hour?type=default')).body;
    const closed = await t.post('/livechat/business-hour', {
      _id: businessHour._id,
      name: '',
      active: true,
      type: 'default',
      timezone: 'UTC',
      workHours: DAYS.map((day) => ({ day, start: '00:00', finish: '23:59', open: false })),
    });
    expect(closed.status).toBe(200);
    await t.post('/settings/Livechat_enable_business_hours', { value: true });
    await t.post('/settings/Livechat_business_hour_type', { value: 'Multiple' });

    const moduleRef = await Test.createTestingModule({
      imports: [AppModule.forRoot(loadConfig({ MONGO_URL: t.mongoUrl, LOG_LEVEL: 'silent' }))],
    })
      .overrideProvider(CLOCK)
      .useValue(() => now)
      .compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
      logger: false,
    });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await t.close();
  });

  /** `online` of the widget's answer at `instant` (for one department, or overall). */
  async function onlineAt(instant: string, departmentId?: string): Promise<boolean> {
    now = Date.parse(instant);
    const answer = await app.get(WidgetService).answer(departmentId);
    return JSON.parse(answer.identity.bytes.toString('utf8')).config.online as boolean;
  }

  it('the answer flips at the minute of closing and of opening (Berlin, winter)', async () => {
    // Wednesday 2026-01-14: 16:59:59.999 in Berlin is open; 17:00 is closed.
    expect(await onlineAt('2026-01-14T15:59:59.999Z', berlin)).toBe(true);
    expect(await onlineAt('2026-01-14T15:59:59.999Z')).toBe(true);
    expect(await onlineAt('2026-01-14T16:00:00.000Z', berlin)).toBe(false);
    // New York (UTC-5) is still open at 11:00 there.
    expect(await onlineAt('2026-01-14T16:00:00.000Z', newYork)).toBe(true);
    expect(await onlineAt('2026-01-14T16:00:00.000Z')).toBe(true);
    // 17:00 in New York: every staffed department is closed.
    expect(await onlineAt('2026-01-14T22:00:00.000Z', newYork)).toBe(false);
    expect(await onlineAt('2026-01-14T22:00:00.000Z')).toBe(false);
    // Thursday 08:00 in Berlin opens again.
    expect(await onlineAt('2026-01-15T06:59:59.999Z', berlin)).toBe(false);
    expect(await onlineAt('2026-01-15T07:00:00.000Z', berlin)).toBe(true);
    expect(await onlineAt('2026-01-15T07:00:00.000Z')).toBe(true);
  });

  it('daylight saving: 09:00 in New York before and after spring forward', async () => {
    expect(await onlineAt('2026-03-06T13:59:00Z', newYork)).toBe(false); // Fri 08:59 EST
    expect(await onlineAt('2026-03-06T14:00:00Z', newYork)).toBe(true); // Fri 09:00 EST
    expect(await onlineAt('2026-03-09T12:59:00Z', newYork)).toBe(false); // Mon 08:59 EDT
    expect(await onlineAt('2026-03-09T13:00:00Z', newYork)).toBe(true); // Mon 09:00 EDT
    // Berlin has not changed yet (29 March): 08:00 CET is 07:00 UTC.
    expect(await onlineAt('2026-03-09T07:00:00Z', berlin)).toBe(true);
    expect(await onlineAt('2026-03-30T06:00:00Z', berlin)).toBe(true); // Mon 08:00 CEST
    expect(await onlineAt('2026-03-30T05:59:00Z', berlin)).toBe(false);
  });

  it('routing: next-agent is null while the department is closed', async () => {
    const routing = app.get(RoutingService);
    now = Date.parse('2026-01-17T12:00:00Z'); // Saturday
    expect(await routing.nextAgent(berlin, Scope.unrestricted())).toBeNull();
    now = Date.parse('2026-01-14T12:00:00Z'); // Wednesday 13:00 in Berlin
    expect(await routing.nextAgent(berlin, Scope.unrestricted())).toEqual({
      agentId: agent.userId,
      username: agent.username,
    });
  });
});
