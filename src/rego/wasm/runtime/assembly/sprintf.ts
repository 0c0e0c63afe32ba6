// sprintf(format, args): OPA's sprintf, i.e. Go's fmt.Sprintf over the arguments OPA's topdown
// hands it: a string stays a string, an integer is an int (a *big.Int beyond int64), another
// number is a float64, and every other value is its Rego text (Go's ast String form) as a
// string. A port of the JS engine's src/rego/builtins/gofmt.ts and strings.ts (sprintfArg):
// flags + - # 0 space, width, precision, `*`, explicit argument indexes `[n]`, and the error
// forms %!d(string=x), %!d(MISSING), %!(EXTRA ...), %!(NOVERB), %!(BADWIDTH), etc.

import { Value, VNum, VBool, T_NULL, T_BOOL, T_NUM, T_STR, T_ARR, T_OBJ, asNum, asStr, asArr, asObj, VTab, sortedKeyIndexes } from "./value";
import { isHigh, isLow, cpAt, cpWidth, cpCount } from "./text";

const K_INT: i32 = 0;
const K_BIG: i32 = 1;
const K_FLOAT: i32 = 2;
const K_STR: i32 = 3;

/** Largest output (as the JS engine's MAX_STRING_LENGTH): beyond it the call is undefined. */
const MAX_OUT: i32 = 32 * 1024 * 1024;
/** Maximum width/precision (Go refuses numbers above 1e6 as "too large"). */
const TOO_LARGE: i32 = 1000000;

class GoArg {
  kind: i32 = K_STR;
  neg: bool = false;
  /** int: the magnitude */
  mag: u64 = 0;
  /** *big.Int: the magnitude's decimal digits */
  digits: string = "";
  f: f64 = 0;
  s: string = "";
}

function typeName(a: GoArg): string {
  switch (a.kind) {
    case K_INT:
      return "int";
    case K_BIG:
      return "*big.Int";
    case K_FLOAT:
      return "float64";
    default:
      return "string";
  }
}

class Flags {
  plus: bool = false;
  minus: bool = false;
  sharp: bool = false;
  space: bool = false;
  zero: bool = false;
  wid: i32 = 0;
  widPresent: bool = false;
  prec: i32 = 0;
  precPresent: bool = false;
  sharpV: bool = false;
}

// ---------------------------------------------------------------------------------------------
// small helpers

function repeat(c: string, n: i32): string {
  return n <= 0 ? "" : c.repeat(n);
}

function padding(f: Flags, n: i32): string {
  return repeat(f.zero ? "0" : " ", n);
}

function pad(f: Flags, s: string): string {
  if (!f.widPresent || f.wid == 0) return s;
  const width = f.wid - cpCount(s);
  return f.minus ? s + padding(f, width) : padding(f, width) + s;
}

function stripTrailingZeros(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) == 0x30) e--;
  return s.substring(0, e);
}

const HEXL = "0123456789abcdef";
const HEXU = "0123456789ABCDEF";

function u64Digits(u: u64, base: u32, upper: bool): string {
  if (u == 0) return "0";
  const tab = upper ? HEXU : HEXL;
  let out = "";
  const b = <u64>base;
  while (u > 0) {
    out = tab.charAt(<i32>(u % b)) + out;
    u /= b;
  }
  return out;
}

function hexPad(u: u64, n: i32): string {
  const s = u64Digits(u, 16, true);
  return s.length < n ? repeat("0", n - s.length) + s : s;
}

// ---------------------------------------------------------------------------------------------
// big numbers: little-endian limbs

const E9: u64 = 1000000000;

/** a *= m (base 1e9 limbs; m < 2^32) */
function mulSmall(a: Array<u32>, m: u32): void {
  let carry: u64 = 0;
  for (let i = 0, n = a.length; i < n; i++) {
    const t = <u64>unchecked(a[i]) * <u64>m + carry;
    unchecked((a[i] = <u32>(t % E9)));
    carry = t / E9;
  }
  while (carry > 0) {
    a.push(<u32>(carry % E9));
    carry /= E9;
  }
}

function limbsText(a: Array<u32>): string {
  let i = a.length - 1;
  while (i > 0 && unchecked(a[i]) == 0) i--;
  let out = unchecked(a[i]).toString();
  for (i--; i >= 0; i--) out += unchecked(a[i]).toString().padStart(9, "0");
  return out;
}

function u64Limbs(m: u64): Array<u32> {
  const a = new Array<u32>();
  if (m == 0) a.push(0);
  while (m > 0) {
    a.push(<u32>(m % E9));
    m /= E9;
  }
  return a;
}

/** decimal digits (no sign) to base-2^32 limbs */
function decToBin(d: string): Array<u32> {
  const a = new Array<u32>();
  a.push(0);
  let i = 0;
  const n = d.length;
  while (i < n) {
    let k = n - i;
    if (k > 9) k = 9;
    let chunk: u64 = 0;
    let mul: u64 = 1;
    for (let j = 0; j < k; j++) {
      chunk = chunk * 10 + <u64>(d.charCodeAt(i + j) - 0x30);
      mul *= 10;
    }
    i += k;
    let carry = chunk;
    for (let j = 0, m = a.length; j < m; j++) {
      const t = <u64>unchecked(a[j]) * mul + carry;
      unchecked((a[j] = <u32>t));
      carry = t >>> 32;
    }
    if (carry > 0) a.push(<u32>carry);
  }
  return a;
}

/** digits of a base-2^32 number in base 2^bits */
function binDigits(a: Array<u32>, bits: i32, upper: bool): string {
  let top = a.length - 1;
  while (top > 0 && unchecked(a[top]) == 0) top--;
  const total = (top + 1) * 32;
  const nd = (total + bits - 1) / bits;
  const tab = upper ? HEXU : HEXL;
  let out = "";
  let started = false;
  for (let k = nd - 1; k >= 0; k--) {
    let v: u32 = 0;
    for (let b = bits - 1; b >= 0; b--) {
      const pos = k * bits + b;
      const limb = pos >>> 5;
      const bit = limb < a.length ? (unchecked(a[limb]) >>> (<u32>pos & 31)) & 1 : 0;
      v = (v << 1) | bit;
    }
    if (v != 0) started = true;
    if (started) out += tab.charAt(<i32>v);
  }
  return started ? out : "0";
}

// ---------------------------------------------------------------------------------------------
// Integers

function fmtInteger(f: Flags, neg: bool, u: u64, base: u32, verb: string, upper: bool): string {
  let prec = 0;
  if (f.precPresent) {
    prec = f.prec;
    if (prec == 0 && u == 0) {
      const z = f.zero;
      f.zero = false;
      const out = padding(f, f.wid);
      f.zero = z;
      return out;
    }
  } else if (f.zero && !f.minus && f.widPresent) {
    prec = f.wid;
    if (neg || f.plus || f.space) prec--;
  }
  let digits = u64Digits(u, base, upper);
  if (prec > digits.length) digits = repeat("0", prec - digits.length) + digits;
  if (f.sharp) {
    if (base == 2) digits = "0b" + digits;
    else if (base == 8) {
      if (digits.charCodeAt(0) != 0x30) digits = "0" + digits;
    } else if (base == 16) digits = (upper ? "0X" : "0x") + digits;
  }
  if (verb == "O") digits = "0o" + digits;
  if (neg) digits = "-" + digits;
  else if (f.plus) digits = "+" + digits;
  else if (f.space) digits = " " + digits;
  const z = f.zero;
  f.zero = false;
  const out = pad(f, digits);
  f.zero = z;
  return out;
}

/** big.Int's Format method */
function fmtBigInt(f: Flags, a: GoArg, verb: string): string {
  let bits = 0;
  if (verb == "b") bits = 1;
  else if (verb == "o" || verb == "O") bits = 3;
  else if (verb == "x" || verb == "X") bits = 4;
  else if (!(verb == "d" || verb == "s" || verb == "v")) return "%!" + verb + "(big.Int=" + (a.neg ? "-" : "") + a.digits + ")";
  const sign = a.neg ? "-" : f.plus ? "+" : f.space ? " " : "";
  let prefix = "";
  if (f.sharp) {
    if (verb == "b") prefix = "0b";
    else if (verb == "o") prefix = "0";
    else if (verb == "x") prefix = "0x";
    else if (verb == "X") prefix = "0X";
  }
  if (verb == "O") prefix = "0o";
  const digits = bits == 0 ? a.digits : binDigits(decToBin(a.digits), bits, verb == "X");
  let left = 0;
  let zeros = 0;
  let right = 0;
  if (f.precPresent) {
    if (digits.length < f.prec) zeros = f.prec - digits.length;
    else if (digits == "0" && f.prec == 0) return "";
  }
  const length = sign.length + prefix.length + zeros + digits.length;
  if (f.widPresent && length < f.wid) {
    const d = f.wid - length;
    if (f.minus) right = d;
    else if (f.zero && !f.precPresent) zeros = d;
    else left = d;
  }
  return repeat(" ", left) + sign + prefix + repeat("0", zeros) + digits + repeat(" ", right);
}

