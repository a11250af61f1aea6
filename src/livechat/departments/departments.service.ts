import { Injectable } from '@nestjs/common';
import type { QueryFilter } from 'mongoose';
import { ApiError } from '../../common/api-error';
import { randomId } from '../../common/ids';
import { escapeRegExp, Page } from '../../common/pagination';
import { SettingsService } from '../../settings/settings.service';
import { UsersService } from '../../users/users.service';
import type { Actor, FieldChange } from '../history/department-history.schema';
import { DepartmentCatalog, type DepartmentListFilter } from './department-catalog';
import {
  DepartmentHistoryService,
  HistoryRecord,
  historyEntry,
} from '../history/department-history.service';
import {
  agentChanges,
  DEPARTMENT_REFERENCES,
  definedFields,
  fieldChanges,
  StoredAssignment,
  withNames,
} from './department-changes';
import { DepartmentPlan, DepartmentWriter, nextVersion } from '../write-path/department-writer';
import { notAllowed, Scope } from '../scope/scope';
import { UnitsRepository } from '../units/units.repository';
import { LivechatEvents } from '../livechat-events';
import { AssignmentsRepository } from './assignments.repository';
import { DepartmentsRepository } from './departments.repository';
import { AgentAssignmentDto, SaveDepartmentDto } from './dto/department.dto';
import { DepartmentAgent } from './schemas/department-agent.schema';
import { Department } from './schemas/department.schema';

export interface AutocompleteSelector {
  term?: string;
  exceptions?: string[];
  conditions?: Partial<Record<'enabled' | 'showOnRegistration' | 'showOnOfflineForm', boolean>>;
}

/**
 * Told of a delete under the department's lease, before it is journaled (with the
 * department and its agents as they are): the configuration module keeps them to restore.
 */
export type DeleteObserver = (
  department: Department,
  agents: DepartmentAgent[],
  actor: Actor,
) => Promise<void>;

export type DepartmentProjection = Record<string, 0 | 1>;

const AUTOCOMPLETE_LIMIT = 100;

/**
 * What a save asks of the department's unit: `undefined` leaves it, `null` takes the
 * department out (`departmentUnit: {}`), an id moves it there. Rocket.Chat sends it next
 * to `department`; some 7.x forms inside it, as `{ id }`.
 */
function requestedUnit(body: SaveDepartmentDto): string | null | undefined {
  const unitId = body.departmentUnit
    ? body.departmentUnit._id
    : body.department.departmentUnit && body.department.departmentUnit.id;
  if (unitId === undefined && !body.departmentUnit && !body.department.departmentUnit) {
    return undefined;
  }
  return unitId || null;
}

/**
 * The department fields that put it into a unit, or (null) take it out: Rocket.Chat then
 * stores `parentId: null, ancestors: null`, and its clients read them so.
 */
function unitFields(unitId: string | null): Partial<Department> {
  return unitId ? { parentId: unitId, ancestors: [unitId] } : { parentId: null, ancestors: null };
}

/** Rocket.Chat EE marks every department it saves `type: 'd'` (units are `'u'`). */
const DEPARTMENT_TYPE = { type: 'd' } as const;

/** Ids of the departments that `fields` points at (fallback and forward targets). */
function referencedIds(fields: Partial<Department>): string[] {
  return [
    ...(fields.fallbackForwardDepartment ? [fields.fallbackForwardDepartment] : []),
    ...(fields.departmentsAllowedToForward ?? []),
  ];
}

export function etagOf(department: Pick<Department, '_id' | '_updatedAt'>): string {
  return `"${department._id}-${new Date(department._updatedAt).getTime()}"`;
}

@Injectable()
export class DepartmentsService {
  private readonly deleteObservers: DeleteObserver[] = [];

  constructor(
    private readonly departments: DepartmentsRepository,
    private readonly assignments: AssignmentsRepository,
    private readonly units: UnitsRepository,
    private readonly users: UsersService,
    private readonly settings: SettingsService,
    private readonly writer: DepartmentWriter,
    private readonly historyEntries: DepartmentHistoryService,
    private readonly events: LivechatEvents,
    private readonly catalog: DepartmentCatalog,
  ) {}

