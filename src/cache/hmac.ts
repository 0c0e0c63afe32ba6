// HMAC under one fixed key, computed with Node's one-shot hash (crypto.hash) over two reused
// buffers: the Redis tier derives a digest per lookup, and createHmac made each a native object
// (its weak handle processed by the next scavenge) and a digest buffer of its own (swept by it):
// with the AES-GCM decipher, a Redis hit left three native objects and four fresh ArrayBuffers,
// ~0.5 ms of each scavenge under load. Same digests as createHmac (RFC 2104:
// H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), K hashed first when longer than the block, zero-padded).
import * as crypto from 'node:crypto';

export type HmacAlgorithm = 'sha256' | 'sha512';

/** Block and digest sizes in bytes. */
const SIZES: Record<HmacAlgorithm, { block: number; digest: number }> = {
  sha256: { block: 64, digest: 32 },
  sha512: { block: 128, digest: 64 },
};
/** Messages up to this many UTF-8 bytes go through the reused buffer; longer ones use createHmac. */
const MAX_MESSAGE_BYTES = 1024;

type OneShot = (algorithm: string, data: Buffer, outputEncoding: 'hex' | 'binary') => string;
// crypto.hash exists from Node 20.12; before, every digest is createHmac's.
const oneShot = (crypto as { hash?: OneShot }).hash;

export class Hmac {
  private readonly key: Buffer;
  private readonly block: number;
  /** K ⊕ ipad, then the message. */
  private readonly inner: Buffer | undefined;
  /** K ⊕ opad, then the inner digest. */
  private readonly outer: Buffer | undefined;

  constructor(
    private readonly algorithm: HmacAlgorithm,
    key: Buffer,
  ) {
    this.key = Buffer.from(key);
    const { block, digest } = SIZES[algorithm];
    this.block = block;
    if (oneShot === undefined) return;
    const k = Buffer.alloc(block);
    (key.length > block ? crypto.createHash(algorithm).update(key).digest() : key).copy(k);
    this.inner = Buffer.alloc(block + MAX_MESSAGE_BYTES);
    this.outer = Buffer.alloc(block + digest);
    for (let i = 0; i < block; i++) {
      this.inner[i] = (k[i] as number) ^ 0x36;
      this.outer[i] = (k[i] as number) ^ 0x5c;
    }
  }

  /** The digest as lowercase hex. */
  hex(message: string): string {
    return this.digest(message, 'hex');
  }

  /** The digest's bytes (from Buffer's pool: no ArrayBuffer of its own). */
  bytes(message: string): Buffer {
    return Buffer.from(this.digest(message, 'binary'), 'binary');
  }

  private digest(message: string, encoding: 'hex' | 'binary'): string {
    const { inner, outer, block, algorithm } = this;
    // Synchronous from the write to the last hash: the buffers are never shared by two calls.
    if (oneShot !== undefined && inner !== undefined && outer !== undefined && message.length <= MAX_MESSAGE_BYTES / 3) {
      const n = inner.write(message, block, 'utf8');
      outer.write(oneShot(algorithm, inner.subarray(0, block + n), 'binary'), block, 'binary');
      return oneShot(algorithm, outer, encoding);
    }
    return crypto.createHmac(algorithm, this.key).update(message, 'utf8').digest(encoding);
  }
}
