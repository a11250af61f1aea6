import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
} from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { OPENAPI_PUBLIC_MARKER } from '../common/openapi';
import type { FastifyRequest } from 'fastify';
import type { Actor, AuthenticatedUser } from './caller';

export const IS_PUBLIC = 'auth:isPublic';

/** The route needs no `X-User-Id`/`X-Auth-Token` (login, info, health, metrics). */
export const Public = () =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension(OPENAPI_PUBLIC_MARKER, true));

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

/** The authenticated caller as the author of a change. */
export const RequestActor = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Actor => {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!request.caller) throw new Error('RequestActor used on a public route');
    return {
      user: { _id: request.caller._id, username: request.caller.username },
      requestId: request.id,
      freshRequestId: request.headers['x-request-id'] !== request.id,
    };
  },
);
