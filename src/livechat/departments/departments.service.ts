import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { AnyBulkWriteOperation, Model, QueryFilter } from 'mongoose';
import { ApiError } from '../../common/api-error';
import { byId } from '../../common/by-id';
import { randomId } from '../../common/ids';
import { escapeRegExp, findPage, Page } from '../../common/pagination';
import { SettingsService } from '../../permissions/settings.service';
import { UsersService } from '../../users/users.service';
import { DepartmentLocks } from '../department-locks';
import { LivechatEvents } from '../livechat-events';
import { AgentAssignmentDto, DepartmentDto, SaveDepartmentDto } from './dto/department.dto';
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

export type DepartmentProjection = Record<string, 0 | 1>;

const AUTOCOMPLETE_LIMIT = 100;

/** The department fields a DTO actually carries (class instances may hold `undefined`). */
function definedFields(dto: DepartmentDto): Partial<Department> {
  return Object.fromEntries(
    Object.entries(dto).filter(([, value]) => value !== undefined),
  ) as Partial<Department>;
}

/** Strictly increasing `_updatedAt`, so it can serve as the department's version (ETag). */
function nextVersion(previous: Date): Date {
  return new Date(Math.max(Date.now(), previous.getTime() + 1));
}

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
  constructor(
    @InjectModel(Department.name) private readonly departments: Model<Department>,
    @InjectModel(DepartmentAgent.name) private readonly assignments: Model<DepartmentAgent>,
    private readonly users: UsersService,
    private readonly settings: SettingsService,
    private readonly locks: DepartmentLocks,
    private readonly events: LivechatEvents,
  ) {}

  // ---- reads -------------------------------------------------------------------------------

  async findById(id: string): Promise<Department | null> {
    // The driver's collection: a lookup by _id needs none of Mongoose's casting or middleware,
    // and this is the hottest read (GET department/:_id, every write's first step).
    return this.departments.collection.findOne<Department>(byId(id));
  }

  async list(
    filter: DepartmentListFilter,
    page: Page,
  ): Promise<{ departments: Department[]; total: number }> {
    const query: QueryFilter<Department> = {};
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
  ): Promise<{ _id: string; name: string }[]> {
    const query: QueryFilter<Department> = { ...selector.conditions };
    if (!showArchived) query.archived = { $ne: true };
    if (selector.term) query.name = { $regex: `^${escapeRegExp(selector.term)}`, $options: 'i' };
    if (selector.exceptions?.length) query._id = { $nin: selector.exceptions };
    return this.departments
      .find(query, { _id: 1, name: 1 })
      .sort({ name: 1, _id: 1 })
      .limit(AUTOCOMPLETE_LIMIT)
      .lean<{ _id: string; name: string }[]>();
  }

  async listByIds(ids: string[], projection?: DepartmentProjection): Promise<Department[]> {
    return this.departments
      .find({ _id: { $in: ids } }, projection)
      .sort({ name: 1, _id: 1 })
      .lean<Department[]>();
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

  /** Creates a department and its agents; everything is validated before anything is written. */
  async create(body: SaveDepartmentDto): Promise<{
    department: Department;
    agents: DepartmentAgent[];
  }> {
    const fields = definedFields(body.department);
    const agents = body.agents ?? [];
    this.checkClosingTags(fields);
    // Referenced departments stay locked until the insert, so a concurrent DELETE of
    // one of them either happens first (400 here) or cleans our reference after us.
    return this.locks.runAll(referencedIds(fields), async () => {
      const [usernames] = await Promise.all([
        this.resolveAgents(agents),
        this.checkReferences(fields, undefined),
      ]);

      const now = new Date();
      const department: Department = {
        ...(fields as DepartmentDto),
        _id: randomId(),
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

      await this.departments.insertMany([department], { lean: true });
      try {
        if (assignments.length) await this.assignments.insertMany(assignments, { lean: true });
      } catch (error) {
        // No transactions on FerretDB: undo the department so a failed request leaves nothing.
        await this.assignments.deleteMany({ departmentId: department._id }).catch(() => undefined);
        await this.departments.deleteOne({ _id: department._id }).catch(() => undefined);
        throw error;
      }
      this.events.departmentsChanged();
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
    options: { canAddAgents: boolean; ifMatch?: string },
  ): Promise<{ department: Department; agents: DepartmentAgent[] }> {
    const changes = definedFields(body.department);
    const agents = options.canAddAgents ? (body.agents ?? []) : [];
    // Also lock the departments this one will point at (see create()).
    return this.locks.runAll([id, ...referencedIds(changes)], async () => {
      const current = await this.findById(id);
      if (!current) throw ApiError.departmentNotFound();
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
      this.checkClosingTags({ ...current, ...changes });
      const [usernames] = await Promise.all([
        this.resolveAgents(agents),
        this.checkReferences(changes, id),
      ]);

      const version = nextVersion(current._updatedAt);
      const written = await this.departments.updateOne(
        { _id: id, _updatedAt: current._updatedAt },
        { $set: { ...changes, _updatedAt: version } },
      );
      // Another instance wrote in between (only possible with several instances).
      if (written.matchedCount === 0) throw ApiError.preconditionFailed();

      const enabled = changes.enabled ?? current.enabled;
      const inserted = await this.upsertAssignments(id, agents, usernames, enabled, version);
      if (inserted)
        await this.departments.updateOne({ _id: id }, { $inc: { numAgents: inserted } });
      if (enabled !== current.enabled) {
        await this.assignments.updateMany(
          { departmentId: id },
          { $set: { departmentEnabled: enabled, _updatedAt: version } },
        );
      }
      this.events.departmentsChanged();
      const [department, assignments] = await Promise.all([this.findById(id), this.allAgents(id)]);
      return { department: department as Department, agents: assignments };
    });
  }

  /** Upserts and removes agents of a department; all is validated before any write. */
  async updateAgents(
    id: string,
    upsert: AgentAssignmentDto[],
    remove: { agentId: string }[],
  ): Promise<void> {
    const upsertIds = new Set(upsert.map((agent) => agent.agentId));
    const removeIds = [...new Set(remove.map((agent) => agent.agentId))];
    const both = removeIds.find((agentId) => upsertIds.has(agentId));
    if (both !== undefined) {
      throw ApiError.invalidParams(`agent ${both} cannot be both upserted and removed`);
    }
    await this.locks.run(id, async () => {
      const current = await this.departments
        .findOne({ _id: id }, { enabled: 1, _updatedAt: 1 })
        .lean<Pick<Department, '_id' | 'enabled' | '_updatedAt'>>();
      if (!current) throw ApiError.departmentNotFound();
      const usernames = await this.resolveAgents(upsert);

      const version = nextVersion(current._updatedAt);
      const inserted = await this.upsertAssignments(
        id,
        upsert,
        usernames,
        current.enabled,
        version,
      );
      const removed = removeIds.length
        ? (await this.assignments.deleteMany({ departmentId: id, agentId: { $in: removeIds } }))
            .deletedCount
        : 0;
      if (upsert.length || removed) {
        await this.departments.updateOne(
          { _id: id },
          { $inc: { numAgents: inserted - removed }, $set: { _updatedAt: version } },
        );
      }
      this.events.departmentsChanged();
    });
  }

  async remove(id: string): Promise<void> {
    if (!(await this.settings.isDepartmentRemovalEnabled())) {
      throw ApiError.bareBadRequest('error-department-removal-disabled');
    }
    await this.locks.run(id, async () => {
      const deleted = await this.departments.deleteOne({ _id: id });
      if (deleted.deletedCount === 0) throw ApiError.bareBadRequest('error-department-not-found');
      await this.assignments.deleteMany({ departmentId: id });
      this.events.departmentsChanged();
    });
    // Unlike Rocket.Chat, no department is left pointing at the deleted one.
    const referencing = await this.departments
      .find(
        { $or: [{ fallbackForwardDepartment: id }, { departmentsAllowedToForward: id }] },
        { _id: 1 },
      )
      .lean<{ _id: string }[]>();
    for (const { _id: otherId } of referencing) {
      await this.locks.run(otherId, () => this.dropReference(otherId, id));
    }
  }

  private async dropReference(departmentId: string, removedId: string): Promise<void> {
    const department = await this.departments
      .findOne(
        { _id: departmentId },
        { fallbackForwardDepartment: 1, departmentsAllowedToForward: 1, _updatedAt: 1 },
      )
      .lean<Department>();
    if (!department) return;
    const update: { $set: Partial<Department>; $unset?: Record<string, 1> } = {
      $set: { _updatedAt: nextVersion(department._updatedAt) },
    };
    if (department.departmentsAllowedToForward?.includes(removedId)) {
      update.$set.departmentsAllowedToForward = department.departmentsAllowedToForward.filter(
        (forwardId) => forwardId !== removedId,
      );
    }
    if (department.fallbackForwardDepartment === removedId) {
      update.$unset = { fallbackForwardDepartment: 1 };
    }
    await this.departments.updateOne({ _id: departmentId }, update);
  }

  /** Archives (and disables) a department; archiving twice changes nothing. */
  async archive(id: string): Promise<void> {
    await this.locks.run(id, async () => {
      const current = await this.requireForWrite(id);
      if (current.archived) return;
      await this.departments.updateOne(
        { _id: id },
        { $set: { archived: true, enabled: false, _updatedAt: nextVersion(current._updatedAt) } },
      );
      await this.assignments.updateMany(
        { departmentId: id },
        { $set: { departmentEnabled: false } },
      );
      this.events.departmentsChanged();
    });
  }

  /** Unarchives a department; it stays disabled until a PUT enables it. */
  async unarchive(id: string): Promise<void> {
    await this.locks.run(id, async () => {
      const current = await this.requireForWrite(id);
      if (current.archived !== true) return;
      await this.departments.updateOne(
        { _id: id },
        { $set: { archived: false, _updatedAt: nextVersion(current._updatedAt) } },
      );
      await this.assignments.updateMany(
        { departmentId: id },
        { $set: { departmentEnabled: current.enabled } },
      );
      this.events.departmentsChanged();
    });
  }

  /** Drops every assignment of an agent (when the agent role is taken away). */
  async removeAgentEverywhere(agentId: string): Promise<void> {
    const departmentIds = (await this.assignments.distinct('departmentId', {
      agentId,
    })) as string[];
    for (const departmentId of departmentIds) {
      await this.locks.run(departmentId, async () => {
        const { deletedCount } = await this.assignments.deleteOne({ departmentId, agentId });
        const current = await this.departments
          .findOne({ _id: departmentId }, { _updatedAt: 1 })
          .lean<Pick<Department, '_id' | '_updatedAt'>>();
        if (deletedCount && current) {
          await this.departments.updateOne(
            { _id: departmentId },
            {
              $inc: { numAgents: -deletedCount },
              $set: { _updatedAt: nextVersion(current._updatedAt) },
            },
          );
        }
      });
    }
    this.events.departmentsChanged();
  }

  // ---- rules -------------------------------------------------------------------------------

  private async requireForWrite(
    id: string,
  ): Promise<Pick<Department, '_id' | 'enabled' | 'archived' | '_updatedAt'>> {
    const current = await this.departments
      .findOne({ _id: id }, { enabled: 1, archived: 1, _updatedAt: 1 })
      .lean<Pick<Department, '_id' | 'enabled' | 'archived' | '_updatedAt'>>();
    if (!current) throw ApiError.departmentNotFound();
    return current;
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
   * Upserts assignments; a `count`/`order` that is given replaces the stored one, an
   * omitted one is kept (0 for a new assignment). Returns how many were inserted.
   */
  private async upsertAssignments(
    departmentId: string,
    agents: AgentAssignmentDto[],
    usernames: Map<string, string>,
    departmentEnabled: boolean,
    now: Date,
  ): Promise<number> {
    if (agents.length === 0) return 0;
    const operations: AnyBulkWriteOperation<DepartmentAgent>[] = agents.map((agent) => {
      const given: Partial<DepartmentAgent> = {};
      const defaults: Partial<DepartmentAgent> = { _id: randomId() };
      if (agent.count === undefined) defaults.count = 0;
      else given.count = agent.count;
      if (agent.order === undefined) defaults.order = 0;
      else given.order = agent.order;
      return {
        updateOne: {
          filter: { departmentId, agentId: agent.agentId },
          update: {
            $set: {
              ...given,
              username: usernames.get(agent.agentId) as string,
              departmentEnabled,
              _updatedAt: now,
            },
            $setOnInsert: defaults,
          },
          upsert: true,
        },
      };
    });
    const result = await this.assignments.bulkWrite(operations, { ordered: true });
    return result.upsertedCount;
  }

  /**
   * Points departments at a custom business-hour schedule, or back to the default
   * (`undefined`). Departments that no longer exist are skipped; returns the ids changed.
   */
  async setBusinessHour(
    departmentIds: string[],
    businessHourId: string | undefined,
  ): Promise<string[]> {
    const changed: string[] = [];
    await this.locks.runAll(departmentIds, async () => {
      for (const id of departmentIds) {
        const current = await this.departments
          .findOne({ _id: id }, { _updatedAt: 1 })
          .lean<Pick<Department, '_id' | '_updatedAt'>>();
        if (!current) continue;
        const version = nextVersion(current._updatedAt);
        await this.departments.updateOne(
          { _id: id },
          businessHourId === undefined
            ? { $unset: { businessHourId: 1 }, $set: { _updatedAt: version } }
            : { $set: { businessHourId, _updatedAt: version } },
        );
        changed.push(id);
      }
      this.events.departmentsChanged();
    });
    return changed;
  }
}
