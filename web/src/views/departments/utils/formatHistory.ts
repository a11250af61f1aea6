// One history entry as lines a person reads: field labels instead of keys, names instead of
// ids (the names the entry carries, else the ones the page resolved), nothing for no-op changes.
import type { HistoryEntry } from '../../../types';

export const FIELD_LABELS: Record<string, string> = {
  name: 'Name',
  email: 'Email',
  description: 'Description',
  enabled: 'Enabled',
  showOnRegistration: 'Show on registration page',
  showOnOfflineForm: 'Show on offline page',
  requestTagBeforeClosingChat: 'Request tag before closing chat',
  chatClosingTags: 'Closing tags',
  fallbackForwardDepartment: 'Fallback forward department',
  departmentsAllowedToForward: 'Departments allowed to forward to',
  allowReceiveForwardOffline: 'Accept forwarded chats when no agent is online',
  offlineMessageChannelName: 'Offline message channel',
  abandonedRoomsCloseCustomMessage: 'Abandoned rooms close message',
  waitingQueueMessage: 'Waiting queue message',
  maxNumberSimultaneousChat: 'Max simultaneous chats',
  visitorInactivityTimeoutInSeconds: 'Visitor inactivity timeout (seconds)',
  businessHourId: 'Business hours',
  archived: 'Archived',
  // The unit a department is in (the service records moves with the unit's name).
  parentId: 'Unit',
  unit: 'Unit',
};

/** Fields whose values are department ids, shown as department names. */
export const DEPARTMENT_ID_FIELDS = new Set([
  'fallbackForwardDepartment',
  'departmentsAllowedToForward',
]);

/** Names the page knows: departments, agents and schedules by id. */
export interface KnownNames {
  departments: Map<string, string>;
  agents: Map<string, string>;
  businessHours: Map<string, string>;
}

type AgentRef = string | { agentId?: string; _id?: string; username?: string; name?: string };

function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === '' ||
    (Array.isArray(value) && value.length === 0)
  );
}

function sameValue(a: unknown, b: unknown): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  // An absent optional switch is off: absent → off is no change.
  if ((a === false && isEmpty(b)) || (b === false && isEmpty(a))) return true;
  return JSON.stringify(a) === JSON.stringify(b);
}

function nameOf(id: string, names: Map<string, string> | undefined): string {
  return names?.get(id) ?? id;
}

function showValue(field: string, value: unknown, carried: unknown, names: KnownNames): string {
  if (isEmpty(value)) return '(empty)';
  // A name the server kept with the entry wins: it still reads after the thing is deleted.
  if (typeof carried === 'string' && carried !== '') return carried;
  if (Array.isArray(carried) && carried.every((item) => typeof item === 'string'))
    return carried.join(', ');
  const lookup = DEPARTMENT_ID_FIELDS.has(field)
    ? names.departments
    : field === 'businessHourId'
      ? names.businessHours
      : undefined;
  if (lookup) {
    const ids = Array.isArray(value) ? value : [value];
    return ids.map((id) => nameOf(String(id), lookup)).join(', ');
  }
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

export function agentLabel(ref: AgentRef, names: KnownNames): string {
  if (typeof ref === 'string') return nameOf(ref, names.agents);
  const id = ref.agentId ?? ref._id ?? '';
  return ref.username ?? ref.name ?? nameOf(id, names.agents);
}

export function historyLines(entry: HistoryEntry, known: KnownNames): string[] {
  const lines: string[] = [];
  // Usernames the entry carries win over the page's current agents (a removed agent is not there).
  const carried = entry.agents?.users ?? [];
  const names: KnownNames =
    carried.length === 0
      ? known
      : {
          ...known,
          agents: new Map([
            ...known.agents,
            ...carried.map((user) => [user._id, user.username] as const),
          ]),
        };
  for (const change of entry.changes ?? []) {
    if (sameValue(change.from, change.to)) continue;
    const label = FIELD_LABELS[change.field] ?? change.field;
    lines.push(
      `${label}: ${showValue(change.field, change.from, change.fromName, names)} → ${showValue(change.field, change.to, change.toName, names)}`,
    );
  }
  const agents = entry.agents;
  if (agents?.added?.length)
    lines.push(`Agents added: ${agents.added.map((ref) => agentLabel(ref, names)).join(', ')}`);
  if (agents?.removed?.length)
    lines.push(`Agents removed: ${agents.removed.map((ref) => agentLabel(ref, names)).join(', ')}`);
  for (const changed of agents?.changed ?? []) {
    const parts = [
      changed.count !== undefined ? `count ${changed.count}` : '',
      changed.order !== undefined ? `order ${changed.order}` : '',
    ].filter(Boolean);
    lines.push(`${agentLabel(changed, names)}: ${parts.join(', ')}`);
  }
  return lines;
}

/** The ids an entry shows without a carried name, for the page to resolve in one request each. */
export function unnamedIds(entries: HistoryEntry[]): {
  departments: string[];
  businessHours: string[];
} {
  const departments = new Set<string>();
  const businessHours = new Set<string>();
  for (const entry of entries) {
    for (const change of entry.changes ?? []) {
      for (const [value, carried] of [
        [change.from, change.fromName],
        [change.to, change.toName],
      ] as const) {
        if (isEmpty(value) || (carried !== undefined && carried !== null)) continue;
        const ids = (Array.isArray(value) ? value : [value]).map(String);
        if (DEPARTMENT_ID_FIELDS.has(change.field)) ids.forEach((id) => departments.add(id));
        if (change.field === 'businessHourId') ids.forEach((id) => businessHours.add(id));
      }
    }
  }
  return { departments: [...departments].sort(), businessHours: [...businessHours].sort() };
}
