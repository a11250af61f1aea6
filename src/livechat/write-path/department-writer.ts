import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { randomId } from '../../common/ids';
import { Department } from '../departments/schemas/department.schema';
import { CleanupCause, SYSTEM_USER } from '../history/department-history.schema';
import { DepartmentHistoryService, HistoryRecord } from '../history/department-history.service';
import { LivechatEvents } from '../livechat-events';
import { asServiceError, DepartmentFence, DepartmentLeases, epochsOf } from './department-leases';
import { fenced, StaleWriter, stamped } from './fencing';
import { DepartmentJournal } from './journal';
import { JournalReplay } from './journal-replay';
import { DepartmentPlan, nextVersion, planTouches } from './plan';
import { StateWrites } from './state-writes';
import { LeaseLost } from './write-leases';

export type { DepartmentFence } from './department-leases';
export type { AssignmentWrite, DepartmentPlan, UnitMonitorWrite, DepartmentMove } from './plan';
export { nextVersion, planTouches } from './plan';

/**
 * The one code path for department writes (which touch several documents and have no
 * transactions), and its multi-step operations (a delete's clean-up of references).
 *
 * A write holds the leases of what it touches and claims those documents with its epochs
 * (DepartmentLeases: from then on the database refuses every write of an earlier holder to
 * them), finishes what an interrupted write left journaled for them (JournalReplay), then
 * journals its own plan and applies it (StateWrites, then DerivedData), each write fenced
 * by its epoch. Its entry is removed only if it still carries it: a writer overtaken while
 * paused answers 503 and leaves the entry to the one that finished it. Correctness never
 * rests on the lease or a clock.
 */
@Injectable()
export class DepartmentWriter {
  private readonly logger = new Logger(DepartmentWriter.name);
  /** A role removal failed midway: recovery sweeps the assignments of non-agents. */
  private agentsToSweep = false;

  constructor(
    @InjectModel(Department.name) private readonly departments: Model<Department>,
    private readonly leases: DepartmentLeases,
    private readonly replay: JournalReplay,
    private readonly journal: DepartmentJournal,
    private readonly state: StateWrites,
    private readonly history: DepartmentHistoryService,
    private readonly events: LivechatEvents,
  ) {}

  /**
   * Runs `task` holding the write leases of `departmentIds` (departments and units), once
   * what interrupted writes left journaled for them is finished. The task may ask for
   * more leases (`fence.require`) before its first write: it then runs again with them.
   */
  async withDepartments<T>(
    departmentIds: string[],
    task: (fence: DepartmentFence) => Promise<T>,
  ): Promise<T> {
    return this.leases.holding(departmentIds, async (fence) => {
      for (const id of fence.held) await this.replay.settle(id, fence, false);
      return task(fence);
    });
  }

  /** Journals and applies a write; the caller holds the leases of what it touches. */
  async run(record: HistoryRecord, plan: DepartmentPlan, fence: DepartmentFence): Promise<void> {
    await this.start(record, plan, fence);
    await this.complete(record, plan);
  }

  /** Journals the write and applies its steps on the department; the caller holds its lease. */
  async start(record: HistoryRecord, plan: DepartmentPlan, fence: DepartmentFence): Promise<void> {
    const touches = planTouches(plan);
    fence.require(touches);
    const writer = randomId();
    this.replay.carry(record._id, writer);
    try {
      await fence.claim();
      await this.journal.begin({
        ...record,
        plan,
        touches,
        writer,
        owner: this.leases.instanceId,
        epochs: epochsOf(fence, touches),
      });
      await this.state.apply(plan, 'first', fence);
      await this.events.departmentsChanged();
    } catch (error) {
      await this.failed(record, plan, error);
    }
  }

  /**
   * The steps on other departments (a delete's reference clean-up, which takes their
   * leases, so the caller has released its own), the history entry, and the end of the
   * journal entry, which only its current writer may remove.
   */
  async complete(record: HistoryRecord, plan: DepartmentPlan): Promise<void> {
    try {
      if (plan.kind === 'delete') await this.dropReferencesTo(plan, record);
      await this.history.complete(record);
      if (!(await this.journal.finish(record._id, this.replay.writerOf(record._id)))) {
        // Another writer took the entry over while this one was paused: it is theirs.
        throw new StaleWriter(`journal entry ${record._id}`);
      }
      this.replay.drop(record._id);
    } catch (error) {
      await this.failed(record, plan, error);
    }
  }