function quoteRune(cp: u32): string {
  if (cp == 0x27) return "'\\''";
  if (cp == 0x22) return "'\"'";
  const q = goQuote(String.fromCodePoint(<i32>cp), false);
  return "'" + q.substring(1, q.length - 1) + "'";
}

function validRune(a: GoArg): u32 {
  if (a.neg || a.mag > 0x10ffff || (a.mag >= 0xd800 && a.mag <= 0xdfff)) return 0xfffd;
  return <u32>a.mag;
}

// ---------------------------------------------------------------------------------------------
// Floats: exact decimal expansion of the double, rounded half-to-even like strconv.

export class Decimal {
  /** digits, no leading or trailing zeros ("" for zero) */
  d: string;
  /** value = 0.d × 10^dp */
  dp: i32;
  constructor(d: string, dp: i32) {
    this.d = d;
    this.dp = dp;
  }
}

function exactDecimal(x: f64): Decimal {
  if (x == 0) return new Decimal("", 0);
  const bits = reinterpret<u64>(Math.abs(x));
  return decOf(mantOf(bits), expOf(bits));
}

function mantOf(bits: u64): u64 {
  const m = bits & 0xfffffffffffff;
  return ((bits >>> 52) & 0x7ff) != 0 ? m | (<u64>1 << 52) : m;
}

function expOf(bits: u64): i32 {
  const expBits = <i32>((bits >>> 52) & 0x7ff);
  return expBits == 0 ? -1074 : expBits - 1075;
}

/** the exact decimal of mant × 2^e */
function decOf(mant: u64, e: i32): Decimal {
  if (mant == 0) return new Decimal("", 0);
  const a = u64Limbs(mant);
  let dp: i32;
  let s: string;
  if (e >= 0) {
    let k = e;
    while (k >= 31) {
      mulSmall(a, <u32>1 << 31);
      k -= 31;
    }
    if (k > 0) mulSmall(a, <u32>1 << k);
    s = limbsText(a);
    dp = s.length;
  } else {
    let k = -e;
    while (k >= 13) {
      mulSmall(a, 1220703125); // 5^13
      k -= 13;
    }
    let m: u32 = 1;
    for (let j = 0; j < k; j++) m *= 5;
    if (m > 1) mulSmall(a, m);
    s = limbsText(a);
    dp = s.length + e;
  }
  return new Decimal(stripTrailingZeros(s), dp);
}

/** compares non-negative decimals */
function cmpDec(a: Decimal, b: Decimal): i32 {
  const az = a.d.length == 0;
  const bz = b.d.length == 0;
  if (az || bz) return az && bz ? 0 : az ? -1 : 1;
  if (a.dp != b.dp) return a.dp < b.dp ? -1 : 1;
  return a.d == b.d ? 0 : a.d < b.d ? -1 : 1;
}

/** the decimal value of a number's text (without its sign) */
export function textDecimal(t: string): Decimal {
  let i = 0;
  const n = t.length;
  if (i < n && t.charCodeAt(i) == 0x2d) i++;
  let ds = "";
  let fracLen = 0;
  let inFrac = false;
  let exp = 0;
  for (; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c == 0x2e) inFrac = true;
    else if (c == 0x65 || c == 0x45) {
      const et = t.substring(i + 1);
      exp = I32.parseInt(et.charCodeAt(0) == 0x2b ? et.substring(1) : et);
      break;
    } else {
      ds += String.fromCharCode(c);
      if (inFrac) fracLen++;
    }
  }
  let lead = 0;
  while (lead < ds.length && ds.charCodeAt(lead) == 0x30) lead++;
  ds = ds.substring(lead);
  const d = stripTrailingZeros(ds);
  return new Decimal(d, d.length == 0 ? 0 : ds.length + exp - fracLen);
}

function midUp(b: u64): Decimal {
  return decOf(mantOf(b) * 2 + 1, expOf(b) - 1);
}

/**
 * The double nearest to the decimal v (ties to even): an estimate from its first 17 digits (a
 * few ulps off at most), corrected against the exact midpoints to its neighbours; a binary search
 * over the doubles if the estimate is further off than expected.
 */
export function nearestDouble(v: Decimal): f64 {
  if (v.d.length == 0) return 0;
  if (v.dp > 310) return Infinity;
  if (v.dp < -330) return 0;
  const k = v.d.length < 17 ? v.d.length : 17;
  let m: u64 = 0;
  for (let i = 0; i < k; i++) m = m * 10 + <u64>(v.d.charCodeAt(i) - 0x30);
  const e = v.dp - k; // v ≈ m × 10^e
  let guess = <f64>m;
  if (e < -300) guess = guess * Math.pow(10, -300) * Math.pow(10, <f64>(e + 300));
  else guess = guess * Math.pow(10, <f64>e);
  const INF: u64 = 0x7ff0000000000000;
  let b = reinterpret<u64>(guess);
  if (b >= INF) b = INF - 1;
  let steps = 0;
  // up while v is above the midpoint of b and b + 1
  while (b < INF && steps < 16) {
    const c = cmpDec(v, midUp(b));
    if (c > 0 || (c == 0 && (b & 1) == 1)) b++;
    else break;
    steps++;
  }
  // down while v is below the midpoint of b - 1 and b
  while (b > 0 && steps < 16) {
    const c = cmpDec(v, midUp(b - 1));
    if (c < 0 || (c == 0 && (b & 1) == 1)) b--;
    else break;
    steps++;
  }
  if (steps < 16) return reinterpret<f64>(b);
  // the smallest b whose upper midpoint is not below v (ties: the even one)
  let lo: u64 = 0;
  let hi: u64 = INF;
  while (lo < hi) {
    const mid = lo + (hi - lo) / 2;
    const c = cmpDec(v, midUp(mid));
    if (c < 0 || (c == 0 && (mid & 1) == 0)) hi = mid;
    else lo = mid + 1;
  }
  return reinterpret<f64>(lo);
}

/** a number's double: from its text when the runtime kept it */
function numValue(v: VNum): f64 {
  const raw = v.raw;
  if (raw === null) return v.n;
  const x = nearestDouble(textDecimal(raw));
  return isNegNum(v) ? -x : x;
}

/**
 * The shortest digits that round-trip, the nearest such when there are several (what
 * JavaScript's Number#toString and strconv's shortest mode give; the runtime's dtoa is not always
 * the nearest: 0.1 + 0.2 gives 0.30000000000000007 there).
 */
export function shortestDecimal(x: f64): Decimal {
  if (x == 0) return new Decimal("", 0);
  const b = reinterpret<u64>(Math.abs(x));
  const exact = decOf(mantOf(b), expOf(b));
  const hi = decOf(mantOf(b) * 2 + 1, expOf(b) - 1);
  const lo = b > 0 ? decOf(mantOf(b - 1) * 2 + 1, expOf(b - 1) - 1) : new Decimal("", 0);
  const even = (b & 1) == 0;
  for (let n = 1; n < exact.d.length; n++) {
    const c = roundDecimal(exact, n);
    const ch = cmpDec(c, hi);
    const cl = cmpDec(c, lo);
    if ((ch < 0 || (ch == 0 && even)) && (cl > 0 || (cl == 0 && even))) return c;
  }
  return exact;
}

function roundDecimal(a: Decimal, nd: i32): Decimal {
  if (nd < 0 || nd >= a.d.length) return a;
  let up: bool;
  const c = a.d.charCodeAt(nd);
  if (c == 0x35 && nd + 1 == a.d.length) up = nd > 0 && (a.d.charCodeAt(nd - 1) - 48) % 2 == 1;
  else up = c >= 0x35;
  if (!up) {
    const d = stripTrailingZeros(a.d.substring(0, nd));
    return new Decimal(d, d.length == 0 ? 0 : a.dp);
  }
  let i = nd - 1;
  while (i >= 0 && a.d.charCodeAt(i) == 0x39) i--;
  if (i < 0) return new Decimal("1", a.dp + 1);
  return new Decimal(a.d.substring(0, i) + String.fromCharCode(a.d.charCodeAt(i) + 1), a.dp);
}

