import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { ApiError } from '../common/api-error';
import { FAILED_LOGIN_SETTINGS } from '../settings/setting-definitions';
import { SettingsService } from '../settings/settings.service';

const MINUTE_MS = 60_000;
/** Failures of one account, from every address together, before its short block… */
export const ACCOUNT_CAP_FACTOR = 10;
/** …which lasts this long. */
export const ACCOUNT_BLOCK_MS = MINUTE_MS;
/** Bounds the memory an attacker can make the counters use (oldest entries go first). */
const MAX_ENTRIES = 100_000;

interface Failures {
  count: number;
  /** The window of counting ends here (it starts at the first failure). */
  windowEndsAt: number;
  blockedUntil: number;
}

interface Policy {
  byUser: boolean;
  byIp: boolean;
  attemptsByUser: number;
  blockByUserMs: number;
  attemptsByIp: number;
  blockByIpMs: number;
}

/**
 * Failed logins, counted in memory per instance, so that nobody can lock someone else out:
 * - per account *and* client address (`…_By_User` settings): the address is blocked for that
 *   account once it fails too often;
 * - per client address, whatever the account (`…_By_Ip` settings): password spraying;
 * - per account across addresses, at ACCOUNT_CAP_FACTOR times the per-address count, with a
 *   short block (ACCOUNT_BLOCK_MS) that applies only to addresses that have failed for it: a
 *   distributed guess gets one try per new address, while the owner, from an address that has
 *   not failed, still gets in.
 * Only failures count; a success clears its account-and-address counter.
 */
@Injectable()
export class FailedLogins implements OnModuleDestroy {
  private readonly failures = new Map<string, Failures>();
  private readonly sweeper = setInterval(() => this.evictExpired(), MINUTE_MS).unref();

  constructor(private readonly settings: SettingsService) {}

  /** Throws 429 (with `Retry-After`) when this address may not try this account now. */
  async assertAllowed(account: string, ip: string): Promise<void> {
    const policy = await this.policy();
    if (!policy) return;
    const now = Date.now();
    const waits: number[] = [];
    if (policy.byIp) waits.push(this.blockedFor(ipKey(ip), now));
    if (policy.byUser) {
      const pair = this.failures.get(pairKey(account, ip));
      waits.push(this.blockedFor(pairKey(account, ip), now));
      if (pair && pair.windowEndsAt > now) waits.push(this.blockedFor(accountKey(account), now));
    }
    const wait = Math.max(0, ...waits);
    if (wait > 0) throw ApiError.tooManyRequests(wait / 1000);
  }

  async recordFailure(account: string, ip: string): Promise<void> {
    const policy = await this.policy();
    if (!policy) return;
    const now = Date.now();
    if (policy.byIp) this.count(ipKey(ip), policy.attemptsByIp, policy.blockByIpMs, now);
    if (policy.byUser) {
      this.count(pairKey(account, ip), policy.attemptsByUser, policy.blockByUserMs, now);
      this.count(
        accountKey(account),
        policy.attemptsByUser * ACCOUNT_CAP_FACTOR,
        ACCOUNT_BLOCK_MS,
        now,
      );
    }
  }

  recordSuccess(account: string, ip: string): void {
    this.failures.delete(pairKey(account, ip));
  }

  /** The settings in force, or null when the limits are off. */
  private async policy(): Promise<Policy | null> {
    const value = (id: string) => this.settings.value(id);
    if ((await value(FAILED_LOGIN_SETTINGS.enabled)) !== true) return null;
    return {
      byUser: (await value(FAILED_LOGIN_SETTINGS.byUser)) === true,
      byIp: (await value(FAILED_LOGIN_SETTINGS.byIp)) === true,
      attemptsByUser: Number(await value(FAILED_LOGIN_SETTINGS.attemptsByUser)),
      blockByUserMs: Number(await value(FAILED_LOGIN_SETTINGS.minutesByUser)) * MINUTE_MS,
      attemptsByIp: Number(await value(FAILED_LOGIN_SETTINGS.attemptsByIp)),
      blockByIpMs: Number(await value(FAILED_LOGIN_SETTINGS.minutesByIp)) * MINUTE_MS,
    };
  }

  private blockedFor(key: string, now: number): number {
    const entry = this.failures.get(key);
    return entry && entry.blockedUntil > now ? entry.blockedUntil - now : 0;
  }

  /**
   * One failure for `key`: failures are counted in a window as long as the block, from the
   * first one; the `limit`-th within it blocks the key for `blockMs`.
   */
  private count(key: string, limit: number, blockMs: number, now: number): void {
    let entry = this.failures.get(key);
    if (!entry || (entry.windowEndsAt <= now && entry.blockedUntil <= now)) {
      if (!entry && this.failures.size >= MAX_ENTRIES) this.evictOldest();
      entry = { count: 0, windowEndsAt: now + blockMs, blockedUntil: 0 };
      this.failures.set(key, entry);
    }
    entry.count++;
    if (entry.count >= limit) {
      entry.blockedUntil = now + blockMs;
      entry.windowEndsAt = entry.blockedUntil;
      entry.count = 0;
    }
  }

  private evictOldest(): void {
    // Maps iterate in insertion order.
    const oldest = this.failures.keys().next();
    if (!oldest.done) this.failures.delete(oldest.value);
  }

  private evictExpired(): void {
    const now = Date.now();
    for (const [key, entry] of this.failures) {
      if (entry.windowEndsAt <= now && entry.blockedUntil <= now) this.failures.delete(key);
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }
}

const ipKey = (ip: string) => `ip:${ip}`;
const accountKey = (account: string) => `account:${account}`;
const pairKey = (account: string, ip: string) => `pair:${account}:${ip}`;
