/**
 * The channel was completed: a write after `complete()`, a read after completion and drain, a second
 * `complete()`, or a writer still blocked when the channel completed. `cause` carries the error the
 * channel was completed with, if any.
 */
export class ChannelClosedError extends Error {
  override name = "ChannelClosedError";
}

export const writeAfterCompletion =
  "Cannot write: the channel was completed. Writers must stop once complete() was called; tryWrite() tests without throwing.";
export const readAfterDrain =
  "Cannot read: the channel is completed and every item was read. End loops with for await or waitToRead() instead of catching this.";
export const completedTwice =
  "The channel was already completed. When more than one party may complete it, call tryComplete() instead.";
