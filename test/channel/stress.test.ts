import { describe, expect, test } from "bun:test";
import { createChannel, NO_ITEM } from "../../src/channel/index.ts";

describe("stress", () => {
  test("8 writers x 50k items, 3 readers: nothing lost, nothing duplicated, each writer's items in order", async () => {
    const writers = 8;
    const perWriter = 50_000;
    const ch = createChannel<number>({ capacity: 100 });
    const producers = Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < perWriter; i++) {
        const item = w * perWriter + i;
        // Mix the three write styles so every path runs concurrently.
        if (i % 3 === 0) await ch.writer.write(item);
        else if (!ch.writer.tryWrite(item)) await ch.writer.write(item);
        if (i % 1000 === 0) await Bun.sleep(0);
      }
    });
    const readers = [
      (async () => {
        const got: number[] = [];
        for await (const x of ch.reader) got.push(x);
        return got;
      })(),
      (async () => {
        const got: number[] = [];
        for (let batch = await ch.reader.readBatch(64); batch.length > 0; batch = await ch.reader.readBatch(64))
          got.push(...batch);
        return got;
      })(),
      (async () => {
        const got: number[] = [];
        while (await ch.reader.waitToRead()) {
          const x = ch.reader.tryRead();
          if (x !== NO_ITEM) got.push(x);
          if (got.length % 500 === 0) await Bun.sleep(0);
        }
        return got;
      })(),
    ];
    await Promise.all(producers);
    ch.writer.complete();
    const results = await Promise.all(readers);
    const seen = new Uint8Array(writers * perWriter);
    let outOfOrder = 0;
    for (const got of results) {
      const lastPerWriter = new Array<number>(writers).fill(-1);
      for (const x of got) {
        seen[x] = (seen[x] ?? 0) + 1;
        const w = Math.floor(x / perWriter);
        // FIFO: each reader sees any one writer's items in increasing order.
        if (x <= (lastPerWriter[w] ?? -1)) outOfOrder++;
        lastPerWriter[w] = x;
      }
    }
    expect(outOfOrder).toBe(0);
    expect(results.reduce((n, got) => n + got.length, 0)).toBe(writers * perWriter);
    expect(seen.every((n) => n === 1)).toBe(true);
    expect(results.every((got) => got.length > 0)).toBe(true);
  }, 30_000);

  test("memory stays flat under a slow consumer: 1e6 writes into capacity 500 never buffer more than 500", async () => {
    const capacity = 500;
    const ch = createChannel<number>({ capacity });
    let maxCount = 0;
    let blockedWrites = 0;
    const producer = (async () => {
      for (let i = 0; i < 1_000_000; i++) {
        if (!ch.writer.tryWrite(i)) {
          blockedWrites++;
          await ch.writer.write(i);
        }
        if (ch.reader.count > maxCount) maxCount = ch.reader.count;
      }
      ch.writer.complete();
    })();
    let received = 0;
    let expected = 0;
    let mismatches = 0;
    for await (const x of ch.reader) {
      if (x !== expected++) mismatches++;
      received++;
      // The slow consumer: yields to the producer every item.
      if (received % 7 === 0) await Promise.resolve();
    }
    await producer;
    expect(received).toBe(1_000_000);
    expect(mismatches).toBe(0);
    expect(maxCount).toBe(capacity);
    expect(blockedWrites).toBeGreaterThan(0);
  }, 30_000);
});
