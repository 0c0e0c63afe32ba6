// Go's fmt.Sprintf, for the argument types OPA's sprintf hands to it: int (integers that fit
// an int64), *big.Int (larger integers), float64 (non-integers) and string (strings, and the
// Rego text of every other value). Written from the fmt package's documented behaviour:
// flags + - # 0 space, width, precision, `*`, explicit argument indexes `[n]`, and the
// error forms %!d(string=x), %!d(MISSING), %!(EXTRA ...), %!(NOVERB), %!(BADWIDTH), etc.

import { goQuote } from './util.js';

export type GoArg = { kind: 'int'; v: bigint } | { kind: 'bigint'; v: bigint } | { kind: 'float'; v: number } | { kind: 'string'; v: string };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Convert an integer to the Go argument OPA would pass (int if it fits, else *big.Int). */
export function goInt(v: bigint): GoArg {
  return v >= INT64_MIN && v <= INT64_MAX ? { kind: 'int', v } : { kind: 'bigint', v };
}

const TYPE_NAME: Record<GoArg['kind'], string> = { int: 'int', bigint: '*big.Int', float: 'float64', string: 'string' };

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  wid: number;
  widPresent: boolean;
  prec: number;
  precPresent: boolean;
  sharpV: boolean;
}

function clearFlags(): Flags {
  return { plus: false, minus: false, sharp: false, space: false, zero: false, wid: 0, widPresent: false, prec: 0, precPresent: false, sharpV: false };
}

/** Maximum width/precision (Go refuses numbers above 1e6 as "too large"). */
const TOO_LARGE = 1_000_000;

