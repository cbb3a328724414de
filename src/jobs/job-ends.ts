// One subscription to the store's announcements of job ends (PostgreSQL LISTEN on a connection of its
// own), shared by every waitFor of a Jobs service while any waits, closed when the last one is done.
import type { JobStore, Subscription } from "./store.ts";

export interface EndListener {
  /** Calls `wake` when the job's end is announced; returns the unsubscribe. */
  subscribe(wake: () => void): () => void;
  /** This waitFor is done (call once). */
  release(): void;
}

export class JobEnds {
  readonly #store: JobStore<unknown>;
  readonly #waiters = new Map<string, Set<() => void>>();
  #users = 0;
  #subscription: Promise<Subscription> | undefined;

  constructor(store: JobStore<unknown>) {
    this.#store = store;
  }

  async listen(id: string): Promise<EndListener> {
    this.#users++;
    try {
      this.#subscription ??= this.#store.subscribeEnds!((ended) => {
        for (const wake of this.#waiters.get(ended) ?? []) wake();
      });
      await this.#subscription;
    } catch (error) {
      this.#subscription = undefined;
      this.#release();
      throw error;
    }
    return {
      subscribe: (wake) => {
        const set = this.#waiters.get(id) ?? new Set();
        this.#waiters.set(id, set);
        set.add(wake);
        return () => {
          set.delete(wake);
          if (set.size === 0) this.#waiters.delete(id);
        };
      },
      release: () => this.#release(),
    };
  }

  #release(): void {
    if (--this.#users > 0 || !this.#subscription) return;
    const closing = this.#subscription;
    this.#subscription = undefined;
    void closing.then((subscription) => subscription.close()).catch(() => {});
  }
}
