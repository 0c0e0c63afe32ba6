// The cache key: sha256 over (bundle revisions and content digests sorted by bundle name,
// decision path, canonical JSON of the input). Canonical JSON sorts object keys, so two inputs that are
// equal as JSON get the same key whatever order the caller wrote their fields in.
import * as crypto from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import { isDeeplyFrozen } from '../shared/deep-freeze.js';
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

// The material around the input is the same for every request on one path of one snapshot:
// written once per (snapshot, path, flags). The text is exactly what canonicalJSON makes of the
// whole object (its keys sorted: digests, has_input, input, path, revisions, strict, v), so keys
// do not change with this shortcut.
interface Frame {
  readonly digests: object | undefined;
  /** By the flags (has input: 2, strict: 1), then by the path as asked: a request's path is a
   * string the route holds, whose hash V8 keeps — not a key string made per request (its hashing
   * and normalizing were ~2,000 instructions of a cache hit). */
  readonly around: readonly [Around, Around, Around, Around];
}
type Around = Map<string, readonly [string, string]>;
const framesOf = new WeakMap<object, Frame>();
/** Frames kept per snapshot before starting over (paths come from requests: bounded). */
const MAX_FRAMES = 256;

function frameOf(parts: CacheKeyParts): readonly [string, string] {
  let f = framesOf.get(parts.revisions);
  if (f === undefined || f.digests !== parts.digests) {
    f = { digests: parts.digests, around: [new Map(), new Map(), new Map(), new Map()] };
    framesOf.set(parts.revisions, f);
  }
  const hasInput = parts.input !== undefined;
  const strict = parts.strict === true;
  const byPath = f.around[(hasInput ? 2 : 0) + (strict ? 1 : 0)];
  let around = byPath.get(parts.path);
  if (around === undefined) {
    const path = normalizePath(parts.path);
    const rest = canonicalJSON({ path, revisions: sortedPairs(parts.revisions), strict, v: 1 });
    const digests = canonicalJSON(parts.digests ? sortedPairs(parts.digests) : []);
    if (rest === undefined || digests === undefined) throw new TypeError('cache key material did not serialize');
    around = [`{"digests":${digests},"has_input":${hasInput},"input":`, `,${rest.slice(1)}`];
    if (f.around.reduce((n, m) => n + m.size, 0) >= MAX_FRAMES) for (const m of f.around) m.clear();
    byPath.set(parts.path, around);
  }
  return around;
}

export function decisionCacheKey(parts: CacheKeyParts): string {
  const frame = frameOf(parts);
  const input = parts.input;
  // A deeply frozen input cannot change: its key is kept with it (a repeated body's parse is
  // shared by every request that sends it again: src/api/repeated-bodies.ts).
  if (!isDeeplyFrozen(input)) return keyIn(frame, canonicalInput(input));
  let known = keysOfFrozen.get(input);
  if (known === undefined) keysOfFrozen.set(input, (known = { frame, key: keyIn(frame, canonicalInput(input)) }));
  else if (known.frame !== frame) {
    known.frame = frame;
    known.key = keyIn(frame, canonicalInput(input));
  }
  return known.key;
}

/** The last key made for a deeply frozen input, and in which frame (a new snapshot or another path: another key). */
const keysOfFrozen = new WeakMap<object, { frame: readonly [string, string]; key: string }>();

function canonicalInput(input: unknown): string {
  const text = canonicalJSON(input === undefined ? null : input);
  // Always a string for a JSON value; the check keeps the type honest.
  if (text === undefined) throw new TypeError('cache key material did not serialize');
  return text;
}

function keyIn([before, after]: readonly [string, string], input: string): string {
  return sha256Hex(before + input + after);
}

// crypto.hash (Node ≥ 20.12) hashes in one call, about twice as fast as a Hash object for
// inputs this small; older Node 20 releases take the Hash object.
const sha256Hex: (s: string) => string =
  typeof crypto.hash === 'function' ? (s) => crypto.hash('sha256', s, 'hex') : (s) => crypto.createHash('sha256').update(s).digest('hex');
