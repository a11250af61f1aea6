import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Actor, AuthenticatedUser } from '../../auth/caller';
import { ApiError } from '../../common/api-error';
import { ID_ALPHABET, randomId } from '../../common/ids';
import { MAX_PAGE } from './department-state';
import type { PermissionId } from '../../permissions/defaults';
import {
  MAIL_SETTINGS,
  ORIGIN_SETTINGS,
  SETTING_BUSINESS_HOUR_TYPE,
  SETTING_BUSINESS_HOURS_ENABLED,
  SETTING_DEPARTMENT_REMOVAL,
  SETTING_DEPARTMENT_RESTORE_DAYS,
  SETTING_ROUTING_METHOD,
  WIDGET_SETTINGS,
} from '../../settings/setting-definitions';
import { PermissionsService } from '../../permissions/permissions.service';
import { SettingsService } from '../../settings/settings.service';
import { UsersService } from '../../users/users.service';
import { BusinessHoursService } from '../business-hours/business-hours.service';
import {
  canonicalTimeZone,
  closingMinuteOf,
  minutesOf,
  WEEK_DAYS,
} from '../business-hours/open-now';
import { DepartmentsService } from '../departments/departments.service';
import { UnitsService } from '../units/units.service';
import { MONITOR_ROLE, Scope } from '../scope/scope';
import { DepartmentRecovery } from '../write-path/department-recovery';
import { WriteLeases } from '../write-path/write-leases';
import {
  ConfigurationDocument,
  CustomScheduleConfig,
  parseConfiguration,
  ScheduleConfig,
  versionOf,
} from './configuration-document';
import {
  DEFAULT_SCHEDULE,
  documentOf,
  LiveIndex,
  Plan,
  PlannedChange,
  planChanges,
  stepKey,
  View,
} from './configuration-plan';
import { ConfigurationRepository, LiveData } from './configuration.repository';
import { ConfigurationApply } from './configuration.schema';
import { DepartmentConverger, DepartmentTarget } from './department-state';

/** The settings a configuration carries: the widget's, the offline form's and mail's, never a secret. */
export const CONFIGURATION_SETTINGS: readonly string[] = [
  ...Object.values(WIDGET_SETTINGS),
  ...Object.values(MAIL_SETTINGS).filter((id) => id !== MAIL_SETTINGS.password),
  ORIGIN_SETTINGS.livechatAllowedDomains,
  SETTING_BUSINESS_HOURS_ENABLED,
  SETTING_BUSINESS_HOUR_TYPE,
  SETTING_ROUTING_METHOD,
  SETTING_DEPARTMENT_REMOVAL,
  SETTING_DEPARTMENT_RESTORE_DAYS,
].sort();

