import { describe, expect, test } from "bun:test";
import { FakeClock } from "../../src/clock/index.ts";

function record(clock: FakeClock, log: string[], label: string, ms: number, signal?: AbortSignal): Promise<void> {
  return clock.sleep(ms, signal).then(
    () => void log.push(`${label}@${clock.now()}`),
    () => void log.push(`${label} aborted@${clock.now()}`),
  );
}

describe("FakeClock", () => {
  test("starts at the given time and stands still until told", async () => {
    const clock = new FakeClock(new Date("2026-01-01T00:00:00Z"));
    expect(clock.now()).toBe(Date.parse("2026-01-01T00:00:00Z"));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(clock.now()).toBe(Date.parse("2026-01-01T00:00:00Z"));
  });

  test("advance wakes sleepers in time order, each at its own due time, and stops at the target", async () => {
    const clock = new FakeClock(1_000);
    const log: string[] = [];
    void record(clock, log, "c", 300);
    void record(clock, log, "a", 100);
    void record(clock, log, "b", 200);
    void record(clock, log, "late", 900);

    await clock.advance(500);

    expect(log).toEqual(["a@1100", "b@1200", "c@1300"]);
    expect(clock.now()).toBe(1_500);
    expect(clock.sleeping).toBe(1);
    expect(clock.nextWakeAt).toBe(1_900);
  });

  test("sleepers due at the same instant wake in the order they went to sleep", async () => {
    const clock = new FakeClock();
    const log: string[] = [];
    void record(clock, log, "first", 50);
    void record(clock, log, "second", 50);
    await clock.advance(50);
    expect(log).toEqual(["first@50", "second@50"]);
  });

  test("a sleeper that sleeps again after waking is woken again within the same advance", async () => {
    const clock = new FakeClock();
    const wakes: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 5; i++) {
        await clock.sleep(10);
        wakes.push(clock.now());
      }
    })();
    await clock.advance(100);
    await loop;
    expect(wakes).toEqual([10, 20, 30, 40, 50]);
  });

  test("jump wakes every overdue sleeper late, at the new time, as after a suspend", async () => {
    const clock = new FakeClock();
    const log: string[] = [];
    void record(clock, log, "a", 100);
    void record(clock, log, "b", 5_000);
    void record(clock, log, "c", 20_000);

    await clock.jump(10_000);

    expect(log).toEqual(["a@10000", "b@10000"]);
    expect(clock.sleeping).toBe(1);
  });

  test("tick moves to the next sleeper and wakes it; false when nobody sleeps", async () => {
    const clock = new FakeClock();
    const log: string[] = [];
    void record(clock, log, "a", 70);
    expect(await clock.tick()).toBe(true);
    expect(log).toEqual(["a@70"]);
    expect(await clock.tick()).toBe(false);
    expect(clock.now()).toBe(70);
  });

  test("an aborted sleep rejects with the reason and is forgotten", async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const sleep = clock.sleep(100, controller.signal);
    controller.abort(new Error("stopping"));
    expect(sleep).rejects.toThrow("stopping");
    expect(clock.sleeping).toBe(0);
    expect(clock.sleep(100, controller.signal)).rejects.toThrow("stopping");
  });

  test("untilSleeping resolves once enough sleepers wait", async () => {
    const clock = new FakeClock();
    let resolved = false;
    const waiting = clock.untilSleeping(2).then(() => (resolved = true));
    void clock.sleep(10);
    await Promise.resolve();
    expect(resolved).toBe(false);
    void clock.sleep(20);
    await waiting;
    expect(resolved).toBe(true);
  });

  test("zero and negative sleeps wake at the next advance without moving time", async () => {
    const clock = new FakeClock(500);
    const log: string[] = [];
    void record(clock, log, "zero", 0);
    void record(clock, log, "negative", -10);
    await clock.advance(0);
    expect(log).toEqual(["zero@500", "negative@500"]);
  });
});
