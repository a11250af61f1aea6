/**
 * In-process mutual exclusion per key. FerretDB applies updates as unlocked
 * read-modify-write, so concurrent writes to one document from this process must be
 * serialised; across instances, WriteLeases adds a lease stored in the database.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      // Forget the key once nobody is queued behind us, so the map stays bounded.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Runs `task` holding the locks of all `keys`, taken in sorted order so two callers cannot deadlock. */
  async runAll<T>(keys: string[], task: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const acquire = (index: number): Promise<T> =>
      index === sorted.length ? task() : this.run(sorted[index], () => acquire(index + 1));
    return acquire(0);
  }
}
