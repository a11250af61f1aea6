import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { randomId } from '../../common/ids';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { SettingsService } from '../../settings/settings.service';
import { CLOCK, Clock } from '../business-hours/clock';
import { composeOfflineMail } from './offline-mail';
import { OfflineMessage } from './offline-message.schema';
import { OfflineMessagesRepository } from './offline-messages.repository';
import { createMailServer, MAIL_SETTING_IDS, type MailServer } from './smtp-transport';

/** Messages tried per round (one after the other: a mail server is not to be flooded). */
const BATCH = 20;
const MAX_BACKOFF_MS = 3_600_000;
const PRUNE_EVERY_MS = 3_600_000;
/**
 * A live attempt ends within these (about 50 s): OFFLINE_MESSAGE_ATTEMPT_LEASE_MS (2 min by
 * default) must stay longer, so only an attempt whose instance stopped is given up on.
 */
const MAX_ERROR_LENGTH = 300;

/** Logged after the outcome of an attempt another instance had given up on. */
const DROPPED = '; the attempt had been given up on, so this outcome changes nothing';

/**
 * Delivers the outbox in the background, on every instance: new messages at once, due
 * retries on a timer (which also picks up what a stopped or killed instance left).
 *
 * Each attempt is claimed by one conditional write (a pending message with no attempt in
 * flight gets this attempt's unique `attemptId`), so two instances never send one message at
 * the same moment. Its outcome is written only if the message still carries that attemptId:
 * a sender that paused past the lease, whose attempt another instance gave up on, changes
 * nothing when it wakes, and a `sent` message is never set back.
 *
 * An attempt is given up on when this instance has seen it in flight, unchanged, for the
 * whole lease on its own monotonic clock: no wall clock of another machine is compared.
 * The cost is at least once delivery (the same Message-ID): a paused sender may still
 * finish its copy after another instance sent one.
 */