function runeLen(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function padding(f: Flags, n: number): string {
  if (n <= 0) return '';
  return (f.zero ? '0' : ' ').repeat(n);
}

function pad(f: Flags, s: string): string {
  if (!f.widPresent || f.wid === 0) return s;
  const width = f.wid - runeLen(s);
  return f.minus ? s + padding(f, width) : padding(f, width) + s;
}

// ---------------------------------------------------------------------------------------------
// Integers

function fmtInteger(f: Flags, value: bigint, base: number, verb: string, upper: boolean): string {
  const negative = value < 0n;
  const u = negative ? -value : value;
  let prec = 0;
  if (f.precPresent) {
    prec = f.prec;
    if (prec === 0 && u === 0n) {
      const z = f.zero;
      f.zero = false;
      const out = padding(f, f.wid);
      f.zero = z;
      return out;
    }
  } else if (f.zero && !f.minus && f.widPresent) {
    prec = f.wid;
    if (negative || f.plus || f.space) prec--;
  }
  let digits = u.toString(base);
  if (upper) digits = digits.toUpperCase();
  if (prec > digits.length) digits = '0'.repeat(prec - digits.length) + digits;
  if (f.sharp) {
    if (base === 2) digits = '0b' + digits;
    else if (base === 8) {
      if (digits[0] !== '0') digits = '0' + digits;
    } else if (base === 16) digits = (upper ? '0X' : '0x') + digits;
  }
  if (verb === 'O') digits = '0o' + digits;
  if (negative) digits = '-' + digits;
  else if (f.plus) digits = '+' + digits;
  else if (f.space) digits = ' ' + digits;
  const z = f.zero;
  f.zero = false;
  const out = pad(f, digits);
  f.zero = z;
  return out;
}

/** big.Int's Format method. */
function fmtBigInt(f: Flags, x: bigint, verb: string): string {
  let base: number;
  switch (verb) {
    case 'b':
      base = 2;
      break;
    case 'o':
    case 'O':
      base = 8;
      break;
    case 'd':
    case 's':
    case 'v':
      base = 10;
      break;
    case 'x':
    case 'X':
      base = 16;
      break;
    default:
      return `%!${verb}(big.Int=${x.toString()})`;
  }
  const sign = x < 0n ? '-' : f.plus ? '+' : f.space ? ' ' : '';
  let prefix = '';
  if (f.sharp) {
    if (verb === 'b') prefix = '0b';
    else if (verb === 'o') prefix = '0';
    else if (verb === 'x') prefix = '0x';
    else if (verb === 'X') prefix = '0X';
  }
  if (verb === 'O') prefix = '0o';
  let digits = (x < 0n ? -x : x).toString(base);
  if (verb === 'X') digits = digits.toUpperCase();
  let left = 0;
  let zeros = 0;
  let right = 0;
  if (f.precPresent) {
    if (digits.length < f.prec) zeros = f.prec - digits.length;
    else if (digits === '0' && f.prec === 0) return '';
  }
  const length = sign.length + prefix.length + zeros + digits.length;
  if (f.widPresent && length < f.wid) {
    const d = f.wid - length;
    if (f.minus) right = d;
    else if (f.zero && !f.precPresent) zeros = d;
    else left = d;
  }
  return ' '.repeat(left) + sign + prefix + '0'.repeat(zeros) + digits + ' '.repeat(right);
}

function quoteRune(cp: number): string {
  if (cp === 0x27) return "'\\''";
  if (cp === 0x22) return `'"'`;
  const q = goQuote(String.fromCodePoint(cp));
  return "'" + q.slice(1, -1) + "'";
}

function validRune(v: bigint): number {
  if (v < 0n || v > 0x10ffffn || (v >= 0xd800n && v <= 0xdfffn)) return 0xfffd;
  return Number(v);
}

// ---------------------------------------------------------------------------------------------
// Floats: exact decimal expansion of the double, rounded half-to-even like strconv.

interface Decimal {
  d: string; // digits, no leading or trailing zeros ("" for zero)
  dp: number; // value = 0.d × 10^dp
}

function exactDecimal(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const expBits = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (expBits === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = expBits - 1075;
  }
  let s: string;
  let dp: number;
  if (e >= 0) {
    s = (mant << BigInt(e)).toString();
    dp = s.length;
  } else {
    s = (mant * 5n ** BigInt(-e)).toString();
    dp = s.length + e;
  }
  return { d: s.replace(/0+$/, ''), dp };
}

/** Shortest digits that round-trip (what strconv's shortest mode and JS's toString both produce). */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  const t = Math.abs(x).toExponential();
  const [m, ex] = t.split('e');
  const d = m.replace('.', '').replace(/0+$/, '');
  return { d, dp: Number(ex) + 1 };
}

function roundDecimal(a: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= a.d.length) return a;
  let up: boolean;
  if (a.d[nd] === '5' && nd + 1 === a.d.length) up = nd > 0 && (a.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = a.d[nd] >= '5';
  if (!up) {
    const d = a.d.slice(0, nd).replace(/0+$/, '');
    return { d, dp: d === '' ? 0 : a.dp };
  }
  let i = nd - 1;
  while (i >= 0 && a.d[i] === '9') i--;
  if (i < 0) return { d: '1', dp: a.dp + 1 };
  return { d: a.d.slice(0, i) + String.fromCharCode(a.d.charCodeAt(i) + 1), dp: a.dp };
}

function fmtF(a: Decimal, prec: number): string {
  let out = '';
  if (a.dp > 0) {
    let m = Math.min(a.d.length, a.dp);
    out += a.d.slice(0, m);
    for (; m < a.dp; m++) out += '0';
  } else out += '0';
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) {
      const j = a.dp + i - 1;
      out += j >= 0 && j < a.d.length ? a.d[j] : '0';
    }
  }
  return out;
}

function fmtE(a: Decimal, prec: number, e: string): string {
  let out = a.d.length === 0 ? '0' : a.d[0];
  if (prec > 0) {
    out += '.';
    let i = 1;
    const m = Math.min(a.d.length, prec + 1);
    if (i < m) {
      out += a.d.slice(i, m);
      i = m;
    }
    for (; i <= prec; i++) out += '0';
  }
  const exp = a.d.length === 0 ? 0 : a.dp - 1;
  const ae = Math.abs(exp);
  return out + e + (exp < 0 ? '-' : '+') + (ae < 10 ? '0' + ae : String(ae));
}

