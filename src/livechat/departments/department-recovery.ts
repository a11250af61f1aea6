import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { Actor } from '../../auth/auth.decorators';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { UsersService } from '../../users/users.service';
import { DepartmentHistoryService } from '../history/department-history.service';
import { DepartmentWriter } from './department-writer';
import { DepartmentsService } from './departments.service';

/** How long a write may stay pending before the periodic pass takes it for interrupted. */
const STALE_AFTER_MS = 30_000;
const RECOVERY_INTERVAL_MS = 30_000;
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

const SYSTEM: Actor = { user: { _id: 'system', username: 'system' }, requestId: 'recovery' };

/**
 * Brings department data back to a consistent state after a crash or an outage: at
 * start (before the service listens, so /health/ready never reports half-done writes)
 * and every 30 s after a write failed midway (always, with MONGO_URL). Also prunes history older than HISTORY_RETENTION_DAYS, hourly.
 */
@Injectable()
export class DepartmentRecovery implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DepartmentRecovery.name);
  private timers: NodeJS.Timeout[] = [];
  private running?: Promise<void>;

  constructor(
    private readonly writer: DepartmentWriter,
    private readonly departments: DepartmentsService,
    private readonly users: UsersService,
    private readonly history: DepartmentHistoryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.run(new Date());
    await this.prune();
    this.timers = [
      setInterval(() => void this.background(), RECOVERY_INTERVAL_MS),
      setInterval(
        () => void this.prune().catch((error) => this.warn('History pruning', error)),
        PRUNE_INTERVAL_MS,
      ),
    ];
    for (const timer of this.timers) timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.running;
  }

  /**
   * Rolls forward the journaled writes started before `startedBefore`, then drops the
   * assignments of users who lost the agent role (a role removal interrupted before it
   * had journaled every department).
   */
  async run(startedBefore: Date): Promise<void> {
    await this.writer.rollForward(startedBefore);
    const agentIds = await this.departments.assignedAgentIds();
    const agents = new Set(
      (await this.users.findWithRole(agentIds, 'livechat-agent')).map((user) => user._id),
    );
    for (const agentId of agentIds.filter((id) => !agents.has(id))) {
      this.logger.log(`Removing the assignments of ${agentId}, who is no longer an agent`);
      await this.departments.removeAgentEverywhere(agentId, SYSTEM);
    }
  }

  /** Deletes history entries older than the retention period. */
  async prune(): Promise<void> {
    const removed = await this.history.prune(
      new Date(Date.now() - this.config.historyRetentionDays * DAY_MS),
    );
    if (removed) this.logger.log(`Pruned ${removed} history entries`);
  }

  private async background(): Promise<void> {
    // On the embedded database (one instance) only this process's failed writes can be
    // pending, and the scan is not free (FerretDB scans the collection); with MongoDB
    // other instances may have crashed, and the query is indexed.
    if (!this.writer.takeInterrupted() && !this.config.mongoUrl) return;
    this.running ??= this.run(new Date(Date.now() - STALE_AFTER_MS))
      .catch((error: unknown) => this.warn('Roll-forward', error))
      .finally(() => (this.running = undefined));
    await this.running;
  }

  private warn(what: string, error: unknown): void {
    this.logger.warn(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