function fmtF(a: Decimal, prec: i32): string {
  let out = "";
  if (a.dp > 0) {
    const m = a.d.length < a.dp ? a.d.length : a.dp;
    out += a.d.substring(0, m);
    out += repeat("0", a.dp - m);
  } else out += "0";
  if (prec > 0) {
    out += ".";
    for (let i = 1; i <= prec; i++) {
      const j = a.dp + i - 1;
      out += j >= 0 && j < a.d.length ? a.d.charAt(j) : "0";
    }
  }
  return out;
}

function fmtE(a: Decimal, prec: i32, e: string): string {
  let out = a.d.length == 0 ? "0" : a.d.charAt(0);
  if (prec > 0) {
    out += ".";
    let i = 1;
    const m = a.d.length < prec + 1 ? a.d.length : prec + 1;
    if (i < m) {
      out += a.d.substring(i, m);
      i = m;
    }
    out += repeat("0", prec + 1 - i);
  }
  const exp = a.d.length == 0 ? 0 : a.dp - 1;
  const ae = exp < 0 ? -exp : exp;
  return out + e + (exp < 0 ? "-" : "+") + (ae < 10 ? "0" + ae.toString() : ae.toString());
}

/** strconv.FormatFloat(x, fmt, prec, 64) for finite x and fmt in e E f F g G */
function formatFloat(x: f64, fmt: string, prec: i32): string {
  const neg = x < 0 || (x == 0 && 1 / x < 0);
  const shortest = prec < 0;
  let digs: Decimal;
  if (shortest) {
    digs = shortestDecimal(x);
    if (fmt == "e" || fmt == "E") prec = max(digs.d.length - 1, 0);
    else if (fmt == "f" || fmt == "F") prec = max(digs.d.length - digs.dp, 0);
    else prec = digs.d.length;
  } else {
    digs = exactDecimal(x);
    if (fmt == "e" || fmt == "E") digs = roundDecimal(digs, prec + 1);
    else if (fmt == "f" || fmt == "F") digs = roundDecimal(digs, digs.dp + prec);
    else {
      if (prec == 0) prec = 1;
      digs = roundDecimal(digs, prec);
    }
  }
  const sign = neg ? "-" : "";
  if (fmt == "e" || fmt == "E") return sign + fmtE(digs, prec, fmt);
  if (fmt == "f" || fmt == "F") return sign + fmtF(digs, prec);
  let eprec = prec;
  if (eprec > digs.d.length && digs.d.length >= digs.dp) eprec = digs.d.length;
  if (shortest) eprec = 6;
  const exp = digs.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > digs.d.length) prec = digs.d.length;
    return sign + fmtE(digs, prec - 1, fmt == "G" ? "E" : "e");
  }
  if (prec > digs.dp) prec = digs.d.length;
  return sign + fmtF(digs, max(prec - digs.dp, 0));
}

function fmtFloat(f: Flags, v: f64, verb: string, defPrec: i32): string {
  const prec = f.precPresent ? f.prec : defPrec;
  let n = formatFloat(v, verb, prec);
  let sign = "+";
  if (n.charCodeAt(0) == 0x2d) {
    sign = "-";
    n = n.substring(1);
  }
  if (f.space && sign == "+" && !f.plus) sign = " ";
  if (f.plus || sign != "+") {
    if (f.zero && !f.minus && f.widPresent && f.wid > n.length + 1) return sign + repeat("0", f.wid - n.length - 1) + n;
    return pad(f, sign + n);
  }
  return pad(f, n);
}

// ---------------------------------------------------------------------------------------------
// Strings

function truncate(f: Flags, s: string): string {
  if (!f.precPresent) return s;
  let n = 0;
  for (let i = 0; i < s.length; i += cpWidth(cpAt(s, i))) {
    if (n == f.prec) return s.substring(0, i);
    n++;
  }
  return s;
}

/** UTF-8 bytes, a lone surrogate as U+FFFD */
function utf8Bytes(s: string): Array<u32> {
  const out = new Array<u32>();
  for (let i = 0; i < s.length; ) {
    let cp = cpAt(s, i);
    i += cpWidth(cp);
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) {
      out.push(0xc0 | (cp >>> 6));
      out.push(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out.push(0xe0 | (cp >>> 12));
      out.push(0x80 | ((cp >>> 6) & 0x3f));
      out.push(0x80 | (cp & 0x3f));
    } else {
      out.push(0xf0 | (cp >>> 18));
      out.push(0x80 | ((cp >>> 12) & 0x3f));
      out.push(0x80 | ((cp >>> 6) & 0x3f));
      out.push(0x80 | (cp & 0x3f));
    }
  }
  return out;
}

function fmtSx(f: Flags, s: string, upper: bool): string {
  const bytes = utf8Bytes(truncate(f, s));
  const tab = upper ? HEXU : HEXL;
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    if (f.space && i > 0) out += " ";
    if (f.sharp && (f.space || i == 0)) out += upper ? "0X" : "0x";
    const b = bytes[i];
    out += tab.charAt(<i32>(b >>> 4)) + tab.charAt(<i32>(b & 15));
  }
  if (bytes.length == 0 && f.widPresent) return padding(f, f.wid);
  return pad(f, out);
}

function canBackquote(s: string): bool {
  for (let i = 0; i < s.length; ) {
    const c = cpAt(s, i);
    i += cpWidth(c);
    if (c == 0x60 || c == 0xfeff || (c < 0x20 && c != 9) || c == 0x7f) return false;
  }
  return true;
}

