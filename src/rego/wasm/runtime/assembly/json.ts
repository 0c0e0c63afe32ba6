// JSON text <-> values. Parsing is strict RFC 8259 over UTF-8 bytes (nesting deeper than
// MAX_DEPTH is an error, so nothing recursive can exhaust the wasm stack); dumping writes what
// JSON.stringify would (object keys in OPA's sorted order, sets as sorted arrays) or, for
// opa_value_dump, Rego text (sets as {1, 2} and set()).

import { Value, VNum, VStr, VArr, VObj, VTab, NULL, TRUE, FALSE, T_NULL, T_BOOL, T_NUM, T_STR, T_ARR, T_OBJ, VBool, asNum, asStr, asArr, asObj, sortedKeyIndexes } from "./value";
import { nearestDouble, shortestDecimal, textDecimal } from "./sprintf";

export const MAX_DEPTH: i32 = 1000;

// ---- parsing ----

let P: usize = 0;
let E: usize = 0;
let ERR: bool = false;
let DEPTH: i32 = 0;

/** parses the UTF-8 JSON text at addr; null when it is not valid JSON */
export function parseJSON(addr: usize, len: usize): Value | null {
  P = addr;
  E = addr + len;
  ERR = false;
  DEPTH = 0;
  skipWs();
  const v = parseValue();
  if (ERR || v === null) return null;
  skipWs();
  if (P != E) return null;
  return v;
}

/** parses a string's JSON text */
export function parseJSONString(s: string): Value | null {
  const buf = String.UTF8.encode(s);
  return parseJSON(changetype<usize>(buf), <usize>buf.byteLength);
}

function skipWs(): void {
  while (P < E) {
    const c = load<u8>(P);
    if (c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09) P++;
    else break;
  }
}

function bad(): Value | null {
  ERR = true;
  return null;
}

function lit(word: string, v: Value): Value | null {
  const n = <usize>word.length;
  if (E - P < n) return bad();
  for (let i: usize = 0; i < n; i++) {
    if (<u32>load<u8>(P + i) != <u32>word.charCodeAt(<i32>i)) return bad();
  }
  P += n;
  return v;
}

function parseValue(): Value | null {
  if (P >= E) return bad();
  const c = load<u8>(P);
  switch (c) {
    case 0x6e: // n
      return lit("null", NULL);
    case 0x74: // t
      return lit("true", TRUE);
    case 0x66: // f
      return lit("false", FALSE);
    case 0x22: {
      // "
      const s = parseString();
      return s === null ? null : new VStr(s);
    }
    case 0x5b:
      return parseArray();
    case 0x7b:
      return parseObject();
    default:
      if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return parseNumber();
      return bad();
  }
}

function parseArray(): Value | null {
  if (++DEPTH > MAX_DEPTH) return bad();
  P++; // [
  const a = new Array<Value>();
  skipWs();
  if (P < E && load<u8>(P) == 0x5d) {
    P++;
    DEPTH--;
    return new VArr(a);
  }
  while (true) {
    skipWs();
    const v = parseValue();
    if (v === null) return bad();
    a.push(v);
    skipWs();
    if (P >= E) return bad();
    const c = load<u8>(P++);
    if (c == 0x2c) continue;
    if (c == 0x5d) break;
    return bad();
  }
  DEPTH--;
  return new VArr(a);
}

function parseObject(): Value | null {
  if (++DEPTH > MAX_DEPTH) return bad();
  P++; // {
  const o = new VObj();
  skipWs();
  if (P < E && load<u8>(P) == 0x7d) {
    P++;
    DEPTH--;
    return o;
  }
  while (true) {
    skipWs();
    if (P >= E || load<u8>(P) != 0x22) return bad();
    const k = parseString();
    if (k === null) return bad();
    skipWs();
    if (P >= E || load<u8>(P) != 0x3a) return bad();
    P++;
    skipWs();
    const v = parseValue();
    if (v === null) return bad();
    o.set(new VStr(k), v);
    skipWs();
    if (P >= E) return bad();
    const c = load<u8>(P++);
    if (c == 0x2c) continue;
    if (c == 0x7d) break;
    return bad();
  }
  DEPTH--;
  return o;
}

function hexVal(c: u32): i32 {
  if (c >= 0x30 && c <= 0x39) return <i32>(c - 0x30);
  if (c >= 0x61 && c <= 0x66) return <i32>(c - 0x61 + 10);
  if (c >= 0x41 && c <= 0x46) return <i32>(c - 0x41 + 10);
  return -1;
}

function hex4(at: usize): i32 {
  if (at + 4 > E) return -1;
  let v = 0;
  for (let i: usize = 0; i < 4; i++) {
    const h = hexVal(<u32>load<u8>(at + i));
    if (h < 0) return -1;
    v = (v << 4) | h;
  }
  return v;
}

