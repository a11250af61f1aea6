// The console answers "open now?" with the service's own rule (one pure module, no Nest, shared
// by import), from the schedule as the API returns it.
import { isOpenAt as scheduleIsOpenAt } from '../../src/livechat/business-hours/open-now';
import type { BusinessHour } from './types';

export { WEEK_DAYS } from '../../src/livechat/business-hours/open-now';

/** Whether the schedule is open at `now`, read in the schedule's own IANA time zone. */
export function isOpenAt(schedule: BusinessHour, now: Date = new Date()): boolean {
  return (
    schedule.active &&
    scheduleIsOpenAt(
      {
        timezone: schedule.timezone.name,
        days: schedule.workHours.map((hours) => ({
          day: hours.day,
          open: hours.open,
          start: hours.start.time,
          finish: hours.finish.time,
        })),
      },
      now.getTime(),
    )
  );
}
