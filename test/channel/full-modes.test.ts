import { describe, expect, test } from "bun:test";
import { createChannel, NO_ITEM } from "../../src/channel/index.ts";

function drain<T>(ch: { reader: { tryRead(): T | typeof NO_ITEM } }): T[] {
  const out: T[] = [];
  for (let item = ch.reader.tryRead(); item !== NO_ITEM; item = ch.reader.tryRead()) out.push(item);
  return out;
}

describe("full modes", () => {
  test("wait: blocked writers are released in FIFO order as readers drain, with their items in order", async () => {
    const ch = createChannel<string>({ capacity: 2 });
    ch.writer.tryWrite("a");
    ch.writer.tryWrite("b");
    const released: string[] = [];
    const writers = ["c", "d", "e"].map((item) => ch.writer.write(item).then(() => released.push(item)));
    expect(ch.writer.tryWrite("late")).toBe(false);
    const read: string[] = [];
    for (let i = 0; i < 5; i++) read.push(await ch.reader.read());
    await Promise.all(writers);
    expect(read).toEqual(["a", "b", "c", "d", "e"]);
    expect(released).toEqual(["c", "d", "e"]);
  });

  test("wait: tryWrite refuses while writers wait even if a slot is free, so nobody overtakes them", async () => {
    const ch = createChannel<number>({ capacity: 2 });
    ch.writer.tryWrite(1);
    ch.writer.tryWrite(2);
    const blocked = ch.writer.write(3);
    expect(await ch.reader.read()).toBe(1);
    expect(ch.reader.count).toBe(1);
    expect(ch.writer.tryWrite(4)).toBe(false);
    expect(await ch.reader.read()).toBe(2);
    await blocked;
    expect(ch.writer.tryWrite(4)).toBe(true);
    expect(drain(ch)).toEqual([3, 4]);
  });

  test("wait: a blocked writer's item never counts against capacity", async () => {
    const ch = createChannel<number>({ capacity: 1 });
    ch.writer.tryWrite(1);
    const pending = [ch.writer.write(2), ch.writer.write(3)];
    expect(ch.reader.count).toBe(1);
    expect(await ch.reader.read()).toBe(1);
    expect(ch.reader.count).toBe(1);
    expect(await ch.reader.read()).toBe(2);
    expect(await ch.reader.read()).toBe(3);
    await Promise.all(pending);
  });

  test("drop-oldest: never blocks; onDropped receives exactly the oldest item", async () => {
    const dropped: number[] = [];
    const ch = createChannel<number>({ capacity: 3, fullMode: "drop-oldest", onDropped: (x) => dropped.push(x) });
    for (let i = 1; i <= 5; i++) expect(ch.writer.tryWrite(i)).toBe(true);
    await ch.writer.write(6);
    expect(dropped).toEqual([1, 2, 3]);
    expect(drain(ch)).toEqual([4, 5, 6]);
  });

  test("drop-newest: never blocks; onDropped receives exactly the newest buffered item", async () => {
    const dropped: number[] = [];
    const ch = createChannel<number>({ capacity: 3, fullMode: "drop-newest", onDropped: (x) => dropped.push(x) });
    for (let i = 1; i <= 5; i++) expect(ch.writer.tryWrite(i)).toBe(true);
    await ch.writer.write(6);
    expect(dropped).toEqual([3, 4, 5]);
    expect(drain(ch)).toEqual([1, 2, 6]);
  });

  test("drop-write: never blocks; onDropped receives exactly the item being written", async () => {
    const dropped: number[] = [];
    const ch = createChannel<number>({ capacity: 3, fullMode: "drop-write", onDropped: (x) => dropped.push(x) });
    for (let i = 1; i <= 5; i++) expect(ch.writer.tryWrite(i)).toBe(true);
    await ch.writer.write(6);
    expect(dropped).toEqual([4, 5, 6]);
    expect(drain(ch)).toEqual([1, 2, 3]);
  });

  test("drop modes still hand items to waiting readers first and never drop below capacity", async () => {
    const dropped: number[] = [];
    const ch = createChannel<number>({ capacity: 1, fullMode: "drop-oldest", onDropped: (x) => dropped.push(x) });
    const reading = ch.reader.read();
    ch.writer.tryWrite(1);
    ch.writer.tryWrite(2);
    expect(await reading).toBe(1);
    expect(dropped).toEqual([]);
    expect(await ch.writer.waitToWrite()).toBe(true);
  });

  test("a throwing onDropped still leaves the new item buffered", () => {
    const ch = createChannel<number>({
      capacity: 1,
      fullMode: "drop-oldest",
      onDropped: () => {
        throw new Error("observer failed");
      },
    });
    ch.writer.tryWrite(1);
    expect(() => ch.writer.tryWrite(2)).toThrow("observer failed");
    expect(drain(ch)).toEqual([2]);
  });
});
