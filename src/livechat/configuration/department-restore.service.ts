import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Actor } from '../../auth/caller';
import { ApiError } from '../../common/api-error';
import type { Page } from '../../common/pagination';
import { SETTING_DEPARTMENT_RESTORE_DAYS } from '../../settings/setting-definitions';
import { SettingsService } from '../../settings/settings.service';
import { UsersService } from '../../users/users.service';
import { DepartmentsService } from '../departments/departments.service';
import type { Department } from '../departments/schemas/department.schema';
import { Scope } from '../scope/scope';
import { DepartmentRecovery } from '../write-path/department-recovery';
import { ConfigurationRepository } from './configuration.repository';
import {
  DepartmentConverger,
  DepartmentTarget,
  fieldsOf,
  MAX_PAGE,
  stateBefore,
  TargetAgent,
} from './department-state';

const DAY_MS = 24 * 60 * 60 * 1000;
const AGENT_ROLE = 'livechat-agent';

export interface DeletedDepartmentView {
  _id: string;
  name: string;
  deletedAt: Date;
  deletedBy: { _id: string; username: string };
}

/**
 * Undo (API.md §16): "restore this version" from a department's history, and deleted
 * departments kept for `Omnichannel_department_restore_days`, restorable, then purged.
 * Every write goes through DepartmentsService (the department write path), recorded as
 * new history entries.
 */
@Injectable()
export class DepartmentRestoreService implements OnModuleInit {
  constructor(
    private readonly repository: ConfigurationRepository,
    private readonly departments: DepartmentsService,
    private readonly converger: DepartmentConverger,
    private readonly users: UsersService,
    private readonly settings: SettingsService,
    private readonly recovery: DepartmentRecovery,
  ) {}

  onModuleInit(): void {
    this.departments.onDelete((department, agents, actor) =>
      this.repository.keepDeleted(department, agents, actor),
    );
    this.recovery.register({ prune: () => this.purge().then(() => undefined) });
  }

  /** Brings the department back to its state right after history entry `entryId`. */
  async restoreVersion(
    departmentId: string,
    entryId: string,
    actor: Actor,
    scope: Scope,
  ): Promise<{ department: Department }> {
    const current = await this.departments.findById(departmentId, Scope.unrestricted());
    if (!current) throw ApiError.departmentNotFound();
    scope.assertIncludes(current);
    const { history } = await this.departments.history(
      departmentId,
      { ...MAX_PAGE, sort: { ts: -1, _id: -1 } },
      scope,
    );
    const at = history.findIndex((entry) => entry._id === entryId);
    if (at === -1) {
      throw ApiError.badRequest('error-history-entry-not-found', 'History entry not found');
    }
    if (history[at].action === 'delete') {
      throw ApiError.badRequest(
        'error-history-entry-not-restorable',
        'A delete is undone from the recently deleted departments',
      );
    }
    const stored = await this.departments.allAgents(departmentId, scope);
    const agents = new Map<string, TargetAgent>(
      stored.map((a) => [a.agentId, { username: a.username, count: a.count, order: a.order }]),
    );
    const state = stateBefore(current, agents, history.slice(0, at));
    const target = await this.reachable(state.department, state.agents);
    await this.converger.converge(departmentId, target, actor, scope);
    return {
      department: (await this.departments.findById(
        departmentId,
        Scope.unrestricted(),
      )) as Department,
    };
  }

  async listDeleted(
    scope: Scope,
    page: Page,
  ): Promise<{ departments: DeletedDepartmentView[]; total: number }> {
    const since = new Date(Date.now() - (await this.retentionDays()) * DAY_MS);
    const { items, total } = await this.repository.listDeleted(
      {
        deletedAt: { $gte: since },
        ...(scope.isRestricted && { 'department.parentId': { $in: [...scope.unitIds] } }),
      },
      page,
    );
    // A snapshot of a delete that did not happen (refused after it was kept) is not listed.
    const live = await this.repository.existingDepartments(items.map((item) => item._id));
    return {
      departments: items
        .filter((item) => !live.has(item._id))
        .map(({ _id, name, deletedAt, deletedBy }) => ({ _id, name, deletedAt, deletedBy })),
      total: total - live.size,
    };
  }

  /** Brings a deleted department back under its id, with what of it still exists. */
  async restoreDeleted(
    id: string,
    actor: Actor,
    scope: Scope,
  ): Promise<{ department: Department }> {
    const kept = await this.repository.findDeleted(id);
    const since = Date.now() - (await this.retentionDays()) * DAY_MS;
    if (
      !kept ||
      new Date(kept.deletedAt).getTime() < since ||
      (await this.repository.departmentExists(id))
    ) {
      throw ApiError.badRequest(
        'error-department-not-found',
        'No restorable deleted department with this id',
      );
    }
    const agents = new Map<string, TargetAgent>(
      kept.agents.map((a) => [a.agentId, { username: a.username, count: a.count, order: a.order }]),
    );
    const target = await this.reachable(kept.department, agents);
    // A monitor restores only into one of its units (which must still exist).
    scope.assertIncludes({ parentId: target.unitId ?? null });
    const department = await this.converger.create(id, kept.department.name, target, actor, scope);
    await this.repository.dropDeleted(id);
    return { department };
  }

  /** Forgets the deleted departments older than the retention; returns how many. */
  async purge(): Promise<number> {
    return this.repository.purgeDeleted(
      new Date(Date.now() - (await this.retentionDays()) * DAY_MS),
    );
  }

  private async retentionDays(): Promise<number> {
    return Number(
      (await this.settings.readFresh([SETTING_DEPARTMENT_RESTORE_DAYS])).get(
        SETTING_DEPARTMENT_RESTORE_DAYS,
      ),
    );
  }

  /**
   * A past state as a target the write path accepts: agents who are still agents,
   * references, unit and schedule that still exist (the others are left out).
   */
  private async reachable(
    department: Partial<Department>,
    agents: Map<string, TargetAgent>,
  ): Promise<DepartmentTarget> {
    const fields = fieldsOf(department);
    const stillAgents = new Set(
      (await this.users.findWithRole([...agents.keys()], AGENT_ROLE)).map((user) => user._id),
    );
    const references = [
      ...fields.departmentsAllowedToForward,
      ...(fields.fallbackForwardDepartment ? [fields.fallbackForwardDepartment] : []),
    ];
    const existing = await this.repository.existingDepartments(references);
    const unitId = department.parentId ?? null;
    const scheduleId = department.businessHourId ?? null;
    return {
      name: department.name,
      fields: {
        ...fields,
        fallbackForwardDepartment:
          fields.fallbackForwardDepartment && existing.has(fields.fallbackForwardDepartment)
            ? fields.fallbackForwardDepartment
            : null,
        departmentsAllowedToForward: fields.departmentsAllowedToForward.filter((d) =>
          existing.has(d),
        ),
      },
      agents: new Map([...agents].filter(([agentId]) => stillAgents.has(agentId))),
      unitId: unitId === null || (await this.repository.unitExists(unitId)) ? unitId : undefined,
      businessHourId:
        scheduleId === null || (await this.repository.scheduleName(scheduleId)) !== null
          ? scheduleId
          : undefined,
    };
  }
}