/** strconv.FormatFloat(x, fmt, prec, 64) for finite x and fmt in e E f F g G. */
export function formatFloat(x: number, fmt: string, prec: number): string {
  const neg = x < 0 || Object.is(x, -0);
  const shortest = prec < 0;
  let digs: Decimal;
  if (shortest) {
    digs = shortestDecimal(x);
    switch (fmt) {
      case 'e':
      case 'E':
        prec = Math.max(digs.d.length - 1, 0);
        break;
      case 'f':
      case 'F':
        prec = Math.max(digs.d.length - digs.dp, 0);
        break;
      default:
        prec = digs.d.length;
    }
  } else {
    digs = exactDecimal(x);
    switch (fmt) {
      case 'e':
      case 'E':
        digs = roundDecimal(digs, prec + 1);
        break;
      case 'f':
      case 'F':
        digs = roundDecimal(digs, digs.dp + prec);
        break;
      default:
        if (prec === 0) prec = 1;
        digs = roundDecimal(digs, prec);
    }
  }
  const sign = neg ? '-' : '';
  switch (fmt) {
    case 'e':
    case 'E':
      return sign + fmtE(digs, prec, fmt);
    case 'f':
    case 'F':
      return sign + fmtF(digs, prec);
    default: {
      let eprec = prec;
      if (eprec > digs.d.length && digs.d.length >= digs.dp) eprec = digs.d.length;
      if (shortest) eprec = 6;
      const exp = digs.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > digs.d.length) prec = digs.d.length;
        return sign + fmtE(digs, prec - 1, fmt === 'G' ? 'E' : 'e');
      }
      if (prec > digs.dp) prec = digs.d.length;
      return sign + fmtF(digs, Math.max(prec - digs.dp, 0));
    }
  }
}

function fmtFloat(f: Flags, v: number, verb: string, defPrec: number): string {
  const prec = f.precPresent ? f.prec : defPrec;
  let n = formatFloat(v, verb, prec);
  let sign = '+';
  if (n[0] === '-') {
    sign = '-';
    n = n.slice(1);
  }
  if (f.space && sign === '+' && !f.plus) sign = ' ';
  if (f.plus || sign !== '+') {
    if (f.zero && !f.minus && f.widPresent && f.wid > n.length + 1) return sign + '0'.repeat(f.wid - n.length - 1) + n;
    return pad(f, sign + n);
  }
  return pad(f, n);
}

// ---------------------------------------------------------------------------------------------
// Strings

function truncate(f: Flags, s: string): string {
  if (!f.precPresent) return s;
  let n = 0;
  let i = 0;
  for (const ch of s) {
    if (n === f.prec) return s.slice(0, i);
    n++;
    i += ch.length;
  }
  return s;
}

function fmtSx(f: Flags, s: string, upper: boolean): string {
  const bytes = Buffer.from(truncate(f, s), 'utf8');
  const digits = upper ? '0123456789ABCDEF' : '0123456789abcdef';
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    if (f.space && i > 0) out += ' ';
    if (f.sharp && (f.space || i === 0)) out += upper ? '0X' : '0x';
    out += digits[bytes[i] >> 4] + digits[bytes[i] & 15];
  }
  if (bytes.length === 0 && f.widPresent) return padding(f, f.wid);
  return pad(f, out);
}

function canBackquote(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '`' || c === 0xfeff || (c < 0x20 && c !== 9) || c === 0x7f) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------

function argText(f: Flags, a: GoArg): string {
  return printArg(f, a, 'v');
}

function badVerb(f: Flags, a: GoArg, verb: string): string {
  return `%!${verb}(${TYPE_NAME[a.kind]}=${argText(f, a)})`;
}

