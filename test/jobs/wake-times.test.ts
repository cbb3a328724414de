import { expect, test } from "bun:test";
import { WakeTimes } from "../../src/jobs/wake-times.ts";

test("gives the times back in order, dropping those already past, up to its capacity", () => {
  const times = new WakeTimes(5);
  for (const at of [50, 10, 40, 30, 20, 60]) times.add(at);
  expect(times.size).toBe(5); // 60 came beyond the capacity
  expect(times.nextAfter(0)).toBe(10);
  expect(times.nextAfter(10)).toBe(20);
  expect(times.nextAfter(35)).toBe(40);
  expect(times.nextAfter(50)).toBeUndefined();
  const many = new WakeTimes(1000);
  const shuffled = Array.from({ length: 500 }, (_, i) => i).sort(() => Math.random() - 0.5);
  for (const at of shuffled) many.add(at);
  const order: number[] = [];
  for (let now = -1, next = many.nextAfter(now); next !== undefined; now = next, next = many.nextAfter(now))
    order.push(next);
  expect(order).toEqual(Array.from({ length: 500 }, (_, i) => i));
});
