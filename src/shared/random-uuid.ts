// Random (version 4) UUIDs, made 64 at a time: the CSPRNG's bytes written as hex into a buffer
// that holds the dashes already, read as one string; a UUID is a slice of it. node's randomUUID
// puts each together from 20 pieces (~1,500 instructions a decision id, bench/http/profile.mjs);
// a slice of one flat string is also written out without being flattened first.
import { randomFillSync } from 'node:crypto';

const BATCH = 64;
const UUID_LENGTH = 36;
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const random = Buffer.alloc(16 * BATCH);
const bytes = Buffer.from('00000000-0000-0000-0000-000000000000'.repeat(BATCH), 'latin1');
let text = '';
let next = BATCH;

/** `n` bytes of `from` at `at` as lowercase hex into `to` at `out`. */
export function writeHex(from: Buffer, at: number, n: number, to: Buffer, out: number): void {
  for (let i = 0; i < n; i++) {
    const b = from[at + i] as number;
    to[out + 2 * i] = HEX_DIGITS[b >> 4] as number;
    to[out + 2 * i + 1] = HEX_DIGITS[b & 15] as number;
  }
}

/** A random UUID (RFC 9562 version 4: 122 random bits), as crypto.randomUUID() writes one. */
export function randomUuid(): string {
  if (next === BATCH) {
    randomFillSync(random);
    for (let k = 0; k < BATCH; k++) {
      const r = 16 * k;
      // The version (4) and the variant (binary 10) in their bits.
      random[r + 6] = ((random[r + 6] as number) & 0x0f) | 0x40;
      random[r + 8] = ((random[r + 8] as number) & 0x3f) | 0x80;
      const o = UUID_LENGTH * k;
      writeHex(random, r, 4, bytes, o);
      writeHex(random, r + 4, 2, bytes, o + 9);
      writeHex(random, r + 6, 2, bytes, o + 14);
      writeHex(random, r + 8, 2, bytes, o + 19);
      writeHex(random, r + 10, 6, bytes, o + 24);
    }
    text = bytes.toString('latin1');
    next = 0;
  }
  const at = UUID_LENGTH * next++;
  return text.slice(at, at + UUID_LENGTH);
}
