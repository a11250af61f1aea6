import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { randomId } from '../../common/ids';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { SettingsService } from '../../permissions/settings.service';
import { composeOfflineMail } from './offline-mail';
import { OfflineMessage, OfflineMessageClaim } from './offline-message.schema';
import { createMailServer, MAIL_SETTING_IDS, type MailServer } from './smtp-transport';

const DUPLICATE_KEY = 11000;
/** Messages tried per round (one after the other: a mail server is not to be flooded). */
const BATCH = 20;
const MAX_BACKOFF_MS = 3_600_000;
const PRUNE_EVERY_MS = 3_600_000;
/*
 * A claimed attempt with no outcome after `OFFLINE_MESSAGE_ATTEMPT_LEASE_MS` (2 min by
 * default) was interrupted (its instance died): it counts as made, and the next attempt may
 * start. Keep it longer than one SMTP exchange can last (50 s, see smtp-transport.ts), so a
 * live attempt is never taken over.
 */
const MAX_ERROR_LENGTH = 300;

/**
 * Delivers the outbox in the background, on every instance: new messages at once, due
 * retries on a timer (which also picks up what a stopped or killed instance left). Each
 * attempt is claimed by a unique-index insert first (see OfflineMessageClaim), so two
 * instances never send one message at the same moment; the outcome is then written to the
 * message. A crash between sending and writing means one more send of the same mail (same
 * Message-ID): delivery is at least once.
 */
@Injectable()
export class OfflineMessageOutbox implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OfflineMessages');
  private readonly instance = `${hostname()}:${process.pid}:${randomId(6)}`;
  private timer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private again = false;
  private stopped = false;
  private notConfiguredLogged = false;

  constructor(
    @InjectModel(OfflineMessage.name) private readonly messages: Model<OfflineMessage>,
    @InjectModel(OfflineMessageClaim.name) private readonly claims: Model<OfflineMessageClaim>,
    private readonly settings: SettingsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Starts after the indexes exist (DatabaseModule creates them at bootstrap). */
  onApplicationBootstrap(): void {
    const { pollMs } = this.config.offlineMessages;
    this.timer = setInterval(() => this.kick(), pollMs).unref();
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_EVERY_MS).unref();
    this.kick();
    void this.prune();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.pruneTimer);
    await this.round;
  }

  /** Runs a delivery round now (or right after the current one). */
  kick(): void {
    if (this.stopped) return;
    if (this.round) {
      this.again = true;
      return;
    }
    this.round = this.deliverDue()
      .catch((error: unknown) => this.logger.warn(`Delivery round failed: ${describe(error)}`))
      .finally(() => {
        this.round = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async deliverDue(): Promise<void> {
    const server = await this.mailServer();
    if (!server) return;
    try {
      const due = await this.messages
        .find({ status: 'pending', nextAttemptAt: { $lte: new Date() } })
        .sort({ nextAttemptAt: 1, _id: 1 })
        .limit(BATCH)
        .lean<OfflineMessage[]>();
      for (const message of due) {
        if (this.stopped) return;
        await this.attempt(message, server);
      }
      // A full batch: more may be due.
      if (due.length === BATCH) this.again = true;
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

  private async attempt(message: OfflineMessage, server: MailServer): Promise<void> {
    const attempt = message.attempts + 1;
    if (!(await this.claim(message, attempt))) return;
    const now = () => new Date();
    try {
      await server.transport.sendMail(composeOfflineMail(message, server.from));
    } catch (error) {
      const failed = attempt >= message.maxAttempts;
      await this.messages.updateOne(
        { _id: message._id },
        {
          $set: {
            attempts: attempt,
            status: failed ? 'failed' : 'pending',
            nextAttemptAt: new Date(Date.now() + this.backoff(attempt)),
            lastError: describe(error),
            updatedAt: now(),
          },
        },
      );
      this.logger.warn(
        `Offline message ${message._id}: attempt ${attempt} failed (${describe(error)})` +
          (failed ? '; marked failed' : ''),
      );
      return;
    }
    await this.messages.updateOne(
      { _id: message._id },
      {
        $set: { attempts: attempt, status: 'sent', sentAt: now(), updatedAt: now() },
        $unset: { lastError: 1 },
      },
    );
    this.logger.log(`Offline message ${message._id} sent (attempt ${attempt})`);
  }

  /**
   * Claims attempt `attempt` of `message` for this instance. Losing means another instance
   * has it; if that claim is older than the lease, its instance died mid-attempt: the
   * attempt is counted (a `$set` to the same number, harmless if two instances do it), so
   * the next round can claim the one after.
   */
  private async claim(message: OfflineMessage, attempt: number): Promise<boolean> {
    const _id = `${message._id}:${attempt}`;
    try {
      await this.claims.create({
        _id,
        offlineMessageId: message._id,
        instance: this.instance,
        at: new Date(),
      });
      return true;
    } catch (error) {
      if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
    }
    const held = await this.claims.findOne({ _id }).lean<OfflineMessageClaim>();
    if (held && Date.now() - held.at.getTime() > this.config.offlineMessages.attemptLeaseMs) {
      const failed = attempt >= message.maxAttempts;
      await this.messages.updateOne(
        { _id: message._id, attempts: message.attempts },
        {
          $set: {
            attempts: attempt,
            status: failed ? 'failed' : 'pending',
            nextAttemptAt: new Date(),
            lastError: `Attempt ${attempt} was interrupted (its instance stopped)`,
            updatedAt: new Date(),
          },
        },
      );
    }
    return false;
  }

  private backoff(attempt: number): number {
    return Math.min(this.config.offlineMessages.firstRetryMs * 2 ** (attempt - 1), MAX_BACKOFF_MS);
  }

  /** Deletes sent and failed messages (and old claims) past the retention period. */
  private async prune(): Promise<void> {
    const before = new Date(Date.now() - this.config.offlineMessages.retentionDays * 86_400_000);
    try {
      await this.messages.deleteMany({
        status: { $in: ['sent', 'failed'] },
        updatedAt: { $lt: before },
      });
      await this.claims.deleteMany({ at: { $lt: before } });
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
