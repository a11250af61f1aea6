import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, QueryFilter } from 'mongoose';
import { ApiError } from '../../common/api-error';
import { randomId } from '../../common/ids';
import { DatabaseCircuit } from '../../database/database-circuit';
import { escapeRegExp, findPage, Page } from '../../common/pagination';
import { SettingsService } from '../../permissions/settings.service';
import { UsersService } from '../../users/users.service';
import type {
  Actor,
  AgentChanges,
  FieldChange,
  HistoryAction,
} from '../history/department-history.schema';
import { DepartmentHistoryService, HistoryRecord } from '../history/department-history.service';
import {
  agentChanges,
  DEPARTMENT_REFERENCES,
  definedFields,
  fieldChanges,
  StoredAssignment,
  withNames,
} from './department-changes';
import {
  DepartmentPlan,
  DepartmentWriter,
  nextVersion,
} from '../write-path/department-writer';
import { assertInScope, DepartmentScope, inScope, notAllowed } from '../units/unit-scope';
import { Unit } from '../units/unit.schema';
import { LivechatEvents } from '../livechat-events';
import { AgentAssignmentDto, SaveDepartmentDto } from './dto/department.dto';
import { DepartmentAgent } from './schemas/department-agent.schema';
import { Department } from './schemas/department.schema';

export interface DepartmentListFilter {
  text?: string;
  enabledOnly: boolean;
  excludeDepartmentId?: string;
  archived: 'exclude' | 'include' | 'only';
}

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
type Named = { _id: string; name: string };

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
  return unitId
    ? { parentId: unitId, ancestors: [unitId] }
    : { parentId: null, ancestors: null };
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

/** A history entry of `actor` for a write about to happen. */
function entry(
  actor: Actor,
  departmentId: string,
  action: HistoryAction,
  detail: { changes?: FieldChange[]; agents?: AgentChanges },
): HistoryRecord {
  return { _id: randomId(), departmentId, action, ...actor, ts: new Date(), ...detail };
}

/** The query condition that keeps a monitor to its units' departments. */
function scopeFilter(scope: DepartmentScope): QueryFilter<Department> {
  return scope === null ? {} : { parentId: { $in: scope.unitIds } };
}

export function etagOf(department: Pick<Department, '_id' | '_updatedAt'>): string {
  return `"${department._id}-${new Date(department._updatedAt).getTime()}"`;
}

@Injectable()
export class DepartmentsService {
  private readonly deleteObservers: DeleteObserver[] = [];

  constructor(
    @InjectModel(Department.name) private readonly departments: Model<Department>,
    @InjectModel(DepartmentAgent.name) private readonly assignments: Model<DepartmentAgent>,
    @InjectModel(Unit.name) private readonly units: Model<Unit>,
    private readonly users: UsersService,
    private readonly settings: SettingsService,
    private readonly writer: DepartmentWriter,
    private readonly historyEntries: DepartmentHistoryService,
    private readonly circuit: DatabaseCircuit,
    private readonly events: LivechatEvents,
  ) {}

  /** Registers an observer of deletes (see DeleteObserver). */
  onDelete(observer: DeleteObserver): void {
    this.deleteObservers.push(observer);
  }

  // ---- reads -------------------------------------------------------------------------------

  async findById(id: string): Promise<Department | null> {
    return this.circuit.findById<Department>(this.departments, id);
  }

  /** The department, or null when there is none or it is out of `scope`. */
  async findInScope(id: string, scope: DepartmentScope): Promise<Department | null> {
    const department = await this.findById(id);
    return inScope(scope, department) ? department : null;
  }

  /** 403 unless the department exists in `scope` (400 when it does not exist at all). */
  async assertReadable(id: string, scope: DepartmentScope): Promise<void> {
    if (scope === null) return;
    const department = await this.departments
      .findOne({ _id: id }, { parentId: 1 })
      .lean<Pick<Department, '_id' | 'parentId'>>();
    if (!department) throw ApiError.departmentNotFound();
    assertInScope(scope, department);
  }