// Printable code points from U+00A0 on, as inclusive [first, last] ranges: Go's unicode.IsPrint
// as the JS engine's test (\p{L}\p{M}\p{N}\p{P}\p{S}) sees it, generated with Node (Unicode 17.0).
const PRINT16: StaticArray<u16> = [
  0xa1, 0xac, 0xae, 0x377, 0x37a, 0x37f, 0x384, 0x38a, 0x38c, 0x38c, 0x38e, 0x3a1,
  0x3a3, 0x52f, 0x531, 0x556, 0x559, 0x58a, 0x58d, 0x58f, 0x591, 0x5c7, 0x5d0, 0x5ea,
  0x5ef, 0x5f4, 0x606, 0x61b, 0x61d, 0x6dc, 0x6de, 0x70d, 0x710, 0x74a, 0x74d, 0x7b1,
  0x7c0, 0x7fa, 0x7fd, 0x82d, 0x830, 0x83e, 0x840, 0x85b, 0x85e, 0x85e, 0x860, 0x86a,
  0x870, 0x88f, 0x897, 0x8e1, 0x8e3, 0x983, 0x985, 0x98c, 0x98f, 0x990, 0x993, 0x9a8,
  0x9aa, 0x9b0, 0x9b2, 0x9b2, 0x9b6, 0x9b9, 0x9bc, 0x9c4, 0x9c7, 0x9c8, 0x9cb, 0x9ce,
  0x9d7, 0x9d7, 0x9dc, 0x9dd, 0x9df, 0x9e3, 0x9e6, 0x9fe, 0xa01, 0xa03, 0xa05, 0xa0a,
  0xa0f, 0xa10, 0xa13, 0xa28, 0xa2a, 0xa30, 0xa32, 0xa33, 0xa35, 0xa36, 0xa38, 0xa39,
  0xa3c, 0xa3c, 0xa3e, 0xa42, 0xa47, 0xa48, 0xa4b, 0xa4d, 0xa51, 0xa51, 0xa59, 0xa5c,
  0xa5e, 0xa5e, 0xa66, 0xa76, 0xa81, 0xa83, 0xa85, 0xa8d, 0xa8f, 0xa91, 0xa93, 0xaa8,
  0xaaa, 0xab0, 0xab2, 0xab3, 0xab5, 0xab9, 0xabc, 0xac5, 0xac7, 0xac9, 0xacb, 0xacd,
  0xad0, 0xad0, 0xae0, 0xae3, 0xae6, 0xaf1, 0xaf9, 0xaff, 0xb01, 0xb03, 0xb05, 0xb0c,
  0xb0f, 0xb10, 0xb13, 0xb28, 0xb2a, 0xb30, 0xb32, 0xb33, 0xb35, 0xb39, 0xb3c, 0xb44,
  0xb47, 0xb48, 0xb4b, 0xb4d, 0xb55, 0xb57, 0xb5c, 0xb5d, 0xb5f, 0xb63, 0xb66, 0xb77,
  0xb82, 0xb83, 0xb85, 0xb8a, 0xb8e, 0xb90, 0xb92, 0xb95, 0xb99, 0xb9a, 0xb9c, 0xb9c,
  0xb9e, 0xb9f, 0xba3, 0xba4, 0xba8, 0xbaa, 0xbae, 0xbb9, 0xbbe, 0xbc2, 0xbc6, 0xbc8,
  0xbca, 0xbcd, 0xbd0, 0xbd0, 0xbd7, 0xbd7, 0xbe6, 0xbfa, 0xc00, 0xc0c, 0xc0e, 0xc10,
  0xc12, 0xc28, 0xc2a, 0xc39, 0xc3c, 0xc44, 0xc46, 0xc48, 0xc4a, 0xc4d, 0xc55, 0xc56,
  0xc58, 0xc5a, 0xc5c, 0xc5d, 0xc60, 0xc63, 0xc66, 0xc6f, 0xc77, 0xc8c, 0xc8e, 0xc90,
  0xc92, 0xca8, 0xcaa, 0xcb3, 0xcb5, 0xcb9, 0xcbc, 0xcc4, 0xcc6, 0xcc8, 0xcca, 0xccd,
  0xcd5, 0xcd6, 0xcdc, 0xcde, 0xce0, 0xce3, 0xce6, 0xcef, 0xcf1, 0xcf3, 0xd00, 0xd0c,
  0xd0e, 0xd10, 0xd12, 0xd44, 0xd46, 0xd48, 0xd4a, 0xd4f, 0xd54, 0xd63, 0xd66, 0xd7f,
  0xd81, 0xd83, 0xd85, 0xd96, 0xd9a, 0xdb1, 0xdb3, 0xdbb, 0xdbd, 0xdbd, 0xdc0, 0xdc6,
  0xdca, 0xdca, 0xdcf, 0xdd4, 0xdd6, 0xdd6, 0xdd8, 0xddf, 0xde6, 0xdef, 0xdf2, 0xdf4,
  0xe01, 0xe3a, 0xe3f, 0xe5b, 0xe81, 0xe82, 0xe84, 0xe84, 0xe86, 0xe8a, 0xe8c, 0xea3,
  0xea5, 0xea5, 0xea7, 0xebd, 0xec0, 0xec4, 0xec6, 0xec6, 0xec8, 0xece, 0xed0, 0xed9,
  0xedc, 0xedf, 0xf00, 0xf47, 0xf49, 0xf6c, 0xf71, 0xf97, 0xf99, 0xfbc, 0xfbe, 0xfcc,
  0xfce, 0xfda, 0x1000, 0x10c5, 0x10c7, 0x10c7, 0x10cd, 0x10cd, 0x10d0, 0x1248, 0x124a, 0x124d,
  0x1250, 0x1256, 0x1258, 0x1258, 0x125a, 0x125d, 0x1260, 0x1288, 0x128a, 0x128d, 0x1290, 0x12b0,
  0x12b2, 0x12b5, 0x12b8, 0x12be, 0x12c0, 0x12c0, 0x12c2, 0x12c5, 0x12c8, 0x12d6, 0x12d8, 0x1310,
  0x1312, 0x1315, 0x1318, 0x135a, 0x135d, 0x137c, 0x1380, 0x1399, 0x13a0, 0x13f5, 0x13f8, 0x13fd,
  0x1400, 0x167f, 0x1681, 0x169c, 0x16a0, 0x16f8, 0x1700, 0x1715, 0x171f, 0x1736, 0x1740, 0x1753,
  0x1760, 0x176c, 0x176e, 0x1770, 0x1772, 0x1773, 0x1780, 0x17dd, 0x17e0, 0x17e9, 0x17f0, 0x17f9,
  0x1800, 0x180d, 0x180f, 0x1819, 0x1820, 0x1878, 0x1880, 0x18aa, 0x18b0, 0x18f5, 0x1900, 0x191e,
  0x1920, 0x192b, 0x1930, 0x193b, 0x1940, 0x1940, 0x1944, 0x196d, 0x1970, 0x1974, 0x1980, 0x19ab,
  0x19b0, 0x19c9, 0x19d0, 0x19da, 0x19de, 0x1a1b, 0x1a1e, 0x1a5e, 0x1a60, 0x1a7c, 0x1a7f, 0x1a89,
  0x1a90, 0x1a99, 0x1aa0, 0x1aad, 0x1ab0, 0x1add, 0x1ae0, 0x1aeb, 0x1b00, 0x1b4c, 0x1b4e, 0x1bf3,
  0x1bfc, 0x1c37, 0x1c3b, 0x1c49, 0x1c4d, 0x1c8a, 0x1c90, 0x1cba, 0x1cbd, 0x1cc7, 0x1cd0, 0x1cfa,
  0x1d00, 0x1f15, 0x1f18, 0x1f1d, 0x1f20, 0x1f45, 0x1f48, 0x1f4d, 0x1f50, 0x1f57, 0x1f59, 0x1f59,
  0x1f5b, 0x1f5b, 0x1f5d, 0x1f5d, 0x1f5f, 0x1f7d, 0x1f80, 0x1fb4, 0x1fb6, 0x1fc4, 0x1fc6, 0x1fd3,
  0x1fd6, 0x1fdb, 0x1fdd, 0x1fef, 0x1ff2, 0x1ff4, 0x1ff6, 0x1ffe, 0x2010, 0x2027, 0x2030, 0x205e,
  0x2070, 0x2071, 0x2074, 0x208e, 0x2090, 0x209c, 0x20a0, 0x20c1, 0x20d0, 0x20f0, 0x2100, 0x218b,
  0x2190, 0x2429, 0x2440, 0x244a, 0x2460, 0x2b73, 0x2b76, 0x2cf3, 0x2cf9, 0x2d25, 0x2d27, 0x2d27,
  0x2d2d, 0x2d2d, 0x2d30, 0x2d67, 0x2d6f, 0x2d70, 0x2d7f, 0x2d96, 0x2da0, 0x2da6, 0x2da8, 0x2dae,
  0x2db0, 0x2db6, 0x2db8, 0x2dbe, 0x2dc0, 0x2dc6, 0x2dc8, 0x2dce, 0x2dd0, 0x2dd6, 0x2dd8, 0x2dde,
  0x2de0, 0x2e5d, 0x2e80, 0x2e99, 0x2e9b, 0x2ef3, 0x2f00, 0x2fd5, 0x2ff0, 0x2fff, 0x3001, 0x303f,
  0x3041, 0x3096, 0x3099, 0x30ff, 0x3105, 0x312f, 0x3131, 0x318e, 0x3190, 0x31e5, 0x31ef, 0x321e,
  0x3220, 0xa48c, 0xa490, 0xa4c6, 0xa4d0, 0xa62b, 0xa640, 0xa6f7, 0xa700, 0xa7dc, 0xa7f1, 0xa82c,
  0xa830, 0xa839, 0xa840, 0xa877, 0xa880, 0xa8c5, 0xa8ce, 0xa8d9, 0xa8e0, 0xa953, 0xa95f, 0xa97c,
  0xa980, 0xa9cd, 0xa9cf, 0xa9d9, 0xa9de, 0xa9fe, 0xaa00, 0xaa36, 0xaa40, 0xaa4d, 0xaa50, 0xaa59,
  0xaa5c, 0xaac2, 0xaadb, 0xaaf6, 0xab01, 0xab06, 0xab09, 0xab0e, 0xab11, 0xab16, 0xab20, 0xab26,
  0xab28, 0xab2e, 0xab30, 0xab6b, 0xab70, 0xabed, 0xabf0, 0xabf9, 0xac00, 0xd7a3, 0xd7b0, 0xd7c6,
  0xd7cb, 0xd7fb, 0xf900, 0xfa6d, 0xfa70, 0xfad9, 0xfb00, 0xfb06, 0xfb13, 0xfb17, 0xfb1d, 0xfb36,
  0xfb38, 0xfb3c, 0xfb3e, 0xfb3e, 0xfb40, 0xfb41, 0xfb43, 0xfb44, 0xfb46, 0xfdcf, 0xfdf0, 0xfe19,
  0xfe20, 0xfe52, 0xfe54, 0xfe66, 0xfe68, 0xfe6b, 0xfe70, 0xfe74, 0xfe76, 0xfefc, 0xff01, 0xffbe,
  0xffc2, 0xffc7, 0xffca, 0xffcf, 0xffd2, 0xffd7, 0xffda, 0xffdc, 0xffe0, 0xffe6, 0xffe8, 0xffee,
  0xfffc, 0xfffd,
];
const PRINT32: StaticArray<u32> = [
  0x10000, 0x1000b, 0x1000d, 0x10026, 0x10028, 0x1003a, 0x1003c, 0x1003d, 0x1003f, 0x1004d,
  0x10050, 0x1005d, 0x10080, 0x100fa, 0x10100, 0x10102, 0x10107, 0x10133, 0x10137, 0x1018e,
  0x10190, 0x1019c, 0x101a0, 0x101a0, 0x101d0, 0x101fd, 0x10280, 0x1029c, 0x102a0, 0x102d0,
  0x102e0, 0x102fb, 0x10300, 0x10323, 0x1032d, 0x1034a, 0x10350, 0x1037a, 0x10380, 0x1039d,
  0x1039f, 0x103c3, 0x103c8, 0x103d5, 0x10400, 0x1049d, 0x104a0, 0x104a9, 0x104b0, 0x104d3,
  0x104d8, 0x104fb, 0x10500, 0x10527, 0x10530, 0x10563, 0x1056f, 0x1057a, 0x1057c, 0x1058a,
  0x1058c, 0x10592, 0x10594, 0x10595, 0x10597, 0x105a1, 0x105a3, 0x105b1, 0x105b3, 0x105b9,
  0x105bb, 0x105bc, 0x105c0, 0x105f3, 0x10600, 0x10736, 0x10740, 0x10755, 0x10760, 0x10767,
  0x10780, 0x10785, 0x10787, 0x107b0, 0x107b2, 0x107ba, 0x10800, 0x10805, 0x10808, 0x10808,
  0x1080a, 0x10835, 0x10837, 0x10838, 0x1083c, 0x1083c, 0x1083f, 0x10855, 0x10857, 0x1089e,
  0x108a7, 0x108af, 0x108e0, 0x108f2, 0x108f4, 0x108f5, 0x108fb, 0x1091b, 0x1091f, 0x10939,
  0x1093f, 0x10959, 0x10980, 0x109b7, 0x109bc, 0x109cf, 0x109d2, 0x10a03, 0x10a05, 0x10a06,
  0x10a0c, 0x10a13, 0x10a15, 0x10a17, 0x10a19, 0x10a35, 0x10a38, 0x10a3a, 0x10a3f, 0x10a48,
  0x10a50, 0x10a58, 0x10a60, 0x10a9f, 0x10ac0, 0x10ae6, 0x10aeb, 0x10af6, 0x10b00, 0x10b35,
  0x10b39, 0x10b55, 0x10b58, 0x10b72, 0x10b78, 0x10b91, 0x10b99, 0x10b9c, 0x10ba9, 0x10baf,
  0x10c00, 0x10c48, 0x10c80, 0x10cb2, 0x10cc0, 0x10cf2, 0x10cfa, 0x10d27, 0x10d30, 0x10d39,
  0x10d40, 0x10d65, 0x10d69, 0x10d85, 0x10d8e, 0x10d8f, 0x10e60, 0x10e7e, 0x10e80, 0x10ea9,
  0x10eab, 0x10ead, 0x10eb0, 0x10eb1, 0x10ec2, 0x10ec7, 0x10ed0, 0x10ed8, 0x10efa, 0x10f27,
  0x10f30, 0x10f59, 0x10f70, 0x10f89, 0x10fb0, 0x10fcb, 0x10fe0, 0x10ff6, 0x11000, 0x1104d,
  0x11052, 0x11075, 0x1107f, 0x110bc, 0x110be, 0x110c2, 0x110d0, 0x110e8, 0x110f0, 0x110f9,
  0x11100, 0x11134, 0x11136, 0x11147, 0x11150, 0x11176, 0x11180, 0x111df, 0x111e1, 0x111f4,
  0x11200, 0x11211, 0x11213, 0x11241, 0x11280, 0x11286, 0x11288, 0x11288, 0x1128a, 0x1128d,
  0x1128f, 0x1129d, 0x1129f, 0x112a9, 0x112b0, 0x112ea, 0x112f0, 0x112f9, 0x11300, 0x11303,
  0x11305, 0x1130c, 0x1130f, 0x11310, 0x11313, 0x11328, 0x1132a, 0x11330, 0x11332, 0x11333,
  0x11335, 0x11339, 0x1133b, 0x11344, 0x11347, 0x11348, 0x1134b, 0x1134d, 0x11350, 0x11350,
  0x11357, 0x11357, 0x1135d, 0x11363, 0x11366, 0x1136c, 0x11370, 0x11374, 0x11380, 0x11389,
  0x1138b, 0x1138b, 0x1138e, 0x1138e, 0x11390, 0x113b5, 0x113b7, 0x113c0, 0x113c2, 0x113c2,
  0x113c5, 0x113c5, 0x113c7, 0x113ca, 0x113cc, 0x113d5, 0x113d7, 0x113d8, 0x113e1, 0x113e2,
  0x11400, 0x1145b, 0x1145d, 0x11461, 0x11480, 0x114c7, 0x114d0, 0x114d9, 0x11580, 0x115b5,
  0x115b8, 0x115dd, 0x11600, 0x11644, 0x11650, 0x11659, 0x11660, 0x1166c, 0x11680, 0x116b9,
  0x116c0, 0x116c9, 0x116d0, 0x116e3, 0x11700, 0x1171a, 0x1171d, 0x1172b, 0x11730, 0x11746,
  0x11800, 0x1183b, 0x118a0, 0x118f2, 0x118ff, 0x11906, 0x11909, 0x11909, 0x1190c, 0x11913,
  0x11915, 0x11916, 0x11918, 0x11935, 0x11937, 0x11938, 0x1193b, 0x11946, 0x11950, 0x11959,
  0x119a0, 0x119a7, 0x119aa, 0x119d7, 0x119da, 0x119e4, 0x11a00, 0x11a47, 0x11a50, 0x11aa2,
  0x11ab0, 0x11af8, 0x11b00, 0x11b09, 0x11b60, 0x11b67, 0x11bc0, 0x11be1, 0x11bf0, 0x11bf9,
  0x11c00, 0x11c08, 0x11c0a, 0x11c36, 0x11c38, 0x11c45, 0x11c50, 0x11c6c, 0x11c70, 0x11c8f,
  0x11c92, 0x11ca7, 0x11ca9, 0x11cb6, 0x11d00, 0x11d06, 0x11d08, 0x11d09, 0x11d0b, 0x11d36,
  0x11d3a, 0x11d3a, 0x11d3c, 0x11d3d, 0x11d3f, 0x11d47, 0x11d50, 0x11d59, 0x11d60, 0x11d65,
  0x11d67, 0x11d68, 0x11d6a, 0x11d8e, 0x11d90, 0x11d91, 0x11d93, 0x11d98, 0x11da0, 0x11da9,
  0x11db0, 0x11ddb, 0x11de0, 0x11de9, 0x11ee0, 0x11ef8, 0x11f00, 0x11f10, 0x11f12, 0x11f3a,
  0x11f3e, 0x11f5a, 0x11fb0, 0x11fb0, 0x11fc0, 0x11ff1, 0x11fff, 0x12399, 0x12400, 0x1246e,
  0x12470, 0x12474, 0x12480, 0x12543, 0x12f90, 0x12ff2, 0x13000, 0x1342f, 0x13440, 0x13455,
  0x13460, 0x143fa, 0x14400, 0x14646, 0x16100, 0x16139, 0x16800, 0x16a38, 0x16a40, 0x16a5e,
  0x16a60, 0x16a69, 0x16a6e, 0x16abe, 0x16ac0, 0x16ac9, 0x16ad0, 0x16aed, 0x16af0, 0x16af5,
  0x16b00, 0x16b45, 0x16b50, 0x16b59, 0x16b5b, 0x16b61, 0x16b63, 0x16b77, 0x16b7d, 0x16b8f,
  0x16d40, 0x16d79, 0x16e40, 0x16e9a, 0x16ea0, 0x16eb8, 0x16ebb, 0x16ed3, 0x16f00, 0x16f4a,
  0x16f4f, 0x16f87, 0x16f8f, 0x16f9f, 0x16fe0, 0x16fe4, 0x16ff0, 0x16ff6, 0x17000, 0x18cd5,
  0x18cff, 0x18d1e, 0x18d80, 0x18df2, 0x1aff0, 0x1aff3, 0x1aff5, 0x1affb, 0x1affd, 0x1affe,
  0x1b000, 0x1b122, 0x1b132, 0x1b132, 0x1b150, 0x1b152, 0x1b155, 0x1b155, 0x1b164, 0x1b167,
  0x1b170, 0x1b2fb, 0x1bc00, 0x1bc6a, 0x1bc70, 0x1bc7c, 0x1bc80, 0x1bc88, 0x1bc90, 0x1bc99,
  0x1bc9c, 0x1bc9f, 0x1cc00, 0x1ccfc, 0x1cd00, 0x1ceb3, 0x1ceba, 0x1ced0, 0x1cee0, 0x1cef0,
  0x1cf00, 0x1cf2d, 0x1cf30, 0x1cf46, 0x1cf50, 0x1cfc3, 0x1d000, 0x1d0f5, 0x1d100, 0x1d126,
  0x1d129, 0x1d172, 0x1d17b, 0x1d1ea, 0x1d200, 0x1d245, 0x1d2c0, 0x1d2d3, 0x1d2e0, 0x1d2f3,
  0x1d300, 0x1d356, 0x1d360, 0x1d378, 0x1d400, 0x1d454, 0x1d456, 0x1d49c, 0x1d49e, 0x1d49f,
  0x1d4a2, 0x1d4a2, 0x1d4a5, 0x1d4a6, 0x1d4a9, 0x1d4ac, 0x1d4ae, 0x1d4b9, 0x1d4bb, 0x1d4bb,
  0x1d4bd, 0x1d4c3, 0x1d4c5, 0x1d505, 0x1d507, 0x1d50a, 0x1d50d, 0x1d514, 0x1d516, 0x1d51c,
  0x1d51e, 0x1d539, 0x1d53b, 0x1d53e, 0x1d540, 0x1d544, 0x1d546, 0x1d546, 0x1d54a, 0x1d550,
  0x1d552, 0x1d6a5, 0x1d6a8, 0x1d7cb, 0x1d7ce, 0x1da8b, 0x1da9b, 0x1da9f, 0x1daa1, 0x1daaf,
  0x1df00, 0x1df1e, 0x1df25, 0x1df2a, 0x1e000, 0x1e006, 0x1e008, 0x1e018, 0x1e01b, 0x1e021,
  0x1e023, 0x1e024, 0x1e026, 0x1e02a, 0x1e030, 0x1e06d, 0x1e08f, 0x1e08f, 0x1e100, 0x1e12c,
  0x1e130, 0x1e13d, 0x1e140, 0x1e149, 0x1e14e, 0x1e14f, 0x1e290, 0x1e2ae, 0x1e2c0, 0x1e2f9,
  0x1e2ff, 0x1e2ff, 0x1e4d0, 0x1e4f9, 0x1e5d0, 0x1e5fa, 0x1e5ff, 0x1e5ff, 0x1e6c0, 0x1e6de,
  0x1e6e0, 0x1e6f5, 0x1e6fe, 0x1e6ff, 0x1e7e0, 0x1e7e6, 0x1e7e8, 0x1e7eb, 0x1e7ed, 0x1e7ee,
  0x1e7f0, 0x1e7fe, 0x1e800, 0x1e8c4, 0x1e8c7, 0x1e8d6, 0x1e900, 0x1e94b, 0x1e950, 0x1e959,
  0x1e95e, 0x1e95f, 0x1ec71, 0x1ecb4, 0x1ed01, 0x1ed3d, 0x1ee00, 0x1ee03, 0x1ee05, 0x1ee1f,
  0x1ee21, 0x1ee22, 0x1ee24, 0x1ee24, 0x1ee27, 0x1ee27, 0x1ee29, 0x1ee32, 0x1ee34, 0x1ee37,
  0x1ee39, 0x1ee39, 0x1ee3b, 0x1ee3b, 0x1ee42, 0x1ee42, 0x1ee47, 0x1ee47, 0x1ee49, 0x1ee49,
  0x1ee4b, 0x1ee4b, 0x1ee4d, 0x1ee4f, 0x1ee51, 0x1ee52, 0x1ee54, 0x1ee54, 0x1ee57, 0x1ee57,
  0x1ee59, 0x1ee59, 0x1ee5b, 0x1ee5b, 0x1ee5d, 0x1ee5d, 0x1ee5f, 0x1ee5f, 0x1ee61, 0x1ee62,
  0x1ee64, 0x1ee64, 0x1ee67, 0x1ee6a, 0x1ee6c, 0x1ee72, 0x1ee74, 0x1ee77, 0x1ee79, 0x1ee7c,
  0x1ee7e, 0x1ee7e, 0x1ee80, 0x1ee89, 0x1ee8b, 0x1ee9b, 0x1eea1, 0x1eea3, 0x1eea5, 0x1eea9,
  0x1eeab, 0x1eebb, 0x1eef0, 0x1eef1, 0x1f000, 0x1f02b, 0x1f030, 0x1f093, 0x1f0a0, 0x1f0ae,
  0x1f0b1, 0x1f0bf, 0x1f0c1, 0x1f0cf, 0x1f0d1, 0x1f0f5, 0x1f100, 0x1f1ad, 0x1f1e6, 0x1f202,
  0x1f210, 0x1f23b, 0x1f240, 0x1f248, 0x1f250, 0x1f251, 0x1f260, 0x1f265, 0x1f300, 0x1f6d8,
  0x1f6dc, 0x1f6ec, 0x1f6f0, 0x1f6fc, 0x1f700, 0x1f7d9, 0x1f7e0, 0x1f7eb, 0x1f7f0, 0x1f7f0,
  0x1f800, 0x1f80b, 0x1f810, 0x1f847, 0x1f850, 0x1f859, 0x1f860, 0x1f887, 0x1f890, 0x1f8ad,
  0x1f8b0, 0x1f8bb, 0x1f8c0, 0x1f8c1, 0x1f8d0, 0x1f8d8, 0x1f900, 0x1fa57, 0x1fa60, 0x1fa6d,
  0x1fa70, 0x1fa7c, 0x1fa80, 0x1fa8a, 0x1fa8e, 0x1fac6, 0x1fac8, 0x1fac8, 0x1facd, 0x1fadc,
  0x1fadf, 0x1faea, 0x1faef, 0x1faf8, 0x1fb00, 0x1fb92, 0x1fb94, 0x1fbfa, 0x20000, 0x2a6df,
  0x2a700, 0x2b81d, 0x2b820, 0x2cead, 0x2ceb0, 0x2ebe0, 0x2ebf0, 0x2ee5d, 0x2f800, 0x2fa1d,
  0x30000, 0x3134a, 0x31350, 0x33479, 0xe0100, 0xe01ef,
];