// @ts-ignore: decorator
@inline function cont(at: usize): u32 {
  return at < E ? <u32>load<u8>(at) : 0;
}

function parseString(): string | null {
  P++; // "
  // first pass: find the closing quote (bytes in between bound the UTF-16 units)
  let q = P;
  while (true) {
    if (q >= E) {
      ERR = true;
      return null;
    }
    const c = load<u8>(q);
    if (c == 0x22) break;
    if (c == 0x5c) q++;
    q++;
  }
  const maxUnits = q - P;
  const out = __new(maxUnits << 1, idof<String>());
  let o = out;
  while (P < q) {
    const c = <u32>load<u8>(P);
    if (c == 0x5c) {
      const e = <u32>load<u8>(P + 1);
      P += 2;
      let u: u32 = 0;
      switch (e) {
        case 0x22:
          u = 0x22;
          break;
        case 0x5c:
          u = 0x5c;
          break;
        case 0x2f:
          u = 0x2f;
          break;
        case 0x62:
          u = 0x08;
          break;
        case 0x66:
          u = 0x0c;
          break;
        case 0x6e:
          u = 0x0a;
          break;
        case 0x72:
          u = 0x0d;
          break;
        case 0x74:
          u = 0x09;
          break;
        case 0x75: {
          const h = hex4(P);
          if (h < 0) {
            ERR = true;
            return null;
          }
          P += 4;
          u = <u32>h;
          if (u >= 0xd800 && u <= 0xdbff) {
            // a high surrogate: a pair when a low one follows, else U+FFFD (as Go's decoder)
            if (P + 6 <= q && load<u8>(P) == 0x5c && load<u8>(P + 1) == 0x75) {
              const l = hex4(P + 2);
              if (l >= 0xdc00 && l <= 0xdfff) {
                store<u16>(o, <u16>u);
                o += 2;
                u = <u32>l;
                P += 6;
              } else u = 0xfffd;
            } else u = 0xfffd;
          } else if (u >= 0xdc00 && u <= 0xdfff) u = 0xfffd;
          break;
        }
        default:
          ERR = true;
          return null;
      }
      store<u16>(o, <u16>u);
      o += 2;
      continue;
    }
    if (c < 0x80) {
      if (c < 0x20) {
        ERR = true;
        return null;
      }
      store<u16>(o, <u16>c);
      o += 2;
      P++;
      continue;
    }
    // multi-byte UTF-8, strictly (no overlongs, surrogates or code points beyond U+10FFFF)
    let cp: u32 = 0;
    const b1 = cont(P + 1);
    if (c >= 0xc2 && c <= 0xdf) {
      if ((b1 & 0xc0) != 0x80 || P + 1 >= q) {
        ERR = true;
        return null;
      }
      cp = ((c & 0x1f) << 6) | (b1 & 0x3f);
      P += 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      const b2 = cont(P + 2);
      const lo: u32 = c == 0xe0 ? 0xa0 : 0x80;
      const hi: u32 = c == 0xed ? 0x9f : 0xbf;
      if (b1 < lo || b1 > hi || (b2 & 0xc0) != 0x80 || P + 2 >= q) {
        ERR = true;
        return null;
      }
      cp = ((c & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
      P += 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
      const b2 = cont(P + 2);
      const b3 = cont(P + 3);
      const lo: u32 = c == 0xf0 ? 0x90 : 0x80;
      const hi: u32 = c == 0xf4 ? 0x8f : 0xbf;
      if (b1 < lo || b1 > hi || (b2 & 0xc0) != 0x80 || (b3 & 0xc0) != 0x80 || P + 3 >= q) {
        ERR = true;
        return null;
      }
      cp = ((c & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
      P += 4;
    } else {
      ERR = true;
      return null;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      store<u16>(o, <u16>(0xd800 | (cp >>> 10)));
      store<u16>(o + 2, <u16>(0xdc00 | (cp & 0x3ff)));
      o += 4;
    } else {
      store<u16>(o, <u16>cp);
      o += 2;
    }
  }
  P = q + 1;
  const size = o - out;
  const s = size == maxUnits << 1 ? out : __renew(out, size);
  return changetype<string>(s);
}

function digit(at: usize): bool {
  if (at >= E) return false;
  const c = load<u8>(at);
  return c >= 0x30 && c <= 0x39;
}

function parseNumber(): Value | null {
  const start = P;
  let neg = false;
  if (load<u8>(P) == 0x2d) {
    neg = true;
    P++;
  }
  if (!digit(P)) return bad();
  let intVal: f64 = 0;
  let exact: u64 = 0; // the integer part, exactly while it has at most 19 digits
  let sig = 0; // significant digits (leading zeros excluded)
  let simple = true;
  if (load<u8>(P) == 0x30) {
    P++;
  } else {
    while (digit(P)) {
      intVal = intVal * 10 + <f64>(load<u8>(P) - 0x30);
      exact = exact * 10 + <u64>(load<u8>(P) - 0x30);
      sig++;
      P++;
    }
  }
  if (P < E && load<u8>(P) == 0x2e) {
    simple = false;
    P++;
    if (!digit(P)) return bad();
    while (digit(P)) {
      if (sig > 0 || load<u8>(P) != 0x30) sig++;
      P++;
    }
  }
  if (P < E && (load<u8>(P) | 0x20) == 0x65) {
    simple = false;
    P++;
    if (P < E && (load<u8>(P) == 0x2b || load<u8>(P) == 0x2d)) P++;
    if (!digit(P)) return bad();
    while (digit(P)) P++;
  }
  if (simple && sig <= 15) return new VNum(neg ? -intVal : intVal);
  // an integer literal that fits in 64 bits stays exact
  if (simple && sig <= 19 && (exact < 9223372036854775808 || (neg && exact == 9223372036854775808))) return VNum.int(neg ? -(<i64>exact) : <i64>exact);
  const text = String.UTF8.decodeUnsafe(start, P - start);
  const n = decimalToDouble(text, neg);
  if (sig > 15 || !isFinite(n)) return new VNum(n, text);
  return new VNum(n);
}

const POW10: StaticArray<f64> = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * The double nearest to a JSON number's text. AssemblyScript's parseFloat is not correctly
 * rounded (1.8783347378160505e+39 reads as …e+38): up to 15 digits times an exact power of ten
 * is (one correctly rounded operation); anything else goes through exact decimal arithmetic.
 */
function decimalToDouble(text: string, neg: bool): f64 {
  const dec = textDecimal(text);
  const k = dec.d.length;
  if (k == 0) return neg ? -0.0 : 0;
  const scale = dec.dp - k; // value = digits × 10^scale
  if (k <= 15 && scale >= -22 && scale <= 22) {
    let m: f64 = 0;
    for (let i = 0; i < k; i++) m = m * 10 + <f64>(dec.d.charCodeAt(i) - 0x30);
    const x = scale >= 0 ? m * unchecked(POW10[scale]) : m / unchecked(POW10[-scale]);
    return neg ? -x : x;
  }
  const x = nearestDouble(dec);
  return neg ? -x : x;
}

// ---- number text (JSON.stringify's) ----

/** the shortest text of n that JavaScript's Number#toString gives */
export function numberText(n: f64): string {
  if (n == 0) return "0";
  if (!isFinite(n)) return isNaN(n) ? "NaN" : n > 0 ? "Infinity" : "-Infinity";
  if (n == Math.floor(n) && Math.abs(n) < 9007199254740992) return (<i64>n).toString();
  // the shortest digits that read back as n (AssemblyScript's own dtoa is not always shortest
  // or closest: 0.1 + 0.2 would print 0.30000000000000007), laid out as JavaScript does
  const neg = n < 0;
  const dec = shortestDecimal(Math.abs(n));
  const digits = dec.d;
  const e = dec.dp; // value = 0.digits × 10^e
  const k = digits.length;
  let out: string;
  if (k <= e && e <= 21) out = digits + "0".repeat(e - k);
  else if (0 < e && e <= 21) out = digits.substring(0, e) + "." + digits.substring(e);
  else if (-6 < e && e <= 0) out = "0." + "0".repeat(-e) + digits;
  else {
    const x = e - 1;
    out = digits.substring(0, 1) + (k > 1 ? "." + digits.substring(1) : "") + "e" + (x >= 0 ? "+" : "-") + (x >= 0 ? x : -x).toString();
  }
  return neg ? "-" + out : out;
}

export function numText(v: VNum): string {
  const raw = v.raw;
  if (raw !== null) return raw;
  if (v.exact) return v.i.toString();
  return numberText(v.n);
}

// ---- dumping ----

/** a growing byte buffer on the heap (the last block grows in place) */
export class Buf {
  ptr: usize;
  len: usize = 0;
  cap: usize;
  constructor(cap: usize = 64) {
    this.ptr = __alloc(cap);
    this.cap = cap;
  }
  reserve(n: usize): void {
    const need = this.len + n;
    if (need <= this.cap) return;
    let cap = this.cap << 1;
    if (cap < need) cap = need;
    this.ptr = __realloc(this.ptr, cap);
    this.cap = cap;
  }
  byte(b: u32): void {
    this.reserve(1);
    store<u8>(this.ptr + this.len, <u8>b);
    this.len++;
  }
  ascii(s: string): void {
    const n = <usize>s.length;
    this.reserve(n);
    const p = changetype<usize>(s);
    for (let i: usize = 0; i < n; i++) store<u8>(this.ptr + this.len + i, <u8>load<u16>(p + (i << 1)));
    this.len += n;
  }
  /** NUL-terminates the text and returns its address */
  cstr(): usize {
    this.byte(0);
    return this.ptr;
  }
  toString(): string {
    return String.UTF8.decodeUnsafe(this.ptr, this.len);
  }
}

const HEX = "0123456789abcdef";

/** s as a JSON string literal, escaped as JSON.stringify does */
export function writeString(b: Buf, s: string): void {
  const n = s.length;
  b.reserve(<usize>n + 2);
  b.byte(0x22);
  const p = changetype<usize>(s);
  for (let i = 0; i < n; i++) {
    const c = <u32>load<u16>(p + (<usize>i << 1));
    if (c < 0x80) {
      if (c == 0x22 || c == 0x5c) {
        b.byte(0x5c);
        b.byte(c);
      } else if (c >= 0x20) {
        b.byte(c);
      } else if (c == 0x0a) {
        b.byte(0x5c);
        b.byte(0x6e);
      } else if (c == 0x0d) {
        b.byte(0x5c);
        b.byte(0x72);
      } else if (c == 0x09) {
        b.byte(0x5c);
        b.byte(0x74);
      } else if (c == 0x08) {
        b.byte(0x5c);
        b.byte(0x62);
      } else if (c == 0x0c) {
        b.byte(0x5c);
        b.byte(0x66);
      } else {
        escapeUnit(b, c);
      }
    } else if (c < 0x800) {
      b.byte(0xc0 | (c >>> 6));
      b.byte(0x80 | (c & 0x3f));
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? <u32>load<u16>(p + (<usize>(i + 1) << 1)) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        b.byte(0xf0 | (cp >>> 18));
        b.byte(0x80 | ((cp >>> 12) & 0x3f));
        b.byte(0x80 | ((cp >>> 6) & 0x3f));
        b.byte(0x80 | (cp & 0x3f));
        i++;
      } else {
        escapeUnit(b, c); // a lone surrogate
      }
    } else {
      b.byte(0xe0 | (c >>> 12));
      b.byte(0x80 | ((c >>> 6) & 0x3f));
      b.byte(0x80 | (c & 0x3f));
    }
  }
  b.byte(0x22);
}

function escapeUnit(b: Buf, c: u32): void {
  b.byte(0x5c);
  b.byte(0x75);
  for (let s = 12; s >= 0; s -= 4) b.byte(<u32>HEX.charCodeAt((c >>> s) & 0xf));
}

/** writes v as JSON (rego false) or as Rego text (rego true) */
export function writeValue(b: Buf, v: Value, rego: bool): void {
  switch (v.tag) {
    case T_NULL:
      b.ascii("null");
      return;
    case T_BOOL:
      b.ascii(changetype<VBool>(v).b ? "true" : "false");
      return;
    case T_NUM:
      b.ascii(numText(asNum(v)));
      return;
    case T_STR:
      writeString(b, asStr(v).s);
      return;
    case T_ARR: {
      const a = asArr(v).a;
      b.byte(0x5b);
      for (let i = 0, n = a.length; i < n; i++) {
        if (i > 0) sep(b, rego);
        writeValue(b, unchecked(a[i]), rego);
      }
      b.byte(0x5d);
      return;
    }
    case T_OBJ: {
      const o = asObj(v);
      const idx = sortedKeyIndexes(o);
      b.byte(0x7b);
      for (let i = 0, n = idx.length; i < n; i++) {
        if (i > 0) sep(b, rego);
        const j = unchecked(idx[i]);
        const k = unchecked(o.keys[j]);
        if (k.tag == T_STR || rego) writeValue(b, k, rego);
        else writeString(b, dumpString(k, false));
        b.byte(0x3a);
        if (rego) b.byte(0x20);
        writeValue(b, unchecked(o.vals[j]), rego);
      }
      b.byte(0x7d);
      return;
    }
    default: {
      const s = changetype<VTab>(v);
      const idx = sortedKeyIndexes(s);
      if (rego && idx.length == 0) {
        b.ascii("set()");
        return;
      }
      b.byte(rego ? 0x7b : 0x5b);
      for (let i = 0, n = idx.length; i < n; i++) {
        if (i > 0) sep(b, rego);
        writeValue(b, unchecked(s.keys[unchecked(idx[i])]), rego);
      }
      b.byte(rego ? 0x7d : 0x5d);
    }
  }
}

// @ts-ignore: decorator
@inline function sep(b: Buf, rego: bool): void {
  b.byte(0x2c);
  if (rego) b.byte(0x20);
}

/** v's JSON (or Rego) text, NUL-terminated, on the heap */
export function dumpC(v: Value, rego: bool): usize {
  const b = new Buf();
  writeValue(b, v, rego);
  return b.cstr();
}

export function dumpString(v: Value, rego: bool): string {
  const b = new Buf();
  writeValue(b, v, rego);
  return b.toString();
}
