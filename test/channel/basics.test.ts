import { describe, expect, test } from "bun:test";
import { createChannel, NO_ITEM } from "../../src/channel/index.ts";

describe("reading and writing", () => {
  test("FIFO through the buffer, across ring wrap-around and growth", async () => {
    const ch = createChannel<number>({ capacity: 100 });
    const seen: number[] = [];
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 37; i++) expect(ch.writer.tryWrite(round * 37 + i)).toBe(true);
      for (let i = 0; i < 37; i++) seen.push(await ch.reader.read());
    }
    expect(seen).toEqual(Array.from({ length: 740 }, (_, i) => i));
  });

  test("a write hands its item straight to a waiting reader, first reader first", async () => {
    const ch = createChannel<string>({ capacity: 1 });
    const first = ch.reader.read();
    const second = ch.reader.read();
    ch.writer.tryWrite("a");
    ch.writer.tryWrite("b");
    expect(await first).toBe("a");
    expect(await second).toBe("b");
    expect(ch.reader.count).toBe(0);
  });

  test("tryRead and tryPeek tell an undefined item from an empty channel", () => {
    const ch = createChannel<number | undefined>({ capacity: 4 });
    expect(ch.reader.tryRead()).toBe(NO_ITEM);
    expect(ch.reader.tryPeek()).toBe(NO_ITEM);
    ch.writer.tryWrite(undefined);
    ch.writer.tryWrite(2);
    expect(ch.reader.tryPeek()).toBeUndefined();
    expect(ch.reader.count).toBe(2);
    expect(ch.reader.tryRead()).toBeUndefined();
    expect(ch.reader.tryRead()).toBe(2);
    expect(ch.reader.tryRead()).toBe(NO_ITEM);
  });

  test("tryRead narrows to T once NO_ITEM is excluded", () => {
    const ch = createChannel<{ id: number }>();
    ch.writer.tryWrite({ id: 7 });
    const item = ch.reader.tryRead();
    expect(item === NO_ITEM ? -1 : item.id).toBe(7);
  });

  test("count tracks buffered items; capacity is fixed", () => {
    const ch = createChannel<number>({ capacity: 3 });
    expect(ch.writer.tryWrite(1)).toBe(true);
    expect(ch.writer.tryWrite(2)).toBe(true);
    expect(ch.reader.count).toBe(2);
    expect(ch.writer.tryWrite(3)).toBe(true);
    expect(ch.writer.tryWrite(4)).toBe(false);
    expect(ch.reader.count).toBe(3);
    expect(ch.capacity).toBe(3);
  });

  test("waitToRead resolves true when an item arrives and takes nothing", async () => {
    const ch = createChannel<number>();
    const waiting = ch.reader.waitToRead();
    ch.writer.tryWrite(1);
    expect(await waiting).toBe(true);
    expect(ch.reader.count).toBe(1);
    expect(await ch.reader.waitToRead()).toBe(true);
  });

  test("waitToWrite waits while full, resolves once the buffer drains", async () => {
    const ch = createChannel<number>({ capacity: 2 });
    ch.writer.tryWrite(1);
    ch.writer.tryWrite(2);
    let resolved = false;
    const waiting = ch.writer.waitToWrite().then((ok) => ((resolved = true), ok));
    ch.reader.tryRead();
    await Promise.resolve();
    expect(resolved).toBe(false);
    ch.reader.tryRead();
    expect(await waiting).toBe(true);
    expect(await ch.writer.waitToWrite()).toBe(true);
  });

  test("reader and writer are separate objects exposing only their side", () => {
    const ch = createChannel<number>();
    expect(ch.reader as object).not.toBe(ch.writer);
    expect("write" in ch.reader).toBe(false);
    expect("read" in ch.writer).toBe(false);
  });
});
