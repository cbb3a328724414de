import { describe, expect, test } from "bun:test";
import type { Clock } from "../../src/clock/index.ts";
import { TokenBucket } from "../../src/mail/index.ts";

/** A clock that only moves when a sleeper asks it to, so the bucket's schedule is exact. */
function virtualClock(): Clock & { sleeps: number[] } {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    async sleep(ms) {
      sleeps.push(ms);
      // Let woken waiters record the time before it moves on.
      await new Promise((resolve) => setTimeout(resolve, 0));
      now += ms;
    },
  };
}

async function acquireTimes(bucket: TokenBucket, clock: Clock, n: number): Promise<number[]> {
  const times: number[] = [];
  await Promise.all(Array.from({ length: n }, () => bucket.acquire().then(() => times.push(clock.now()))));
  return times;
}

describe("TokenBucket", () => {
  test("spaces requests evenly at the configured rate: no second ever holds more than perSecond", async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket({ perSecond: 5, clock });
    const times = await acquireTimes(bucket, clock, 11);
    const start = times[0]!;
    expect(times.map((t) => t - start)).toEqual([0, 200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800, 2000]);
    for (const t of times) expect(times.filter((u) => u > t - 1000 && u <= t).length).toBeLessThanOrEqual(5);
  });

  test("burst lets that many go at once after a quiet spell", async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket({ perSecond: 10, burst: 3, clock });
    const times = await acquireTimes(bucket, clock, 4);
    expect(times.map((t) => t - times[0]!)).toEqual([0, 0, 0, 100]);
  });

  test("pauseFor (a 429's retry-after) holds every waiter until it passes", async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket({ perSecond: 100, clock });
    const start = clock.now();
    bucket.pauseFor(2000);
    expect(bucket.tryAcquire()).toBe(false);
    await bucket.acquire();
    expect(clock.now() - start).toBeGreaterThanOrEqual(2000);
  });

  test("the provider's headers lower the rate and empty the bucket at remaining 0, never raise it", () => {
    const clock = virtualClock();
    const bucket = new TokenBucket({ perSecond: 5, clock });
    bucket.observe({ limit: 2 });
    expect(bucket.perSecond).toBe(2);
    bucket.observe({ limit: 50 });
    expect(bucket.perSecond).toBe(5);
    bucket.observe({ remaining: 0, resetSeconds: 1 });
    expect(bucket.tryAcquire()).toBe(false);
  });

  test("remaining 0 empties the bucket without pausing it: the next token comes at the normal pace", async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket({ perSecond: 5, burst: 3, clock });
    bucket.observe({ remaining: 0, resetSeconds: 1 });
    const start = clock.now();
    await bucket.acquire();
    expect(clock.now() - start).toBe(200);
  });

  test("an aborted waiter leaves the queue with the signal's reason", async () => {
    const bucket = new TokenBucket({ perSecond: 1 });
    expect(bucket.tryAcquire()).toBe(true);
    const controller = new AbortController();
    const waiting = bucket.acquire(controller.signal);
    controller.abort(new Error("shutting down"));
    await expect(waiting).rejects.toThrow("shutting down");
  });

  test("a served waiter removes its abort listener from a long-lived signal", async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket({ perSecond: 5, clock });
    const { signal } = new AbortController();
    const listening = new Set<unknown>();
    type Listen = (
      type: string,
      listener: EventListenerOrEventListenerObject,
      options?: boolean | AddEventListenerOptions,
    ) => void;
    const add: Listen = signal.addEventListener.bind(signal);
    const remove: Listen = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((type, listener, options) => {
      listening.add(listener);
      add(type, listener, options);
    }) as Listen;
    signal.removeEventListener = ((type, listener, options) => {
      listening.delete(listener);
      remove(type, listener, options);
    }) as Listen;
    await Promise.all(Array.from({ length: 8 }, () => bucket.acquire(signal)));
    expect(clock.sleeps.length).toBeGreaterThan(0);
    expect(listening.size).toBe(0);
  });

  test("rejects nonsense settings", () => {
    expect(() => new TokenBucket({ perSecond: 0 })).toThrow(RangeError);
    expect(() => new TokenBucket({ burst: 0.5 })).toThrow(RangeError);
  });
});
