import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { performance } from 'node:perf_hooks';
import { Counter } from 'prom-client';
import { ApiError } from '../../common/api-error';
import { databaseUnavailable } from '../../common/envelope';
import { randomId } from '../../common/ids';
import { MetricsService } from '../../health/metrics.service';
import { DepartmentAgent } from '../departments/schemas/department-agent.schema';
import { Department } from '../departments/schemas/department.schema';
import { DepartmentHistoryService, HistoryRecord } from '../history/department-history.service';
import { LivechatEvents } from '../livechat-events';
import { UnitMonitor } from '../units/unit.schema';
import { DerivedData } from './derived-data';
import { FENCE_FIELD, StaleWriter, fenced, stamped } from './fencing';
import { DepartmentJournal, JournalEntry } from './journal';
import { DepartmentPlan, nextVersion, planInserts, planTouches } from './plan';
import { StateWrites } from './state-writes';
import { LeaseLost, WriteLeases } from './write-leases';

export type { AssignmentWrite, DepartmentPlan, UnitMonitorWrite, DepartmentMove } from './plan';
export { nextVersion, planTouches } from './plan';

/** A journal entry that keeps failing is parked after this many replays. */
export const MAX_REPLAY_ATTEMPTS = 5;

/**
 * How long (on each instance's own monotonic clock) an overtaken entry is kept and swept
 * when its first writer never comes back to remove it (it died while paused).
 */
const OVERTAKEN_RETENTION_MS = 60 * 60 * 1000;

/**
 * What a write holding leases carries: the early lease check, the epochs the database
 * compares in every write (fencing.ts), and the set of documents whose leases it holds.
 */
export interface DepartmentFence {
  /** The documents (departments, units) whose leases the write holds. */
  readonly held: ReadonlySet<string>;
  /** Throws LeaseLost once another instance may have taken over (advice, saves work). */
  check(): Promise<void>;
  /** Throws (to start the write again with them) unless the leases of `ids` are held. */
  require(ids: (string | undefined)[]): void;
  /** The fencing epoch of this write for document `id` (undefined in local mode). */
  epoch(id: string): number | undefined;
  /** The epoch of the writer before this one, as the claim found it on `id`. */
  previous(id: string): number | undefined;
  /**
   * Stamps the held documents with this write's epoch (once, before the first write; a
   * request refused before writing changes nothing): from then on the database refuses
   * every write of an earlier holder to them, even one that wrote nothing here.
   */
  claim(): Promise<void>;
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

const leaseKey = (departmentId: string) => `department:${departmentId}`;

/**
 * The one code path for department writes (which touch several documents and have no
 * transactions), and its multi-step operations (a delete's clean-up of references).
 *
 * A write holds the leases of what it touches (WriteLeases: one writer per department
 * across instances, to spare wasted work), claims those documents with its epoch (from
 * then on, the database refuses every write of an earlier holder to them), finishes what
 * an interrupted write left journaled for them, then journals its own plan and applies it
 * (StateWrites, then DerivedData), each write fenced by its epoch. Its entry is removed
 * only if it still carries it: a writer overtaken while paused answers 503 and leaves
 * the entry to the one that finished it. Correctness never rests on the lease or a clock.
 */
@Injectable()
export class DepartmentWriter {
  private readonly logger = new Logger(DepartmentWriter.name);
  /**
   * Departments (and units) touched by a write that failed midway in this process: local
   * mode reads the journal only for those.
   */
  private readonly dirty = new Set<string>();
  /** The writer token of each entry this process carries out now, by entry id. */
  private readonly writers = new Map<string, string>();
  /** Overtaken entries seen by the sweep, and since when (performance.now()). */
  private readonly overtakenSince = new Map<string, number>();
  /** A role removal failed midway: recovery sweeps the assignments of non-agents. */
  private agentsToSweep = false;
  private readonly replays: Counter;
  private readonly parkings: Counter;

  constructor(
    @InjectModel(Department.name) private readonly departments: Model<Department>,
    @InjectModel(DepartmentAgent.name) private readonly assignments: Model<DepartmentAgent>,
    @InjectModel(UnitMonitor.name) private readonly unitMonitors: Model<UnitMonitor>,
    private readonly journal: DepartmentJournal,
    private readonly state: StateWrites,
    private readonly derived: DerivedData,
    private readonly history: DepartmentHistoryService,
    private readonly leases: WriteLeases,
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
    task: (fence: DepartmentFence) => Promise<T>,
  ): Promise<T> {
    let wanted = new Set(ids);
    for (;;) {
      try {
        const held: ReadonlySet<string> = wanted;
        return await this.leases.run([...held].map(leaseKey), async (lease) => {
          const previous = new Map<string, number>();
          let claimed: Promise<void> | undefined;
          const fence: DepartmentFence = {
            held,
            check: () => lease.check(),
            require: (more) => {
              const missing = more.filter((id): id is string => !!id && !held.has(id));
              if (missing.length) throw new NeedsLeases(missing);
            },
            epoch: (id) => lease.epochOf(leaseKey(id)),
            previous: (id) => previous.get(id),
            claim: () =>
              (claimed ??= (async () => {
                for (const id of held) await this.claim(id, fence, previous);
              })()),
          };
          return task(fence);
        });
      } catch (error) {
        if (error instanceof StaleWriter || error instanceof LeaseLost) {
          throw databaseUnavailable();
        }
        if (!(error instanceof NeedsLeases)) throw error;
        wanted = new Set([...wanted, ...error.ids]);
      }
    }
  }

