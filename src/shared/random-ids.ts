// Random ids for every decision, from the CSPRNG a batch at a time and written as text once per
// batch: each id is then a slice of that text. Node's randomUUID buffers its random bytes too, but
// writes every id with ~20 string concatenations, and a toString('hex') call per id cost ~4 times
// a slice (docs/benchmarks.md, session 31).
import { randomFillSync } from 'node:crypto';

const POOL = Buffer.alloc(4096);
let poolHex = '';
let poolAt = POOL.length;

/** `bytes` random bytes as lowercase hex, never all zeros (W3C trace context: invalid). */
export function randomHexId(bytes: 8 | 16): string {
  if (poolAt + bytes > POOL.length) {
    randomFillSync(POOL);
    poolHex = POOL.toString('hex');
    poolAt = 0;
  }
  const start = poolAt;
  poolAt += bytes;
  let zero = true;
  for (let i = start; i < poolAt && zero; i++) zero = POOL[i] === 0;
  if (zero) return `${'0'.repeat(2 * bytes - 1)}1`;
  return poolHex.slice(2 * start, 2 * poolAt);
}

const UUIDS_PER_BATCH = 128;
const UUID_BYTES = Buffer.alloc(16 * UUIDS_PER_BATCH);
const VARIANT = '89ab';
let uuidText = '';
let uuidAt = UUIDS_PER_BATCH;

/** A random (version 4) UUID, as crypto.randomUUID writes one. */
export function randomUuid(): string {
  if (uuidAt === UUIDS_PER_BATCH) {
    uuidText = uuidBatch();
    uuidAt = 0;
  }
  const start = 36 * uuidAt++;
  return uuidText.slice(start, start + 36);
}

/** UUIDS_PER_BATCH UUIDs written one after another: xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx, V one of 8, 9, a, b. */
function uuidBatch(): string {
  randomFillSync(UUID_BYTES);
  const hex = UUID_BYTES.toString('hex');
  const parts: string[] = [];
  for (let i = 0; i < UUIDS_PER_BATCH; i++) {
    const h = 32 * i;
    const variant = VARIANT[(UUID_BYTES[16 * i + 8] as number) & 3] as string;
    parts.push(
      hex.slice(h, h + 8),
      '-',
      hex.slice(h + 8, h + 12),
      '-4',
      hex.slice(h + 13, h + 16),
      '-',
      variant,
      hex.slice(h + 17, h + 20),
      '-',
      hex.slice(h + 20, h + 32),
    );
  }
  return parts.join('');
}
