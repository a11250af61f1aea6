import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { AnyBulkWriteOperation, Model } from 'mongoose';
import { Counter } from 'prom-client';
import { ApiError } from '../../common/api-error';
import { databaseUnavailable } from '../../common/envelope';
import { Fence, LeaseLost, WriteLeases } from '../../coordination/write-leases';
import { MetricsService } from '../../health/metrics.service';
import { UsersService } from '../../users/users.service';
import { BusinessHour } from '../business-hours/business-hour.schema';
import { LivechatEvents } from '../livechat-events';
import { Unit, UnitMonitor, UnitVisibility } from '../units/unit.schema';
import {
  DepartmentHistoryService,
  HistoryRecord,
  PendingRecord,
} from '../history/department-history.service';
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

/** A monitor of a unit, as a unit write stores it. */
export interface UnitMonitorWrite {
  monitorId: string;
  username: string;
}

/** A department that a unit write moves into the unit, or (`unitId` null) out of its unit. */
export interface DepartmentMove {
  departmentId: string;
  unitId: string | null;
  /** The department's next `_updatedAt`. */
  version: Date;
  /** Its history entry ("moved to unit X"), stored with this fixed id. */
  history: HistoryRecord;
}

/**
 * Everything a department (or unit) write does, decided (and validated) before its first
 * step, so that it can be journaled and replayed. Every step is idempotent. Each plan
 * writes one document of the department collection (and what hangs off it), plus the
 * counts of the units in `recountUnits`, whose leases it holds too.
 */
export type DepartmentPlan = (
  | { kind: 'create'; department: Department; assignments: DepartmentAgent[] }
  | {
      kind: 'update';
      departmentId: string;
      version: Date;
      set: Partial<Department>;
      unset: string[];
      upsert: AssignmentWrite[];
      removeAgentIds: string[];
      /** The department's `enabled` after the write, mirrored into its assignments. */
      departmentEnabled: boolean;
      /** `enabled` changes: every assignment's `departmentEnabled` follows. */
      syncEnabled: boolean;
    }
  | { kind: 'delete'; departmentId: string }
  | {
      kind: 'unit';
      unitId: string;
      version: Date;
      /** The unit's fields after the write; null deletes it (with its monitor links). */
      unit: { name: string; visibility: UnitVisibility } | null;
      /** The unit's complete set of monitors after the write. */
      monitors: UnitMonitorWrite[];
      moves: DepartmentMove[];
    }
) & {
  /** Units whose numDepartments/numMonitors the write changes: recounted after its steps. */
  recountUnits?: string[];
};

type Mode = 'first' | 'resume';
type UpdatePlan = Extract<DepartmentPlan, { kind: 'update' }>;

/** A journal entry that keeps failing is parked after this many replays. */
export const MAX_REPLAY_ATTEMPTS = 5;

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
  plan: UpdatePlan,
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
  switch (plan.kind) {
    case 'create':
      return plan.department._id;
    case 'unit':
      return plan.unitId;
    default:
      return plan.departmentId;
  }
}

/**
 * Every document of the department collection a plan writes: the leases it needs, and
 * what its journal entry is found by, so that a later write to any of them finishes it
 * first (and a replay never undoes that later write).
 */
export function planTouches(plan: DepartmentPlan): string[] {
  const moved = plan.kind === 'unit' ? plan.moves.map((move) => move.departmentId) : [];
  return [...new Set([planDepartmentId(plan), ...moved, ...(plan.recountUnits ?? [])])];
}

/**
 * Thrown inside a write that finds it needs more leases than it holds (an interrupted
 * write to finish that also touches a unit, a department whose unit it learns only once
 * it reads it). Nothing is written before it is thrown: the write starts again holding
 * the union, in sorted order (no deadlock).
 */
class NeedsLeases extends Error {
  constructor(readonly ids: string[]) {
    super(`needs the write leases of ${ids.join(', ')}`);
  }
}

/** A fence that also knows which documents' leases its write holds. */
export interface DepartmentFence extends Fence {
  /** Throws (to start the write again with them) unless the leases of `ids` are held. */
  require(ids: (string | undefined)[]): void;
}

/** The fields of a department that name another document. */
type References = Pick<
  Department,
  '_id' | 'enabled' | 'fallbackForwardDepartment' | 'departmentsAllowedToForward' | 'businessHourId'
> & { parentId?: string };

const leaseKey = (departmentId: string) => `department:${departmentId}`;

