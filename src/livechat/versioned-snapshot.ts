/** What an in-memory snapshot reflects: this instance's changes, and the livechat version. */
export interface Versioned {
  /** This instance's change count (LivechatEvents) when the load started. */
  readonly generation: number;
  /** The livechat version read before the load started (0 with one instance). */
  readonly version: number;
}

/**
 * Holds the snapshot an in-memory read model serves from (the widget's answers, the
 * department catalog), and the load in flight: requests that need the same or an older state
 * share one load, and a load that finishes after a newer one is not kept.
 */
export class SnapshotHolder<T extends Versioned> {
  private held?: T;
  private loading?: Versioned & { promise: Promise<T> };

  /** The held snapshot, when it reflects `generation` and at least `version`. */
  fresh(generation: number, version: number): T | undefined {
    const held = this.held;
    return held && held.generation === generation && held.version >= version ? held : undefined;
  }

  /** The load in flight when it covers `generation` and `version`, else a new `load()`. */
  load(generation: number, version: number, load: () => Promise<T>): Promise<T> {
    const loading = this.loading;
    if (loading?.generation === generation && loading.version >= version) return loading.promise;
    const promise = load()
      .then((snapshot) => {
        const held = this.held;
        if (
          !held ||
          snapshot.generation > held.generation ||
          (snapshot.generation === held.generation && snapshot.version >= held.version)
        ) {
          this.held = snapshot;
        }
        return snapshot;
      })
      .finally(() => {
        if (this.loading?.promise === promise) this.loading = undefined;
      });
    this.loading = { generation, version, promise };
    return promise;
  }
}
