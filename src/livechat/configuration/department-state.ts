import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/caller';
import { ApiError } from '../../common/api-error';
import type { Page } from '../../common/pagination';
import { DepartmentsService } from '../departments/departments.service';
import type { DepartmentDto, SaveDepartmentDto } from '../departments/dto/department.dto';
import type { Department } from '../departments/schemas/department.schema';
import type { HistoryRecord } from '../history/department-history.service';
import { Scope } from '../scope/scope';
import type { DepartmentConfig } from './configuration-document';
import { ConfigurationRepository } from './configuration.repository';

/** Every item at once, for the reads that need a whole (small) collection. */
export const MAX_PAGE: Page = { offset: 0, count: 1_000_000, sort: { _id: 1 } };

/**
 * The department fields a configuration sets, null for "not set": the document's shape
 * without agents, with ids where the document names other departments.
 */
export type DepartmentFields = Omit<DepartmentConfig, 'agents'>;

export interface TargetAgent {
  username: string;
  count: number;
  order: number;
}

/** The state to bring a department to. */
export interface DepartmentTarget {
  /** undefined: keep the name (a configuration names its departments by their name). */
  name?: string;
  fields: DepartmentFields;
  /** By agent id. */
  agents: Map<string, TargetAgent>;
  /** undefined: leave the unit as it is; null: in no unit. */
  unitId?: string | null;
  /** undefined: leave the schedule as it is; null: the default one. */
  businessHourId?: string | null;
}

/** A stored department's fields in DepartmentFields' terms. */
export function fieldsOf(department: Partial<Department>): DepartmentFields {
  const value = <T>(v: T | undefined | null): T | null =>
    v === undefined || v === null || (v as unknown) === '' ? null : v;
  return {
    email: department.email as string,
    enabled: department.enabled === true,
    archived: department.archived === true,
    showOnRegistration: department.showOnRegistration === true,
    showOnOfflineForm: department.showOnOfflineForm === true,
    description: value(department.description),
    requestTagBeforeClosingChat: value(department.requestTagBeforeClosingChat),
    chatClosingTags: department.chatClosingTags?.length ? department.chatClosingTags : null,
    fallbackForwardDepartment: value(department.fallbackForwardDepartment),
    departmentsAllowedToForward: department.departmentsAllowedToForward ?? [],
    allowReceiveForwardOffline: value(department.allowReceiveForwardOffline),
    offlineMessageChannelName: value(department.offlineMessageChannelName),
    abandonedRoomsCloseCustomMessage: value(department.abandonedRoomsCloseCustomMessage),
    waitingQueueMessage: value(department.waitingQueueMessage),
    maxNumberSimultaneousChat: value(department.maxNumberSimultaneousChat),
    visitorInactivityTimeoutInSeconds: value(department.visitorInactivityTimeoutInSeconds),
  };
}

/** The body of a department save that sets exactly `fields` (null clears). */
function departmentDto(name: string, fields: DepartmentFields): DepartmentDto {
  const { archived, departmentsAllowedToForward, ...rest } = fields;
  return {
    ...rest,
    name,
    // An archived department is disabled (and a save may not enable it).
    enabled: fields.enabled && !archived,
    departmentsAllowedToForward: departmentsAllowedToForward.length
      ? departmentsAllowedToForward
      : null,
  } as DepartmentDto;
}

/**
 * The department as it was right after history entry `newer`'s predecessors: `current`
 * with the changes of `newer` (newest first) undone. Agents added since leave, agents
 * removed since come back (with the count and order they had, when the history knows them).
 */
export function stateBefore(
  current: Department,
  agents: Map<string, TargetAgent>,
  newer: HistoryRecord[],
): { department: Partial<Department>; agents: Map<string, TargetAgent> } {
  const department: Record<string, unknown> = { ...current };
  const state = new Map(agents);
  for (const entry of newer) {
    for (const change of entry.changes ?? []) {
      if (change.from === null || change.from === undefined) delete department[change.field];
      else department[change.field] = change.from;
    }
    const changes = entry.agents;
    if (!changes) continue;
    for (const agentId of changes.added) state.delete(agentId);
    for (const agentId of changes.removed) {
      const username = changes.users?.find((user) => user._id === agentId)?.username;
      if (username && !state.has(agentId)) state.set(agentId, { username, count: 0, order: 0 });
    }
  }
  return { department: department as Partial<Department>, agents: state };
}

