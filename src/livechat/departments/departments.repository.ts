import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, ProjectionType, QueryFilter } from 'mongoose';
import { findPage, type Page, type SortSpec } from '../../common/pagination';
import { DatabaseCircuit } from '../../database/database-circuit';
import { Scope } from '../scope/scope';
import { Department } from './schemas/department.schema';

/**
 * The departments of `rocketchat_livechat_department` (units share it: UnitsRepository).
 * Every method takes the scope it reads or writes in; a restricted scope keeps to the
 * departments of its units (`parentId`), whatever the filter says. Department writes
 * themselves go through the write path (write-path/), which holds the leases and journal.
 */
@Injectable()
export class DepartmentsRepository {
  constructor(
    @InjectModel(Department.name) private readonly departments: Model<Department>,
    private readonly circuit: DatabaseCircuit,
  ) {}

  /** `filter`, kept to `scope`. */
  private within(filter: QueryFilter<Department>, scope: Scope): QueryFilter<Department> {
    if (!scope.isRestricted) return filter;
    const condition = scope.departmentCondition();
    return filter.parentId === undefined && filter.$and === undefined
      ? { ...filter, ...condition }
      : { $and: [filter, condition] };
  }

  /** One department by id (a hot read: straight through the driver); null out of `scope`. */
  async findById<T = Department>(
    id: string,
    scope: Scope,
    projection?: Record<string, 0 | 1>,
  ): Promise<T | null> {
    const fields =
      projection && scope.isRestricted && Object.values(projection).includes(1)
        ? { ...projection, parentId: 1 as const }
        : projection;
    const department = await this.circuit.findById<T & Pick<Department, 'parentId'>>(
      this.departments,
      id,
      fields,
    );
    if (!department || !scope.includes(department)) return null;
    if (fields !== projection && !projection?.parentId) delete department.parentId;
    return department;
  }

  async find<T = Department>(
    filter: QueryFilter<Department>,
    scope: Scope,
    options: { projection?: ProjectionType<Department>; sort?: SortSpec; limit?: number } = {},
  ): Promise<T[]> {
    const query = this.departments.find(this.within(filter, scope), options.projection);
    if (options.sort) query.sort(options.sort);
    if (options.limit !== undefined) query.limit(options.limit);
    return query.lean<T[]>();
  }

  async page(
    filter: QueryFilter<Department>,
    page: Page,
    scope: Scope,
  ): Promise<{ items: Department[]; total: number }> {
    return findPage(this.departments, this.within(filter, scope), page);
  }

  async count(filter: QueryFilter<Department>, scope: Scope): Promise<number> {
    return this.departments.countDocuments(this.within(filter, scope));
  }

  async ids(filter: QueryFilter<Department>, scope: Scope): Promise<string[]> {
    return (await this.departments.distinct('_id', this.within(filter, scope))) as string[];
  }

  /** The departments a restricted scope covers (undefined: every department, unrestricted). */
  async idsIn(scope: Scope): Promise<string[] | undefined> {
    return scope.isRestricted ? this.ids({}, scope) : undefined;
  }

  /** Each department's name by id. */
  async namesOf(ids: string[], scope: Scope): Promise<Map<string, string>> {
    const found = await this.find<{ _id: string; name: string }>({ _id: { $in: ids } }, scope, {
      projection: { _id: 1, name: 1 },
    });
    return new Map(found.map((department) => [department._id, department.name]));
  }
}
