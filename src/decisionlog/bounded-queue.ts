// A bounded FIFO (ring buffer), bounded by item count and by total weight (e.g. bytes). Past
// either bound the OLDEST items are dropped and reported to the caller — it never grows past
// them, so a sink outage cannot exhaust memory, whatever the size of the items. The newest item
// is always kept, so the weight bound is exceeded by at most that one item.

export class BoundedQueue<T> {
  readonly capacity: number;
  readonly maxWeight: number;
  private readonly items: (T | undefined)[];
  private readonly weights: Float64Array;
  private head = 0;
  private count = 0;
  private weightSum = 0;

  constructor(capacity: number, maxWeight = Infinity) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    if (!(maxWeight > 0)) throw new RangeError('maxWeight must be positive');
    this.capacity = capacity;
    this.maxWeight = maxWeight;
    this.items = new Array<T | undefined>(capacity);
    this.weights = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Total weight of the items held. */
  get weight(): number {
    return this.weightSum;
  }

  /** Appends; returns how many old items were dropped to make room. */
  push(item: T, weight = 0): number {
    let dropped = 0;
    while (this.count > 0 && (this.count === this.capacity || this.weightSum + weight > this.maxWeight)) {
      this.dropFront();
      dropped++;
    }
    const at = (this.head + this.count) % this.capacity;
    this.items[at] = item;
    this.weights[at] = weight;
    this.weightSum += weight;
    this.count++;
    return dropped;
  }

  /** Puts items back at the front (a failed batch, oldest first). When there is not room for
   * all of them, the oldest of the returned items are the ones dropped; returns that number. */
  unshiftAll(batch: readonly T[], weightOf: (item: T) => number = () => 0): number {
    let i = batch.length - 1;
    for (; i >= 0; i--) {
      const item = batch[i] as T;
      const w = weightOf(item);
      if (this.count === this.capacity || this.weightSum + w > this.maxWeight) break;
      this.head = (this.head - 1 + this.capacity) % this.capacity;
      this.items[this.head] = item;
      this.weights[this.head] = w;
      this.weightSum += w;
      this.count++;
    }
    return i + 1;
  }

  /** Removes and returns up to n items from the front. */
  take(n: number): T[] {
    const out: T[] = [];
    while (out.length < n && this.count > 0) out.push(this.dropFront());
    return out;
  }

  private dropFront(): T {
    const item = this.items[this.head] as T;
    this.items[this.head] = undefined;
    this.weightSum -= this.weights[this.head] as number;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return item;
  }
}