function printArg(f: Flags, a: GoArg, verb: string): string {
  if (verb === 'T') return pad(f, truncate(f, TYPE_NAME[a.kind]));
  switch (a.kind) {
    case 'int':
      switch (verb) {
        case 'v':
        case 'd':
          return fmtInteger(f, a.v, 10, verb, false);
        case 'b':
          return fmtInteger(f, a.v, 2, verb, false);
        case 'o':
        case 'O':
          return fmtInteger(f, a.v, 8, verb, false);
        case 'x':
          return fmtInteger(f, a.v, 16, verb, false);
        case 'X':
          return fmtInteger(f, a.v, 16, verb, true);
        case 'c':
          return pad(f, String.fromCodePoint(validRune(a.v)));
        case 'q':
          return pad(f, quoteRune(validRune(a.v)));
        case 'U': {
          const cp = a.v < 0n ? a.v + 2n ** 64n : a.v;
          let s = 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
          if (f.sharp && cp <= 0x10ffffn && !(cp >= 0xd800n && cp <= 0xdfffn)) s += " '" + String.fromCodePoint(Number(cp)) + "'";
          return pad(f, s);
        }
        default:
          return badVerb(f, a, verb);
      }
    case 'bigint':
      return fmtBigInt(f, a.v, verb);
    case 'float':
      switch (verb) {
        case 'v':
          return fmtFloat(f, a.v, 'g', -1);
        case 'g':
        case 'G':
        case 'b':
        case 'x':
        case 'X':
          // %b %x %X (binary/hex mantissa forms) are approximated by %g.
          return fmtFloat(f, a.v, verb === 'G' ? 'G' : 'g', -1);
        case 'e':
        case 'E':
        case 'f':
        case 'F':
          return fmtFloat(f, a.v, verb, 6);
        default:
          return badVerb(f, a, verb);
      }
    case 'string':
      switch (verb) {
        case 'v':
          if (f.sharpV) return pad(f, goQuote(truncate(f, a.v)));
          return pad(f, truncate(f, a.v));
        case 's':
          return pad(f, truncate(f, a.v));
        case 'x':
        case 'X':
          return fmtSx(f, a.v, verb === 'X');
        case 'q': {
          const s = truncate(f, a.v);
          if (f.sharp && canBackquote(s)) return pad(f, '`' + s + '`');
          return pad(f, goQuote(s, f.plus));
        }
        default:
          return badVerb(f, a, verb);
      }
  }
}

function parseNum(s: string, start: number, end: number): [number, boolean, number] {
  if (start >= end) return [0, false, end];
  let n = 0;
  let isNum = false;
  let i = start;
  for (; i < end && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57; i++) {
    if (n > TOO_LARGE) return [0, false, end];
    n = n * 10 + (s.charCodeAt(i) - 48);
    isNum = true;
  }
  return [n, isNum, i];
}

/** Thrown when the output would exceed the caller's limit. */
export class GoFmtTooLong extends Error {}

