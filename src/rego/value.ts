// Rego values. JSON scalars are JS scalars; arrays are (never mutated) JS arrays;
// objects and sets are classes because Rego allows any value as an object key or
// set element. Integers outside the safe range are bigints so they never lose precision;
// `normNum` keeps every integer in the safe range a plain number, so a value has one
// representation and `===` works on scalars.

import { RegoError } from './errors.js';

export type Value = null | boolean | number | bigint | string | Value[] | ObjectV | SetV;

/** Map key for a value: scalars are themselves; strings escaped if they start with NUL; composites canonical. */
export type Key = string | number | boolean | null | bigint;

export function normNum(n: number | bigint): number | bigint {
  if (typeof n === 'bigint') {
    return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n;
  }
  if (Number.isInteger(n) && !Number.isSafeInteger(n) && Number.isFinite(n)) return BigInt(n);
  return n === 0 ? 0 : n; // fold -0 into 0
}

/**
 * Largest power of ten a number literal may reach. OPA refuses literals whose binary exponent
 * passes 1e5 ("number too big"); 10^30000 is just below 2^100000.
 */
export const MAX_DECIMAL_EXPONENT = 30_000;

const NUMBER_TEXT = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * The value of a JSON/Rego number literal, kept exact as OPA keeps it: an integer of any size
 * (however it is written: `1e1000`, `123456789012345678901234567890e0`, `2.50e2`) is exact;
 * other values are the nearest double. Null when the text is not a number or it is too big.
 */
export function parseNumberText(raw: string): number | bigint | null {
  const m = NUMBER_TEXT.exec(raw);
  if (m === null) return null;
  const [, sign, int, frac = '', expText] = m;
  if (frac === '' && expText === undefined) {
    // plain integer: the common case stays a double when it fits
    const n = Number(raw);
    return Number.isSafeInteger(n) ? normNum(n) : normNum(BigInt(raw));
  }
  const digits = (int + frac).replace(/^0+/, '');
  if (digits === '') return 0;
  const exp = (expText === undefined ? 0 : Number(expText)) - frac.length; // value = digits * 10^exp
  const magnitude = exp + digits.length;
  if (Math.abs(magnitude) > MAX_DECIMAL_EXPONENT || !Number.isFinite(exp)) return null;
  if (exp >= 0) return normNum(BigInt(sign + digits) * 10n ** BigInt(exp));
  const trailing = digits.length - digits.replace(/0+$/, '').length;
  if (trailing >= -exp) return normNum(BigInt(sign + digits.slice(0, digits.length + exp)));
  const n = Number(raw);
  return Number.isFinite(n) ? normNum(n) : null;
}

export function keyOf(v: Value): Key {
  switch (typeof v) {
    case 'string':
      return v.charCodeAt(0) === 0 ? '\u0000"' + v : v;
    case 'number':
    case 'boolean':
    case 'bigint':
      return v;
    default:
      if (v === null) return null;
      if (Array.isArray(v)) return '\u0000' + canonical(v);
      // cached: a fresh concatenation would be flattened and hashed again on every map operation
      return v.mapKey ?? (v.mapKey = '\u0000' + canonical(v));
  }
}

export class ObjectV {
  readonly map: Map<Key, [Value, Value]>;
  private sortedCache: [Value, Value][] | null = null;
  /** Cached canonical text (objects are immutable once built). */
  canon: string | null = null;
  /** Cached keyOf (the canonical text behind a NUL): reset with canon. */
  mapKey: string | null = null;
  /** Set by the evaluator on documents it assembles from rule heads (they may merge). */
  assembled = false;
  /** Set by the evaluator on values that live as long as the compiled policy (memo keys). */
  owned = false;

  constructor(entries?: Iterable<[Value, Value]>) {
    this.map = new Map();
    if (entries) for (const [k, v] of entries) this.map.set(keyOf(k), [k, v]);
  }

  static fromStringMap(m: Map<string, Value> | Record<string, Value>): ObjectV {
    const o = new ObjectV();
    const it = m instanceof Map ? m.entries() : Object.entries(m);
    for (const [k, v] of it) o.map.set(keyOf(k), [k, v]);
    return o;
  }

  get size(): number {
    return this.map.size;
  }

  get(k: Value): Value | undefined {
    const e = this.map.get(keyOf(k));
    return e === undefined ? undefined : e[1];
  }

