// The cache key: sha256 over (bundle revisions and content digests sorted by bundle name,
// decision path, canonical JSON of the input). Canonical JSON sorts object keys, so two inputs that are
// equal as JSON get the same key whatever order the caller wrote their fields in.
import * as crypto from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import type { CacheQuery } from '../decisions/types.js';

const canonicalJSON = configure({
  deterministic: true,
  bigint: true,
  // Inputs come from JSON bodies and cannot be circular; if one ever is, refuse loudly
  // rather than hashing a placeholder that could collide.
  circularValue: TypeError,
});

/** What the key is made of: see CacheQuery. `undefined` input (none) is distinct from `null`;
 * OPA's strict-builtin-errors mode changes results, so it is part of the key. */
export type CacheKeyParts = Pick<CacheQuery, 'revisions' | 'digests' | 'path' | 'input'> & { strict?: boolean };

export function normalizePath(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}

// A policy snapshot's revisions/digests objects live as long as the snapshot: sort them once,
// not per request.
const sortedPairsOf = new WeakMap<object, [string, string][]>();

function sortedPairs(o: Readonly<Record<string, string>>): [string, string][] {
  let pairs = sortedPairsOf.get(o);
  if (!pairs) {
    pairs = Object.keys(o)
      .sort()
      .map((name): [string, string] => [name, o[name] as string]);
    sortedPairsOf.set(o, pairs);
  }
  return pairs;
}

export function decisionCacheKey(parts: CacheKeyParts): string {
  const revisions = sortedPairs(parts.revisions);
  const digests = parts.digests ? sortedPairs(parts.digests) : [];
  const material = canonicalJSON({
    v: 1,
    revisions,
    digests,
    path: normalizePath(parts.path),
    strict: parts.strict === true,
    has_input: parts.input !== undefined,
    input: parts.input === undefined ? null : parts.input,
  });
  // Always a string for an object argument; the check keeps the type honest.
  if (material === undefined) throw new TypeError('cache key material did not serialize');
  return sha256Hex(material);
}

// crypto.hash (Node ≥ 20.12) hashes in one call, about twice as fast as a Hash object for
// inputs this small; older Node 20 releases take the Hash object.
const sha256Hex: (s: string) => string =
  typeof crypto.hash === 'function' ? (s) => crypto.hash('sha256', s, 'hex') : (s) => crypto.createHash('sha256').update(s).digest('hex');