/**
 * The one code path for department writes (which touch several documents and have no
 * transactions). A write holds the department's write lease (WriteLeases: one writer per
 * department across every instance), finishes first whatever an interrupted write left
 * journaled for that department, then journals its own plan, applies it step by step
 * (each step checks the lease) and marks it done. So a department never has two journaled
 * writes in flight, and a replay never runs after a later write: the order of writes is
 * the order in which they held the lease, not a clock. Replays end with a repair of
 * everything derived (counts, departmentEnabled, references, non-agents' assignments).
 */
@Injectable()
export class DepartmentWriter {
  private readonly logger = new Logger(DepartmentWriter.name);
  /**
   * Departments (and units) touched by a write that failed midway in this process: local
   * mode reads the journal only for those.
   */
  private readonly dirty = new Set<string>();
  /** A role removal failed midway: recovery sweeps the assignments of non-agents. */
  private agentsToSweep = false;
  private readonly replays: Counter;
  private readonly parkings: Counter;

  constructor(
    @InjectModel(Department.name) private readonly departments: Model<Department>,
    @InjectModel(DepartmentAgent.name) private readonly assignments: Model<DepartmentAgent>,
    @InjectModel(BusinessHour.name) private readonly businessHours: Model<BusinessHour>,
    @InjectModel(Unit.name) private readonly units: Model<Unit>,
    @InjectModel(UnitMonitor.name) private readonly unitMonitors: Model<UnitMonitor>,
    private readonly history: DepartmentHistoryService,
    private readonly leases: WriteLeases,
    private readonly users: UsersService,
    private readonly events: LivechatEvents,
    metrics: MetricsService,
  ) {
    this.replays = new Counter({
      name: 'department_journal_replays_total',
      help: 'Interrupted department writes rolled forward',
      registers: [metrics.registry],
    });
    this.parkings = new Counter({
      name: 'department_journal_parked_total',
      help: 'Journal entries parked after failing every replay',
      registers: [metrics.registry],
    });
  }

  /**
   * Runs `task` holding the write leases of `departmentIds` (departments and units), once
   * what interrupted writes left journaled for them is finished. The task may ask for
   * more leases (`fence.require`) before its first write: it then runs again with them.
   */
  async withDepartments<T>(
    departmentIds: string[],
    task: (fence: DepartmentFence) => Promise<T>,
  ): Promise<T> {
    return this.holding(departmentIds, async (fence) => {
      for (const id of fence.held) await this.settle(id, fence, false);
      return task(fence);
    });
  }

  /** Runs `task` holding the leases of `ids`, and of whatever it asks for on the way. */
  private async holding<T>(
    ids: string[],
    task: (fence: DepartmentFence & { held: ReadonlySet<string> }) => Promise<T>,
  ): Promise<T> {
    let wanted = new Set(ids);
    for (;;) {
      try {
        const held: ReadonlySet<string> = wanted;
        return await this.leases.run([...held].map(leaseKey), (fence) =>
          task({
            held,
            check: () => fence.check(),
            require: (more) => {
              const missing = more.filter((id): id is string => !!id && !held.has(id));
              if (missing.length) throw new NeedsLeases(missing);
            },
          }),
        );
      } catch (error) {
        if (!(error instanceof NeedsLeases)) throw error;
        wanted = new Set([...wanted, ...error.ids]);
      }
    }
  }

  /** Journals and applies a write; the caller holds the leases of what it touches. */
  async run(record: HistoryRecord, plan: DepartmentPlan, fence: DepartmentFence): Promise<void> {
    await this.start(record, plan, fence);
    await this.complete(record, plan);
  }

  /** Journals the write and applies its steps on the department; the caller holds its lease. */
  async start(record: HistoryRecord, plan: DepartmentPlan, fence: DepartmentFence): Promise<void> {
    fence.require(planTouches(plan));
    try {
      await this.history.begin({ ...record, plan, touches: planTouches(plan) });
      await this.apply(plan, 'first', fence);
      this.events.departmentsChanged();
    } catch (error) {
      for (const id of planTouches(plan)) this.dirty.add(id);
      throw asServiceError(error);
    }
  }

  /**
   * The steps on other departments (a delete's reference clean-up, which takes their
   * leases, so the caller has released its own), then the history entry.
   */
  async complete(record: HistoryRecord, plan: DepartmentPlan): Promise<void> {
    try {
      if (plan.kind === 'delete') await this.dropReferencesTo(plan.departmentId, record);
      await this.history.finish(record);
    } catch (error) {
      for (const id of planTouches(plan)) this.dirty.add(id);
      throw asServiceError(error);
    }
  }

