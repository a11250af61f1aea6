// The business-hours screens' queries and mutations, and the settings that decide which
// schedule is in effect.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post, request, type Query } from '../../api';
import { useAuth } from '../../auth';
import type { ListControls } from '../../hooks/useListState';
import { useSetting } from '../../hooks/useSetting';
import { queryKeys } from '../../query-keys';
import type { BusinessHour, Page } from '../../types';

export function useBusinessHoursList(list: ListControls) {
  const { can } = useAuth();
  return useQuery({
    queryKey: queryKeys.businessHours.list(list.state),
    queryFn: () =>
      get<Page & { businessHours: BusinessHour[] }>('livechat/business-hours', {
        name: list.state.text,
        count: list.query.count,
        offset: list.query.offset,
      }),
    placeholderData: keepPreviousData,
    enabled: can('view-livechat-business-hours'),
  });
}

export function useBusinessHour(id: string | undefined, type?: 'default') {
  const { can } = useAuth();
  return useQuery({
    queryKey: queryKeys.businessHours.one(id ?? type),
    enabled: can('view-livechat-business-hours') && (id !== undefined || type !== undefined),
    retry: false,
    queryFn: () =>
      get<{ businessHour: BusinessHour | null }>(
        'livechat/business-hour',
        id !== undefined ? { _id: id } : { type },
      ),
  });
}

/**
 * Whether business hours are in use and in which mode. Only administrators may read settings:
 * for others both stay undefined and the screens say they cannot tell.
 */
export function useBusinessHourSettings(): { enabled?: boolean; mode?: 'Single' | 'Multiple' } {
  const enabled = useSetting<boolean>('Livechat_enable_business_hours');
  const mode = useSetting<string>('Livechat_business_hour_type');
  return {
    enabled: enabled.data?.value,
    mode:
      mode.data === undefined ? undefined : mode.data.value === 'Multiple' ? 'Multiple' : 'Single',
  };
}

/** Every schedule's name by id (at most 100 schedules), for saying where a department is. */
export function useScheduleNames(enabled = true) {
  const schedules = useQuery({
    queryKey: queryKeys.businessHours.names,
    enabled,
    queryFn: () =>
      get<Page & { businessHours: BusinessHour[] }>('livechat/business-hours', {
        count: 100,
      } satisfies Query),
  });
  return new Map(schedules.data?.businessHours.map((item) => [item._id, item.name]));
}

/**
 * Departments being added that are on another schedule today: saving moves them (a department
 * has one schedule), so the form says so before it happens.
 */
export function useMovedDepartments(added: string[], scheduleId: string | undefined) {
  const sorted = [...added].sort();
  const departments = useQuery({
    queryKey: queryKeys.departments.byIds(sorted, 'businessHourId'),
    enabled: sorted.length > 0,
    queryFn: () => {
      const params = new URLSearchParams();
      for (const id of sorted) params.append('ids[]', id);
      // businessHourId is not projectable: whole departments (at most the few being added).
      return get<{ departments: { _id: string; name: string; businessHourId?: string }[] }>(
        `livechat/department.listByIds?${params.toString()}`,
      );
    },
  });
  const names = useScheduleNames(sorted.length > 0);
  return (departments.data?.departments ?? [])
    .filter((item) => item.businessHourId && item.businessHourId !== scheduleId)
    .map((item) => ({
      name: item.name,
      from: names.get(item.businessHourId!) ?? 'another schedule',
    }));
}

export interface BusinessHourBody {
  _id?: string;
  name: string;
  active: boolean;
  type: 'default' | 'custom';
  timezone: string;
  workHours: { day: string; start: string; finish: string; open: boolean }[];
  departmentsToApplyBusinessHour?: string;
}

export function useSaveBusinessHour() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: BusinessHourBody) =>
      (await post<{ businessHour: BusinessHour }>('livechat/business-hour', body)).businessHour,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.businessHours.all });
      await queryClient.invalidateQueries({ queryKey: queryKeys.departments.all });
    },
  });
}

export function useDeleteBusinessHour() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      request('DELETE', `livechat/business-hour/${encodeURIComponent(id)}`),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.businessHours.all });
      await queryClient.invalidateQueries({ queryKey: queryKeys.departments.all });
    },
  });
}
