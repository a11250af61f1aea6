import { Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { InjectConnection, MongooseModule } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { EmbeddedDb } from './embedded-db';
import { EMBEDDED_DB, EmbeddedDbModule } from './embedded-db.module';

const EMBEDDED_DB_NAME = 'rocketchat';

/**
 * Connects Mongoose to MONGO_URL, or to the embedded FerretDB when it is unset.
 * Indexes are created explicitly at start (autoIndex is off because Mongoose would
 * swallow index failures), and a failure stops the start.
 */
@Module({
  imports: [
    MongooseModule.forRootAsync({
      imports: [EmbeddedDbModule],
      inject: [APP_CONFIG, EMBEDDED_DB],
      useFactory: (config: AppConfig, embedded: EmbeddedDb | null) => ({
        uri: config.mongoUrl ?? `${embedded?.url}${EMBEDDED_DB_NAME}`,
        autoIndex: false,
        autoCreate: false,
        // Fail fast (503) instead of queueing requests while the database is away.
        bufferCommands: false,
        serverSelectionTimeoutMS: 3_000,
        heartbeatFrequencyMS: 2_000,
        connectTimeoutMS: 3_000,
        socketTimeoutMS: 20_000,
        maxPoolSize: 20,
      }),
    }),
  ],
})
export class DatabaseModule implements OnApplicationBootstrap {
  private readonly logger = new Logger(DatabaseModule.name);

  constructor(@InjectConnection() private readonly connection: Connection) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const model of Object.values(this.connection.models)) {
      await model.createIndexes();
    }
    this.logger.log(`Indexes ready on ${Object.keys(this.connection.models).length} collections`);
  }
}
