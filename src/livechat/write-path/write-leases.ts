import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { Counter, Histogram } from 'prom-client';
import { performance } from 'node:perf_hooks';
import { randomId } from '../../common/ids';
import { KeyedLock } from '../../common/keyed-lock';
import { databaseUnavailable } from '../../common/envelope';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { MetricsService } from '../../health/metrics.service';
import { WriteEpoch, WriteLease, WriteLeaseTakeover } from './write-lease.schema';

/**
 * What a writer holding leases carries: an early check (advice, to stop soon), and the
 * fencing epochs that the database compares in every write (the guarantee, fencing.ts).
 */
export interface Fence {
  /** Throws LeaseLost once another instance may have taken over (saves wasted work). */
  check(): Promise<void>;
  /**
   * The epoch of the lease on `key`: larger than any earlier holder's. Undefined in
   * local mode, where one process owns the database and no other writer exists.
   */
  epochOf(key: string): number | undefined;
}

/** A holder found that its lease was taken over: it must stop writing at once. */
export class LeaseLost extends Error {
  constructor(key: string) {
    super(`the write lease of ${key} was taken over`);
  }
}

const DUPLICATE_KEY = 11000;
const TAKEOVER_RETENTION_MS = 60 * 60 * 1000;

interface Held {
  key: string;
  nonce: string;
  /** This acquisition's fencing epoch (livechat_write_epochs). */
  epoch: number;
  /** performance.now() when the last beat that matched our lease was sent. */
  confirmedAt: number;
  lost: boolean;
}

/**
 * Serialises writes per key (a department id, `business-hours`) across every instance
 * on the database. In this process, a KeyedLock queues writers without touching the
 * database. Across processes (`shared` mode, with MONGO_URL), a lease document per key:
 *
 * - acquire: insert `{_id: key, nonce}`; a duplicate key means somebody holds it, so
 *   wait and poll. The insert is atomic on MongoDB and FerretDB alike, which is why no
 *   conditional update (a read-modify-write on FerretDB) takes part in acquiring.
 * - hold: the holder bumps `beat` every TTL/5. A waiter that sees the same nonce and
 *   beat for a whole TTL, measured on its own monotonic clock (no wall clocks compared
 *   across machines), presumes the holder dead and takes over: the unique insert of a
 *   `<key>~<nonce>` marker elects one taker, which deletes the dead lease.
 * - epoch: each acquisition increments the key's epoch (livechat_write_epochs). The
 *   holder's writes carry it in their filters, so the database itself refuses a holder
 *   that was paused past its lease once a later holder wrote (fencing.ts). The lease only
 *   keeps writers from wasting work on each other; the epoch is what makes it correct.
 * - check: before a step, the holder may check that it still holds every lease (free
 *   within TTL/2 of a confirmed beat, else a beat that must still match its nonce), to
 *   stop early. It is advice: a pause can fall between the check and the write.
 * - release: delete `{_id: key, nonce}`.
 *
 * With the embedded database one process owns DATA_DIR (an flock), so `local` mode
 * keeps only the in-process lock; the callers' code path is the same.
 */
@Injectable()
export class WriteLeases implements OnApplicationShutdown {
  private readonly logger = new Logger(WriteLeases.name);
  readonly shared: boolean;
  readonly instanceId = randomId();
  private readonly local = new KeyedLock();
  private readonly ttlMs: number;
  private readonly maxWaitMs: number;
  /** Stored leases this process holds now, by key. */
  private readonly held = new Map<string, Held>();
  private heartbeat?: NodeJS.Timeout;
  private readonly waits: Histogram;
  private readonly takeovers: Counter;

  constructor(
    @InjectModel(WriteLease.name) private readonly leases: Model<WriteLease>,
    @InjectModel(WriteLeaseTakeover.name) private readonly markers: Model<WriteLeaseTakeover>,
    @InjectModel(WriteEpoch.name) private readonly epochs: Model<WriteEpoch>,
    @Inject(APP_CONFIG) config: AppConfig,
    metrics: MetricsService,
  ) {
    this.shared = config.writeCoordination === 'shared';
    this.ttlMs = config.writeLeaseTtlMs;
    this.maxWaitMs = Math.max(30_000, 3 * this.ttlMs);
    this.waits = new Histogram({
      name: 'write_lease_wait_seconds',
      help: 'Time spent waiting for a write lease held by another instance',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
      registers: [metrics.registry],
    });
    this.takeovers = new Counter({
      name: 'write_lease_takeovers_total',
      help: 'Write leases taken over from holders presumed dead',
      registers: [metrics.registry],
    });
  }

  onApplicationShutdown(): void {
    clearInterval(this.heartbeat);
  }

  /** Runs `task` holding the leases of all `keys` (taken in sorted order: no deadlock). */
  async run<T>(keys: string[], task: (fence: Fence) => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    return this.local.runAll(sorted, async () => {
      if (!this.shared) return task(LOCAL_FENCE);
      const mine: Held[] = [];
      try {
        for (const key of sorted) mine.push(await this.acquire(key));
        const epochs = new Map(mine.map((lease) => [lease.key, lease.epoch]));
        return await task({ check: () => this.check(mine), epochOf: (key) => epochs.get(key) });
      } finally {
        await Promise.all(mine.map((lease) => this.release(lease)));
      }
    });
  }

