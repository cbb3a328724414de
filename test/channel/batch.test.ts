import { describe, expect, test } from "bun:test";
import { createChannel, NO_ITEM } from "../../src/channel/index.ts";

describe("batch reads", () => {
  test("readBatch takes up to max buffered items in order", async () => {
    const ch = createChannel<number>({ capacity: 10 });
    for (let i = 0; i < 7; i++) ch.writer.tryWrite(i);
    expect(await ch.reader.readBatch(5)).toEqual([0, 1, 2, 3, 4]);
    expect(await ch.reader.readBatch(5)).toEqual([5, 6]);
  });

  test("readBatch waits for the first item, then resolves [] once completed and drained", async () => {
    const ch = createChannel<string>();
    const batch = ch.reader.readBatch(3);
    ch.writer.tryWrite("a");
    ch.writer.tryWrite("b");
    expect(await batch).toEqual(["a", "b"]);
    ch.writer.complete();
    expect(await ch.reader.readBatch(3)).toEqual([]);
  });

  test("readBatch includes the items of writers released during the drain, in order", async () => {
    const ch = createChannel<number>({ capacity: 2 });
    ch.writer.tryWrite(1);
    ch.writer.tryWrite(2);
    const blocked = [ch.writer.write(3), ch.writer.write(4)];
    expect(await ch.reader.readBatch(10)).toEqual([1, 2, 3, 4]);
    await Promise.all(blocked);
  });

  test("an aborted pending readBatch consumes nothing", async () => {
    const ch = createChannel<number>();
    const controller = new AbortController();
    const batch = ch.reader.readBatch(10, controller.signal);
    controller.abort();
    await expect(batch).rejects.toThrow();
    ch.writer.tryWrite(1);
    expect(ch.reader.tryRead()).toBe(1);
  });

  test("max must be a positive integer", () => {
    const ch = createChannel<number>();
    expect(() => ch.reader.readBatch(0)).toThrow(RangeError);
    expect(() => ch.reader.readBatch(1.5)).toThrow(/max/);
  });

  test("the waitToRead/tryRead drain loop reads everything with one await per batch", async () => {
    const ch = createChannel<number>({ capacity: 64 });
    const producer = (async () => {
      for (let i = 0; i < 10_000; i++) if (!ch.writer.tryWrite(i)) await ch.writer.write(i);
      ch.writer.complete();
    })();
    let expected = 0;
    let awaits = 0;
    while (await ch.reader.waitToRead()) {
      awaits++;
      for (let x = ch.reader.tryRead(); x !== NO_ITEM; x = ch.reader.tryRead()) expect(x).toBe(expected++);
    }
    await producer;
    expect(expected).toBe(10_000);
    expect(awaits).toBeLessThan(10_000 / 32);
  });
});
