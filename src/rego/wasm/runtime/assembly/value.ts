// Rego values: null, boolean, number, string, array, object, set. Objects and sets are hash
// tables keyed by value (hash + equality below), so any value can be a key. Comparison is OPA's
// total order: null < boolean < number < string < array < object < set.

export const T_NULL: i32 = 0;
export const T_BOOL: i32 = 1;
export const T_NUM: i32 = 2;
export const T_STR: i32 = 3;
export const T_ARR: i32 = 4;
export const T_OBJ: i32 = 5;
export const T_SET: i32 = 6;

export class Value {
  tag: i32;
  constructor(tag: i32) {
    this.tag = tag;
  }
}

export class VBool extends Value {
  b: bool;
  constructor(b: bool) {
    super(T_BOOL);
    this.b = b;
  }
}

export class VNum extends Value {
  n: f64;
  /** the number's source text when a double cannot hold it (more than 15 significant digits, or out of range) */
  raw: string | null;
  /** exact: an integer that i holds exactly (n is its nearest double). Integers stay exact
   * through arithmetic while they fit in 64 bits: nanosecond timestamps need it */
  exact: bool;
  i: i64;
  constructor(n: f64, raw: string | null = null) {
    super(T_NUM);
    this.n = n;
    this.raw = raw;
    // every integral double up to 2^53 is an exact integer
    this.exact = raw === null && Math.abs(n) <= 9007199254740992.0 && n == Math.floor(n);
    this.i = this.exact ? <i64>n : 0;
  }
  static int(i: i64): VNum {
    const v = new VNum(<f64>i);
    v.exact = true;
    v.i = i;
    return v;
  }
}

const I64_LIMIT: f64 = 9223372036854775808.0;

/** n as an exact integer when it is one (exact, or an integral double inside i64's range) */
function intOfNum(v: VNum, out: StaticArray<i64>): bool {
  if (v.exact) {
    unchecked((out[0] = v.i));
    return true;
  }
  const n = v.n;
  if (n == Math.floor(n) && n > -I64_LIMIT && n < I64_LIMIT) {
    unchecked((out[0] = <i64>n));
    return true;
  }
  return false;
}

const scratchA = new StaticArray<i64>(1);
const scratchB = new StaticArray<i64>(1);

