// The schedule form's values and the save body (Rocket.Chat's save shape, docs/api.md §13).
import { WEEK_DAYS } from '../../../business-hours';
import type { BusinessHour } from '../../../types';
import type { BusinessHourBody } from '../useBusinessHours';

export interface DayRow {
  day: string;
  open: boolean;
  start: string;
  finish: string;
}

export interface ScheduleFormValues {
  name: string;
  active: boolean;
  timezone: string;
  days: DayRow[];
  departments: string[];
}

/** A new schedule starts in the browser's own time zone, open 08:00–17:00 on weekdays. */
export function scheduleToForm(
  schedule: BusinessHour | null,
  browserZone: string,
): ScheduleFormValues {
  return {
    name: schedule?.name ?? '',
    active: schedule?.active ?? true,
    timezone: schedule?.timezone?.name ?? browserZone,
    days: WEEK_DAYS.map((day) => {
      const hours = schedule?.workHours.find((workHour) => workHour.day === day);
      return {
        day,
        open: hours?.open ?? !['Saturday', 'Sunday'].includes(day),
        start: hours?.start.time ?? '08:00',
        finish: hours?.finish.time ?? '17:00',
      };
    }),
    departments: (schedule?.departments ?? []).map((department) => department._id),
  };
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Why a typed time is not a 24-hour HH:MM time, or null. */
export function timeProblem(value: string): string | null {
  return TIME.test(value.trim()) ? null : 'Enter a 24-hour time, like 08:00 or 17:30';
}

export function formatSchedulePayload(
  values: ScheduleFormValues,
  schedule: BusinessHour | null,
): BusinessHourBody {
  const isDefault = schedule?.type === 'default';
  return {
    ...(schedule ? { _id: schedule._id } : {}),
    name: values.name.trim(),
    active: values.active,
    type: schedule?.type ?? 'custom',
    timezone: values.timezone,
    workHours: values.days.map(({ day, open, start, finish }) => ({
      day,
      start: start.trim(),
      finish: finish.trim(),
      open,
    })),
    ...(isDefault ? {} : { departmentsToApplyBusinessHour: values.departments.join(',') }),
  };
}
