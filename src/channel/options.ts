export type FullMode = "wait" | "drop-oldest" | "drop-newest" | "drop-write";

export interface ChannelOptions<T> {
  /** Most items buffered at once; omit (or Infinity) for an unbounded channel. */
  capacity?: number;
  /** What a write does when the buffer is full (default "wait"). */
  fullMode?: FullMode;
  /** Declares that one loop reads; queueWorker refuses a concurrency above 1 for such a channel. */
  singleReader?: boolean;
  /** Declares that one producer writes; recorded for consumers, like .NET's option. */
  singleWriter?: boolean;
  /** Receives exactly the item a drop mode discarded (the oldest, the newest, or the one written). */
  onDropped?: (item: T) => void;
}

export interface ValidOptions<T> {
  capacity: number;
  fullMode: FullMode;
  singleReader: boolean;
  singleWriter: boolean;
  onDropped: ((item: T) => void) | undefined;
}

const fullModes: readonly FullMode[] = ["wait", "drop-oldest", "drop-newest", "drop-write"];

export function validateOptions<T>(options: ChannelOptions<T>): ValidOptions<T> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`createChannel options must be an object, got ${String(options)}`);
  }
  return {
    capacity: validCapacity(options.capacity),
    fullMode: validFullMode(options.fullMode),
    singleReader: validFlag("singleReader", options.singleReader),
    singleWriter: validFlag("singleWriter", options.singleWriter),
    onDropped: validOnDropped(options.onDropped),
  };
}

function validCapacity(capacity: unknown): number {
  if (capacity === undefined || capacity === Infinity) return Infinity;
  if (typeof capacity !== "number") {
    throw new TypeError(`capacity must be a number (or omitted for an unbounded channel), got ${typeof capacity}`);
  }
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`capacity must be a positive integer (or omitted for an unbounded channel), got ${capacity}`);
  }
  return capacity;
}

function validFullMode(fullMode: unknown): FullMode {
  if (fullMode === undefined) return "wait";
  if (fullModes.includes(fullMode as FullMode)) return fullMode as FullMode;
  throw new TypeError(
    `fullMode must be one of ${fullModes.map((m) => `"${m}"`).join(", ")}, got ${JSON.stringify(fullMode)}`,
  );
}

function validFlag(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value === "boolean") return value;
  throw new TypeError(`${name} must be a boolean, got ${typeof value}`);
}

function validOnDropped<T>(onDropped: unknown): ((item: T) => void) | undefined {
  if (onDropped === undefined || typeof onDropped === "function") return onDropped as ((item: T) => void) | undefined;
  throw new TypeError(`onDropped must be a function, got ${typeof onDropped}`);
}
