import { Controller, Get, Headers, Inject, Req } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../auth/auth.decorators';
import { RequirePermissions } from '../auth/route-permissions';
import type { RouteFlags } from '../common/logging';
import { RateLimiter } from '../common/rate-limiter';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MAX_REFUSED_ORIGINS } from './refused-origins';
import { VisitorWidget } from './visitor-widget';

const QUIET: RouteFlags = { quietRequestLog: true };

@ApiTags('widget')
@Controller('livechat')
export class VisitorWidgetController {
  constructor(
    private readonly widget: VisitorWidget,
    private readonly rateLimiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('widget.check')
  @Public()
  @RouteConfig(QUIET)
  @ApiOperation({
    summary: 'Whether the calling page may show the widget (public; our extension)',
    description:
      "For the embed script: `{ origin, allowed, setting: 'Livechat_AllowedDomainsList' }` for the request's `Origin` (`origin: null, allowed: true` without one). Readable from any origin (`Access-Control-Allow-Origin: *`, no credentials); a refused origin is logged once and listed by `widget.refused-origins`. Rate-limited per client IP (RATE_LIMIT_WIDGET_PER_MINUTE).",
  })
  @ApiOkResponse({
    schema: {
      example: {
        origin: 'https://shop.example',
        allowed: false,
        setting: 'Livechat_AllowedDomainsList',
        success: true,
      },
    },
  })
  check(@Headers('origin') origin: string | undefined, @Req() request: FastifyRequest) {
    this.rateLimiter.consume(`widget:${request.ip}`, this.config.rateLimit.widgetPerMinute);
    return this.widget.checkOrigin(typeof origin === 'string' ? origin : undefined);
  }

  @Get('widget.refused-origins')
  @ApiOperation({
    summary: 'The origins lately refused the widget (our extension; edit-privileged-setting)',
    description: `\`{ origins: [{ origin, count, lastSeenAt }] }\`, most recent first: pages not in \`Livechat_AllowedDomainsList\` that loaded the embed script, framed the widget or called its endpoints. Per instance, in memory: at most ${MAX_REFUSED_ORIGINS} origins since the start or the last change of the list.`,
  })
  @ApiOkResponse({
    schema: {
      example: {
        origins: [
          { origin: 'https://shop.example', count: 3, lastSeenAt: '2026-01-01T10:00:00.000Z' },
        ],
        success: true,
      },
    },
  })
  @RequirePermissions('edit-privileged-setting')
  refusedOrigins() {
    return { origins: this.widget.refused.list() };
  }
}
