import { Injectable } from '@nestjs/common';
import { ApiError } from '../../common/api-error';
import { SettingsService } from '../../settings/settings.service';
import { UsersService } from '../../users/users.service';
import { BusinessHoursService } from '../business-hours/business-hours.service';
import { databaseUnavailable } from '../../common/envelope';
import { DepartmentWriter } from '../write-path/department-writer';
import { AssignmentsRepository } from '../departments/assignments.repository';
import { DepartmentsRepository } from '../departments/departments.repository';
import { DepartmentAgent } from '../departments/schemas/department-agent.schema';
import { Department } from '../departments/schemas/department.schema';
import type { Scope } from '../scope/scope';

type Candidate = Pick<DepartmentAgent, '_id' | 'agentId' | 'username' | 'count'>;

@Injectable()
export class RoutingService {
  constructor(
    private readonly departments: DepartmentsRepository,
    private readonly assignments: AssignmentsRepository,
    private readonly users: UsersService,
    private readonly settings: SettingsService,
    private readonly writer: DepartmentWriter,
    private readonly businessHours: BusinessHoursService,
  ) {}

  /**
   * Null when routing is manual or the department is closed (business hours). Otherwise
   * picks the available agent with the lowest count (then order, then username) and
   * increments that count, holding the department's write lease like every other write
   * to it: no increment is lost, across instances too, and no replay of an older
   * journaled write can run after it and overwrite the count.
   */
  async nextAgent(
    departmentId: string,
    scope: Scope,
  ): Promise<{ agentId: string; username: string } | null> {
    return this.writer.withDepartments([departmentId], async (fence) => {
      const department = await this.departments.findById<
        Pick<Department, '_id' | 'enabled' | 'archived' | 'businessHourId'>
      >(departmentId, scope, { enabled: 1, archived: 1, businessHourId: 1 });
      if (!department) throw ApiError.departmentNotFound();
      if (!department.enabled || department.archived) {
        throw ApiError.badRequest('error-department-disabled', 'The department is disabled');
      }
      if ((await this.settings.routingMethod()) === 'Manual_Selection') return null;
      if (!(await this.businessHours.isOpen(department.businessHourId))) return null;

      const candidates = await this.assignments.find<Candidate>({ departmentId }, scope, {
        projection: { _id: 1, agentId: 1, username: 1, count: 1 },
        sort: { count: 1, order: 1, username: 1 },
      });
      const available = await this.users.findAvailableAgentIds(
        candidates.map((candidate) => candidate.agentId),
      );
      const pick = candidates.find((candidate) => available.has(candidate.agentId));
      if (!pick) return null;
      await fence.claim();
      const counted = await this.assignments.incrementCount(pick, fence.epoch(departmentId), scope);
      // Refused by a later writer's stamp (this one was paused past its lease): not counted.
      if (!counted) throw databaseUnavailable();
      return { agentId: pick.agentId, username: pick.username };
    });
  }
}
