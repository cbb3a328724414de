import { ChannelClosedError, readAfterDrain, writeAfterCompletion } from "./errors.ts";
import type { FullMode, ValidOptions } from "./options.ts";
import { Ring } from "./ring.ts";
import { type Completed, endAll, ReaderWaiter, SignalWaiter, Waiter, wakeAll } from "./waiters.ts";

/** What `tryRead`/`tryPeek` return when no item is buffered: a value no `T` can be, and no allocation. */
export const NO_ITEM: unique symbol = Symbol("errand.channel.no-item");
export type NoItem = typeof NO_ITEM;

const resolvedVoid: Promise<void> = Promise.resolve();
const resolvedTrue: Promise<boolean> = Promise.resolve(true);
const resolvedFalse: Promise<boolean> = Promise.resolve(false);

/**
 * The shared state behind one channel's reader and writer. Invariants the code relies on:
 * - readers (or waitToRead calls) wait only while the buffer is empty, so a write hands its item
 *   straight to the first waiting reader;
 * - writers wait only in "wait" mode, and are released when the buffer has drained, in FIFO order;
 *   while any writer waits, tryWrite refuses even if there is room, so nobody overtakes them.
 * Releasing at drain rather than per read lets a producer refill a whole buffer per wake-up.
 */
export class ChannelState<T> implements Completed {
  readonly capacity: number;
  readonly fullMode: FullMode;
  readonly buffer: Ring<T>;
  readonly readers = new Ring<ReaderWaiter<T, unknown>>(4);
  readonly writers = new Ring<WriteWaiter<T>>(4);
  readonly readWaiters = new Ring<SignalWaiter>(4);
  readonly writeWaiters = new Ring<SignalWaiter>(4);
  private readonly onDropped: ((item: T) => void) | undefined;
  /** The writer side completed: no more writes. */
  closed = false;
  /** Completed and drained: readers end. */
  done = false;
  faulted = false;
  error: unknown = undefined;
  private completionPromise: Promise<void> | undefined = undefined;
  private settleCompletion: ((completed: Completed) => void) | undefined = undefined;

  constructor(options: ValidOptions<T>) {
    this.capacity = options.capacity;
    this.fullMode = options.fullMode;
    this.onDropped = options.onDropped;
    // Starts small and doubles up to the capacity, so a large bound costs nothing until it is used.
    this.buffer = new Ring<T>(Math.min(options.capacity, 32));
  }

  tryWrite(item: T): boolean {
    if (this.closed) return false;
    if (this.readers.size > 0) {
      this.readers.shift().deliver(item);
      return true;
    }
    if (this.buffer.size < this.capacity && this.writers.size === 0) {
      this.buffer.push(item);
      if (this.readWaiters.size > 0) wakeAll(this.readWaiters);
      return true;
    }
    return this.writeWhenFull(item);
  }

