import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { toErrorResponse } from '../../common/envelope';
import { RocketChatExceptionFilter } from '../../common/rocketchat-exception.filter';

/**
 * The widget shows an error reply's `message` (Rocket.Chat's livechat endpoints answer
 * with one): visitor-facing routes answer 4xx with the usual envelope plus `message`, the
 * error's text without its ` [code]` suffix.
 */
@Catch()
export class VisitorErrorFilter implements ExceptionFilter {
  private readonly shared = new RocketChatExceptionFilter();

  catch(error: unknown, host: ArgumentsHost): void {
    const { status, body, headers } = toErrorResponse(error);
    if (status >= 500) return this.shared.catch(error, host);
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const text = typeof body.error === 'string' ? body.error.replace(/ \[[^\]]+\]$/, '') : '';
    if (headers) void reply.headers(headers);
    void reply.status(status).send({ ...body, message: text });
  }
}
