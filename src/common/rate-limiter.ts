import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { ApiError } from './api-error';

const WINDOW_MS = 60_000;

/** Fixed-window request counters (per minute) on @nestjs/throttler's in-memory storage. */
@Injectable()
export class RateLimiter implements OnApplicationShutdown {
  private readonly storage = new ThrottlerStorageService();

  /** Counts one hit for `key`; throws 429 with `Retry-After` past `limitPerMinute`. */
  async consume(key: string, limitPerMinute: number): Promise<void> {
    const record = await this.storage.increment(key, WINDOW_MS, limitPerMinute, 0, 'default');
    if (record.totalHits > limitPerMinute) throw ApiError.tooManyRequests(record.timeToExpire);
  }

  onApplicationShutdown(): void {
    this.storage.onApplicationShutdown();
  }
}
