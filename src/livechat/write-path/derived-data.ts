import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { UsersService } from '../../users/users.service';
import { BusinessHour } from '../business-hours/business-hour.schema';
import { DepartmentAgent } from '../departments/schemas/department-agent.schema';
import { Department } from '../departments/schemas/department.schema';
import { Unit, UnitMonitor } from '../units/unit.schema';
import { fenced, stamped } from './fencing';
import type { DepartmentFence } from './department-leases';

/** The fields of a department that name another document. */
type References = Pick<
  Department,
  '_id' | 'enabled' | 'fallbackForwardDepartment' | 'departmentsAllowedToForward' | 'businessHourId'
> & { parentId?: string };

/**
 * The Rocket.Chat-shaped data derived from the departments' state: `numAgents`, the
 * assignments' `departmentEnabled`, no assignment of a missing department or of a user
 * who lost the agent role, units' `numDepartments`/`numMonitors`, and no reference to a
 * missing document. Everything here is idempotent and fenced: it brings the derived data
 * in line with what is stored, so the next writer or a recovery pass can always run it
 * again. The caller holds the leases of what it names.
 */
@Injectable()
export class DerivedData {
  private readonly logger = new Logger(DerivedData.name);

  constructor(
    @InjectModel(Department.name) private readonly departments: Model<Department>,
    @InjectModel(DepartmentAgent.name) private readonly assignments: Model<DepartmentAgent>,
    @InjectModel(BusinessHour.name) private readonly businessHours: Model<BusinessHour>,
    @InjectModel(Unit.name) private readonly units: Model<Unit>,
    @InjectModel(UnitMonitor.name) private readonly unitMonitors: Model<UnitMonitor>,
    private readonly users: UsersService,
  ) {}

  /**
   * Restores everything derived from a department and its references. The id may be a
   * unit's (unit writes are journaled the same way): a missing department is recounted
   * as a unit.
   */
  async repair(departmentId: string, fence: DepartmentFence): Promise<void> {
    const epoch = fence.epoch(departmentId);
    const department = await this.departments
      .findOne(
        { _id: departmentId },
        {
          enabled: 1,
          fallbackForwardDepartment: 1,
          departmentsAllowedToForward: 1,
          businessHourId: 1,
          parentId: 1,
        },
      )
      .lean<References>();
    await fence.check();
    if (!department) {
      await this.assignments.deleteMany(fenced({ departmentId }, epoch));
      await this.recountUnit(departmentId, fence);
      return;
    }
    const stored = await this.assignments
      .find({ departmentId }, { agentId: 1 })
      .lean<{ agentId: string }[]>();
    const agentIds = stored.map((assignment) => assignment.agentId);
    const agents = new Set(
      (await this.users.findWithRole(agentIds, 'livechat-agent')).map((user) => user._id),
    );
    const lost = agentIds.filter((agentId) => !agents.has(agentId));
    if (lost.length) {
      this.logger.log(`Dropping ${lost.length} assignment(s) of non-agents from ${departmentId}`);
      await this.assignments.deleteMany(fenced({ departmentId, agentId: { $in: lost } }, epoch));
    }
    const update = await this.referenceRepairs(department);
    // A stale writer's delete may have kept some, but its department update below is refused too.
    update.$set.numAgents = agentIds.length - lost.length;
    await fence.check();
    await this.departments.updateOne(fenced({ _id: departmentId }, epoch), {
      ...update,
      $set: stamped(update.$set, epoch),
    });
    await this.assignments.updateMany(
      fenced({ departmentId, departmentEnabled: { $ne: department.enabled } }, epoch),
      { $set: stamped({ departmentEnabled: department.enabled }, epoch) },
    );
  }

  /**
   * The agent role was checked before the write, and may have been taken away since:
   * its removal sweeps assignments that exist when it runs, so a write that inserted
   * one checks again afterwards. Whichever runs second sees the other's effect.
   */
  async dropLostAgents(
    departmentId: string,
    written: { agentId: string }[],
    fence: DepartmentFence,
  ): Promise<void> {
    if (written.length === 0) return;
    const ids = written.map((assignment) => assignment.agentId);
    if ((await this.users.findWithRole(ids, 'livechat-agent')).length === ids.length) return;
    await this.repair(departmentId, fence);
  }

  /** Stores a unit's numDepartments and numMonitors as counted; the caller holds its lease. */
  async recountUnit(unitId: string, fence: DepartmentFence): Promise<void> {
    const [numDepartments, numMonitors] = await Promise.all([
      this.departments.countDocuments({ parentId: unitId }),
      this.unitMonitors.countDocuments({ unitId }),
    ]);
    await fence.check();
    const epoch = fence.epoch(unitId);
    await this.units.updateOne(fenced({ _id: unitId }, epoch), {
      $set: stamped({ numDepartments, numMonitors }, epoch),
    });
  }

  /** The update that removes a department's references to missing documents. */
  private async referenceRepairs(department: References) {
    const update: { $set: Partial<Department>; $unset?: Record<string, 1> } = { $set: {} };
    const targets = [
      ...(department.fallbackForwardDepartment ? [department.fallbackForwardDepartment] : []),
      ...(department.departmentsAllowedToForward ?? []),
    ];
    const existing = new Set(
      targets.length
        ? (
            await this.departments
              .find({ _id: { $in: targets } }, { _id: 1 })
              .lean<{ _id: string }[]>()
          ).map((target) => target._id)
        : [],
    );
    const unset = (field: string) => (update.$unset = { ...update.$unset, [field]: 1 });
    if (department.fallbackForwardDepartment && !existing.has(department.fallbackForwardDepartment))
      unset('fallbackForwardDepartment');
    if (department.parentId && !(await this.units.exists({ _id: department.parentId }))) {
      update.$set.parentId = null;
      update.$set.ancestors = null;
    }
    const forwards = department.departmentsAllowedToForward;
    if (forwards?.some((id) => !existing.has(id))) {
      update.$set.departmentsAllowedToForward = forwards.filter((id) => existing.has(id));
    }
    if (
      department.businessHourId &&
      !(await this.businessHours.exists({ _id: department.businessHourId }))
    ) {
      unset('businessHourId');
    }
    return update;
  }
}