  /** Deletes takeover markers older than an hour (they only need to outlive a takeover). */
  async pruneTakeovers(): Promise<void> {
    if (!this.shared) return;
    await this.markers.deleteMany({ ts: { $lt: new Date(Date.now() - TAKEOVER_RETENTION_MS) } });
  }

  private async acquire(key: string): Promise<Held> {
    const nonce = randomId();
    const startedAt = performance.now();
    let observed: { nonce: string; beat: number; since: number } | undefined;
    let delay = 2;
    for (;;) {
      const sentAt = performance.now();
      try {
        await this.leases.insertMany([{ _id: key, owner: this.instanceId, nonce, beat: 0 }], {
          lean: true,
        });
        if (observed) this.waits.observe((performance.now() - startedAt) / 1000);
        const epoch = await this.nextEpoch(key);
        const lease: Held = { key, nonce, epoch, confirmedAt: sentAt, lost: false };
        this.held.set(key, lease);
        this.heartbeat ??= setInterval(() => void this.beatAll(), this.ttlMs / 5).unref();
        return lease;
      } catch (error) {
        if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
      }
      const current = await this.leases
        .findOne({ _id: key }, { owner: 1, nonce: 1, beat: 1 })
        .lean<WriteLease>();
      if (!current) continue; // released meanwhile
      const now = performance.now();
      if (current.owner === this.instanceId) {
        // Ours, yet nobody here holds it (the local lock is ours): a release that failed.
        await this.takeOver(key, current.nonce);
        continue;
      }
      if (observed?.nonce !== current.nonce || observed.beat !== current.beat) {
        observed = { nonce: current.nonce, beat: current.beat, since: now };
      } else if (now - observed.since >= this.ttlMs) {
        await this.takeOver(key, current.nonce);
        observed = undefined;
        continue;
      }
      if (now - startedAt > this.maxWaitMs) {
        this.logger.warn(`Gave up waiting for the write lease of ${key}`);
        throw databaseUnavailable();
      }
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 50);
    }
  }

  /**
   * A fencing epoch for a new holder of `key`: one atomic increment (single-document
   * atomicity: MongoDB, or the embedded database's serialising front), so no two holders
   * ever get the same one and a later holder always gets a larger one.
   */
  private async nextEpoch(key: string): Promise<number> {
    const counter = await this.epochs
      .findOneAndUpdate(
        { _id: key },
        { $inc: { epoch: 1 } },
        { upsert: true, returnDocument: 'after' },
      )
      .lean<WriteEpoch>();
    if (!counter) throw new Error(`no epoch for ${key}`);
    return counter.epoch;
  }

  /** Removes a lease whose holder is gone; the marker's unique insert elects one taker. */
  private async takeOver(key: string, deadNonce: string): Promise<void> {
    try {
      await this.markers.insertMany([{ _id: `${key}~${deadNonce}`, ts: new Date() }], {
        lean: true,
      });
    } catch (error) {
      if ((error as { code?: number }).code === DUPLICATE_KEY) return; // another waiter took it
      throw error;
    }
    await this.leases.deleteOne({ _id: key, nonce: deadNonce });
    this.takeovers.inc();
    this.logger.warn(`Took over the write lease of ${key} from a holder presumed dead`);
  }

  private async release(lease: Held): Promise<void> {
    this.held.delete(lease.key);
    if (this.held.size === 0) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
    try {
      await this.leases.deleteOne({ _id: lease.key, nonce: lease.nonce });
    } catch (error) {
      // Left behind: this instance takes it back at once, others after a TTL.
      this.logger.warn(`Could not release the write lease of ${lease.key}: ${String(error)}`);
    }
  }

  private async check(leases: Held[]): Promise<void> {
    for (const lease of leases) {
      if (!lease.lost && performance.now() - lease.confirmedAt >= this.ttlMs / 2) {
        await this.beat(lease);
      }
      if (lease.lost) {
        this.logger.warn(`Lost the write lease of ${lease.key}: another instance took it over`);
        throw new LeaseLost(lease.key);
      }
    }
  }

  private async beatAll(): Promise<void> {
    await Promise.all(
      [...this.held.values()].map((lease) => this.beat(lease).catch(() => undefined)),
    );
  }

  /** Bumps the beat; a lease that no longer matches our nonce was taken over. */
  private async beat(lease: Held): Promise<void> {
    const sentAt = performance.now();
    const { matchedCount } = await this.leases.updateOne(
      { _id: lease.key, nonce: lease.nonce },
      { $inc: { beat: 1 } },
    );
    if (matchedCount === 0) lease.lost = true;
    else lease.confirmedAt = Math.max(lease.confirmedAt, sentAt);
  }
}

const LOCAL_FENCE: Fence = { check: () => Promise.resolve(), epochOf: () => undefined };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
