import { Injectable } from '@nestjs/common';
import type { QueryFilter } from 'mongoose';
import type { Actor } from '../../auth/caller';
import { ApiError } from '../../common/api-error';
import { randomId } from '../../common/ids';
import { escapeRegExp, Page } from '../../common/pagination';
import { UsersService } from '../../users/users.service';
import {
  DepartmentFence,
  DepartmentMove,
  DepartmentWriter,
  nextVersion,
  UnitMonitorWrite,
} from '../write-path/department-writer';
import { withNames } from '../departments/department-changes';
import { DepartmentsRepository } from '../departments/departments.repository';
import { Department } from '../departments/schemas/department.schema';
import type { FieldChange } from '../history/department-history.schema';
import { HistoryRecord, historyEntry } from '../history/department-history.service';
import { SaveUnitDto } from './dto/unit.dto';
import { MONITOR_ROLE, notAllowed, Scope } from '../scope/scope';
import { Unit, UnitMonitor } from './unit.schema';
import { UnitMonitorsRepository, UnitsRepository } from './units.repository';

/** What `POST livechat/units` answers (Rocket.Chat's: the unit without `_updatedAt`). */
export type SavedUnit = Pick<
  Unit,
  '_id' | 'name' | 'visibility' | 'type' | 'numMonitors' | 'numDepartments'
>;

type Named = { _id: string; name: string };
type Member = Named & Pick<Department, 'parentId' | '_updatedAt'>;
const MEMBER_FIELDS = { _id: 1, name: 1, parentId: 1, _updatedAt: 1 } as const;

const isId = (id: string | null | undefined): id is string => !!id;

/** A department's move of a unit write, with its own history entry ("moved to unit X"). */
function move(
  cause: HistoryRecord,
  department: Member,
  unitId: string | null,
  unitNames: ReadonlyMap<string, string>,
): DepartmentMove {
  return {
    departmentId: department._id,
    unitId,
    version: nextVersion(department._updatedAt),
    history: {
      ...cause,
      _id: `${cause._id}:${department._id}`,
      departmentId: department._id,
      action: 'update',
      changes: [
        withNames({ field: 'parentId', from: department.parentId ?? null, to: unitId }, unitNames),
      ],
    },
  };
}

/**
 * Units (Rocket.Chat EE's business units) and their monitors and departments. Every write
 * goes through the department writer as one journaled plan (the unit, its monitor links
 * and each department that moves), under the leases of the unit, of every department that
 * joins or leaves it and of the units those leave, so numDepartments and numMonitors are
 * recounted by whoever holds them, and an interrupted write is finished whole.
 */
@Injectable()
export class UnitsService {
  constructor(
    private readonly units: UnitsRepository,
    private readonly links: UnitMonitorsRepository,
    private readonly departments: DepartmentsRepository,
    private readonly writer: DepartmentWriter,
    private readonly users: UsersService,
  ) {}

  // ---- reads -------------------------------------------------------------------------------

  async list(
    text: string | undefined,
    page: Page,
    scope: Scope,
  ): Promise<{ units: Unit[]; total: number }> {
    const filter: QueryFilter<Unit> = {};
    if (text) filter.name = { $regex: escapeRegExp(text), $options: 'i' };
    const { items, total } = await this.units.page(filter, page, scope);
    return { units: items, total };
  }

  /** The unit, or null when there is none or it is out of `scope`. */
  async findById(id: string, scope: Scope): Promise<Unit | null> {
    return this.units.findById(id, scope);
  }

  /** The ids of the units a user monitors. */
  async unitsOf(monitorId: string): Promise<string[]> {
    return this.links.unitsOf(monitorId);
  }

  async departmentsOf(
    unitId: string,
    page: Page,
    scope: Scope,
  ): Promise<{ departments: Department[]; total: number }> {
    const { items, total } = await this.departments.page({ parentId: unitId }, page, scope);
    return { departments: items, total };
  }

  /** Departments a unit may take: those in no unit, and its own. */
  async availableDepartments(
    unitId: string,
    text: string | undefined,
    page: Page,
    scope: Scope,
  ): Promise<{ departments: Department[]; total: number }> {
    const filter: QueryFilter<Department> = {
      $or: [{ parentId: { $exists: false } }, { parentId: null }, { parentId: unitId }],
    };
    if (text) filter.name = { $regex: escapeRegExp(text), $options: 'i' };
    const { items, total } = await this.departments.page(filter, page, scope);
    return { departments: items, total };
  }