  /** Fast path for string keys that cannot start with NUL (the common case). */
  getStr(k: string): Value | undefined {
    const e = this.map.get(k.charCodeAt(0) === 0 ? '\u0000"' + k : k);
    return e === undefined ? undefined : e[1];
  }

  has(k: Value): boolean {
    return this.map.has(keyOf(k));
  }

  /** Mutates: only for objects still under construction. */
  set(k: Value, v: Value): void {
    this.map.set(keyOf(k), [k, v]);
    this.sortedCache = null;
    this.canon = null;
    this.mapKey = null;
  }

  delete(k: Value): void {
    this.map.delete(keyOf(k));
    this.sortedCache = null;
    this.canon = null;
    this.mapKey = null;
  }

  entries(): IterableIterator<[Value, Value]> {
    return this.map.values();
  }

  keys(): Value[] {
    const out: Value[] = [];
    for (const e of this.map.values()) out.push(e[0]);
    return out;
  }

  /** Entries in key order (cached: objects are immutable once built). */
  sorted(): [Value, Value][] {
    if (this.sortedCache === null) this.sortedCache = sortSmall(Array.from(this.map.values()), byKey);
    return this.sortedCache;
  }
}

/** Longest array sortSmall sorts by insertion. */
const INSERTION_SORT_MAX = 12;

/**
 * xs sorted in place. Array.prototype.sort copies its input to a work array first: for the
 * small objects and sets an evaluation keys and walks (most have a handful of entries) an
 * insertion sort is as fast and allocates nothing.
 */
function sortSmall<T>(xs: T[], cmp: (a: T, b: T) => number): T[] {
  if (xs.length > INSERTION_SORT_MAX) return xs.sort(cmp);
  for (let i = 1; i < xs.length; i++) {
    const x = xs[i];
    let j = i - 1;
    while (j >= 0 && cmp(xs[j], x) > 0) {
      xs[j + 1] = xs[j];
      j--;
    }
    xs[j + 1] = x;
  }
  return xs;
}

/** Entry order of ObjectV.sorted (one function, not a closure per call). */
function byKey(a: [Value, Value], b: [Value, Value]): number {
  const x = a[0];
  const y = b[0];
  return typeof x === 'string' && typeof y === 'string' ? compareStrings(x, y) : compare(x, y);
}

/** Elements a set compares one by one before it keys them (see SetV). */
const UNKEYED_MAX = 8;

export class SetV {
  /** The elements while there are at most UNKEYED_MAX: a composite's key is its canonical text,
   * which costs more to build and hash than comparing a few elements with equal() (and most sets
   * an evaluation builds are small, many empty); null once they are keyed in `map`. */
  private few: Value[] | null = null;
  /** Elements by key, once there were more than UNKEYED_MAX. */
  private map: Map<Key, Value> | null = null;
  private sortedCache: Value[] | null = null;
  /** Cached canonical text (sets are immutable once built). */
  canon: string | null = null;
  /** Cached keyOf (the canonical text behind a NUL): reset with canon. */
  mapKey: string | null = null;
  /** Set by the evaluator on documents it assembles from rule heads (they may merge). */
  assembled = false;
  /** Set by the evaluator on values that live as long as the compiled policy (memo keys). */
  owned = false;

  constructor(items?: Iterable<Value>) {
    if (items) for (const v of items) this.add(v);
  }

  get size(): number {
    return this.map !== null ? this.map.size : this.few !== null ? this.few.length : 0;
  }

  has(v: Value): boolean {
    if (this.map !== null) return this.map.has(keyOf(v));
    if (this.few !== null) for (const x of this.few) if (equal(x, v)) return true;
    return false;
  }

  /** Mutates: only for sets still under construction. */
  add(v: Value): void {
    this.sortedCache = null;
    this.canon = null;
    this.mapKey = null;
    if (this.map !== null) {
      this.map.set(keyOf(v), v);
      return;
    }
    const few = (this.few ??= []);
    for (const x of few) if (equal(x, v)) return;
    few.push(v);
    if (few.length > UNKEYED_MAX) {
      const m = new Map<Key, Value>();
      for (const x of few) m.set(keyOf(x), x);
      this.map = m;
      this.few = null;
    }
  }

  /** Every element, in no particular order (sorted() for OPA's). */
  values(): IterableIterator<Value> {
    return this.map !== null ? this.map.values() : (this.few ?? NO_VALUES).values();
  }

  sorted(): Value[] {
    if (this.sortedCache === null) {
      const xs = this.map !== null ? Array.from(this.map.values()) : this.few !== null ? this.few.slice() : [];
      this.sortedCache = sortSmall(xs, compare);
    }
    return this.sortedCache;
  }
}

