import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { IdentityReservation, ReservationState } from './identity-reservation.schema';
import type { User } from './user.schema';
import { UsersRepository } from './users.repository';

const DUPLICATE_KEY = 11000;
/** Rounds of "the key is taken by a user who no longer holds it: free it and try again". */
const RESERVE_ATTEMPTS = 3;

type Identity = Pick<User, 'username' | 'emails'>;

const isDuplicateKey = (error: unknown): boolean =>
  (error as { code?: number } | null)?.code === DUPLICATE_KEY;

/** The reservation keys of a user's username and e-mail addresses. */
export function identityKeys(user: {
  username?: string;
  emails?: { address?: string }[];
}): string[] {
  const keys = (user.emails ?? []).flatMap(({ address }) =>
    typeof address === 'string' ? [`email:${address.toLowerCase()}`] : [],
  );
  if (typeof user.username === 'string') keys.push(`username:${user.username.toLowerCase()}`);
  return [...new Set(keys)].sort();
}

/**
 * Unique e-mail addresses and usernames (regardless of case), across instances: a create
 * inserts one reservation per key before it inserts its user, and confirms them after. The
 * guarantee is the database's refusal of a second document with the same `_id`; nothing here
 * depends on a lock or on timing.
 *
 * A reservation left behind by a delete that crashed before releasing (held, its user gone) is
 * freed by the next create that meets it. One left by a create that crashed (pending, no user)
 * is freed when an instance starts (the crashed one restarting, typically): a create meeting a
 * pending key cannot tell a crash from a create on its way, and freeing the key of a create on
 * its way would, under contention, let creates undo each other until none succeeds. Freeing is
 * never unsafe: a creator whose pending key was freed takes it back when it confirms, or, if
 * someone else has it by then, removes its user and answers 400.
 */
@Injectable()
export class IdentityReservations {
  private readonly logger = new Logger(IdentityReservations.name);

  constructor(
    @InjectModel(IdentityReservation.name)
    private readonly reservations: Model<IdentityReservation>,
    private readonly users: UsersRepository,
  ) {}

  /**
   * Reserves `keys` for `userId`, in sorted order (so that two creates cannot each hold a key
   * the other needs while they take the rest). Returns the first key someone else holds,
   * after releasing what it took; null when all are reserved.
   */
  async reserve(userId: string, keys: string[]): Promise<string | null> {
    const taken: string[] = [];
    for (const key of [...keys].sort()) {
      if (!(await this.reserveOne(userId, key))) {
        await this.release(userId, taken);
        return key;
      }
      taken.push(key);
    }
    return null;
  }

  private async reserveOne(userId: string, key: string): Promise<boolean> {
    for (let attempt = 0; attempt < RESERVE_ATTEMPTS; attempt++) {
      if (await this.insert(key, userId, 'pending')) return true;
      const holder = await this.reservations
        .findOne({ _id: key }, { userId: 1, state: 1 })
        .lean<IdentityReservation>();
      if (!holder) continue; // released meanwhile
      if (holder.userId === userId) return true;
      if (holder.state === 'pending' || (await this.holds(holder.userId, key))) return false;
      await this.reservations.deleteOne({ _id: key, userId: holder.userId, state: 'held' });
    }
    return false;
  }

  /**
   * Marks `userId`'s reservations held, once its user exists. Returns a key that was taken away
   * (freed as stale by another create, then reserved by someone else), and the caller must then
   * remove its user; null when all are held.
   */
  async confirm(userId: string, keys: string[]): Promise<string | null> {
    for (const key of keys) {
      const marked = await this.reservations.updateOne(
        { _id: key, userId, state: 'pending' },
        { $set: { state: 'held' } },
      );
      if (marked.matchedCount === 1) continue;
      // Freed as stale meanwhile: take it back unless someone else has it now.
      if (await this.insert(key, userId, 'held')) continue;
      const holder = await this.reservations
        .findOne({ _id: key }, { userId: 1 })
        .lean<IdentityReservation>();
      if (holder?.userId !== userId) return key;
    }
    return null;
  }

  /** Frees `userId`'s reservations of `keys` (never another user's). */
  async release(userId: string, keys: string[]): Promise<void> {
    for (const key of keys) await this.reservations.deleteOne({ _id: key, userId });
  }

  /** The user who holds `key`, if any. */
  async holderOf(key: string): Promise<string | null> {
    const holder = await this.reservations
      .findOne({ _id: key }, { userId: 1 })
      .lean<IdentityReservation>();
    return holder?.userId ?? null;
  }

  /**
   * Reserves the keys of users that have none (a database from before reservations, or users
   * written by Rocket.Chat itself), and frees pending keys whose user does not exist (creates
   * that crashed). Idempotent, and safe while other instances run it too.
   */
  async reserveExisting(): Promise<void> {
    const pending = await this.reservations
      .find({ state: 'pending' }, { userId: 1 })
      .lean<IdentityReservation[]>();
    for (const { _id, userId } of pending) {
      if (!(await this.users.exists({ _id: userId }))) {
        await this.reservations.deleteOne({ _id, userId, state: 'pending' });
      }
    }
    const existing = new Set(
      (await this.reservations.find({}, { _id: 1 }).lean<{ _id: string }[]>()).map(
        (reservation) => reservation._id,
      ),
    );
    const users = await this.users.find<Identity & { _id: string }>({}, { username: 1, emails: 1 });
    let reserved = 0;
    const conflicts: string[] = [];
    for (const user of users) {
      for (const key of identityKeys(user)) {
        if (existing.has(key)) continue;
        if (await this.insert(key, user._id, 'held')) reserved++;
        else if ((await this.holderOf(key)) !== user._id) conflicts.push(key);
      }
    }
    if (reserved > 0) this.logger.log(`Reserved ${reserved} e-mail addresses and usernames`);
    if (conflicts.length > 0) {
      this.logger.warn(
        `${conflicts.length} e-mail addresses or usernames are shared by several users ` +
          `(first: ${conflicts[0]}); each stays reserved for one of them`,
      );
    }
  }

  private async insert(key: string, userId: string, state: ReservationState): Promise<boolean> {
    try {
      await this.reservations.create({ _id: key, userId, state });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /** Whether the user exists and has the username or address of `key`. */
  private async holds(userId: string, key: string): Promise<boolean> {
    const user = await this.users.findOne<Identity>({ _id: userId }, { username: 1, emails: 1 });
    return user !== null && identityKeys(user).includes(key);
  }
}
