// The department form's values and the API request bodies built from them (docs/api.md §4.2,
// §4.6). Pure: unit-tested in formatDepartmentPayload.spec.ts.
import type { Department, DepartmentAgent } from '../../../types';

export interface AgentRow {
  agentId: string;
  username: string;
  name?: string;
  count: number | string;
  order: number | string;
}

export interface DepartmentFormValues {
  name: string;
  email: string;
  description: string;
  enabled: boolean;
  showOnRegistration: boolean;
  showOnOfflineForm: boolean;
  requestTagBeforeClosingChat: boolean;
  chatClosingTags: string[];
  maxNumberSimultaneousChat: number | string;
  visitorInactivityTimeoutInSeconds: number | string;
  waitingQueueMessage: string;
  abandonedRoomsCloseCustomMessage: string;
  offlineMessageChannelName: string;
  departmentsAllowedToForward: string[];
  fallbackForwardDepartment: string | null;
  allowReceiveForwardOffline: boolean;
  /** The unit the department is in (its `parentId`), or null. */
  unit: string | null;
  agents: AgentRow[];
}

const TEXT_FIELDS = [
  'description',
  'waitingQueueMessage',
  'abandonedRoomsCloseCustomMessage',
  'offlineMessageChannelName',
] as const;
const NUMBER_FIELDS = ['maxNumberSimultaneousChat', 'visitorInactivityTimeoutInSeconds'] as const;

export function departmentToForm(
  department: Department | null,
  agents: DepartmentAgent[],
): DepartmentFormValues {
  return {
    name: department?.name ?? '',
    email: department?.email ?? '',
    description: department?.description ?? '',
    enabled: department?.enabled ?? true,
    showOnRegistration: department?.showOnRegistration ?? true,
    showOnOfflineForm: department?.showOnOfflineForm ?? true,
    requestTagBeforeClosingChat: department?.requestTagBeforeClosingChat ?? false,
    chatClosingTags: department?.chatClosingTags ?? [],
    maxNumberSimultaneousChat: department?.maxNumberSimultaneousChat ?? '',
    visitorInactivityTimeoutInSeconds: department?.visitorInactivityTimeoutInSeconds ?? '',
    waitingQueueMessage: department?.waitingQueueMessage ?? '',
    abandonedRoomsCloseCustomMessage: department?.abandonedRoomsCloseCustomMessage ?? '',
    offlineMessageChannelName: department?.offlineMessageChannelName ?? '',
    departmentsAllowedToForward: department?.departmentsAllowedToForward ?? [],
    fallbackForwardDepartment: department?.fallbackForwardDepartment || null,
    allowReceiveForwardOffline: department?.allowReceiveForwardOffline ?? false,
    unit: department?.parentId || null,
    agents: agents.map((agent) => ({
      agentId: agent.agentId,
      username: agent.username,
      count: agent.count,
      order: agent.order,
    })),
  };
}

/**
 * The request body's `department`. A new department sends only what is set. An edit sends
 * every field it changes, and clears a field that had a value as the API documents it: `""`
 * for a text or the fallback department, `[]` for a list, `null` for a number. Unchanged empty
 * fields stay out, so a save records no change nobody made.
 */
export function formatDepartmentPayload(
  values: DepartmentFormValues,
  stored: Department | null,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: values.name.trim(),
    email: values.email.trim(),
    enabled: values.enabled,
    showOnRegistration: values.showOnRegistration,
    showOnOfflineForm: values.showOnOfflineForm,
  };
  // Optional switches: an absent one reads as off, so off is sent only to turn one off.
  for (const field of ['requestTagBeforeClosingChat', 'allowReceiveForwardOffline'] as const) {
    if (values[field] || stored?.[field] !== undefined) body[field] = values[field];
  }
  for (const field of ['chatClosingTags', 'departmentsAllowedToForward'] as const) {
    if (values[field].length > 0 || (stored?.[field]?.length ?? 0) > 0) body[field] = values[field];
  }
  for (const field of TEXT_FIELDS) {
    if (values[field] !== '' || stored?.[field]) body[field] = values[field];
  }
  for (const field of NUMBER_FIELDS) {
    const value = values[field];
    if (typeof value === 'number') body[field] = value;
    else if (stored?.[field] !== undefined && stored[field] !== null) body[field] = null;
  }
  if (values.fallbackForwardDepartment)
    body.fallbackForwardDepartment = values.fallbackForwardDepartment;
  else if (stored?.fallbackForwardDepartment) body.fallbackForwardDepartment = '';
  return body;
}

/**
 * The request's `departmentUnit` (docs/api.md §14): `{ _id }` to put the department in a unit,
 * `{}` to take it out of the one it is in, and nothing when the unit does not change (so a save
 * that leaves it alone neither moves it nor needs the right to).
 */
export function formatDepartmentUnit(
  unit: string | null,
  stored: Department | null,
): { _id: string } | Record<string, never> | undefined {
  const current = stored?.parentId || null;
  if (unit === current) return undefined;
  return unit ? { _id: unit } : {};
}

/** An agent row as the API takes it; an emptied number counts as 0. */
export function formatAgentPayload(agent: AgentRow): {
  agentId: string;
  count: number;
  order: number;
} {
  return {
    agentId: agent.agentId,
    count: typeof agent.count === 'number' ? agent.count : 0,
    order: typeof agent.order === 'number' ? agent.order : 0,
  };
}

/** The agents a save removes: PUT never removes (docs/api.md §4.6), so they go in one agents request. */
export function removedAgentIds(initial: readonly string[], kept: readonly AgentRow[]): string[] {
  const keptIds = new Set(kept.map((agent) => agent.agentId));
  return initial.filter((agentId) => !keptIds.has(agentId));
}
