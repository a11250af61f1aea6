// The widget preview's queries: the public widget configuration, read as the widget reads it,
// and why the widget shows offline.
import { useQuery } from '@tanstack/react-query';
import { get, request } from '../../api';
import { isOpenAt } from '../../business-hours';
import type { Department } from '../../types';
import { useBusinessHour, useBusinessHourSettings } from '../business-hours/useBusinessHours';
import { queryKeys } from '../../query-keys';

export interface WidgetDepartment {
  _id: string;
  name: string;
  showOnRegistration: boolean;
  showOnOfflineForm: boolean;
}

export interface WidgetConfig {
  enabled: boolean;
  online?: boolean;
  departments?: WidgetDepartment[];
  settings?: { registrationForm?: boolean; displayOfflineForm?: boolean };
  theme?: { title?: string };
}

export function useWidgetConfig(department: string | null) {
  return useQuery({
    queryKey: queryKeys.widget.config(department),
    queryFn: async () =>
      (
        await request<{ config: WidgetConfig }>('GET', 'livechat/config', {
          anonymous: true,
          query: { department: department ?? undefined },
        })
      ).body.config,
  });
}

/**
 * Why the widget is offline: closed by the schedule in effect (when this user may read the
 * business-hours settings), else no available agent. Null while online or not yet known.
 */
export function useOfflineReason(
  department: string | null,
  online: boolean | undefined,
): string | null {
  const settings = useBusinessHourSettings();
  const stored = useQuery({
    queryKey: queryKeys.departments.widget(department),
    enabled: department !== null && online === false && settings.mode === 'Multiple',
    queryFn: () =>
      get<{ department: Department | null }>(
        `livechat/department/${encodeURIComponent(department!)}`,
        { includeAgents: false },
      ),
  });
  const ownId = stored.data?.department?.businessHourId;
  const own = useBusinessHour(ownId);
  const fallback = useBusinessHour(
    undefined,
    online === false && settings.enabled ? 'default' : undefined,
  );
  if (online !== false) return null;
  if (settings.enabled === undefined)
    return 'No available agent is assigned to an enabled department, or it is outside its business hours (only an administrator can see the business-hours settings).';
  if (settings.enabled) {
    const schedule = own.data?.businessHour?.active
      ? own.data.businessHour
      : fallback.data?.businessHour;
    if (schedule && !isOpenAt(schedule))
      return `Closed by its schedule: ${schedule.type === 'default' ? 'the default schedule' : `“${schedule.name}”`} is closed now (${schedule.timezone.name}).`;
  }
  return department === null
    ? 'No agent is available: no agent with status Available is assigned to an enabled department.'
    : 'No agent is available: no agent of this department has status Available.';
}
