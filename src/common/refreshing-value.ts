/**
 * A value loaded on demand and reused for `ttlMs` (one load in flight at a time).
 * Used for small, rarely changed collections read on every request (permissions,
 * settings); `invalidate()` makes this instance's own changes visible at once.
 */
export class RefreshingValue<T> {
  private value?: { data: T; loadedAt: number };
  private inFlight?: Promise<T>;
  private generation = 0;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly ttlMs: number,
  ) {}

  async get(): Promise<T> {
    if (this.value && Date.now() - this.value.loadedAt < this.ttlMs) return this.value.data;
    if (!this.inFlight) {
      const generation = this.generation;
      this.inFlight = this.load()
        .then((data) => {
          // A load that started before an invalidate() must not be cached.
          if (generation === this.generation) this.value = { data, loadedAt: Date.now() };
          return data;
        })
        .finally(() => (this.inFlight = undefined));
    }
    return this.inFlight;
  }

  invalidate(): void {
    this.generation++;
    this.value = undefined;
    this.inFlight = undefined;
  }
}
