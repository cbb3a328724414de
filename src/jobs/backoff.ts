/** Delay before the next attempt, in ms, given the attempt that just failed (1 = the first run). */
export type Backoff = (attempt: number, error: unknown) => number;

export interface ExponentialBackoffOptions {
  /** Delay after the first failure, before jitter (default 1000 ms). */
  baseMs?: number;
  /** Longest delay (default one hour). */
  maxMs?: number;
  /** Random source in [0, 1), for tests. */
  random?: () => number;
}

/**
 * base * 2^(attempt-1), capped, with "equal jitter": a random point in the upper half of the delay,
 * so retries of jobs that failed together (an outage) spread out instead of returning as a herd.
 */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): Backoff {
  const { baseMs = 1_000, maxMs = 3_600_000, random = Math.random } = options;
  return (attempt) => {
    const delay = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(delay / 2 + (random() * delay) / 2);
  };
}

export const defaultBackoff: Backoff = exponentialBackoff();
