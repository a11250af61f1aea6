import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app.factory';
import { toErrorResponse } from './common/envelope';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';

/** In-flight requests get this long to finish after SIGTERM/SIGINT. */
const SHUTDOWN_DEADLINE_MS = 10_000;
/** A start interrupted by a database outage is tried again for this long. */
const START_DEADLINE_MS = 120_000;
const START_RETRY_PAUSE_MS = 1_000;

/**
 * Creates the application and listens. The start-up steps (indexes, seeds, the recovery
 * sweep) talk to the database; if it stops answering meanwhile, even for one missed
 * heartbeat on a busy machine, the start is closed and made again, as a restart would:
 * every step is idempotent. Connecting itself is retried by Mongoose (about 45 s).
 */
async function start(config: AppConfig): Promise<NestFastifyApplication> {
  const deadline = Date.now() + START_DEADLINE_MS;
  for (;;) {
    const app = await createApp(config);
    try {
      await app.listen(config.port, config.host);
      return app;
    } catch (error) {
      await app.close().catch(() => undefined);
      const unavailable = toErrorResponse(error).body.errorType === 'error-database-unavailable';
      if (!unavailable || Date.now() + START_RETRY_PAUSE_MS > deadline) throw error;
      console.warn(
        `The database stopped answering during start-up (${error instanceof Error ? error.message : error}): starting again`,
      );
      await new Promise((resolve) => setTimeout(resolve, START_RETRY_PAUSE_MS));
    }
  }
}

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const app = await start(config);

  // Stop accepting, let in-flight requests finish, close the database, exit 0.
  const shutdown = (signal: string) => {
    console.log(`${signal} received: shutting down`);
    setTimeout(() => {
      console.error('Shutdown took too long: exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
