// String builtins with Go's semantics: indexes and lengths count code points (runes),
// case mapping is Go's per-rune simple mapping, trimming uses Go's cutsets and unicode.IsSpace.

import { SetV, compare, type Value } from '../value.js';
import { GoFmtTooLong, goInt, goSprintf, type GoArg } from './gofmt.js';
import type { Builtin, BuiltinContext } from './types.js';
import {
  MAX_STRING_LENGTH,
  arr,
  checkLength,
  def,
  elemErr,
  fail,
  intOp,
  isASCII,
  num,
  obj,
  operandErr,
  regoString,
  runeCount,
  str,
  strCost,
  typeErr,
} from './util.js';

function charge(ctx: BuiltinContext, ...ss: string[]): void {
  let c = 0;
  for (const s of ss) c += strCost(s);
  ctx.checkBudget(c);
}

/** Strings of an array or set operand (OPA's StringSliceOperand). */
function stringSlice(v: Value, pos: number): string[] {
  if (!Array.isArray(v) && !(v instanceof SetV)) throw typeErr(pos, v, 'array', 'set');
  const xs = Array.isArray(v) ? v : v.sorted();
  const out: string[] = [];
  for (const x of xs) {
    if (typeof x !== 'string') throw elemErr(pos, v, x, 'string');
    out.push(x);
  }
  return out;
}

/** The array itself when every element is a string (else the same error as stringSlice). */
/** Longest list `concat` joins by string concatenation rather than Array.prototype.join. */
const SHORT_JOIN = 8;

function stringArray(v: Value[], pos: number): string[] {
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') throw elemErr(pos, v, v[i], 'string');
  return v as string[];
}

function stringsOrString(v: Value, pos: number): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) || v instanceof SetV) return stringSlice(v, pos);
  throw typeErr(pos, v, 'string', 'set', 'array');
}

// ---- case mapping (Go's unicode.ToLower/ToUpper per rune: simple mappings, no context) ----

function mapRunes(s: string, lower: boolean): string {
  if (isASCII(s)) return lower ? s.toLowerCase() : s.toUpperCase();
  let out = '';
  for (const ch of s) {
    const m = lower ? ch.toLowerCase() : ch.toUpperCase();
    if (m.length === ch.length || [...m].length === 1) out += m;
    else if (lower && ch === '\u0130')
      out += 'i'; // İ: Go maps to plain i
    else out += ch; // no simple one-rune mapping (e.g. ß): Go keeps the rune
  }
  return out;
}

// ---- trimming ----

function isGoSpace(cp: number): boolean {
  if (cp <= 0xff) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d) || cp === 0x85 || cp === 0xa0;
  return cp === 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp === 0x2028 || cp === 0x2029 || cp === 0x202f || cp === 0x205f || cp === 0x3000;
}

function trimLeftFn(s: string, drop: (cp: number) => boolean): string {
  let i = 0;
  while (i < s.length) {
    const cp = s.codePointAt(i) as number;
    if (!drop(cp)) break;
    i += cp > 0xffff ? 2 : 1;
  }
  return s.slice(i);
}

function trimRightFn(s: string, drop: (cp: number) => boolean): string {
  let j = s.length;
  while (j > 0) {
    let k = j - 1;
    const lo = s.charCodeAt(k);
    if (lo >= 0xdc00 && lo <= 0xdfff && k > 0) {
      const hi = s.charCodeAt(k - 1);
      if (hi >= 0xd800 && hi <= 0xdbff) k--;
    }
    if (!drop(s.codePointAt(k) as number)) break;
    j = k;
  }
  return s.slice(0, j);
}

function cutset(chars: string): (cp: number) => boolean {
  const set = new Set<number>();
  for (const ch of chars) set.add(ch.codePointAt(0) as number);
  return (cp) => set.has(cp);
}

/** Go's strings.SplitN (limit < 0: no limit); an empty separator splits after each rune. */
function goSplitN(s: string, sep: string, limit: number): string[] {
  if (sep === '') {
    const runes = Array.from(s);
    if (limit < 0 || runes.length <= limit) return runes;
    return [...runes.slice(0, limit - 1), runes.slice(limit - 1).join('')];
  }
  if (limit < 0) return s.split(sep);
  const out: string[] = [];
  let rest = s;
  while (out.length < limit - 1) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}

// ---- replacing ----