  // ---- recovery ----------------------------------------------------------------------------

  /** Notes a role removal that failed midway (the role is gone, assignments may be left). */
  markAgentsToSweep(): void {
    this.agentsToSweep = true;
  }

  /** Whether a role removal failed since the last call. */
  takeAgentsToSweep(): boolean {
    const sweep = this.agentsToSweep;
    this.agentsToSweep = false;
    return sweep;
  }

  /** Whether this process has interrupted writes that nobody finished yet. */
  hasLocalLeftovers(): boolean {
    return this.dirty.size > 0;
  }

  /**
   * Finishes the journaled writes of `departmentIds` (all pending ones when omitted),
   * each under its department's lease: writes still in flight elsewhere are waited for,
   * not replayed. A failing department does not stop the others. Returns how many
   * entries were finished and which departments failed.
   */
  async rollForward(departmentIds?: string[]): Promise<{ finished: number; failed: string[] }> {
    const ids = departmentIds ?? [
      ...new Set((await this.history.pending<DepartmentPlan>()).map((e) => e.departmentId)),
    ];
    let finished = 0;
    const failed: string[] = [];
    for (const id of ids) {
      try {
        finished += await this.holding([id], (fence) => this.settle(id, fence, true));
        // A delete's clean-up of other departments runs outside its own lease.
        for (const { plan, ...record } of await this.history.pendingFor<DepartmentPlan>(id)) {
          if (plan.kind !== 'delete') continue;
          await this.complete(record, plan);
          finished++;
        }
        this.dirty.delete(id);
      } catch (error) {
        failed.push(id);
        this.logger.warn(`Roll-forward of department ${id} failed: ${describe(error)}`);
      }
    }
    if (finished) this.logger.log(`Rolled forward ${finished} interrupted department write(s)`);
    return { finished, failed };
  }

  /**
   * Finishes the department's journaled writes; the caller holds its lease. Shared mode
   * always looks (another instance may have died midway); local mode only after a
   * failure here, or when `force`d. A delete's own steps are replayed here, its clean-up
   * of other departments is left to its request or to rollForward.
   */
  private async settle(
    departmentId: string,
    fence: DepartmentFence,
    force: boolean,
  ): Promise<number> {
    if (!force && !this.leases.shared && !this.dirty.has(departmentId)) return 0;
    let finished = 0;
    let leftover = false;
    const entries = await this.history.pendingFor<DepartmentPlan>(departmentId);
    // A replay writes what its plan touches: hold all of it first.
    fence.require(entries.flatMap((entry) => planTouches(entry.plan)));
    for (const entry of entries) {
      if (await this.replay(entry, fence)) finished++;
      else leftover ||= entry.plan.kind === 'delete';
    }
    // A delete's clean-up is still to do: keep it in sight of the local recovery pass.
    if (!leftover) this.dirty.delete(departmentId);
    return finished;
  }

  /** Replays one entry; true when it is finished. A poisoned entry is parked after a few tries. */
  private async replay(
    { plan, ...record }: PendingRecord<DepartmentPlan>,
    fence: DepartmentFence,
  ): Promise<boolean> {
    try {
      await this.apply(plan, 'resume', fence);
      this.replays.inc();
      this.events.departmentsChanged();
      if (plan.kind === 'delete') return false;
      await this.history.finish(record);
      return true;
    } catch (error) {
      if (isTransient(error)) throw asServiceError(error);
      const { attempts, parked } = await this.history.failedAttempt(
        record._id,
        MAX_REPLAY_ATTEMPTS,
      );
      if (!parked) {
        this.logger.warn(
          `Replay ${attempts}/${MAX_REPLAY_ATTEMPTS} of journal entry ${record._id} failed: ${describe(error)}`,
        );
        throw databaseUnavailable();
      }
      this.parkings.inc();
      this.logger.error(
        `Parked journal entry ${record._id} (department ${record.departmentId}) after ` +
          `${attempts} failed replays: ${describe(error)}`,
      );
      await this.repair(record.departmentId, fence);
      return false;
    }
  }

  // ---- steps -------------------------------------------------------------------------------