  /** Registers an observer of deletes (see DeleteObserver). */
  onDelete(observer: DeleteObserver): void {
    this.deleteObservers.push(observer);
  }

  // ---- reads -------------------------------------------------------------------------------

  /** The department, or null when there is none or it is out of `scope`. */
  async findById(id: string, scope: Scope): Promise<Department | null> {
    return this.departments.findById(id, scope);
  }

  /** 403 unless the department exists in `scope` (400 when it does not exist at all). */
  async assertReadable(id: string, scope: Scope): Promise<void> {
    if (!scope.isRestricted) return;
    const department = await this.departments.findById<Pick<Department, '_id' | 'parentId'>>(
      id,
      Scope.unrestricted(),
      { parentId: 1 },
    );
    if (!department) throw ApiError.departmentNotFound();
    scope.assertIncludes(department);
  }

  async list(
    filter: DepartmentListFilter,
    page: Page,
    scope: Scope,
  ): Promise<{ departments: Department[]; total: number }> {
    const { items, total } = await this.catalog.page(filter, page, scope);
    return { departments: items, total };
  }

  async autocomplete(
    selector: AutocompleteSelector,
    showArchived: boolean,
    scope: Scope,
  ): Promise<{ _id: string; name: string }[]> {
    const query: QueryFilter<Department> = { ...selector.conditions };
    if (!showArchived) query.archived = { $ne: true };
    if (selector.term) query.name = { $regex: `^${escapeRegExp(selector.term)}`, $options: 'i' };
    if (selector.exceptions?.length) query._id = { $nin: selector.exceptions };
    return this.departments.find<{ _id: string; name: string }>(query, scope, {
      projection: { _id: 1, name: 1 },
      sort: { name: 1, _id: 1 },
      limit: AUTOCOMPLETE_LIMIT,
    });
  }

  async listByIds(
    ids: string[],
    projection: DepartmentProjection | undefined,
    scope: Scope,
  ): Promise<Department[]> {
    return this.departments.find({ _id: { $in: ids } }, scope, {
      projection,
      sort: { name: 1, _id: 1 },
    });
  }

  /** The departments that follow a business-hour schedule, by name. */
  async following(businessHourId: string, scope: Scope): Promise<{ _id: string; name: string }[]> {
    return this.departments.find<{ _id: string; name: string }>({ businessHourId }, scope, {
      projection: { _id: 1, name: 1 },
      sort: { name: 1, _id: 1 },
    });
  }

  async listAgents(
    departmentId: string,
    page: Page,
    scope: Scope,
  ): Promise<{ agents: DepartmentAgent[]; total: number }> {
    const { items, total } = await this.assignments.page({ departmentId }, page, scope);
    return { agents: items, total };
  }

  async allAgents(departmentId: string, scope: Scope): Promise<DepartmentAgent[]> {
    return this.assignments.find({ departmentId }, scope, { sort: { username: 1, _id: 1 } });
  }

  /** The agent's assignments in `scope`, each with its department's name. */
  async departmentsOfAgent(
    agentId: string,
    enabledOnly: boolean,
    scope: Scope,
  ): Promise<(DepartmentAgent & { departmentName?: string })[]> {
    const query: QueryFilter<DepartmentAgent> = { agentId };
    if (enabledOnly) query.departmentEnabled = true;
    const assignments = await this.assignments.find(query, scope);
    const names = await this.departments.namesOf(
      assignments.map((assignment) => assignment.departmentId),
      scope,
    );
    return assignments.map((assignment) => ({
      ...assignment,
      departmentName: names.get(assignment.departmentId),
    }));
  }

  // ---- writes ------------------------------------------------------------------------------
  // Each write validates everything under the department's lock, then hands one plan to
  // DepartmentWriter, which journals it (the history entry) and applies it crash-safely.

