import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { ApiError } from '../../common/api-error';
import { SettingsService } from '../../permissions/settings.service';
import { UsersService } from '../../users/users.service';
import { BusinessHoursService } from '../business-hours/business-hours.service';
import { DepartmentLocks } from '../department-locks';
import { DepartmentAgent } from '../departments/schemas/department-agent.schema';
import { Department } from '../departments/schemas/department.schema';

type Candidate = Pick<DepartmentAgent, '_id' | 'agentId' | 'username' | 'count'>;

/** Retries when another instance took the same agent first (compare-and-set miss). */
const MAX_ATTEMPTS = 10;

@Injectable()
export class RoutingService {
  constructor(
    @InjectModel(Department.name) private readonly departments: Model<Department>,
    @InjectModel(DepartmentAgent.name) private readonly assignments: Model<DepartmentAgent>,
    private readonly users: UsersService,
    private readonly settings: SettingsService,
    private readonly locks: DepartmentLocks,
    private readonly businessHours: BusinessHoursService,
  ) {}

  /**
   * Null when routing is manual or the department is closed (business hours). Otherwise
   * picks the available agent with the lowest count (then order, then username) and
   * increments that count. Under the department lock on this instance, and with a
   * compare-and-set on `count` across instances, no increment is lost or doubled.
   */
  async nextAgent(departmentId: string): Promise<{ agentId: string; username: string } | null> {
    return this.locks.run(departmentId, async () => {
      const department = await this.departments
        .findOne({ _id: departmentId }, { enabled: 1, archived: 1, businessHourId: 1 })
        .lean<Pick<Department, '_id' | 'enabled' | 'archived' | 'businessHourId'>>();
      if (!department) throw ApiError.departmentNotFound();
      if (!department.enabled || department.archived) {
        throw ApiError.badRequest('error-department-disabled', 'The department is disabled');
      }
      if ((await this.settings.routingMethod()) === 'Manual_Selection') return null;
      if (!(await this.businessHours.isOpen(department.businessHourId))) return null;

      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const candidates = await this.assignments
          .find({ departmentId }, { _id: 1, agentId: 1, username: 1, count: 1 })
          .sort({ count: 1, order: 1, username: 1 })
          .lean<Candidate[]>();
        const available = await this.users.findAvailableAgentIds(
          candidates.map((candidate) => candidate.agentId),
        );
        const pick = candidates.find((candidate) => available.has(candidate.agentId));
        if (!pick) return null;
        const { modifiedCount } = await this.assignments.updateOne(
          { _id: pick._id, count: pick.count },
          { $inc: { count: 1 }, $set: { _updatedAt: new Date() } },
        );
        if (modifiedCount === 1) return { agentId: pick.agentId, username: pick.username };
      }
      throw new Error(`next-agent: no stable pick for department ${departmentId}`);
    });
  }
}