const NO_VALUES: readonly Value[] = [];

export type TypeName = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' | 'set';

export function typeName(v: Value): TypeName {
  switch (typeof v) {
    case 'boolean':
      return 'boolean';
    case 'number':
    case 'bigint':
      return 'number';
    case 'string':
      return 'string';
    default:
      if (v === null) return 'null';
      if (Array.isArray(v)) return 'array';
      if (v instanceof ObjectV) return 'object';
      return 'set';
  }
}

const RANK: Record<TypeName, number> = { null: 0, boolean: 1, number: 2, string: 3, array: 4, object: 5, set: 6 };

export function isNumber(v: Value): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}

/** Go compares strings by UTF-8 bytes, i.e. by code point; JS `<` compares UTF-16 units. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  // most keys differ in their first unit: below the surrogates, that unit decides
  const a0 = a.charCodeAt(0);
  const b0 = b.charCodeAt(0);
  if (a0 !== b0 && a0 < 0xd800 && b0 < 0xd800) return a0 < b0 ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys) return xs ? 1 : -1; // a surrogate encodes a code point above any BMP unit
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** OPA's total order across types: null < boolean < number < string < array < object < set. */
export function compare(a: Value, b: Value): number {
  if (a === b) return 0;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b); // the common case: object keys
  const ta = typeName(a);
  const tb = typeName(b);
  if (ta !== tb) return RANK[ta] < RANK[tb] ? -1 : 1;
  switch (ta) {
    case 'null':
      return 0;
    case 'boolean':
      return a === b ? 0 : a === false ? -1 : 1;
    case 'number':
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 'string':
      return compareStrings(a as string, b as string);
    case 'array': {
      const x = a as Value[];
      const y = b as Value[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compare(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
    }
    case 'object': {
      const x = (a as ObjectV).sorted();
      const y = (b as ObjectV).sorted();
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const ck = compare(x[i][0], y[i][0]);
        if (ck !== 0) return ck;
        const cv = compare(x[i][1], y[i][1]);
        if (cv !== 0) return cv;
      }
      return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
    }
    case 'set': {
      const x = (a as SetV).sorted();
      const y = (b as SetV).sorted();
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compare(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
    }
  }
}

export function equal(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    // number vs bigint only differ in representation when one side is an unsafe integer float
    return isNumber(a) && isNumber(b) ? a == b : false;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof ObjectV) {
    if (!(b instanceof ObjectV) || a.size !== b.size) return false;
    const ta = ownedText(a);
    const tb = ta === null ? null : ownedText(b);
    if (tb !== null) return ta === tb;
    for (const [k, [, v]] of a.map) {
      const e = b.map.get(k);
      if (e === undefined || !equal(v, e[1])) return false;
    }
    return true;
  }
  if (!(b instanceof SetV) || a.size !== b.size) return false;
  const ta = ownedText(a);
  const tb = ta === null ? null : ownedText(b);
  if (tb !== null) return ta === tb;
  for (const x of a.values()) if (!b.has(x)) return false;
  return true;
}

/** Entries of a composite whose canonical text equal() may make and keep (see ownedText). */
const OWNED_TEXT_MAX = 8;

/**
 * The canonical text (keyOf) of an object or set that lives as long as the policy (`owned`: its
 * data, memo keys; immutable), which equal() then compares instead of entry by entry in every
 * evaluation — e.g. a set of grants from data, deduplicated by comparing them. Made and kept only
 * for a composite of at most OWNED_TEXT_MAX scalars (or one whose text is kept already): the text
 * of a large or nested document would be kept at each level, multiplying its memory.
 */
function ownedText(v: ObjectV | SetV): string | null {
  if (!v.owned) return null;
  if (v.mapKey !== null) return v.mapKey;
  if (v.size > OWNED_TEXT_MAX) return null;
  if (v instanceof ObjectV) {
    for (const [k, x] of v.map.values()) if (isComposite(k) || isComposite(x)) return null;
  } else for (const x of v.values()) if (isComposite(x)) return null;
  return keyOf(v) as string;
}

function isComposite(v: Value): boolean {
  return typeof v === 'object' && v !== null;
}

/** Format a number as OPA prints it in JSON. */
export function formatNumber(n: number | bigint): string {
  if (typeof n === 'bigint') return n.toString();
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toString();
  return String(n);
}

