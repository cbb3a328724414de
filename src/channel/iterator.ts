import type { ChannelState } from "./state.ts";
import { type Completed, ReaderWaiter } from "./waiters.ts";

const doneResult: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * The reader's async iterator, written by hand: an `async function*` would cost a generator frame and
 * extra promise hops per item. `next()` takes a buffered item synchronously and allocates a promise
 * only when it has to wait. `return()` (an early `break`) ends this iterator only: the channel stays
 * open and every item not yet handed to the loop stays in the channel for the next reader.
 */
export class ChannelIterator<T> implements AsyncIterableIterator<T> {
  private finished = false;
  /** One waiter per iterator, reused for every blocking `next()` (a for await has one pending at a time). */
  private readonly waiter = new NextWaiter<T>();
  private extraWaiters: NextWaiter<T>[] | undefined = undefined;

  constructor(
    private readonly state: ChannelState<T>,
    private readonly signal: AbortSignal | undefined,
  ) {}

  next(): Promise<IteratorResult<T>> {
    if (this.finished) return Promise.resolve(doneResult);
    const signal = this.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const state = this.state;
    if (state.size > 0) return Promise.resolve({ value: state.tryRead() as T, done: false });
    if (state.done) return this.end(state);
    return this.freeWaiter().enqueue(state.readers, this.signal);
  }

  return(): Promise<IteratorResult<T>> {
    this.finished = true;
    this.cancel(this.waiter);
    for (const waiter of this.extraWaiters ?? []) this.cancel(waiter);
    return Promise.resolve(doneResult);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private end(completed: Completed): Promise<IteratorResult<T>> {
    this.finished = true;
    return completed.faulted ? Promise.reject(completed.error) : Promise.resolve(doneResult);
  }

  /** Manual callers may overlap `next()` calls; each pending one needs its own waiter. */
  private freeWaiter(): NextWaiter<T> {
    if (!this.waiter.pending) return this.waiter;
    this.extraWaiters = (this.extraWaiters ?? []).filter((w) => w.pending);
    const waiter = new NextWaiter<T>();
    this.extraWaiters.push(waiter);
    return waiter;
  }

  private cancel(waiter: NextWaiter<T>): void {
    if (waiter.pending && this.state.readers.remove(waiter)) waiter.end({ faulted: false, error: undefined });
  }
}

/** A blocking `next()`: resolves with the item handed to it, or ends the loop on completion. */
class NextWaiter<T> extends ReaderWaiter<T, IteratorResult<T>> {
  deliver(item: T): void {
    this.detach();
    this.resolve({ value: item, done: false });
  }

  end(completed: Completed): void {
    this.detach();
    if (completed.faulted) this.reject(completed.error);
    else this.resolve(doneResult);
  }
}
