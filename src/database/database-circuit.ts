import { Global, Injectable, Module } from '@nestjs/common';
import type { Document as StoredDocument, Filter, TopologyDescriptionChangedEvent } from 'mongodb';
import type {
  Aggregate,
  Connection,
  Document,
  Model,
  MongooseQueryMiddleware,
  Query,
  Schema,
} from 'mongoose';
import { databaseUnavailable } from '../common/envelope';
import { meetsRestriction, queryRestriction, restrictedFields } from './restrict-queries';

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

  /** Watches the connection's topology and guards every model compiled on it. */
  attach(connection: Connection): void {
    connection
      .getClient()
      .on('topologyDescriptionChanged', (event: TopologyDescriptionChangedEvent) => {
        this.open = [...event.newDescription.servers.values()].every(
          (server) => server.type === 'Unknown',
        );
      });
    circuits.set(connection, this);
    connection.plugin(guardModels);
  }

  /**
   * One document by `_id`, as stored (like a lean query), straight through the driver: no
   * Mongoose query object, filter casting or middleware, which cost about a fifth of a
   * by-id read's CPU. The circuit is checked here as the Mongoose hook checks it. For hot
   * reads by an id that is already a string (string `_id`s, route parameters). The model's
   * query restriction (units and departments share a collection) applies here too.
   */
  async findById<T>(
    model: { readonly collection: Model<unknown>['collection']; readonly schema: Schema },
    id: string,
    projection?: Record<string, 0 | 1>,
  ): Promise<T | null> {
    if (this.open) throw databaseUnavailable();
    // `_id` alone (FerretDB scans the collection once another condition joins it); the
    // schema's restriction is checked on the document instead, its fields fetched for that.
    const extra = projection
      ? restrictedFields(model.schema).filter((field) => projection[field] !== 1)
      : [];
    let fetched = projection;
    if (projection && extra.length) {
      fetched = { ...projection };
      const inclusive = Object.values(projection).includes(1);
      for (const field of extra) {
        if (inclusive) fetched[field] = 1;
        else delete fetched[field];
      }
    }
    // The driver types `_id` as an ObjectId; ours are strings.
    const filter = { _id: id } as unknown as Filter<StoredDocument>;
    const doc = await model.collection.findOne(filter, fetched && { projection: fetched });
    if (!doc || !meetsRestriction(model.schema, doc)) return null;
    if (fetched !== projection) for (const field of extra) delete doc[field];
    for (const field of hiddenFields(model.schema)) delete doc[field];
    return doc as T;
  }

  /**
   * The documents matching `filter`, as stored, straight through the driver (circuit checked).
   * Mongoose casts every element of an `$in` one by one: for a filter already in the stored
   * types (string ids), that cast is the query's main cost on our side (next-agent's 500
   * agents, the widget's refresh).
   */
  find<T>(
    model: { readonly collection: Model<unknown>['collection']; readonly schema: Schema },
    filter: Record<string, unknown>,
    projection?: Record<string, 0 | 1>,
  ): Promise<T[]> {
    if (this.open) return Promise.reject(databaseUnavailable());
    // The schema's restriction, as its query hook adds it (unless the filter names `type`).
    const restricted =
      filter.type === undefined ? { ...filter, ...queryRestriction(model.schema) } : filter;
    const hidden = hiddenFields(model.schema);
    return model.collection
      .find(restricted as Filter<StoredDocument>, projection && { projection })
      .toArray()
      .then((docs) => {
        if (hidden.length) for (const doc of docs) for (const field of hidden) delete doc[field];
        return docs as T[];
      });
  }
}

/**
 * The circuit of each connection. Mongoose applies a connection's plugins to a schema once,
 * for the first connection that compiles it, and schemas are shared by every application in
 * the process (a start made again, the tests' several instances): so the hooks look up the
 * circuit of the connection their operation runs on, not the one that installed them.
 */
const circuits = new WeakMap<Connection, DatabaseCircuit>();

function failIfOpen(connection: Connection): void {
  if (circuits.get(connection)?.isOpen) throw databaseUnavailable();
}

function guardModels(schema: Schema): void {
  schema.pre(
    QUERY_OPERATIONS,
    { document: false, query: true },
    function (this: Query<unknown, unknown>) {
      failIfOpen(this.model.db);
    },
  );
  schema.pre('save', function (this: Document) {
    failIfOpen((this.constructor as Model<unknown>).db);
  });
  schema.pre('aggregate', function (this: Aggregate<unknown>) {
    failIfOpen(this.model().db);
  });
  schema.pre('insertMany', function (this: Model<unknown>) {
    failIfOpen(this.db);
  });
  schema.pre('bulkWrite', function (this: Model<unknown>) {
    failIfOpen(this.db);
  });
}

const hiddenBySchema = new WeakMap<Schema, string[]>();

/** The schema's `select: false` fields, which a Mongoose query leaves out: so do we. */
function hiddenFields(schema: Schema): string[] {
  let fields = hiddenBySchema.get(schema);
  if (!fields) {
    fields = Object.entries(schema.paths)
      .filter(([, type]) => (type as { options?: { select?: boolean } }).options?.select === false)
      .map(([path]) => path);
    hiddenBySchema.set(schema, fields);
  }
  return fields;
}

/** Global: services anywhere read through `findById`. */
@Global()
@Module({ providers: [DatabaseCircuit], exports: [DatabaseCircuit] })
export class DatabaseCircuitModule {}