  async list(
    filter: DepartmentListFilter,
    page: Page,
    scope: DepartmentScope = null,
  ): Promise<{ departments: Department[]; total: number }> {
    const query: QueryFilter<Department> = scopeFilter(scope);
    if (filter.archived === 'exclude') query.archived = { $ne: true };
    if (filter.archived === 'only') query.archived = true;
    if (filter.enabledOnly) query.enabled = true;
    if (filter.excludeDepartmentId !== undefined) query._id = { $ne: filter.excludeDepartmentId };
    if (filter.text) query.name = { $regex: escapeRegExp(filter.text), $options: 'i' };
    const { items, total } = await findPage(this.departments, query, page);
    return { departments: items, total };
  }

  async autocomplete(
    selector: AutocompleteSelector,
    showArchived: boolean,
    scope: DepartmentScope = null,
  ): Promise<{ _id: string; name: string }[]> {
    const query: QueryFilter<Department> = { ...selector.conditions, ...scopeFilter(scope) };
    if (!showArchived) query.archived = { $ne: true };
    if (selector.term) query.name = { $regex: `^${escapeRegExp(selector.term)}`, $options: 'i' };
    if (selector.exceptions?.length) query._id = { $nin: selector.exceptions };
    return this.departments
      .find(query, { _id: 1, name: 1 })
      .sort({ name: 1, _id: 1 })
      .limit(AUTOCOMPLETE_LIMIT)
      .lean<{ _id: string; name: string }[]>();
  }

  async listByIds(
    ids: string[],
    projection: DepartmentProjection | undefined,
    scope: DepartmentScope,
  ): Promise<Department[]> {
    return this.departments
      .find({ _id: { $in: ids }, ...scopeFilter(scope) }, projection)
      .sort({ name: 1, _id: 1 })
      .lean<Department[]>();
  }

  /** The departments that follow a business-hour schedule, by name. */
  async following(businessHourId: string): Promise<{ _id: string; name: string }[]> {
    return this.departments
      .find({ businessHourId }, { _id: 1, name: 1 })
      .sort({ name: 1, _id: 1 })
      .lean<{ _id: string; name: string }[]>();
  }

  async listAgents(
    departmentId: string,
    page: Page,
  ): Promise<{ agents: DepartmentAgent[]; total: number }> {
    const { items, total } = await findPage(this.assignments, { departmentId }, page);
    return { agents: items, total };
  }

  async allAgents(departmentId: string): Promise<DepartmentAgent[]> {
    return this.assignments
      .find({ departmentId })
      .sort({ username: 1, _id: 1 })
      .lean<DepartmentAgent[]>();
  }

