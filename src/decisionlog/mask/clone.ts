// Deep copies for masking. A record is JSON data (parsed bodies, policy results, integers past
// 2^53 as bigints): a plain walk copies it several times faster than structuredClone, which
// serializes through V8's value serializer.
import { MASKABLE_ROOTS } from './rules.js';

/** A deep copy of JSON data (objects, arrays, scalars, bigints); throws on anything else, as
 * structuredClone did, so a hostile mask value fails closed instead of being copied by reference. */
export function cloneJson<T>(v: T): T {
  if (typeof v === 'function' || typeof v === 'symbol') throw new TypeError(`a ${typeof v} is not JSON data`);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(cloneJson) as T;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const c = cloneJson((v as Record<string, unknown>)[k]);
    // An own "__proto__" key (JSON allows it) must stay a key, not become the prototype.
    if (k === '__proto__') Object.defineProperty(out, k, { value: c, enumerable: true, writable: true, configurable: true });
    else out[k] = c;
  }
  return out as T;
}

/** A shallow copy of a record. Not an object spread: on Node 20 (V8 11) the spread copy of a
 * record (about 30 fields) went to the old generation under load — at 3,000 cache hits a second
 * ~390 KB at every scavenge, and a mark-compact every few seconds — where Object.assign's copy
 * does not (docs/benchmarks.md, session 15). A record's top-level keys are the log's own (never
 * `__proto__`, which Object.assign would set as the prototype): request data sits below them. */
export function shallowCopy<R extends object>(record: R): R {
  return Object.assign({}, record);
}

/** Deep-copies the record's maskable fields in place (mask rules address nothing else): for a
 * record that is the caller's own — a copy, or a record handed over to be masked. */
export function copyMaskableFields<R extends object>(record: R): R {
  const r = record as Record<string, unknown>;
  for (const f of MASKABLE_ROOTS) if (f in r) r[f] = cloneJson(r[f]);
  return record;
}
