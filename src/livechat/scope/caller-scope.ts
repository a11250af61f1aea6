import {
  CallHandler,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  NestInterceptor,
} from '@nestjs/common';
import type { Observable } from 'rxjs';
import type { AuthenticatedRequest } from '../../auth/auth.decorators';
import { UnitMonitorsRepository } from '../units/units.repository';
import { Scope } from './scope';

/** The scope of each authenticated request, resolved once (ScopeInterceptor). */
const scopes = new WeakMap<object, Scope>();

/**
 * Resolves the caller's scope once per request, after AuthGuard authenticated it and
 * before any pipe or handler: unrestricted for everyone but a monitor (no read at all), a
 * monitor's units read from the links at each request, so a change applies at once.
 */
@Injectable()
export class ScopeInterceptor implements NestInterceptor {
  constructor(private readonly monitors: UnitMonitorsRepository) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() === 'http') {
      const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
      const caller = request.caller;
      if (caller) {
        scopes.set(
          request,
          Scope.isRestrictedUser(caller)
            ? Scope.ofUnits(await this.monitors.unitsOf(caller._id))
            : Scope.unrestricted(),
        );
      }
    }
    return next.handle();
  }
}

/** The authenticated caller's scope (a route that is public has none: a bug, thrown). */
export const CallerScope = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Scope => {
    const scope = scopes.get(context.switchToHttp().getRequest<object>());
    if (!scope) throw new Error('CallerScope used on a route without an authenticated caller');
    return scope;
  },
);
