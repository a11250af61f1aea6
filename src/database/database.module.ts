import {
  Inject,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { InjectConnection, MongooseModule } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DatabaseCircuit, DatabaseCircuitModule } from './database-circuit';
import { guardDriverWrites } from './driver-write-guard';
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
      imports: [EmbeddedDbModule, DatabaseCircuitModule],
      inject: [APP_CONFIG, EMBEDDED_DB, DatabaseCircuit],
      useFactory: (config: AppConfig, embedded: EmbeddedDb | null, circuit: DatabaseCircuit) => ({
        uri: config.mongoUrl ?? `${embedded?.url}${EMBEDDED_DB_NAME}`,
        autoIndex: false,
        autoCreate: false,
        // Fail fast (503 within 3 s) instead of queueing requests while the database is away
        // or hung. A hung database is noticed within heartbeat + connect timeout (1.5 s): the
        // heartbeat times out, the driver fails the operations in flight and the circuit
        // fails the next ones at once; a connection still being opened gives up after the
        // connect timeout (so ≤ 2.5 s in all). Polling, because a streaming monitor takes
        // heartbeat + connect timeout per check. No driver retries: a retry would wait out a
        // server selection after the failure; the client retries instead (Retry-After).
        bufferCommands: false,
        serverMonitoringMode: 'poll',
        heartbeatFrequencyMS: 500,
        connectTimeoutMS: 1_000,
        serverSelectionTimeoutMS: 2_000,
        retryReads: false,
        retryWrites: false,
        socketTimeoutMS: 20_000,
        maxPoolSize: 20,
        // Acknowledged means durable across a failover: on a replica set a write acknowledged
        // by the primary alone can be rolled back when it steps down. MONGO_URL's own `w` wins.
        ...(writeConcernGivenIn(config.mongoUrl) ? {} : { w: 'majority' as const }),
        connectionFactory: (connection: Connection) => {
          guardDriverWrites();
          circuit.attach(connection);
          return connection;
        },
      }),
    }),
    EmbeddedDbModule,
  ],
})
export class DatabaseModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseModule.name);

  constructor(
    @InjectConnection() private readonly connection: Connection,
    @Inject(EMBEDDED_DB) private readonly embedded: EmbeddedDb | null,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const model of Object.values(this.connection.models)) {
      await model.createIndexes();
    }
    this.logger.log(`Indexes ready on ${Object.keys(this.connection.models).length} collections`);
  }

  /**
   * Runs once the HTTP server has finished its requests. The connection is closed before the
   * embedded database is stopped: FerretDB waits for its clients to leave before it exits.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.connection.close();
    await this.embedded?.stop();
  }
}

/** Whether the connection string sets its own write concern (`w=`). */
export function writeConcernGivenIn(mongoUrl: string | undefined): boolean {
  if (!mongoUrl) return false;
  const query = mongoUrl.split('?')[1] ?? '';
  return new URLSearchParams(query).has('w');
}
