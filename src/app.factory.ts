import { isUtf8 } from 'node:buffer';
import { NestFactory } from '@nestjs/core';
import type { FastifyError, FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { registerAdminConsole } from './admin-console/admin-console';
import { AppModule } from './app.module';
import { ApiError } from './common/api-error';
import { assertSafeBody } from './common/body-guard';
import { rawErrorResponse, toErrorResponse } from './common/envelope';
import { parseQueryString } from './common/query-string';
import { setupOpenApi } from './common/openapi';
import {
  loggerOptions,
  NestPinoLogger,
  OneLinePerRequest,
  requestId,
  routeFlags,
} from './common/logging';
import { RocketChatExceptionFilter, timedOutSockets } from './common/rocketchat-exception.filter';
import { createValidationPipe } from './common/validation';
import { AppConfig } from './config/app-config';
import { rewriteServedWidgetUrl, VisitorWidget } from './visitor-widget/visitor-widget';

const VERSION: string = (require('../package.json') as { version: string }).version;

/** Sent with every answer: nothing is cacheable, nothing is to be sniffed or framed. */
const RESPONSE_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
} as const;

/** What every JSON answer says it is (no charset parameter: RFC 8259 defines none). */
const JSON_CONTENT_TYPE = 'application/json';

const MAX_BODY_BYTES = 1024 * 1024;

/** JSON's insignificant whitespace: space, tab, line feed, carriage return. */
const isJsonWhitespace = (byte: number): boolean =>
  byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;

/** What to answer to an error Node raises on a connection before Fastify has a request. */
function clientError(error: Error): ApiError {
  switch ((error as { code?: string }).code) {
    case 'HPE_HEADER_OVERFLOW':
      return new ApiError(431, 'error-headers-too-large', 'Request headers are too large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ApiError(408, 'error-request-timeout', 'The request did not arrive in time');
    default:
      return ApiError.invalidParams('Malformed HTTP request');
  }
}

/** Builds the application (shared by main.ts and the e2e tests); the caller listens. */
export async function createApp(
  config: AppConfig,
  options: { consoleDir?: string } = {},
): Promise<NestFastifyApplication> {
  const { timeouts } = config;
  const adapter = new FastifyAdapter({
    bodyLimit: MAX_BODY_BYTES,
    // Bounded, so a client that never finishes its request cannot hold a connection forever.
    requestTimeout: timeouts.request,
    connectionTimeout: timeouts.connection,
    keepAliveTimeout: timeouts.keepAlive,
    http: {
      headersTimeout: timeouts.request,
      // Node checks request and header deadlines this often (30 s by default): often enough
      // that a stalled request is answered within about a second of its limit.
      connectionsCheckingInterval: Math.min(1_000, timeouts.request),
    },
    routerOptions: { querystringParser: parseQueryString },
    rewriteUrl: rewriteServedWidgetUrl,
    return503OnClosing: true,
    requestIdHeader: false,
    genReqId: requestId,
    logger: loggerOptions(config.logLevel),
    logController: new OneLinePerRequest(),
    // Router errors (bad percent-encoding, over-long ids) get the envelope too.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      const { status, body } = toErrorResponse(error);
      void reply.status(status).headers(RESPONSE_HEADERS).send(body);
    },
    // Errors before a request exists (headers over 16 KiB, garbage on the wire).
    clientErrorHandler: (error, socket) => {
      if ((error as { code?: string }).code === 'ERR_HTTP_REQUEST_TIMEOUT')
        timedOutSockets.add(socket);
      if (!socket.writable) return socket.destroy();
      socket.end(rawErrorResponse(clientError(error), RESPONSE_HEADERS));
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new NestPinoLogger(adapter.getInstance().log),
    // Start-up errors reach main.ts (one clear line, exit 1) instead of process.abort().
    abortOnError: false,
  });
  app.setGlobalPrefix('api/v1', {
    exclude: ['api/info', 'health/live', 'health/ready', 'metrics'],
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new RocketChatExceptionFilter());

  const fastify = app.getHttpAdapter().getInstance();
  // An empty (or blank) JSON body is no body (API.md §1): Rocket.Chat's REST client sends
  // `Content-Type: application/json` without a body on archive, unarchive and logout. A body
  // that is not UTF-8 (RFC 8259 §8.1) is a 400.
  // Anything else goes to Fastify's own parser, which rejects `__proto__`/`constructor`
  // poisoning. Only JSON is read: other media types are answered 415.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  // Fastify reads text/plain by default; here it is one more media type answered 415.
  fastify.removeContentTypeParser('text/plain');
  app.useBodyParser<RawServerDefault>(
    'application/json',
    { bodyLimit: MAX_BODY_BYTES },
    (request, body, done) => {
      if (body.every(isJsonWhitespace)) return done(null, undefined);
      // Decoding would silently turn broken bytes into U+FFFD, and store them so.
      if (!isUtf8(body)) {
        return done(ApiError.invalidParams('The request body is not valid UTF-8'), undefined);
      }
      parseJson(request, body.toString('utf8'), done);
    },
  );
  // Once shutdown starts, answers close their keep-alive connection, so the server can
  // finish in-flight requests and stop instead of waiting out idle keep-alive sockets.
  let closing = false;
  fastify.addHook('preClose', async () => {
    closing = true;
  });
  // The per-request hooks take callbacks rather than being async: one promise and one
  // microtask less each, on every request.
  // Every successful answer carries `success: true` beside its payload (Rocket.Chat's
  // envelope); error envelopes already carry `success: false`.
  fastify.addHook('preSerialization', (_request, reply, payload: unknown, done) => {
    if (reply.statusCode < 400 && payload !== null && typeof payload === 'object') {
      if (!Array.isArray(payload) && !('success' in payload)) {
        (payload as Record<string, unknown>).success = true;
      }
    }
    done(null, payload);
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    try {
      assertSafeBody(request.body);
    } catch (error) {
      return done(error as Error);
    }
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (closing) void reply.header('Connection', 'close');
    // RFC 8259 defines no charset for JSON, and Rocket.Chat's clients and tests compare the
    // header with `application/json` exactly.
    const type = reply.getHeader('Content-Type');
    if (typeof type === 'string' && type.startsWith('application/json;')) {
      void reply.header('Content-Type', JSON_CONTENT_TYPE);
    }
    void reply.header('X-Request-Id', request.id);
    void reply.headers(
      routeFlags(request).ownCacheControl && reply.hasHeader('Cache-Control')
        ? { ...RESPONSE_HEADERS, 'Cache-Control': reply.getHeader('Cache-Control') }
        : RESPONSE_HEADERS,
    );
    done(null, payload);
  });

  setupOpenApi(app, VERSION);
  await registerAdminConsole(fastify, options.consoleDir);
  await app.get(VisitorWidget).register(fastify);
  return app;
}
