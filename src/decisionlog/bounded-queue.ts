// A fixed-capacity FIFO (ring buffer). Past its capacity the OLDEST items are dropped and
// reported to the caller — it never grows, so a sink outage cannot exhaust memory.

export class BoundedQueue<T> {
  readonly capacity: number;
  private readonly items: (T | undefined)[];
  private head = 0;
  private count = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.capacity = capacity;
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Appends; returns how many old items were dropped to make room (0 or 1). */
  push(item: T): number {
    let dropped = 0;
    if (this.count === this.capacity) {
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.count--;
      dropped = 1;
    }
    this.items[(this.head + this.count) % this.capacity] = item;
    this.count++;
    return dropped;
  }

  /** Puts items back at the front (a failed batch, oldest first). When there is not room for
   * all of them, the oldest of the returned items are the ones dropped; returns that number. */
  unshiftAll(batch: readonly T[]): number {
    const room = this.capacity - this.count;
    const keep = batch.length <= room ? batch : batch.slice(batch.length - room);
    for (let i = keep.length - 1; i >= 0; i--) {
      this.head = (this.head - 1 + this.capacity) % this.capacity;
      this.items[this.head] = keep[i];
      this.count++;
    }
    return batch.length - keep.length;
  }

  /** Removes and returns up to n items from the front. */
  take(n: number): T[] {
    const out: T[] = [];
    while (out.length < n && this.count > 0) {
      out.push(this.items[this.head] as T);
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.count--;
    }
    return out;
  }
}
