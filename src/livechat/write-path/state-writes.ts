import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { AnyBulkWriteOperation, Model } from 'mongoose';
import { DepartmentAgent } from '../departments/schemas/department-agent.schema';
import { Department } from '../departments/schemas/department.schema';
import { DepartmentHistoryService } from '../history/department-history.service';
import { Unit, UnitMonitor } from '../units/unit.schema';
import { DerivedData } from './derived-data';
import type { DepartmentFence } from './department-leases';
import { FENCE_FIELD, StaleWriter, fenced, stamped } from './fencing';
import { DepartmentPlan, UnitMonitorWrite, UnitPlan, UpdatePlan, unitMonitorId } from './plan';

export type Mode = 'first' | 'resume';

/** FerretDB 1.24 hangs (idle, until the socket times out) on a batch of 100 or more updates. */
const BULK_CHUNK = 50;
const DUPLICATE_KEY = 11000;

/**
 * The steps of a plan: the departments' and units' own state, and the assignments and
 * monitor links that a write sets. Every update and delete is fenced by the epoch of
 * the document's lease (fencing.ts), so a writer that lost its lease changes nothing the
 * database has seen a later writer write; derived data is left to DerivedData.
 */
@Injectable()
export class StateWrites {
  constructor(
    @InjectModel(Department.name) private readonly departments: Model<Department>,
    @InjectModel(DepartmentAgent.name) private readonly assignments: Model<DepartmentAgent>,
    @InjectModel(Unit.name) private readonly units: Model<Unit>,
    @InjectModel(UnitMonitor.name) private readonly unitMonitors: Model<UnitMonitor>,
    private readonly derived: DerivedData,
    private readonly history: DepartmentHistoryService,
  ) {}

  async apply(plan: DepartmentPlan, mode: Mode, fence: DepartmentFence): Promise<void> {
    switch (plan.kind) {
      case 'create':
        await this.applyCreate(plan, mode, fence);
        break;
      case 'update':
        await this.applyUpdate(plan, mode, fence);
        break;
      case 'delete': {
        const epoch = fence.epoch(plan.departmentId);
        await fence.check();
        const { deletedCount } = await this.departments.deleteOne(
          fenced({ _id: plan.departmentId }, epoch),
        );
        if (deletedCount === 0) await this.refusedUnlessGone(this.departments, plan.departmentId);
        await this.assignments.deleteMany(fenced({ departmentId: plan.departmentId }, epoch));
        break;
      }
      case 'unit':
        await this.applyUnit(plan, fence);
        break;
      default:
        throw new Error(`unknown plan kind ${(plan as { kind?: unknown }).kind}`);
    }
    for (const unitId of new Set(plan.recountUnits)) await this.derived.recountUnit(unitId, fence);
  }

  /**
   * Writes a unit's fields and its set of monitors (or deletes it), moves its departments
   * (each with its own history entry), then recounts it.
   */
  private async applyUnit(plan: UnitPlan, fence: DepartmentFence): Promise<void> {
    const { unitId } = plan;
    const epoch = fence.epoch(unitId);
    if (plan.unit) {
      await fence.check();
      await this.upsertFenced(this.units, unitId, epoch, {
        $set: stamped({ ...plan.unit, _updatedAt: plan.version }, epoch),
        $setOnInsert: { numMonitors: 0, numDepartments: 0 },
      });
    }
    await this.writeMonitors(unitId, plan.monitors, fence);
    for (const move of plan.moves) {
      // Recorded first with a fixed id: a replay neither loses nor doubles it.
      await this.history.record(move.history);
      await fence.check();
      const moveEpoch = fence.epoch(move.departmentId);
      const { matchedCount } = await this.departments.updateOne(
        fenced({ _id: move.departmentId }, moveEpoch),
        {
          // Out of a unit: `null`, as Rocket.Chat stores it (its clients read the keys).
          $set: stamped(
            {
              parentId: move.unitId,
              ancestors: move.unitId ? [move.unitId] : null,
              _updatedAt: move.version,
            },
            moveEpoch,
          ),
        },
      );
      if (matchedCount === 0) await this.refusedUnlessGone(this.departments, move.departmentId);
    }
    if (plan.unit) return this.derived.recountUnit(unitId, fence);
    await fence.check();
    const { deletedCount } = await this.units.deleteOne(fenced({ _id: unitId }, epoch));
    if (deletedCount === 0) await this.refusedUnlessGone(this.units, unitId);
  }

