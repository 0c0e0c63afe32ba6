// Random texts made many at a time: a buffer holding each item's fixed characters gets the
// CSPRNG's bytes written in as hex, and is read as one string; an item is a slice of it — flat,
// so neither put together per use nor flattened when it is written out. Decision ids (UUIDs,
// src/shared/random-uuid.ts) and new root traces' W3C ids (src/telemetry/decision-tracer.ts).
import { randomFillSync } from 'node:crypto';

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/** `n` bytes of `from` at `at` as lowercase hex into `to` at `out`. */
export function writeHex(from: Buffer, at: number, n: number, to: Buffer, out: number): void {
  for (let i = 0; i < n; i++) {
    const b = from[at + i] as number;
    to[out + 2 * i] = HEX_DIGITS[b >> 4] as number;
    to[out + 2 * i + 1] = HEX_DIGITS[b & 15] as number;
  }
}

/** Writes one item: its random bytes are `random` from `r`, its characters `out` from `o`. */
export type FillItem = (random: Buffer, r: number, out: Buffer, o: number) => void;

export class RandomTextBatch {
  private readonly random: Buffer;
  private readonly out: Buffer;
  private readonly itemLength: number;
  private text = '';
  private next: number;

  /** `item`: one item's fixed characters (latin1); `randomBytes`: the random bytes it takes. */
  constructor(
    item: string,
    private readonly randomBytes: number,
    private readonly fill: FillItem,
    private readonly count = 64,
  ) {
    this.itemLength = item.length;
    this.random = Buffer.alloc(randomBytes * count);
    this.out = Buffer.from(item.repeat(count), 'latin1');
    this.next = count;
  }

  /** A fresh item's offset in `batch` (read after this call: a new batch replaces the text). */
  take(): number {
    if (this.next === this.count) {
      randomFillSync(this.random);
      for (let k = 0; k < this.count; k++) this.fill(this.random, this.randomBytes * k, this.out, this.itemLength * k);
      this.text = this.out.toString('latin1');
      this.next = 0;
    }
    return this.itemLength * this.next++;
  }

  get batch(): string {
    return this.text;
  }
}