  /**
   * Creates a department and its agents; everything is validated before anything is written.
   * With `options.id` (an apply, a restore), the department gets that id, and a create whose
   * department already exists (a replay) changes nothing and answers it.
   */
  async create(
    body: SaveDepartmentDto,
    actor: Actor,
    scope: Scope,
    options: { id?: string } = {},
  ): Promise<{ department: Department; agents: DepartmentAgent[] }> {
    const unitId = requestedUnit(body) ?? null;
    // A monitor creates departments inside its own units only (and so keeps seeing them).
    if (scope.isRestricted && !(unitId && scope.includesUnit(unitId))) throw notAllowed();
    // On create, a cleared field is simply left out.
    const fields = definedFields(body.department).set;
    const agents = body.agents ?? [];
    this.checkClosingTags(fields);
    const id = options.id ?? randomId();
    // Referenced departments stay leased until the insert, so a concurrent DELETE of
    // one of them either happens first (400 here) or cleans our reference after us.
    const leased = [id, ...referencedIds(fields), ...(unitId ? [unitId] : [])];
    return this.writer.withDepartments(leased, async (fence) => {
      if (options.id !== undefined) {
        const existing = await this.findById(id, Scope.unrestricted());
        if (existing) {
          return { department: existing, agents: await this.allAgents(id, Scope.unrestricted()) };
        }
      }
      const [usernames] = await Promise.all([
        this.resolveAgents(agents),
        this.checkReferences(fields, undefined),
        unitId && this.requireUnit(unitId, scope),
      ]);

      const now = new Date();
      const department: Department = {
        ...(fields as Department),
        ...(unitId && unitFields(unitId)),
        ...DEPARTMENT_TYPE,
        _id: id,
        numAgents: agents.length,
        _updatedAt: now,
      };
      const assignments: DepartmentAgent[] = agents.map((agent) => ({
        _id: randomId(),
        agentId: agent.agentId,
        departmentId: department._id,
        username: usernames.get(agent.agentId) as string,
        departmentEnabled: department.enabled,
        count: agent.count ?? 0,
        order: agent.order ?? 0,
        _updatedAt: now,
      }));
      await this.writer.run(
        historyEntry(actor, department._id, 'create', {
          agents: agentChanges(agents, [], new Map(), usernames),
        }),
        { kind: 'create', department, assignments, ...(unitId && { recountUnits: [unitId] }) },
        fence,
      );
      return { department, agents: assignments };
    });
  }

  /**
   * Merges `body.department` into the stored department and upserts `body.agents`
   * (when `canAddAgents`). With `ifMatch`, answers 412 if the department changed since.
   */
  async update(
    id: string,
    body: SaveDepartmentDto,
    options: { canAddAgents: boolean; ifMatch?: string; scope: Scope },
    actor: Actor,
  ): Promise<{ department: Department; agents: DepartmentAgent[] }> {
    const { set: changes, unset } = definedFields(body.department);
    const agents = options.canAddAgents ? (body.agents ?? []) : [];
    const scope = options.scope;
    const requested = requestedUnit(body);
    // Also lease the departments this one will point at (see create()), and the units
    // it leaves and joins (their counts change).
    const leased = [id, ...referencedIds(changes), ...(requested ? [requested] : [])];
    let leftSchedule: string | undefined;
    const saved = await this.writer.withDepartments(leased, async (fence) => {
      // Read unscoped: a monitor may also take a department that is in no unit into one of
      // its own; otherwise the department must be in its scope.
      const current = await this.findById(id, Scope.unrestricted());
      if (!current) throw ApiError.departmentNotFound();
      const intoOwnUnit = !current.parentId && !!requested && scope.includesUnit(requested);
      if (!intoOwnUnit) scope.assertIncludes(current);
      // The unit changes only when the request names another one.
      const unitId =
        requested === undefined || requested === (current.parentId ?? null) ? undefined : requested;
      if (unitId !== undefined) {
        fence.require([current.parentId ?? undefined]);
        await this.checkUnitMove(current, unitId, scope);
      }
      const set = {
        ...changes,
        ...DEPARTMENT_TYPE,
        ...(unitId !== undefined && unitFields(unitId)),
      };
      // A disabled department follows no schedule (Rocket.Chat EE unlinks it).
      leftSchedule = changes.enabled === false ? current.businessHourId : undefined;
      const cleared = leftSchedule ? [...unset, 'businessHourId'] : unset;
      if (
        options.ifMatch !== undefined &&
        options.ifMatch !== '*' &&
        options.ifMatch !== etagOf(current)
      ) {
        throw ApiError.preconditionFailed();
      }
      if (current.archived && changes.enabled) {
        throw ApiError.badRequest(
          'error-archived-department-cant-be-enabled',
          'Archived departments cannot be enabled',
        );
      }
      if (changes.fallbackForwardDepartment === id) {
        throw ApiError.badRequest(
          'error-fallback-department-circular',
          'A department cannot be its own fallback department',
        );
      }
      const after: Partial<Department> = { ...current, ...changes };
      for (const field of cleared) delete (after as Record<string, unknown>)[field];
      this.checkClosingTags(after);
      const [usernames, stored] = await Promise.all([
        this.resolveAgents(agents),
        this.storedAssignments(
          id,
          agents.map((agent) => agent.agentId),
        ),
        this.checkReferences(changes, id),
      ]);

      const enabled = changes.enabled ?? current.enabled;
      // Server-managed: `ancestors` follows `parentId`, `type` is always 'd'.
      const changed = fieldChanges(current, set, cleared).filter(
        (change) => change.field !== 'ancestors' && change.field !== 'type',
      );
      await this.writer.run(
        historyEntry(actor, id, 'update', {
          changes: await this.namedChanges(changed),
          ...(agents.length && { agents: agentChanges(agents, [], stored, usernames) }),
        }),
        {
          ...this.updatePlan(current, agents, usernames, stored),
          set,
          unset: cleared,
          departmentEnabled: enabled,
          syncEnabled: enabled !== current.enabled,
          ...(unitId !== undefined && {
            recountUnits: [current.parentId, unitId].filter((unit): unit is string => !!unit),
          }),
        },
        fence,
      );
      // Still under the lease: nobody can have deleted it since.
      // Unscoped: a monitor that just took the department out of its units gets the answer.
      const [department, assignments] = await Promise.all([
        this.findById(id, Scope.unrestricted()),
        this.allAgents(id, Scope.unrestricted()),
      ]);
      if (!department) throw ApiError.departmentNotFound();
      return { department, agents: assignments };
    });
    if (leftSchedule) await this.events.schedulesLeft([leftSchedule]);
    return saved;
  }