  /** Makes the unit's monitor links exactly `monitors`. */
  private async writeMonitors(
    unitId: string,
    monitors: UnitMonitorWrite[],
    fence: DepartmentFence,
  ): Promise<void> {
    const epoch = fence.epoch(unitId);
    await fence.check();
    const keep = monitors.map((monitor) => monitor.monitorId);
    await this.unitMonitors.deleteMany(fenced({ unitId, monitorId: { $nin: keep } }, epoch));
    const stored = new Set(
      (
        await this.unitMonitors.find({ unitId }, { monitorId: 1 }).lean<{ monitorId: string }[]>()
      ).map((link) => link.monitorId),
    );
    const added = monitors.filter((monitor) => !stored.has(monitor.monitorId));
    if (added.length === 0) return;
    await fence.check();
    await this.unitMonitors.insertMany(
      added.map((monitor) =>
        stamped({ _id: unitMonitorId(unitId, monitor.monitorId), unitId, ...monitor }, epoch),
      ),
      { lean: true },
    );
  }

  private async applyCreate(
    plan: Extract<DepartmentPlan, { kind: 'create' }>,
    mode: Mode,
    fence: DepartmentFence,
  ): Promise<void> {
    const { _id, ...department } = plan.department;
    const epoch = fence.epoch(_id);
    await fence.check();
    if (mode === 'first') {
      // Fresh ids: plain inserts, which FerretDB does without scanning the collection.
      await this.departments.insertMany([stamped(plan.department, epoch)], { lean: true });
      if (plan.assignments.length) {
        await fence.check();
        await this.assignments.insertMany(
          plan.assignments.map((assignment) => stamped(assignment, epoch)),
          { lean: true },
        );
        await this.derived.dropLostAgents(_id, plan.assignments, fence);
      }
      return;
    }
    // A replay stamps every document of the plan with its own epoch, so a late insert of
    // the writer it took over from (an older epoch) is told apart by the sweep.
    await this.upsertFenced(this.departments, _id, epoch, {
      $setOnInsert: department,
      ...(epoch !== undefined && { $set: { [FENCE_FIELD]: epoch } }),
    });
    if (plan.assignments.length) {
      await fence.check();
      // By `_id`: FerretDB finds documents by `_id` without scanning the collection.
      await this.bulkWriteInChunks(
        plan.assignments.map(({ _id: assignmentId, ...assignment }) => ({
          updateOne: {
            filter: fenced({ _id: assignmentId }, epoch),
            update: {
              $setOnInsert: assignment,
              ...(epoch !== undefined && { $set: { [FENCE_FIELD]: epoch } }),
            },
            upsert: true,
          },
        })),
      );
    }
    await this.derived.repair(_id, fence);
  }

  private async applyUpdate(plan: UpdatePlan, mode: Mode, fence: DepartmentFence): Promise<void> {
    const id = plan.departmentId;
    const epoch = fence.epoch(id);
    await fence.check();
    const written = await this.departments.updateOne(fenced({ _id: id }, epoch), {
      $set: stamped({ ...plan.set, _updatedAt: plan.version }, epoch),
      ...(plan.unset.length && { $unset: Object.fromEntries(plan.unset.map((f) => [f, 1])) }),
    });
    if (written.matchedCount === 0) {
      await this.refusedUnlessGone(this.departments, id);
      return this.derived.repair(id, fence); // deleted: drop what is left
    }

    await fence.check();
    const inserted = await this.upsertAssignments(plan, mode, epoch);
    const removed = plan.removeAgentIds.length
      ? (
          await this.assignments.deleteMany(
            fenced({ departmentId: id, agentId: { $in: plan.removeAgentIds } }, epoch),
          )
        ).deletedCount
      : 0;
    if (plan.syncEnabled) {
      await this.assignments.updateMany(fenced({ departmentId: id }, epoch), {
        $set: stamped(
          { departmentEnabled: plan.departmentEnabled, _updatedAt: plan.version },
          epoch,
        ),
      });
    }
    if (mode === 'resume' || inserted === null) return this.derived.repair(id, fence);
    // Counted from what this write inserted and deleted (no other writer holds the lease).
    if (inserted !== removed) {
      await fence.check();
      const { matchedCount } = await this.departments.updateOne(fenced({ _id: id }, epoch), {
        $inc: { numAgents: inserted - removed },
      });
      if (matchedCount === 0) await this.refusedUnlessGone(this.departments, id);
    }
    await this.derived.dropLostAgents(id, plan.upsert, fence);
  }

  /**
   * Updates the plan's stored assignments and inserts the new ones; returns how many
   * were inserted, or null when that is unknown (then numAgents is recounted).
   */
  private async upsertAssignments(plan: UpdatePlan, mode: Mode, epoch: number | undefined) {
    if (plan.upsert.length === 0) return 0;
    try {
      const fresh = plan.upsert.filter((agent) => !agent.exists);
      if (mode === 'first') {
        // FerretDB scans the collection for an update with any condition beside `_id` (the
        // fence is one): stored assignments are updated in groups of equal changes, one
        // scan a group, and new ones go in by plain inserts, which scan nothing.
        await this.updateStoredInGroups(plan, epoch);
        if (fresh.length === 0) return 0;
        await this.assignments.insertMany(
          fresh.map((agent) =>
            stamped(
              {
                _id: agent._id,
                agentId: agent.agentId,
                departmentId: plan.departmentId,
                username: agent.username,
                departmentEnabled: plan.departmentEnabled,
                count: agent.count ?? 0,
                order: agent.order ?? 0,
                _updatedAt: plan.version,
              },
              epoch,
            ),
          ),
          { lean: true, ordered: false },
        );
        return fresh.length;
      }
      return await this.bulkWriteInChunks(this.assignmentWrites(plan, 'id', epoch));
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // The pair is stored under another id (an assignment this plan did not see, such
      // as one left by a replay), or a later writer stamped one (the upsert then tries to
      // insert its _id again): address them by the pair, then recount.
      try {
        await this.bulkWriteInChunks(this.assignmentWrites(plan, 'pair', epoch));
      } catch (again) {
        if (isDuplicateKey(again)) throw new StaleWriter(`assignments of ${plan.departmentId}`);
        throw again;
      }
      return null;
    }
  }

