/**
 * Fencing that the database enforces. Every document the write path writes (departments,
 * units, assignments, unit monitor links, schedules) carries `_fence`, the epoch of the
 * lease holder that wrote it last (write-leases.ts: epochs only grow). A holder's update
 * or delete matches a document only while its `_fence` is not greater than the holder's
 * epoch, and stamps its own: once a later holder wrote a document, an earlier holder's
 * write to it matches nothing, however long that holder was paused between deciding and
 * writing. The comparison happens inside the write (single-document atomicity), never in
 * our process. Inserts have nothing to compare with: a late insert of a paused holder is
 * found and deleted by the sweep of its overtaken journal entry (department-writer.ts).
 *
 * In local mode (one process owns the embedded database) there is no other writer and no
 * epoch: filters and updates are left as they are.
 */

/** The field that holds the epoch of a document's last writer. Never returned to clients. */
export const FENCE_FIELD = '_fence';

/** The database refused a write: a later lease holder has written the document since. */
export class StaleWriter extends Error {
  constructor(what: string) {
    super(`a later writer has written ${what}`);
  }
}

/** `filter`, matching only documents that no later holder than `epoch` has written. */
export function fenced<F extends object>(filter: F, epoch: number | undefined): F {
  if (epoch === undefined) return filter;
  return { ...filter, [FENCE_FIELD]: { $not: { $gt: epoch } } };
}

/** `set`, stamped with the writer's epoch. */
export function stamped<S extends object>(set: S, epoch: number | undefined): S {
  if (epoch === undefined) return set;
  return { ...set, [FENCE_FIELD]: epoch };
}
