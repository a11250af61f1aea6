import type { Document, Filter } from 'mongodb';

/**
 * `{ _id: id }` for the driver's own collection methods, used on hot reads by id (no Mongoose
 * casting or middleware): Rocket.Chat's ids are strings, the driver's types assume ObjectIds.
 */
export function byId(id: string): Filter<Document> {
  return { _id: id } as unknown as Filter<Document>;
}
