import type { Channel } from "../channel/index.ts";
import type { Logger } from "../hosting/index.ts";
import type { Scope, ServiceRegistry } from "../scope/index.ts";

/** What a handler gets besides its item. */
export interface QueueItemContext {
  /** A fresh scope for this item, disposed when the handler settles. */
  readonly scope: Scope;
  /** Aborts when the item times out or the host's shutdown deadline fires. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

export type QueueHandler<T> = (item: T, context: QueueItemContext) => Promise<void> | void;

export interface QueueWorkerOptions<T> {
  /** The hosted service's name, unique within the host (default "queue-worker"). */
  name?: string;
  channel: Channel<T>;
  /** Items handled at once, each by its own read loop (default 1). */
  concurrency?: number;
  handle: QueueHandler<T>;
  /** Aborts an item's signal after this long (default: no timeout). */
  timeoutMs?: number;
  /** Where scoped services come from (default: an empty registry). */
  registry?: ServiceRegistry;
  logger?: Logger;
}

export function validConcurrency(concurrency: number | undefined, singleReader: boolean): number {
  const value = concurrency ?? 1;
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`concurrency must be a positive integer, got ${value}`);
  if (singleReader && value > 1) {
    throw new RangeError(`concurrency must be 1 for a channel created with singleReader: true, got ${value}`);
  }
  return value;
}

export function validTimeout(timeoutMs: number | undefined): number | undefined {
  if (timeoutMs === undefined) return undefined;
  if (typeof timeoutMs !== "number" || !(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new RangeError(`timeoutMs must be a positive, finite number of milliseconds, got ${timeoutMs}`);
  }
  return timeoutMs;
}

export function validHandler<T>(handle: unknown): QueueHandler<T> {
  if (typeof handle !== "function")
    throw new TypeError(`handle must be a function (item, { scope, signal, logger }) => ..., got ${typeof handle}`);
  return handle as QueueHandler<T>;
}
