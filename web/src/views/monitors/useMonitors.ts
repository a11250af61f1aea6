// The monitors screen's queries and mutations (docs/api.md §14).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post } from '../../api';
import { useAuth } from '../../auth';
import type { ListControls } from '../../hooks/useListState';
import { queryKeys } from '../../query-keys';
import type { Monitor, Page } from '../../types';

export type MonitorsAnswer = Page & { monitors: Monitor[] };

export function useMonitorsList(list: ListControls) {
  const { can } = useAuth();
  return useQuery({
    queryKey: queryKeys.monitors.list(list.state),
    queryFn: async () => {
      const answer = await get<MonitorsAnswer>('livechat/monitors', {
        text: list.state.text,
        ...list.query,
      });
      return { ...answer, users: answer.monitors };
    },
    placeholderData: keepPreviousData,
    enabled: can('manage-livechat-monitors'),
  });
}

function useInvalidateMonitors() {
  const queryClient = useQueryClient();
  return async () => {
    await queryClient.invalidateQueries({ queryKey: queryKeys.monitors.all });
    // A removed monitor leaves its units: their monitor counts change.
    await queryClient.invalidateQueries({ queryKey: queryKeys.units.all });
  };
}

/** Makes a user a monitor; answers `already` when they are one (nothing changes then). */
export function useAddMonitor() {
  const invalidate = useInvalidateMonitors();
  return useMutation({
    mutationFn: async (username: string): Promise<'made' | 'already'> => {
      const existing = await get<MonitorsAnswer>('livechat/monitors', {
        text: username,
        count: 100,
      });
      if (existing.monitors.some((monitor) => monitor.username === username)) return 'already';
      await post('livechat/monitors.create', { username });
      return 'made';
    },
    onSuccess: invalidate,
  });
}

export function useRemoveMonitor() {
  const invalidate = useInvalidateMonitors();
  return useMutation({
    mutationFn: (monitor: Monitor) =>
      post('livechat/monitors.delete', { username: monitor.username }),
    onSuccess: invalidate,
  });
}
