import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { AnyBulkWriteOperation, Model } from 'mongoose';
import { ApiError } from '../../common/api-error';
import { DepartmentLocks } from '../department-locks';
import { LivechatEvents } from '../livechat-events';
import { DepartmentHistoryService, HistoryRecord } from '../history/department-history.service';
import { DepartmentAgent } from './schemas/department-agent.schema';
import { Department } from './schemas/department.schema';

/** An assignment to insert or update; `count`/`order` left out keep the stored value (0 when new). */
export interface AssignmentWrite {
  agentId: string;
  username: string;
  count?: number;
  order?: number;
  /** The stored assignment's id, or the id it gets when inserted. */
  _id: string;
  /** Whether it was stored when the write was planned. */
  exists: boolean;
}

/**
 * Everything a department write does, decided (and validated) before its first step,
 * so that it can be journaled and replayed. Every step is idempotent.
 */
export type DepartmentPlan =
  | { kind: 'create'; department: Department; assignments: DepartmentAgent[] }
  | {
      kind: 'update';
      departmentId: string;
      version: Date;
      /** Compare-and-set on `_updatedAt` for the first attempt (If-Match, other instances). */
      expectedVersion?: Date;
      set: Partial<Department>;
      unset: string[];
      upsert: AssignmentWrite[];
      removeAgentIds: string[];
      /** The department's `enabled` after the write, mirrored into its assignments. */
      departmentEnabled: boolean;
      /** `enabled` changes: every assignment's `departmentEnabled` follows. */
      syncEnabled: boolean;
    }
  | { kind: 'delete'; departmentId: string };

type Mode = 'first' | 'resume';

class LostRace extends Error {}

/** FerretDB 1.24 hangs (idle, until the socket times out) on a batch of 100 or more updates. */
const BULK_CHUNK = 50;

/** Sends `operations` unordered, at most BULK_CHUNK at a time; returns how many were upserted. */
async function bulkWriteInChunks(
  model: Model<DepartmentAgent>,
  operations: AnyBulkWriteOperation<DepartmentAgent>[],
): Promise<number> {
  let upserted = 0;
  for (let start = 0; start < operations.length; start += BULK_CHUNK) {
    const chunk = operations.slice(start, start + BULK_CHUNK);
    upserted += (await model.bulkWrite(chunk, { ordered: false })).upsertedCount;
  }
  return upserted;
}

/** Bulk operations that update the stored assignments of `plan` and insert its new ones. */
function assignmentWrites(
  plan: Extract<DepartmentPlan, { kind: 'update' }>,
  addressNewBy: 'id' | 'pair',
): AnyBulkWriteOperation<DepartmentAgent>[] {
  return plan.upsert.map((agent) => {
    const $set: Partial<DepartmentAgent> = {
      username: agent.username,
      departmentEnabled: plan.departmentEnabled,
      _updatedAt: plan.version,
    };
    if (agent.count !== undefined) $set.count = agent.count;
    if (agent.order !== undefined) $set.order = agent.order;
    if (agent.exists) return { updateOne: { filter: { _id: agent._id }, update: { $set } } };
    const pair = { departmentId: plan.departmentId, agentId: agent.agentId };
    const $setOnInsert: Partial<DepartmentAgent> =
      addressNewBy === 'id' ? pair : { _id: agent._id };
    if (agent.count === undefined) $setOnInsert.count = 0;
    if (agent.order === undefined) $setOnInsert.order = 0;
    return {
      updateOne: {
        filter: addressNewBy === 'id' ? { _id: agent._id } : pair,
        update: { $set, $setOnInsert },
        upsert: true,
      },
    };
  });
}

function planDepartmentId(plan: DepartmentPlan): string {
  return plan.kind === 'create' ? plan.department._id : plan.departmentId;
}

/**
 * The one code path for department writes (which touch several documents and have no
 * transactions): journal the plan, apply its steps, mark it done. A write interrupted
 * by a crash or an outage is rolled forward by the same steps (DepartmentRecovery);
 * replays end with a repair of the department's derived data (numAgents,
 * departmentEnabled, orphans).
 */
@Injectable()
export class DepartmentWriter {
  private readonly logger = new Logger(DepartmentWriter.name);
  /** Writes of this process between `start` and `complete`: never replayed concurrently. */
  private readonly inFlight = new Set<string>();
  /** A write of this process failed midway since the last roll-forward (see takeInterrupted). */
  private interrupted = false;

  constructor(
    @InjectModel(Department.name) private readonly departments: Model<Department>,
    @InjectModel(DepartmentAgent.name) private readonly assignments: Model<DepartmentAgent>,
    private readonly history: DepartmentHistoryService,
    private readonly locks: DepartmentLocks,
    private readonly events: LivechatEvents,
  ) {}