/** Applies run one at a time, across instances: each checks its basis under this lease. */
const APPLY_LEASE = 'configuration-apply';
const AGENT_ROLE = 'livechat-agent';
const APPLY_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** A stable id for what apply `applyId` creates under `name`: a replay creates the same one. */
function derivedId(applyId: string, name: string): string {
  const digest = createHash('sha256').update(`${applyId}\u0000${name}`).digest();
  return Array.from(digest.subarray(0, 17), (byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join(
    '',
  );
}

/** A schedule's days as the business-hour service takes them, Monday first. */
function daysOf(schedule: ScheduleConfig) {
  return WEEK_DAYS.filter((day) => schedule.workHours[day]).map((day) => ({
    day,
    ...schedule.workHours[day],
  }));
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

interface Current {
  live: LiveData;
  view: View;
  document: ConfigurationDocument;
  index: LiveIndex;
  version: string;
}

/**
 * Configuration as code (API.md §16): the export of what the caller may see, the plan of
 * a document against it, and its apply, journaled and carried out through the department,
 * unit, business-hour and settings services (so through the department write path).
 */
@Injectable()
export class ConfigurationService implements OnModuleInit {
  private readonly logger = new Logger(ConfigurationService.name);
  /** Applies this process is carrying out now (the recovery pass leaves them alone). */
  private readonly running = new Set<string>();
  /** The finishing of interrupted applies under way here, if any. */
  private finishing?: Promise<void>;

  constructor(
    private readonly repository: ConfigurationRepository,
    private readonly departments: DepartmentsService,
    private readonly converger: DepartmentConverger,
    private readonly units: UnitsService,
    private readonly businessHours: BusinessHoursService,
    private readonly settings: SettingsService,
    private readonly permissions: PermissionsService,
    private readonly users: UsersService,
    private readonly leases: WriteLeases,
    private readonly recovery: DepartmentRecovery,
  ) {}

  onModuleInit(): void {
    this.recovery.register({
      // Started, not awaited: it may wait for another instance's apply (its lease) or take
      // a while, and the recovery pass must not wait with it.
      finish: async () => {
        this.finishing ??= this.finishInterrupted()
          .catch((error: unknown) =>
            this.logger.warn(
              `Finishing configuration applies failed (retried on the next pass): ${
                error instanceof Error ? error.message : String(error)
              }`,
            ),
          )
          .finally(() => (this.finishing = undefined));
      },
      prune: async () => {
        await this.repository.pruneApplies(new Date(Date.now() - APPLY_RETENTION_MS));
      },
    });
  }

  // ---- export and plan ---------------------------------------------------------------------

  async export(
    caller: AuthenticatedUser,
    scope: Scope,
  ): Promise<{ configuration: ConfigurationDocument; version: string }> {
    const { document, version } = await this.current(await this.viewOf(caller, scope));
    return { configuration: document, version };
  }

  async plan(caller: AuthenticatedUser, scope: Scope, input: unknown): Promise<{ plan: Plan }> {
    const target = parseConfiguration(input);
    const view = await this.viewOf(caller, scope);
    const current = await this.current(view);
    const plan = await this.planAgainst(current, target, caller);
    return { plan };
  }

  /**
   * Applies a document planned against `basedOn`: 409 when the live configuration is no
   * longer that one, the first refusal when anything is refused; nothing written in both.
   */
  async apply(
    caller: AuthenticatedUser,
    scope: Scope,
    actor: Actor,
    input: unknown,
    basedOn: string,
  ): Promise<{ applyId: string | null; changes: PlannedChange[] }> {
    const target = parseConfiguration(input);
    const view = await this.viewOf(caller, scope);
    return this.leases.run([APPLY_LEASE], async () => {
      const current = await this.current(view);
      if (current.version !== basedOn) {
        throw new ApiError(
          409,
          'error-configuration-changed',
          'The configuration changed since the plan was made: plan again',
        );
      }
      const plan = await this.planAgainst(current, target, caller);
      const [refusal] = plan.refusals;
      if (refusal) throw new ApiError(refusal.status, refusal.errorType, refusal.error);
      if (plan.changes.length === 0) return { applyId: null, changes: [] };
      const applyId = randomId();
      const record: ConfigurationApply = {
        _id: applyId,
        actor: { user: actor.user, requestId: actor.requestId, applyId },
        scopeUnitIds: view.scopeUnitIds,
        basedOn,
        document: JSON.stringify(target),
        steps: plan.changes.map(stepKey),
        done: [],
        state: 'running',
        ts: new Date(),
      };
      await this.repository.beginApply(record);
      this.running.add(applyId);
      try {
        await this.execute(record);
      } finally {
        this.running.delete(applyId);
      }
      return { applyId, changes: plan.changes };
    });
  }

  /** Finishes the applies that a crash (of any instance) left unfinished. */
  async finishInterrupted(): Promise<void> {
    const unfinished = (await this.repository.unfinishedApplies()).filter(
      (apply) => !this.running.has(apply._id),
    );
    if (unfinished.length === 0) return;
    await this.leases.run([APPLY_LEASE], async () => {
      for (const { _id } of unfinished) {
        const apply = await this.repository.findApply(_id);
        if (!apply || apply.state !== 'running' || this.running.has(_id)) continue;
        this.logger.log(`Finishing interrupted configuration apply ${apply._id}`);
        this.running.add(_id);
        try {
          await this.execute(apply);
        } finally {
          this.running.delete(_id);
        }
        this.logger.log(`Finished configuration apply ${apply._id}`);
      }
    });
  }

  // ---- reading -----------------------------------------------------------------------------

  private async viewOf(caller: AuthenticatedUser, scope: Scope): Promise<View> {
    const can = (permissions: PermissionId[]) => this.permissions.hasAny(caller, permissions);
    const [departments, units, businessHours, settings] = await Promise.all([
      can(['view-livechat-departments']),
      can(['manage-livechat-units']),
      can(['view-livechat-business-hours']),
      can(['edit-privileged-setting']),
    ]);
    return {
      scopeUnitIds: scope.isRestricted ? [...scope.unitIds] : null,
      departments,
      // A monitor sees its own units (and so where new departments of its go).
      units: units || scope.isRestricted,
      businessHours: businessHours && !scope.isRestricted,
      settingIds: settings && !scope.isRestricted ? CONFIGURATION_SETTINGS : null,
    };
  }

  private async current(view: View): Promise<Current> {
    const [live, settings] = await Promise.all([
      this.repository.live(),
      view.settingIds ? this.settings.readFresh(view.settingIds) : new Map<string, unknown>(),
    ]);
    const { document, index } = documentOf(live, view, settings);
    return { live, view, document, index, version: versionOf(document) };
  }

  private async usernamesWithRole(role: string): Promise<Map<string, string>> {
    const { users } = await this.users.listByRole(role, undefined, MAX_PAGE);
    return new Map(users.map((user) => [user.username as string, user._id]));
  }

  private async planAgainst(
    current: Current,
    target: ConfigurationDocument,
    caller: AuthenticatedUser,
  ): Promise<Plan> {
    const permissionIds: PermissionId[] = [
      'manage-livechat-departments',
      'remove-livechat-department',
      'manage-livechat-units',
      'manage-livechat-business-hours',
      'edit-privileged-setting',
    ];
    const held = new Set<PermissionId>();
    await Promise.all(
      permissionIds.map(async (id) => {
        if (await this.permissions.hasAny(caller, [id])) held.add(id);
      }),
    );
    const [agents, monitors, removal] = await Promise.all([
      this.usernamesWithRole(AGENT_ROLE),
      this.usernamesWithRole(MONITOR_ROLE),
      this.settings.isDepartmentRemovalEnabled(),
    ]);
    const planned = planChanges(current.document, this.visiblePart(target, current.view), {
      index: current.index,
      scopeUnitIds: current.view.scopeUnitIds,
      agentUsernames: new Set(agents.keys()),
      monitorUsernames: new Set(monitors.keys()),
      departmentRemovalEnabled: removal,
      can: (permissions) => permissions.some((id) => held.has(id)),
      settingProblem: (id, value) => this.settingProblem(id, value),
      scheduleProblem: scheduleProblem,
    });
    const refusals = [...planned.refusals];
    // A section the caller may not see cannot be planned (it would overwrite the unseen).
    for (const section of ['units', 'businessHours', 'settings'] as const) {
      const visible = section === 'settings' ? !!current.view.settingIds : current.view[section];
      if (target[section] !== undefined && !visible) {
        refusals.push({
          object:
            section === 'units' ? 'unit' : section === 'settings' ? 'setting' : 'businessHour',
          name: section,
          status: 403,
          errorType: 'error-unauthorized',
          error: 'User does not have the permissions required for this action',
        });
      }
    }
    return { basedOn: current.version, ...planned, refusals };
  }

  /** The sections of `target` the caller may see (the others are refused, not planned). */
  private visiblePart(target: ConfigurationDocument, view: View): ConfigurationDocument {
    return {
      format: target.format,
      version: target.version,
      ...(target.departments && view.departments && { departments: target.departments }),
      ...(target.units && view.units && { units: target.units }),
      ...(target.businessHours && view.businessHours && { businessHours: target.businessHours }),
      ...(target.settings && view.settingIds && { settings: target.settings }),
    };
  }

  private settingProblem(id: string, value: unknown): { errorType: string; error: string } | null {
    if (!CONFIGURATION_SETTINGS.includes(id)) {
      return { errorType: 'error-invalid-setting', error: `Invalid setting: ${id}` };
    }
    try {
      this.settings.validateValue(id, value);
      return null;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return { errorType: error.errorType, error: `${id}: ${error.message}` };
    }
  }

  // ---- carrying an apply out ---------------------------------------------------------------
  // In phases, each reading the live data again and writing only what still differs from the
  // document for the apply's objects: every step is idempotent, so a replay after a crash
  // finishes what is left and repeats nothing.

  private async execute(apply: ConfigurationApply): Promise<void> {
    const target = parseConfiguration(JSON.parse(apply.document));
    const only = new Set(apply.steps);
    const actor = apply.actor;
    const scope = apply.scopeUnitIds ? Scope.ofUnits(apply.scopeUnitIds) : Scope.unrestricted();
    const view: View = {
      scopeUnitIds: apply.scopeUnitIds ?? null,
      departments: !!target.departments,
      units: !!target.units,
      businessHours: !!target.businessHours,
      settingIds: target.settings ? CONFIGURATION_SETTINGS : null,
    };
    const step = (object: PlannedChange['object'], name: string) =>
      only.has(stepKey({ object, name }));
    const done = (object: PlannedChange['object'], name: string) =>
      this.repository.stepDone(apply._id, stepKey({ object, name }));

    // 1. Settings.
    for (const [id, value] of Object.entries(target.settings ?? {})) {
      if (!step('setting', id)) continue;
      if (!sameJson((await this.settings.readFresh([id])).get(id), value)) {
        await this.settings.set(id, value);
      }
      await done('setting', id);
    }

    // 2. Schedules' own fields (who follows them comes once the departments exist).
    let current = await this.current(view);
    const hours = target.businessHours;
    if (hours?.default && step('businessHour', DEFAULT_SCHEDULE)) {
      if (!sameJson(current.document.businessHours?.default, hours.default)) {
        await this.businessHours.save(
          {
            ...this.scheduleInput(hours.default),
            name: '',
            type: 'default',
            _id: current.index.defaultScheduleId,
          },
          actor,
        );
      }
      await done('businessHour', DEFAULT_SCHEDULE);
    }
    for (const [name, schedule] of Object.entries(hours?.custom ?? {})) {
      if (!step('businessHour', name)) continue;
      const before = current.document.businessHours?.custom[name];
      const { departments: _following, ...fields } = schedule;
      if (!before || !sameJson({ ...before, departments: [] }, { ...fields, departments: [] })) {
        await this.businessHours.save(
          {
            ...this.scheduleInput(schedule),
            name,
            type: 'custom',
            _id: current.index.scheduleIds.get(name),
          },
          actor,
        );
      }
    }

    // 3. New departments, in their unit when it exists, with the agents and references there are.
    const agentIds = await this.usernamesWithRole(AGENT_ROLE);
    const targetUnitOf = new Map<string, string>();
    for (const [unit, config] of Object.entries(target.units ?? {})) {
      for (const name of config.departments) targetUnitOf.set(name, unit);
    }
    current = await this.current(view);
    for (const [name, config] of Object.entries(target.departments ?? {})) {
      if (!step('department', name) || current.document.departments?.[name]) continue;
      const unitId = current.index.unitIds.get(targetUnitOf.get(name) ?? '');
      await this.converger.create(
        derivedId(apply._id, name),
        name,
        this.departmentTarget(config, current.index, agentIds, unitId),
        actor,
        scope,
      );
    }

    // 4. Changed departments (fields, references, agents, archived).
    current = await this.current(view);
    for (const [name, config] of Object.entries(target.departments ?? {})) {
      if (!step('department', name)) continue;
      const id = current.index.departmentIds.get(name);
      const before = current.document.departments?.[name];
      if (id && before && !sameJson(before, config)) {
        await this.converger.converge(
          id,
          this.departmentTarget(config, current.index, agentIds, undefined),
          actor,
          scope,
        );
      }
    }

    // 5. Units: fields, monitors and departments.
    current = await this.current(view);
    const monitorIds = await this.usernamesWithRole(MONITOR_ROLE);
    for (const [name, config] of Object.entries(target.units ?? {})) {
      if (!step('unit', name)) continue;
      const before = current.document.units?.[name];
      if (!before || !sameJson(before, config)) {
        await this.units.save(
          current.index.unitIds.get(name) ?? null,
          {
            unitData: { name, visibility: config.visibility },
            unitMonitors: config.monitors.map((username) => ({
              monitorId: monitorIds.get(username) as string,
              username,
            })),
            unitDepartments: config.departments
              .map((department) => current.index.allDepartmentNames.get(department))
              .filter((id): id is string => !!id)
              .map((departmentId) => ({ departmentId })),
          },
          actor,
          scope,
        );
      }
      await done('unit', name);
    }

    // 6. Who follows each custom schedule.
    current = await this.current(view);
    for (const [name, schedule] of Object.entries(hours?.custom ?? {})) {
      if (!step('businessHour', name)) continue;
      const before = current.document.businessHours?.custom[name];
      const id = current.index.scheduleIds.get(name);
      if (id && !sameJson(before?.departments, schedule.departments)) {
        await this.businessHours.save(
          {
            ...this.scheduleInput(schedule),
            name,
            type: 'custom',
            _id: id,
            departmentIds: schedule.departments
              .map((department) => current.index.allDepartmentNames.get(department))
              .filter((departmentId): departmentId is string => !!departmentId),
          },
          actor,
        );
      }
      await done('businessHour', name);
    }
    for (const name of Object.keys(target.departments ?? {})) {
      if (step('department', name)) await done('department', name);
    }

    // 7. Deletes: departments, then units, then schedules.
    for (const [name, id] of current.index.departmentIds) {
      if (!target.departments || name in target.departments || !step('department', name)) continue;
      if (await this.repository.departmentExists(id))
        await this.departments.remove(id, actor, scope);
      await done('department', name);
    }
    for (const name of Object.keys(current.document.units ?? {})) {
      if (!target.units || name in target.units || !step('unit', name)) continue;
      const id = current.index.unitIds.get(name);
      if (id && (await this.repository.unitExists(id))) await this.units.remove(id, actor, scope);
      await done('unit', name);
    }
    for (const name of Object.keys(current.document.businessHours?.custom ?? {})) {
      if (!hours || name in hours.custom || !step('businessHour', name)) continue;
      const id = current.index.scheduleIds.get(name);
      if (id) await this.businessHours.remove(id, actor);
      await done('businessHour', name);
    }
    await this.repository.finishApply(apply._id);
  }

  private scheduleInput(schedule: ScheduleConfig | CustomScheduleConfig) {
    return {
      active: schedule.active,
      timezone: canonicalTimeZone(schedule.timezone) as string,
      days: daysOf(schedule),
    };
  }

  /** A document's department in ids: references and agents that exist, the rest left out. */
  private departmentTarget(
    config: NonNullable<ConfigurationDocument['departments']>[string],
    index: LiveIndex,
    agentIds: Map<string, string>,
    unitId: string | undefined,
  ): DepartmentTarget {
    const idOf = (name: string | null) => (name ? index.allDepartmentNames.get(name) : undefined);
    const { agents, fallbackForwardDepartment, departmentsAllowedToForward, ...fields } = config;
    return {
      fields: {
        ...fields,
        fallbackForwardDepartment: idOf(fallbackForwardDepartment) ?? null,
        departmentsAllowedToForward: departmentsAllowedToForward
          .map(idOf)
          .filter((id): id is string => !!id),
      },
      agents: new Map(
        Object.entries(agents)
          .filter(([username]) => agentIds.has(username))
          .map(([username, agent]) => [agentIds.get(username) as string, { username, ...agent }]),
      ),
      unitId,
    };
  }
}

/** What a business-hour save would refuse in a schedule, as its 400 says it. */
function scheduleProblem(schedule: ScheduleConfig): { errorType: string; error: string } | null {
  if (!canonicalTimeZone(schedule.timezone)) {
    return { errorType: 'invalid-params', error: 'timezone must be a known IANA time zone name' };
  }
  for (const [day, hours] of Object.entries(schedule.workHours)) {
    if (!hours.open) continue;
    const start = minutesOf(hours.start);
    const finish = closingMinuteOf(hours.finish);
    if (finish === start) {
      return {
        errorType: 'error-business-hour-finish-time-equals-start-time',
        error: `${day}: finish must be after start`,
      };
    }
    if (finish < start) {
      return {
        errorType: 'error-business-hour-finish-time-before-start-time',
        error: `${day}: finish must be after start`,
      };
    }
  }
  return null;
}