  private async failed(
    record: HistoryRecord,
    plan: DepartmentPlan,
    error: unknown,
  ): Promise<never> {
    this.replay.markDirty(planTouches(plan));
    // No longer carried out here: recovery may take the entry over.
    this.replay.drop(record._id);
    if (error instanceof StaleWriter || error instanceof LeaseLost) {
      this.logger.warn(`Write ${record._id} was overtaken by a later writer: ${describe(error)}`);
      // Done writing: its late inserts, if any landed, go now rather than at the next pass.
      // Not awaited: the sweep takes the leases this write still holds until it unwinds.
      void this.replay
        .cleanUpAfterOvertaken(record._id)
        .catch((cleanUp: unknown) =>
          this.logger.warn(
            `Clean-up after overtaken write ${record._id} failed: ${describe(cleanUp)}`,
          ),
        );
    }
    throw asServiceError(error);
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
    return this.replay.hasLocalLeftovers();
  }

  /** Sweeps the late inserts of overtaken writers (see JournalReplay.sweepOvertaken). */
  sweepOvertaken(): Promise<number> {
    return this.replay.sweepOvertaken();
  }

  /**
   * Finishes the journaled writes of `departmentIds` (all pending ones when omitted),
   * each under its department's lease: writes still in flight elsewhere are waited for,
   * not replayed. A failing department does not stop the others. Returns how many
   * entries were finished and which departments failed.
   */
  async rollForward(departmentIds?: string[]): Promise<{ finished: number; failed: string[] }> {
    const ids = departmentIds ?? [
      ...new Set((await this.journal.pending()).map((e) => e.departmentId)),
    ];
    let finished = 0;
    const failed: string[] = [];
    for (const id of ids) {
      try {
        finished += await this.leases.holding([id], (fence) => this.replay.settle(id, fence, true));
        // A delete's clean-up of other departments runs outside its own lease.
        for (const { plan, ...record } of await this.journal.pendingFor(id)) {
          if (plan.kind !== 'delete' || this.replay.writerOf(record._id) === undefined) continue;
          await this.complete(record, plan);
          finished++;
        }
        this.replay.clean(id);
      } catch (error) {
        failed.push(id);
        this.logger.warn(`Roll-forward of department ${id} failed: ${describe(error)}`);
      }
    }
    if (finished) this.logger.log(`Rolled forward ${finished} interrupted department write(s)`);
    return { finished, failed };
  }

  // ---- multi-step operations ---------------------------------------------------------------

  /**
   * Removes a deleted department from every other department's fallback and forward
   * list, each under its own lease and with its own history entry: an `update` that says
   * it is a clean-up (`cleanupOf`), by the deleter where the department is in its scope,
   * else by the system (a monitor's delete reaches outside its units only this way, the
   * one way to leave no reference to a department that no longer exists).
   */
  private async dropReferencesTo(
    plan: Extract<DepartmentPlan, { kind: 'delete' }>,
    cause: HistoryRecord,
  ): Promise<void> {
    const removedId = plan.departmentId;
    const cleanupOf: CleanupCause = {
      departmentId: removedId,
      ...(plan.departmentName !== undefined && { departmentName: plan.departmentName }),
      deletedBy: cause.user,
      requestId: cause.requestId,
    };
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
            {
              fallbackForwardDepartment: 1,
              departmentsAllowedToForward: 1,
              _updatedAt: 1,
              parentId: 1,
            },
          )
          .lean<Department>();
        if (!other) return;
        const changes: { field: string; from: unknown; to: unknown }[] = [];
        const epoch = fence.epoch(otherId);
        const update: { $set: Partial<Department>; $unset?: Record<string, 1> } = {
          $set: stamped({ _updatedAt: nextVersion(other._updatedAt) }, epoch),
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
        await fence.claim();
        // Recorded first with a fixed id: a replay after a crash neither loses nor doubles it.
        const deletersOwn =
          plan.deleterUnits === undefined ||
          (!!other.parentId && plan.deleterUnits.includes(other.parentId));
        await this.history.record({
          ...cause,
          _id: `${cause._id}:${otherId}`,
          departmentId: otherId,
          action: 'update',
          user: deletersOwn ? cause.user : { ...SYSTEM_USER },
          changes,
          cleanupOf,
        });
        await fence.check();
        const { matchedCount } = await this.departments.updateOne(
          fenced({ _id: otherId }, epoch),
          update,
        );
        if (matchedCount === 0 && (await this.departments.exists({ _id: otherId }))) {
          throw new StaleWriter(otherId);
        }
      });
    }
    if (referencing.length) await this.events.departmentsChanged();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