  /** Claims one document (see DepartmentFence.claim); notes the epoch it replaced. Shared mode only. */
  private async claim(
    id: string,
    fence: DepartmentFence,
    previous: Map<string, number>,
  ): Promise<void> {
    const epoch = fence.epoch(id);
    if (epoch === undefined) return;
    // The raw collection: units and departments share it, the claim is for either.
    const before = await this.departments.collection.findOneAndUpdate(
      fenced({ _id: id as never }, epoch),
      { $set: stamped({}, epoch) },
    );
    if (before) {
      const stored = (before as { [FENCE_FIELD]?: number })[FENCE_FIELD];
      if (stored !== undefined) previous.set(id, stored);
      return;
    }
    if (
      await this.departments.collection.findOne({ _id: id as never }, { projection: { _id: 1 } })
    ) {
      throw new StaleWriter(id);
    }
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
    this.writers.set(record._id, writer);
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
      this.events.departmentsChanged();
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
      if (plan.kind === 'delete') await this.dropReferencesTo(plan.departmentId, record);
      await this.history.complete(record);
      if (!(await this.journal.finish(record._id, this.writers.get(record._id)))) {
        // Another writer took the entry over while this one was paused: it is theirs.
        throw new StaleWriter(`journal entry ${record._id}`);
      }
      this.writers.delete(record._id);
    } catch (error) {
      await this.failed(record, plan, error);
    }
  }