/** Characters JSON.stringify escapes (surrogates: only when unpaired, so any sends it the slow way). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;

/** JSON.stringify of a string, without its cost (several times a regex test) for plain text. */
export function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"';
}

/** Canonical text of a value: deterministic, used for keys, hashing and sorting ties. */
export function canonical(v: Value): string {
  switch (typeof v) {
    case 'string':
      return quote(v);
    case 'number':
      // An integer past 2^53 may be held as a float or as a bigint, and equal() finds the two
      // equal: both get the bigint's digits (formatNumber writes a float from 1e21 on as 1e+21).
      return Number.isInteger(v) && !Number.isSafeInteger(v) ? BigInt(v).toString() : formatNumber(v);
    case 'bigint':
      return formatNumber(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      if (v === null) return 'null';
      // string building in loops: no intermediate arrays (this runs for every composite set element)
      if (Array.isArray(v)) {
        let s = '[';
        for (let i = 0; i < v.length; i++) s += (i === 0 ? '' : ',') + canonical(v[i]);
        return s + ']';
      }
      if (v.canon !== null) return v.canon;
      if (v instanceof ObjectV) {
        const es = v.sorted();
        let s = '{';
        for (let i = 0; i < es.length; i++) s += (i === 0 ? '' : ',') + canonical(es[i][0]) + ':' + canonical(es[i][1]);
        return (v.canon = s + '}');
      }
      {
        const es = v.sorted();
        let s = '<';
        for (let i = 0; i < es.length; i++) s += (i === 0 ? '' : ',') + canonical(es[i]);
        return (v.canon = s + '>');
      }
  }
}

/** Parts of a document: for each key, its whole value (true) or the parts of it, alike. */
export type ReadPaths = ReadonlyMap<string, ReadPaths | true>;

export interface FromJSONOptions {
  /** Refuse documents nested deeper than this (protects the evaluator's recursion). */
  maxDepth?: number;
  /** Only these parts of a plain object are converted (the rest is left out): the parts of the
   * input a policy can read (compiler/input-keys.ts). An object reached here holds only the keys
   * read; a policy that could observe its other keys (iterate it, compare it, count it) reads it
   * whole. Anything but a plain object is converted whole. */
  reads?: ReadPaths;
  /** The value lives as long as a compiled policy (a bundle's data), not one evaluation. */
  longLived?: boolean;
}

/** Convert parsed JSON (or YAML) into a Rego value. Plain objects become ObjectV. */
export function fromJSON(x: unknown, opts: FromJSONOptions = {}): Value {
  const maxDepth = opts.maxDepth ?? 10_000;
  // Module functions, not closures made per call: a new closure's first call goes through V8's
  // lazy-compile stub (~350 instructions each, two per decision: bench/http/profile.mjs).
  const longLived = opts.longLived === true;
  return opts.reads === undefined ? convert(x, 0, maxDepth, longLived) : convertPart(x, opts.reads, 0, maxDepth, longLived);
}

function tooDeep(maxDepth: number): RegoError {
  return new RegoError('eval_type_error', `document nested deeper than ${maxDepth} levels`);
}

// Long-lived values are allocated at their own sites (the duplicated expressions below): V8
// decides per allocation site whether to allocate in the old generation ("pretenuring"), from
// how many of its objects survive collections. A bundle's data survives; a request's input does
// not. Sharing one site, a bundle's data could get the site pretenured, and then every input
// was allocated in the old generation: conversion 0.65 → 12–16 µs per tool-call input, with
// mark-compacts to free them (7 of 10 processes, by when collections happened: measured by
// bench/rego/input-conversion.bench.mjs).
function convert(y: unknown, depth: number, maxDepth: number, longLived: boolean): Value {
  if (depth > maxDepth) throw tooDeep(maxDepth);
  switch (typeof y) {
    case 'string':
    case 'boolean':
      return y;
    case 'number':
      if (!Number.isFinite(y)) throw new RegoError('eval_type_error', `number ${y} is not representable`);
      return normNum(y);
    case 'bigint':
      return normNum(y);
    case 'undefined':
      return null;
    case 'object': {
      if (y === null) return null;
      if (Array.isArray(y)) {
        const out = longLived ? new Array<Value>(y.length) : new Array<Value>(y.length);
        for (let i = 0; i < y.length; i++) out[i] = convert(y[i], depth + 1, maxDepth, longLived);
        return out;
      }
      const proto: unknown = Object.getPrototypeOf(y);
      if (proto === Object.prototype || proto === null) {
        // a parsed JSON object (the common case): no class checks, keys read in one pass
        const o = new ObjectV();
        const m = o.map;
        for (const k in y) {
          if (!Object.prototype.hasOwnProperty.call(y, k)) continue;
          const v = convert((y as Record<string, unknown>)[k], depth + 1, maxDepth, longLived);
          m.set(k.charCodeAt(0) === 0 ? keyOf(k) : k, longLived ? [k, v] : [k, v]);
        }
        return o;
      }
      if (y instanceof ObjectV || y instanceof SetV) return y;
      if (y instanceof Map) {
        const o = new ObjectV();
        for (const [k, v] of y) o.set(convert(k, depth + 1, maxDepth, longLived), convert(v, depth + 1, maxDepth, longLived));
        return o;
      }
      if (y instanceof Set) {
        const s = new SetV();
        for (const v of y) s.add(convert(v, depth + 1, maxDepth, longLived));
        return s;
      }
      const o = new ObjectV();
      for (const k of Object.keys(y)) o.map.set(keyOf(k), [k, convert((y as Record<string, unknown>)[k], depth + 1, maxDepth, longLived)]);
      return o;
    }
    default:
      throw new RegoError('eval_type_error', `cannot convert ${typeof y} to a Rego value`);
  }
}

/** The parts read of a plain object; anything else whole. */
function convertPart(y: unknown, reads: ReadPaths, depth: number, maxDepth: number, longLived: boolean): Value {
  if (typeof y !== 'object' || y === null || Array.isArray(y)) return convert(y, depth, maxDepth, longLived);
  const proto: unknown = Object.getPrototypeOf(y);
  if (proto !== Object.prototype && proto !== null) return convert(y, depth, maxDepth, longLived);
  if (depth > maxDepth) throw tooDeep(maxDepth);
  const o = new ObjectV();
  for (const [k, sub] of reads) {
    if (!Object.prototype.hasOwnProperty.call(y, k)) continue;
    const v = (y as Record<string, unknown>)[k];
    const part = sub === true ? convert(v, depth + 1, maxDepth, longLived) : convertPart(v, sub, depth + 1, maxDepth, longLived);
    o.map.set(k.charCodeAt(0) === 0 ? keyOf(k) : k, [k, part]);
  }
  return o;
}

/** JSON-compatible form of a value (what OPA's JSON API returns): sets become sorted
 * arrays, non-string object keys become their JSON text. Integers beyond 2^53 stay bigint. */
export function toJSON(v: Value): unknown {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
      return v;
    default:
      if (v === null) return null;
      if (Array.isArray(v)) return v.map(toJSON);
      if (v instanceof ObjectV) {
        const out: Record<string, unknown> = {};
        for (const [k, x] of v.sorted()) {
          const ks = typeof k === 'string' ? k : stringify(k);
          // an own "__proto__" key needs defineProperty (assignment would set the prototype);
          // every other key is assigned, several times faster
          if (ks === '__proto__') Object.defineProperty(out, ks, { value: toJSON(x), enumerable: true, writable: true, configurable: true });
          else out[ks] = toJSON(x);
        }
        return out;
      }
      return v.sorted().map(toJSON);
  }
}

