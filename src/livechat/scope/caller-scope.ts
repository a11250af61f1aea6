import { createParamDecorator, ExecutionContext, Injectable, PipeTransform } from '@nestjs/common';
import type { AuthenticatedRequest } from '../../auth/auth.decorators';
import { UnitMonitorsRepository } from '../units/units.repository';
import { Scope } from './scope';

/**
 * Resolves the caller's scope, after AuthGuard authenticated the request: unrestricted for
 * everyone but a monitor (no read at all), a monitor's units read from the links at each
 * request, so a change applies at once. A pipe of the parameter rather than a global
 * interceptor: only the routes that ask pay for it, and no route runs through rxjs.
 */
@Injectable()
export class ResolveCallerScope implements PipeTransform<AuthenticatedRequest, Promise<Scope>> {
  constructor(private readonly monitors: UnitMonitorsRepository) {}

  async transform(request: AuthenticatedRequest): Promise<Scope> {
    const caller = request.caller;
    if (!caller) throw new Error('CallerScope used on a route without an authenticated caller');
    return Scope.isRestrictedUser(caller)
      ? Scope.ofUnits(await this.monitors.unitsOf(caller._id))
      : Scope.unrestricted();
  }
}

const AuthenticatedRequestParam = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedRequest =>
    context.switchToHttp().getRequest<AuthenticatedRequest>(),
);

/** The authenticated caller's scope (a route that is public has none: a bug, thrown). */
export const CallerScope = (): ParameterDecorator => AuthenticatedRequestParam(ResolveCallerScope);
