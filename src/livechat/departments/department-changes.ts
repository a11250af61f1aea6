// What a department write changes: the fields a request sets or clears, and the changes
// as the history records them (empty values normalized, ids kept with their names).
import type { AgentChanges, FieldChange } from '../history/department-history.schema';
import type { AgentAssignmentDto, DepartmentDto } from './dto/department.dto';
import type { DepartmentAgent } from './schemas/department-agent.schema';
import type { Department } from './schemas/department.schema';

/** What clears an optional field: `null`, `""` or `[]`; a cleared field is stored as unset. */
function isEmpty(value: unknown): boolean {
  return value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/** The department fields a DTO carries: the values to store, and the cleared fields to unset. */
export function definedFields(dto: DepartmentDto): { set: Partial<Department>; unset: string[] } {
  const set: Record<string, unknown> = {};
  const unset: string[] = [];
  for (const [field, value] of Object.entries(dto)) {
    // departmentUnit is not a department field (see requestedUnit).
    if (value === undefined || field === 'departmentUnit') continue;
    if (isEmpty(value)) unset.push(field);
    else set[field] = value;
  }
  return { set: set as Partial<Department>, unset };
}

export type StoredAssignment = Pick<DepartmentAgent, '_id' | 'count' | 'order' | 'username'>;

/** Optional flags whose absence means false. */
const OPTIONAL_FLAGS = new Set(['requestTagBeforeClosingChat', 'allowReceiveForwardOffline']);

/** The fields whose value is an id of another department: history keeps their names. */
export const DEPARTMENT_REFERENCES = new Set([
  'fallbackForwardDepartment',
  'departmentsAllowedToForward',
]);

/**
 * A field's value as the history compares and shows it: every empty value is `null`, an
 * absent optional flag is `false` (so a form that sends `""`, `[]` or `false` for what
 * was never set records nothing).
 */
function comparable(field: string, value: unknown): unknown {
  if (value === undefined || isEmpty(value)) return OPTIONAL_FLAGS.has(field) ? false : null;
  return value;
}

/** The fields that `set` and `unset` really change, with the old and new value. */
export function fieldChanges(
  current: Department,
  set: Partial<Department>,
  unset: string[],
): FieldChange[] {
  const list: FieldChange[] = [];
  const stored = current as unknown as Record<string, unknown>;
  const next = set as Record<string, unknown>;
  for (const field of [...Object.keys(set), ...unset]) {
    const from = comparable(field, stored[field]);
    const to = comparable(field, next[field]);
    if (JSON.stringify(from) !== JSON.stringify(to)) list.push({ field, from, to });
  }
  return list;
}

/** `value` (an id, a list of ids or null) with each id replaced by its name (null if unknown). */
function namesOf(
  value: unknown,
  names: ReadonlyMap<string, string>,
): string | null | (string | null)[] {
  if (Array.isArray(value)) return value.map((id) => names.get(id as string) ?? null);
  return typeof value === 'string' ? (names.get(value) ?? null) : null;
}

/** `change` with `fromName`/`toName`: its ids replaced by the names they had at the time. */
export function withNames(change: FieldChange, names: ReadonlyMap<string, string>): FieldChange {
  return { ...change, fromName: namesOf(change.from, names), toName: namesOf(change.to, names) };
}

/**
 * What upserting `upsert` and removing `removeIds` does to the `stored` assignments, with
 * the username of every agent it names (`usernames`: of the upserted agents).
 */
export function agentChanges(
  upsert: AgentAssignmentDto[],
  removeIds: string[],
  stored: Map<string, StoredAssignment>,
  usernames: ReadonlyMap<string, string>,
): AgentChanges {
  const changes: AgentChanges = { added: [], removed: [], changed: [], users: [] };
  for (const agent of upsert) {
    const before = stored.get(agent.agentId);
    if (!before) {
      changes.added.push(agent.agentId);
      continue;
    }
    const changed: AgentChanges['changed'][number] = { agentId: agent.agentId };
    if (agent.count !== undefined && agent.count !== before.count) changed.count = agent.count;
    if (agent.order !== undefined && agent.order !== before.order) changed.order = agent.order;
    if (changed.count !== undefined || changed.order !== undefined) changes.changed.push(changed);
  }
  changes.removed = removeIds.filter((agentId) => stored.has(agentId));
  const named = [...changes.added, ...changes.removed, ...changes.changed.map((c) => c.agentId)];
  changes.users = named.map((agentId) => ({
    _id: agentId,
    username: usernames.get(agentId) ?? stored.get(agentId)?.username ?? '',
  }));
  return changes;
}
