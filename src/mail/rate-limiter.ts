import { type Clock, systemClock } from "../clock/index.ts";

export interface TokenBucketOptions {
  /** Requests per second (default 5, Resend's default team limit). */
  perSecond?: number;
  /**
   * Requests that may go at once after a quiet spell (default 1). With 1, sends are evenly spaced, so
   * no window of one second ever holds more than `perSecond` of them, however the provider counts.
   */
  burst?: number;
  clock?: Clock;
}

/** What a provider says about its limit after each response (the IETF `ratelimit-*` headers). */
export interface RateLimitReport {
  limit?: number;
  remaining?: number;
  /** Seconds until the window resets. */
  resetSeconds?: number;
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
}

/**
 * A token bucket shared by every sender in the process, in front of the provider. Waiters are served
 * in arrival order by one pump, so a burst of executors cannot overtake each other or the limit. A 429
 * or `ratelimit-remaining: 0` pauses the whole bucket, since every further request would fail too.
 */
export class TokenBucket {
  readonly configuredPerSecond: number;
  readonly burst: number;
  readonly #clock: Clock;
  #perSecond: number;
  #tokens: number;
  #refilledAt: number;
  #pausedUntil = 0;
  readonly #waiters: Waiter[] = [];
  #pumping = false;

  constructor(options: TokenBucketOptions = {}) {
    const perSecond = options.perSecond ?? 5;
    const burst = options.burst ?? 1;
    if (!(perSecond > 0) || !Number.isFinite(perSecond))
      throw new RangeError(`perSecond must be a positive number, got ${perSecond}`);
    if (!Number.isInteger(burst) || burst < 1) throw new RangeError(`burst must be a positive integer, got ${burst}`);
    this.configuredPerSecond = perSecond;
    this.#perSecond = perSecond;
    this.burst = burst;
    this.#clock = options.clock ?? systemClock;
    this.#tokens = burst;
    this.#refilledAt = this.#clock.now();
  }

  get perSecond(): number {
    return this.#perSecond;
  }

  /** Takes a token now if one is there and nobody waits ahead. */
  tryAcquire(): boolean {
    if (this.#waiters.length > 0 || this.#clock.now() < this.#pausedUntil) return false;
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Resolves when a token is taken; rejects with the signal's reason if it aborts first. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => this.#abandon(waiter);
      // The signal may be long-lived (the sender's, for its whole life): a served waiter must not
      // leave its listener on it, one per rate-limited send.
      const served = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const waiter: Waiter = { resolve: served, reject, signal };
      this.#waiters.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
      void this.#pump();
    });
  }

  /** No request goes out for `ms` (a 429's retry-after). */
  pauseFor(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + Math.max(0, ms));
    this.#tokens = 0;
  }

  /**
   * Follows the provider: never faster than its stated limit, and never holding more tokens than it
   * says remain. `ratelimit-reset` is whole seconds, too coarse to pause on (it would halve a 5/s
   * rate); an actual 429 pauses for its retry-after instead.
   */
  observe(report: RateLimitReport): void {
    if (report.limit !== undefined && report.limit > 0) this.#setRate(Math.min(this.configuredPerSecond, report.limit));
    if (report.remaining !== undefined) {
      this.#refill();
      this.#tokens = Math.min(this.#tokens, report.remaining);
    }
  }

  #setRate(perSecond: number): void {
    if (perSecond === this.#perSecond) return;
    this.#refill();
    this.#perSecond = perSecond;
  }

  #refill(): void {
    const now = this.#clock.now();
    const from = Math.max(this.#refilledAt, this.#pausedUntil);
    if (now > from) this.#tokens = Math.min(this.burst, this.#tokens + ((now - from) / 1000) * this.#perSecond);
    this.#refilledAt = Math.max(now, this.#refilledAt);
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#waiters.length > 0) {
        const now = this.#clock.now();
        if (now < this.#pausedUntil) {
          await this.#clock.sleep(this.#pausedUntil - now);
          continue;
        }
        this.#refill();
        if (this.#tokens >= 1) {
          this.#tokens -= 1;
          this.#waiters.shift()!.resolve();
          continue;
        }
        await this.#clock.sleep(Math.ceil(((1 - this.#tokens) / this.#perSecond) * 1000));
      }
    } finally {
      this.#pumping = false;
    }
  }

  #abandon(waiter: Waiter): void {
    const index = this.#waiters.indexOf(waiter);
    if (index < 0) return;
    this.#waiters.splice(index, 1);
    waiter.reject(waiter.signal!.reason);
  }
}
