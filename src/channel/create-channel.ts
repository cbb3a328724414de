import { type ChannelOptions, type FullMode, validateOptions } from "./options.ts";
import { ChannelReader } from "./reader.ts";
import { ChannelState } from "./state.ts";
import { ChannelWriter } from "./writer.ts";

/** A channel: one writer side for producers, one reader side for consumers, sharing a buffer. */
export interface Channel<T> {
  readonly reader: ChannelReader<T>;
  readonly writer: ChannelWriter<T>;
  /** Most items buffered at once; Infinity when unbounded. */
  readonly capacity: number;
  readonly fullMode: FullMode;
  readonly singleReader: boolean;
  readonly singleWriter: boolean;
}

/**
 * Creates a channel: bounded when `capacity` is given, unbounded otherwise. Items come out in the
 * order they went in. When a bounded channel is full, `fullMode` decides: "wait" makes `write` wait
 * for room (blocked writers go in the order they arrived) and `tryWrite` return false; the drop modes
 * accept the write and discard the oldest buffered item, the newest buffered item, or the item being
 * written, handing it to `onDropped`. After `writer.complete()` readers drain what is buffered, then
 * end. Throws RangeError/TypeError naming the option when an option is invalid.
 */
export function createChannel<T>(options: ChannelOptions<T> = {}): Channel<T> {
  const valid = validateOptions(options);
  const state = new ChannelState<T>(valid);
  return Object.freeze({
    reader: new ChannelReader(state),
    writer: new ChannelWriter(state),
    capacity: valid.capacity,
    fullMode: valid.fullMode,
    singleReader: valid.singleReader,
    singleWriter: valid.singleWriter,
  });
}