/** compares two numbers: exactly when both are integers, else as doubles */
export function compareNum(a: VNum, b: VNum): i32 {
  if ((a.exact || b.exact) && intOfNum(a, scratchA) && intOfNum(b, scratchB)) {
    const x = unchecked(scratchA[0]);
    const y = unchecked(scratchB[0]);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = a.n;
  const y = b.n;
  return x < y ? -1 : x > y ? 1 : 0;
}

export class VStr extends Value {
  s: string;
  constructor(s: string) {
    super(T_STR);
    this.s = s;
  }
}

export class VArr extends Value {
  a: Array<Value>;
  constructor(a: Array<Value>) {
    super(T_ARR);
    this.a = a;
  }
}

/** A hash table of values: the keys of an object (with vals) or the elements of a set. */
export class VTab extends Value {
  keys: Array<Value> = new Array<Value>();
  hashes: Array<u32> = new Array<u32>();
  /** open addressing over indexes + 1 (0: empty); made when the table grows beyond 8 entries */
  slots: StaticArray<i32> | null = null;
  constructor(tag: i32) {
    super(tag);
  }

  get size(): i32 {
    return this.keys.length;
  }

  find(k: Value, h: u32): i32 {
    const keys = this.keys;
    const slots = this.slots;
    if (slots === null) {
      const hs = this.hashes;
      for (let i = 0, n = keys.length; i < n; i++) {
        if (unchecked(hs[i]) == h && equal(unchecked(keys[i]), k)) return i;
      }
      return -1;
    }
    const mask = <u32>slots.length - 1;
    let j = h & mask;
    while (true) {
      const s = unchecked(slots[j]);
      if (s == 0) return -1;
      const i = s - 1;
      if (unchecked(this.hashes[i]) == h && equal(unchecked(keys[i]), k)) return i;
      j = (j + 1) & mask;
    }
  }

  indexOf(k: Value): i32 {
    return this.find(k, hash(k));
  }

  /** appends a key known to be absent; returns its index */
  protected append(k: Value, h: u32): i32 {
    const i = this.keys.length;
    this.keys.push(k);
    this.hashes.push(h);
    let slots = this.slots;
    if (slots === null) {
      if (i + 1 > 8) this.rehash(32);
    } else if ((i + 1) * 2 > slots.length) {
      this.rehash(slots.length * 2);
    } else {
      this.place(slots, h, i);
    }
    return i;
  }

  private place(slots: StaticArray<i32>, h: u32, i: i32): void {
    const mask = <u32>slots.length - 1;
    let j = h & mask;
    while (unchecked(slots[j]) != 0) j = (j + 1) & mask;
    unchecked((slots[j] = i + 1));
  }

  private rehash(cap: i32): void {
    const slots = new StaticArray<i32>(cap);
    for (let i = 0, n = this.keys.length; i < n; i++) this.place(slots, unchecked(this.hashes[i]), i);
    this.slots = slots;
  }
}

export class VObj extends VTab {
  vals: Array<Value> = new Array<Value>();
  constructor() {
    super(T_OBJ);
  }

  get(k: Value): Value | null {
    const i = this.find(k, hash(k));
    return i < 0 ? null : unchecked(this.vals[i]);
  }

  set(k: Value, v: Value): void {
    const h = hash(k);
    const i = this.find(k, h);
    if (i >= 0) {
      unchecked((this.vals[i] = v));
      return;
    }
    this.append(k, h);
    this.vals.push(v);
  }

  copy(): VObj {
    const o = new VObj();
    for (let i = 0, n = this.keys.length; i < n; i++) {
      o.append(unchecked(this.keys[i]), unchecked(this.hashes[i]));
      o.vals.push(unchecked(this.vals[i]));
    }
    return o;
  }
}

export class VSet extends VTab {
  constructor() {
    super(T_SET);
  }

  has(k: Value): bool {
    return this.find(k, hash(k)) >= 0;
  }

  add(k: Value): void {
    const h = hash(k);
    if (this.find(k, h) < 0) this.append(k, h);
  }
}

export const NULL: Value = new Value(T_NULL);
export const TRUE: VBool = new VBool(true);
export const FALSE: VBool = new VBool(false);

export function mkBool(b: bool): Value {
  return b ? TRUE : FALSE;
}
export function mkNum(n: f64): Value {
  return new VNum(n);
}
export function mkStr(s: string): Value {
  return new VStr(s);
}

// @ts-ignore: decorator
@inline export function asNum(v: Value): VNum {
  return changetype<VNum>(v);
}
// @ts-ignore: decorator
@inline export function asStr(v: Value): VStr {
  return changetype<VStr>(v);
}
// @ts-ignore: decorator
@inline export function asArr(v: Value): VArr {
  return changetype<VArr>(v);
}
// @ts-ignore: decorator
@inline export function asObj(v: Value): VObj {
  return changetype<VObj>(v);
}
// @ts-ignore: decorator
@inline export function asSet(v: Value): VSet {
  return changetype<VSet>(v);
}
// @ts-ignore: decorator
@inline export function asTab(v: Value): VTab {
  return changetype<VTab>(v);
}

// ---- hashing ----

function mix(h: u32): u32 {
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return h;
}

export function hashString(s: string): u32 {
  let h: u32 = 0x811c9dc5;
  const p = changetype<usize>(s);
  const n = <usize>s.length << 1;
  for (let i: usize = 0; i < n; i += 2) {
    h = (h ^ <u32>load<u16>(p + i)) * 0x01000193;
  }
  return h;
}

export function hash(v: Value): u32 {
  switch (v.tag) {
    case T_NULL:
      return 0x2545f491;
    case T_BOOL:
      return changetype<VBool>(v).b ? 0x9e3779b9 : 0x7f4a7c15;
    case T_NUM: {
      // integers hash by their exact value (equal numbers must hash alike: see compareNum)
      const x = asNum(v);
      const bits = intOfNum(x, scratchA) ? <u64>unchecked(scratchA[0]) : reinterpret<u64>(x.n);
      return mix(<u32>bits ^ mix(<u32>(bits >>> 32)));
    }
    case T_STR:
      return hashString(asStr(v).s);
    case T_ARR: {
      const a = asArr(v).a;
      let h: u32 = 0x345678;
      for (let i = 0, n = a.length; i < n; i++) h = mix(h * 31 + hash(unchecked(a[i])));
      return h;
    }
    case T_OBJ: {
      const o = asObj(v);
      let h: u32 = 0x6a09e667;
      for (let i = 0, n = o.keys.length; i < n; i++) {
        h += mix(unchecked(o.hashes[i]) ^ (hash(unchecked(o.vals[i])) * 0x27d4eb2d));
      }
      return h;
    }
    default: {
      const s = asSet(v);
      let h: u32 = 0x3c6ef372;
      for (let i = 0, n = s.keys.length; i < n; i++) h += mix(unchecked(s.hashes[i]));
      return h;
    }
  }
}

// ---- equality and order ----

export function equal(a: Value, b: Value): bool {
  if (a === b) return true;
  const t = a.tag;
  if (t != b.tag) return false;
  switch (t) {
    case T_NULL:
      return true;
    case T_BOOL:
      return changetype<VBool>(a).b == changetype<VBool>(b).b;
    case T_NUM:
      return compareNum(asNum(a), asNum(b)) == 0;
    case T_STR:
      return asStr(a).s == asStr(b).s;
    case T_ARR: {
      const x = asArr(a).a;
      const y = asArr(b).a;
      const n = x.length;
      if (n != y.length) return false;
      for (let i = 0; i < n; i++) if (!equal(unchecked(x[i]), unchecked(y[i]))) return false;
      return true;
    }
    case T_OBJ: {
      const x = asObj(a);
      const y = asObj(b);
      const n = x.keys.length;
      if (n != y.keys.length) return false;
      for (let i = 0; i < n; i++) {
        const j = y.find(unchecked(x.keys[i]), unchecked(x.hashes[i]));
        if (j < 0 || !equal(unchecked(x.vals[i]), unchecked(y.vals[j]))) return false;
      }
      return true;
    }
    default: {
      const x = asSet(a);
      const y = asSet(b);
      const n = x.keys.length;
      if (n != y.keys.length) return false;
      for (let i = 0; i < n; i++) if (y.find(unchecked(x.keys[i]), unchecked(x.hashes[i])) < 0) return false;
      return true;
    }
  }
}

// @ts-ignore: decorator
@inline function cpUnit(c: u32): u32 {
  // UTF-16 units in code point order: surrogates (U+10000 and up) sort after U+E000..U+FFFF
  return c >= 0xe000 ? c - 0x800 : c >= 0xd800 ? c + 0x2000 : c;
}

/** compares strings by Unicode code point */
export function compareStrings(a: string, b: string): i32 {
  const n = a.length;
  const m = b.length;
  const k = n < m ? n : m;
  const pa = changetype<usize>(a);
  const pb = changetype<usize>(b);
  for (let i = 0; i < k; i++) {
    const x = <u32>load<u16>(pa + (<usize>i << 1));
    const y = <u32>load<u16>(pb + (<usize>i << 1));
    if (x != y) return cpUnit(x) < cpUnit(y) ? -1 : 1;
  }
  return n < m ? -1 : n > m ? 1 : 0;
}

function cmpValues(a: Value, b: Value): i32 {
  return compare(a, b);
}

export function sortValues(xs: Array<Value>): Array<Value> {
  return xs.sort(cmpValues);
}

/** the indexes of an object's or set's keys in sorted key order */
export function sortedKeyIndexes(t: VTab): Array<i32> {
  const n = t.keys.length;
  const idx = new Array<i32>(n);
  for (let i = 0; i < n; i++) unchecked((idx[i] = i));
  if (n < 2) return idx;
  // insertion sort for short tables, merge sort otherwise (stable, with the value order)
  msort(idx, t.keys, 0, n, new Array<i32>(n));
  return idx;
}

function msort(idx: Array<i32>, keys: Array<Value>, lo: i32, hi: i32, tmp: Array<i32>): void {
  if (hi - lo <= 8) {
    for (let i = lo + 1; i < hi; i++) {
      const x = unchecked(idx[i]);
      const kx = unchecked(keys[x]);
      let j = i - 1;
      while (j >= lo && compare(unchecked(keys[unchecked(idx[j])]), kx) > 0) {
        unchecked((idx[j + 1] = idx[j]));
        j--;
      }
      unchecked((idx[j + 1] = x));
    }
    return;
  }
  const mid = (lo + hi) >>> 1;
  msort(idx, keys, lo, mid, tmp);
  msort(idx, keys, mid, hi, tmp);
  let i = lo;
  let j = mid;
  let k = lo;
  while (i < mid && j < hi) {
    if (compare(unchecked(keys[unchecked(idx[j])]), unchecked(keys[unchecked(idx[i])])) < 0) unchecked((tmp[k++] = idx[j++]));
    else unchecked((tmp[k++] = idx[i++]));
  }
  while (i < mid) unchecked((tmp[k++] = idx[i++]));
  while (j < hi) unchecked((tmp[k++] = idx[j++]));
  for (let x = lo; x < hi; x++) unchecked((idx[x] = tmp[x]));
}

export function compare(a: Value, b: Value): i32 {
  if (a === b) return 0;
  const t = a.tag;
  const u = b.tag;
  if (t != u) return t < u ? -1 : 1;
  switch (t) {
    case T_NULL:
      return 0;
    case T_BOOL: {
      const x = changetype<VBool>(a).b;
      const y = changetype<VBool>(b).b;
      return x == y ? 0 : x ? 1 : -1;
    }
    case T_NUM:
      return compareNum(asNum(a), asNum(b));
    case T_STR:
      return compareStrings(asStr(a).s, asStr(b).s);
    case T_ARR: {
      const x = asArr(a).a;
      const y = asArr(b).a;
      const n = x.length;
      const m = y.length;
      const k = n < m ? n : m;
      for (let i = 0; i < k; i++) {
        const c = compare(unchecked(x[i]), unchecked(y[i]));
        if (c != 0) return c;
      }
      return n < m ? -1 : n > m ? 1 : 0;
    }
    case T_OBJ: {
      const x = asObj(a);
      const y = asObj(b);
      const ix = sortedKeyIndexes(x);
      const iy = sortedKeyIndexes(y);
      const n = ix.length;
      const m = iy.length;
      const k = n < m ? n : m;
      for (let i = 0; i < k; i++) {
        const p = unchecked(ix[i]);
        const q = unchecked(iy[i]);
        let c = compare(unchecked(x.keys[p]), unchecked(y.keys[q]));
        if (c != 0) return c;
        c = compare(unchecked(x.vals[p]), unchecked(y.vals[q]));
        if (c != 0) return c;
      }
      return n < m ? -1 : n > m ? 1 : 0;
    }
    default: {
      const x = asSet(a);
      const y = asSet(b);
      const ix = sortedKeyIndexes(x);
      const iy = sortedKeyIndexes(y);
      const n = ix.length;
      const m = iy.length;
      const k = n < m ? n : m;
      for (let i = 0; i < k; i++) {
        const c = compare(unchecked(x.keys[unchecked(ix[i])]), unchecked(y.keys[unchecked(iy[i])]));
        if (c != 0) return c;
      }
      return n < m ? -1 : n > m ? 1 : 0;
    }
  }
}

/** removes key k from object o in place (opa_value_remove_path) */
export function objRemove(o: VObj, k: Value): bool {
  const i = o.indexOf(k);
  if (i < 0) return false;
  const keys = o.keys;
  const vals = o.vals;
  const out = new VObj();
  for (let j = 0; j < keys.length; j++) if (j != i) out.set(unchecked(keys[j]), unchecked(vals[j]));
  o.keys = out.keys;
  o.vals = out.vals;
  o.hashes = out.hashes;
  o.slots = out.slots;
  return true;
}
