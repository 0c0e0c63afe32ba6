// What the Redis tier writes, derived from the cache key (the sha256 of the query, key.ts) and a
// secret from the configuration (cache.secret):
//
//   Redis key    HMAC-SHA256(secret, "pdp-cache/redis-key\0" ‖ cacheKey)        hex
//   value        AES-256-GCM(key = HMAC-SHA256(secret, "pdp-cache/value\0" ‖ cacheKey), entry JSON)
//
// Why a secret: the cache key is computable by anyone who knows a request and the bundle
// revisions and digests (public in /v1/pdp/status); without a secret, whoever can write to Redis
// could seal a forged `allow: true` under it. With one, only replicas holding the secret can write
// a value another replica accepts (GCM authenticates it), and a reader of Redis learns nothing.
// Replicas share entries only when they share the secret.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { HmacSha256 } from './hmac-sha256.js';

const VERSION = 's2.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class RedisSeal {
  private readonly hmac: HmacSha256;

  constructor(secret: string | Buffer) {
    this.hmac = new HmacSha256(Buffer.isBuffer(secret) ? secret : Buffer.from(secret, 'utf8'));
  }

  /** A secret of this process alone: safe, but replicas then share nothing through Redis. */
  static random(): RedisSeal {
    return new RedisSeal(randomBytes(32));
  }

  private derive(cacheKey: string, label: string): Buffer {
    return this.hmac.bytes(`${label}\0${cacheKey}`);
  }

  /** The Redis key (without prefix) for a cache key. */
  keyOf(cacheKey: string): string {
    return this.hmac.hex(`pdp-cache/redis-key\0${cacheKey}`);
  }

  /** The value written to Redis: `s2.` + base64(iv ‖ tag ‖ ciphertext). */
  seal(cacheKey: string, plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.derive(cacheKey, 'pdp-cache/value'), iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return VERSION + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** The plaintext, or undefined for anything that is not a value sealed under this cache key and
   * secret (another format, another key or secret, tampered bytes). */
  unseal(cacheKey: string, sealed: string): string | undefined {
    if (!sealed.startsWith(VERSION)) return undefined;
    const raw = Buffer.from(sealed.slice(VERSION.length), 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.derive(cacheKey, 'pdp-cache/value'), raw.subarray(0, IV_BYTES));
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
