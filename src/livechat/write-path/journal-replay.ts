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
import { DepartmentHistoryService } from '../history/department-history.service';
import { LivechatEvents } from '../livechat-events';
import { UnitMonitor } from '../units/unit.schema';
import { asServiceError, DepartmentFence, DepartmentLeases, epochsOf } from './department-leases';
import { DerivedData } from './derived-data';
import { FENCE_FIELD, StaleWriter } from './fencing';
import { DepartmentJournal, JournalEntry } from './journal';
import { planInserts, planTouches } from './plan';
import { StateWrites } from './state-writes';
import { LeaseLost } from './write-leases';

/** A journal entry that keeps failing is parked after this many replays. */
export const MAX_REPLAY_ATTEMPTS = 5;

/**
 * How long (on each instance's own monotonic clock) an overtaken entry is kept and swept
 * when its first writer never comes back to remove it (it died while paused).
 */
const OVERTAKEN_RETENTION_MS = 60 * 60 * 1000;

/**
 * Recovery of the write path: finishing journaled writes that were interrupted (a crash, a
 * failed request, a writer paused past its lease), never over a later write, and sweeping
 * the late inserts of writers that were overtaken. Keeps which entries this process is
 * carrying out (their writer tokens) and which documents a failed write left behind here.
 */
@Injectable()
export class JournalReplay {
  private readonly logger = new Logger(JournalReplay.name);
  /**
   * Departments (and units) touched by a write that failed midway in this process: local
   * mode reads the journal only for those.
   */
  private readonly dirty = new Set<string>();
  /** The writer token of each entry this process carries out now, by entry id. */
  private readonly writers = new Map<string, string>();
  /** Overtaken entries seen by the sweep, and since when (performance.now()). */
  private readonly overtakenSince = new Map<string, number>();
  private readonly replays: Counter;
  private readonly parkings: Counter;

  constructor(
    @InjectModel(Department.name) private readonly departments: Model<Department>,
    @InjectModel(DepartmentAgent.name) private readonly assignments: Model<DepartmentAgent>,
    @InjectModel(UnitMonitor.name) private readonly unitMonitors: Model<UnitMonitor>,
    private readonly leases: DepartmentLeases,
    private readonly journal: DepartmentJournal,
    private readonly state: StateWrites,
    private readonly derived: DerivedData,
    private readonly history: DepartmentHistoryService,
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

  /** This process carries out entry `id` with `writer` (until it ends or fails). */
  carry(id: string, writer: string): void {
    this.writers.set(id, writer);
  }

  /** The writer token this process carries entry `id` with, if it does. */
  writerOf(id: string): string | undefined {
    return this.writers.get(id);
  }

  /** This process no longer carries entry `id`: recovery may take it over. */
  drop(id: string): void {
    this.writers.delete(id);
  }

  /** A write to these documents failed midway here. */
  markDirty(ids: string[]): void {
    for (const id of ids) this.dirty.add(id);
  }

  /** Whether this process has interrupted writes that nobody finished yet. */
  hasLocalLeftovers(): boolean {
    return this.dirty.size > 0;
  }

  /** Department `id`'s interrupted writes are all finished. */
  clean(id: string): void {
    this.dirty.delete(id);
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
  async settle(departmentId: string, fence: DepartmentFence, force: boolean): Promise<number> {
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
      await this.events.departmentsChanged();
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
      await this.events.departmentsChanged();
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
  async cleanUpAfterOvertaken(entryId: string): Promise<void> {
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
      await this.leases.holding(planTouches(entry.plan), async (fence) => {
        await fence.claim();
        for (const id of fence.held) await this.derived.repair(id, fence);
      });
      await this.events.departmentsChanged();
    }
    return swept;
  }
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

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