  private async apply(plan: DepartmentPlan, mode: Mode, fence: Fence): Promise<void> {
    switch (plan.kind) {
      case 'create':
        await this.applyCreate(plan, mode, fence);
        break;
      case 'update':
        await this.applyUpdate(plan, mode, fence);
        break;
      case 'delete':
        await fence.check();
        await this.departments.deleteOne({ _id: plan.departmentId });
        await fence.check();
        await this.assignments.deleteMany({ departmentId: plan.departmentId });
        break;
      case 'unit':
        await this.applyUnit(plan, fence);
        break;
      default:
        throw new Error(`unknown plan kind ${(plan as { kind?: unknown }).kind}`);
    }
    for (const unitId of new Set(plan.recountUnits)) await this.recountUnit(unitId, fence);
  }

  /**
   * Writes a unit's fields and its set of monitors (or deletes it), moves its departments
   * (each with its own history entry), then recounts it.
   */
  private async applyUnit(
    plan: Extract<DepartmentPlan, { kind: 'unit' }>,
    fence: Fence,
  ): Promise<void> {
    const { unitId } = plan;
    if (plan.unit) {
      await fence.check();
      await this.units.updateOne(
        { _id: unitId },
        {
          $set: { ...plan.unit, _updatedAt: plan.version },
          $setOnInsert: { numMonitors: 0, numDepartments: 0 },
        },
        { upsert: true },
      );
    }
    await this.writeMonitors(unitId, plan.monitors, fence);
    for (const move of plan.moves) {
      // Recorded first with a fixed id: a replay neither loses nor doubles it.
      await this.history.record(move.history);
      await fence.check();
      await this.departments.updateOne(
        { _id: move.departmentId },
        move.unitId
          ? { $set: { parentId: move.unitId, ancestors: [move.unitId], _updatedAt: move.version } }
          : { $set: { _updatedAt: move.version }, $unset: { parentId: 1, ancestors: 1 } },
      );
    }
    if (plan.unit) return this.recountUnit(unitId, fence);
    await fence.check();
    await this.units.deleteOne({ _id: unitId });
  }

  /** Makes the unit's monitor links exactly `monitors`. */
  private async writeMonitors(
    unitId: string,
    monitors: UnitMonitorWrite[],
    fence: Fence,
  ): Promise<void> {
    await fence.check();
    const keep = monitors.map((monitor) => monitor.monitorId);
    await this.unitMonitors.deleteMany({ unitId, monitorId: { $nin: keep } });
    const stored = new Set(
      (
        await this.unitMonitors.find({ unitId }, { monitorId: 1 }).lean<{ monitorId: string }[]>()
      ).map((link) => link.monitorId),
    );
    const added = monitors.filter((monitor) => !stored.has(monitor.monitorId));
    if (added.length === 0) return;
    await fence.check();
    await this.unitMonitors.insertMany(
      added.map((monitor) => ({ _id: `${unitId}:${monitor.monitorId}`, unitId, ...monitor })),
      { lean: true },
    );
  }

  /** Stores a unit's numDepartments and numMonitors as counted; the caller holds its lease. */
  private async recountUnit(unitId: string, fence: Fence): Promise<void> {
    const [numDepartments, numMonitors] = await Promise.all([
      this.departments.countDocuments({ parentId: unitId }),
      this.unitMonitors.countDocuments({ unitId }),
    ]);
    await fence.check();
    await this.units.updateOne({ _id: unitId }, { $set: { numDepartments, numMonitors } });
  }

