// The times at which jobs this process knows of fall due (delayed enqueues, retries, workflow sleeps
// and wait timeouts): a bounded binary min-heap, so the wake-up timer can be re-armed for the next
// one after each fires. Beyond `capacity` times the latest are dropped: the poll still finds those.
export class WakeTimes {
  readonly #times: number[] = [];
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#times.length;
  }

  add(at: number): void {
    const times = this.#times;
    if (times.length >= this.#capacity) return;
    let i = times.push(at) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent]! <= at) break;
      times[i] = times[parent]!;
      i = parent;
    }
    times[i] = at;
  }

  /** The earliest time after `now`, dropping the ones at or before it (their wake-up has happened). */
  nextAfter(now: number): number | undefined {
    while (this.#times.length > 0 && this.#times[0]! <= now) this.#pop();
    return this.#times[0];
  }

  clear(): void {
    this.#times.length = 0;
  }

  #pop(): void {
    const times = this.#times;
    const last = times.pop()!;
    if (times.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= times.length) break;
      const right = left + 1;
      const child = right < times.length && times[right]! < times[left]! ? right : left;
      if (times[child]! >= last) break;
      times[i] = times[child]!;
      i = child;
    }
    times[i] = last;
  }
}