  /** The agent's assignments, each with its department's name. */
  async departmentsOfAgent(
    agentId: string,
    enabledOnly: boolean,
  ): Promise<(DepartmentAgent & { departmentName?: string })[]> {
    const query: QueryFilter<DepartmentAgent> = { agentId };
    if (enabledOnly) query.departmentEnabled = true;
    const assignments = await this.assignments.find(query).lean<DepartmentAgent[]>();
    const names = new Map(
      (
        await this.departments
          .find({ _id: { $in: assignments.map((a) => a.departmentId) } }, { _id: 1, name: 1 })
          .lean<{ _id: string; name: string }[]>()
      ).map((department) => [department._id, department.name]),
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
    scope: DepartmentScope = null,
    options: { id?: string } = {},
  ): Promise<{ department: Department; agents: DepartmentAgent[] }> {
    const unitId = requestedUnit(body) ?? null;
    // A monitor creates departments inside its own units only (and so keeps seeing them).
    if (scope !== null && !(unitId && scope.unitIds.includes(unitId))) throw notAllowed();
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
        const existing = await this.findById(id);
        if (existing) return { department: existing, agents: await this.allAgents(id) };
      }
      const [usernames] = await Promise.all([
        this.resolveAgents(agents),
        this.checkReferences(fields, undefined),
        unitId && this.requireUnit(unitId),
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
        entry(actor, department._id, 'create', {
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
    options: { canAddAgents: boolean; ifMatch?: string; scope?: DepartmentScope },
    actor: Actor,
  ): Promise<{ department: Department; agents: DepartmentAgent[] }> {
    const { set: changes, unset } = definedFields(body.department);
    const agents = options.canAddAgents ? (body.agents ?? []) : [];
    const scope = options.scope ?? null;
    const requested = requestedUnit(body);
    // Also lease the departments this one will point at (see create()), and the units
    // it leaves and joins (their counts change).
    const leased = [id, ...referencedIds(changes), ...(requested ? [requested] : [])];
    let leftSchedule: string | undefined;
    const saved = await this.writer.withDepartments(leased, async (fence) => {
      const current = await this.findById(id);
      if (!current) throw ApiError.departmentNotFound();
      // A monitor may also take a department that is in no unit into one of its own.
      const intoOwnUnit = !current.parentId && !!requested && inScope(scope, { parentId: requested });
      if (!intoOwnUnit) assertInScope(scope, current);
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
        entry(actor, id, 'update', {
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
      const [department, assignments] = await Promise.all([this.findById(id), this.allAgents(id)]);
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
    scope: DepartmentScope = null,
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
        this.storedAssignments(id, [...upsertIds, ...removeIds]),
      ]);
      if (upsert.length === 0 && !removeIds.some((agentId) => stored.has(agentId))) return;
      const record = entry(actor, id, 'agents', {
        agents: agentChanges(upsert, removeIds, stored, usernames),
      });
      await this.writer.run(
        // The second request of a save (same user, same X-Request-Id): one history entry.
        await this.historyEntries.asPartOfSave(record),
        {
          ...this.updatePlan(current, upsert, usernames, stored),
          removeAgentIds: removeIds,
        },
        fence,
      );
    });
  }

  async remove(id: string, actor: Actor, scope: DepartmentScope = null): Promise<void> {
    if (!(await this.settings.isDepartmentRemovalEnabled())) {
      throw ApiError.bareBadRequest('error-department-removal-disabled');
    }
    const record = entry(actor, id, 'delete', {});
    let plan: DepartmentPlan = { kind: 'delete', departmentId: id };
    let leftSchedule: string | undefined;
    await this.writer.withDepartments([id], async (fence) => {
      const current = await this.findById(id);
      if (!current) throw ApiError.bareBadRequest('error-department-not-found');
      assertInScope(scope, current);
      leftSchedule = current.businessHourId;
      // Its unit loses a department: recounted under the unit's lease.
      fence.require([current.parentId ?? undefined]);
      if (this.deleteObservers.length) {
        const agents = await this.allAgents(id);
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
  async archive(id: string, actor: Actor, scope: DepartmentScope = null): Promise<void> {
    let leftSchedule: string | undefined;
    await this.writer.withDepartments([id], async (fence) => {
      const current = await this.requireForWrite(id, scope);
      if (current.archived) return;
      leftSchedule = current.businessHourId;
      const changes: FieldChange[] = [{ field: 'archived', from: false, to: true }];
      if (current.enabled) changes.push({ field: 'enabled', from: true, to: false });
      if (leftSchedule) changes.push({ field: 'businessHourId', from: leftSchedule, to: null });
      await this.writer.run(
        entry(actor, id, 'archive', { changes }),
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
  async unarchive(id: string, actor: Actor, scope: DepartmentScope = null): Promise<void> {
    await this.writer.withDepartments([id], async (fence) => {
      const current = await this.requireForWrite(id, scope);
      if (current.archived !== true) return;
      await this.writer.run(
        entry(actor, id, 'unarchive', {
          changes: [{ field: 'archived', from: true, to: false }],
        }),
        { ...this.updatePlan(current), set: { archived: false } },
        fence,
      );
    });
  }

  /** Drops every assignment of an agent (when the agent role is taken away). */
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
    const assignments = await this.assignments
      .find({ agentId }, { departmentId: 1, username: 1 })
      .lean<Pick<DepartmentAgent, 'departmentId' | 'username'>[]>();
    for (const { departmentId, username } of assignments) {
      await this.writer.withDepartments([departmentId], async (fence) => {
        const current = await this.departments
          .findOne({ _id: departmentId }, { enabled: 1, _updatedAt: 1 })
          .lean<Pick<Department, '_id' | 'enabled' | '_updatedAt'>>();
        if (!current) return;
        await this.writer.run(
          entry(actor, departmentId, 'agents', {
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

  /** Every agent id that has an assignment. */
  async assignedAgentIds(): Promise<string[]> {
    return (await this.assignments.distinct('agentId')) as string[];
  }

  async history(
    departmentId: string,
    page: Page,
  ): Promise<{ history: HistoryRecord[]; total: number }> {
    return this.historyEntries.list(departmentId, page);
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
  ): Promise<Map<string, StoredAssignment>> {
    if (agentIds.length === 0) return new Map();
    const found = await this.assignments
      .find(
        { departmentId, agentId: { $in: agentIds } },
        { agentId: 1, count: 1, order: 1, username: 1 },
      )
      .lean<(StoredAssignment & { agentId: string })[]>();
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
    const [departments, units] = await Promise.all([
      this.departments.find({ _id: { $in: ids } }, { _id: 1, name: 1 }).lean<Named[]>(),
      this.units.find({ _id: { $in: ids } }, { _id: 1, name: 1 }).lean<Named[]>(),
    ]);
    const names = new Map([...departments, ...units].map((doc) => [doc._id, doc.name]));
    return changes.map((change) => (named(change) ? withNames(change, names) : change));
  }

  // ---- rules -------------------------------------------------------------------------------

  private async requireForWrite(
    id: string,
    scope: DepartmentScope,
  ): Promise<Pick<Department, '_id' | 'enabled' | 'archived' | '_updatedAt' | 'businessHourId'>> {
    const current = await this.departments
      .findOne({ _id: id }, { enabled: 1, archived: 1, _updatedAt: 1, parentId: 1, businessHourId: 1 })
      .lean<
        Pick<Department, '_id' | 'enabled' | 'archived' | '_updatedAt' | 'parentId' | 'businessHourId'>
      >();
    if (!current) throw ApiError.departmentNotFound();
    assertInScope(scope, current);
    return current;
  }

  /** 400 unless the unit exists. */
  private async requireUnit(unitId: string): Promise<void> {
    if (!(await this.units.exists({ _id: unitId }))) throw ApiError.unitNotFound();
  }

  /**
   * A department may move into an existing unit (a monitor: one of its own) and out of
   * its unit unless it is the last one there (a monitor too, as in Rocket.Chat: the
   * department then leaves its scope).
   */
  private async checkUnitMove(
    current: Pick<Department, '_id' | 'parentId'>,
    unitId: string | null,
    scope: DepartmentScope,
  ): Promise<void> {
    if (unitId === null) {
      const left = await this.departments.countDocuments({ parentId: current.parentId });
      if (left <= 1) {
        throw ApiError.badRequest(
          'error-unit-cant-be-empty',
          "The last department in a unit can't be removed",
        );
      }
      return;
    }
    if (scope !== null && !scope.unitIds.includes(unitId)) throw notAllowed();
    await this.requireUnit(unitId);
  }

  private checkClosingTags(department: Partial<Department>): void {
    if (department.requestTagBeforeClosingChat && !department.chatClosingTags?.length) {
      throw ApiError.badRequest(
        'error-validating-department-chat-closing-tags',
        'At least one closing tag is required when the department requires tags on closing chats',
      );
    }
  }

  /** The fallback and forward targets named in `fields` must be existing departments. */
  private async checkReferences(fields: Partial<Department>, selfId: string | undefined) {
    const fallback = fields.fallbackForwardDepartment;
    const forwards = fields.departmentsAllowedToForward ?? [];
    const ids = [...new Set(referencedIds(fields))].filter((id) => id !== selfId);
    if (ids.length === 0) return;
    const existing = new Set(
      (
        await this.departments.find({ _id: { $in: ids } }, { _id: 1 }).lean<{ _id: string }[]>()
      ).map((department) => department._id),
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
        const current = await this.departments
          .findOne({ _id: id }, { enabled: 1, _updatedAt: 1, businessHourId: 1 })
          .lean<Pick<Department, '_id' | 'enabled' | '_updatedAt' | 'businessHourId'>>();
        if (!current || current.businessHourId === businessHourId) continue;
        await this.writer.run(
          entry(actor, id, 'update', {
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
