import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RateLimiter } from '../../common/rate-limiter';
import { APP_CONFIG, AppConfig } from '../../config/app-config';

/**
 * Per client IP, before the body is validated (the contract's order: rate limit, then
 * input): a flood of malformed requests is limited as well. The per-address limit counts
 * only valid messages (see OfflineMessagesService.accept): invalid bodies naming someone's
 * address must not lock that visitor out.
 */
@Injectable()
export class OfflineMessageRateLimit implements CanActivate {
  constructor(
    private readonly rateLimiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const limits = this.config.rateLimit;
    this.rateLimiter.consume(`offline-message:ip:${request.ip}`, limits.offlineMessagePerIp);
    return true;
  }
}
