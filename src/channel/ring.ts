/**
 * A FIFO deque over a power-of-two array: index wrap is a mask, never `Array.shift` (which copies),
 * and once grown to its working size it allocates nothing per item.
 */
export class Ring<T> {
  private items: (T | undefined)[];
  private head = 0;
  private mask: number;
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

  /** Moves up to `max` of the oldest items onto the end of `target`, in order, in one tight loop. */
  moveTo(target: T[], max: number): void {
    const count = Math.min(max, this.size);
    const items = this.items;
    const mask = this.mask;
    let head = this.head;
    for (let i = 0; i < count; i++) {
      target.push(items[head] as T);
      items[head] = undefined;
      head = (head + 1) & mask;
    }
    this.head = head;
    this.size -= count;
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
