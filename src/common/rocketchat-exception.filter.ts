import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isRequestAborted, toErrorResponse } from './envelope';

/** Connections Node answered 408 (request timeout): their aborted request is logged as such. */
export const timedOutSockets = new WeakSet<object>();

/** The single place where errors become HTTP responses (see envelope.ts for the shapes). */
@Catch()
export class RocketChatExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body, headers } = toErrorResponse(error);
    if (isRequestAborted(error)) {
      const request = host.switchToHttp().getRequest<FastifyRequest>();
      this.logger.log(
        timedOutSockets.has(request.raw.socket)
          ? `Request ${request.id} timed out: its body did not arrive in time (answered 408)`
          : `Request ${request.id} aborted by the client before its body arrived`,
      );
    } else if (status === 503) this.logger.warn(`Database unavailable: ${String(error)}`);
    else if (status >= 500) this.logger.error(error instanceof Error ? error.stack : String(error));
    if (headers) void reply.headers(headers);
    void reply.status(status).send(body);
  }
}