/**
 * Brings one department to a target state through DepartmentsService (so through the
 * department write path): a save of its fields and new agents, the removal of the others
 * (folded into the same history entry: same request), then archive and schedule.
 */
@Injectable()
export class DepartmentConverger {
  constructor(
    private readonly departments: DepartmentsService,
    private readonly repository: ConfigurationRepository,
  ) {}

  /** Creates the department under `id` (nothing when a replay finds it created). */
  async create(
    id: string,
    name: string,
    target: DepartmentTarget,
    actor: Actor,
    scope: Scope,
  ): Promise<Department> {
    const existing = await this.repository.existingDepartments([
      ...target.fields.departmentsAllowedToForward,
      ...(target.fields.fallbackForwardDepartment ? [target.fields.fallbackForwardDepartment] : []),
    ]);
    const fields = {
      ...target.fields,
      fallbackForwardDepartment:
        target.fields.fallbackForwardDepartment &&
        existing.has(target.fields.fallbackForwardDepartment)
          ? target.fields.fallbackForwardDepartment
          : null,
      departmentsAllowedToForward: target.fields.departmentsAllowedToForward.filter((d) =>
        existing.has(d),
      ),
    };
    const body: SaveDepartmentDto = {
      department: departmentDto(name, fields),
      agents: [...target.agents].map(([agentId, agent]) => ({
        agentId,
        count: agent.count,
        order: agent.order,
      })),
      ...(target.unitId && { departmentUnit: { _id: target.unitId } }),
    };
    const { department } = await this.departments.create(body, actor, scope, { id });
    if (target.fields.archived && !department.archived) {
      await this.departments.archive(id, actor, scope);
    }
    if (target.businessHourId) {
      const name = await this.repository.scheduleName(target.businessHourId);
      if (name !== null) {
        await this.departments.setBusinessHour(
          [id],
          target.businessHourId,
          actor,
          new Map([[target.businessHourId, name]]),
        );
      }
    }
    return (await this.departments.findById(id, Scope.unrestricted())) ?? department;
  }

  async converge(id: string, target: DepartmentTarget, actor: Actor, scope: Scope): Promise<void> {
    const current = await this.departments.findById(id, scope);
    if (!current) throw ApiError.departmentNotFound();
    const stored = await this.departments.allAgents(id, scope);
    if (current.archived && !target.fields.archived) {
      await this.departments.unarchive(id, actor, scope);
    }
    const upsert = [...target.agents]
      .filter(([agentId, agent]) => {
        const before = stored.find((assignment) => assignment.agentId === agentId);
        return !before || before.count !== agent.count || before.order !== agent.order;
      })
      .map(([agentId, agent]) => ({ agentId, count: agent.count, order: agent.order }));
    const unitChanges = target.unitId !== undefined && (current.parentId ?? null) !== target.unitId;
    await this.departments.update(
      id,
      {
        department: departmentDto(target.name ?? current.name, target.fields),
        agents: upsert,
        ...(unitChanges && { departmentUnit: target.unitId ? { _id: target.unitId } : {} }),
      },
      { canAddAgents: true, scope },
      actor,
    );
    const removed = stored.filter((assignment) => !target.agents.has(assignment.agentId));
    if (removed.length) {
      await this.departments.updateAgents(
        id,
        [],
        removed.map((assignment) => ({ agentId: assignment.agentId })),
        actor,
        scope,
      );
    }
    if (target.fields.archived && !current.archived) {
      await this.departments.archive(id, actor, scope);
    }
    if (
      target.businessHourId !== undefined &&
      (current.businessHourId ?? null) !== target.businessHourId
    ) {
      const names = new Map<string, string>();
      for (const scheduleId of [current.businessHourId, target.businessHourId]) {
        const name = scheduleId ? await this.repository.scheduleName(scheduleId) : null;
        if (scheduleId && name !== null) names.set(scheduleId, name);
      }
      await this.departments.setBusinessHour(
        [id],
        target.businessHourId ?? undefined,
        actor,
        names,
      );
    }
  }
}