  /** Upserts and removes agents of a department; all is validated before any write. */
  async updateAgents(
    id: string,
    upsert: AgentAssignmentDto[],
    remove: { agentId: string }[],
    actor: Actor,
    scope: Scope,
  ): Promise<void> {
    const upsertIds = new Set(upsert.map((agent) => agent.agentId));
    const removeIds = [...new Set(remove.map((agent) => agent.agentId))];
    const both = removeIds.find((agentId) => upsertIds.has(agentId));
    if (both !== undefined) {
      throw ApiError.invalidParams(`agent ${both} cannot be both upserted and removed`);
    }
    await this.writer.withDepartments([id], async (fence) => {
      const current = await this.requireForWrite(id, scope);
      const [usernames, stored] = await Promise.all([
        this.resolveAgents(upsert),
        this.storedAssignments(id, [...upsertIds, ...removeIds], scope),
      ]);
      if (upsert.length === 0 && !removeIds.some((agentId) => stored.has(agentId))) return;
      const record = historyEntry(actor, id, 'agents', {
        agents: agentChanges(upsert, removeIds, stored, usernames),
      });
      await this.writer.run(
        // The second request of a save (same user, same X-Request-Id): one history entry.
        await this.historyEntries.asPartOfSave(record, actor.freshRequestId),
        {
          ...this.updatePlan(current, upsert, usernames, stored),
          removeAgentIds: removeIds,
        },
        fence,
      );
    });
  }

