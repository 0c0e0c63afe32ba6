// regex.* builtins with RE2 semantics and linear-time matching (re2js). JavaScript RegExp
// never sees a user pattern. Match iteration follows Go's regexp package: FindAll skips an
// empty match that abuts the previous match, ReplaceAll expands $1 / ${name}, Split drops
// the empty leading piece of a zero-width first match.

import { RE2JS, type Matcher } from 're2js';
import { errorMessage } from '../errors.js';
import type { Value } from '../value.js';
import type { Builtin, BuiltinContext } from './types.js';
import { MAX_STRING_LENGTH, checkLength, def, fail, intOp, str, strCost } from './util.js';

/**
 * Bounded compile caches, least recently used evicted. Each compiled RE2 may grow a DFA cache
 * of up to 8 MiB, so the bound is small (as OPA's, 100) and evicted entries release theirs.
 * User patterns and internal ones (translated globs) have separate maps so a user pattern is
 * its own key: no string is built per call, and a hit costs one lookup (recency is a counter,
 * not a Map reinsertion).
 */
const CACHE_MAX = 100;

interface Entry {
  re: RE2JS | string;
  used: number;
}

class ReCache {
  private readonly map = new Map<string, Entry>();
  private clock = 0;

  /** The compiled pattern for key; on a miss, `source` is the pattern (or makes it). */
  get(key: string, source: string | (() => string)): RE2JS {
    const hit = this.map.get(key);
    if (hit !== undefined) {
      hit.used = ++this.clock;
      if (typeof hit.re === 'string') throw fail(hit.re);
      return hit.re;
    }
    let re: RE2JS | string;
    try {
      re = RE2JS.compile(typeof source === 'string' ? source : source());
    } catch (e) {
      re = errorMessage(e);
    }
    if (this.map.size >= CACHE_MAX) this.evictOldest();
    this.map.set(key, { re, used: ++this.clock });
    if (typeof re === 'string') throw fail(re);
    return re;
  }

  /** Linear, but only on a miss with a full cache. */
  private evictOldest(): void {
    let oldest: string | undefined;
    let min = Infinity;
    for (const [k, e] of this.map) {
      if (e.used < min) {
        min = e.used;
        oldest = k;
      }
    }
    if (oldest === undefined) return;
    const evicted = this.map.get(oldest)!.re;
    this.map.delete(oldest);
    if (evicted instanceof RE2JS) evicted.reset();
  }
}

const userPatterns = new ReCache();
const internalPatterns = new ReCache();

/** Longest pattern we agree to compile (RE2 compiles in linear time; this bounds memory). */
export const MAX_PATTERN_LENGTH = 64 * 1024;

/** Compile a pattern with Go/RE2 syntax; a syntax error becomes a builtin error with Go's message. */
export function compileRegex(pattern: string): RE2JS {
  if (pattern.length > MAX_PATTERN_LENGTH) throw fail(`regular expression longer than ${MAX_PATTERN_LENGTH} characters`);
  // the pattern itself, not a closure over it: this runs for every regex call, hits included
  return userPatterns.get(pattern, pattern);
}

/** Compile an internal pattern (e.g. a translated glob) under its own cache key; `build` runs on a miss. */
export function compileCached(key: string, build: () => string): RE2JS {
  return internalPatterns.get(key, build);
}

/** Go's regexp.QuoteMeta. */
export function quoteMeta(s: string): string {
  let out = '';
  for (const ch of s) out += '\\.+*?()|[]{}^$'.includes(ch) ? '\\' + ch : ch;
  return out;
}

