import { ChannelIterator } from "./iterator.ts";
import type { ChannelState, NoItem } from "./state.ts";
import { NO_ITEM } from "./state.ts";

/** The consuming side of a channel (.NET's ChannelReader<T>). */
export class ChannelReader<T> implements AsyncIterable<T> {
  readonly #state: ChannelState<T>;

  /** @internal Channels create their reader; use `createChannel`. */
  constructor(state: ChannelState<T>) {
    this.#state = state;
  }

  /** Items buffered now (not counting writers blocked with their item). */
  get count(): number {
    return this.#state.size;
  }

  /** Resolves once the channel is completed and drained; rejects with the error it was completed with. */
  get completion(): Promise<void> {
    return this.#state.completion;
  }

  /**
   * The next item, waiting while the channel is empty. Rejects with the signal's reason if it aborts
   * first (consuming nothing), and with ChannelClosedError once completed and drained.
   */
  read(signal?: AbortSignal): Promise<T> {
    return this.#state.read(signal);
  }

  /** The next item if one is buffered, else `NO_ITEM`; never waits, never allocates. */
  tryRead(): T | NoItem {
    return this.#state.tryRead();
  }

  /** The next item without taking it, else `NO_ITEM`. */
  tryPeek(): T | NoItem {
    const state = this.#state;
    return state.size > 0 ? state.peek() : NO_ITEM;
  }

  /**
   * Resolves true once an item is available (without taking it), false once the channel is completed
   * and drained; rejects with the completion error if it was completed with one.
   */
  waitToRead(signal?: AbortSignal): Promise<boolean> {
    return this.#state.waitToRead(signal);
  }

  /**
   * Up to `max` items at once, waiting for the first: one await per batch instead of per item.
   * Resolves `[]` once completed and drained; rejects with the completion error if there was one.
   */
  readBatch(max: number, signal?: AbortSignal): Promise<T[]> {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`readBatch max must be a positive integer, got ${max}`);
    const state = this.#state;
    if (state.size > 0 && (signal === undefined || !signal.aborted)) return Promise.resolve(state.takeBatch(max));
    return this.#waitForBatch(max, signal);
  }

  /** Every item until the channel completes; the signal ends the loop by rejecting its pending `next()`. */
  readAll(signal?: AbortSignal): AsyncIterableIterator<T> {
    return new ChannelIterator(this.#state, signal);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return new ChannelIterator(this.#state, undefined);
  }

  async #waitForBatch(max: number, signal: AbortSignal | undefined): Promise<T[]> {
    while (await this.#state.waitToRead(signal)) {
      // Another reader may have taken the items between the wake-up and now: wait again.
      if (this.#state.size > 0) return this.#state.takeBatch(max);
    }
    return [];
  }
}