/** whether c is in one of the sorted inclusive ranges of t (pairs) */
function inRanges<T>(t: StaticArray<T>, c: u32): bool {
  let lo = 0;
  let hi = t.length / 2;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (<u32>unchecked(t[2 * m + 1]) < c) lo = m + 1;
    else hi = m;
  }
  return lo < t.length / 2 && <u32>unchecked(t[2 * lo]) <= c;
}

/** Go's unicode.IsPrint (letters, marks, numbers, punctuation, symbols, and the ASCII space) */
function isGoPrintable(c: u32): bool {
  if (c < 0xa0) return c >= 0x20 && c < 0x7f;
  return c < 0x10000 ? inRanges<u16>(PRINT16, c) : inRanges<u32>(PRINT32, c);
}

/** Go's strconv.Quote (asciiOnly: QuoteToASCII) */
export function goQuote(s: string, asciiOnly: bool): string {
  let out = "\"";
  for (let i = 0; i < s.length; ) {
    const cp = cpAt(s, i);
    const w = cpWidth(cp);
    if (cp == 0x22 || cp == 0x5c) {
      out += "\\" + String.fromCharCode(cp);
      i += w;
      continue;
    }
    if (cp < 0x80 ? cp >= 0x20 && cp < 0x7f : !asciiOnly && isGoPrintable(cp)) {
      out += s.substring(i, i + w);
      i += w;
      continue;
    }
    i += w;
    switch (cp) {
      case 7:
        out += "\\a";
        continue;
      case 8:
        out += "\\b";
        continue;
      case 12:
        out += "\\f";
        continue;
      case 10:
        out += "\\n";
        continue;
      case 13:
        out += "\\r";
        continue;
      case 9:
        out += "\\t";
        continue;
      case 11:
        out += "\\v";
        continue;
    }
    if (cp < 0x20 || cp == 0x7f) out += "\\x" + HEXL.charAt(<i32>(cp >> 4)) + HEXL.charAt(<i32>(cp & 15));
    else if (cp >= 0xd800 && cp <= 0xdfff) out += "\\ufffd";
    else if (cp < 0x10000) out += "\\u" + u64Digits(cp, 16, false).padStart(4, "0");
    else out += "\\U" + u64Digits(cp, 16, false).padStart(8, "0");
  }
  return out + "\"";
}

