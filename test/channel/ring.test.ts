import { describe, expect, test } from "bun:test";
import { Ring } from "../../src/channel/ring.ts";

function contents<T>(ring: Ring<T>): T[] {
  const out: T[] = [];
  while (ring.size > 0) out.push(ring.shift());
  return out;
}

describe("Ring", () => {
  test("FIFO across wrap-around and growth", () => {
    const ring = new Ring<number>(4);
    ring.push(0);
    ring.push(1);
    ring.push(2);
    expect(ring.shift()).toBe(0);
    for (let i = 3; i < 12; i++) ring.push(i);
    expect(ring.size).toBe(11);
    expect(contents(ring)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  test("pop takes the newest, peek shows the oldest", () => {
    const ring = new Ring<string>(2);
    for (const s of ["a", "b", "c"]) ring.push(s);
    expect(ring.peek()).toBe("a");
    expect(ring.pop()).toBe("c");
    expect(contents(ring)).toEqual(["a", "b"]);
  });

  test("remove takes one occurrence out of the middle, keeping order, also when wrapped", () => {
    const ring = new Ring<number>(4);
    ring.push(-1);
    ring.push(-2);
    ring.shift();
    ring.shift();
    for (const x of [1, 2, 3, 4]) ring.push(x);
    expect(ring.remove(3)).toBe(true);
    expect(ring.remove(9)).toBe(false);
    ring.push(5);
    expect(contents(ring)).toEqual([1, 2, 4, 5]);
  });

  test("a non power-of-two size rounds up", () => {
    const ring = new Ring<number>(3);
    for (let i = 0; i < 4; i++) ring.push(i);
    expect(contents(ring)).toEqual([0, 1, 2, 3]);
  });
});

describe("Ring.moveTo", () => {
  test("moves at most max of the oldest items from index at, in order, across the wrap", () => {
    const ring = new Ring<number>(4);
    ring.push(-1);
    ring.push(-2);
    ring.shift();
    ring.shift();
    for (const x of [1, 2, 3, 4]) ring.push(x);
    const target = [0];
    expect(ring.moveTo(target, 1, 3)).toBe(3);
    expect(target).toEqual([0, 1, 2, 3]);
    expect(ring.size).toBe(1);
    expect(ring.moveTo(target, 4, 10)).toBe(1);
    expect(target).toEqual([0, 1, 2, 3, 4]);
    expect(ring.size).toBe(0);
    ring.push(5);
    expect(ring.shift()).toBe(5);
  });
});
