import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, QueryFilter } from 'mongoose';
import type { Actor } from '../../auth/caller';
import { findPage, Page } from '../../common/pagination';
import { BusinessHour } from '../business-hours/business-hour.schema';
import { DepartmentAgent } from '../departments/schemas/department-agent.schema';
import { Department } from '../departments/schemas/department.schema';
import { Unit, UnitMonitor } from '../units/unit.schema';
import { ConfigurationApply, DeletedDepartment } from './configuration.schema';

/** Everything the configuration is made of, as stored (read in one go, for one document). */
export interface LiveData {
  departments: Department[];
  assignments: Pick<DepartmentAgent, 'agentId' | 'departmentId' | 'username' | 'count' | 'order'>[];
  units: Unit[];
  monitors: Pick<UnitMonitor, 'unitId' | 'monitorId' | 'username'>[];
  schedules: BusinessHour[];
}

/**
 * The configuration feature's data access: reads of the department data (every write goes
 * through the department services and their write path), and its own two collections,
 * the apply journal and the deleted departments.
 */
@Injectable()
export class ConfigurationRepository {
  constructor(
    @InjectModel(Department.name) private readonly departments: Model<Department>,
    @InjectModel(DepartmentAgent.name) private readonly assignments: Model<DepartmentAgent>,
    @InjectModel(Unit.name) private readonly units: Model<Unit>,
    @InjectModel(UnitMonitor.name) private readonly monitors: Model<UnitMonitor>,
    @InjectModel(BusinessHour.name) private readonly schedules: Model<BusinessHour>,
    @InjectModel(ConfigurationApply.name) private readonly applies: Model<ConfigurationApply>,
    @InjectModel(DeletedDepartment.name) private readonly deleted: Model<DeletedDepartment>,
  ) {}

  // ---- the live configuration --------------------------------------------------------------

  /**
   * Everything, unscoped, on purpose: the caller's view is cut from it by documentOf (a
   * monitor's document holds only its units), and the other departments' names serve only
   * to refuse a name that exists outside that view and to resolve references by name.
   */
  async live(): Promise<LiveData> {
    const [departments, assignments, units, monitors, schedules] = await Promise.all([
      this.departments.find({}).sort({ name: 1, _id: 1 }).lean<Department[]>(),
      this.assignments
        .find({}, { agentId: 1, departmentId: 1, username: 1, count: 1, order: 1 })
        .lean<LiveData['assignments']>(),
      this.units.find({}).sort({ name: 1, _id: 1 }).lean<Unit[]>(),
      this.monitors.find({}, { unitId: 1, monitorId: 1, username: 1 }).lean<LiveData['monitors']>(),
      this.schedules.find({}).sort({ name: 1, _id: 1 }).lean<BusinessHour[]>(),
    ]);
    return { departments, assignments, units, monitors, schedules };
  }

  async departmentExists(id: string): Promise<boolean> {
    return !!(await this.departments.exists({ _id: id }));
  }

  async unitExists(id: string): Promise<boolean> {
    return !!(await this.units.exists({ _id: id }));
  }

  async scheduleName(id: string): Promise<string | null> {
    const schedule = await this.schedules.findOne({ _id: id }, { name: 1 }).lean<BusinessHour>();
    return schedule ? schedule.name : null;
  }

  /** Which of `ids` are departments that exist. */
  async existingDepartments(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const found = await this.departments
      .find({ _id: { $in: ids } }, { _id: 1 })
      .lean<Department[]>();
    return new Set(found.map((department) => department._id));
  }

  // ---- the apply journal -------------------------------------------------------------------

  async beginApply(apply: ConfigurationApply): Promise<void> {
    await this.applies.insertMany([apply], { lean: true });
  }

  async stepDone(applyId: string, step: string): Promise<void> {
    await this.applies.updateOne({ _id: applyId }, { $addToSet: { done: step } });
  }

  async finishApply(applyId: string): Promise<void> {
    await this.applies.updateOne(
      { _id: applyId },
      { $set: { state: 'finished', finishedAt: new Date() } },
    );
  }

  async unfinishedApplies(): Promise<ConfigurationApply[]> {
    return this.applies.find({ state: 'running' }).sort({ ts: 1 }).lean<ConfigurationApply[]>();
  }

  async findApply(id: string): Promise<ConfigurationApply | null> {
    return this.applies.findOne({ _id: id }).lean<ConfigurationApply>();
  }

  /** Drops finished applies older than `before` (the history entries keep their ids). */
  async pruneApplies(before: Date): Promise<number> {
    return (await this.applies.deleteMany({ state: 'finished', finishedAt: { $lt: before } }))
      .deletedCount;
  }

  // ---- deleted departments -----------------------------------------------------------------

  /** Keeps what a department is before its delete (a retried delete keeps the first). */
  async keepDeleted(
    department: Department,
    agents: LiveData['assignments'],
    actor: Actor,
  ): Promise<void> {
    await this.deleted.updateOne(
      { _id: department._id },
      {
        $set: {
          name: department.name,
          department,
          agents: agents.map(({ agentId, username, count, order }) => ({
            agentId,
            username,
            count,
            order,
          })),
          deletedAt: new Date(),
          deletedBy: actor.user,
        },
      },
      { upsert: true },
    );
  }

  async findDeleted(id: string): Promise<DeletedDepartment | null> {
    return this.deleted.findOne({ _id: id }).lean<DeletedDepartment>();
  }

  async listDeleted(
    filter: QueryFilter<DeletedDepartment>,
    page: Page,
  ): Promise<{ items: DeletedDepartment[]; total: number }> {
    return findPage(this.deleted, filter, page, {
      _id: 1,
      name: 1,
      deletedAt: 1,
      deletedBy: 1,
      'department.parentId': 1,
    });
  }

  async dropDeleted(id: string): Promise<void> {
    await this.deleted.deleteOne({ _id: id });
  }

  /** Purges what was deleted before `before`, and snapshots of departments that are back. */
  async purgeDeleted(before: Date): Promise<number> {
    const old = (await this.deleted.deleteMany({ deletedAt: { $lt: before } })).deletedCount;
    const kept = (await this.deleted.distinct('_id')) as string[];
    const back = [...(await this.existingDepartments(kept))];
    if (back.length) await this.deleted.deleteMany({ _id: { $in: back } });
    return old;
  }
}
