// The departments screens' queries and mutations (TanStack Query). Components call these;
// they never build requests themselves.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, newRequestId, post, request } from '../../api';
import { useAuth } from '../../auth';
import { useSetting } from '../../hooks/useSetting';
import { queryKeys } from '../../query-keys';
import type { ListControls } from '../../hooks/useListState';
import type { Department, DepartmentAgent, Page } from '../../types';
import {
  formatAgentPayload,
  formatDepartmentPayload,
  formatDepartmentUnit,
  removedAgentIds,
  type DepartmentFormValues,
} from './utils/formatDepartmentPayload';

export const departmentPath = (id: string) => `livechat/department/${encodeURIComponent(id)}`;

/**
 * The department reads ask for `onlyMyDepartments`, as Rocket.Chat's console does: a monitor
 * then gets only its units' departments (GET by id: `department: null` for another one); it
 * changes nothing for anyone else (docs/api.md §14).
 */
const ONLY_MINE = { onlyMyDepartments: true } as const;

/** The list: `tab=archived` reads the archived ones (as Rocket.Chat's Archived tab). */
export function useDepartmentsList(list: ListControls) {
  const { can } = useAuth();
  const { state } = list;
  const archived = state.filters.tab === 'archived';
  return useQuery({
    queryKey: queryKeys.departments.list(state),
    queryFn: () =>
      get<Page & { departments: Department[] }>(
        archived ? 'livechat/departments/archived' : 'livechat/department',
        {
          text: state.text,
          enabled: state.filters.enabled === '1' ? true : undefined,
          ...ONLY_MINE,
          ...list.query,
        },
      ),
    placeholderData: keepPreviousData,
    enabled: can('view-livechat-departments', 'view-l-room'),
  });
}

export interface LoadedDepartment {
  department: Department | null;
  agents: DepartmentAgent[];
  etag: string | null;
}

/**
 * One department, its ETag and its agents. A caller with only view-l-room gets the department
 * without `agents` (docs/api.md §4.5): its agents then come from the agents endpoint.
 */
export function useDepartment(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.departments.one(id),
    enabled: id !== undefined,
    staleTime: 0,
    queryFn: async (): Promise<LoadedDepartment> => {
      const answer = await request<{ department: Department | null; agents?: DepartmentAgent[] }>(
        'GET',
        departmentPath(id!),
        { query: ONLY_MINE },
      );
      let agents = answer.body.agents;
      if (answer.body.department && agents === undefined) {
        agents = (
          await get<Page & { agents: DepartmentAgent[] }>(`${departmentPath(id!)}/agents`, {
            count: 100,
          })
        ).agents;
      }
      return {
        department: answer.body.department,
        agents: agents ?? [],
        etag: answer.headers.get('ETag'),
      };
    },
  });
}

/**
 * Whether deleting departments is allowed. Whoever may ask for a delete may read the setting
 * (docs/api.md §3), so Delete is never offered when it will be refused.
 */
export function useRemovalAllowed(): boolean | undefined {
  const setting = useSetting<boolean>('Omnichannel_enable_department_removal', [
    'manage-livechat-departments',
    'remove-livechat-department',
  ]);
  return setting.data?.value;
}

/** Another department with the same name (case-insensitive), for a warning before save. */
export function useNamesake(name: string, ownId: string | undefined) {
  const term = name.trim();
  const query = useQuery({
    queryKey: queryKeys.departments.namesake(term.toLowerCase()),
    enabled: term !== '',
    staleTime: 10_000,
    queryFn: () =>
      get<Page & { departments: Department[] }>('livechat/department', {
        text: term,
        showArchived: true,
        count: 100,
        ...ONLY_MINE,
      }),
  });
  return query.data?.departments.find(
    (department) =>
      department._id !== ownId && department.name.toLowerCase() === term.toLowerCase(),
  );
}

/**
 * Whether the user may delete departments. A monitor holds manage-livechat-departments for its
 * units' departments, but deleting one is not for it (it lacks remove-livechat-department).
 */
export function useMayDeleteDepartments(): boolean {
  const { can, unitScoped } = useAuth();
  return can('remove-livechat-department') || (!unitScoped && can('manage-livechat-departments'));
}

export function useSaveDepartment(loaded: LoadedDepartment, mayEditAgents: boolean) {
  const queryClient = useQueryClient();
  const stored = loaded.department;
  return useMutation({
    mutationFn: async (values: DepartmentFormValues): Promise<Department> => {
      const department = formatDepartmentPayload(values, stored);
      const agents = values.agents.map(formatAgentPayload);
      const departmentUnit = formatDepartmentUnit(values.unit, stored);
      const unit = departmentUnit ? { departmentUnit } : {};
      if (!stored) {
        return (
          await post<{ department: Department }>('livechat/department', {
            department,
            agents,
            ...unit,
          })
        ).department;
      }
      // Both requests of this save carry one request id: the service makes them one history entry.
      const requestId = newRequestId();
      const answer = await request<{ department: Department }>('PUT', departmentPath(stored._id), {
        body: { department, ...(mayEditAgents ? { agents } : {}), ...unit },
        headers: {
          'X-Request-Id': requestId,
          ...(loaded.etag ? { 'If-Match': loaded.etag } : {}),
        },
      });
      const removed = removedAgentIds(
        loaded.agents.map((agent) => agent.agentId),
        values.agents,
      );
      if (removed.length > 0 && mayEditAgents) {
        await request('POST', `${departmentPath(stored._id)}/agents`, {
          body: { upsert: [], remove: removed.map((agentId) => ({ agentId })) },
          headers: { 'X-Request-Id': requestId },
        });
      }
      return answer.body.department;
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.departments.all });
    },
  });
}

export type DepartmentAction = 'archive' | 'unarchive' | 'delete';

export function useDepartmentAction() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, action }: { id: string; action: DepartmentAction }) => {
      if (action === 'delete') await request('DELETE', departmentPath(id));
      else await post(`${departmentPath(id)}/${action}`);
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.departments.all });
    },
  });
}
