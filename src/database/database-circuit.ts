import { Injectable, Module } from '@nestjs/common';
import type { TopologyDescriptionChangedEvent } from 'mongodb';
import type { Connection, MongooseQueryMiddleware, Schema } from 'mongoose';
import { databaseUnavailable } from '../common/envelope';

/** Mongoose query middleware names: every query that sends a command. */
const QUERY_OPERATIONS: MongooseQueryMiddleware[] = [
  'countDocuments',
  'deleteMany',
  'deleteOne',
  'distinct',
  'estimatedDocumentCount',
  'find',
  'findOne',
  'findOneAndDelete',
  'findOneAndReplace',
  'findOneAndUpdate',
  'replaceOne',
  'updateMany',
  'updateOne',
];

/**
 * Fails database operations at once while the driver's monitor reaches no server (the
 * database is dead or hung). The driver alone would make each operation wait out a server
 * selection timeout, so requests queued behind a department lock would time out one after
 * another. In-flight operations are interrupted by the driver itself when its heartbeat
 * times out; the circuit closes with the first successful heartbeat.
 */
@Injectable()
export class DatabaseCircuit {
  private open = false;

  get isOpen(): boolean {
    return this.open;
  }

  /** Watches the connection's topology and guards every model compiled on it afterwards. */
  attach(connection: Connection): void {
    connection
      .getClient()
      .on('topologyDescriptionChanged', (event: TopologyDescriptionChangedEvent) => {
        this.open = [...event.newDescription.servers.values()].every(
          (server) => server.type === 'Unknown',
        );
      });
    const guard = (): void => {
      if (this.open) throw databaseUnavailable();
    };
    connection.plugin((schema: Schema) => {
      schema.pre(QUERY_OPERATIONS, { document: false, query: true }, guard);
      schema.pre('save', guard);
      schema.pre('aggregate', guard);
      schema.pre('insertMany', guard);
      schema.pre('bulkWrite', guard);
    });
  }
}

@Module({ providers: [DatabaseCircuit], exports: [DatabaseCircuit] })
export class DatabaseCircuitModule {}