function runeWidthAt(s: string, i: number): number {
  if (i >= s.length) return 1;
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

/** Group boundaries of the current match: [start0, end0, start1, end1, ...] (-1 for unmatched groups). */
function groups(m: Matcher, ngroups: number): number[] {
  const out: number[] = [];
  for (let g = 0; g <= ngroups; g++) out.push(m.start(g), m.end(g));
  return out;
}

/** Go's allMatches: up to n matches (n < 0: all), empty matches abutting a previous match skipped. */
export function findAll(re: RE2JS, s: string, n: number, withGroups: boolean): number[][] {
  const out: number[][] = [];
  if (n < 0) n = s.length + 1;
  const m = re.matcher(s);
  const ng = withGroups ? re.groupCount() : 0;
  let pos = 0;
  let prevMatchEnd = -1;
  while (out.length < n && pos <= s.length) {
    if (!m.find(pos)) break;
    const start = m.start();
    const end = m.end();
    let accept = true;
    if (end === pos) {
      // empty match
      if (start === prevMatchEnd) accept = false;
      pos += runeWidthAt(s, pos);
    } else {
      pos = end;
    }
    prevMatchEnd = end;
    if (accept) out.push(withGroups ? groups(m, ng) : [start, end]);
  }
  return out;
}

/** Go's Regexp.Split(s, -1). */
function split(re: RE2JS, pattern: string, s: string): string[] {
  if (pattern.length > 0 && s.length === 0) return [''];
  const matches = findAll(re, s, -1, false);
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const [a, b] of matches) {
    end = a;
    if (b !== 0) out.push(s.slice(beg, end));
    beg = b;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

/** Go's template extraction for Expand: name (letters, digits, _) optionally in braces. */
function extractName(t: string): { name: string; num: number; rest: string } | null {
  if (t === '') return null;
  let brace = false;
  let s = t;
  if (s[0] === '{') {
    brace = true;
    s = s.slice(1);
  }
  let i = 0;
  const chars = Array.from(s);
  let units = 0;
  for (; i < chars.length; i++) {
    const ch = chars[i];
    if (!/^[\p{L}\p{Nd}_]$/u.test(ch)) break;
    units += ch.length;
  }
  if (units === 0) return null;
  const name = s.slice(0, units);
  let restStart = units;
  if (brace) {
    if (restStart >= s.length || s[restStart] !== '}') return null;
    restStart++;
  }
  let num = 0;
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    if (c < 48 || c > 57 || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + (c - 48);
  }
  if (name[0] === '0' && name.length > 1) num = -1;
  return { name, num, rest: s.slice(restStart) };
}

function expand(re: RE2JS, template: string, src: string, match: number[]): string {
  let out = '';
  let t = template;
  const names = re.namedGroups();
  for (;;) {
    const i = t.indexOf('$');
    if (i < 0) break;
    out += t.slice(0, i);
    t = t.slice(i + 1);
    if (t !== '' && t[0] === '$') {
      out += '$';
      t = t.slice(1);
      continue;
    }
    const ex = extractName(t);
    if (ex === null) {
      out += '$';
      continue;
    }
    t = ex.rest;
    let g = ex.num;
    if (g < 0) g = Object.prototype.hasOwnProperty.call(names, ex.name) ? names[ex.name] : -1;
    if (g >= 0 && 2 * g + 1 < match.length && match[2 * g] >= 0) out += src.slice(match[2 * g], match[2 * g + 1]);
  }
  return out + t;
}

/** Go's Regexp.ReplaceAllString. */
function replaceAll(re: RE2JS, src: string, repl: string): string {
  const m = re.matcher(src);
  const ng = re.groupCount();
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    if (!m.find(searchPos)) break;
    const a = groups(m, ng);
    out += src.slice(lastMatchEnd, a[0]);
    if (a[1] > lastMatchEnd || a[0] === 0) out += expand(re, repl, src, a);
    if (out.length > MAX_STRING_LENGTH) checkLength(out.length);
    lastMatchEnd = a[1];
    const width = runeWidthAt(src, searchPos);
    if (searchPos + width > a[1]) searchPos += width;
    else if (searchPos + 1 > a[1]) searchPos++;
    else searchPos = a[1];
  }
  return out + src.slice(lastMatchEnd);
}

function delimiterIndices(s: string, open: string, close: string): number[] {
  let level = 0;
  let idx = 0;
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === open) {
      if (++level === 1) idx = i;
    } else if (s[i] === close) {
      if (--level === 0) out.push(idx, i + 1);
      else if (level < 0) throw fail(`unbalanced braces in ${JSON.stringify(s)}`);
    }
  }
  if (level !== 0) throw fail(`unbalanced braces in ${JSON.stringify(s)}`);
  return out;
}

