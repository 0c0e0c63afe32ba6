// What the Redis tier writes, derived from the cache key (the sha256 of the query, key.ts):
//
//   Redis key    HMAC-SHA256(cacheKey, "pdp-cache/redis-key")        hex
//   value        AES-256-GCM(key = HMAC-SHA256(cacheKey, "pdp-cache/value"), entry JSON)
//
// Why: a cached result can carry request values (a reason message quoting an argument, a Data
// API document that echoes its input), and Redis is shared, replicated and readable by more
// people than the service. Sealing each value under a key only the query itself yields keeps
// every replica able to read what another wrote (they compute the same key from the same
// request) while a reader of Redis — who has the Redis key, never the cache key — learns
// nothing. Both derivations are one-way: the Redis key does not give the value key. What is left
// is a guess-and-check: someone who can rebuild the *entire* request (every field but the one
// they want) can test candidates against the key, as with any digest of a request.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const VERSION = 's1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

function derive(cacheKey: string, label: string): Buffer {
  return createHmac('sha256', cacheKey).update(label).digest();
}

/** The Redis key (without prefix) for a cache key. */
export function redisKeyOf(cacheKey: string): string {
  return derive(cacheKey, 'pdp-cache/redis-key').toString('hex');
}

/** The value written to Redis: `s1.` + base64(iv ‖ tag ‖ ciphertext). */
export function seal(cacheKey: string, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', derive(cacheKey, 'pdp-cache/value'), iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return VERSION + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

/** The plaintext, or undefined for anything that is not a value sealed under this cache key
 * (another format, another key, tampered bytes): a miss. */
export function unseal(cacheKey: string, sealed: string): string | undefined {
  if (!sealed.startsWith(VERSION)) return undefined;
  const raw = Buffer.from(sealed.slice(VERSION.length), 'base64');
  if (raw.length < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', derive(cacheKey, 'pdp-cache/value'), raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