  private async failed(
    record: HistoryRecord,
    plan: DepartmentPlan,
    error: unknown,
  ): Promise<never> {
    for (const id of planTouches(plan)) this.dirty.add(id);
    // No longer carried out here: recovery may take the entry over.
    this.writers.delete(record._id);
    if (error instanceof StaleWriter || error instanceof LeaseLost) {
      this.logger.warn(`Write ${record._id} was overtaken by a later writer: ${describe(error)}`);
      // Done writing: its late inserts, if any landed, go now rather than at the next pass.
      // Not awaited: the sweep takes the leases this write still holds until it unwinds.
      void this.cleanUpAfterOvertaken(record._id).catch((cleanUp: unknown) =>
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
      ...new Set((await this.journal.pending()).map((e) => e.departmentId)),
    ];
    let finished = 0;
    const failed: string[] = [];
    for (const id of ids) {
      try {
        finished += await this.holding([id], (fence) => this.settle(id, fence, true));
        // A delete's clean-up of other departments runs outside its own lease.
        for (const { plan, ...record } of await this.journal.pendingFor(id)) {
          if (plan.kind !== 'delete' || !this.writers.has(record._id)) continue;
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
   * Sweeps the late inserts of every overtaken entry (shared mode): documents its plan
   * inserts that carry an overtaken writer's epoch can only have been written after the
   * entry was finished by another writer, so they are deleted and the derived data
   * recounted. An entry is dropped once its first writer came back, or after
   * OVERTAKEN_RETENTION_MS of sweeps here.
   */
  async sweepOvertaken(): Promise<number> {
    let swept = 0;
    const now = performance.now();
    const seen = new Set<string>();
    for (const entry of await this.journal.overtaken()) {
      seen.add(entry._id);
      swept += await this.sweep(entry);
      const since = this.overtakenSince.get(entry._id) ?? now;
      this.overtakenSince.set(entry._id, since);
      if (now - since >= OVERTAKEN_RETENTION_MS) await this.journal.remove(entry._id);
    }
    for (const id of this.overtakenSince.keys()) if (!seen.has(id)) this.overtakenSince.delete(id);
    return swept;
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
    // Entries this process is carrying out (a delete's clean-up) are its request's to finish.
    const entries = (await this.journal.pendingFor(departmentId)).filter(
      (entry) => !this.writers.has(entry._id),
    );
    // A replay writes what its plan touches: hold all of it first.
    fence.require(entries.flatMap((entry) => planTouches(entry.plan)));
    if (entries.length) await fence.claim();
    for (const entry of entries) {
      if (await this.replay(entry, fence)) finished++;
      else leftover ||= entry.plan.kind === 'delete';
    }
    // A delete's clean-up is still to do: keep it in sight of the local recovery pass.
    if (!leftover) this.dirty.delete(departmentId);
    return finished;
  }

  /** Replays one entry; true when it is finished. A poisoned entry is parked after a few tries. */
  private async replay(entry: JournalEntry, fence: DepartmentFence): Promise<boolean> {
    const { plan, ...record } = entry;
    const touches = planTouches(plan);
    const writer = randomId();
    if (
      !(await this.journal.takeOver(
        entry,
        writer,
        this.leases.instanceId,
        epochsOf(fence, touches),
      ))
    ) {
      throw new StaleWriter(`journal entry ${entry._id}`);
    }
    // Journaled after a later writer wrote one of its documents (its writer was paused
    // between its lease and its journal): replaying it would undo that later write.
    if (touches.some((id) => (fence.previous(id) ?? 0) > (entry.epochs?.[id] ?? Infinity))) {
      this.logger.warn(`Journal entry ${entry._id} is older than a later write: not replayed`);
      await this.journal.markOvertaken(entry._id, writer);
      return true;
    }
    this.writers.set(entry._id, writer);
    try {
      await this.state.apply(plan, 'resume', fence);
      this.replays.inc();
      this.events.departmentsChanged();
      if (plan.kind === 'delete') return false;
      await this.history.complete(record);
      await this.endReplay(entry, writer);
      return true;
    } catch (error) {
      if (plan.kind !== 'delete') this.writers.delete(entry._id);
      if (isTransient(error)) throw asServiceError(error);
      const { attempts, parked } = await this.journal.failedAttempt(
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
      await this.derived.repair(record.departmentId, fence);
      return false;
    }
  }

  /**
   * A replayed entry is removed when no earlier writer can still write late (local mode,
   * or a writer of this process that has given up); otherwise kept as overtaken, to sweep.
   */
  private async endReplay(entry: JournalEntry, writer: string): Promise<void> {
    this.writers.delete(entry._id);
    const lateWriterPossible =
      this.leases.shared && entry.epochs !== undefined && entry.owner !== this.leases.instanceId;
    const ended = lateWriterPossible
      ? await this.journal.markOvertaken(entry._id, writer)
      : await this.journal.finish(entry._id, writer);
    if (!ended) throw new StaleWriter(`journal entry ${entry._id}`);
  }

  /** The first writer of an overtaken entry is done writing: sweep and drop the entry. */
  private async cleanUpAfterOvertaken(entryId: string): Promise<void> {
    const entry = (await this.journal.overtaken()).find((e) => e._id === entryId);
    if (!entry) return; // still being replayed: the sweep of recovery takes it
    await this.sweep(entry).catch(() => 0);
    await this.journal.remove(entryId);
  }

  /** Deletes the late inserts of an overtaken entry's writers; returns how many. */
  private async sweep(entry: JournalEntry): Promise<number> {
    const ceiling = new Map<string, number>();
    for (const epochs of entry.staleEpochs ?? []) {
      for (const [id, epoch] of Object.entries(epochs)) {
        ceiling.set(id, Math.max(epoch, ceiling.get(id) ?? 0));
      }
    }
    if (ceiling.size === 0) return 0;
    const stale = (id: string) => ({ [FENCE_FIELD]: { $lte: ceiling.get(id) ?? 0 } });
    const inserts = planInserts(entry.plan);
    let swept = 0;
    for (const id of inserts.departments) {
      swept += (await this.departments.collection.deleteOne({ _id: id as never, ...stale(id) }))
        .deletedCount;
    }
    const { departmentId, ids } = inserts.assignments;
    if (ids.length) {
      swept += (
        await this.assignments.collection.deleteMany({
          _id: { $in: ids as never[] },
          ...stale(departmentId),
        })
      ).deletedCount;
    }
    if (inserts.unitMonitors.length) {
      swept += (
        await this.unitMonitors.collection.deleteMany({
          _id: { $in: inserts.unitMonitors as never[] },
          ...stale(entry.departmentId),
        })
      ).deletedCount;
    }
    if (swept) {
      this.logger.warn(`Swept ${swept} late write(s) of overtaken journal entry ${entry._id}`);
      await this.holding(planTouches(entry.plan), async (fence) => {
        await fence.claim();
        for (const id of fence.held) await this.derived.repair(id, fence);
      });
      this.events.departmentsChanged();
    }
    return swept;
  }

  // ---- multi-step operations ---------------------------------------------------------------

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
        await this.history.record({
          ...cause,
          _id: `${cause._id}:${otherId}`,
          departmentId: otherId,
          action: 'update',
          changes,
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
  }
}

/** This write's epochs for `ids` (none in local mode). */
function epochsOf(fence: DepartmentFence, ids: string[]): Record<string, number> | undefined {
  const epochs: Record<string, number> = {};
  for (const id of ids) {
    const epoch = fence.epoch(id);
    if (epoch !== undefined) epochs[id] = epoch;
  }
  return Object.keys(epochs).length ? epochs : undefined;
}

/** An outage, a lost lease or a later writer: worth retrying, and no evidence against the entry. */
function isTransient(error: unknown): boolean {
  return (
    error instanceof LeaseLost ||
    error instanceof StaleWriter ||
    (error instanceof ApiError && error.status === 503) ||
    /^Mongo(Network|NotConnected|ServerSelection|TopologyClosed|OperationTimeout)/.test(
      (error as Error)?.name ?? '',
    )
  );
}

/** A lost lease or a later writer answers 503 (the write is finished by whoever took it over). */
function asServiceError(error: unknown): unknown {
  return error instanceof LeaseLost || error instanceof StaleWriter ? databaseUnavailable() : error;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
