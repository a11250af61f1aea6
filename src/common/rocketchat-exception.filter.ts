import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { toErrorResponse } from './envelope';

/** The single place where errors become HTTP responses (see envelope.ts for the shapes). */
@Catch()
export class RocketChatExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body, headers } = toErrorResponse(error);
    if (status === 503) this.logger.warn(`Database unavailable: ${String(error)}`);
    else if (status >= 500) this.logger.error(error instanceof Error ? error.stack : String(error));
    if (headers) void reply.headers(headers);
    void reply.status(status).send(body);
  }
}
