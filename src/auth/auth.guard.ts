import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ApiError, UnauthenticatedError } from '../common/api-error';
import { RateLimiter } from '../common/rate-limiter';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { hashLoginToken } from '../users/credentials';
import { UsersService } from '../users/users.service';
import { AuthenticatedRequest, IS_PUBLIC } from './auth.decorators';
import { AuthService } from './auth.service';
import { PermissionsService } from '../permissions/permissions.service';
import {
  PermissionRule,
  permissionsFor,
  ROUTE_PERMISSIONS,
  routesWithoutDeclaration,
} from './route-permissions';

/**
 * Global guard, in Rocket.Chat's order: authenticates `X-User-Id` + `X-Auth-Token` (401),
 * applies the per-user rate limit (429), then the route's declared permissions (403).
 * Guards run before pipes, so input (400) and business rules come after.
 */
@Injectable()
export class AuthGuard implements CanActivate, OnApplicationBootstrap {
  constructor(
    private readonly reflector: Reflector,
    private readonly users: UsersService,
    private readonly rateLimiter: RateLimiter,
    private readonly auth: AuthService,
    private readonly permissions: PermissionsService,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Refuses to start while a route is neither public nor declares its permissions. */
  onApplicationBootstrap(): void {
    const missing = routesWithoutDeclaration(this.discovery, this.scanner, this.reflector);
    if (missing.length > 0) {
      throw new Error(`Routes without @Public or a permission declaration: ${missing.join(', ')}`);
    }
  }

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

    const rule = this.reflector.getAllAndOverride<PermissionRule | undefined>(ROUTE_PERMISSIONS, [
      context.getHandler(),
      context.getClass(),
    ]);
    // Start-up refuses undeclared routes; refusing here too keeps a gap from ever opening.
    if (!rule) throw ApiError.forbidden();
    const required = permissionsFor(rule, request.params as Record<string, string | undefined>);
    if (required === null) throw new ApiError(404, 'error-not-found', 'API endpoint not found');
    if (required.length > 0 && !(await this.permissions.hasAny(caller, required))) {
      throw ApiError.forbidden();
    }
    return true;
  }
}