  /** Updates the plan's stored assignments, one fenced updateMany per distinct change. */
  private async updateStoredInGroups(plan: UpdatePlan, epoch: number | undefined): Promise<void> {
    const groups = new Map<string, { $set: Partial<DepartmentAgent>; ids: string[] }>();
    for (const agent of plan.upsert) {
      if (!agent.exists) continue;
      const $set: Partial<DepartmentAgent> = stamped(
        { departmentEnabled: plan.departmentEnabled, _updatedAt: plan.version },
        epoch,
      );
      if (!agent.usernameUnchanged) $set.username = agent.username;
      if (agent.count !== undefined) $set.count = agent.count;
      if (agent.order !== undefined) $set.order = agent.order;
      const key = JSON.stringify($set);
      const group = groups.get(key) ?? { $set, ids: [] };
      group.ids.push(agent._id);
      groups.set(key, group);
    }
    for (const { $set, ids } of groups.values()) {
      // One id by equality: unfenced, FerretDB then finds it by its key instead of scanning.
      const _id = ids.length === 1 ? ids[0] : { $in: ids };
      await this.assignments.updateMany(fenced({ _id }, epoch), { $set });
    }
  }

  /** Bulk operations that update the stored assignments of `plan` and insert its new ones. */
  private assignmentWrites(
    plan: UpdatePlan,
    addressNewBy: 'id' | 'pair',
    epoch: number | undefined,
  ): AnyBulkWriteOperation<DepartmentAgent>[] {
    return plan.upsert.map((agent) => {
      const $set: Partial<DepartmentAgent> = stamped(
        {
          username: agent.username,
          departmentEnabled: plan.departmentEnabled,
          _updatedAt: plan.version,
        },
        epoch,
      );
      if (agent.count !== undefined) $set.count = agent.count;
      if (agent.order !== undefined) $set.order = agent.order;
      if (agent.exists) {
        return { updateOne: { filter: fenced({ _id: agent._id }, epoch), update: { $set } } };
      }
      const pair = { departmentId: plan.departmentId, agentId: agent.agentId };
      const $setOnInsert: Partial<DepartmentAgent> =
        addressNewBy === 'id' ? pair : { _id: agent._id };
      if (agent.count === undefined) $setOnInsert.count = 0;
      if (agent.order === undefined) $setOnInsert.order = 0;
      return {
        updateOne: {
          filter: fenced(addressNewBy === 'id' ? { _id: agent._id } : pair, epoch),
          update: { $set, $setOnInsert },
          upsert: true,
        },
      };
    });
  }

  /** Sends `operations` unordered, at most BULK_CHUNK at a time; returns how many were upserted. */
  private async bulkWriteInChunks(
    operations: AnyBulkWriteOperation<DepartmentAgent>[],
  ): Promise<number> {
    let upserted = 0;
    for (let start = 0; start < operations.length; start += BULK_CHUNK) {
      const chunk = operations.slice(start, start + BULK_CHUNK);
      upserted += (await this.assignments.bulkWrite(chunk, { ordered: false })).upsertedCount;
    }
    return upserted;
  }

  /** An upsert by `_id` that a later writer's stamp refuses (the insert then collides). */
  private async upsertFenced<T>(
    model: Model<T>,
    id: string,
    epoch: number | undefined,
    update: Record<string, unknown>,
  ): Promise<void> {
    try {
      await model.updateOne(fenced({ _id: id }, epoch) as never, update as never, { upsert: true });
    } catch (error) {
      if (isDuplicateKey(error)) throw new StaleWriter(id);
      throw error;
    }
  }

  /** A fenced write matched nothing: fine if the document is gone, refused otherwise. */
  private async refusedUnlessGone<T>(model: Model<T>, id: string): Promise<void> {
    if (await model.exists({ _id: id } as never)) throw new StaleWriter(id);
  }
}

/** FerretDB may report a unique-index violation of an update as code 1 (see DESIGN). */
function isDuplicateKey(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: number; message?: string };
  return code === DUPLICATE_KEY || /duplicate key/i.test(message ?? '');
}
