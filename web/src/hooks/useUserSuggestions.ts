import { useQuery } from '@tanstack/react-query';
import { get } from '../api';
import { queryKeys } from '../query-keys';

/**
 * Users whose username or name starts with `term` (users.autocomplete), for the screens that
 * give a user a role by username ("Make agent", "Add monitor").
 */
export function useUserSuggestions(term: string) {
  return useQuery({
    queryKey: queryKeys.users.autocomplete(term),
    queryFn: async () =>
      (
        await get<{ items: { _id: string; username: string; name?: string }[] }>(
          'users.autocomplete',
          { selector: JSON.stringify({ term }) },
        )
      ).items,
    enabled: term !== '',
    staleTime: 10_000,
  });
}
