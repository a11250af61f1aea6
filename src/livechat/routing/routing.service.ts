import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { ApiError } from '../../common/api-error';
import { DatabaseCircuit } from '../../database/database-circuit';
import { SettingsService } from '../../permissions/settings.service';
import { UsersService } from '../../users/users.service';
import { BusinessHoursService } from '../business-hours/business-hours.service';
import { databaseUnavailable } from '../../common/envelope';
import { DepartmentWriter } from '../write-path/department-writer';
import { fenced, stamped } from '../write-path/fencing';
import { DepartmentAgent } from '../departments/schemas/department-agent.schema';
import { Department } from '../departments/schemas/department.schema';

type Candidate = Pick<DepartmentAgent, '_id' | 'agentId' | 'username' | 'count'>;

@Injectable()
export class RoutingService {
  constructor(
    @InjectModel(Department.name) private readonly departments: Model<Department>,
    @InjectModel(DepartmentAgent.name) private readonly assignments: Model<DepartmentAgent>,
    private readonly users: UsersService,
    private readonly settings: SettingsService,
    private readonly writer: DepartmentWriter,
    private readonly businessHours: BusinessHoursService,
    private readonly circuit: DatabaseCircuit,
  ) {}

  /**
   * Null when routing is manual or the department is closed (business hours). Otherwise
   * picks the available agent with the lowest count (then order, then username) and
   * increments that count, holding the department's write lease like every other write
   * to it: no increment is lost, across instances too, and no replay of an older
   * journaled write can run after it and overwrite the count.
   */
  async nextAgent(departmentId: string): Promise<{ agentId: string; username: string } | null> {
    return this.writer.withDepartments([departmentId], async (fence) => {
      const department = await this.circuit.findById<
        Pick<Department, '_id' | 'enabled' | 'archived' | 'businessHourId'>
      >(this.departments, departmentId, { enabled: 1, archived: 1, businessHourId: 1 });
      if (!department) throw ApiError.departmentNotFound();
      if (!department.enabled || department.archived) {
        throw ApiError.badRequest('error-department-disabled', 'The department is disabled');
      }
      if ((await this.settings.routingMethod()) === 'Manual_Selection') return null;
      if (!(await this.businessHours.isOpen(department.businessHourId))) return null;

      const candidates = await this.assignments
        .find({ departmentId }, { _id: 1, agentId: 1, username: 1, count: 1 })
        .sort({ count: 1, order: 1, username: 1 })
        .lean<Candidate[]>();
      const available = await this.users.findAvailableAgentIds(
        candidates.map((candidate) => candidate.agentId),
      );
      const pick = candidates.find((candidate) => available.has(candidate.agentId));
      if (!pick) return null;
      await fence.claim();
      const epoch = fence.epoch(departmentId);
      const { matchedCount } = await this.assignments.updateOne(fenced({ _id: pick._id }, epoch), {
        $inc: { count: 1 },
        $set: stamped({ _updatedAt: new Date() }, epoch),
      });
      // Refused by a later writer's stamp (this one was paused past its lease): not counted.
      if (matchedCount === 0) throw databaseUnavailable();
      return { agentId: pick.agentId, username: pick.username };
    });
  }
}