// ---------------------------------------------------------------------------------------------
// Operands: numbers as OPA keeps them (integers exact), other values as their Rego text

/**
 * The decimal digits of a number's magnitude when it is an integer (the JS engine's exact
 * integers: a literal's own digits when the runtime kept its text, else the double's), null
 * otherwise.
 */
function intDigits(v: VNum): string | null {
  const raw = v.raw;
  // an exact 64-bit integer: its digits (-i64.MIN_VALUE wraps to itself, which as u64 is right)
  if (raw === null && v.exact) return (<u64>(v.i < 0 ? -v.i : v.i)).toString();
  if (raw !== null) {
    const dec = textDecimal(raw);
    if (dec.d.length == 0) return "0";
    if (dec.dp >= dec.d.length) return dec.d + repeat("0", dec.dp - dec.d.length);
    const x = numValue(v);
    if (!isFinite(x) || x != Math.floor(x)) return null;
    // a fraction whose double is an integer: the double's exact digits
    const d = exactDecimal(x);
    return d.d.length == 0 ? "0" : d.d + repeat("0", d.dp - d.d.length);
  }
  const x = v.n;
  if (!isFinite(x) || x != Math.floor(x)) return null;
  if (Math.abs(x) < 9007199254740992) return (<u64>Math.abs(x)).toString();
  const d = shortestDecimal(x);
  return d.d + repeat("0", d.dp - d.d.length);
}

