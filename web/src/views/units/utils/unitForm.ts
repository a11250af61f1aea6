// The unit form's values and the request body built from them (docs/api.md §14). Pure:
// unit-tested in unitForm.spec.ts.
import type { Unit, UnitMonitor } from '../../../types';

export type UnitVisibility = 'public' | 'private';

export const VISIBILITY_LABELS: Record<UnitVisibility, string> = {
  public: 'Public',
  private: 'Private',
};

export interface UnitFormValues {
  name: string;
  visibility: UnitVisibility;
  /** Kept with their usernames: the API takes `{ monitorId, username }`. */
  monitors: { monitorId: string; username: string }[];
  /** Kept with their names, to show them. */
  departments: { departmentId: string; name: string }[];
}

export interface UnitPayload {
  unitData: { name: string; visibility: UnitVisibility };
  unitMonitors: { monitorId: string; username: string }[];
  unitDepartments: { departmentId: string }[];
}

export function unitToForm(
  unit: Unit | null,
  monitors: UnitMonitor[],
  departments: { _id: string; name: string }[],
): UnitFormValues {
  return {
    name: unit?.name ?? '',
    visibility: unit?.visibility ?? 'public',
    monitors: monitors.map((monitor) => ({
      monitorId: monitor.monitorId,
      username: monitor.username,
    })),
    departments: departments.map((department) => ({
      departmentId: department._id,
      name: department.name,
    })),
  };
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(key(item)) && seen.add(key(item)));
}

/**
 * The body of a create or an edit. The monitors and departments are the unit's complete new
 * sets (the API replaces them), so an edit always sends both, empty when the user emptied them.
 */
export function formatUnitPayload(values: UnitFormValues): UnitPayload {
  return {
    unitData: { name: values.name.trim(), visibility: values.visibility },
    unitMonitors: uniqueBy(values.monitors, (monitor) => monitor.monitorId).map(
      ({ monitorId, username }) => ({ monitorId, username }),
    ),
    unitDepartments: uniqueBy(values.departments, (department) => department.departmentId).map(
      ({ departmentId }) => ({ departmentId }),
    ),
  };
}

/** Which form field a 400 answer is about: from the field path in the message, else the code. */
const FIELD_OF_ERROR: Record<string, keyof UnitFormValues> = {
  'error-invalid-monitor': 'monitors',
  'error-department-not-found': 'departments',
};
const FIELD_OF_PATH: Record<string, keyof UnitFormValues> = {
  'unitData.name': 'name',
  'unitData.visibility': 'visibility',
  unitMonitors: 'monitors',
  unitDepartments: 'departments',
};

export function unitErrorField(error: {
  message: string;
  errorType?: string;
}): keyof UnitFormValues | undefined {
  const path = /^(unitData\.\w+|unitMonitors|unitDepartments)\b/.exec(error.message)?.[1];
  if (path) return FIELD_OF_PATH[path];
  return error.errorType ? FIELD_OF_ERROR[error.errorType] : undefined;
}
