// The Configuration screen's requests (docs/api.md §16): export, plan, apply.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { get, post } from '../../api';
import type { ConfigurationPlan, PlanChange } from './utils/planLines';

export type ConfigurationDocument = Record<string, unknown>;

export function useExportConfiguration() {
  return useMutation({
    mutationFn: () =>
      get<{ configuration: ConfigurationDocument; version: string }>('livechat/configuration'),
  });
}

export function usePlanConfiguration() {
  return useMutation({
    mutationFn: (configuration: ConfigurationDocument) =>
      post<{ plan: ConfigurationPlan }>('livechat/configuration.plan', { configuration }),
  });
}

export function useApplyConfiguration() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { configuration: ConfigurationDocument; basedOn: string }) =>
      post<{ applyId: string | null; changes: PlanChange[] }>(
        'livechat/configuration.apply',
        input,
      ),
    // An apply can touch every kind of object the console shows.
    onSuccess: () => queryClient.invalidateQueries(),
  });
}

/** Offers `text` as a file download named `name`. */
export function downloadJson(name: string, value: unknown): void {
  const url = URL.createObjectURL(
    new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: 'application/json' }),
  );
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}
