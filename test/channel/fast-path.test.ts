import { describe, expect, test } from "bun:test";
import { createChannel, NO_ITEM } from "../../src/channel/index.ts";

function drain<T>(reader: { tryRead(): T | typeof NO_ITEM }): T[] {
  const out: T[] = [];
  for (let x = reader.tryRead(); x !== NO_ITEM; x = reader.tryRead()) out.push(x);
  return out;
}

// tryWrite into a non-empty buffer checks one gate (`room`); these pin down every state that must close it.
describe("the tryWrite fast path", () => {
  test("is closed by completion even while the buffer holds items", () => {
    const ch = createChannel<number>({ capacity: 4 });
    expect(ch.writer.tryWrite(1)).toBe(true);
    ch.writer.complete();
    expect(ch.writer.tryWrite(2)).toBe(false);
    expect(drain(ch.reader)).toEqual([1]);
  });

  test("is closed while a writer is blocked, and reopens when that writer aborts", async () => {
    const ch = createChannel<number>({ capacity: 2 });
    ch.writer.tryWrite(1);
    ch.writer.tryWrite(2);
    const abort = new AbortController();
    const blocked = ch.writer.write(3, { signal: abort.signal });
    expect(ch.reader.tryRead()).toBe(1);
    expect(ch.writer.tryWrite(4)).toBe(false);
    abort.abort();
    await expect(blocked).rejects.toThrow();
    expect(ch.writer.tryWrite(4)).toBe(true);
    expect(drain(ch.reader)).toEqual([2, 4]);
  });

  test("reopens once released writers have moved into the drained buffer", async () => {
    const ch = createChannel<number>({ capacity: 2 });
    ch.writer.tryWrite(1);
    ch.writer.tryWrite(2);
    const released = ch.writer.write(3);
    expect(drain(ch.reader)).toEqual([1, 2, 3]);
    await released;
    expect(ch.writer.tryWrite(4)).toBe(true);
    expect(ch.writer.tryWrite(5)).toBe(true);
    expect(ch.writer.tryWrite(6)).toBe(false);
    expect(drain(ch.reader)).toEqual([4, 5]);
  });

  test("grows the ring up to a large bound and stops exactly at it", () => {
    const ch = createChannel<number>({ capacity: 1000 });
    for (let i = 0; i < 1000; i++) expect(ch.writer.tryWrite(i)).toBe(true);
    expect(ch.writer.tryWrite(1000)).toBe(false);
    expect(drain(ch.reader)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  test("readBatch returns a dense array of exactly the items taken, across the wrap", async () => {
    const ch = createChannel<number>({ capacity: 8 });
    for (let i = 0; i < 6; i++) ch.writer.tryWrite(i);
    expect(drain(ch.reader)).toHaveLength(6);
    for (let i = 0; i < 8; i++) ch.writer.tryWrite(i);
    const released = ch.writer.write(8);
    const batch = await ch.reader.readBatch(20);
    await released;
    expect(batch).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Object.keys(batch)).toHaveLength(batch.length);
  });
});
