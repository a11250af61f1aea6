import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { UnauthenticatedError } from '../common/api-error';
import { RateLimiter } from '../common/rate-limiter';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { hashLoginToken } from '../users/credentials';
import { UsersService } from '../users/users.service';
import { AuthenticatedRequest, IS_PUBLIC } from './auth.decorators';
import { AuthService } from './auth.service';

/**
 * Global guard: authenticates `X-User-Id` + `X-Auth-Token` (401), then applies the
 * per-user rate limit (429). Permissions are checked later, after input validation,
 * because Rocket.Chat answers bad input with 400 before it answers 403.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly users: UsersService,
    private readonly rateLimiter: RateLimiter,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const userId = request.headers['x-user-id'];
    const token = request.headers['x-auth-token'];
    if (typeof userId !== 'string' || typeof token !== 'string' || !userId || !token) {
      throw new UnauthenticatedError('missing-or-invalid-token');
    }
    const hashedToken = hashLoginToken(token);
    const caller = await this.users.authenticate(
      userId,
      hashedToken,
      await this.auth.tokenLifetimeMs(),
    );
    if (!caller) throw new UnauthenticatedError('missing-or-invalid-token');

    this.rateLimiter.consume(`user:${caller._id}`, this.config.rateLimit.requestsPerMinute);
    request.caller = caller;
    request.hashedToken = hashedToken;
    return true;
  }
}
