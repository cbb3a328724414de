import { describe, expect, test } from "bun:test";
import { createChannel, NO_ITEM } from "../../src/channel/index.ts";
import { countingController } from "./counting-signal.ts";

describe("cancellation", () => {
  test("an aborted pending write rejects with the signal's AbortError and its item is not added", async () => {
    const ch = createChannel<string>({ capacity: 1 });
    ch.writer.tryWrite("a");
    const controller = new AbortController();
    const pending = ch.writer.write("b", { signal: controller.signal });
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe("AbortError");
    expect(ch.reader.tryRead()).toBe("a");
    expect(ch.reader.tryRead()).toBe(NO_ITEM);
  });

  test("an aborted pending write lets the writer queued behind it through, in order", async () => {
    const ch = createChannel<number>({ capacity: 1 });
    ch.writer.tryWrite(1);
    const controller = new AbortController();
    const cancelled = ch.writer.write(2, { signal: controller.signal });
    const kept = ch.writer.write(3);
    controller.abort(new Error("changed my mind"));
    await expect(cancelled).rejects.toThrow("changed my mind");
    expect(await ch.reader.read()).toBe(1);
    await kept;
    expect(await ch.reader.read()).toBe(3);
  });

  test("an aborted pending read rejects with the reason and consumes nothing: the next reader gets the item", async () => {
    const ch = createChannel<string>();
    const controller = new AbortController();
    const reason = new Error("reader left");
    const cancelled = ch.reader.read(controller.signal);
    const next = ch.reader.read();
    controller.abort(reason);
    expect(await cancelled.catch((e: unknown) => e)).toBe(reason);
    ch.writer.tryWrite("x");
    expect(await next).toBe("x");
    expect(ch.reader.count).toBe(0);
  });

  test("an already aborted signal rejects at once, even when the operation could complete", async () => {
    const ch = createChannel<number>({ capacity: 2 });
    ch.writer.tryWrite(1);
    const signal = AbortSignal.abort();
    await expect(ch.writer.write(2, { signal })).rejects.toThrow();
    await expect(ch.reader.read(signal)).rejects.toThrow();
    await expect(ch.reader.waitToRead(signal)).rejects.toThrow();
    await expect(ch.writer.waitToWrite(signal)).rejects.toThrow();
    await expect(ch.reader.readBatch(10, signal)).rejects.toThrow();
    await expect(ch.reader.readAll(signal).next()).rejects.toThrow();
    expect(ch.reader.count).toBe(1);
  });

  test("aborting waitToRead and waitToWrite rejects them and leaves the channel usable", async () => {
    const ch = createChannel<number>({ capacity: 1 });
    const readSide = new AbortController();
    const waitingToRead = ch.reader.waitToRead(readSide.signal);
    readSide.abort();
    await expect(waitingToRead).rejects.toThrow();
    ch.writer.tryWrite(1);
    const writeSide = new AbortController();
    const waitingToWrite = ch.writer.waitToWrite(writeSide.signal);
    writeSide.abort();
    await expect(waitingToWrite).rejects.toThrow();
    expect(ch.reader.tryRead()).toBe(1);
  });

  test("an aborted for await loop over readAll(signal) rejects and loses no item", async () => {
    const ch = createChannel<number>();
    const controller = new AbortController();
    const seen: number[] = [];
    const loop = (async () => {
      for await (const x of ch.reader.readAll(controller.signal)) seen.push(x);
    })();
    ch.writer.tryWrite(1);
    await Bun.sleep(1);
    controller.abort();
    await expect(loop).rejects.toThrow();
    ch.writer.tryWrite(2);
    expect(seen).toEqual([1]);
    expect(ch.reader.tryRead()).toBe(2);
  });

  test("no listener leak over 1e6 blocking operations with one long-lived signal", async () => {
    const { controller, attached, added } = countingController();
    const signal = controller.signal;
    const ch = createChannel<number>({ capacity: 1 });
    let maxAttached = 0;
    let wrong = 0;
    const rounds = 250_000;
    for (let i = 0; i < rounds; i++) {
      // A read that blocks, then is served by a write.
      const read = ch.reader.read(signal);
      maxAttached = Math.max(maxAttached, attached());
      ch.writer.tryWrite(i);
      if ((await read) !== i) wrong++;
      // A write that blocks on a full channel, then is released by a read.
      ch.writer.tryWrite(-1);
      const write = ch.writer.write(i, { signal });
      maxAttached = Math.max(maxAttached, attached());
      ch.reader.tryRead();
      await write;
      // waitToRead and waitToWrite, each blocking once.
      ch.reader.tryRead();
      const waitRead = ch.reader.waitToRead(signal);
      maxAttached = Math.max(maxAttached, attached());
      ch.writer.tryWrite(i);
      if (!(await waitRead)) wrong++;
      const waitWrite = ch.writer.waitToWrite(signal);
      maxAttached = Math.max(maxAttached, attached());
      ch.reader.tryRead();
      if (!(await waitWrite)) wrong++;
    }
    expect(wrong).toBe(0);
    expect(added()).toBe(rounds * 4);
    expect(maxAttached).toBe(1);
    expect(attached()).toBe(0);
  }, 30_000);
});
