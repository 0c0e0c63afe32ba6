// API keys: random, high-entropy keys that callers present as `Authorization: Bearer <key>`.
// Only the sha256 of each key is configured and kept. A fast hash, not a slow KDF (bcrypt,
// scrypt, argon2), on purpose: those exist to slow down guessing of low-entropy passwords, but a
// key here is 256 random bits (pdp auth new-key), so guessing it — or inverting its hash — is
// infeasible at any speed; a fast hash keeps the per-request cost to about a microsecond, and
// lets the lookup be one map access by hash instead of a KDF run per configured key.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyConfig } from '../config/types.js';
import { grantsOf, SCOPE, type Grants } from './scopes.js';
import type { AuthIdentity } from './identity.js';

/** Recognisable by secret scanners and by people; carries no meaning for verification. */
export const API_KEY_PREFIX = 'pdp_';

/** A new key: the prefix and 32 random bytes, base64url (256 bits of entropy). */
export function newApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function sha256Hex(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

interface StoredKey {
  readonly digest: Buffer;
  readonly identity: AuthIdentity;
}

export class ApiKeyStore {
  private readonly byHash = new Map<string, StoredKey>();

  constructor(entries: readonly ApiKeyConfig[]) {
    for (const e of entries) {
      const grants: Grants = grantsOf(e.scopes);
      // One identity object per key, shared by all its requests.
      const identity: AuthIdentity = Object.freeze({ id: e.name, method: 'api_key', mayAssertOnBehalfOf: grants.has(SCOPE.assertOnBehalfOf), grants });
      this.byHash.set(e.sha256, { digest: Buffer.from(e.sha256, 'hex'), identity });
    }
  }

  get size(): number {
    return this.byHash.size;
  }

  /** The key's identity, or undefined for an unknown key. The map is keyed by the hash of the
   * presented key, so lookup timing depends only on that hash, which tells an attacker nothing
   * about any configured key; the final comparison is constant-time all the same. */
  lookup(presented: string): AuthIdentity | undefined {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    const stored = this.byHash.get(digest.toString('hex'));
    if (!stored || !timingSafeEqual(digest, stored.digest)) return undefined;
    return stored.identity;
  }
}