/** strings.NewReplacer(old, new).Replace(s) for one pair. */
function replaceAll(s: string, old: string, repl: string): string {
  if (repl.length > old.length) {
    let n = 0;
    if (old === '') n = runeCount(s) + 1;
    else for (let i = s.indexOf(old); i >= 0; i = s.indexOf(old, i + old.length)) n++;
    checkLength(s.length + n * (repl.length - old.length));
  }
  if (old === '') {
    let out = repl;
    for (const ch of s) out += ch + repl;
    return out;
  }
  // the common case (a key without "~" or "/"): nothing to replace, no split array
  if (!s.includes(old)) return s;
  return s.split(old).join(repl);
}

/** strings.NewReplacer(pairs...).Replace(s): at each position the first pair (in argument order) that matches wins. */
function replaceMany(s: string, pairs: [string, string][]): string {
  if (pairs.length === 0) return s;
  if (pairs.length === 1) return replaceAll(s, pairs[0][0], pairs[0][1]);
  let out = '';
  let i = 0;
  let emptyAt = -1; // position where an empty key already fired
  while (i <= s.length) {
    let matched = false;
    for (const [o, n] of pairs) {
      if (o === '') {
        if (emptyAt !== i) {
          out += n;
          emptyAt = i;
        }
        matched = false;
        break;
      }
      if (s.startsWith(o, i)) {
        out += n;
        i += o.length;
        matched = true;
        break;
      }
    }
    if (matched) continue;
    if (i >= s.length) break;
    const cp = s.codePointAt(i) as number;
    const w = cp > 0xffff ? 2 : 1;
    out += s.slice(i, i + w);
    i += w;
    if (out.length > MAX_STRING_LENGTH) checkLength(out.length);
  }
  return out;
}

// ---- code point indexes ----

function cpIndex(s: string, unitIndex: number): number {
  return runeCount(s.slice(0, unitIndex));
}

function substring(s: string, start: number, length: number): string {
  if (s === '') return '';
  if (isASCII(s)) {
    if (start >= s.length) return '';
    if (length < 0) return s.slice(start);
    return s.slice(start, Math.min(s.length, start + length));
  }
  const rs = Array.from(s);
  if (start >= rs.length) return '';
  if (length < 0) return rs.slice(start).join('');
  return rs.slice(start, Math.min(rs.length, start + length)).join('');
}

function reverse(s: string): string {
  return Array.from(s).reverse().join('');
}

/** 2·10^308 as "2e308": the significant digits, a point after the first, and the exponent. */
function exponentText(v: bigint): string {
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString();
  const sig = digits.replace(/0+$/, '');
  const exp = digits.length - 1;
  return (neg ? '-' : '') + sig[0] + (sig.length > 1 ? '.' + sig.slice(1) : '') + 'e' + exp;
}

/**
 * A number beyond int64 that is exactly a float64 with more significant digits than a float64
 * literal needs came from a float (an exponent literal such as 2.5e300, or float arithmetic):
 * OPA formats those as floats (%v of 2.5e300 is 2.5e+300), and whole-number literals as integers.
 * The engine keeps both as exact integers, so the digits are what tells them apart (a heuristic
 * until numbers keep their literal form: 2^70 computed by integer arithmetic stays an integer, and
 * a digits-only literal like 10^30 prints as 1e+30 where OPA prints its digits).
 */
function fromFloat(v: bigint): boolean {
  if (v >= -(2n ** 63n) && v < 2n ** 63n) return false;
  // An exponent literal kept exact (2.5e300 is 25·10^299): few significant digits, many zeros.
  const digits = (v < 0n ? -v : v).toString();
  if (digits.length > 21 && digits.replace(/0+$/, '').length <= 17) return true;
  const f = Number(v);
  if (!Number.isFinite(f) || BigInt(f) !== v) return false;
  const a = v < 0n ? -v : v;
  if (a.toString().replace(/0+$/, '').length <= 17) return false;
  // Powers of two (and small multiples) are integer arithmetic's exact doubles: keep them integers.
  let odd = a;
  while ((odd & 1n) === 0n) odd >>= 1n;
  return odd >= 2n ** 32n;
}

function sprintfArg(v: Value): GoArg {
  if (typeof v === 'string') return { kind: 'string', v };
  if (typeof v === 'bigint') {
    if (!fromFloat(v)) return goInt(v);
    const f = Number(v);
    // Beyond the double range OPA cannot make it a float64 either and prints the literal as
    // written (2e308 → "2e308"); the exponent form of its digits is that text.
    return Number.isFinite(f) ? { kind: 'float', v: f } : { kind: 'string', v: exponentText(v) };
  }
  if (typeof v === 'number') return Number.isInteger(v) ? goInt(BigInt(v)) : { kind: 'float', v };
  return { kind: 'string', v: regoString(v) };
}

