import type { Clock } from "../clock/index.ts";
import { WakeTimes } from "./wake-times.ts";

/** Timers hold at most 2^31 - 1 ms (~24.8 days); anything later (a parked job) is found by the poll. */
const maxTimerMs = 2 ** 31 - 1;

/**
 * Lets the dispatcher sleep until there may be work: a same-process enqueue, a notification from
 * another process, a freed slot, or the poll interval. A wake that arrives while the dispatcher is
 * busy is remembered, so the next wait returns at once and no enqueue is missed.
 */
export class Wakeup {
  #pending = false;
  #resolve: (() => void) | undefined;
  #timer: { at: number; cancel: AbortController } | undefined;
  /** Later times, to re-arm the timer once it fired (many sleeping workflows wake one after another). */
  readonly #later = new WakeTimes(100_000);

  /**
   * Wakes at `at` (a job this process enqueued or failed falls due then, a workflow's sleep ends), so
   * it starts on time instead of at the next poll. One timer, for the earliest such time; the later
   * ones are kept and the timer re-armed for the next when it fires.
   */
  wakeAt(at: number, clock: Clock): void {
    if (at - clock.now() > maxTimerMs) return;
    if (this.#timer && this.#timer.at <= at) {
      this.#later.add(at);
      return;
    }
    if (this.#timer) this.#later.add(this.#timer.at);
    this.#timer?.cancel.abort();
    const timer = { at, cancel: new AbortController() };
    this.#timer = timer;
    clock.sleep(at - clock.now(), timer.cancel.signal).then(
      () => {
        if (this.#timer !== timer) return;
        this.#timer = undefined;
        this.wake();
        const next = this.#later.nextAfter(clock.now());
        if (next !== undefined) this.wakeAt(next, clock);
      },
      () => {},
    );
  }

  /** Drops the pending timer (at stop: it would keep the process alive and wake nobody). */
  cancelTimer(): void {
    this.#timer?.cancel.abort();
    this.#timer = undefined;
    this.#later.clear();
  }

  wake(): void {
    const resolve = this.#resolve;
    if (!resolve) {
      this.#pending = true;
      return;
    }
    this.#resolve = undefined;
    resolve();
  }

  /** Resolves on wake, after `ms`, or when `signal` aborts; never rejects. */
  async wait(ms: number, clock: Clock, signal: AbortSignal): Promise<void> {
    if (this.#pending || signal.aborted) {
      this.#pending = false;
      return;
    }
    const timer = new AbortController();
    const woken = new Promise<void>((resolve) => (this.#resolve = resolve));
    const slept = clock.sleep(ms, AbortSignal.any([signal, timer.signal])).catch(() => {});
    await Promise.race([woken, slept]);
    timer.abort();
    this.#resolve = undefined;
    this.#pending = false;
  }
}
