// The business-hours screens' queries and mutations, and the settings that decide which
// schedule is in effect.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post, request } from '../../api';
import { useAuth } from '../../auth';
import type { ListControls } from '../../hooks/useListState';
import type { BusinessHour, Page } from '../../types';

export function useBusinessHoursList(list: ListControls) {
  const { can } = useAuth();
  return useQuery({
    queryKey: ['business-hours', list.state],
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
    queryKey: ['business-hour', id ?? type],
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
  const { can } = useAuth();
  const readable = can('edit-privileged-setting');
  const enabled = useQuery({
    queryKey: ['setting', 'Livechat_enable_business_hours'],
    enabled: readable,
    retry: false,
    queryFn: () => get<{ value: boolean }>('settings/Livechat_enable_business_hours'),
  });
  const mode = useQuery({
    queryKey: ['setting', 'Livechat_business_hour_type'],
    enabled: readable,
    retry: false,
    queryFn: () => get<{ value: string }>('settings/Livechat_business_hour_type'),
  });
  return {
    enabled: enabled.data?.value,
    mode: mode.data ? (mode.data.value === 'Multiple' ? 'Multiple' : 'Single') : undefined,
  };
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
      await queryClient.invalidateQueries({ queryKey: ['business-hours'] });
      await queryClient.invalidateQueries({ queryKey: ['business-hour'] });
      await queryClient.invalidateQueries({ queryKey: ['department'] });
      await queryClient.invalidateQueries({ queryKey: ['departments'] });
    },
  });
}

export function useDeleteBusinessHour() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      request('DELETE', `livechat/business-hour/${encodeURIComponent(id)}`),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['business-hours'] });
      await queryClient.invalidateQueries({ queryKey: ['department'] });
    },
  });
}