/** fmt.Sprintf(format, args...); `maxLength` bounds the output. */
export function goSprintf(format: string, args: GoArg[], maxLength = Infinity): string {
  const end = format.length;
  let out = '';
  let argNum = 0;
  let reordered = false;
  // Set per verb (Go resets it at each %), read after the argument index is parsed.
  let goodArgNum: boolean;

  const argNumber = (an: number, i: number): [number, number, boolean] => {
    if (i >= end || format[i] !== '[') return [an, i, false];
    reordered = true;
    // parseArgNumber
    let index = 0;
    let wid = 1;
    let ok = false;
    if (end - i >= 3) {
      for (let j = i + 1; j < end; j++) {
        if (format[j] === ']') {
          const [w, isNum, newi] = parseNum(format, i + 1, j);
          if (!isNum || newi !== j) {
            wid = j - i + 1;
            ok = false;
          } else {
            index = w - 1;
            wid = j - i + 1;
            ok = true;
          }
          break;
        }
      }
    }
    if (ok && index >= 0 && index < args.length) return [index, i + wid, true];
    goodArgNum = false;
    return [an, i + wid, ok];
  };

  const intFromArg = (an: number): [number, boolean, number] => {
    if (an < args.length) {
      const a = args[an];
      if (a.kind === 'int' && a.v >= -BigInt(TOO_LARGE) && a.v <= BigInt(TOO_LARGE)) return [Number(a.v), true, an + 1];
      return [0, false, an + 1];
    }
    return [0, false, an];
  };

  let i = 0;
  formatLoop: while (i < end) {
    if (out.length > maxLength) throw new GoFmtTooLong(`output exceeds ${maxLength} characters`);
    goodArgNum = true;
    const last = i;
    while (i < end && format[i] !== '%') i++;
    if (i > last) out += format.slice(last, i);
    if (i >= end) break;
    i++; // skip %
    const f = clearFlags();
    simple: for (; i < end; i++) {
      switch (format[i]) {
        case '#':
          f.sharp = true;
          break;
        case '0':
          f.zero = !f.minus;
          break;
        case '+':
          f.plus = true;
          break;
        case '-':
          f.minus = true;
          f.zero = false;
          break;
        case ' ':
          f.space = true;
          break;
        default: {
          const c = format.charCodeAt(i);
          if (c >= 97 && c <= 122 && argNum < args.length) {
            const verb = format[i];
            if (verb === 'v') {
              f.sharpV = f.sharp; // %#v: Go syntax
              f.sharp = false;
              f.plus = false;
            }
            out += printArg(f, args[argNum], verb);
            argNum++;
            i++;
            continue formatLoop;
          }
          break simple;
        }
      }
    }
    let afterIndex: boolean;
    [argNum, i, afterIndex] = argNumber(argNum, i);
    if (i < end && format[i] === '*') {
      i++;
      [f.wid, f.widPresent, argNum] = intFromArg(argNum);
      if (!f.widPresent) out += '%!(BADWIDTH)';
      if (f.wid < 0) {
        f.wid = -f.wid;
        f.minus = true;
        f.zero = false;
      }
      afterIndex = false;
    } else {
      [f.wid, f.widPresent, i] = parseNum(format, i, end);
      if (afterIndex && f.widPresent) goodArgNum = false;
    }
    if (i + 1 < end && format[i] === '.') {
      i++;
      if (afterIndex) goodArgNum = false;
      [argNum, i, afterIndex] = argNumber(argNum, i);
      if (i < end && format[i] === '*') {
        i++;
        [f.prec, f.precPresent, argNum] = intFromArg(argNum);
        if (f.prec < 0) {
          f.prec = 0;
          f.precPresent = false;
        }
        if (!f.precPresent) out += '%!(BADPREC)';
        afterIndex = false;
      } else {
        [f.prec, f.precPresent, i] = parseNum(format, i, end);
        if (!f.precPresent) {
          f.prec = 0;
          f.precPresent = true;
        }
      }
    }
    if (!afterIndex) [argNum, i] = argNumber(argNum, i);
    if (i >= end) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) as number);
    i += verb.length;
    if (verb === '%') {
      out += '%';
    } else if (!goodArgNum) {
      out += `%!${verb}(BADINDEX)`;
    } else if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
    } else {
      if (verb === 'v') {
        f.sharpV = f.sharp;
        f.sharp = false;
        f.plus = false;
      }
      out += printArg(f, args[argNum], verb);
      argNum++;
    }
  }
  if (!reordered && argNum < args.length) {
    out += '%!(EXTRA ';
    const f = clearFlags();
    out += args
      .slice(argNum)
      .map((a) => TYPE_NAME[a.kind] + '=' + printArg(f, a, 'v'))
      .join(', ');
    out += ')';
  }
  return out;
}
