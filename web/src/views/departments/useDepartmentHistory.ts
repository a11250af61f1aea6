// The history section's queries: a page of a department's history, and names for the ids its
// entries carry without one.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post } from '../../api';
import { useAuth } from '../../auth';
import { queryKeys } from '../../query-keys';
import type { BusinessHour, HistoryEntry, Page } from '../../types';
import { departmentPath } from './useDepartments';
import { unnamedIds, type KnownNames } from './utils/formatHistory';

export function useDepartmentHistory(departmentId: string, offset: number, count: number) {
  return useQuery({
    queryKey: queryKeys.departments.history(departmentId, offset),
    queryFn: () =>
      get<Page & { history: HistoryEntry[] }>(`${departmentPath(departmentId)}/history`, {
        offset,
        count,
      }),
    placeholderData: keepPreviousData,
  });
}

/**
 * "Restore this version" (docs/api.md §16): the department goes back to its state right after
 * the entry; the form then shows the new version (every department query is refreshed).
 */
export function useRestoreVersion(departmentId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (entryId: string) =>
      post(`${departmentPath(departmentId)}/history/${encodeURIComponent(entryId)}/restore`, {}),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.departments.all }),
  });
}

/** Names for ids the entries carry without one: departments by listByIds, schedules by the list. */
export function useKnownNames(
  entries: HistoryEntry[],
  agentNames: Map<string, string>,
): KnownNames {
  const { can } = useAuth();
  const ids = unnamedIds(entries);
  const departments = useQuery({
    queryKey: queryKeys.departments.byIds(ids.departments, 'history'),
    enabled: ids.departments.length > 0,
    staleTime: 60_000,
    queryFn: () => {
      const params = new URLSearchParams();
      for (const id of ids.departments.slice(0, 100)) params.append('ids[]', id);
      params.set('fields', JSON.stringify({ name: 1 }));
      return get<{ departments: { _id: string; name: string }[] }>(
        `livechat/department.listByIds?${params.toString()}`,
      );
    },
  });
  const schedules = useQuery({
    queryKey: queryKeys.businessHours.names,
    enabled: ids.businessHours.length > 0 && can('view-livechat-business-hours'),
    staleTime: 60_000,
    queryFn: () =>
      get<Page & { businessHours: BusinessHour[] }>('livechat/business-hours', { count: 100 }),
  });
  return {
    departments: new Map(departments.data?.departments.map((item) => [item._id, item.name])),
    agents: agentNames,
    businessHours: new Map(
      schedules.data?.businessHours.map((item) => [
        item._id,
        item.type === 'default' ? 'the default schedule' : item.name,
      ]),
    ),
  };
}
