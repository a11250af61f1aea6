// The live data as a configuration document (what the caller may see), and the changes
// between two documents. Pure functions: the service reads and writes, these decide.
import type { PermissionId } from '../../permissions/defaults';
import type { BusinessHour } from '../business-hours/business-hour.schema';
import type { Department } from '../departments/schemas/department.schema';
import type { LiveData } from './configuration.repository';
import {
  AgentConfig,
  BusinessHoursConfig,
  byName,
  CONFIGURATION_FORMAT,
  CONFIGURATION_VERSION,
  ConfigurationDocument,
  DEPARTMENT_REFERENCE_FIELDS,
  DEPARTMENT_VALUE_FIELDS,
  DepartmentConfig,
  ScheduleConfig,
  UnitConfig,
} from './configuration-document';

export type ObjectKind = 'department' | 'unit' | 'businessHour' | 'setting';
/** The name of the default business-hour schedule in changes and refusals. */
export const DEFAULT_SCHEDULE = '(default)';

export interface FieldDiff {
  field: string;
  from: unknown;
  to: unknown;
}

export interface AgentDiff {
  added: string[];
  removed: string[];
  changed: { username: string; from: AgentConfig; to: AgentConfig }[];
}

export interface PlannedChange {
  object: ObjectKind;
  name: string;
  action: 'create' | 'update' | 'delete';
  fields?: FieldDiff[];
  agents?: AgentDiff;
}

export interface Refusal {
  object: ObjectKind;
  name: string;
  status: 400 | 403;
  errorType: string;
  error: string;
}

export interface Plan {
  basedOn: string;
  changes: PlannedChange[];
  refusals: Refusal[];
  /** Departments that would appear in or vanish from the Live Chat widget. */
  widget: { appearing: string[]; vanishing: string[] };
}

/** Which sections the caller sees, and within which units (null: all). */
export interface View {
  scopeUnitIds: string[] | null;
  departments: boolean;
  units: boolean;
  businessHours: boolean;
  /** The setting ids the document carries (none when the caller may not see settings). */
  settingIds: readonly string[] | null;
}

/** Where each name of a document is in the database. */
export interface LiveIndex {
  departmentIds: Map<string, string>;
  unitIds: Map<string, string>;
  scheduleIds: Map<string, string>;
  defaultScheduleId?: string;
  /** Names of every department, also those out of the caller's view (for references). */
  allDepartmentNames: Map<string, string>;
}

const orNull = <T>(value: T | undefined | null): T | null =>
  value === undefined || value === null || (value as unknown) === '' ? null : value;

/** A department's name in a document: its name, or with its id when the name is not unique. */
function departmentKeys(departments: Department[]): Map<string, string> {
  const counts = new Map<string, number>();
  for (const d of departments) counts.set(d.name, (counts.get(d.name) ?? 0) + 1);
  return new Map(
    departments.map((d) => [
      d._id,
      (counts.get(d.name) ?? 0) > 1 ? `${d.name} (${d._id})` : d.name,
    ]),
  );
}

function scheduleConfig(schedule: BusinessHour): ScheduleConfig {
  const workHours: ScheduleConfig['workHours'] = {};
  for (const hours of schedule.workHours) {
    workHours[hours.day] = { open: hours.open, start: hours.start.time, finish: hours.finish.time };
  }
  return { active: schedule.active, timezone: schedule.timezone.name, workHours };
}

