import type { Clock } from "./clock.ts";

interface Sleeper {
  readonly wakeAt: number;
  /** Registration order, so sleepers due at the same instant wake first-come first-served. */
  readonly order: number;
  readonly wake: () => void;
}

/**
 * A Clock whose time moves only when a test says so, so schedules spanning hours run in milliseconds.
 *
 * `advance` walks time forward sleeper by sleeper (a machine that stays awake: each sleeper wakes at
 * exactly its due time); `jump` moves time at once (a machine that was suspended: every overdue
 * sleeper wakes late, at the new time). After each wake-up the woken code gets a macrotask turn to
 * run until it awaits something again, typically its next `sleep`.
 */
export class FakeClock implements Clock {
  #now: number;
  #order = 0;
  readonly #sleepers = new Set<Sleeper>();
  readonly #sleepWaiters = new Set<{ count: number; resolve: () => void }>();

  constructor(start: number | Date = 0) {
    this.#now = typeof start === "number" ? start : start.getTime();
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.#sleepers.delete(sleeper);
        reject(signal!.reason);
      };
      const sleeper: Sleeper = {
        wakeAt: this.#now + Math.max(0, ms),
        order: this.#order++,
        wake: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      this.#sleepers.add(sleeper);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#notifySleepWaiters();
    });
  }

  /** How many `sleep` calls are pending. */
  get sleeping(): number {
    return this.#sleepers.size;
  }

  /** When the earliest pending sleeper is due, or undefined if nobody sleeps. */
  get nextWakeAt(): number | undefined {
    return this.#earliest()?.wakeAt;
  }

  /** Resolves once at least `count` sleepers are pending: the code under test has reached its wait. */
  untilSleeping(count = 1): Promise<void> {
    if (this.#sleepers.size >= count) return Promise.resolve();
    return new Promise((resolve) => this.#sleepWaiters.add({ count, resolve }));
  }

  /** Moves time forward by `ms`, waking each sleeper at its own due time, in time order. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.#now + ms);
  }

  /** Moves time forward to `time`, waking each sleeper at its own due time, in time order. */
  async advanceTo(time: number | Date): Promise<void> {
    const target = typeof time === "number" ? time : time.getTime();
    await yieldTurn();
    for (let next = this.#earliest(); next && next.wakeAt <= target; next = this.#earliest()) {
      this.#now = Math.max(this.#now, next.wakeAt);
      this.#wake(next);
      await yieldTurn();
    }
    this.#now = Math.max(this.#now, target);
  }

  /** Moves time to the earliest sleeper's due time and wakes it; returns false if nobody sleeps. */
  async tick(): Promise<boolean> {
    const next = this.#earliest();
    if (!next) return false;
    await this.advanceTo(next.wakeAt);
    return true;
  }

  /**
   * Moves time forward by `ms` at once, as a suspended laptop does: every sleeper that fell due
   * during the gap wakes at the new time, in due order.
   */
  async jump(ms: number): Promise<void> {
    this.#now += ms;
    for (let next = this.#earliest(); next && next.wakeAt <= this.#now; next = this.#earliest()) {
      this.#wake(next);
      await yieldTurn();
    }
  }

  #earliest(): Sleeper | undefined {
    let earliest: Sleeper | undefined;
    for (const sleeper of this.#sleepers) {
      if (
        !earliest ||
        sleeper.wakeAt < earliest.wakeAt ||
        (sleeper.wakeAt === earliest.wakeAt && sleeper.order < earliest.order)
      ) {
        earliest = sleeper;
      }
    }
    return earliest;
  }

  #wake(sleeper: Sleeper): void {
    this.#sleepers.delete(sleeper);
    sleeper.wake();
  }

  #notifySleepWaiters(): void {
    for (const waiter of this.#sleepWaiters) {
      if (this.#sleepers.size < waiter.count) continue;
      this.#sleepWaiters.delete(waiter);
      waiter.resolve();
    }
  }
}

/**
 * A macrotask turn: every microtask chain the woken code started runs to its next real wait. A
 * message is a task like a timer but ~100x quicker than setTimeout(0) on Bun, which matters when a
 * test drives thousands of wake-ups; the ports are closed so they never keep the process alive.
 */
function yieldTurn(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      port2.close();
      resolve();
    };
    port2.postMessage(null);
  });
}
