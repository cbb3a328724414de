import { ChannelClosedError, completedTwice } from "./errors.ts";
import type { ChannelState } from "./state.ts";

/** The producing side of a channel (.NET's ChannelWriter<T>). */
export class ChannelWriter<T> {
  readonly #state: ChannelState<T>;

  /** @internal Channels create their writer; use `createChannel`. */
  constructor(state: ChannelState<T>) {
    this.#state = state;
  }

  /**
   * Adds the item, waiting while the channel is full in "wait" mode. Rejects with the signal's reason
   * if it aborts first (the item is not added), and with ChannelClosedError once completed.
   * Hot producers should write `if (!writer.tryWrite(x)) await writer.write(x)`: one await only when full.
   */
  write(item: T, options?: { signal?: AbortSignal }): Promise<void> {
    return this.#state.write(item, options?.signal);
  }

  /**
   * Adds the item if it fits now. False when full in "wait" mode (also while blocked writers are
   * queued, so they are not overtaken) and after completion; drop modes always return true.
   */
  tryWrite(item: T): boolean {
    return this.#state.tryWrite(item);
  }

  /** Resolves true once a write would not wait, false once the channel is completed. */
  waitToWrite(signal?: AbortSignal): Promise<boolean> {
    return this.#state.waitToWrite(signal);
  }

  /**
   * No more items: blocked writers reject, readers get what is buffered and then end. An `error`
   * makes readers' loops and `completion` reject with it. Throws ChannelClosedError if already completed.
   */
  complete(error?: unknown): void {
    if (!this.#state.tryComplete(error)) throw new ChannelClosedError(completedTwice);
  }

  /** As `complete`, returning false instead of throwing when already completed. */
  tryComplete(error?: unknown): boolean {
    return this.#state.tryComplete(error);
  }
}
