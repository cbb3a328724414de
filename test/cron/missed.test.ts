import { describe, expect, test } from "bun:test";
import { selectTicks } from "../../src/cron/missed.ts";

const minute = 60_000;

describe("selectTicks", () => {
  test("a tick noticed within the tolerance runs, whatever the policy", () => {
    expect(selectTicks([1_000], 1_000, "skip", minute)).toEqual([1_000]);
    expect(selectTicks([1_000], 1_000 + minute, "skip", minute)).toEqual([1_000]);
  });

  test("a tick noticed later than the tolerance is missed", () => {
    expect(selectTicks([1_000], 1_001 + minute, "skip", minute)).toEqual([]);
    expect(selectTicks([1_000], 1_001 + minute, "run-once", minute)).toEqual([1_000]);
  });

  test("earlier due ticks were overtaken, so they are missed even when the latest is on time", () => {
    expect(selectTicks([1, 2, 3], 3, "skip", minute)).toEqual([3]);
    expect(selectTicks([1, 2, 3], 3, "run-once", minute)).toEqual([2, 3]);
    expect(selectTicks([1, 2, 3], 3, { catchUp: 5 }, minute)).toEqual([1, 2, 3]);
  });

  test("catchUp takes the latest n missed ticks, oldest first", () => {
    expect(selectTicks([10, 20, 30, 40], 10 * minute, { catchUp: 2 }, minute)).toEqual([30, 40]);
  });

  test("nothing due, nothing selected", () => {
    expect(selectTicks([], 5, "run-once", minute)).toEqual([]);
  });
});