  async remove(id: string, actor: Actor, scope: Scope): Promise<void> {
    if (!(await this.settings.isDepartmentRemovalEnabled())) {
      throw ApiError.bareBadRequest('error-department-removal-disabled');
    }
    const record = historyEntry(actor, id, 'delete', {});
    // The deleter's units go with the plan: its clean-up of other departments' references
    // records those outside them as the system's (department-writer.ts, dropReferencesTo).
    let plan: Extract<DepartmentPlan, { kind: 'delete' }> = {
      kind: 'delete',
      departmentId: id,
      ...(scope.isRestricted && { deleterUnits: [...scope.unitIds] }),
    };
    let leftSchedule: string | undefined;
    await this.writer.withDepartments([id], async (fence) => {
      const current = await this.findById(id, Scope.unrestricted());
      if (!current) throw ApiError.bareBadRequest('error-department-not-found');
      scope.assertIncludes(current);
      plan = { ...plan, departmentName: current.name };
      leftSchedule = current.businessHourId;
      // Its unit loses a department: recounted under the unit's lease.
      fence.require([current.parentId ?? undefined]);
      if (this.deleteObservers.length) {
        const agents = await this.allAgents(id, Scope.unrestricted());
        for (const observer of this.deleteObservers) await observer(current, agents, actor);
      }
      if (current.parentId) plan = { ...plan, recountUnits: [current.parentId] };
      await this.writer.start(record, plan, fence);
    });
    // Unlike Rocket.Chat, no department is left pointing at the deleted one; that step
    // takes the other departments' leases, so it runs after this one's is released.
    await this.writer.complete(record, plan);
    if (leftSchedule) await this.events.schedulesLeft([leftSchedule]);
  }

  /**
   * Archives (and disables) a department; archiving twice changes nothing. It leaves its
   * custom schedule (Rocket.Chat EE unlinks it).
   */
  async archive(id: string, actor: Actor, scope: Scope): Promise<void> {
    let leftSchedule: string | undefined;
    await this.writer.withDepartments([id], async (fence) => {
      const current = await this.requireForWrite(id, scope);
      if (current.archived) return;
      leftSchedule = current.businessHourId;
      const changes: FieldChange[] = [{ field: 'archived', from: false, to: true }];
      if (current.enabled) changes.push({ field: 'enabled', from: true, to: false });
      if (leftSchedule) changes.push({ field: 'businessHourId', from: leftSchedule, to: null });
      await this.writer.run(
        historyEntry(actor, id, 'archive', { changes }),
        {
          ...this.updatePlan(current),
          set: { archived: true, enabled: false },
          ...(leftSchedule && { unset: ['businessHourId'] }),
          departmentEnabled: false,
          syncEnabled: true,
        },
        fence,
      );
    });
    if (leftSchedule) await this.events.schedulesLeft([leftSchedule]);
  }

  /** Unarchives a department; it stays disabled until a PUT enables it. */
  async unarchive(id: string, actor: Actor, scope: Scope): Promise<void> {
    await this.writer.withDepartments([id], async (fence) => {
      const current = await this.requireForWrite(id, scope);
      if (current.archived !== true) return;
      await this.writer.run(
        historyEntry(actor, id, 'unarchive', {
          changes: [{ field: 'archived', from: true, to: false }],
        }),
        { ...this.updatePlan(current), set: { archived: false } },
        fence,
      );
    });
  }

  /** Drops every assignment of an agent (when the agent role is taken away: the system's own clean-up). */
  async removeAgentEverywhere(agentId: string, actor: Actor): Promise<void> {
    try {
      await this.removeAssignmentsOf(agentId, actor);
    } catch (error) {
      // The role is already gone: recovery drops what is left.
      this.writer.markAgentsToSweep();
      throw error;
    }
  }

  private async removeAssignmentsOf(agentId: string, actor: Actor): Promise<void> {
    const everything = Scope.unrestricted();
    const assignments = await this.assignments.find<
      Pick<DepartmentAgent, 'departmentId' | 'username'>
    >({ agentId }, everything, { projection: { departmentId: 1, username: 1 } });
    for (const { departmentId, username } of assignments) {
      await this.writer.withDepartments([departmentId], async (fence) => {
        const current = await this.departments.findById<
          Pick<Department, '_id' | 'enabled' | '_updatedAt'>
        >(departmentId, everything, { enabled: 1, _updatedAt: 1 });
        if (!current) return;
        await this.writer.run(
          historyEntry(actor, departmentId, 'agents', {
            agents: {
              added: [],
              removed: [agentId],
              changed: [],
              users: [{ _id: agentId, username }],
            },
          }),
          { ...this.updatePlan(current), removeAgentIds: [agentId] },
          fence,
        );
      });
    }
  }

