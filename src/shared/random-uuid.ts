// Random (version 4) UUIDs, made 64 at a time (src/shared/random-text-batch.ts): node's randomUUID
// puts each together from 20 pieces (~1,500 instructions a decision id, bench/http/profile.mjs).
import { RandomTextBatch, writeHex } from './random-text-batch.js';

const UUID_LENGTH = 36;

const uuids = new RandomTextBatch('00000000-0000-0000-0000-000000000000', 16, (random, r, out, o) => {
  // The version (4) and the variant (binary 10) in their bits.
  random[r + 6] = ((random[r + 6] as number) & 0x0f) | 0x40;
  random[r + 8] = ((random[r + 8] as number) & 0x3f) | 0x80;
  writeHex(random, r, 4, out, o);
  writeHex(random, r + 4, 2, out, o + 9);
  writeHex(random, r + 6, 2, out, o + 14);
  writeHex(random, r + 8, 2, out, o + 19);
  writeHex(random, r + 10, 6, out, o + 24);
});

/** A random UUID (RFC 9562 version 4: 122 random bits), as crypto.randomUUID() writes one. */
export function randomUuid(): string {
  const at = uuids.take();
  return uuids.batch.slice(at, at + UUID_LENGTH);
}