  async monitorsOf(unitId: string, scope: Scope): Promise<UnitMonitor[]> {
    return this.links.ofUnit(unitId, scope);
  }

  // ---- writes ------------------------------------------------------------------------------

  /** Creates (`id` null) or updates a unit with its complete sets of monitors and departments. */
  async save(id: string | null, body: SaveUnitDto, actor: Actor, scope: Scope): Promise<SavedUnit> {
    // A restricted caller (a monitor granted manage-livechat-units) keeps to its own units.
    if (scope.isRestricted && (id === null || !scope.includesUnit(id))) throw notAllowed();
    const monitorIds = body.unitMonitors.map((monitor) => monitor.monitorId);
    const departmentIds = body.unitDepartments.map((department) => department.departmentId);
    if (new Set(monitorIds).size !== monitorIds.length) {
      throw ApiError.invalidParams('unitMonitors must not name the same monitor twice');
    }
    if (new Set(departmentIds).size !== departmentIds.length) {
      throw ApiError.invalidParams('unitDepartments must not name the same department twice');
    }
    const unitId = id ?? randomId();
    // A guess at the leases needed; the write asks for the rest once it has read them.
    const members = await this.memberIds(unitId);
    let monitors: UnitMonitorWrite[] = [];
    // Past the check above, the unit's writes read everything they must keep consistent.
    const everything = Scope.unrestricted();
    await this.writer.withDepartments([unitId, ...members, ...departmentIds], async (fence) => {
      const before = id === null ? null : await this.units.findById(id, everything);
      if (id !== null && !before) throw ApiError.unitNotFound();
      const [current, named, found, stored] = await Promise.all([
        this.departments.find<Member>({ parentId: unitId }, everything, {
          projection: MEMBER_FIELDS,
        }),
        this.departments.find<Member>({ _id: { $in: departmentIds } }, everything, {
          projection: MEMBER_FIELDS,
        }),
        this.users.findWithRole(monitorIds, MONITOR_ROLE),
        this.links.ofUnit(unitId, everything, { monitorId: 1, username: 1 }),
      ]);
      if (named.length !== departmentIds.length) throw ApiError.departmentNotFound();
      // Users without the monitor role are left out (numMonitors counts real monitors),
      // as Rocket.Chat does, rather than failing the whole save.
      const keep = new Set(departmentIds);
      const leaving = current.filter((department) => !keep.has(department._id));
      const joining = named.filter((department) => department.parentId !== unitId);
      const formerUnits = [...new Set(joining.map((d) => d.parentId).filter(isId))];
      fence.require([...leaving.map((department) => department._id), ...formerUnits]);

      monitors = found.map((user) => ({ monitorId: user._id, username: user.username }));
      const record = historyEntry(actor, unitId, before ? 'update' : 'create', {
        changes: [
          ...this.fieldChanges(before, body),
          ...listChange(
            'monitors',
            stored.map((monitor) => monitor.username),
            monitors.map((monitor) => monitor.username),
          ),
          ...listChange(
            'departments',
            current.map((department) => department.name),
            named.map((department) => department.name),
          ),
        ],
      });
      const names = await this.unitNames(formerUnits);
      names.set(unitId, body.unitData.name);
      await this.writer.run(
        record,
        {
          kind: 'unit',
          unitId,
          version: nextVersion(before?._updatedAt ?? new Date(0)),
          unit: { name: body.unitData.name, visibility: body.unitData.visibility },
          monitors,
          moves: [
            ...leaving.map((department) => move(record, department, null, names)),
            ...joining.map((department) => move(record, department, unitId, names)),
          ],
          recountUnits: formerUnits,
        },
        fence,
      );
    });
    await this.dropLostMonitors(unitId, monitors, actor);
    const saved = await this.units.findById(unitId, everything);
    if (!saved) throw ApiError.unitNotFound(); // deleted meanwhile
    const { _updatedAt: _ignored, ...unit } = saved;
    return unit;
  }

