// What the Redis tier writes, derived from the cache key (the sha256 of the query, key.ts) and a
// secret from the configuration (cache.secret), both halves of one digest:
//
//   D            HMAC-SHA512(secret, "pdp-cache/s3\0" ‖ cacheKey)                 64 bytes
//   Redis key    D[32..64)                                                       hex
//   value        "s3." base64(iv ‖ tag ‖ AES-256-GCM(key = D[0..32), entry JSON))
//
// Why a secret: the cache key is computable by anyone who knows a request and the bundle
// revisions and digests (public in /v1/pdp/status); without a secret, whoever can write to Redis
// could seal a forged `allow: true` under it. With one, only replicas holding the secret can write
// a value another replica accepts (GCM authenticates it), and a reader of Redis learns nothing
// (the key's half of D says nothing of the other half). Replicas share entries only when they
// share the secret. One HMAC-SHA512 per lookup, not two HMAC-SHA256 (s2: one per half): two
// one-shot hashes instead of four, ~15,000 instructions of a Redis-tier hit.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { HmacSha512 } from './hmac-sha512.js';

const VERSION = 's3.';
const LABEL = 'pdp-cache/s3\0';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What one cache key is stored under, and sealed with. */
export interface SealKeys {
  /** The Redis key (without prefix). */
  redisKey: string;
  /** The AES-256-GCM key of its value. */
  valueKey: Buffer;
}

export class RedisSeal {
  private readonly hmac: HmacSha512;

  constructor(secret: string | Buffer) {
    this.hmac = new HmacSha512(Buffer.isBuffer(secret) ? secret : Buffer.from(secret, 'utf8'));
  }

  /** A secret of this process alone: safe, but replicas then share nothing through Redis. */
  static random(): RedisSeal {
    return new RedisSeal(randomBytes(32));
  }

  /** The Redis key and the value's key for a cache key: derive once per lookup or write. */
  keysOf(cacheKey: string): SealKeys {
    const d = this.hmac.bytes(LABEL + cacheKey);
    return { redisKey: d.toString('hex', 32, 64), valueKey: d.subarray(0, 32) };
  }

  /** The value written to Redis: `s3.` + base64(iv ‖ tag ‖ ciphertext). */
  seal(keys: SealKeys, plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', keys.valueKey, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return VERSION + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** The plaintext, or undefined for anything that is not a value sealed under this cache key and
   * secret (another format, another key or secret, tampered bytes). */
  unseal(keys: SealKeys, sealed: string): string | undefined {
    if (!sealed.startsWith(VERSION)) return undefined;
    const raw = Buffer.from(sealed.slice(VERSION.length), 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', keys.valueKey, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const text = decipher.update(raw.subarray(IV_BYTES + TAG_BYTES));
      // GCM's final() only checks the tag (it holds back no bytes): nothing to join, as a rule.
      const rest = decipher.final();
      return (rest.length === 0 ? text : Buffer.concat([text, rest])).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
