import { describe, expect, test } from "bun:test";
import { ChannelClosedError, createChannel } from "../../src/channel/index.ts";

describe("completion", () => {
  test("pending readers of an empty channel are released when it completes", async () => {
    const ch = createChannel<number>();
    const read = ch.reader.read();
    const waiting = ch.reader.waitToRead();
    const next = ch.reader[Symbol.asyncIterator]().next();
    ch.writer.complete();
    await expect(read).rejects.toBeInstanceOf(ChannelClosedError);
    expect(await waiting).toBe(false);
    expect(await next).toEqual({ value: undefined, done: true });
  });

  test("buffered items are still delivered; completion settles only after the drain", async () => {
    const ch = createChannel<number>({ capacity: 4 });
    ch.writer.tryWrite(1);
    ch.writer.tryWrite(2);
    ch.writer.complete();
    let settled = false;
    const completion = ch.reader.completion.then(() => (settled = true));
    expect(await ch.reader.read()).toBe(1);
    await Bun.sleep(0);
    expect(settled).toBe(false);
    expect(await ch.reader.waitToRead()).toBe(true);
    expect(await ch.reader.read()).toBe(2);
    await completion;
    expect(settled).toBe(true);
    expect(await ch.reader.waitToRead()).toBe(false);
  });

  test("pending writers reject with ChannelClosedError and their items are not added", async () => {
    const ch = createChannel<number>({ capacity: 1 });
    ch.writer.tryWrite(1);
    const blocked = ch.writer.write(2);
    const waitingToWrite = ch.writer.waitToWrite();
    ch.writer.complete();
    await expect(blocked).rejects.toBeInstanceOf(ChannelClosedError);
    expect(await waitingToWrite).toBe(false);
    expect(await ch.reader.read()).toBe(1);
    await expect(ch.reader.read()).rejects.toBeInstanceOf(ChannelClosedError);
  });

  test("writes after completion fail: write rejects, tryWrite is false, waitToWrite is false", async () => {
    const ch = createChannel<number>();
    ch.writer.complete();
    await expect(ch.writer.write(1)).rejects.toThrow(/channel was completed/);
    expect(ch.writer.tryWrite(1)).toBe(false);
    expect(await ch.writer.waitToWrite()).toBe(false);
  });

  test("complete twice throws ChannelClosedError; tryComplete returns false", () => {
    const ch = createChannel<number>();
    expect(ch.writer.tryComplete()).toBe(true);
    expect(ch.writer.tryComplete()).toBe(false);
    expect(() => ch.writer.complete()).toThrow(ChannelClosedError);
  });

  test("completing with an error: read carries it as cause, loops and completion reject with it", async () => {
    const ch = createChannel<number>();
    const failure = new Error("producer crashed");
    ch.writer.tryWrite(1);
    ch.writer.complete(failure);
    const seen: number[] = [];
    const loop = (async () => {
      for await (const x of ch.reader) seen.push(x);
    })();
    await expect(loop).rejects.toBe(failure);
    expect(seen).toEqual([1]);
    const readError = await ch.reader.read().catch((e: unknown) => e);
    expect(readError).toBeInstanceOf(ChannelClosedError);
    expect((readError as Error).cause).toBe(failure);
    await expect(ch.reader.completion).rejects.toBe(failure);
    await expect(ch.reader.waitToRead()).rejects.toBe(failure);
    await expect(ch.reader.readBatch(5)).rejects.toBe(failure);
    await expect(ch.writer.write(2)).rejects.toHaveProperty("cause", failure);
  });

  test("an error-completed channel whose completion nobody asked for raises no unhandled rejection", async () => {
    const ch = createChannel<number>();
    ch.writer.complete(new Error("nobody listens"));
    await Bun.sleep(1);
    expect(ch.reader.count).toBe(0);
  });

  test("completion asked for before completing resolves after the drain", async () => {
    const ch = createChannel<string>();
    const completion = ch.reader.completion;
    ch.writer.tryWrite("last");
    ch.writer.complete();
    expect(ch.reader.tryRead()).toBe("last");
    await completion;
  });
});
