// The Recently deleted screen's list and restore (docs/api.md §16).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post } from '../../api';
import { useAuth } from '../../auth';
import type { ListControls } from '../../hooks/useListState';
import { queryKeys } from '../../query-keys';
import type { Page } from '../../types';

export interface DeletedDepartment {
  _id: string;
  name: string;
  deletedAt: string;
  deletedBy: { _id: string; username: string };
}

export function useDeletedDepartments(list: ListControls) {
  const { can } = useAuth();
  return useQuery({
    queryKey: queryKeys.deletedDepartments.list(list.state),
    queryFn: () =>
      get<Page & { departments: DeletedDepartment[] }>('livechat/departments/deleted', {
        count: list.query.count,
        offset: list.query.offset,
      }),
    placeholderData: keepPreviousData,
    enabled: can('view-livechat-departments'),
  });
}

export function useRestoreDeleted() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      post<{ department: { _id: string; name: string } }>(
        `livechat/departments/deleted/${encodeURIComponent(id)}/restore`,
        {},
      ),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.deletedDepartments.all }),
        queryClient.invalidateQueries({ queryKey: queryKeys.departments.all }),
      ]);
    },
  });
}
