import type { BusinessHour } from './types';

export const WEEK_DAYS = [
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
];

/** Whether the schedule is open at `now`, read in the schedule's own IANA time zone. */
export function isOpenAt(schedule: BusinessHour, now: Date = new Date()): boolean {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: schedule.timezone.name,
    weekday: 'long',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const part = (type: string) => parts.find((item) => item.type === type)?.value ?? '';
  const day = part('weekday');
  const time = `${part('hour')}:${part('minute')}`;
  const hours = schedule.workHours.find((workHour) => workHour.day === day);
  if (!schedule.active || !hours?.open) return false;
  // 23:59 closes at the end of the day, as Rocket.Chat's all-day default means.
  return time >= hours.start.time && (time < hours.finish.time || hours.finish.time === '23:59');
}
