import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { databaseUnavailable } from '../../common/envelope';
import { Department } from '../departments/schemas/department.schema';
import { FENCE_FIELD, StaleWriter, fenced, stamped } from './fencing';
import { LeaseLost, WriteLeases } from './write-leases';

/**
 * What a write holding leases carries: the early lease check, the epochs the database
 * compares in every write (fencing.ts), and the set of documents whose leases it holds.
 */
export interface DepartmentFence {
  /** The documents (departments, units) whose leases the write holds. */
  readonly held: ReadonlySet<string>;
  /** Throws LeaseLost once another instance may have taken over (advice, saves work). */
  check(): Promise<void>;
  /** Throws (to start the write again with them) unless the leases of `ids` are held. */
  require(ids: (string | undefined)[]): void;
  /** The fencing epoch of this write for document `id` (undefined in local mode). */
  epoch(id: string): number | undefined;
  /** The epoch of the writer before this one, as the claim found it on `id`. */
  previous(id: string): number | undefined;
  /**
   * Stamps the held documents with this write's epoch (once, before the first write; a
   * request refused before writing changes nothing): from then on the database refuses
   * every write of an earlier holder to them, even one that wrote nothing here.
   */
  claim(): Promise<void>;
}

/**
 * Thrown inside a write that finds it needs more leases than it holds (an interrupted
 * write to finish that also touches a unit, a department whose unit it learns only once
 * it reads it). Nothing is written before it is thrown: the write starts again holding
 * the union, in sorted order (no deadlock).
 */
class NeedsLeases extends Error {
  constructor(readonly ids: string[]) {
    super(`needs the write leases of ${ids.join(', ')}`);
  }
}

const leaseKey = (departmentId: string) => `department:${departmentId}`;

/**
 * The coordination of department and unit writes: the write leases of the documents a
 * write touches (WriteLeases: one writer per document across instances, to spare wasted
 * work) and the claim of those documents with the write's epochs (fencing.ts), which is
 * what makes an earlier holder's late writes match nothing.
 */
@Injectable()
export class DepartmentLeases {
  constructor(
    @InjectModel(Department.name) private readonly departments: Model<Department>,
    private readonly leases: WriteLeases,
  ) {}

  /** Whether leases are shared through the database (several instances). */
  get shared(): boolean {
    return this.leases.shared;
  }

  /** This process's instance id. */
  get instanceId(): string {
    return this.leases.instanceId;
  }

  /** Runs `task` holding the leases of `ids`, and of whatever it asks for on the way. */
  async holding<T>(ids: string[], task: (fence: DepartmentFence) => Promise<T>): Promise<T> {
    let wanted = new Set(ids);
    for (;;) {
      try {
        const held: ReadonlySet<string> = wanted;
        return await this.leases.run([...held].map(leaseKey), async (lease) => {
          const previous = new Map<string, number>();
          let claimed: Promise<void> | undefined;
          const fence: DepartmentFence = {
            held,
            check: () => lease.check(),
            require: (more) => {
              const missing = more.filter((id): id is string => !!id && !held.has(id));
              if (missing.length) throw new NeedsLeases(missing);
            },
            epoch: (id) => lease.epochOf(leaseKey(id)),
            previous: (id) => previous.get(id),
            claim: () =>
              (claimed ??= (async () => {
                for (const id of held) await this.claim(id, fence, previous);
              })()),
          };
          return task(fence);
        });
      } catch (error) {
        if (error instanceof StaleWriter || error instanceof LeaseLost) {
          throw databaseUnavailable();
        }
        if (!(error instanceof NeedsLeases)) throw error;
        wanted = new Set([...wanted, ...error.ids]);
      }
    }
  }

  /** Claims one document (see DepartmentFence.claim); notes the epoch it replaced. Shared mode only. */
  private async claim(
    id: string,
    fence: DepartmentFence,
    previous: Map<string, number>,
  ): Promise<void> {
    const epoch = fence.epoch(id);
    if (epoch === undefined) return;
    // The raw collection: units and departments share it, the claim is for either.
    const before = await this.departments.collection.findOneAndUpdate(
      fenced({ _id: id as never }, epoch),
      { $set: stamped({}, epoch) },
    );
    if (before) {
      const stored = (before as { [FENCE_FIELD]?: number })[FENCE_FIELD];
      if (stored !== undefined) previous.set(id, stored);
      return;
    }
    if (
      await this.departments.collection.findOne({ _id: id as never }, { projection: { _id: 1 } })
    ) {
      throw new StaleWriter(id);
    }
  }
}

/** This write's epochs for `ids` (none in local mode). */
export function epochsOf(
  fence: DepartmentFence,
  ids: string[],
): Record<string, number> | undefined {
  const epochs: Record<string, number> = {};
  for (const id of ids) {
    const epoch = fence.epoch(id);
    if (epoch !== undefined) epochs[id] = epoch;
  }
  return Object.keys(epochs).length ? epochs : undefined;
}

/** A lost lease or a later writer answers 503 (the write is finished by whoever took it over). */
export function asServiceError(error: unknown): unknown {
  return error instanceof LeaseLost || error instanceof StaleWriter ? databaseUnavailable() : error;
}