  /** Every agent id that has an assignment (recovery's sweep: the system's, unscoped). */
  async assignedAgentIds(): Promise<string[]> {
    return this.assignments.agentIds(Scope.unrestricted());
  }

  async history(
    departmentId: string,
    page: Page,
    scope: Scope,
  ): Promise<{ history: HistoryRecord[]; total: number }> {
    return this.historyEntries.list(departmentId, page, scope);
  }

  /** An update plan that bumps the version and upserts `agents`; callers add the rest. */
  private updatePlan(
    current: Pick<Department, '_id' | 'enabled' | '_updatedAt'>,
    agents: AgentAssignmentDto[] = [],
    usernames = new Map<string, string>(),
    stored = new Map<string, StoredAssignment>(),
  ): Extract<DepartmentPlan, { kind: 'update' }> {
    return {
      kind: 'update',
      departmentId: current._id,
      version: nextVersion(current._updatedAt),
      set: {},
      unset: [],
      upsert: agents.map((agent) => ({
        agentId: agent.agentId,
        username: usernames.get(agent.agentId) as string,
        count: agent.count,
        order: agent.order,
        _id: stored.get(agent.agentId)?._id ?? randomId(),
        exists: stored.has(agent.agentId),
        ...(stored.get(agent.agentId)?.username === usernames.get(agent.agentId) && {
          usernameUnchanged: true,
        }),
      })),
      removeAgentIds: [],
      departmentEnabled: current.enabled,
      syncEnabled: false,
    };
  }

  /** The stored assignments (id, count, order, username) of the given agents in a department. */
  private async storedAssignments(
    departmentId: string,
    agentIds: string[],
    scope: Scope = Scope.unrestricted(),
  ): Promise<Map<string, StoredAssignment>> {
    if (agentIds.length === 0) return new Map();
    const found = await this.assignments.find<StoredAssignment & { agentId: string }>(
      { departmentId, agentId: { $in: agentIds } },
      scope,
      { projection: { agentId: 1, count: 1, order: 1, username: 1 } },
    );
    return new Map(found.map((assignment) => [assignment.agentId, assignment]));
  }

  /**
   * `changes` with the names of what their reference fields point at (departments, the
   * unit), from and to.
   */
  private async namedChanges(changes: FieldChange[]): Promise<FieldChange[]> {
    const named = (change: FieldChange) =>
      DEPARTMENT_REFERENCES.has(change.field) || change.field === 'parentId';
    const references = changes.filter(named);
    if (references.length === 0) return changes;
    const ids = [
      ...new Set(
        references
          .flatMap((change) => [change.from, change.to].flat())
          .filter((id): id is string => typeof id === 'string'),
      ),
    ];
    // Names for the history, whoever made the change: a reference may name any department.
    const everything = Scope.unrestricted();
    const [departments, units] = await Promise.all([
      this.departments.namesOf(ids, everything),
      this.units.namesOf(ids, everything),
    ]);
    const names = new Map([...departments, ...units]);
    return changes.map((change) => (named(change) ? withNames(change, names) : change));
  }

  // ---- rules -------------------------------------------------------------------------------

  /** The department to write: 400 when there is none, 403 when it is out of `scope`. */
  private async requireForWrite(
    id: string,
    scope: Scope,
  ): Promise<Pick<Department, '_id' | 'enabled' | 'archived' | '_updatedAt' | 'businessHourId'>> {
    const current = await this.departments.findById<
      Pick<
        Department,
        '_id' | 'enabled' | 'archived' | '_updatedAt' | 'parentId' | 'businessHourId'
      >
    >(id, Scope.unrestricted(), {
      enabled: 1,
      archived: 1,
      _updatedAt: 1,
      parentId: 1,
      businessHourId: 1,
    });
    if (!current) throw ApiError.departmentNotFound();
    scope.assertIncludes(current);
    return current;
  }

  /** 400 unless the unit exists (403 when it is not one of a monitor's). */
  private async requireUnit(unitId: string, scope: Scope): Promise<void> {
    if (!scope.includesUnit(unitId)) throw notAllowed();
    if (!(await this.units.exists(unitId, scope))) throw ApiError.unitNotFound();
  }