  write(item: T, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.tryWrite(item)) return resolvedVoid;
    if (this.closed) return Promise.reject(this.closedForWrites());
    return new WriteWaiter(item, this).enqueue(this.writers, signal);
  }

  waitToWrite(signal: AbortSignal | undefined): Promise<boolean> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.closed) return resolvedFalse;
    if (this.hasRoom()) return resolvedTrue;
    return new SignalWaiter().enqueue(this.writeWaiters, signal);
  }

  /** Takes the oldest item; the caller checks `buffer.size > 0`. */
  take(): T {
    const item = this.buffer.shift();
    if (this.buffer.size === 0) this.drained();
    return item;
  }

  takeBatch(max: number): T[] {
    const batch: T[] = [];
    // Writers released by the drain land in the buffer, so keep moving until full or truly empty.
    while (batch.length < max && this.buffer.size > 0) {
      this.buffer.moveTo(batch, max - batch.length);
      if (this.buffer.size === 0) this.drained();
    }
    return batch;
  }

  read(signal: AbortSignal | undefined): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.buffer.size > 0) return Promise.resolve(this.take());
    if (this.done) return Promise.reject(this.closedForReads());
    return new ReadWaiter<T>().enqueue(this.readers, signal);
  }

  waitToRead(signal: AbortSignal | undefined): Promise<boolean> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.buffer.size > 0) return resolvedTrue;
    if (this.done) return this.faulted ? Promise.reject(this.error) : resolvedFalse;
    return new SignalWaiter().enqueue(this.readWaiters, signal);
  }

  tryComplete(error: unknown): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.faulted = error !== undefined;
    this.error = error;
    while (this.writers.size > 0) this.writers.shift().fail(this.closedForWrites());
    endAll(this.writeWaiters, undefined);
    if (this.buffer.size === 0) this.finish();
    return true;
  }

  get completion(): Promise<void> {
    this.completionPromise ??= this.done
      ? settled(this)
      : new Promise<void>((resolve, reject) => {
          this.settleCompletion = (completed) => (completed.faulted ? reject(completed.error) : resolve());
        });
    return this.completionPromise;
  }

  /** A waiting writer gave up: the writers behind it, or waitToWrite callers, may now fit. */
  writerLeft(): void {
    if (this.writers.size === 0 && this.buffer.size < this.capacity && this.writeWaiters.size > 0) {
      wakeAll(this.writeWaiters);
    }
  }

  closedForReads(): ChannelClosedError {
    return new ChannelClosedError(readAfterDrain, this.faulted ? { cause: this.error } : undefined);
  }

  private closedForWrites(): ChannelClosedError {
    return new ChannelClosedError(writeAfterCompletion, this.faulted ? { cause: this.error } : undefined);
  }

  private hasRoom(): boolean {
    return this.fullMode !== "wait" || (this.writers.size === 0 && this.buffer.size < this.capacity);
  }

  private writeWhenFull(item: T): boolean {
    if (this.fullMode === "wait") return false;
    if (this.fullMode === "drop-write") {
      this.onDropped?.(item);
      return true;
    }
    // The new item goes in before the callback runs, so a throwing onDropped cannot lose it.
    const dropped = this.fullMode === "drop-oldest" ? this.buffer.shift() : this.buffer.pop();
    this.buffer.push(item);
    this.onDropped?.(dropped);
    return true;
  }

  private drained(): void {
    if (this.writers.size > 0) this.releaseWriters();
    else if (this.closed) this.finish();
    else if (this.writeWaiters.size > 0) wakeAll(this.writeWaiters);
  }

  private releaseWriters(): void {
    while (this.writers.size > 0 && this.buffer.size < this.capacity) this.writers.shift().release(this.buffer);
    this.writerLeft();
  }

  private finish(): void {
    this.done = true;
    while (this.readers.size > 0) this.readers.shift().end(this);
    endAll(this.readWaiters, this);
    this.settleCompletion?.(this);
  }
}

function settled(completed: Completed): Promise<void> {
  return completed.faulted ? Promise.reject(completed.error) : Promise.resolve();
}

/** A `read()` blocked on an empty channel. */
class ReadWaiter<T> extends ReaderWaiter<T, T> {
  deliver(item: T): void {
    this.detach();
    this.resolve(item);
  }

  end(completed: Completed): void {
    this.detach();
    this.reject(new ChannelClosedError(readAfterDrain, completed.faulted ? { cause: completed.error } : undefined));
  }
}

/** A `write()` blocked on a full channel in "wait" mode; it holds its item until released. */
class WriteWaiter<T> extends Waiter<void> {
  constructor(
    private readonly item: T,
    private readonly state: ChannelState<T>,
  ) {
    super();
  }

  release(buffer: Ring<T>): void {
    this.detach();
    buffer.push(this.item);
    this.resolve();
  }

  fail(error: ChannelClosedError): void {
    this.detach();
    this.reject(error);
  }

  protected override afterCancel(): void {
    this.state.writerLeft();
  }
}
