import { Logger, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { EmbeddedDb, startEmbeddedDb } from './embedded-db';

export const EMBEDDED_DB = Symbol('EMBEDDED_DB');

/** Starts the embedded FerretDB when MONGO_URL is unset (null otherwise); DatabaseModule stops it. */
@Module({
  providers: [
    {
      provide: EMBEDDED_DB,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig): Promise<EmbeddedDb | null> => {
        if (config.mongoUrl) return null;
        const logger = new Logger('EmbeddedDb');
        logger.log(`MONGO_URL is not set: starting the embedded database in ${config.dataDir}`);
        return startEmbeddedDb({ dataDir: config.dataDir, log: (line) => logger.log(line) });
      },
    },
  ],
  exports: [EMBEDDED_DB],
})
export class EmbeddedDbModule {}
