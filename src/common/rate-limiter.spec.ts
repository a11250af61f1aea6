import { ApiError } from './api-error';
import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  let limiter: RateLimiter;
  beforeEach(() => (limiter = new RateLimiter()));
  afterEach(() => limiter.onModuleDestroy());

  it('allows `limit` hits per key per minute, then answers 429 with Retry-After', () => {
    for (let i = 0; i < 3; i++) limiter.consume('a', 3);
    let error: unknown;
    try {
      limiter.consume('a', 3);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(429);
    expect((error as ApiError).errorType).toBe('error-too-many-requests');
    const retryAfter = Number((error as ApiError).headers?.['Retry-After']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Other keys have their own budget.
    expect(() => limiter.consume('b', 3)).not.toThrow();
  });

  it('starts a new window after a minute', () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
    limiter.consume('a', 1);
    expect(() => limiter.consume('a', 1)).toThrow(ApiError);
    now.mockReturnValue(1_000_000 + 60_000);
    expect(() => limiter.consume('a', 1)).not.toThrow();
    now.mockRestore();
  });
});
