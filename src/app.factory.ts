import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { parse as parseQuery } from 'qs';
import { AppModule } from './app.module';
import { setupOpenApi } from './common/openapi';
import { requestId } from './common/request-logging';
import { RocketChatExceptionFilter } from './common/rocketchat-exception.filter';
import { SuccessEnvelopeInterceptor } from './common/success.interceptor';
import { createValidationPipe } from './common/validation';
import { AppConfig } from './config/app-config';

const VERSION: string = (require('../package.json') as { version: string }).version;

export const MAX_BODY_BYTES = 1024 * 1024;

/** Builds the application (shared by main.ts and the e2e tests); the caller listens. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: MAX_BODY_BYTES,
    // Rocket.Chat clients send arrays as `ids[]=a&ids[]=b` or `ids=a&ids=b`. Nesting
    // is kept shallow: every query value we accept is a string or a list of strings.
    routerOptions: {
      querystringParser: (query) =>
        parseQuery(query, { depth: 1, arrayLimit: 100, parameterLimit: 200 }),
    },
    return503OnClosing: true,
    requestIdHeader: false,
    genReqId: requestId,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
    // Start-up errors reach main.ts (one clear line, exit 1) instead of process.abort().
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix('api/v1', {
    exclude: ['api/info', 'health/live', 'health/ready', 'metrics'],
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new RocketChatExceptionFilter());
  app.useGlobalInterceptors(new SuccessEnvelopeInterceptor());

  const fastify = app.getHttpAdapter().getInstance();
  // Once shutdown starts, answers close their keep-alive connection, so the server can
  // finish in-flight requests and stop instead of waiting out idle keep-alive sockets.
  let closing = false;
  fastify.addHook('preClose', async () => {
    closing = true;
  });
  fastify.addHook('onSend', async (request, reply) => {
    if (closing) void reply.header('Connection', 'close');
    void reply.header('X-Request-Id', request.id);
    void reply.header('Cache-Control', 'no-store');
    void reply.header('X-Content-Type-Options', 'nosniff');
    void reply.header('X-Frame-Options', 'DENY');
    void reply.header('Referrer-Policy', 'no-referrer');
  });

  setupOpenApi(app, VERSION);
  return app;
}
