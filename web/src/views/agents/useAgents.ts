// The agents screen's queries and mutations.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post, request } from '../../api';
import { useAuth } from '../../auth';
import type { ListControls } from '../../hooks/useListState';
import { queryKeys } from '../../query-keys';
import type { Agent, AgentDepartment, Page } from '../../types';

export function useAgentsList(list: ListControls) {
  const { can } = useAuth();
  return useQuery({
    queryKey: queryKeys.agents.list(list.state),
    queryFn: () =>
      get<Page & { users: Agent[] }>('livechat/users/agent', {
        text: list.state.text,
        ...list.query,
      }),
    placeholderData: keepPreviousData,
    enabled: can('manage-livechat-agents'),
  });
}

/** An agent's departments, by name (the API returns them unordered). */
export function useAgentDepartments(agentId: string) {
  return useQuery({
    queryKey: queryKeys.agents.departments(agentId),
    queryFn: async () => {
      const answer = await get<{ departments: AgentDepartment[] }>(
        `livechat/agents/${encodeURIComponent(agentId)}/departments`,
      );
      return [...answer.departments].sort((a, b) =>
        (a.departmentName ?? a.departmentId).localeCompare(b.departmentName ?? b.departmentId),
      );
    },
  });
}

function useInvalidateAgents() {
  const queryClient = useQueryClient();
  return async () => {
    await queryClient.invalidateQueries({ queryKey: queryKeys.agents.all });
    await queryClient.invalidateQueries({ queryKey: queryKeys.departments.all });
  };
}

/** Makes a user an agent; answers `already` when they are one (nothing changes then). */
export function useMakeAgent() {
  const invalidate = useInvalidateAgents();
  return useMutation({
    mutationFn: async (username: string): Promise<'made' | 'already'> => {
      const existing = await get<Page & { users: Agent[] }>('livechat/users/agent', {
        text: username,
        count: 100,
      });
      if (existing.users.some((user) => user.username === username)) return 'already';
      await post('livechat/users/agent', { username });
      return 'made';
    },
    onSuccess: invalidate,
  });
}

export function useSetAgentStatus() {
  const invalidate = useInvalidateAgents();
  return useMutation({
    mutationFn: ({ agentId, status }: { agentId: string; status: string }) =>
      post('livechat/agent.status', { status, agentId }),
    onSuccess: invalidate,
  });
}

export function useRemoveAgent() {
  const invalidate = useInvalidateAgents();
  return useMutation({
    mutationFn: (agent: Agent) =>
      request('DELETE', `livechat/users/agent/${encodeURIComponent(agent._id)}`),
    onSuccess: invalidate,
  });
}
