// glob.match and glob.quote_meta. OPA uses the gobwas/glob syntax; we translate a glob into an
// RE2 pattern (so matching is linear time) and match it against the whole input:
//   *        any run of non-delimiter characters      **   any run of characters
//   ?        one non-delimiter character               [abc] [a-z] [!abc] [!a-z]   one character
//   {a,b,c}  alternatives (nestable)                    \c   the character c
// Delimiters: an empty array means ["."], null means none.

import type { Value } from '../value.js';
import { MAX_PATTERN_LENGTH, compileCached } from './regex.js';
import type { Builtin } from './types.js';
import { def, elemErr, fail, str, strCost, typeErr } from './util.js';

function cp(ch: string): string {
  return `\\x{${(ch.codePointAt(0) as number).toString(16)}}`;
}

/** Translate a glob into an RE2 pattern body (not anchored). */
export function globToRE2(pattern: string, delimiters: string[]): string {
  const chars = Array.from(pattern);
  let i = 0;
  let depth = 0;
  const notDelim = delimiters.length === 0 ? '(?s:.)' : `[^${delimiters.map(cp).join('')}]`;
  const never = '[^\\x{0}-\\x{10ffff}]';

  const text = (breakers: string): string => {
    let out = '';
    let escaped = false;
    while (i < chars.length) {
      const ch = chars[i];
      if (!escaped) {
        if (ch === '\\') {
          escaped = true;
          i++;
          continue;
        }
        if (breakers.includes(ch)) break;
      }
      escaped = false;
      out += ch;
      i++;
    }
    return out;
  };

  const range = (): string => {
    // after '['
    let not = false;
    if (chars[i] === '!') {
      not = true;
      i++;
    }
    if (i >= chars.length) throw fail('unexpected end of input');
    if (chars[i + 1] === '-' && i + 2 < chars.length) {
      const lo = chars[i];
      const hi = chars[i + 2];
      i += 3;
      if (chars[i] !== ']') throw fail('expected close range character');
      i++;
      const loC = lo.codePointAt(0) as number;
      const hiC = hi.codePointAt(0) as number;
      if (loC > hiC) return not ? '(?s:.)' : never;
      return `[${not ? '^' : ''}${cp(lo)}-${cp(hi)}]`;
    }
    const list = Array.from(text(']'));
    if (chars[i] !== ']') throw fail('unexpected end of input');
    i++;
    if (list.length === 0) return not ? '(?s:.)' : never;
    return `[${not ? '^' : ''}${list.map(cp).join('')}]`;
  };

  const seq = (): string => {
    let out = '';
    while (i < chars.length) {
      const ch = chars[i];
      if (ch === '{') {
        i++;
        depth++;
        const alts: string[] = [seq()];
        while (chars[i] === ',') {
          i++;
          alts.push(seq());
        }
        if (chars[i] !== '}') throw fail('unexpected end of input');
        i++;
        depth--;
        out += `(?:${alts.join('|')})`;
      } else if (depth > 0 && (ch === ',' || ch === '}')) {
        return out;
      } else if (ch === '[') {
        i++;
        out += range();
      } else if (ch === '?') {
        i++;
        out += notDelim;
      } else if (ch === '*') {
        if (chars[i + 1] === '*') {
          i += 2;
          out += '(?s:.*)';
        } else {
          i++;
          out += delimiters.length === 0 ? '(?s:.*)' : `${notDelim}*`;
        }
      } else {
        const t = text(depth > 0 ? '?*[{},' : '?*[{');
        out += Array.from(t).map(cp).join('');
      }
    }
    return out;
  };

  const body = seq();
  if (i < chars.length) throw fail('unexpected end of input');
  return body;
}

/** gobwas/glob QuoteMeta: escapes * ? \ [ ] { }. */
export function globQuoteMeta(s: string): string {
  let out = '';
  for (const ch of s) out += '*?\\[]{}'.includes(ch) ? '\\' + ch : ch;
  return out;
}

function delimitersOf(v: Value): string[] {
  if (v === null) return [];
  if (!Array.isArray(v)) throw typeErr(2, v, 'array', 'null');
  const out: string[] = [];
  for (const x of v) {
    if (typeof x !== 'string') throw elemErr(2, v, x, 'string');
    const rs = Array.from(x);
    if (rs.length !== 1) throw elemErr(2, v, x, 'rune');
    out.push(rs[0]);
  }
  return out.length === 0 ? ['.'] : out;
}

export const glob: Builtin[] = [
  def('glob.match', ['string', 'array|null', 'string'], ([p, d, m], ctx) => {
    const pattern = str(p, 1);
    const delims = delimitersOf(d);
    const s = str(m, 3);
    if (pattern.length > MAX_PATTERN_LENGTH) throw fail(`glob pattern longer than ${MAX_PATTERN_LENGTH} characters`);
    ctx.checkBudget(strCost(pattern) + strCost(s));
    const key = 'g' + delims.join('') + '\u0000' + pattern;
    const re = compileCached(key, () => `\\A(?:${globToRE2(pattern, delims)})\\z`);
    return re.test(s);
  }),

  def('glob.quote_meta', ['string'], ([p]) => globQuoteMeta(str(p, 1))),
];
