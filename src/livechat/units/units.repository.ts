import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, ProjectionType, QueryFilter } from 'mongoose';
import { findPage, type Page } from '../../common/pagination';
import { Scope } from '../scope/scope';
import { Unit, UnitMonitor } from './unit.schema';

/**
 * Units (`type: 'u'` documents of `rocketchat_livechat_department`, beside the departments
 * of DepartmentsRepository). A restricted scope sees its own units only. Units are written
 * by the write path (write-path/).
 */
@Injectable()
export class UnitsRepository {
  constructor(@InjectModel(Unit.name) private readonly units: Model<Unit>) {}

  private within(filter: QueryFilter<Unit>, scope: Scope): QueryFilter<Unit> {
    if (!scope.isRestricted) return filter;
    const condition = { _id: { $in: [...scope.unitIds] } };
    return filter._id === undefined ? { ...filter, ...condition } : { $and: [filter, condition] };
  }

  async findById(
    id: string,
    scope: Scope,
    projection?: ProjectionType<Unit>,
  ): Promise<Unit | null> {
    if (!scope.includesUnit(id)) return null;
    return this.units.findOne({ _id: id }, projection).lean<Unit>();
  }

  async exists(id: string, scope: Scope): Promise<boolean> {
    return scope.includesUnit(id) && !!(await this.units.exists({ _id: id }));
  }

  async page(
    filter: QueryFilter<Unit>,
    page: Page,
    scope: Scope,
  ): Promise<{ items: Unit[]; total: number }> {
    return findPage(this.units, this.within(filter, scope), page);
  }

  async ids(scope: Scope): Promise<string[]> {
    return (await this.units.distinct('_id', this.within({}, scope))) as string[];
  }

  /** Each unit's name by id. */
  async namesOf(ids: string[], scope: Scope): Promise<Map<string, string>> {
    const found = await this.units
      .find(this.within({ _id: { $in: ids } }, scope), { _id: 1, name: 1 })
      .lean<{ _id: string; name: string }[]>();
    return new Map(found.map((unit) => [unit._id, unit.name]));
  }
}

/**
 * The monitors of units (`rocketchat_livechat_unit_monitors`): which units a monitor
 * handles (its scope, ResolveCallerScope) and who monitors a unit. Links are written by the
 * write path, except those a deleted unit left behind (`dropOrphans`).
 */
@Injectable()
export class UnitMonitorsRepository {
  constructor(@InjectModel(UnitMonitor.name) private readonly links: Model<UnitMonitor>) {}

  /** The ids of the units a user monitors (what a monitor's scope is made of). */
  async unitsOf(monitorId: string): Promise<string[]> {
    return (await this.links.distinct('unitId', { monitorId })) as string[];
  }

  async ofUnit(
    unitId: string,
    scope: Scope,
    projection?: ProjectionType<UnitMonitor>,
  ): Promise<UnitMonitor[]> {
    if (!scope.includesUnit(unitId)) return [];
    return this.links.find({ unitId }, projection).sort({ username: 1 }).lean<UnitMonitor[]>();
  }

  /** Links to a unit that no longer exists (Rocket.Chat leaves them when it deletes one). */
  async dropOrphans(unitId: string, monitorIds: string[]): Promise<void> {
    await this.links.deleteMany({ unitId, monitorId: { $in: monitorIds } });
  }
}