/** The live data as the document the caller may see, and where its names are. */
export function documentOf(
  live: LiveData,
  view: View,
  settings: Map<string, unknown>,
): { document: ConfigurationDocument; index: LiveIndex } {
  const inView = (unitId: string | null | undefined) =>
    view.scopeUnitIds === null || (!!unitId && view.scopeUnitIds.includes(unitId));
  const keys = departmentKeys(live.departments);
  const index: LiveIndex = {
    departmentIds: new Map(),
    unitIds: new Map(),
    scheduleIds: new Map(),
    allDepartmentNames: new Map([...keys].map(([id, key]) => [key, id])),
  };
  const nameOf = (id: string) => keys.get(id);
  const document: ConfigurationDocument = {
    format: CONFIGURATION_FORMAT,
    version: CONFIGURATION_VERSION,
  };
  const agentsOf = new Map<string, Record<string, AgentConfig>>();
  for (const a of [...live.assignments].sort((x, y) => x.username.localeCompare(y.username))) {
    const agents = agentsOf.get(a.departmentId) ?? byName<AgentConfig>();
    agents[a.username] = { count: a.count ?? 0, order: a.order ?? 0 };
    agentsOf.set(a.departmentId, agents);
  }
  if (view.departments) {
    document.departments = byName();
    for (const d of live.departments) {
      if (!inView(d.parentId)) continue;
      const key = nameOf(d._id) as string;
      index.departmentIds.set(key, d._id);
      document.departments[key] = {
        email: d.email,
        enabled: d.enabled,
        archived: d.archived === true,
        showOnRegistration: d.showOnRegistration,
        showOnOfflineForm: d.showOnOfflineForm,
        description: orNull(d.description),
        requestTagBeforeClosingChat: orNull(d.requestTagBeforeClosingChat),
        chatClosingTags: d.chatClosingTags?.length ? d.chatClosingTags : null,
        fallbackForwardDepartment: d.fallbackForwardDepartment
          ? (nameOf(d.fallbackForwardDepartment) ?? null)
          : null,
        departmentsAllowedToForward: (d.departmentsAllowedToForward ?? [])
          .map((id) => nameOf(id))
          .filter((name): name is string => !!name)
          .sort(),
        allowReceiveForwardOffline: orNull(d.allowReceiveForwardOffline),
        offlineMessageChannelName: orNull(d.offlineMessageChannelName),
        abandonedRoomsCloseCustomMessage: orNull(d.abandonedRoomsCloseCustomMessage),
        waitingQueueMessage: orNull(d.waitingQueueMessage),
        maxNumberSimultaneousChat: orNull(d.maxNumberSimultaneousChat),
        visitorInactivityTimeoutInSeconds: orNull(d.visitorInactivityTimeoutInSeconds),
        agents: agentsOf.get(d._id) ?? byName(),
      };
    }
  }
  for (const unit of live.units) index.unitIds.set(unit.name, unit._id);
  if (view.units) {
    document.units = byName();
    for (const unit of live.units) {
      if (!inView(unit._id)) continue;
      document.units[unit.name] = {
        visibility: unit.visibility,
        monitors: live.monitors
          .filter((m) => m.unitId === unit._id)
          .map((m) => m.username)
          .sort(),
        departments: live.departments
          .filter((d) => d.parentId === unit._id)
          .map((d) => nameOf(d._id) as string)
          .sort(),
      };
    }
  }
  for (const schedule of live.schedules) {
    if (schedule.type === 'default') index.defaultScheduleId = schedule._id;
    else index.scheduleIds.set(schedule.name, schedule._id);
  }
  if (view.businessHours) {
    const hours: BusinessHoursConfig = { custom: byName() };
    for (const schedule of live.schedules) {
      if (schedule.type === 'default') {
        hours.default = scheduleConfig(schedule);
        continue;
      }
      hours.custom[schedule.name] = {
        ...scheduleConfig(schedule),
        departments: live.departments
          .filter((d) => d.businessHourId === schedule._id)
          .map((d) => nameOf(d._id) as string)
          .sort(),
      };
    }
    document.businessHours = hours;
  }
  if (view.settingIds) {
    document.settings = byName(view.settingIds.map((id) => [id, settings.get(id)] as const));
  }
  return { document, index };
}

// ---- the changes -----------------------------------------------------------------------------