  /** Journals and applies a write whose steps need no other lock than the caller's. */
  async run(record: HistoryRecord, plan: DepartmentPlan): Promise<void> {
    await this.start(record, plan);
    await this.complete(record, plan);
  }

  /** Journals the write and applies its steps; the caller holds the department's lock. */
  async start(record: HistoryRecord, plan: DepartmentPlan): Promise<void> {
    this.inFlight.add(record._id);
    try {
      await this.history.begin({ ...record, plan });
      await this.apply(plan, 'first');
      this.events.departmentsChanged();
    } catch (error) {
      this.inFlight.delete(record._id);
      if (!(error instanceof LostRace)) {
        this.interrupted = true;
        throw error;
      }
      await this.history.abandon(record._id);
      throw ApiError.preconditionFailed();
    }
  }

  /** The steps that take other departments' locks (after the caller released its own), then done. */
  async complete(record: HistoryRecord, plan: DepartmentPlan): Promise<void> {
    try {
      if (plan.kind === 'delete') await this.dropReferencesTo(plan.departmentId, record);
      await this.history.finish(record);
    } catch (error) {
      this.interrupted = true;
      throw error;
    } finally {
      this.inFlight.delete(record._id);
    }
  }

  // ---- recovery ----------------------------------------------------------------------------

  /** Notes a department write that failed before it could be journaled in full. */
  markInterrupted(): void {
    this.interrupted = true;
  }

  /** Whether a write failed midway since the last call (then a roll-forward is due). */
  takeInterrupted(): boolean {
    const interrupted = this.interrupted;
    this.interrupted = false;
    return interrupted;
  }

  /** Finishes every journaled write started before `startedBefore`; returns how many. */
  async rollForward(startedBefore: Date): Promise<number> {
    const pending = await this.history.pending<DepartmentPlan>(startedBefore);
    let resumed = 0;
    for (const { plan, ...record } of pending) {
      if (this.inFlight.has(record._id)) continue;
      this.inFlight.add(record._id);
      const departmentId = planDepartmentId(plan);
      try {
        await this.locks.run(departmentId, async () => {
          if (plan.kind !== 'delete' && (await this.history.hasLaterEntry(record))) {
            // A later write already went through: only restore the derived data.
            return this.repair(departmentId);
          }
          await this.apply(plan, 'resume');
        });
        this.events.departmentsChanged();
      } catch (error) {
        this.inFlight.delete(record._id);
        this.interrupted = true;
        throw error;
      }
      await this.complete(record, plan);
      resumed++;
    }
    if (resumed) this.logger.log(`Rolled forward ${resumed} interrupted department write(s)`);
    return resumed;
  }

  // ---- steps -------------------------------------------------------------------------------

  private async apply(plan: DepartmentPlan, mode: Mode): Promise<void> {
    switch (plan.kind) {
      case 'create':
        return this.applyCreate(plan, mode);
      case 'update':
        return this.applyUpdate(plan, mode);
      case 'delete':
        await this.departments.deleteOne({ _id: plan.departmentId });
        await this.assignments.deleteMany({ departmentId: plan.departmentId });
    }
  }

  private async applyCreate(
    plan: Extract<DepartmentPlan, { kind: 'create' }>,
    mode: Mode,
  ): Promise<void> {
    const { _id, ...department } = plan.department;
    await this.departments.updateOne({ _id }, { $setOnInsert: department }, { upsert: true });
    if (plan.assignments.length) {
      // By `_id`: FerretDB finds documents by `_id` without scanning the collection.
      await bulkWriteInChunks(
        this.assignments,
        plan.assignments.map(({ _id: assignmentId, ...assignment }) => ({
          updateOne: {
            filter: { _id: assignmentId },
            update: { $setOnInsert: assignment },
            upsert: true,
          },
        })),
      );
    }
    // First attempt: the department was inserted with numAgents = its assignments.
    if (mode === 'resume') await this.repair(_id);
  }

