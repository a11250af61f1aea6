import type { BusinessHour } from '../../../types';
import { formatSchedulePayload, scheduleToForm, timeProblem } from './scheduleForm';

describe('schedule form', () => {
  it('starts a new schedule in the browser time zone, weekdays 08:00–17:00', () => {
    const values = scheduleToForm(null, 'Europe/Berlin');
    expect(values.timezone).toBe('Europe/Berlin');
    expect(values.days.filter((day) => day.open).map((day) => day.day)).toEqual([
      'Monday',
      'Tuesday',
      'Wednesday',
      'Thursday',
      'Friday',
    ]);
    expect(values.days[0]).toMatchObject({ start: '08:00', finish: '17:00' });
  });

  it('accepts 24-hour times only', () => {
    expect(timeProblem('17:30')).toBeNull();
    expect(timeProblem('5:30 PM')).toMatch(/24-hour/);
    expect(timeProblem('24:00')).toMatch(/24-hour/);
  });

  it('sends the default schedule without departments, a custom one with them', () => {
    const base = scheduleToForm(null, 'UTC');
    const custom = formatSchedulePayload(
      { ...base, name: ' Night ', departments: ['a', 'b'] },
      null,
    );
    expect(custom).toMatchObject({
      name: 'Night',
      type: 'custom',
      departmentsToApplyBusinessHour: 'a,b',
    });
    const stored = {
      _id: 'x',
      type: 'default',
      name: '',
      active: true,
      timezone: { name: 'UTC' },
      workHours: [],
    } as BusinessHour;
    expect(formatSchedulePayload(base, stored)).not.toHaveProperty(
      'departmentsToApplyBusinessHour',
    );
  });
});
