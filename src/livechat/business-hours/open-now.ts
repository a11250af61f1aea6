/**
 * "Is this schedule open at this instant?" and "when does that next change?", from the
 * schedule's IANA time zone at that instant (Intl, so daylight-saving changes are the
 * zone database's, not a stored UTC offset). Pure: every function takes the instant.
 */

export const WEEK_DAYS = [
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
] as const;
export type WeekDay = (typeof WEEK_DAYS)[number];

/** `getUTCDay()` order, used for day arithmetic on pseudo-UTC wall times. */
const DAYS_FROM_SUNDAY = ['Sunday', ...WEEK_DAYS.slice(0, 6)] as const;

/** One day of a schedule, as wall-clock `HH:mm` in the schedule's zone. */
export interface DayHours {
  day: string;
  open: boolean;
  start: string;
  finish: string;
}

export interface ScheduleHours {
  timezone: string;
  days: readonly DayHours[];
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const WEEK_MINUTES = 7 * 24 * 60;
/** How far ahead a next change is looked for; a schedule with none answers this far out. */
export const TRANSITION_HORIZON_MS = 8 * DAY_MS;
/** Offsets are probed this often when looking ahead (zones change offset at most twice a year). */
const OFFSET_PROBE_MS = 6 * 60 * MINUTE_MS;

export const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** `HH:mm` → minutes since midnight. */
export function minutesOf(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/**
 * Where an open day ends, in minutes since midnight. `23:59` means midnight: pickers
 * cannot show 24:00, and an "all day" schedule must not close for a minute every night.
 */
export function closingMinuteOf(finish: string): number {
  return finish === '23:59' ? 24 * 60 : minutesOf(finish);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      weekday: 'long',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

export interface WallClock {
  weekday: string;
  /** Minutes since local midnight. */
  minute: number;
  /** The local date and time written as if it were UTC (ms), for offset arithmetic. */
  pseudoUtc: number;
}

/** The wall clock of `timezone` at `instant` (ms since the epoch). */
export function wallClock(timezone: string, instant: number): WallClock {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timezone).formatToParts(new Date(instant))) {
    parts[part.type] = part.value;
  }
  const hour = Number(parts.hour);
  const minute = Number(parts.minute);
  return {
    weekday: parts.weekday,
    minute: hour * 60 + minute,
    pseudoUtc: Date.UTC(
      Number(parts.year),
      Number(parts.month) - 1,
      Number(parts.day),
      hour,
      minute,
      Number(parts.second),
    ),
  };
}

/** The zone's offset from UTC at `instant`, in whole minutes (Berlin in winter: 60). */
export function offsetMinutes(timezone: string, instant: number): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return Math.round((wallClock(timezone, whole).pseudoUtc - whole) / MINUTE_MS);
}

/** `+01:00`, `-05:00`, `+05:45`: Rocket.Chat's `timezone.utc`. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/**
 * The IANA zone name as given if the zone database knows it, with its case fixed
 * (`europe/berlin` → `Europe/Berlin`); null if unknown. Links keep the name given
 * (`Asia/Kolkata` is not turned into ICU's `Asia/Calcutta`).
 */
export function canonicalTimeZone(name: string): string | null {
  // Zone names only; Intl also accepts bare offsets such as "+01:00", which have no DST rules.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name) || name.length > 64) return null;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
}

export function isOpenAt(schedule: ScheduleHours, instant: number): boolean {
  const wall = wallClock(schedule.timezone, instant);
  const hours = schedule.days.find((day) => day.day === wall.weekday);
  if (!hours?.open) return false;
  return wall.minute >= minutesOf(hours.start) && wall.minute < closingMinuteOf(hours.finish);
}

/**
 * The first instant after `instant` at which `isOpenAt` changes, or `instant +
 * TRANSITION_HORIZON_MS` if it does not change before then. Between two offset changes
 * of the zone, wall time is UTC plus a constant, so each opening and closing wall time
 * maps to one instant; the instants where the offset changes are candidates too (a
 * schedule may open inside a skipped hour).
 */
export function nextTransition(schedule: ScheduleHours, instant: number): number {
  const end = instant + TRANSITION_HORIZON_MS;
  const segments = offsetSegments(schedule.timezone, instant, end);
  const candidates: number[] = [];
  for (const [index, segment] of segments.entries()) {
    const segmentEnd = segments[index + 1]?.start ?? end;
    if (index > 0) candidates.push(segment.start);
    const offsetMs = segment.offset * MINUTE_MS;
    const firstDay = Math.floor((segment.start + offsetMs) / DAY_MS) * DAY_MS;
    for (let day = firstDay; day < segmentEnd + offsetMs; day += DAY_MS) {
      const name = DAYS_FROM_SUNDAY[new Date(day).getUTCDay()];
      const hours = schedule.days.find((entry) => entry.day === name);
      if (!hours?.open) continue;
      for (const minute of [minutesOf(hours.start), closingMinuteOf(hours.finish)]) {
        const at = day + minute * MINUTE_MS - offsetMs;
        if (at > instant && at >= segment.start && at < segmentEnd) candidates.push(at);
      }
    }
  }
  const openNow = isOpenAt(schedule, instant);
  for (const candidate of candidates.sort((a, b) => a - b)) {
    if (isOpenAt(schedule, candidate) !== openNow) return candidate;
  }
  return end;
}