  /** Deletes a unit; its departments stay, out of any unit. Returns how many were deleted. */
  async remove(id: string, actor: Actor, scope: Scope): Promise<number> {
    if (!scope.includesUnit(id)) throw notAllowed();
    const everything = Scope.unrestricted();
    const members = await this.memberIds(id);
    await this.writer.withDepartments([id, ...members], async (fence) => {
      const unit = await this.units.findById(id, everything, { name: 1, _updatedAt: 1 });
      if (!unit) throw ApiError.badRequest('unit-not-found', 'Unit not found');
      const current = await this.departments.find<Member>({ parentId: id }, everything, {
        projection: MEMBER_FIELDS,
      });
      fence.require(current.map((department) => department._id));
      const record = historyEntry(actor, id, 'delete', { changes: [] });
      const names = new Map([[id, unit.name]]);
      await this.writer.run(
        record,
        {
          kind: 'unit',
          unitId: id,
          version: nextVersion(unit._updatedAt),
          unit: null,
          monitors: [],
          moves: current.map((department) => move(record, department, null, names)),
        },
        fence,
      );
    });
    return 1;
  }

  /** Takes a former monitor out of every unit (its role is already gone). */
  async dropMonitor(monitorId: string, actor: Actor): Promise<void> {
    const unitIds = await this.links.unitsOf(monitorId);
    for (const unitId of unitIds) {
      await this.writer.withDepartments([unitId], (fence) =>
        this.removeMonitors(unitId, [monitorId], actor, fence),
      );
    }
  }

  /**
   * The monitor role was checked before the write and may have been taken away since:
   * its removal drops the links that exist when it runs, so a write that added links
   * checks again afterwards (whichever runs second sees the other's effect).
   */
  private async dropLostMonitors(
    unitId: string,
    written: UnitMonitorWrite[],
    actor: Actor,
  ): Promise<void> {
    const ids = written.map((monitor) => monitor.monitorId);
    const still = new Set(
      (await this.users.findWithRole(ids, MONITOR_ROLE)).map((user) => user._id),
    );
    const lost = ids.filter((monitorId) => !still.has(monitorId));
    if (lost.length === 0) return;
    await this.writer.withDepartments([unitId], (fence) =>
      this.removeMonitors(unitId, lost, actor, fence),
    );
  }

  private async removeMonitors(
    unitId: string,
    monitorIds: string[],
    actor: Actor,
    fence: DepartmentFence,
  ): Promise<void> {
    // The service's own follow-up of a role change: unscoped.
    const everything = Scope.unrestricted();
    const unit = await this.units.findById(unitId, everything);
    if (!unit) {
      // A link left by a unit deleted outside this service (Rocket.Chat leaves them).
      await this.links.dropOrphans(unitId, monitorIds);
      return;
    }
    const stored = await this.links.ofUnit(unitId, everything, { monitorId: 1, username: 1 });
    const remaining = stored.filter((link) => !monitorIds.includes(link.monitorId));
    if (remaining.length === stored.length) return;
    await this.writer.run(
      historyEntry(actor, unitId, 'update', {
        changes: listChange(
          'monitors',
          stored.map((monitor) => monitor.username),
          remaining.map((monitor) => monitor.username),
        ),
      }),
      {
        kind: 'unit',
        unitId,
        version: nextVersion(unit._updatedAt),
        unit: { name: unit.name, visibility: unit.visibility },
        monitors: remaining.map(({ monitorId, username }) => ({ monitorId, username })),
        moves: [],
      },
      fence,
    );
  }

  private async memberIds(unitId: string): Promise<string[]> {
    return this.departments.ids({ parentId: unitId }, Scope.unrestricted());
  }

  private async unitNames(ids: string[]): Promise<Map<string, string>> {
    return this.units.namesOf(ids, Scope.unrestricted());
  }

  private fieldChanges(before: Unit | null, body: SaveUnitDto): FieldChange[] {
    const changes: FieldChange[] = [];
    for (const field of ['name', 'visibility'] as const) {
      const from = before?.[field] ?? null;
      if (from !== body.unitData[field]) changes.push({ field, from, to: body.unitData[field] });
    }
    return changes;
  }
}

/** A change of a list (names), recorded when it changes as a set. */
function listChange(field: string, from: string[], to: string[]): FieldChange[] {
  const sorted = (list: string[]) => [...list].sort();
  return JSON.stringify(sorted(from)) === JSON.stringify(sorted(to))
    ? []
    : [{ field, from: sorted(from), to: sorted(to) }];
}
