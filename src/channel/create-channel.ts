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
 * Creates a bounded channel (`capacity` given) or an unbounded one, with .NET's BoundedChannel
 * semantics. Throws RangeError/TypeError naming the option when an option is invalid.
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
