import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { ApiError } from './api-error';

const WINDOW_MS = 60_000;

interface Window {
  count: number;
  resetAt: number;
}

/**
 * Fixed one-minute windows of request counters, in memory (per instance). O(1) per
 * hit: @nestjs/throttler's in-memory storage keeps and filters one timestamp per hit,
 * which costs O(limit) on every request.
 */
@Injectable()
export class RateLimiter implements OnModuleDestroy {
  private readonly windows = new Map<string, Window>();
  private readonly sweeper = setInterval(() => this.evictExpired(), WINDOW_MS).unref();

  /** Counts one hit for `key`; throws 429 with `Retry-After` past `limitPerMinute`. */
  consume(key: string, limitPerMinute: number): void {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + WINDOW_MS };
      this.windows.set(key, window);
    }
    window.count++;
    if (window.count > limitPerMinute) {
      throw ApiError.tooManyRequests((window.resetAt - now) / 1000);
    }
  }

  private evictExpired(): void {
    const now = Date.now();
    for (const [key, window] of this.windows) {
      if (window.resetAt <= now) this.windows.delete(key);
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }
}
