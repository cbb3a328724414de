/**
 * A FIFO deque over a power-of-two array: index wrap is a mask, never `Array.shift` (which copies),
 * and once grown to its working size it allocates nothing per item. Fields are protected, not
 * private, so the channel state (which extends it) can run its hot paths on them directly.
 */
export class Ring<T> {
  protected items: (T | undefined)[];
  protected head = 0;
  protected mask: number;
  size = 0;

  constructor(initialSize = 16) {
    const length = nextPowerOfTwo(initialSize);
    this.items = new Array<T | undefined>(length).fill(undefined);
    this.mask = length - 1;
  }

  push(item: T): void {
    if (this.size === this.items.length) this.grow();
    this.items[(this.head + this.size) & this.mask] = item;
    this.size++;
  }

  /** Oldest item; the caller checks `size > 0` first. */
  shift(): T {
    const item = this.items[this.head] as T;
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.size--;
    return item;
  }

  /**
   * Moves up to `max` of the oldest items into `target` from index `at`, in order, and returns how
   * many: a plain copy of the (at most two) contiguous runs, then one native `fill` per run to release
   * the slots. Writing by index lets a caller preallocate `target` at its final size.
   */
  moveTo(target: T[], at: number, max: number): number {
    const count = Math.min(max, this.size);
    const items = this.items;
    const head = this.head;
    const firstEnd = Math.min(head + count, items.length);
    let to = at;
    for (let i = head; i < firstEnd; i++) target[to++] = items[i] as T;
    const wrapped = count - (firstEnd - head);
    for (let i = 0; i < wrapped; i++) target[to++] = items[i] as T;
    items.fill(undefined, head, firstEnd);
    if (wrapped > 0) items.fill(undefined, 0, wrapped);
    this.head = (head + count) & this.mask;
    this.size -= count;
    return count;
  }

  /** Newest item; the caller checks `size > 0` first. */
  pop(): T {
    const index = (this.head + this.size - 1) & this.mask;
    const item = this.items[index] as T;
    this.items[index] = undefined;
    this.size--;
    return item;
  }

  /** Oldest item without removing it; the caller checks `size > 0` first. */
  peek(): T {
    return this.items[this.head] as T;
  }

  /** Removes one occurrence, keeping order; linear, for the rare cancelled waiter. */
  remove(item: unknown): boolean {
    for (let i = 0; i < this.size; i++) {
      if (this.items[(this.head + i) & this.mask] !== item) continue;
      for (let j = i; j < this.size - 1; j++) {
        this.items[(this.head + j) & this.mask] = this.items[(this.head + j + 1) & this.mask];
      }
      this.items[(this.head + this.size - 1) & this.mask] = undefined;
      this.size--;
      return true;
    }
    return false;
  }

  private grow(): void {
    const length = this.items.length;
    const grown = new Array<T | undefined>(length * 2).fill(undefined);
    for (let i = 0; i < length; i++) grown[i] = this.items[(this.head + i) & this.mask];
    this.items = grown;
    this.head = 0;
    this.mask = length * 2 - 1;
  }
}

function nextPowerOfTwo(n: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return size;
}