function isNegNum(v: VNum): bool {
  const raw = v.raw;
  if (raw !== null) return raw.length > 0 && raw.charCodeAt(0) == 0x2d;
  if (v.exact) return v.i < 0;
  return v.n < 0;
}

const INT64_MAX = "9223372036854775807";
const INT64_MIN_MAG = "9223372036854775808";

function fitsInt64(d: string, neg: bool): bool {
  if (d.length < 19) return true;
  if (d.length > 19) return false;
  return d <= (neg ? INT64_MIN_MAG : INT64_MAX);
}

function decToU64(d: string): u64 {
  let u: u64 = 0;
  for (let i = 0; i < d.length; i++) u = u * 10 + <u64>(d.charCodeAt(i) - 0x30);
  return u;
}

/** the JS engine's fromFloat: whether an integer beyond int64 came from a float */
function fromFloat(d: string): bool {
  const sig = stripTrailingZeros(d).length;
  if (d.length > 21 && sig <= 17) return true;
  const f = nearestDouble(new Decimal(stripTrailingZeros(d), d.length));
  if (!isFinite(f)) return false;
  const x = exactDecimal(f);
  if (x.d + repeat("0", x.dp - x.d.length) != d) return false;
  if (sig <= 17) return false;
  // odd part of the value: the mantissa without its trailing zero bits
  let m = (reinterpret<u64>(f) & 0xfffffffffffff) | (<u64>1 << 52);
  while ((m & 1) == 0) m >>= 1;
  return m >= <u64>0x100000000;
}

/** 2·10^308 as "2e308": the significant digits, a point after the first, and the exponent */
function exponentText(d: string, neg: bool): string {
  const sig = stripTrailingZeros(d);
  return (neg ? "-" : "") + sig.charAt(0) + (sig.length > 1 ? "." + sig.substring(1) : "") + "e" + (d.length - 1).toString();
}

/** Number#toString of a finite non-integer x (json.ts's numberText, with the nearest digits) */
function jsNumberText(x: f64): string {
  const dec = shortestDecimal(x);
  const digits = dec.d;
  const k = digits.length;
  const e = dec.dp;
  let out: string;
  if (k <= e && e <= 21) out = digits + repeat("0", e - k);
  else if (0 < e && e <= 21) out = digits.substring(0, e) + "." + digits.substring(e);
  else if (-6 < e && e <= 0) out = "0." + repeat("0", -e) + digits;
  else {
    const xe = e - 1;
    out = digits.substring(0, 1) + (k > 1 ? "." + digits.substring(1) : "") + "e" + (xe >= 0 ? "+" : "-") + (xe >= 0 ? xe : -xe).toString();
  }
  return x < 0 ? "-" + out : out;
}

/** a number's text as the JS engine prints it (integers: all their digits) */
function numberRego(v: VNum): string {
  const d = intDigits(v);
  if (d === null) return jsNumberText(numValue(v));
  return (isNegNum(v) && d != "0" ? "-" : "") + d;
}

/** OPA's Term.String(): strings Go-quoted, sets as {1, 2} (empty: set()), objects as {"a": 1} */
export function regoText(v: Value): string {
  const parts = new Array<string>();
  writeRego(parts, v);
  return parts.join("");
}

function writeRego(out: Array<string>, v: Value): void {
  switch (v.tag) {
    case T_NULL:
      out.push("null");
      return;
    case T_BOOL:
      out.push(changetype<VBool>(v).b ? "true" : "false");
      return;
    case T_NUM:
      out.push(numberRego(asNum(v)));
      return;
    case T_STR:
      out.push(goQuote(asStr(v).s, false));
      return;
    case T_ARR: {
      const a = asArr(v).a;
      out.push("[");
      for (let i = 0, n = a.length; i < n; i++) {
        if (i > 0) out.push(", ");
        writeRego(out, unchecked(a[i]));
      }
      out.push("]");
      return;
    }
    case T_OBJ: {
      const o = asObj(v);
      const idx = sortedKeyIndexes(o);
      out.push("{");
      for (let i = 0, n = idx.length; i < n; i++) {
        if (i > 0) out.push(", ");
        const j = unchecked(idx[i]);
        writeRego(out, unchecked(o.keys[j]));
        out.push(": ");
        writeRego(out, unchecked(o.vals[j]));
      }
      out.push("}");
      return;
    }
    default: {
      const s = changetype<VTab>(v);
      const idx = sortedKeyIndexes(s);
      if (idx.length == 0) {
        out.push("set()");
        return;
      }
      out.push("{");
      for (let i = 0, n = idx.length; i < n; i++) {
        if (i > 0) out.push(", ");
        writeRego(out, unchecked(s.keys[unchecked(idx[i])]));
      }
      out.push("}");
    }
  }
}

function sprintfArg(v: Value): GoArg {
  const a = new GoArg();
  if (v.tag == T_STR) {
    a.kind = K_STR;
    a.s = asStr(v).s;
    return a;
  }
  if (v.tag == T_NUM) {
    const x = asNum(v);
    const d = intDigits(x);
    if (d === null) {
      a.kind = K_FLOAT;
      a.f = numValue(x);
      return a;
    }
    const neg = isNegNum(x) && d != "0";
    a.neg = neg;
    if (fitsInt64(d, neg)) {
      a.kind = K_INT;
      a.mag = decToU64(d);
      return a;
    }
    if (fromFloat(d)) {
      const f = nearestDouble(new Decimal(stripTrailingZeros(d), d.length));
      if (isFinite(f)) {
        a.kind = K_FLOAT;
        a.f = neg ? -f : f;
      } else {
        a.kind = K_STR;
        a.s = exponentText(d, neg);
      }
      return a;
    }
    a.kind = K_BIG;
    a.digits = d;
    return a;
  }
  a.kind = K_STR;
  a.s = regoText(v);
  return a;
}

// ---------------------------------------------------------------------------------------------

function badVerb(f: Flags, a: GoArg, verb: string): string {
  return "%!" + verb + "(" + typeName(a) + "=" + printArg(f, a, "v") + ")";
}

function printArg(f: Flags, a: GoArg, verb: string): string {
  if (verb == "T") return pad(f, truncate(f, typeName(a)));
  switch (a.kind) {
    case K_INT: {
      if (verb == "v" || verb == "d") return fmtInteger(f, a.neg, a.mag, 10, verb, false);
      if (verb == "b") return fmtInteger(f, a.neg, a.mag, 2, verb, false);
      if (verb == "o" || verb == "O") return fmtInteger(f, a.neg, a.mag, 8, verb, false);
      if (verb == "x") return fmtInteger(f, a.neg, a.mag, 16, verb, false);
      if (verb == "X") return fmtInteger(f, a.neg, a.mag, 16, verb, true);
      if (verb == "c") return pad(f, String.fromCodePoint(<i32>validRune(a)));
      if (verb == "q") return pad(f, quoteRune(validRune(a)));
      if (verb == "U") {
        const cp: u64 = a.neg ? <u64>0 - a.mag : a.mag;
        let s = "U+" + hexPad(cp, 4);
        if (f.sharp && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) s += " '" + String.fromCodePoint(<i32>cp) + "'";
        return pad(f, s);
      }
      return badVerb(f, a, verb);
    }
    case K_BIG:
      return fmtBigInt(f, a, verb);
    case K_FLOAT: {
      if (verb == "v") return fmtFloat(f, a.f, "g", -1);
      // %b %x %X (binary/hex mantissa forms) are approximated by %g, as the JS engine does
      if (verb == "g" || verb == "G" || verb == "b" || verb == "x" || verb == "X") return fmtFloat(f, a.f, verb == "G" ? "G" : "g", -1);
      if (verb == "e" || verb == "E" || verb == "f" || verb == "F") return fmtFloat(f, a.f, verb, 6);
      return badVerb(f, a, verb);
    }
    default: {
      if (verb == "v") {
        if (f.sharpV) return pad(f, goQuote(truncate(f, a.s), false));
        return pad(f, truncate(f, a.s));
      }
      if (verb == "s") return pad(f, truncate(f, a.s));
      if (verb == "x" || verb == "X") return fmtSx(f, a.s, verb == "X");
      if (verb == "q") {
        const s = truncate(f, a.s);
        if (f.sharp && canBackquote(s)) return pad(f, "`" + s + "`");
        return pad(f, goQuote(s, f.plus));
      }
      return badVerb(f, a, verb);
    }
  }
}