function compileTemplate(tpl: string, open: string, close: string): RE2JS {
  const idxs = delimiterIndices(tpl, open, close);
  let pattern = '^';
  let end = 0;
  for (let i = 0; i < idxs.length; i += 2) {
    const raw = tpl.slice(end, idxs[i]);
    end = idxs[i + 1];
    const patt = tpl.slice(idxs[i] + 1, end - 1);
    compileRegex(`^${patt}$`); // each variable must be a valid regexp on its own
    pattern += `${quoteMeta(raw)}(${patt})`;
  }
  pattern += quoteMeta(tpl.slice(end)) + '$';
  return compileRegex(pattern);
}

function charge(ctx: BuiltinContext, ...ss: string[]): void {
  let c = 0;
  for (const s of ss) c += strCost(s);
  ctx.checkBudget(c);
}

export const regex: Builtin[] = [
  def('regex.is_valid', ['any'], ([p]) => {
    if (typeof p !== 'string') return false;
    try {
      compileRegex(p);
      return true;
    } catch {
      return false;
    }
  }),

  def('regex.match', ['string', 'string'], ([p, v], ctx) => {
    const pattern = str(p, 1);
    const s = str(v, 2);
    charge(ctx, pattern, s);
    return compileRegex(pattern).test(s);
  }),

  def('regex.split', ['string', 'string'], ([p, v], ctx) => {
    const pattern = str(p, 1);
    const s = str(v, 2);
    charge(ctx, pattern, s);
    return split(compileRegex(pattern), pattern, s);
  }),

  def('regex.find_n', ['string', 'string', 'number'], ([p, v, k], ctx) => {
    const pattern = str(p, 1);
    const s = str(v, 2);
    const n = intOp(k, 3);
    charge(ctx, pattern, s);
    const re = compileRegex(pattern);
    return findAll(re, s, n, false).map(([a, b]) => s.slice(a, b));
  }),

  def('regex.find_all_string_submatch_n', ['string', 'string', 'number'], ([p, v, k], ctx) => {
    const pattern = str(p, 1);
    const s = str(v, 2);
    const n = intOp(k, 3);
    charge(ctx, pattern, s);
    const re = compileRegex(pattern);
    return findAll(re, s, n, true).map((g) => {
      const row: Value[] = [];
      for (let i = 0; i < g.length; i += 2) row.push(g[i] < 0 ? '' : s.slice(g[i], g[i + 1]));
      return row;
    });
  }),

  def('regex.replace', ['string', 'string', 'string'], ([a, p, r], ctx) => {
    const s = str(a, 1);
    const pattern = str(p, 2);
    const repl = str(r, 3);
    charge(ctx, pattern, s);
    const out = replaceAll(compileRegex(pattern), s, repl);
    charge(ctx, out);
    return out;
  }),

  def('regex.template_match', ['string', 'string', 'string', 'string'], ([t, v, o, c], ctx) => {
    const tpl = str(t, 1);
    const s = str(v, 2);
    const open = str(o, 3);
    const close = str(c, 4);
    if (Buffer.byteLength(open) !== 1) throw fail(`start delimiter has to be exactly one character long but is ${Buffer.byteLength(open)} long`);
    if (Buffer.byteLength(close) !== 1) throw fail(`end delimiter has to be exactly one character long but is ${Buffer.byteLength(open)} long`);
    charge(ctx, tpl, s);
    return compileTemplate(tpl, open, close).test(s);
  }),
];
