import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RateLimiter } from '../../common/rate-limiter';
import { APP_CONFIG, AppConfig } from '../../config/app-config';

/**
 * Per client IP, then per visitor address, before the body is validated (the contract's
 * order: rate limit, then input): a flood of malformed requests is limited as well.
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
    const email = (request.body as { email?: unknown } | undefined)?.email;
    if (typeof email === 'string' && email.length <= 254) {
      this.rateLimiter.consume(
        `offline-message:address:${email.trim().toLowerCase()}`,
        limits.offlineMessagePerAddress,
      );
    }
    return true;
  }
}
