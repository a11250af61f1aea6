import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '../../common/api-error';
import { randomId } from '../../common/ids';
import type { Page } from '../../common/pagination';
import { RateLimiter } from '../../common/rate-limiter';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { MAIL_SETTINGS, WIDGET_SETTINGS } from '../../settings/setting-definitions';
import { SettingsService } from '../../settings/settings.service';
import { CLOCK, Clock } from '../business-hours/clock';
import { DepartmentsService } from '../departments/departments.service';
import type { OfflineMessageDto } from './offline-message.dto';
import { OfflineMessageOutbox } from './offline-message-outbox';
import { OfflineMessage, OfflineMessageStatus } from './offline-message.schema';
import { OfflineMessagesRepository } from './offline-messages.repository';
import { Scope } from '../scope/scope';
import { singleLine } from './offline-mail';
import { createMailServer, MAIL_SETTING_IDS } from './smtp-transport';

/** A message as the console lists it. */
export type OfflineMessageView = Omit<OfflineMessage, 'nextAttemptAt'> & {
  nextAttemptAt: Date | null;
};

/** What the widget shows when `Livechat_offline_success_message` is empty. */
export const DEFAULT_SUCCESS_MESSAGE = 'Thank you for your message. We will answer you by e-mail.';

/**
 * Exactly one plain address: a department document imported from elsewhere could hold a
 * list or a display name, and the recipient must never be more than the one address.
 */
const SINGLE_ADDRESS = /^[^\s@,;:<>"()]+@[^\s@,;:<>"()]+$/;

/** Reads of a message a console retry makes before it answers that an attempt is in flight. */
const RETRY_READS = 3;

/** A quoted local part that needs no quotes: `"ada"` is `ada`. */
const NEEDLESSLY_QUOTED = /^"([A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+)"$/;

/**
 * One key per mailbox for the per-address limit: case-folded, and without quotes a local
 * part does not need (`"Victim"@Shop.example` and `victim@shop.example` count together).
 */
export function comparableAddress(email: string): string {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at).replace(NEEDLESSLY_QUOTED, '$1');
  return `${local}@${email.slice(at + 1)}`.trim().toLowerCase();
}

function notFound(): ApiError {
  return ApiError.badRequest('error-offline-message-not-found', 'Offline message not found');
}

/** A message as the console shows it: only a pending message has a next attempt. */
function asView(message: OfflineMessage): OfflineMessageView {
  return {
    ...message,
    nextAttemptAt: message.status === 'pending' ? (message.nextAttemptAt ?? null) : null,
  };
}

/** A visitor-facing 400: the widget shows the envelope's `message`. */
function rejected(errorType: string, text: string): ApiError {
  return ApiError.badRequest(errorType, text);
}

