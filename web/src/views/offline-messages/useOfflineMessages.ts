// The Offline messages screen's queries and mutation (docs/api.md §15).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post } from '../../api';
import { useAuth } from '../../auth';
import type { ListControls } from '../../hooks/useListState';
import { useSetting } from '../../hooks/useSetting';
import { queryKeys } from '../../query-keys';
import type { Page } from '../../types';

export type OfflineMessageStatus = 'pending' | 'sent' | 'failed';

export interface OfflineMessage {
  _id: string;
  status: OfflineMessageStatus;
  name: string;
  email: string;
  message: string;
  departmentName?: string;
  to: string;
  attempts: number;
  lastError?: string;
  createdAt: string;
  sentAt?: string;
  /** When a pending message is tried next (absent on a service that does not say). */
  nextAttemptAt?: string | null;
}

export function useOfflineMessages(list: ListControls) {
  const { can } = useAuth();
  return useQuery({
    queryKey: queryKeys.offlineMessages.list(list.state),
    queryFn: () =>
      get<Page & { messages: OfflineMessage[] }>('livechat/offline.messages', {
        status: list.state.filters.status,
        count: list.query.count,
        offset: list.query.offset,
      }),
    placeholderData: keepPreviousData,
    // Pending messages change on their own: keep the list current while it is open.
    refetchInterval: 5_000,
    enabled: can('view-livechat-manager'),
  });
}

/**
 * Whether a mail server is configured: true or false for those who may read the settings,
 * undefined for the others (the screen then promises nothing about when mail goes out).
 */
export function useMailServerConfigured(): boolean | undefined {
  const host = useSetting<string>('SMTP_Host');
  return host.data === undefined ? undefined : String(host.data.value ?? '').trim() !== '';
}

export function useRetryOfflineMessage() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      post(`livechat/offline.messages/${encodeURIComponent(id)}/retry`, {}),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.offlineMessages.all }),
  });
}
