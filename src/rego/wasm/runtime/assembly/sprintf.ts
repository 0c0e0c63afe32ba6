// sprintf(format, args): OPA's sprintf, i.e. Go's fmt.Sprintf over the arguments OPA's topdown
// hands it: a string stays a string, an integer is an int (a *big.Int beyond int64), another
// number is a float64, and every other value is its Rego text (Go's ast String form) as a
// string. A port of the JS engine's src/rego/builtins/gofmt.ts and strings.ts (sprintfArg):
// flags + - # 0 space, width, precision, `*`, explicit argument indexes `[n]`, and the error
// forms %!d(string=x), %!d(MISSING), %!(EXTRA ...), %!(NOVERB), %!(BADWIDTH), etc.

import { Value, VNum, VBool, T_NULL, T_BOOL, T_NUM, T_STR, T_ARR, T_OBJ, asNum, asStr, asArr, asObj, VTab, sortedKeyIndexes } from "./value";

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

function isHigh(c: u32): bool {
  return c >= 0xd800 && c <= 0xdbff;
}
function isLow(c: u32): bool {
  return c >= 0xdc00 && c <= 0xdfff;
}
/** the code point at unit i (a lone surrogate as itself) */
function cpAt(s: string, i: i32): u32 {
  const c = <u32>s.charCodeAt(i);
  if (isHigh(c) && i + 1 < s.length) {
    const d = <u32>s.charCodeAt(i + 1);
    if (isLow(d)) return 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
  }
  return c;
}
function cpWidth(cp: u32): i32 {
  return cp > 0xffff ? 2 : 1;
}

function runeLen(s: string): i32 {
  let n = 0;
  for (let i = 0; i < s.length; i += cpWidth(cpAt(s, i))) n++;
  return n;
}

function repeat(c: string, n: i32): string {
  return n <= 0 ? "" : c.repeat(n);
}

function padding(f: Flags, n: i32): string {
  return repeat(f.zero ? "0" : " ", n);
}

function pad(f: Flags, s: string): string {
  if (!f.widPresent || f.wid == 0) return s;
  const width = f.wid - runeLen(s);
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

class Decimal {
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
function textDecimal(t: string): Decimal {
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

/**
 * The double nearest to the decimal v (ties to even), from a guess a few ulps away (the
 * runtime's parseFloat is not always correctly rounded; the JS engine's Number() is).
 */
function nearestDouble(v: Decimal, guess: f64): f64 {
  let b = reinterpret<u64>(Math.abs(guess));
  if (b >= 0x7ff0000000000000) return Math.abs(guess);
  // up while v is above the midpoint of b and b + 1
  while (b < 0x7ff0000000000000) {
    const c = cmpDec(v, decOf(mantOf(b) * 2 + 1, expOf(b) - 1));
    if (c > 0 || (c == 0 && (b & 1) == 1)) b++;
    else break;
  }
  // down while v is below the midpoint of b - 1 and b
  while (b > 0) {
    const c = cmpDec(v, decOf(mantOf(b - 1) * 2 + 1, expOf(b - 1) - 1));
    if (c < 0 || (c == 0 && (b & 1) == 1)) b--;
    else break;
  }
  return reinterpret<f64>(b);
}

/** a number's double: from its text when the runtime kept it */
function numValue(v: VNum): f64 {
  const raw = v.raw;
  if (raw === null || !isFinite(v.n)) return v.n;
  const x = nearestDouble(textDecimal(raw), v.n);
  return isNegNum(v) ? -x : x;
}

/**
 * The shortest digits that round-trip, the nearest such when there are several (what
 * JavaScript's Number#toString and strconv's shortest mode give; the runtime's dtoa is not always
 * the nearest: 0.1 + 0.2 gives 0.30000000000000007 there).
 */
function shortestDecimal(x: f64): Decimal {
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

/**
 * Go's unicode.IsPrint beyond ASCII (letters, marks, numbers, punctuation, symbols): an
 * approximation without Unicode tables, refusing the controls, spaces, format characters,
 * surrogates, private use and noncharacters (unassigned code points pass).
 */
function isGoPrintable(c: u32): bool {
  if (c < 0xa1) return c >= 0x20 && c < 0x7f;
  if (c == 0xad) return false;
  if (c >= 0x600 && c <= 0x605) return false;
  if (c == 0x61c || c == 0x6dd || c == 0x70f || c == 0x8e2 || c == 0x1680 || c == 0x180e) return false;
  if (c >= 0x2000 && c <= 0x200f) return false;
  if (c >= 0x2028 && c <= 0x202f) return false;
  if (c >= 0x205f && c <= 0x206f) return false;
  if (c == 0x3000 || c == 0xfeff) return false;
  if (c >= 0xd800 && c <= 0xf8ff) return false;
  if (c >= 0xfff9 && c <= 0xfffb) return false;
  if ((c & 0xfffe) == 0xfffe) return false;
  if (c >= 0xfdd0 && c <= 0xfdef) return false;
  if (c == 0x110bd || c == 0x110cd || c == 0x13430 || (c >= 0x1bca0 && c <= 0x1bca3) || (c >= 0x1d173 && c <= 0x1d17a)) return false;
  if (c >= 0xe0000 && c <= 0xe0fff) return c >= 0xe0100 && c <= 0xe01ef;
  if (c >= 0xf0000) return false;
  return true;
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
    const t = raw;
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
    if (ds.length == 0) return "0";
    const e = exp - fracLen;
    if (e >= 0) return ds + repeat("0", e);
    const trailing = ds.length - stripTrailingZeros(ds).length;
    if (trailing >= -e) return ds.substring(0, ds.length + e);
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
  const f = nearestDouble(new Decimal(stripTrailingZeros(d), d.length), parseFloat(d));
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
      const f = nearestDouble(new Decimal(stripTrailingZeros(d), d.length), parseFloat(d));
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