@Injectable()
export class OfflineMessageOutbox implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OfflineMessages');
  private readonly instance = `${hostname()}:${process.pid}:${randomId(6)}`;
  private timer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;
  /** The round running now, and the one asked for meanwhile (it starts when that ends). */
  private round?: Promise<void>;
  private queued?: Promise<void>;
  private stopped = false;
  private notConfiguredLogged = false;
  /** attemptId → `performance.now()` right after the read that first showed it in flight. */
  private inFlightSince = new Map<string, number>();

  constructor(
    private readonly messages: OfflineMessagesRepository,
    private readonly settings: SettingsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Starts after the indexes exist (DatabaseModule creates them at bootstrap). */
  onApplicationBootstrap(): void {
    const { pollMs } = this.config.offlineMessages;
    this.timer = setInterval(() => void this.kick(), pollMs).unref();
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_EVERY_MS).unref();
    void this.kick();
    void this.prune();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.pruneTimer);
    await (this.queued ?? this.round);
  }

  /**
   * Asks for a delivery round: now, or right after the current one. Resolves when that
   * round has ended (it never rejects: a failed round is logged).
   */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.queued ??= (this.round ?? Promise.resolve()).then(() => {
      this.queued = undefined;
      if (this.stopped) return;
      this.round = this.deliverDue()
        .catch((error: unknown) => this.logger.warn(`Delivery round failed: ${describe(error)}`))
        .finally(() => {
          this.round = undefined;
        });
      return this.round;
    });
    return this.queued;
  }

  private async deliverDue(): Promise<void> {
    const server = await this.mailServer();
    if (!server) return;
    try {
      await this.giveUpSilentAttempts();
      const due = await this.messages.deliveryDue(this.now(), BATCH);
      for (const message of due) {
        if (this.stopped) return;
        await this.attempt(message._id, server);
      }
      // A full batch: more may be due.
      if (due.length === BATCH) void this.kick();
    } finally {
      server.transport.close();
    }
  }

  /** The SMTP settings as stored now (another instance may have changed them). */
  private async mailServer(): Promise<MailServer | undefined> {
    const server = await createMailServer(
      await this.settings.readFresh(MAIL_SETTING_IDS),
      this.config.smtpCaFile,
    );
    if (!server) {
      // Messages wait, untouched, until the mail server is configured.
      if (!this.notConfiguredLogged) {
        this.logger.warn('SMTP_Host or From_Email is not set: offline messages wait in the outbox');
        this.notConfiguredLogged = true;
      }
      return undefined;
    }
    this.notConfiguredLogged = false;
    return server;
  }

  /** Claims the next attempt of a due message and, if this instance won it, makes it. */
  private async attempt(id: string, server: MailServer): Promise<void> {
    const attemptId = randomId();
    const message = await this.messages.deliveryClaim(id, attemptId, this.now());
    // Another instance claimed it (or a console retry moved it) since the read.
    if (!message) return;
    const { attempts } = message;
    this.logger.debug(`Offline message ${id}: attempt ${attempts} (${attemptId}) by ${this.instance}`);
    try {
      await server.transport.sendMail(composeOfflineMail(message, server.from));
    } catch (error) {
      const failed = attempts >= message.maxAttempts;
      const concluded = await this.conclude(id, attemptId, {
        $set: {
          status: failed ? 'failed' : 'pending',
          nextAttemptAt: new Date(this.now().getTime() + this.backoff(attempts)),
          lastError: describe(error),
          updatedAt: this.now(),
        },
      });
      this.logger.warn(
        `Offline message ${id}: attempt ${attempts} failed (${describe(error)})` +
          (failed && concluded ? '; marked failed' : '') +
          (concluded ? '' : DROPPED),
      );
      return;
    }
    const concluded = await this.conclude(id, attemptId, {
      $set: { status: 'sent', sentAt: this.now(), updatedAt: this.now() },
      $unset: { lastError: 1 },
    });
    this.logger.log(`Offline message ${id} sent (attempt ${attempts})${concluded ? '' : DROPPED}`);
  }

  /**
   * Writes the outcome of attempt `attemptId`, only if it is still the one in flight; false
   * when it was given up on meanwhile (that outcome changes nothing: another attempt owns it).
   */
  private async conclude(
    id: string,
    attemptId: string,
    update: { $set: Partial<OfflineMessage>; $unset?: Record<string, 1> },
  ): Promise<boolean> {
    return this.messages.deliveryConclude(id, attemptId, update);
  }

  /**
   * Gives up on attempts this instance has seen in flight, unchanged, for the whole lease on
   * its own monotonic clock (their instance stopped mid-attempt): each counts as made and
   * the message is due again. The attempt was in flight before the first read returned and
   * still is when the later read starts, so it has lasted at least the time between them.
   */
  private async giveUpSilentAttempts(): Promise<void> {
    const readStarted = performance.now();
    const inFlight = await this.messages.deliveryInFlight();
    const readEnded = performance.now();
    const { attemptLeaseMs } = this.config.offlineMessages;
    const stillWatched = new Map<string, number>();
    for (const message of inFlight) {
      const attemptId = message.attemptId as string;
      const since = this.inFlightSince.get(attemptId) ?? readEnded;
      if (readStarted - since < attemptLeaseMs) {
        stillWatched.set(attemptId, since);
        continue;
      }
      const failed = message.attempts >= message.maxAttempts;
      const gaveUp = await this.conclude(message._id, attemptId, {
        $set: {
          status: failed ? 'failed' : 'pending',
          nextAttemptAt: this.now(),
          lastError: `Attempt ${message.attempts} had no outcome within ${attemptLeaseMs} ms (its instance stopped or paused)`,
          updatedAt: this.now(),
        },
      });
      if (gaveUp) {
        this.logger.warn(`Offline message ${message._id}: attempt ${message.attempts} given up on`);
      }
    }
    this.inFlightSince = stillWatched;
  }

  private now(): Date {
    return new Date(this.clock());
  }

  private backoff(attempt: number): number {
    return Math.min(this.config.offlineMessages.firstRetryMs * 2 ** (attempt - 1), MAX_BACKOFF_MS);
  }

  /** Deletes sent and failed messages past the retention period. */
  private async prune(): Promise<void> {
    const before = new Date(this.clock() - this.config.offlineMessages.retentionDays * 86_400_000);
    try {
      await this.messages.deliveryPrune(before);
    } catch (error) {
      this.logger.warn(`Outbox pruning failed: ${describe(error)}`);
    }
  }
}

/** One line about a delivery error, for the logs and the console (never credentials). */
function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, ' ').slice(0, MAX_ERROR_LENGTH);
}