@Injectable()
export class OfflineMessagesService {
  constructor(
    private readonly messages: OfflineMessagesRepository,
    private readonly departments: DepartmentsService,
    private readonly settings: SettingsService,
    private readonly outbox: OfflineMessageOutbox,
    private readonly rateLimiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Stores the message in the outbox (the answer waits for that write) and wakes the
   * delivery; returns the text the widget shows. The recipient is only ever the chosen
   * department's address or `Livechat_offline_email`: nothing the visitor sends can name it.
   */
  async accept(input: OfflineMessageDto): Promise<string> {
    // Counted once the body is valid, on the address as a mail server sees it.
    this.rateLimiter.consume(
      `offline-message:address:${comparableAddress(input.email)}`,
      this.config.rateLimit.offlineMessagePerAddress,
    );
    if ((await this.settings.value(WIDGET_SETTINGS.enabled)) !== true) {
      throw rejected('error-livechat-disabled', 'Live chat is turned off: messages cannot be left');
    }
    if ((await this.settings.value(WIDGET_SETTINGS.displayOfflineForm)) !== true) {
      throw rejected('error-offline-form-disabled', 'The offline form is turned off');
    }
    let department: { _id: string; name: string; email?: string } | undefined;
    if (input.department) {
      // The visitor's form (public): any department, as the widget lists them.
      const found = await this.departments.findById(input.department, Scope.unrestricted());
      const usable =
        found &&
        (found as { type?: string }).type !== 'u' &&
        found.enabled &&
        found.archived !== true &&
        found.showOnOfflineForm;
      if (!usable) throw rejected('error-invalid-department', 'This department cannot be chosen');
      department = found;
    }
    const fallback = await this.settings.value(MAIL_SETTINGS.offlineEmail);
    const to = [department?.email, fallback]
      .map((address) => (typeof address === 'string' ? address.trim() : ''))
      .find((address) => SINGLE_ADDRESS.test(address));
    if (!to) {
      throw rejected(
        'error-offline-email-not-configured',
        'Messages cannot be left at the moment (no address to send them to)',
      );
    }
    const now = new Date(this.clock());
    const _id = randomId();
    await this.messages.insert({
      _id,
      status: 'pending',
      name: input.name,
      email: input.email,
      message: input.message,
      host: input.host || undefined,
      departmentId: department?._id,
      departmentName: department?.name,
      to,
      messageId: `<${_id}.offline-message@${await this.messageIdDomain()}>`,
      attempts: 0,
      maxAttempts: this.config.offlineMessages.maxAttempts,
      nextAttemptAt: now,
      createdAt: now,
      updatedAt: now,
    });
    void this.outbox.kick();
    const success = await this.settings.value(WIDGET_SETTINGS.offlineSuccessMessage);
    return typeof success === 'string' && success.trim() !== '' ? success : DEFAULT_SUCCESS_MESSAGE;
  }

  /** The domain of `From_Email` (a Message-ID's right-hand side names the sender's domain). */
  private async messageIdDomain(): Promise<string> {
    const from = await this.settings.value(MAIL_SETTINGS.from);
    const domain = typeof from === 'string' ? /@([a-z0-9.-]+)>?\s*$/i.exec(from)?.[1] : undefined;
    return domain ?? 'localhost';
  }

  /** The messages in `scope` (a monitor: its units' departments only), newest first. */
  async list(
    status: OfflineMessageStatus | undefined,
    page: Page,
    scope: Scope,
  ): Promise<{ messages: OfflineMessageView[]; total: number }> {
    const { items, total } = await this.messages.page(status, page, scope);
    return { messages: items.map(asView), total };
  }

  /** One message in `scope`; out of it, it is not found (visitors' data is not hinted at). */
  async findOne(id: string, scope: Scope): Promise<OfflineMessageView> {
    const message = await this.messages.findById(id, scope);
    if (!message) throw notFound();
    return asView(message);
  }

  /**
   * Sends one test e-mail with the stored SMTP settings, now, and answers once the server
   * accepted it; its refusal (or a TLS requirement it cannot meet) is a 400 with its text.
   */
  async sendTestMail(to: string): Promise<void> {
    const server = await createMailServer(
      await this.settings.readFresh(MAIL_SETTING_IDS),
      this.config.smtpCaFile,
    );
    if (!server) {
      throw ApiError.badRequest(
        'error-smtp-not-configured',
        'SMTP_Host and From_Email must be set before a test e-mail can be sent',
      );
    }
    try {
      await server.transport.sendMail({
        from: singleLine(server.from),
        to,
        subject: 'Test e-mail from the Omnichannel Departments service',
        text: 'The SMTP settings work: offline messages will be delivered with them.',
        disableFileAccess: true,
        disableUrlAccess: true,
      });
    } catch (error) {
      const text = (error instanceof Error ? error.message : String(error))
        .replace(/\s+/g, ' ')
        .slice(0, 300);
      throw ApiError.badRequest('error-smtp-test-failed', `The mail server refused: ${text}`);
    } finally {
      server.transport.close();
    }
  }

  /**
   * A failed message, or a pending one waiting for its next attempt, is tried again now with
   * as many attempts again. One conditional write on the state just read, so it never touches
   * a sent message or one with an attempt in flight (that attempt's outcome is still to come).
   */
  async retry(id: string, scope: Scope): Promise<OfflineMessage> {
    for (let tries = 1; ; tries++) {
      const message = await this.messages.findById(id, scope);
      if (!message) throw notFound();
      if (message.status === 'sent') {
        throw ApiError.badRequest('error-offline-message-sent', 'This message was already sent');
      }
      // An attempt started (and maybe ended) between the read and the write: read again, a
      // few times at most (each miss means an attempt was made meanwhile).
      if (message.attemptId !== undefined || tries > RETRY_READS) {
        throw ApiError.badRequest(
          'error-offline-message-in-progress',
          'This message is being sent now; try again once the attempt has ended',
        );
      }
      const now = new Date(this.clock());
      const retried = await this.messages.updateIf(
        id,
        { status: message.status, attempts: message.attempts, attemptId: { $exists: false } },
        {
          $set: {
            status: 'pending',
            maxAttempts: message.attempts + this.config.offlineMessages.maxAttempts,
            nextAttemptAt: now,
            updatedAt: now,
          },
        },
        scope,
      );
      if (retried) {
        void this.outbox.kick();
        return retried;
      }
    }
  }
}
