import { useQuery } from '@tanstack/react-query';
import { get } from '../api';
import { useAuth } from '../auth';
import { queryKeys } from '../query-keys';

/**
 * One setting's value, for users who may read it: those with `edit-privileged-setting`, or
 * (`alsoFor`) the permissions the API lets read that one setting. `data` is undefined while
 * loading, for users who may not read it, or when the service does not know the setting.
 */
export interface SettingAnswer<T> {
  value: T;
  /** Secret settings: whether a value is stored (its text is never sent back). */
  isSet?: boolean;
}

export function useSetting<T>(id: string, alsoFor: string[] = []) {
  const { can } = useAuth();
  const readable = can('edit-privileged-setting', ...alsoFor);
  return useQuery({
    queryKey: queryKeys.setting(id),
    enabled: readable,
    retry: false,
    queryFn: () => get<SettingAnswer<T>>(`settings/${id}`),
  });
}
