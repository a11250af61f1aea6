import {
  BusinessHourRules,
  canonicalTimeZone,
  DayHours,
  deriveTime,
  formatOffset,
  isOpenAt,
  nextTransition,
  offsetMinutes,
  OpenStatusCache,
  ScheduleHours,
  scheduleFor,
  TRANSITION_HORIZON_MS,
  WEEK_DAYS,
} from './open-now';

const at = (iso: string) => Date.parse(iso);

/** A week: the given days open `start`–`finish`, the others closed. */
function week(
  timezone: string,
  openDays: readonly string[],
  start: string,
  finish: string,
): ScheduleHours {
  const days: DayHours[] = WEEK_DAYS.map((day) => ({
    day,
    open: openDays.includes(day),
    start,
    finish,
  }));
  return { timezone, days };
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];
const berlinOffice = week('Europe/Berlin', WEEKDAYS, '08:00', '17:00');
const newYorkOffice = week('America/New_York', WEEKDAYS, '09:00', '17:00');

describe('isOpenAt', () => {
  it('an ordinary weekday: open in office hours, closed before and after', () => {
    // Wednesday 2026-01-14, Berlin is UTC+1 in winter.
    expect(isOpenAt(berlinOffice, at('2026-01-14T09:00:00Z'))).toBe(true); // 10:00
    expect(isOpenAt(berlinOffice, at('2026-01-14T05:00:00Z'))).toBe(false); // 06:00
    expect(isOpenAt(berlinOffice, at('2026-01-14T17:30:00Z'))).toBe(false); // 18:30
  });

  it('the minute of opening is open, the minute before is closed', () => {
    expect(isOpenAt(berlinOffice, at('2026-01-14T06:59:59.999Z'))).toBe(false); // 07:59:59
    expect(isOpenAt(berlinOffice, at('2026-01-14T07:00:00Z'))).toBe(true); // 08:00
    expect(isOpenAt(berlinOffice, at('2026-01-14T07:00:59Z'))).toBe(true);
  });

  it('the minute of closing is closed, the minute before is open', () => {
    expect(isOpenAt(berlinOffice, at('2026-01-14T15:59:59Z'))).toBe(true); // 16:59:59
    expect(isOpenAt(berlinOffice, at('2026-01-14T16:00:00Z'))).toBe(false); // 17:00
  });

  it('a closed day is closed all day', () => {
    // Saturday 2026-01-17
    for (const hour of ['00', '07', '09', '12', '16', '23']) {
      expect(isOpenAt(berlinOffice, at(`2026-01-17T${hour}:30:00Z`))).toBe(false);
    }
  });

  it('a finish of 23:59 means midnight (no closed minute at night)', () => {
    const allDay = week('UTC', WEEK_DAYS, '00:00', '23:59');
    expect(isOpenAt(allDay, at('2026-01-14T23:59:30Z'))).toBe(true);
    expect(isOpenAt(allDay, at('2026-01-15T00:00:00Z'))).toBe(true);
    expect(nextTransition(allDay, at('2026-01-14T12:00:00Z'))).toBe(
      at('2026-01-14T12:00:00Z') + TRANSITION_HORIZON_MS,
    );
  });

  it('a zone far from UTC uses its own weekday (Pacific/Kiritimati, UTC+14)', () => {
    const kiritimati = week('Pacific/Kiritimati', ['Monday'], '09:00', '17:00');
    // Monday 09:00 there is Sunday 19:00 UTC.
    expect(isOpenAt(kiritimati, at('2026-01-11T19:00:00Z'))).toBe(true);
    expect(isOpenAt(kiritimati, at('2026-01-11T18:59:00Z'))).toBe(false);
    // Monday 12:00 UTC is already Tuesday 02:00 there.
    expect(isOpenAt(kiritimati, at('2026-01-12T12:00:00Z'))).toBe(false);
    const pagoPago = week('Pacific/Pago_Pago', ['Friday'], '20:00', '23:59'); // UTC-11
    // Saturday 08:00 UTC is Friday 21:00 there.
    expect(isOpenAt(pagoPago, at('2026-01-17T08:00:00Z'))).toBe(true);
  });

  it('Europe/Berlin in summer (UTC+2): same wall-clock hours, other UTC hours', () => {
    // Wednesday 2026-07-15
    expect(isOpenAt(berlinOffice, at('2026-07-15T05:59:00Z'))).toBe(false); // 07:59 CEST
    expect(isOpenAt(berlinOffice, at('2026-07-15T06:00:00Z'))).toBe(true); // 08:00 CEST
    expect(isOpenAt(berlinOffice, at('2026-07-15T14:59:00Z'))).toBe(true); // 16:59 CEST
    expect(isOpenAt(berlinOffice, at('2026-07-15T15:00:00Z'))).toBe(false); // 17:00 CEST
  });

  it('Europe/Berlin, spring forward (2026-03-29, 02:00 → 03:00)', () => {
    const sundayNight = week('Europe/Berlin', ['Sunday'], '01:00', '04:00');
    expect(isOpenAt(sundayNight, at('2026-03-28T23:59:00Z'))).toBe(false); // 00:59 CET
    expect(isOpenAt(sundayNight, at('2026-03-29T00:00:00Z'))).toBe(true); // 01:00 CET
    expect(isOpenAt(sundayNight, at('2026-03-29T01:00:00Z'))).toBe(true); // 03:00 CEST
    expect(isOpenAt(sundayNight, at('2026-03-29T01:59:00Z'))).toBe(true); // 03:59 CEST
    expect(isOpenAt(sundayNight, at('2026-03-29T02:00:00Z'))).toBe(false); // 04:00 CEST
  });

  it('Europe/Berlin, fall back (2026-10-25, 03:00 → 02:00)', () => {
    const sundayNight = week('Europe/Berlin', ['Sunday'], '01:00', '04:00');
    expect(isOpenAt(sundayNight, at('2026-10-24T22:59:00Z'))).toBe(false); // 00:59 CEST
    expect(isOpenAt(sundayNight, at('2026-10-24T23:00:00Z'))).toBe(true); // 01:00 CEST
    expect(isOpenAt(sundayNight, at('2026-10-25T01:30:00Z'))).toBe(true); // 02:30 CET (2nd time)
    expect(isOpenAt(sundayNight, at('2026-10-25T02:59:00Z'))).toBe(true); // 03:59 CET
    expect(isOpenAt(sundayNight, at('2026-10-25T03:00:00Z'))).toBe(false); // 04:00 CET
  });

  it('America/New_York across both changes keeps 09:00 local', () => {
    // Friday 2026-03-06, EST (UTC-5)
    expect(isOpenAt(newYorkOffice, at('2026-03-06T13:59:00Z'))).toBe(false);
    expect(isOpenAt(newYorkOffice, at('2026-03-06T14:00:00Z'))).toBe(true);
    // Monday 2026-03-09, EDT (UTC-4), after spring forward on Sunday
    expect(isOpenAt(newYorkOffice, at('2026-03-09T12:59:00Z'))).toBe(false);
    expect(isOpenAt(newYorkOffice, at('2026-03-09T13:00:00Z'))).toBe(true);
    expect(isOpenAt(newYorkOffice, at('2026-03-09T20:59:00Z'))).toBe(true); // 16:59 EDT
    expect(isOpenAt(newYorkOffice, at('2026-03-09T21:00:00Z'))).toBe(false); // 17:00 EDT
    // Monday 2026-11-02, EST again after fall back on Sunday
    expect(isOpenAt(newYorkOffice, at('2026-11-02T13:00:00Z'))).toBe(false); // 08:00 EST
    expect(isOpenAt(newYorkOffice, at('2026-11-02T14:00:00Z'))).toBe(true); // 09:00 EST
  });
});