/** JSON text of a value, keys sorted; bigints printed exactly. */
export function stringify(v: Value): string {
  switch (typeof v) {
    case 'string':
      return quote(v);
    case 'number':
    case 'bigint':
      return formatNumber(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      if (v === null) return 'null';
      if (Array.isArray(v)) return '[' + v.map(stringify).join(',') + ']';
      if (v instanceof ObjectV) {
        return (
          '{' +
          v
            .sorted()
            .map(([k, x]) => quote(typeof k === 'string' ? k : stringify(k)) + ':' + stringify(x))
            .join(',') +
          '}'
        );
      }
      return '[' + v.sorted().map(stringify).join(',') + ']';
  }
}

/** Approximate size in "nodes" used by the output-size budget. */
export function sizeOf(v: Value, limit = Infinity): number {
  let n = 0;
  const walk = (x: Value): void => {
    if (n > limit) return;
    n++;
    if (typeof x !== 'object' || x === null) {
      if (typeof x === 'string') n += x.length >> 6;
      return;
    }
    if (Array.isArray(x)) for (const y of x) walk(y);
    else if (x instanceof ObjectV)
      for (const [k, y] of x.map.values()) {
        walk(k);
        walk(y);
      }
    else for (const y of x.values()) walk(y);
  };
  walk(v);
  return n;
}
