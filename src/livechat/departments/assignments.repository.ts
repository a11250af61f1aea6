import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, ProjectionType, QueryFilter } from 'mongoose';
import { findPage, type Page, type SortSpec } from '../../common/pagination';
import { fenced, stamped } from '../write-path/fencing';
import { Scope } from '../scope/scope';
import { DepartmentsRepository } from './departments.repository';
import { DepartmentAgent } from './schemas/department-agent.schema';

/**
 * Agents' assignments to departments (`rocketchat_livechat_department_agents`). Every
 * method takes a scope: a restricted one sees only the assignments of its units'
 * departments. Assignments are written by the write path (write-path/), except a routing
 * pick's count (`incrementCount`).
 */
@Injectable()
export class AssignmentsRepository {
  constructor(
    @InjectModel(DepartmentAgent.name) private readonly assignments: Model<DepartmentAgent>,
    private readonly departments: DepartmentsRepository,
  ) {}

  /** `filter`, kept to the departments of `scope`. */
  private async within(
    filter: QueryFilter<DepartmentAgent>,
    scope: Scope,
  ): Promise<QueryFilter<DepartmentAgent>> {
    const ids = await this.departments.idsIn(scope);
    if (ids === undefined) return filter;
    return filter.departmentId === undefined
      ? { ...filter, departmentId: { $in: ids } }
      : { $and: [filter, { departmentId: { $in: ids } }] };
  }

  async find<T = DepartmentAgent>(
    filter: QueryFilter<DepartmentAgent>,
    scope: Scope,
    options: { projection?: ProjectionType<DepartmentAgent>; sort?: SortSpec } = {},
  ): Promise<T[]> {
    const query = this.assignments.find(await this.within(filter, scope), options.projection);
    if (options.sort) query.sort(options.sort);
    return query.lean<T[]>();
  }

  async page(
    filter: QueryFilter<DepartmentAgent>,
    page: Page,
    scope: Scope,
  ): Promise<{ items: DepartmentAgent[]; total: number }> {
    return findPage(this.assignments, await this.within(filter, scope), page);
  }

  async agentIds(scope: Scope): Promise<string[]> {
    return (await this.assignments.distinct('agentId', await this.within({}, scope))) as string[];
  }

  /**
   * One more chat for an assignment (routing), fenced by the department's write epoch;
   * false when a later writer's stamp refused it.
   */
  async incrementCount(
    assignment: Pick<DepartmentAgent, '_id'>,
    epoch: number | undefined,
    scope: Scope,
  ): Promise<boolean> {
    // By `_id` alone unless fenced or scoped: FerretDB answers `_id` from its primary key but
    // scans the whole collection once any other condition joins it.
    const filter = await this.within(fenced({ _id: assignment._id }, epoch), scope);
    const { matchedCount } = await this.assignments.updateOne(filter, {
      $inc: { count: 1 },
      $set: stamped({ _updatedAt: new Date() }, epoch),
    });
    return matchedCount === 1;
  }
}
