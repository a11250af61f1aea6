import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { Gauge } from 'prom-client';
import type { Actor } from '../../auth/caller';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { WriteLeases } from './write-leases';
import { MetricsService } from '../../health/metrics.service';
import { ReadinessDetails } from '../../health/readiness-details';
import { UsersService } from '../../users/users.service';
import { DepartmentHistoryService } from '../history/department-history.service';
import { DepartmentsService } from '../departments/departments.service';
import { DepartmentWriter } from './department-writer';
import { DepartmentJournal } from './journal';

const RECOVERY_INTERVAL_MS = 5_000;
/** A department whose roll-forward failed waits 2^n intervals (at most this many) before the next try. */
const MAX_BACKOFF_INTERVALS = 12;
/** With shared leases, the non-agents' assignments are swept every this many passes (a minute). */
const SHARED_SWEEP_EVERY = 12;
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

const SYSTEM: Actor = { user: { _id: 'system', username: 'system' }, requestId: 'recovery' };

/**
 * Brings department data back to a consistent state after a crash or an outage.
 * - At start: with the embedded database (local mode) every journaled write is finished
 *   before the service listens, so /health/ready never reports half-done writes. With
 *   shared leases, entries of other live instances are theirs to finish, and a dead
 *   instance's leases expire only after a TTL, so the start does not wait for them: the
 *   background pass takes them over.
 * - Every 5 s: with shared leases always (any instance may have died), locally only after
 *   a write failed midway here. Each department is finished under its lease; one that keeps
 *   failing is retried with backoff (and its entry parked by the writer), never blocking
 *   the others.
 * Also prunes history older than HISTORY_RETENTION_DAYS, hourly.
 */
@Injectable()
export class DepartmentRecovery implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DepartmentRecovery.name);
  private timers: NodeJS.Timeout[] = [];
  private running?: Promise<void>;
  /** Per department: failed passes in a row, and the pass number before which it is skipped. */
  private readonly backoff = new Map<string, { failures: number; skipUntil: number }>();
  private passes = 0;
  /** Operations built on department writes that finish their own interrupted work (applies). */
  private readonly finishers: (() => Promise<void>)[] = [];
  /** Their clean-up of what outlived its retention, run with the hourly prune. */
  private readonly pruners: (() => Promise<void>)[] = [];

  constructor(
    private readonly writer: DepartmentWriter,
    private readonly departments: DepartmentsService,
    private readonly users: UsersService,
    private readonly history: DepartmentHistoryService,
    private readonly journal: DepartmentJournal,
    private readonly leases: WriteLeases,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    metrics: MetricsService,
    readiness: ReadinessDetails,
  ) {
    new Gauge({
      name: 'department_journal_pending',
      help: 'Department writes journaled and not finished (in flight or interrupted)',
      registers: [metrics.registry],
      async collect() {
        this.set((await journal.status()).pending);
      },
    });
    new Gauge({
      name: 'department_journal_parked',
      help: 'Journal entries parked after failing every replay (they need an operator)',
      registers: [metrics.registry],
      async collect() {
        this.set((await journal.status()).parked.length);
      },
    });
    readiness.register('departmentJournal', () => this.journal.status());
  }

  /**
   * `finish` runs after the roll-forward of every background pass (the first one right after
   * the start), once the department writes it builds on are finished; `prune` with the
   * hourly prune.
   */
  register(hooks: { finish?: () => Promise<void>; prune?: () => Promise<void> }): void {
    if (hooks.finish) this.finishers.push(hooks.finish);
    if (hooks.prune) this.pruners.push(hooks.prune);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.leases.shared) await this.sweepNonAgents();
    else await this.run();
    await this.prune();
    this.timers = [
      setInterval(() => void this.background(), RECOVERY_INTERVAL_MS),
      setInterval(
        () => void this.prune().catch((error) => this.warn('Pruning', error)),
        PRUNE_INTERVAL_MS,
      ),
    ];
    for (const timer of this.timers) timer.unref();
    // Interrupted operations built on department writes (a large apply) are finished in the
    // background from the start, not before the service listens: they can take a while.
    if (this.finishers.length) void this.background();
  }

  async onApplicationShutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.running;
  }

  /**
   * Rolls forward every journaled write, then drops the assignments of users who lost
   * the agent role (a role removal interrupted before it reached every department).
   */
  async run(): Promise<void> {
    await this.rollForward(false);
    await this.sweepNonAgents();
  }

  private async finish(): Promise<void> {
    for (const finisher of this.finishers) {
      await finisher().catch((error: unknown) => this.warn('Finishing', error));
    }
  }

  /** Deletes history entries older than the retention period, and old lease markers. */
  async prune(): Promise<void> {
    const removed = await this.history.prune(
      new Date(Date.now() - this.config.historyRetentionDays * DAY_MS),
    );
    if (removed) this.logger.log(`Pruned ${removed} history entries`);
    await this.leases.pruneTakeovers();
    for (const pruner of this.pruners) await pruner();
  }

  /** One background pass (also what the tests call instead of waiting for the timer). */
  async background(): Promise<void> {
    this.running ??= this.pass()
      .catch((error: unknown) => this.warn('Roll-forward', error))
      .finally(() => (this.running = undefined));
    await this.running;
  }

  private async pass(): Promise<void> {
    this.passes++;
    // A role removal cut short by a crash leaves no trace but the assignments themselves.
    const sweep =
      this.writer.takeAgentsToSweep() ||
      (this.leases.shared && this.passes % SHARED_SWEEP_EVERY === 0);
    // Locally only this process's failed writes can be pending, and the scan is not free
    // (FerretDB scans the collection); with shared leases any instance may have died.
    if (this.leases.shared || this.writer.hasLocalLeftovers()) await this.rollForward(true);
    // Late inserts of writers that were overtaken while paused (shared mode only).
    if (this.leases.shared) await this.writer.sweepOvertaken();
    if (sweep) await this.sweepNonAgents();
    await this.finish();
  }

  /** Rolls forward the pending departments (with `backoff`, only those due for a try). */
  private async rollForward(backoff: boolean): Promise<void> {
    const pending = await this.journal.pending();
    const due = [...new Set(pending.map((entry) => entry.departmentId))].filter(
      (id) => !backoff || (this.backoff.get(id)?.skipUntil ?? 0) <= this.passes,
    );
    if (due.length === 0) return;
    const { failed } = await this.writer.rollForward(due);
    for (const id of due) {
      if (!failed.includes(id)) {
        this.backoff.delete(id);
        continue;
      }
      const failures = (this.backoff.get(id)?.failures ?? 0) + 1;
      const wait = Math.min(2 ** failures, MAX_BACKOFF_INTERVALS);
      this.backoff.set(id, { failures, skipUntil: this.passes + wait });
    }
  }

  private async sweepNonAgents(): Promise<void> {
    const agentIds = await this.departments.assignedAgentIds();
    const agents = new Set(
      (await this.users.findWithRole(agentIds, 'livechat-agent')).map((user) => user._id),
    );
    for (const agentId of agentIds.filter((id) => !agents.has(id))) {
      this.logger.log(`Removing the assignments of ${agentId}, who is no longer an agent`);
      await this.departments.removeAgentEverywhere(agentId, SYSTEM);
    }
  }

  private warn(what: string, error: unknown): void {
    this.logger.warn(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
