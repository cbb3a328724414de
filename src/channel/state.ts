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
 * The shared state behind one channel's reader and writer. It is the item buffer itself (it extends
 * Ring), so the hot paths read one object. Invariants the code relies on:
 * - readers (or waitToRead calls) wait only while the buffer is empty, so a write hands its item
 *   straight to the first waiting reader, and a write into a non-empty buffer need not look for readers;
 * - writers wait only in "wait" mode, and are released when the buffer has drained, in FIFO order;
 *   while any writer waits, tryWrite refuses even if there is room, so nobody overtakes them.
 * Releasing at drain rather than per read lets a producer refill a whole buffer per wake-up.
 */
export class ChannelState<T> extends Ring<T> implements Completed {
  readonly capacity: number;
  readonly fullMode: FullMode;
  readonly readers = new Ring<ReaderWaiter<T, unknown>>(4);
  readonly writers = new Ring<WriteWaiter<T>>(4);
  readonly readWaiters = new Ring<SignalWaiter>(4);
  readonly writeWaiters = new Ring<SignalWaiter>(4);
  private readonly onDropped: ((item: T) => void) | undefined;
  /**
   * The fast-write gate: a write into a non-empty buffer holding fewer than `room` items needs no
   * other check. `min(capacity, ring length)` while open with no writer waiting; 0 once completed or
   * while writers wait. Kept current by every change to those (see `updateRoom`).
   */
  private room: number;
  /** The writer side completed: no more writes. */
  closed = false;
  /** Completed and drained: readers end. */
  done = false;
  faulted = false;
  error: unknown = undefined;
  private completionPromise: Promise<void> | undefined = undefined;
  private settleCompletion: ((completed: Completed) => void) | undefined = undefined;

  constructor(options: ValidOptions<T>) {
    // Starts small and doubles up to the capacity, so a large bound costs nothing until it is used.
    super(Math.min(options.capacity, 32));
    this.capacity = options.capacity;
    this.fullMode = options.fullMode;
    this.onDropped = options.onDropped;
    this.room = Math.min(this.capacity, this.items.length);
  }

  tryWrite(item: T): boolean {
    const size = this.size;
    if (size !== 0 && size < this.room) {
      this.items[(this.head + size) & this.mask] = item;
      this.size = size + 1;
      return true;
    }
    return this.tryWriteSlow(item);
  }

  /** Takes the oldest item, or returns NO_ITEM when the buffer is empty. */
  tryRead(): T | NoItem {
    const size = this.size;
    if (size === 0) return NO_ITEM;
    const items = this.items;
    const head = this.head;
    const item = items[head] as T;
    items[head] = undefined;
    this.head = (head + 1) & this.mask;
    this.size = size - 1;
    if (size === 1) this.drained();
    return item;
  }

  write(item: T, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.tryWrite(item)) return resolvedVoid;
    if (this.closed) return Promise.reject(this.closedForWrites());
    const blocked = new WriteWaiter(item, this).enqueue(this.writers, signal);
    this.room = 0;
    return blocked;
  }

  waitToWrite(signal: AbortSignal | undefined): Promise<boolean> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.closed) return resolvedFalse;
    if (this.hasRoom()) return resolvedTrue;
    return new SignalWaiter().enqueue(this.writeWaiters, signal);
  }

  /**
   * Up to `max` items into an array allocated once at its final size. Writers released by the drain
   * land in the buffer, so it keeps moving until the batch is full or the buffer truly empty.
   */
  takeBatch(max: number): T[] {
    const batch = new Array<T>(Math.min(max, this.size));
    let taken = 0;
    while (taken < max && this.size > 0) {
      taken += this.moveTo(batch, taken, max - taken);
      if (this.size === 0) this.drained();
    }
    return batch;
  }

  read(signal: AbortSignal | undefined): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.size > 0) return Promise.resolve(this.tryRead() as T);
    if (this.done) return Promise.reject(this.closedForReads());
    return new ReadWaiter<T>().enqueue(this.readers, signal);
  }

  waitToRead(signal: AbortSignal | undefined): Promise<boolean> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.size > 0) return resolvedTrue;
    if (this.done) return this.faulted ? Promise.reject(this.error) : resolvedFalse;
    return new SignalWaiter().enqueue(this.readWaiters, signal);
  }

  tryComplete(error: unknown): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.faulted = error !== undefined;
    this.error = error;
    this.room = 0;
    while (this.writers.size > 0) this.writers.shift().fail(this.closedForWrites());
    endAll(this.writeWaiters, undefined);
    if (this.size === 0) this.finish();
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
    this.updateRoom();
    if (this.writers.size === 0 && this.size < this.capacity && this.writeWaiters.size > 0) {
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
    return this.fullMode !== "wait" || (this.writers.size === 0 && this.size < this.capacity);
  }

  /** Every write the fast path cannot take: an empty buffer (readers may wait), full, growing, closed. */
  private tryWriteSlow(item: T): boolean {
    if (this.closed) return false;
    if (this.readers.size > 0) {
      this.readers.shift().deliver(item);
      return true;
    }
    if (this.size < this.capacity && this.writers.size === 0) {
      this.push(item);
      this.updateRoom();
      if (this.readWaiters.size > 0) wakeAll(this.readWaiters);
      return true;
    }
    return this.writeWhenFull(item);
  }

  private updateRoom(): void {
    this.room = this.closed || this.writers.size > 0 ? 0 : Math.min(this.capacity, this.items.length);
  }

  private writeWhenFull(item: T): boolean {
    if (this.fullMode === "wait") return false;
    if (this.fullMode === "drop-write") {
      this.onDropped?.(item);
      return true;
    }
    // The new item goes in before the callback runs, so a throwing onDropped cannot lose it.
    const dropped = this.fullMode === "drop-oldest" ? this.shift() : this.pop();
    this.push(item);
    this.onDropped?.(dropped);
    return true;
  }

  private drained(): void {
    if (this.writers.size > 0) this.releaseWriters();
    else if (this.closed) this.finish();
    else if (this.writeWaiters.size > 0) wakeAll(this.writeWaiters);
  }

  private releaseWriters(): void {
    while (this.writers.size > 0 && this.size < this.capacity) this.writers.shift().release(this);
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
