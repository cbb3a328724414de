import { describe, expect, test } from "bun:test";
import { type ChannelOptions, createChannel } from "../../src/channel/index.ts";

describe("createChannel options", () => {
  test("no capacity is unbounded", () => {
    const ch = createChannel<number>();
    expect(ch.capacity).toBe(Infinity);
    for (let i = 0; i < 10_000; i++) expect(ch.writer.tryWrite(i)).toBe(true);
    expect(ch.reader.count).toBe(10_000);
  });

  test("defaults: wait mode, not single reader or writer", () => {
    const ch = createChannel<number>({ capacity: 3 });
    expect(ch.fullMode).toBe("wait");
    expect(ch.singleReader).toBe(false);
    expect(ch.singleWriter).toBe(false);
  });

  test.each([0, -1, 1.5, Number.NaN, -Infinity])("capacity %p is a RangeError naming capacity", (capacity) => {
    expect(() => createChannel({ capacity })).toThrow(RangeError);
    expect(() => createChannel({ capacity })).toThrow(/capacity/);
  });

  test("a non-number capacity is a TypeError naming capacity", () => {
    const options = { capacity: "10" } as unknown as ChannelOptions<number>;
    expect(() => createChannel(options)).toThrow(TypeError);
    expect(() => createChannel(options)).toThrow(/capacity/);
  });

  test("an unknown full mode is a TypeError naming fullMode and the valid modes", () => {
    const options = { capacity: 1, fullMode: "drop" } as unknown as ChannelOptions<number>;
    expect(() => createChannel(options)).toThrow(TypeError);
    expect(() => createChannel(options)).toThrow(
      /fullMode must be one of "wait", "drop-oldest", "drop-newest", "drop-write"/,
    );
  });

  test("onDropped, singleReader and singleWriter are type-checked by name", () => {
    expect(() => createChannel({ onDropped: 1 } as unknown as ChannelOptions<number>)).toThrow(/onDropped/);
    expect(() => createChannel({ singleReader: "yes" } as unknown as ChannelOptions<number>)).toThrow(/singleReader/);
    expect(() => createChannel({ singleWriter: 1 } as unknown as ChannelOptions<number>)).toThrow(/singleWriter/);
  });

  test("flags are recorded on the channel", () => {
    const ch = createChannel<number>({ capacity: 2, fullMode: "drop-oldest", singleReader: true, singleWriter: true });
    expect([ch.capacity, ch.fullMode, ch.singleReader, ch.singleWriter]).toEqual([2, "drop-oldest", true, true]);
  });
});
