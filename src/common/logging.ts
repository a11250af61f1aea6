import type { LoggerService } from '@nestjs/common';
import { FastifyBaseLogger, FastifyReply, FastifyRequest, LogController } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AppConfig } from '../config/app-config';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's request id: a well-formed incoming X-Request-Id, else a new UUID. */
export function requestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * Fastify's own pino logger, JSON on stdout. Secrets never reach it: auth headers and
 * cookies are redacted, and neither bodies (passwords) nor query strings are logged.
 * (Fastify's logger rather than nestjs-pino: the latter adds a middleware and an
 * AsyncLocalStorage context to every request, measurable on the hot auth path.)
 */
export function loggerOptions(level: AppConfig['logLevel']) {
  return {
    level,
    redact: {
      paths: ['req.headers["x-auth-token"]', 'req.headers.authorization', 'req.headers.cookie'],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: FastifyRequest) => ({
        id: req.id,
        method: req.method,
        url: req.url.split('?')[0],
        route: req.routeOptions?.url,
        headers: req.headers,
      }),
    },
  };
}

/**
 * Per-route flags, set with `@RouteConfig({...})` from @nestjs/platform-fastify:
 * - `quietRequestLog`: the per-request line is logged at debug, not info (a public,
 *   high-traffic route would otherwise flood the logs);
 * - `ownCacheControl`: a `Cache-Control` the handler sets is kept (every other answer
 *   gets `no-store`).
 */
export interface RouteFlags {
  quietRequestLog?: boolean;
  ownCacheControl?: boolean;
}

export function routeFlags(request: FastifyRequest): RouteFlags {
  return (request.routeOptions?.config ?? {}) as RouteFlags;
}

/** One line per request, after the answer (with its request), instead of Fastify's two. */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      req: request,
      res: reply,
      responseTime: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error) request.log.error({ ...line, err: error }, 'request errored');
    else if (routeFlags(request).quietRequestLog) request.log.debug(line, 'request completed');
    else request.log.info(line, 'request completed');
  }
}

/** Nest's logger interface on top of Fastify's pino logger, so every line is JSON. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly pino: FastifyBaseLogger) {}

  log(message: unknown, context?: string): void {
    this.pino.info({ context }, String(message));
  }

  error(message: unknown, stackOrContext?: string, context?: string): void {
    this.pino.error({ context: context ?? stackOrContext }, String(message));
  }

  warn(message: unknown, context?: string): void {
    this.pino.warn({ context }, String(message));
  }

  debug(message: unknown, context?: string): void {
    this.pino.debug({ context }, String(message));
  }

  verbose(message: unknown, context?: string): void {
    this.pino.trace({ context }, String(message));
  }
}