/** Spans of constant UTC offset covering [from, to), each starting where the offset changes. */
function offsetSegments(
  timezone: string,
  from: number,
  to: number,
): { start: number; offset: number }[] {
  const aligned = Math.floor(from / MINUTE_MS) * MINUTE_MS;
  const segments = [{ start: from, offset: offsetMinutes(timezone, from) }];
  let probe = aligned;
  let offset = segments[0].offset;
  while (probe < to) {
    const next = probe + OFFSET_PROBE_MS;
    const nextOffset = offsetMinutes(timezone, next);
    if (nextOffset !== offset) {
      // Binary search, on whole minutes, for the first minute with the new offset.
      let low = probe;
      let high = next;
      while (high - low > MINUTE_MS) {
        const middle = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
        if (offsetMinutes(timezone, middle) === offset) low = middle;
        else high = middle;
      }
      segments.push({ start: high, offset: nextOffset });
      offset = nextOffset;
    }
    probe = next;
  }
  return segments;
}

export interface DerivedTime {
  time: string;
  utc: { dayOfWeek: string; time: string };
  cron: { dayOfWeek: string; time: string };
}

/**
 * Rocket.Chat's stored `start`/`finish`: the wall time, the same moment in UTC, and in
 * the server's zone (`cron`), with the zone's offset at `now` (the time of saving).
 * Stored so a Rocket.Chat database reads the same; "open now" never uses them.
 */
export function deriveTime(
  day: string,
  time: string,
  timezone: string,
  now: number,
  serverOffsetMinutes: number,
): DerivedTime {
  const local = DAYS_FROM_SUNDAY.indexOf(day as WeekDay) * 24 * 60 + minutesOf(time);
  const utc = local - offsetMinutes(timezone, now);
  return {
    time,
    utc: weekMinuteToDayTime(utc),
    cron: weekMinuteToDayTime(utc + serverOffsetMinutes),
  };
}

function weekMinuteToDayTime(weekMinute: number): { dayOfWeek: string; time: string } {
  const minute = ((weekMinute % WEEK_MINUTES) + WEEK_MINUTES) % WEEK_MINUTES;
  const dayOfWeek = DAYS_FROM_SUNDAY[Math.floor(minute / (24 * 60))];
  const ofDay = minute % (24 * 60);
  return { dayOfWeek, time: `${pad(Math.floor(ofDay / 60))}:${pad(ofDay % 60)}` };
}

/** The settings and schedules that decide which schedule a department follows. */
export interface BusinessHourRules<S extends ScheduleHours = ScheduleHours> {
  /** `Livechat_enable_business_hours`. */
  enabled: boolean;
  /** `Livechat_business_hour_type` is `Multiple`. */
  multiple: boolean;
  /** The default schedule, if active. */
  defaultSchedule?: S;
  /** Active custom schedules by id. */
  custom: ReadonlyMap<string, S>;
}

/**
 * The schedule a department follows, or undefined when it is always open: business
 * hours disabled, or no active schedule applies. `Single`: the default for all;
 * `Multiple`: the department's own active custom schedule, else the default.
 */
export function scheduleFor<S extends ScheduleHours>(
  rules: BusinessHourRules<S>,
  businessHourId: string | undefined,
): S | undefined {
  if (!rules.enabled) return undefined;
  if (rules.multiple && businessHourId !== undefined) {
    const custom = rules.custom.get(businessHourId);
    if (custom) return custom;
  }
  return rules.defaultSchedule;
}

/** Open/closed of each schedule, kept until its next change (schedules are immutable objects). */
export class OpenStatusCache {
  private readonly statuses = new WeakMap<
    ScheduleHours,
    { open: boolean; from: number; until: number }
  >();

  /** Whether `schedule` is open at `now` (undefined: always open), and until when that holds. */
  status(schedule: ScheduleHours | undefined, now: number): { open: boolean; until: number } {
    if (!schedule) return { open: true, until: Number.POSITIVE_INFINITY };
    const cached = this.statuses.get(schedule);
    if (cached && now >= cached.from && now < cached.until) return cached;
    const status = {
      open: isOpenAt(schedule, now),
      from: now,
      until: nextTransition(schedule, now),
    };
    this.statuses.set(schedule, status);
    return status;
  }
}