describe('nextTransition', () => {
  it('open → the closing instant the same day; closed → the next opening', () => {
    expect(nextTransition(berlinOffice, at('2026-01-14T09:00:00Z'))).toBe(
      at('2026-01-14T16:00:00Z'),
    );
    expect(nextTransition(berlinOffice, at('2026-01-14T16:00:00Z'))).toBe(
      at('2026-01-15T07:00:00Z'),
    );
    // Friday evening → Monday morning, over the closed weekend
    expect(nextTransition(berlinOffice, at('2026-01-16T18:00:00Z'))).toBe(
      at('2026-01-19T07:00:00Z'),
    );
  });

  it('across spring forward in New York: Friday close → Monday 09:00 EDT', () => {
    expect(nextTransition(newYorkOffice, at('2026-03-06T22:00:00Z'))).toBe(
      at('2026-03-09T13:00:00Z'),
    );
  });

  it('across fall back in New York: Friday close → Monday 09:00 EST', () => {
    expect(nextTransition(newYorkOffice, at('2026-10-30T21:00:00Z'))).toBe(
      at('2026-11-02T14:00:00Z'),
    );
  });

  it('Berlin on the change nights: closing at 04:00 local', () => {
    const sundayNight = week('Europe/Berlin', ['Sunday'], '01:00', '04:00');
    expect(nextTransition(sundayNight, at('2026-03-29T00:30:00Z'))).toBe(
      at('2026-03-29T02:00:00Z'),
    );
    expect(nextTransition(sundayNight, at('2026-10-24T23:00:00Z'))).toBe(
      at('2026-10-25T03:00:00Z'),
    );
  });

  it('an opening time inside the skipped hour opens when the clocks jump', () => {
    const gap = week('Europe/Berlin', ['Sunday'], '02:30', '05:00');
    expect(isOpenAt(gap, at('2026-03-29T00:59:00Z'))).toBe(false); // 01:59 CET
    expect(isOpenAt(gap, at('2026-03-29T01:00:00Z'))).toBe(true); // 03:00 CEST
    expect(nextTransition(gap, at('2026-03-29T00:30:00Z'))).toBe(at('2026-03-29T01:00:00Z'));
  });

  it('a schedule never open answers the horizon', () => {
    const never = week('UTC', [], '08:00', '17:00');
    const now = at('2026-01-14T09:00:00Z');
    expect(nextTransition(never, now)).toBe(now + TRANSITION_HORIZON_MS);
  });
});

