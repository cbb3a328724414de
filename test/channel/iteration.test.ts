import { describe, expect, test } from "bun:test";
import { createChannel } from "../../src/channel/index.ts";

describe("async iteration", () => {
  test("for await yields every item in order and ends at completion", async () => {
    const ch = createChannel<number>({ capacity: 3 });
    const producer = (async () => {
      for (let i = 0; i < 100; i++) if (!ch.writer.tryWrite(i)) await ch.writer.write(i);
      ch.writer.complete();
    })();
    const seen: number[] = [];
    for await (const x of ch.reader) seen.push(x);
    await producer;
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  test("an early break does not complete the channel or lose the next item", async () => {
    const ch = createChannel<number>({ capacity: 10 });
    for (let i = 1; i <= 5; i++) ch.writer.tryWrite(i);
    for await (const x of ch.reader) {
      if (x === 2) break;
    }
    expect(ch.writer.tryWrite(6)).toBe(true);
    const rest: number[] = [];
    for await (const x of ch.reader) {
      rest.push(x);
      if (x === 6) break;
    }
    expect(rest).toEqual([3, 4, 5, 6]);
  });

  test("a break while waiting elsewhere leaves items for the next loop", async () => {
    const ch = createChannel<string>();
    const first = (async () => {
      for await (const x of ch.reader) return x;
      return "ended";
    })();
    ch.writer.tryWrite("a");
    ch.writer.tryWrite("b");
    expect(await first).toBe("a");
    expect(ch.reader.tryRead()).toBe("b");
  });

  test("return() on an iterator with a pending next() ends it without taking an item", async () => {
    const ch = createChannel<number>();
    const iterator = ch.reader.readAll();
    const pending = iterator.next();
    expect(await iterator.return?.()).toEqual({ value: undefined, done: true });
    expect(await pending).toEqual({ value: undefined, done: true });
    ch.writer.tryWrite(1);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(ch.reader.tryRead()).toBe(1);
  });

  test("overlapping next() calls on one iterator each get their own item", async () => {
    const ch = createChannel<number>();
    const iterator = ch.reader.readAll();
    const a = iterator.next();
    const b = iterator.next();
    ch.writer.tryWrite(1);
    ch.writer.tryWrite(2);
    expect(await a).toEqual({ value: 1, done: false });
    expect(await b).toEqual({ value: 2, done: false });
  });

  test("several loops share the items, each item to exactly one loop", async () => {
    const ch = createChannel<number>({ capacity: 4 });
    const loops = [0, 1, 2].map(async () => {
      const got: number[] = [];
      for await (const x of ch.reader) {
        got.push(x);
        await Bun.sleep(0);
      }
      return got;
    });
    for (let i = 0; i < 300; i++) await ch.writer.write(i);
    ch.writer.complete();
    const all = (await Promise.all(loops)).flat().sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });
});
