import type { Query, Schema } from 'mongoose';

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

/** A stored value matches `value` as MongoDB matches equality (an array: one of its elements). */
const equals = (stored: unknown, value: unknown): boolean =>
  Array.isArray(stored) ? stored.includes(value) : stored === value;

/**
 * Whether `doc` satisfies `schema`'s restriction, evaluated here as the database would. For
 * reads by `_id`: FerretDB answers `{_id}` from its primary key but scans the whole collection
 * once any other condition joins it, so those reads ask for `_id` alone and check this.
 */
export function meetsRestriction(schema: Schema, doc: Record<string, unknown>): boolean {
  return Object.entries(queryRestriction(schema)).every(([field, condition]) =>
    isNotEqual(condition) ? !equals(doc[field], condition.$ne) : equals(doc[field], condition),
  );
}

const isNotEqual = (condition: unknown): condition is { $ne: unknown } =>
  condition !== null &&
  typeof condition === 'object' &&
  Object.keys(condition).length === 1 &&
  '$ne' in condition;

/** The restriction fields, for projections that must carry them to `meetsRestriction`. */
export function restrictedFields(schema: Schema): string[] {
  return Object.keys(queryRestriction(schema));
}

/**
 * Units and departments share a collection: every query of a model on it is restricted
 * to its own kind (`condition`) unless it already names `type`. Done in the schema so no
 * query of the service, present or future, can mix them up.
 */
export function restrictQueries(schema: Schema, condition: Record<string, unknown>): void {
  // meetsRestriction evaluates equality and `$ne` on top-level fields, nothing else.
  for (const [field, value] of Object.entries(condition)) {
    const plain = value === null || typeof value !== 'object';
    if (field.includes('.') || field.startsWith('$') || !(plain || isNotEqual(value))) {
      throw new Error(`restrictQueries: unsupported condition on ${field}`);
    }
  }
  restrictions.set(schema, condition);
  for (const operation of FILTERED_QUERIES) {
    schema.pre(operation, function () {
      const filter = this.getFilter();
      if (filter.type !== undefined) return;
      // FerretDB answers a read by one `_id` from its primary key, but scans the whole
      // collection once another condition joins it: such reads check the document instead.
      if (
        BY_ID_READS.has(operation) &&
        typeof filter._id === 'string' &&
        checkOnDocument(this, schema)
      ) {
        return;
      }
      this.where(condition);
    });
  }
}

const BY_ID_READS = new Set<string>(['find', 'findOne']);

/**
 * Filters the query's result through `meetsRestriction` (fetching the restricted fields
 * when the projection leaves them out, and dropping them again); false when the projection
 * excludes them outright (the caller then adds the condition to the filter).
 */
function checkOnDocument(query: Query<unknown, unknown>, schema: Schema): boolean {
  const fields = restrictedFields(schema);
  const projection = (query.projection() ?? {}) as Record<string, unknown>;
  // `{ _id: 1 }` alone (exists()) is inclusive too.
  const inclusive = Object.values(projection).some((value) => value === 1 || value === true);
  if (!inclusive && fields.some((field) => projection[field] === 0)) return false;
  const added = inclusive ? fields.filter((field) => !projection[field]) : [];
  if (added.length) query.select(Object.fromEntries(added.map((field) => [field, 1])));
  const kept = (doc: unknown) => {
    if (!doc || !meetsRestriction(schema, doc as Record<string, unknown>)) return null;
    for (const field of added) delete (doc as Record<string, unknown>)[field];
    return doc;
  };
  const check = (result: unknown) =>
    Array.isArray(result) ? result.map(kept).filter((doc) => doc !== null) : kept(result);
  // First of the query's transforms: the others (exists() maps a document to `{ _id }`)
  // must see only documents that pass. Mongoose keeps them in `_transforms`, run in order.
  (query as unknown as { _transforms: ((result: unknown) => unknown)[] })._transforms.unshift(
    check,
  );
  return true;
}
