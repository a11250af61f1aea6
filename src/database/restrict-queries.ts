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

/**
 * Units and departments share a collection: every query of a model on it is restricted
 * to its own kind (`condition`) unless it already names `type`. Done in the schema so no
 * query of the service, present or future, can mix them up.
 */
export function restrictQueries(schema: Schema, condition: Record<string, unknown>): void {
  for (const operation of FILTERED_QUERIES) {
    schema.pre(operation, function () {
      if (this.getFilter().type === undefined) this.where(condition);
    });
  }
}
