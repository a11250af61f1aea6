import type { Schema } from 'mongoose';

const FILTERED_QUERIES = [
  'find',
  'findOne',
  'countDocuments',
  'distinct',
  'updateOne',
  'updateMany',
  'deleteOne',
  'deleteMany',
  'findOneAndUpdate',
  'findOneAndDelete',
] as const;

/** The condition each restricted schema adds, for the reads that bypass Mongoose (DatabaseCircuit.findById). */
const restrictions = new WeakMap<Schema, Record<string, unknown>>();

/** What `restrictQueries` adds to every query on `schema`'s model (empty when nothing). */
export function queryRestriction(schema: Schema): Record<string, unknown> {
  return restrictions.get(schema) ?? {};
}

/**
 * Units and departments share a collection: every query of a model on it is restricted
 * to its own kind (`condition`) unless it already names `type`. Done in the schema so no
 * query of the service, present or future, can mix them up.
 */
export function restrictQueries(schema: Schema, condition: Record<string, unknown>): void {
  restrictions.set(schema, condition);
  for (const operation of FILTERED_QUERIES) {
    schema.pre(operation, function () {
      if (this.getFilter().type === undefined) this.where(condition);
    });
  }
}
