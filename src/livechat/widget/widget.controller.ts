import { Controller, Get, Headers, Inject, Query, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiHeader,
  ApiNotModifiedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../auth/auth.decorators';
import { ApiError } from '../../common/api-error';
import type { RouteFlags } from '../../common/logging';
import { RateLimiter } from '../../common/rate-limiter';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { fromServedWidget } from '../../visitor-widget/visitor-widget';
import { chooseCoding, notModified } from './prepared-answer';
import { WidgetService } from './widget.service';

/** Browsers and CDNs may reuse an answer this long; other instances converge as fast. */
const CACHE_CONTROL = 'public, max-age=5';
const QUIET_AND_CACHEABLE: RouteFlags = { quietRequestLog: true, ownCacheControl: true };

/** `Vary` with Accept-Encoding added to what is there (CORS may have set `Origin`). */
function varyOnEncoding(reply: FastifyReply): string {
  const vary = reply.getHeader('Vary');
  return typeof vary === 'string' && vary !== '' ? `${vary}, Accept-Encoding` : 'Accept-Encoding';
}

@ApiTags('widget')
@Controller('livechat')
export class WidgetController {
  constructor(
    private readonly widget: WidgetService,
    private readonly rateLimiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('config')
  @Public()
  @RouteConfig(QUIET_AND_CACHEABLE)
  @ApiOperation({
    summary: 'What the Live Chat widget shows (public, served from memory)',
    description:
      "`{ config: { enabled, settings, theme, messages, departments, online }, success }`; with `Livechat_enabled` false, `{ config: { enabled: false }, success }`. `online` is Rocket.Chat's: some department in the answer has an available agent and is open. The widget served at /livechat asks through `/livechat/api/v1/livechat/config`, where `online` is always false: this service has no chat server, so that widget offers the offline form only. Rate-limited per client IP (RATE_LIMIT_WIDGET_PER_MINUTE).",
  })
  @ApiQuery({
    name: 'department',
    required: false,
    description: '`online` for this department only (an unknown id gives `online: false`)',
  })
  @ApiQuery({
    name: 'businessUnit',
    required: false,
    description: "Only this unit's departments (an unknown unit: 400 error-unit-not-found)",
  })
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'ETag of a previous answer' })
  @ApiHeader({
    name: 'Accept-Encoding',
    required: false,
    description: 'br, gzip (q=0 refuses one); the answer is prepared in each, once per change',
  })
  @ApiOkResponse({
    description:
      'The configuration, with `ETag` (one per content coding), `Vary: Accept-Encoding` and `Cache-Control: public, max-age=5`',
    schema: {
      example: {
        config: {
          enabled: true,
          settings: {
            registrationForm: true,
            nameFieldRegistrationForm: true,
            emailFieldRegistrationForm: true,
            displayOfflineForm: true,
          },
          theme: {
            title: 'Rocket.Chat',
            color: '#C1272D',
            offlineTitle: 'Leave a message',
            offlineColor: '#666666',
          },
          messages: {
            offlineMessage: '',
            offlineSuccessMessage: '',
            offlineUnavailableMessage: '',
          },
          departments: [
            {
              _id: 'sQBCsgx4EfTbuckvX',
              name: 'Support',
              showOnRegistration: true,
              showOnOfflineForm: true,
            },
          ],
          online: true,
        },
        success: true,
      },
    },
  })
  @ApiNotModifiedResponse({ description: '`If-None-Match` matched the current ETag' })
  async getConfig(
    @Query('department') department: unknown,
    @Query('businessUnit') businessUnit: unknown,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Headers('accept-encoding') acceptEncoding: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    this.rateLimiter.consume(`widget:${request.ip}`, this.config.rateLimit.widgetPerMinute);
    if (department !== undefined && typeof department !== 'string') {
      throw ApiError.invalidParams('department must be a string');
    }
    if (businessUnit !== undefined && typeof businessUnit !== 'string') {
      throw ApiError.invalidParams('businessUnit must be a string');
    }
    const answer = await this.widget.answer(
      department || undefined,
      businessUnit || undefined,
      fromServedWidget(request),
    );
    const coding = chooseCoding(acceptEncoding);
    const encoded = answer[coding];
    void reply
      .header('ETag', encoded.etag)
      .header('Cache-Control', CACHE_CONTROL)
      .header('Vary', varyOnEncoding(reply));
    if (notModified(ifNoneMatch, encoded.etag)) {
      void reply.status(304).send();
      return;
    }
    if (coding !== 'identity') void reply.header('Content-Encoding', coding);
    // The prepared bytes as they are: no serializer or hook touches a Buffer.
    void reply.type('application/json').send(encoded.bytes);
  }
}
