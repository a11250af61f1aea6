// The units screens' queries and mutations (docs/api.md §14).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post, request } from '../../api';
import { useAuth } from '../../auth';
import type { PickerItem } from '../../components/SearchMultiPicker';
import type { ListControls } from '../../hooks/useListState';
import type { Department, Monitor, Page, Unit, UnitMonitor } from '../../types';
import type { UnitPayload } from './utils/unitForm';
import { queryKeys } from '../../query-keys';

export const unitPath = (id: string) => `livechat/units/${encodeURIComponent(id)}`;

/** Whether the user may list units: managers all of them, a monitor its own. */
export function useMayListUnits(): boolean {
  const { can, unitScoped } = useAuth();
  return can('manage-livechat-units') || unitScoped;
}

export function useUnitsList(list: ListControls) {
  const mayList = useMayListUnits();
  return useQuery({
    queryKey: queryKeys.units.list(list.state),
    queryFn: () =>
      get<Page & { units: Unit[] }>('livechat/units', { text: list.state.text, ...list.query }),
    placeholderData: keepPreviousData,
    enabled: mayList,
  });
}

export interface LoadedUnit {
  unit: Unit | null;
  monitors: UnitMonitor[];
  departments: Department[];
}

/** Every department of a unit, a page of 100 at a time (the API's largest page). */
async function unitDepartments(id: string): Promise<Department[]> {
  const all: Department[] = [];
  for (;;) {
    const page = await get<Page & { departments: Department[] }>(`${unitPath(id)}/departments`, {
      offset: all.length,
      count: 100,
    });
    all.push(...page.departments);
    if (page.departments.length === 0 || all.length >= page.total) return all;
  }
}

/** A unit with its monitors and departments; `unit` is null for an unknown id. */
export function useUnit(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.units.one(id),
    enabled: id !== undefined,
    staleTime: 0,
    queryFn: async (): Promise<LoadedUnit> => {
      // An unknown unit answers the JSON body `null` (Rocket.Chat's shape).
      const unit = await get<(Unit & { success: boolean }) | null>(unitPath(id!));
      if (!unit) return { unit: null, monitors: [], departments: [] };
      const [monitors, departments] = await Promise.all([
        get<{ monitors: UnitMonitor[] }>(`${unitPath(id!)}/monitors`),
        unitDepartments(id!),
      ]);
      return { unit, monitors: monitors.monitors, departments };
    },
  });
}

/** Monitors whose username or name matches, as picker items. */
export async function searchMonitors(text: string): Promise<PickerItem[]> {
  const answer = await get<Page & { monitors: Monitor[] }>('livechat/monitors', {
    text,
    count: 25,
  });
  return answer.monitors.map((monitor) => ({ value: monitor._id, label: monitor.username }));
}

/** Departments a unit may take (in no unit, or in this one; `none` for a new unit). */
export async function searchAvailableDepartments(
  unitId: string | undefined,
  text: string,
): Promise<PickerItem[]> {
  const answer = await get<Page & { departments: Department[] }>(
    `${unitPath(unitId ?? 'none')}/departments/available`,
    { text, count: 25 },
  );
  return answer.departments.map((department) => ({
    value: department._id,
    label: department.name,
  }));
}

function useInvalidateUnits() {
  const queryClient = useQueryClient();
  return async () => {
    await queryClient.invalidateQueries({ queryKey: queryKeys.units.all });
    // Departments move in and out of units.
    await queryClient.invalidateQueries({ queryKey: queryKeys.departments.all });
  };
}

/** Creates (no id) or replaces a unit, its monitors and its departments. */
export function useSaveUnit(id: string | undefined) {
  const invalidate = useInvalidateUnits();
  return useMutation({
    mutationFn: (body: UnitPayload) => post<Unit>(id ? unitPath(id) : 'livechat/units', body),
    onSuccess: () => invalidate(),
  });
}

export function useDeleteUnit() {
  const invalidate = useInvalidateUnits();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => request('DELETE', unitPath(id)),
    onSuccess: async (_, id) => {
      queryClient.removeQueries({ queryKey: queryKeys.units.one(id) });
      await invalidate();
    },
  });
}

/**
 * The units a department may be put in, by name (a monitor gets only its own), plus the name of
 * the chosen one: for the department page's Unit field.
 */
export function useUnitOptions(term: string, chosen: string | null, enabled: boolean) {
  // A unit by id needs manage-livechat-units (as in Rocket.Chat); a monitor's own units all
  // come in the list, so it has the chosen one's name without it.
  const mayReadById = useAuth().can('manage-livechat-units');
  const matches = useQuery({
    queryKey: queryKeys.units.options(term),
    enabled,
    staleTime: 30_000,
    placeholderData: keepPreviousData,
    queryFn: () =>
      get<Page & { units: Unit[] }>('livechat/units', {
        text: term,
        count: 25,
        sort: JSON.stringify({ name: 1 }),
      }),
  });
  const current = useQuery({
    queryKey: queryKeys.units.names(chosen),
    enabled: enabled && chosen !== null && mayReadById,
    staleTime: 60_000,
    queryFn: () => get<Unit | null>(unitPath(chosen!)),
  });
  const options = new Map<string, string>();
  if (current.data) options.set(current.data._id, current.data.name);
  for (const unit of matches.data?.units ?? []) options.set(unit._id, unit.name);
  if (chosen !== null && !options.has(chosen)) options.set(chosen, chosen);
  return {
    options: [...options].map(([value, label]) => ({ value, label })),
    fetching: matches.isFetching,
  };
}