/** fmt.Sprintf's loop; null when the output grows beyond MAX_OUT */
class Printer {
  format: string;
  args: Array<GoArg>;
  end: i32;
  out: Array<string> = new Array<string>();
  outLen: i32 = 0;
  argNum: i32 = 0;
  reordered: bool = false;
  goodArgNum: bool = true;
  // multiple results of parseNum / argNumber / intFromArg
  rNum: i32 = 0;
  rOk: bool = false;
  rI: i32 = 0;

  constructor(format: string, args: Array<GoArg>) {
    this.format = format;
    this.args = args;
    this.end = format.length;
  }

  emit(s: string): void {
    this.out.push(s);
    this.outLen += s.length;
  }

  /** rNum: the number, rOk: whether there was one, rI: where it ends */
  parseNum(start: i32, end: i32): void {
    this.rNum = 0;
    this.rOk = false;
    this.rI = start;
    if (start >= end) {
      this.rI = end;
      return;
    }
    let n = 0;
    let isNum = false;
    let i = start;
    const s = this.format;
    for (; i < end && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57; i++) {
      if (n > TOO_LARGE) {
        this.rNum = 0;
        this.rOk = false;
        this.rI = end;
        return;
      }
      n = n * 10 + (s.charCodeAt(i) - 48);
      isNum = true;
    }
    this.rNum = n;
    this.rOk = isNum;
    this.rI = i;
  }

  /** rNum: the argument number, rI: where the index ends, rOk: whether an index was found */
  argNumber(an: i32, i: i32): void {
    const s = this.format;
    const end = this.end;
    if (i >= end || s.charCodeAt(i) != 0x5b) {
      this.rNum = an;
      this.rI = i;
      this.rOk = false;
      return;
    }
    this.reordered = true;
    let index = 0;
    let wid = 1;
    let ok = false;
    if (end - i >= 3) {
      for (let j = i + 1; j < end; j++) {
        if (s.charCodeAt(j) == 0x5d) {
          this.parseNum(i + 1, j);
          if (!this.rOk || this.rI != j) {
            wid = j - i + 1;
            ok = false;
          } else {
            index = this.rNum - 1;
            wid = j - i + 1;
            ok = true;
          }
          break;
        }
      }
    }
    if (ok && index >= 0 && index < this.args.length) {
      this.rNum = index;
      this.rI = i + wid;
      this.rOk = true;
      return;
    }
    this.goodArgNum = false;
    this.rNum = an;
    this.rI = i + wid;
    this.rOk = ok;
  }

  /** rNum: the int, rOk: whether it is one, rI: the next argument number */
  intFromArg(an: i32): void {
    if (an < this.args.length) {
      const a = this.args[an];
      this.rI = an + 1;
      if (a.kind == K_INT && a.mag <= <u64>TOO_LARGE) {
        this.rNum = a.neg ? -<i32>a.mag : <i32>a.mag;
        this.rOk = true;
        return;
      }
      this.rNum = 0;
      this.rOk = false;
      return;
    }
    this.rNum = 0;
    this.rOk = false;
    this.rI = an;
  }

  run(): string | null {
    const format = this.format;
    const end = this.end;
    const args = this.args;
    let i = 0;
    while (i < end) {
      if (this.outLen > MAX_OUT) return null;
      this.goodArgNum = true;
      const last = i;
      while (i < end && format.charCodeAt(i) != 0x25) i++;
      if (i > last) this.emit(format.substring(last, i));
      if (i >= end) break;
      i++; // skip %
      const f = new Flags();
      let simpleDone = false;
      for (; i < end; i++) {
        const c = format.charCodeAt(i);
        if (c == 0x23) f.sharp = true;
        else if (c == 0x30) f.zero = !f.minus;
        else if (c == 0x2b) f.plus = true;
        else if (c == 0x2d) {
          f.minus = true;
          f.zero = false;
        } else if (c == 0x20) f.space = true;
        else {
          if (c >= 97 && c <= 122 && this.argNum < args.length) {
            const verb = String.fromCharCode(c);
            if (verb == "v") {
              f.sharpV = f.sharp; // %#v: Go syntax
              f.sharp = false;
              f.plus = false;
            }
            this.emit(printArg(f, args[this.argNum], verb));
            this.argNum++;
            i++;
            simpleDone = true;
          }
          break;
        }
      }
      if (simpleDone) continue;
      this.argNumber(this.argNum, i);
      this.argNum = this.rNum;
      i = this.rI;
      let afterIndex = this.rOk;
      if (i < end && format.charCodeAt(i) == 0x2a) {
        i++;
        this.intFromArg(this.argNum);
        f.wid = this.rNum;
        f.widPresent = this.rOk;
        this.argNum = this.rI;
        if (!f.widPresent) this.emit("%!(BADWIDTH)");
        if (f.wid < 0) {
          f.wid = -f.wid;
          f.minus = true;
          f.zero = false;
        }
        afterIndex = false;
      } else {
        this.parseNum(i, end);
        f.wid = this.rNum;
        f.widPresent = this.rOk;
        i = this.rI;
        if (afterIndex && f.widPresent) this.goodArgNum = false;
      }
      if (i + 1 < end && format.charCodeAt(i) == 0x2e) {
        i++;
        if (afterIndex) this.goodArgNum = false;
        this.argNumber(this.argNum, i);
        this.argNum = this.rNum;
        i = this.rI;
        afterIndex = this.rOk;
        if (i < end && format.charCodeAt(i) == 0x2a) {
          i++;
          this.intFromArg(this.argNum);
          f.prec = this.rNum;
          f.precPresent = this.rOk;
          this.argNum = this.rI;
          if (f.prec < 0) {
            f.prec = 0;
            f.precPresent = false;
          }
          if (!f.precPresent) this.emit("%!(BADPREC)");
          afterIndex = false;
        } else {
          this.parseNum(i, end);
          f.prec = this.rNum;
          f.precPresent = this.rOk;
          i = this.rI;
          if (!f.precPresent) {
            f.prec = 0;
            f.precPresent = true;
          }
        }
      }
      if (!afterIndex) {
        this.argNumber(this.argNum, i);
        this.argNum = this.rNum;
        i = this.rI;
      }
      if (i >= end) {
        this.emit("%!(NOVERB)");
        break;
      }
      const cp = cpAt(format, i);
      const verb = format.substring(i, i + cpWidth(cp));
      i += verb.length;
      if (verb == "%") {
        this.emit("%");
      } else if (!this.goodArgNum) {
        this.emit("%!" + verb + "(BADINDEX)");
      } else if (this.argNum >= args.length) {
        this.emit("%!" + verb + "(MISSING)");
      } else {
        if (verb == "v") {
          f.sharpV = f.sharp;
          f.sharp = false;
          f.plus = false;
        }
        this.emit(printArg(f, args[this.argNum], verb));
        this.argNum++;
      }
    }
    if (!this.reordered && this.argNum < args.length) {
      this.emit("%!(EXTRA ");
      const f = new Flags();
      for (let k = this.argNum; k < args.length; k++) {
        if (k > this.argNum) this.emit(", ");
        const a = args[k];
        this.emit(typeName(a) + "=" + printArg(f, a, "v"));
      }
      this.emit(")");
    }
    if (this.outLen > MAX_OUT) return null;
    return this.out.join("");
  }
}

/** sprintf(format, args) with OPA's operand conversion; null when the output is too long */
export function sprintf(format: string, args: Array<Value>): string | null {
  const goArgs = new Array<GoArg>(args.length);
  for (let i = 0; i < args.length; i++) unchecked((goArgs[i] = sprintfArg(unchecked(args[i]))));
  return new Printer(format, goArgs).run();
}
