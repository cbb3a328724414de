import type { Ring } from "./ring.ts";

/** What a waiter needs of its queue: to join it, and to leave it when cancelled. */
interface WaiterQueue {
  push(waiter: object): void;
  remove(waiter: unknown): boolean;
}

/**
 * A blocked operation in one of the channel's waiter queues. It is its own abort listener
 * (`handleEvent`), so supporting cancellation allocates no closure, and it stops listening as soon as
 * it settles, so one long-lived signal never accumulates listeners.
 */
export abstract class Waiter<R> {
  protected resolve!: (value: R) => void;
  protected reject!: (reason: unknown) => void;
  private signal: AbortSignal | undefined = undefined;
  private queue: WaiterQueue | undefined = undefined;

  /** True from `enqueue` until the waiter settles; a reusable waiter is free again after. */
  get pending(): boolean {
    return this.queue !== undefined;
  }

  enqueue(queue: WaiterQueue, signal: AbortSignal | undefined): Promise<R> {
    const promise = new Promise<R>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.queue = queue;
    queue.push(this);
    if (signal) {
      this.signal = signal;
      signal.addEventListener("abort", this);
    }
    return promise;
  }

  /** Abort: leave the queue without taking anything, then reject with the signal's reason. */
  handleEvent(): void {
    const reason = this.signal?.reason;
    this.queue?.remove(this);
    this.detach();
    this.reject(reason);
    this.afterCancel();
  }

  /** Called by the channel after it took the waiter out of its queue. */
  protected detach(): void {
    this.queue = undefined;
    if (this.signal) {
      this.signal.removeEventListener("abort", this);
      this.signal = undefined;
    }
  }

  /** Lets a subclass repair channel state once it left its queue by cancellation. */
  protected afterCancel(): void {}
}

/** How a completed and drained channel ends one waiting reader. */
export interface Completed {
  readonly faulted: boolean;
  readonly error: unknown;
}

/** A reader blocked on an empty channel: either handed one item, or ended by completion. */
export abstract class ReaderWaiter<T, R> extends Waiter<R> {
  abstract deliver(item: T): void;
  abstract end(completed: Completed): void;
}

/** `waitToRead` / `waitToWrite`: resolves true when the condition holds, false (or the error) when it never will. */
export class SignalWaiter extends Waiter<boolean> {
  wake(): void {
    this.detach();
    this.resolve(true);
  }

  end(completed: Completed | undefined): void {
    this.detach();
    if (completed?.faulted) this.reject(completed.error);
    else this.resolve(false);
  }
}

export function wakeAll(queue: Ring<SignalWaiter>): void {
  while (queue.size > 0) queue.shift().wake();
}

export function endAll(queue: Ring<SignalWaiter>, completed: Completed | undefined): void {
  while (queue.size > 0) queue.shift().end(completed);
}