  /**
   * A department may move into an existing unit (a monitor: one of its own) and out of
   * its unit unless it is the last one there (a monitor too, as in Rocket.Chat: the
   * department then leaves its scope).
   */
  private async checkUnitMove(
    current: Pick<Department, '_id' | 'parentId'>,
    unitId: string | null,
    scope: Scope,
  ): Promise<void> {
    if (unitId === null) {
      // Counted unscoped: the unit's departments, whoever asks.
      const left = await this.departments.count(
        { parentId: current.parentId },
        Scope.unrestricted(),
      );
      if (left <= 1) {
        throw ApiError.badRequest(
          'error-unit-cant-be-empty',
          "The last department in a unit can't be removed",
        );
      }
      return;
    }
    await this.requireUnit(unitId, scope);
  }

  private checkClosingTags(department: Partial<Department>): void {
    if (department.requestTagBeforeClosingChat && !department.chatClosingTags?.length) {
      throw ApiError.badRequest(
        'error-validating-department-chat-closing-tags',
        'At least one closing tag is required when the department requires tags on closing chats',
      );
    }
  }

  /**
   * The fallback and forward targets named in `fields` must be existing departments: any
   * department, for a monitor too (Rocket.Chat lets a department forward out of its unit).
   */
  private async checkReferences(fields: Partial<Department>, selfId: string | undefined) {
    const fallback = fields.fallbackForwardDepartment;
    const forwards = fields.departmentsAllowedToForward ?? [];
    const ids = [...new Set(referencedIds(fields))].filter((id) => id !== selfId);
    if (ids.length === 0) return;
    const existing = new Set(
      await this.departments.ids({ _id: { $in: ids } }, Scope.unrestricted()),
    );
    if (fallback && fallback !== selfId && !existing.has(fallback)) {
      throw ApiError.badRequest(
        'error-fallback-department-not-found',
        'Fallback department not found',
      );
    }
    if (forwards.some((id) => id !== selfId && !existing.has(id)))
      throw ApiError.departmentNotFound();
  }

  /**
   * Checks that every agentId is distinct and names a user with the livechat-agent
   * role; returns their usernames.
   */
  private async resolveAgents(agents: AgentAssignmentDto[]): Promise<Map<string, string>> {
    const ids = agents.map((agent) => agent.agentId);
    if (new Set(ids).size !== ids.length) {
      throw ApiError.invalidParams('agents must not contain the same agentId twice');
    }
    const found = await this.users.findWithRole(ids, 'livechat-agent');
    const usernames = new Map(found.map((user) => [user._id, user.username]));
    const missing = ids.filter((id) => !usernames.has(id));
    if (missing.length) {
      throw ApiError.badRequest('error-agent-not-found', 'Agent not found', { agentIds: missing });
    }
    return usernames;
  }

  /**
   * Points departments at a custom business-hour schedule, or back to the default
   * (`undefined`), each through the journal with an `update` history entry that keeps the
   * schedules' names (`scheduleNames`: by id, of every schedule involved). Departments
   * that no longer exist, or already follow it, are skipped.
   */
  async setBusinessHour(
    departmentIds: string[],
    businessHourId: string | undefined,
    actor: Actor,
    scheduleNames: ReadonlyMap<string, string>,
  ): Promise<void> {
    await this.writer.withDepartments(departmentIds, async (fence) => {
      for (const id of departmentIds) {
        // Schedules are managed by holders of manage-livechat-business-hours: unrestricted.
        const current = await this.departments.findById<
          Pick<Department, '_id' | 'enabled' | '_updatedAt' | 'businessHourId'>
        >(id, Scope.unrestricted(), { enabled: 1, _updatedAt: 1, businessHourId: 1 });
        if (!current || current.businessHourId === businessHourId) continue;
        await this.writer.run(
          historyEntry(actor, id, 'update', {
            changes: [
              withNames(
                {
                  field: 'businessHourId',
                  from: current.businessHourId ?? null,
                  to: businessHourId ?? null,
                },
                scheduleNames,
              ),
            ],
          }),
          {
            ...this.updatePlan(current),
            ...(businessHourId === undefined
              ? { unset: ['businessHourId'] }
              : { set: { businessHourId } }),
          },
          fence,
        );
      }
    });
  }
}