function anyStartsWithAny(strs: string[], prefixes: string[]): boolean {
  if (strs.length === 0 || prefixes.length === 0) return false;
  for (const p of prefixes) for (const s of strs) if (s.startsWith(p)) return true;
  return false;
}

export const strings: Builtin[] = [
  def('format_int', ['number', 'number'], ([a, b]) => {
    const n = num(a, 1);
    const base = num(b, 2);
    if (typeof base !== 'number' || ![2, 8, 10, 16].includes(base)) throw operandErr(2, 'must be one of {2, 8, 10, 16}');
    const i = typeof n === 'bigint' ? n : BigInt(Math.trunc(n));
    return i.toString(base);
  }),

  def('concat', ['string', 'array|set'], ([d, c], ctx) => {
    const delim = str(d, 1);
    if (!Array.isArray(c) && !(c instanceof SetV)) throw typeErr(2, c, 'set', 'array');
    // an array is joined as it is (checked to hold strings): no copy
    const xs = Array.isArray(c) ? stringArray(c, 2) : stringSlice(c, 2);
    ctx.checkBudget(xs.length + 1);
    let total = delim.length * Math.max(0, xs.length - 1);
    for (const x of xs) total += x.length;
    checkLength(total);
    ctx.checkBudget(total >> 5);
    if (xs.length > SHORT_JOIN) return xs.join(delim);
    // short lists (paths, messages) by concatenation: Array.prototype.join's setup costs more there
    let out = xs.length === 0 ? '' : xs[0];
    for (let i = 1; i < xs.length; i++) out = out + delim + xs[i];
    return out;
  }),

  def('indexof', ['string', 'string'], ([a, b], ctx) => {
    const s = str(a, 1);
    const search = str(b, 2);
    if (search === '') throw fail('empty search character');
    charge(ctx, s);
    const i = s.indexOf(search);
    return i < 0 ? -1 : isASCII(s) ? i : cpIndex(s, i);
  }),

  def('indexof_n', ['string', 'string'], ([a, b], ctx) => {
    const s = str(a, 1);
    const search = str(b, 2);
    if (search === '') throw fail('empty search character');
    charge(ctx, s);
    const out: Value[] = [];
    let from = 0;
    let lastUnit = 0;
    let lastCp = 0;
    for (;;) {
      const i = s.indexOf(search, from);
      if (i < 0) break;
      lastCp += runeCount(s.slice(lastUnit, i));
      lastUnit = i;
      out.push(lastCp);
      from = i + 1;
    }
    return out;
  }),

  def('substring', ['string', 'number', 'number'], ([a, b, c], ctx) => {
    const s = str(a, 1);
    const start = intOp(b, 2);
    const length = intOp(c, 3);
    if (start < 0) throw fail('negative offset');
    charge(ctx, s);
    return substring(s, start, length);
  }),

  def('contains', ['string', 'string'], ([a, b], ctx) => {
    const s = str(a, 1);
    const sub = str(b, 2);
    charge(ctx, s);
    return s.includes(sub);
  }),

  def('strings.count', ['string', 'string'], ([a, b], ctx) => {
    const s = str(a, 1);
    const sub = str(b, 2);
    charge(ctx, s);
    if (sub === '') return runeCount(s) + 1;
    let n = 0;
    for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length)) n++;
    return n;
  }),

  def('startswith', ['string', 'string'], ([a, b]) => str(a, 1).startsWith(str(b, 2))),
  def('endswith', ['string', 'string'], ([a, b]) => str(a, 1).endsWith(str(b, 2))),

  def('lower', ['string'], ([a], ctx) => {
    const s = str(a, 1);
    charge(ctx, s);
    return mapRunes(s, true);
  }),

  def('upper', ['string'], ([a], ctx) => {
    const s = str(a, 1);
    charge(ctx, s);
    return mapRunes(s, false);
  }),

  def('split', ['string', 'string'], ([a, b], ctx) => {
    const s = str(a, 1);
    const d = str(b, 2);
    charge(ctx, s);
    if (d === '') return Array.from(s);
    return s.split(d);
  }),

  // OPA: n >= 0 keeps the first n fields (Go's strings.SplitN with n+1, the remainder dropped);
  // n < 0 keeps the last -n fields.
  def('strings.split_n', ['string', 'string', 'number'], ([a, b, c], ctx) => {
    const s = str(a, 1);
    const d = str(b, 2);
    const n = intOp(c, 3);
    charge(ctx, s);
    if (n >= 0) {
      if (n === 0) return [];
      return goSplitN(s, d, n + 1).slice(0, n);
    }
    const parts = goSplitN(s, d, -1);
    return parts.slice(Math.max(parts.length + n, 0));
  }),

  def('replace', ['string', 'string', 'string'], ([a, b, c], ctx) => {
    const s = str(a, 1);
    const old = str(b, 2);
    const repl = str(c, 3);
    charge(ctx, s);
    const out = replaceAll(s, old, repl);
    charge(ctx, out);
    return out;
  }),

  def('strings.replace_n', ['object', 'string'], ([p, a], ctx) => {
    const patterns = obj(p, 1);
    const entries = [...patterns.entries()].sort((x, y) => compare(x[0], y[0]));
    const s = str(a, 2);
    const pairs: [string, string][] = [];
    for (const [k, v] of entries) {
      if (typeof k !== 'string') throw operandErr(1, 'non-string key found in pattern object');
      if (typeof v !== 'string') throw operandErr(1, 'non-string value found in pattern object');
      pairs.push([k, v]);
    }
    ctx.checkBudget(strCost(s) * Math.max(1, pairs.length));
    const out = replaceMany(s, pairs);
    charge(ctx, out);
    return out;
  }),

  def('trim', ['string', 'string'], ([a, b], ctx) => {
    const s = str(a, 1);
    const cs = str(b, 2);
    charge(ctx, s);
    if (cs === '') return s;
    const drop = cutset(cs);
    return trimRightFn(trimLeftFn(s, drop), drop);
  }),

  def('trim_left', ['string', 'string'], ([a, b], ctx) => {
    const s = str(a, 1);
    const cs = str(b, 2);
    charge(ctx, s);
    return cs === '' ? s : trimLeftFn(s, cutset(cs));
  }),

  def('trim_right', ['string', 'string'], ([a, b], ctx) => {
    const s = str(a, 1);
    const cs = str(b, 2);
    charge(ctx, s);
    return cs === '' ? s : trimRightFn(s, cutset(cs));
  }),

  def('trim_prefix', ['string', 'string'], ([a, b]) => {
    const s = str(a, 1);
    const pre = str(b, 2);
    return s.startsWith(pre) ? s.slice(pre.length) : s;
  }),

  def('trim_suffix', ['string', 'string'], ([a, b]) => {
    const s = str(a, 1);
    const suf = str(b, 2);
    return suf !== '' && s.endsWith(suf) ? s.slice(0, s.length - suf.length) : s;
  }),

  def('trim_space', ['string'], ([a], ctx) => {
    const s = str(a, 1);
    charge(ctx, s);
    return trimRightFn(trimLeftFn(s, isGoSpace), isGoSpace);
  }),

  def('sprintf', ['string', 'array'], ([f, a], ctx) => {
    const format = str(f, 1);
    const args = arr(a, 2);
    ctx.checkBudget(strCost(format) + args.length);
    let out: string;
    try {
      out = goSprintf(format, args.map(sprintfArg), MAX_STRING_LENGTH);
    } catch (e) {
      if (e instanceof GoFmtTooLong) throw fail(e.message);
      throw e;
    }
    checkLength(out.length);
    charge(ctx, out);
    return out;
  }),

  def('strings.any_prefix_match', ['string|array|set', 'string|array|set'], ([a, b], ctx) => {
    const strs = stringsOrString(a, 1);
    const prefixes = stringsOrString(b, 2);
    ctx.checkBudget(strs.length * prefixes.length);
    return anyStartsWithAny(strs, prefixes);
  }),

  def('strings.any_suffix_match', ['string|array|set', 'string|array|set'], ([a, b], ctx) => {
    const strs = stringsOrString(a, 1);
    const suffixes = stringsOrString(b, 2);
    ctx.checkBudget(strs.length * suffixes.length);
    if (strs.length === 0 || suffixes.length === 0) return false;
    for (const x of suffixes) for (const s of strs) if (s.endsWith(x)) return true;
    return false;
  }),

  def('strings.reverse', ['string'], ([a], ctx) => {
    const s = str(a, 1);
    charge(ctx, s);
    return reverse(s);
  }),
];

export { mapRunes, replaceMany, substring };