  private async applyCreate(
    plan: Extract<DepartmentPlan, { kind: 'create' }>,
    mode: Mode,
    fence: Fence,
  ): Promise<void> {
    const { _id, ...department } = plan.department;
    await fence.check();
    if (mode === 'first') {
      // Fresh ids: plain inserts, which FerretDB does without scanning the collection.
      await this.departments.insertMany([plan.department], { lean: true });
      if (plan.assignments.length) {
        await fence.check();
        await this.assignments.insertMany(plan.assignments, { lean: true });
        await this.dropLostAgents(_id, plan.assignments, fence);
      }
      return;
    }
    await this.departments.updateOne({ _id }, { $setOnInsert: department }, { upsert: true });
    if (plan.assignments.length) {
      await fence.check();
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
    await this.repair(_id, fence);
  }

  private async applyUpdate(plan: UpdatePlan, mode: Mode, fence: Fence): Promise<void> {
    const id = plan.departmentId;
    await fence.check();
    const written = await this.departments.updateOne(
      { _id: id },
      {
        $set: { ...plan.set, _updatedAt: plan.version },
        ...(plan.unset.length && { $unset: Object.fromEntries(plan.unset.map((f) => [f, 1])) }),
      },
    );
    if (written.matchedCount === 0) return this.repair(id, fence); // deleted: drop what is left

    await fence.check();
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
    if (mode === 'resume' || inserted === null) return this.repair(id, fence);
    // Counted from what this write inserted and deleted (no other writer holds the lease).
    if (inserted !== removed) {
      await fence.check();
      await this.departments.updateOne({ _id: id }, { $inc: { numAgents: inserted - removed } });
    }
    await this.dropLostAgents(id, plan.upsert, fence);
  }

  /**
   * Updates the plan's stored assignments and inserts the new ones; returns how many
   * were inserted, or null when that is unknown (then numAgents is recounted).
   */
  private async upsertAssignments(plan: UpdatePlan): Promise<number | null> {
    if (plan.upsert.length === 0) return 0;
    try {
      // By `_id` first: FerretDB finds those without scanning the collection.
      return await bulkWriteInChunks(this.assignments, assignmentWrites(plan, 'id'));
    } catch (error) {
      // The pair is stored under another id (an assignment this plan did not see, such
      // as one left by a replay): address them by the pair, then recount.
      if ((error as { code?: number }).code !== 11000) throw error;
      await bulkWriteInChunks(this.assignments, assignmentWrites(plan, 'pair'));
      return null;
    }
  }

  /**
   * The agent role was checked before the write, and may have been taken away since:
   * its removal sweeps assignments that exist when it runs, so a write that inserted
   * one checks again afterwards. Whichever runs second sees the other's effect.
   */
  private async dropLostAgents(
    departmentId: string,
    written: { agentId: string }[],
    fence: Fence,
  ): Promise<void> {
    if (written.length === 0) return;
    const ids = written.map((assignment) => assignment.agentId);
    if ((await this.users.findWithRole(ids, 'livechat-agent')).length === ids.length) return;
    await this.repair(departmentId, fence);
  }

  /**
   * Restores everything derived from a department and its references: no assignment
   * once it is gone, none of users who lost the agent role, numAgents, the assignments'
   * departmentEnabled, and no reference to a missing department or schedule. Idempotent;
   * the caller holds the department's lease.
   */
  async repair(departmentId: string, fence: Fence): Promise<void> {
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
      await this.assignments.deleteMany({ departmentId });
      // The id may be a unit's (its writes are journaled the same way).
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
      await this.assignments.deleteMany({ departmentId, agentId: { $in: lost } });
    }
    const update = await this.referenceRepairs(department);
    update.$set.numAgents = agentIds.length - lost.length;
    await fence.check();
    await this.departments.updateOne({ _id: departmentId }, update);
    await this.assignments.updateMany(
      { departmentId, departmentEnabled: { $ne: department.enabled } },
      { $set: { departmentEnabled: department.enabled } },
    );
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
      unset('parentId');
      unset('ancestors');
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

  /**
   * Removes a deleted department from every other department's fallback and forward
   * list, each under its own lease and with its own history entry.
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
      await this.withDepartments([otherId], async (fence) => {
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
        await this.history.record({
          ...cause,
          _id: `${cause._id}:${otherId}`,
          departmentId: otherId,
          action: 'update',
          changes,
        });
        await fence.check();
        await this.departments.updateOne({ _id: otherId }, update);
      });
    }
  }
}

/**
 * The department's next `_updatedAt` (its ETag): never earlier than the stored one, so
 * it only moves forward even when this machine's clock is behind another's. It is a
 * version for clients, not what orders writes (the lease does).
 */
export function nextVersion(previous: Date): Date {
  return new Date(Math.max(Date.now(), new Date(previous).getTime() + 1));
}

/** An outage or a lost lease: worth retrying, and no evidence against the entry. */
function isTransient(error: unknown): boolean {
  return (
    error instanceof LeaseLost ||
    (error instanceof ApiError && error.status === 503) ||
    /^Mongo(Network|NotConnected|ServerSelection|TopologyClosed|OperationTimeout)/.test(
      (error as Error)?.name ?? '',
    )
  );
}

/** A lost lease answers 503 (the write will be finished by its new holder); the rest as is. */
function asServiceError(error: unknown): unknown {
  return error instanceof LeaseLost ? databaseUnavailable() : error;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