/** What the plan checks against besides the two documents. */
export interface PlanContext {
  index: LiveIndex;
  scopeUnitIds: string[] | null;
  agentUsernames: ReadonlySet<string>;
  monitorUsernames: ReadonlySet<string>;
  departmentRemovalEnabled: boolean;
  can: (permissions: readonly PermissionId[]) => boolean;
  /** A refusal's reason for a setting value, or null when it may be stored. */
  settingProblem: (id: string, value: unknown) => { errorType: string; error: string } | null;
  /** A refusal's reason for a schedule, or null. */
  scheduleProblem: (schedule: ScheduleConfig) => { errorType: string; error: string } | null;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function fieldDiffs<T extends object>(
  from: T | null,
  to: T,
  fields: readonly (keyof T)[],
): FieldDiff[] {
  return fields
    .filter((field) => !same(from ? from[field] : null, to[field]))
    .map((field) => ({ field: String(field), from: from ? from[field] : null, to: to[field] }));
}

function agentDiff(from: Record<string, AgentConfig>, to: Record<string, AgentConfig>): AgentDiff {
  const added = Object.keys(to)
    .filter((u) => !(u in from))
    .sort();
  const removed = Object.keys(from)
    .filter((u) => !(u in to))
    .sort();
  const changed = Object.keys(to)
    .filter((u) => u in from && !same(from[u], to[u]))
    .sort()
    .map((username) => ({ username, from: from[username], to: to[username] }));
  return { added, removed, changed };
}

/** A new department's field that it simply does not have (not a change worth listing). */
const isUnset = (diff: FieldDiff) =>
  diff.to === null ||
  (Array.isArray(diff.to) && diff.to.length === 0) ||
  (diff.field === 'archived' && diff.to === false);

const hasAgentChanges = (diff: AgentDiff) =>
  diff.added.length + diff.removed.length + diff.changed.length > 0;

const DEPARTMENT_FIELDS = [...DEPARTMENT_VALUE_FIELDS, ...DEPARTMENT_REFERENCE_FIELDS] as const;

/** Whether the widget offers the department (GET livechat/config's rule). */
function inWidget(department: DepartmentConfig | undefined): boolean {
  return (
    !!department &&
    department.enabled &&
    !department.archived &&
    department.showOnRegistration &&
    Object.keys(department.agents).length > 0
  );
}

const MANAGE: Record<ObjectKind, readonly PermissionId[]> = {
  department: ['manage-livechat-departments'],
  unit: ['manage-livechat-units'],
  businessHour: ['manage-livechat-business-hours'],
  setting: ['edit-privileged-setting'],
};
const REMOVE_DEPARTMENT: readonly PermissionId[] = [
  'manage-livechat-departments',
  'remove-livechat-department',
];

/**
 * The changes that bring `live` (the caller's view) to `target`, and what would be refused.
 * A section that `target` leaves out is not touched.
 */
export function planChanges(
  live: ConfigurationDocument,
  target: ConfigurationDocument,
  context: PlanContext,
): Omit<Plan, 'basedOn'> {
  const changes: PlannedChange[] = [];
  const refusals: Refusal[] = [];
  const refuse = (
    object: ObjectKind,
    name: string,
    status: 400 | 403,
    errorType: string,
    error: string,
  ) => refusals.push({ object, name, status, errorType, error });
  const widget = { appearing: [] as string[], vanishing: [] as string[] };
  const { index } = context;

  // The department names there will be: the target's, or (section left out) the live ones.
  const deletedDepartments = new Set<string>();
  const targetDepartments = target.departments;
  const liveDepartments = live.departments ?? byName<DepartmentConfig>();
  if (targetDepartments) {
    for (const name of Object.keys(liveDepartments)) {
      if (!(name in targetDepartments)) deletedDepartments.add(name);
    }
  }
  const willExist = (name: string) =>
    (targetDepartments !== undefined && name in targetDepartments) ||
    (index.allDepartmentNames.has(name) && !deletedDepartments.has(name));

  // The unit each department will be in, by the target's units.
  const targetUnitOf = new Map<string, string>();
  for (const [unit, config] of Object.entries(target.units ?? {})) {
    for (const name of config.departments) {
      if (targetUnitOf.has(name)) {
        refuse('unit', unit, 400, 'invalid-params', `department "${name}" is in two units`);
      }
      targetUnitOf.set(name, unit);
    }
  }
  const created = new Set<string>();

  if (targetDepartments) {
    for (const [name, config] of Object.entries(targetDepartments)) {
      const before = liveDepartments[name];
      const refuseHere = (status: 400 | 403, errorType: string, error: string) =>
        refuse('department', name, status, errorType, error);
      if (!before && index.allDepartmentNames.has(name)) {
        // Another department of that name exists where the caller may not go.
        refuseHere(403, 'error-not-allowed', 'Not allowed');
        continue;
      }
      if (!before && context.scopeUnitIds !== null) {
        const unitId = index.unitIds.get(targetUnitOf.get(name) ?? '');
        if (!unitId || !context.scopeUnitIds.includes(unitId)) {
          refuseHere(403, 'error-not-allowed', 'Not allowed');
          continue;
        }
      }
      if (config.requestTagBeforeClosingChat && !config.chatClosingTags?.length) {
        refuseHere(
          400,
          'error-validating-department-chat-closing-tags',
          'At least one closing tag is required when the department requires tags on closing chats',
        );
      }
      if (config.archived && config.enabled) {
        refuseHere(
          400,
          'error-archived-department-cant-be-enabled',
          'Archived departments cannot be enabled',
        );
      }
      if (config.fallbackForwardDepartment === name) {
        refuseHere(
          400,
          'error-fallback-department-circular',
          'A department cannot be its own fallback department',
        );
      } else if (config.fallbackForwardDepartment && !willExist(config.fallbackForwardDepartment)) {
        refuseHere(400, 'error-fallback-department-not-found', 'Fallback department not found');
      }
      const missingForward = config.departmentsAllowedToForward.filter(
        (target) => target !== name && !willExist(target),
      );
      if (missingForward.length) {
        refuseHere(
          400,
          'error-department-not-found',
          `Department not found: ${missingForward.join(', ')}`,
        );
      }
      const notAgents = Object.keys(config.agents).filter((u) => !context.agentUsernames.has(u));
      if (notAgents.length) {
        refuseHere(400, 'error-agent-not-found', `Agent not found: ${notAgents.join(', ')}`);
      }
      const fields = fieldDiffs(before ?? null, config, DEPARTMENT_FIELDS).filter(
        // A new department's unset fields are not changes.
        (diff) => !!before || !isUnset(diff),
      );
      const agents = agentDiff(before?.agents ?? byName(), config.agents);
      if (!before) {
        created.add(name);
        changes.push({ object: 'department', name, action: 'create', fields, agents });
      } else if (fields.length || hasAgentChanges(agents)) {
        changes.push({
          object: 'department',
          name,
          action: 'update',
          ...(fields.length && { fields }),
          ...(hasAgentChanges(agents) && { agents }),
        });
      }
      if (inWidget(before) !== inWidget(config)) {
        (inWidget(config) ? widget.appearing : widget.vanishing).push(name);
      }
    }
    for (const name of deletedDepartments) {
      if (!context.departmentRemovalEnabled) {
        refuse(
          'department',
          name,
          400,
          'error-department-removal-disabled',
          'error-department-removal-disabled',
        );
      }
      if (!context.can(REMOVE_DEPARTMENT)) {
        refuse(
          'department',
          name,
          403,
          'error-unauthorized',
          'User does not have the permissions required for this action',
        );
      }
      changes.push({ object: 'department', name, action: 'delete' });
      if (inWidget(liveDepartments[name])) widget.vanishing.push(name);
    }
  }

  if (target.units) {
    const liveUnits = live.units ?? byName<UnitConfig>();
    for (const [name, config] of Object.entries(target.units)) {
      const before = liveUnits[name];
      if (!before && index.unitIds.has(name)) {
        refuse('unit', name, 403, 'error-not-allowed', 'Not allowed');
        continue;
      }
      const notMonitors = config.monitors.filter((u) => !context.monitorUsernames.has(u));
      if (notMonitors.length) {
        refuse(
          'unit',
          name,
          400,
          'error-monitor-not-found',
          `Monitor not found: ${notMonitors.join(', ')}`,
        );
      }
      const missing = config.departments.filter((d) => !willExist(d));
      if (missing.length) {
        refuse(
          'unit',
          name,
          400,
          'error-department-not-found',
          `Department not found: ${missing.join(', ')}`,
        );
      }
      // A department created into an existing unit joins it with its create.
      const joinsByCreate = (d: string) => created.has(d) && !!before;
      const compared: UnitConfig = {
        ...config,
        departments: config.departments.filter((d) => !joinsByCreate(d)),
      };
      const fields = fieldDiffs(before ?? null, compared, [
        'visibility',
        'monitors',
        'departments',
      ]);
      if (!before) changes.push({ object: 'unit', name, action: 'create', fields });
      else if (fields.length) changes.push({ object: 'unit', name, action: 'update', fields });
    }
    for (const name of Object.keys(liveUnits)) {
      if (!(name in target.units)) changes.push({ object: 'unit', name, action: 'delete' });
    }
  }

  if (target.businessHours) {
    const liveHours = live.businessHours ?? { custom: byName() };
    const targetDefault = target.businessHours.default;
    if (targetDefault) {
      const problem = context.scheduleProblem(targetDefault);
      if (problem) refuse('businessHour', DEFAULT_SCHEDULE, 400, problem.errorType, problem.error);
      const fields = fieldDiffs(liveHours.default ?? null, targetDefault, [
        'active',
        'timezone',
        'workHours',
      ]);
      if (fields.length) {
        changes.push({ object: 'businessHour', name: DEFAULT_SCHEDULE, action: 'update', fields });
      }
    }
    const followed = new Map<string, string>();
    for (const [name, config] of Object.entries(target.businessHours.custom)) {
      const problem = context.scheduleProblem(config);
      if (problem) refuse('businessHour', name, 400, problem.errorType, problem.error);
      for (const d of config.departments) {
        if (followed.has(d)) {
          refuse(
            'businessHour',
            name,
            400,
            'invalid-params',
            `department "${d}" follows two schedules`,
          );
        }
        followed.set(d, name);
        if (!willExist(d)) {
          refuse(
            'businessHour',
            name,
            400,
            'error-department-not-found',
            `Department not found: ${d}`,
          );
        }
        // A disabled or archived department leaves its custom schedule (Rocket.Chat EE's rule).
        const follower = targetDepartments?.[d] ?? liveDepartments[d];
        if (follower && (!follower.enabled || follower.archived)) {
          refuse(
            'businessHour',
            name,
            400,
            'invalid-params',
            `department "${d}" is disabled or archived: it follows no custom schedule`,
          );
        }
      }
      const before = liveHours.custom[name];
      const fields = fieldDiffs(before ?? null, config, [
        'active',
        'timezone',
        'workHours',
        'departments',
      ]);
      if (!before) changes.push({ object: 'businessHour', name, action: 'create', fields });
      else if (fields.length)
        changes.push({ object: 'businessHour', name, action: 'update', fields });
    }
    for (const name of Object.keys(liveHours.custom)) {
      if (!(name in target.businessHours.custom)) {
        changes.push({ object: 'businessHour', name, action: 'delete' });
      }
    }
  }

  if (target.settings) {
    const liveSettings = live.settings ?? byName();
    for (const [id, value] of Object.entries(target.settings)) {
      const problem = context.settingProblem(id, value);
      if (problem) {
        refuse('setting', id, 400, problem.errorType, problem.error);
        continue;
      }
      if (!same(liveSettings[id], value)) {
        changes.push({
          object: 'setting',
          name: id,
          action: 'update',
          fields: [{ field: 'value', from: liveSettings[id] ?? null, to: value }],
        });
      }
    }
  }

  // Permissions: the manage permission of every kind of object that changes.
  for (const kind of new Set(changes.map((change) => change.object))) {
    if (!context.can(MANAGE[kind])) {
      const first = changes.find((change) => change.object === kind) as PlannedChange;
      refuse(
        kind,
        first.name,
        403,
        'error-unauthorized',
        'User does not have the permissions required for this action',
      );
    }
  }
  return { changes, refusals, widget };
}

/** The key of an object in an apply's steps. */
export const stepKey = (change: Pick<PlannedChange, 'object' | 'name'>) =>
  `${change.object}:${change.name}`;