  private async applyUpdate(
    plan: Extract<DepartmentPlan, { kind: 'update' }>,
    mode: Mode,
  ): Promise<void> {
    const id = plan.departmentId;
    const filter: Record<string, unknown> = { _id: id };
    if (mode === 'first' && plan.expectedVersion) filter._updatedAt = plan.expectedVersion;
    const written = await this.departments.updateOne(filter, {
      $set: { ...plan.set, _updatedAt: plan.version },
      ...(plan.unset.length && { $unset: Object.fromEntries(plan.unset.map((f) => [f, 1])) }),
    });
    if (written.matchedCount === 0) {
      if (mode === 'first') throw new LostRace();
      return this.repair(id); // deleted since: drop what may be left of it
    }

    const inserted = await this.upsertAssignments(plan);
    const removed = plan.removeAgentIds.length
      ? (
          await this.assignments.deleteMany({
            departmentId: id,
            agentId: { $in: plan.removeAgentIds },
          })
        ).deletedCount
      : 0;
    if (plan.syncEnabled) {
      await this.assignments.updateMany(
        { departmentId: id },
        { $set: { departmentEnabled: plan.departmentEnabled, _updatedAt: plan.version } },
      );
    }
    if (mode === 'resume' || inserted === null) return this.repair(id);
    // Counted from what this attempt actually inserted and deleted: exact across instances.
    if (inserted !== removed) {
      await this.departments.updateOne({ _id: id }, { $inc: { numAgents: inserted - removed } });
    }
  }

  /**
   * Updates the plan's stored assignments and inserts the new ones; returns how many
   * were inserted, or null when that is unknown (then numAgents is recounted).
   */
  private async upsertAssignments(
    plan: Extract<DepartmentPlan, { kind: 'update' }>,
  ): Promise<number | null> {
    if (plan.upsert.length === 0) return 0;
    try {
      // By `_id` first: FerretDB finds those without scanning the collection.
      return await bulkWriteInChunks(this.assignments, assignmentWrites(plan, 'id'));
    } catch (error) {
      // Another instance assigned one of these agents meanwhile (unique index on
      // department + agent): address them by that pair, which finds its assignment.
      if ((error as { code?: number }).code !== 11000) throw error;
      await bulkWriteInChunks(this.assignments, assignmentWrites(plan, 'pair'));
      return null;
    }
  }

  /**
   * Restores what is derived from a department: its numAgents, its assignments'
   * departmentEnabled, and no assignment at all once it is gone. Idempotent.
   */
  async repair(departmentId: string): Promise<void> {
    const department = await this.departments
      .findOne({ _id: departmentId }, { enabled: 1 })
      .lean<Pick<Department, '_id' | 'enabled'>>();
    if (!department) {
      await this.assignments.deleteMany({ departmentId });
      return;
    }
    const numAgents = await this.assignments.countDocuments({ departmentId });
    await this.departments.updateOne({ _id: departmentId }, { $set: { numAgents } });
    await this.assignments.updateMany(
      { departmentId, departmentEnabled: { $ne: department.enabled } },
      { $set: { departmentEnabled: department.enabled } },
    );
  }

  /**
   * Removes a deleted department from every other department's fallback and forward
   * list, each under its own lock and with its own history entry.
   */
  private async dropReferencesTo(removedId: string, cause: HistoryRecord): Promise<void> {
    const referencing = await this.departments
      .find(
        {
          $or: [
            { fallbackForwardDepartment: removedId },
            { departmentsAllowedToForward: removedId },
          ],
        },
        { _id: 1 },
      )
      .lean<{ _id: string }[]>();
    for (const { _id: otherId } of referencing) {
      await this.locks.run(otherId, async () => {
        const other = await this.departments
          .findOne(
            { _id: otherId },
            { fallbackForwardDepartment: 1, departmentsAllowedToForward: 1, _updatedAt: 1 },
          )
          .lean<Department>();
        if (!other) return;
        const changes: { field: string; from: unknown; to: unknown }[] = [];
        const update: { $set: Partial<Department>; $unset?: Record<string, 1> } = {
          $set: { _updatedAt: nextVersion(other._updatedAt) },
        };
        const forwards = other.departmentsAllowedToForward;
        if (forwards?.includes(removedId)) {
          update.$set.departmentsAllowedToForward = forwards.filter((id) => id !== removedId);
          changes.push({
            field: 'departmentsAllowedToForward',
            from: forwards,
            to: update.$set.departmentsAllowedToForward,
          });
        }
        if (other.fallbackForwardDepartment === removedId) {
          update.$unset = { fallbackForwardDepartment: 1 };
          changes.push({ field: 'fallbackForwardDepartment', from: removedId, to: null });
        }
        if (!changes.length) return;
        // Recorded first with a fixed id: a replay after a crash neither loses nor doubles it.
        await this.history.recordDone({
          ...cause,
          _id: `${cause._id}:${otherId}`,
          departmentId: otherId,
          action: 'update',
          changes,
        });
        await this.departments.updateOne({ _id: otherId }, update);
      });
    }
  }
}

/** Strictly increasing `_updatedAt`, so it can serve as the department's version (ETag). */
export function nextVersion(previous: Date): Date {
  return new Date(Math.max(Date.now(), new Date(previous).getTime() + 1));
}
