import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Caller, Public } from '../../auth/auth.decorators';
import { RequirePermissions } from '../../auth/route-permissions';
import { ApiError } from '../../common/api-error';
import type { RouteFlags } from '../../common/logging';
import { pageEnvelope, parsePage, type PageQuery } from '../../common/pagination';
import { RateLimiter } from '../../common/rate-limiter';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import type { AuthenticatedUser } from '../../auth/caller';
import { MailTestDto, OfflineMessageDto } from './offline-message.dto';
import { OfflineMessageRateLimit } from './offline-message-rate-limit.guard';
import { OFFLINE_MESSAGE_STATUSES, OfflineMessageStatus } from './offline-message.schema';
import { OfflineMessagesService } from './offline-messages.service';
import { VisitorErrorFilter } from './visitor-error.filter';
import { CallerScope } from '../scope/caller-scope';
import type { Scope } from '../scope/scope';

const QUIET: RouteFlags = { quietRequestLog: true };
/** Test e-mails per user and minute: enough to try a few settings, not to send mail in bulk. */
const MAIL_TESTS_PER_MINUTE = 5;

@ApiTags('widget')
@Controller('livechat')
export class OfflineMessagesController {
  constructor(
    private readonly offlineMessages: OfflineMessagesService,
    private readonly rateLimiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('offline.message')
  @HttpCode(200)
  @Public()
  @UseGuards(OfflineMessageRateLimit)
  @UseFilters(VisitorErrorFilter)
  @ApiOperation({
    summary: "The widget's “Leave a message” form (public)",
    description:
      "Stores the message in the outbox and answers once it is stored; it is e-mailed in the background to the department's `email`, else to `Livechat_offline_email`, with the visitor as Reply-To. 400 (with a `message` the widget shows) when the form is turned off, the department cannot be chosen or no address is configured. Rate-limited per client IP and per visitor address (429 + Retry-After).",
  })
  @ApiOkResponse({
    schema: {
      example: {
        message: 'Thank you for your message. We will answer you by e-mail.',
        success: true,
      },
    },
  })
  async send(@Body() body: OfflineMessageDto) {
    return { message: await this.offlineMessages.accept(body) };
  }

  @Post('page.visited')
  @HttpCode(200)
  @Public()
  @RouteConfig(QUIET)
  @UseFilters(VisitorErrorFilter)
  @ApiOperation({
    summary: 'Page navigation reported by the widget (public; stored nowhere)',
    description:
      'Rocket.Chat records it in a chat room; this service has no chats, so it answers 200 and keeps nothing.',
  })
  pageVisited(@Req() request: FastifyRequest) {
    this.rateLimiter.consume(`widget:${request.ip}`, this.config.rateLimit.widgetPerMinute);
    return {};
  }

  @Post('mail.test')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send a test e-mail with the SMTP settings (our extension; edit-privileged-setting)',
    description:
      "`{ to }`. Answers `{ success: true }` once the SMTP server accepted the message; 400 `error-smtp-test-failed` with the server's error text (or the TLS requirement it did not meet), 400 `error-smtp-not-configured` without `SMTP_Host`/`From_Email`. At most 5 a minute per user (429 + Retry-After).",
  })
  @ApiOkResponse({ schema: { example: { success: true } } })
  @RequirePermissions('edit-privileged-setting')
  async mailTest(@Body() body: MailTestDto, @Caller() caller: AuthenticatedUser) {
    this.rateLimiter.consume(`mail-test:${caller._id}`, MAIL_TESTS_PER_MINUTE);
    await this.offlineMessages.sendTestMail(body.to);
    return {};
  }

  @Get('offline.messages')
  @ApiOperation({
    summary: 'The offline-message outbox (our extension; view-livechat-manager)',
    description:
      "Newest first; `status` filters (pending, sent, failed). Each message carries `nextAttemptAt`: when the outbox tries it next (ISO date), null unless pending. A monitor's scope: only the messages of its units' departments (never one without a department).",
  })
  @ApiQuery({ name: 'status', required: false, enum: OFFLINE_MESSAGE_STATUSES })
  @ApiQuery({ name: 'offset', required: false })
  @ApiQuery({ name: 'count', required: false })
  @RequirePermissions('view-livechat-manager')
  async list(
    @Query() query: PageQuery & { status?: unknown },
    @CallerScope() scope: Scope,
  ) {
    const { status } = query;
    if (
      status !== undefined &&
      (typeof status !== 'string' ||
        !(OFFLINE_MESSAGE_STATUSES as readonly string[]).includes(status))
    ) {
      throw ApiError.invalidParams(`status must be one of ${OFFLINE_MESSAGE_STATUSES.join(', ')}`);
    }
    const page = parsePage(query, ['createdAt'], { createdAt: -1 });
    const { messages, total } = await this.offlineMessages.list(
      status as OfflineMessageStatus | undefined,
      page,
      scope,
    );
    return pageEnvelope('messages', messages, page, total);
  }

  @Get('offline.messages/:_id')
  @ApiOperation({
    summary: 'One offline message (our extension; view-livechat-manager)',
    description:
      "A monitor's scope: its units' departments only; any other message is not found (400 `error-offline-message-not-found`).",
  })
  @RequirePermissions('view-livechat-manager')
  async findOne(@Param('_id') id: string, @CallerScope() scope: Scope) {
    return { message: await this.offlineMessages.findOne(id, scope) };
  }

  @Post('offline.messages/:_id/retry')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Try a failed or waiting offline message again now (our extension; view-livechat-manager)',
  })
  @RequirePermissions('view-livechat-manager')
  async retry(@Param('_id') id: string, @CallerScope() scope: Scope) {
    return { message: await this.offlineMessages.retry(id, scope) };
  }
}
