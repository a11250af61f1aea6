import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AuthenticatedUser } from '../users/users.service';

export const IS_PUBLIC = 'auth:isPublic';

/** The route needs no `X-User-Id`/`X-Auth-Token` (login, info, health, docs). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

export interface AuthenticatedRequest extends FastifyRequest {
  caller?: AuthenticatedUser;
  hashedToken?: string;
}

/** The authenticated caller (set by AuthGuard). */
export const Caller = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedUser => {
    const caller = context.switchToHttp().getRequest<AuthenticatedRequest>().caller;
    if (!caller) throw new Error('Caller used on a public route');
    return caller;
  },
);
