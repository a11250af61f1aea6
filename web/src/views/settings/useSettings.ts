// The settings screen's calls: saving a setting, and issue 26's mail and website helpers (both
// endpoints may be missing on an older service: a 404 hides what they serve).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, get, post } from '../../api';
import { useAuth } from '../../auth';
import { notifyError, notifySuccess } from '../../notify';
import { queryKeys } from '../../query-keys';

export interface RefusedOrigin {
  origin: string;
  count: number;
  lastSeenAt: string;
}

/** The last origins refused the widget; null when the service does not report them (404). */
export function useRefusedOrigins() {
  const { can } = useAuth();
  return useQuery({
    queryKey: queryKeys.widget.refusedOrigins,
    enabled: can('edit-privileged-setting'),
    retry: false,
    queryFn: async (): Promise<RefusedOrigin[] | null> => {
      try {
        return (await get<{ origins: RefusedOrigin[] }>('livechat/widget.refused-origins')).origins;
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
  });
}

/** Sends a test e-mail through the configured mail server; the API's error says what failed. */
export function useSendTestMail() {
  return useMutation({
    mutationFn: (to: string) => post('livechat/mail.test', { to }),
  });
}

/** Saves one setting, refreshes it, and says so (`done`) or says why not. */
export function useSaveSetting() {
  const queryClient = useQueryClient();
  return async (id: string, value: unknown, done: string) => {
    try {
      await post(`settings/${id}`, { value });
      await queryClient.invalidateQueries({ queryKey: queryKeys.setting(id) });
      notifySuccess(done);
    } catch (error) {
      notifyError(error);
    }
  };
}