describe('OpenStatusCache', () => {
  it('keeps a status until the next change, then recomputes', () => {
    const cache = new OpenStatusCache();
    const first = cache.status(berlinOffice, at('2026-01-14T09:00:00Z'));
    expect(first).toMatchObject({ open: true, until: at('2026-01-14T16:00:00Z') });
    expect(cache.status(berlinOffice, at('2026-01-14T15:59:59Z')).open).toBe(true);
    expect(cache.status(berlinOffice, at('2026-01-14T16:00:00Z'))).toMatchObject({
      open: false,
      until: at('2026-01-15T07:00:00Z'),
    });
    expect(cache.status(undefined, 0)).toEqual({ open: true, until: Number.POSITIVE_INFINITY });
  });
});

describe('scheduleFor (Single / Multiple)', () => {
  const defaultSchedule = week('UTC', WEEK_DAYS, '00:00', '23:59');
  const custom = week('UTC', [], '08:00', '17:00');
  const rules = (enabled: boolean, multiple: boolean): BusinessHourRules => ({
    enabled,
    multiple,
    defaultSchedule,
    custom: new Map([['custom-1', custom]]),
  });

  it('disabled: every department is always open', () => {
    expect(scheduleFor(rules(false, true), 'custom-1')).toBeUndefined();
    expect(scheduleFor(rules(false, false), undefined)).toBeUndefined();
  });

  it('Single: the default for all, whatever the department carries', () => {
    expect(scheduleFor(rules(true, false), 'custom-1')).toBe(defaultSchedule);
    expect(scheduleFor(rules(true, false), undefined)).toBe(defaultSchedule);
  });

  it('Multiple: its own active custom schedule, else the default', () => {
    expect(scheduleFor(rules(true, true), 'custom-1')).toBe(custom);
    expect(scheduleFor(rules(true, true), 'inactive-or-deleted')).toBe(defaultSchedule);
    expect(scheduleFor(rules(true, true), undefined)).toBe(defaultSchedule);
  });
});

describe('zones and derived fields', () => {
  it('validates and canonicalises IANA names; rejects offsets and garbage', () => {
    expect(canonicalTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    expect(canonicalTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
    for (const bad of ['Mars/Olympus', '+01:00', '', 'Europe/Berlin; drop', 'x'.repeat(70)]) {
      expect(canonicalTimeZone(bad)).toBeNull();
    }
  });

  it('offsets and their Rocket.Chat format', () => {
    expect(offsetMinutes('Europe/Berlin', at('2026-01-14T12:00:00Z'))).toBe(60);
    expect(offsetMinutes('Europe/Berlin', at('2026-07-14T12:00:00Z'))).toBe(120);
    expect(offsetMinutes('America/New_York', at('2026-01-14T12:00:00Z'))).toBe(-300);
    expect(formatOffset(60)).toBe('+01:00');
    expect(formatOffset(-300)).toBe('-05:00');
    expect(formatOffset(345)).toBe('+05:45');
    expect(formatOffset(0)).toBe('+00:00');
  });

  it('derives utc and cron as Rocket.Chat stores them', () => {
    // Monday 08:00 in Berlin, saved in winter, server in UTC.
    expect(deriveTime('Monday', '08:00', 'Europe/Berlin', at('2026-01-14T12:00:00Z'), 0)).toEqual({
      time: '08:00',
      utc: { dayOfWeek: 'Monday', time: '07:00' },
      cron: { dayOfWeek: 'Monday', time: '07:00' },
    });
    // Monday 00:30 in Berlin is Sunday 23:30 UTC; a server at UTC-5 runs it Sunday 18:30.
    expect(
      deriveTime('Monday', '00:30', 'Europe/Berlin', at('2026-01-14T12:00:00Z'), -300),
    ).toEqual({
      time: '00:30',
      utc: { dayOfWeek: 'Sunday', time: '23:30' },
      cron: { dayOfWeek: 'Sunday', time: '18:30' },
    });
    // Saturday 20:00 in New York is Sunday 01:00 UTC (week wrap-around).
    expect(
      deriveTime('Saturday', '20:00', 'America/New_York', at('2026-01-14T12:00:00Z'), 0).utc,
    ).toEqual({ dayOfWeek: 'Sunday', time: '01:00' });
  });
});
