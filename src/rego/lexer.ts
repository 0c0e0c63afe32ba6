// The Rego lexer: turns source text into a flat token array.
//
// Keywords are not decided here: identifiers carry their text, and the parser decides
// whether `if`, `contains`, `in`, `every` are keywords (Rego v1, or v0 with
// `import future.keywords...`). Whitespace and comments are dropped, but every token
// records whether whitespace (`ws`) or a new line (`nl`) came before it, because Rego
// uses both: refs and calls need adjacency (`a.b`, `f(x)`, but `a [1]` is two terms),
// and expressions in a body may be separated by new lines.

import { RegoError, type Location } from './errors.js';

export type TokenKind = 'ident' | 'number' | 'string' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text (for strings: the whole literal including quotes). */
  text: string;
  /** Decoded value of a string literal. */
  value?: string;
  /** Offset of the first character in the source. */
  offset: number;
  /** Offset just past the last character. */
  end: number;
  /** 1-based line and column of the first character. */
  row: number;
  col: number;
  /** Whitespace or a comment came between the previous token and this one. */
  ws: boolean;
  /** A new line came between the previous token and this one. */
  nl: boolean;
}

// Two-character operators are tried first, so `:=` wins over `:` and `<=` over `<`.
const PUNCT2 = [':=', '==', '!=', '<=', '>='];
const PUNCT1 = '{}[]().,;:=<>+-*/%&|';

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isIdentStart(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) return true;
  return c >= 0x80 && /\p{L}/u.test(ch);
}

function isIdentPart(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || isDigit(c)) return true;
  return c >= 0x80 && /[\p{L}\p{Nd}]/u.test(ch);
}

/** Tokenizes `src`; throws RegoError('rego_parse_error') with the file position on bad input. */
export function tokenize(file: string, src: string): Token[] {
  const toks: Token[] = [];
  const n = src.length;
  let i = 0;
  let row = 1;
  let lineStart = 0;
  let ws = false;
  let nl = false;

  const locAt = (offset: number, r = row, ls = lineStart): Location => ({ file, row: r, col: offset - ls + 1 });
  const fail = (msg: string, loc: Location): never => {
    throw new RegoError('rego_parse_error', msg, loc);
  };

  // A byte-order mark at the very start is not part of the policy.
  if (src.charCodeAt(0) === 0xfeff) i = 1;

  while (i < n) {
    const c = src.charCodeAt(i);
    // Whitespace.
    if (c === 10) {
      i++;
      row++;
      lineStart = i;
      ws = true;
      nl = true;
      continue;
    }
    if (c === 32 || c === 9 || c === 13) {
      i++;
      ws = true;
      continue;
    }
    // Comment to the end of the line.
    if (c === 35 /* # */) {
      while (i < n && src.charCodeAt(i) !== 10) i++;
      ws = true;
      continue;
    }

    const start = i;
    const tokRow = row;
    const tokCol = i - lineStart + 1;
    const push = (kind: TokenKind, text: string, value?: string): void => {
      const t: Token = { kind, text, offset: start, end: i, row: tokRow, col: tokCol, ws, nl };
      if (value !== undefined) t.value = value;
      toks.push(t);
      ws = false;
      nl = false;
    };

    const ch = src[i];

    if (isDigit(c)) {
      while (i < n && isDigit(src.charCodeAt(i))) i++;
      if (src[i] === '.' && isDigit(src.charCodeAt(i + 1))) {
        i++;
        while (i < n && isDigit(src.charCodeAt(i))) i++;
      }
      if (src[i] === 'e' || src[i] === 'E') {
        let j = i + 1;
        if (src[j] === '+' || src[j] === '-') j++;
        if (isDigit(src.charCodeAt(j))) {
          i = j;
          while (i < n && isDigit(src.charCodeAt(i))) i++;
        } else {
          fail(`invalid number "${src.slice(start, j + 1)}": the exponent needs digits`, locAt(start));
        }
      }
      if (i < n && isIdentPart(src[i])) {
        let j = i;
        while (j < n && isIdentPart(src[j])) j++;
        fail(`invalid number "${src.slice(start, j)}"`, locAt(start));
      }
      push('number', src.slice(start, i));
      continue;
    }

    if (isIdentStart(ch)) {
      i++;
      while (i < n && isIdentPart(src[i])) i++;
      push('ident', src.slice(start, i));
      continue;
    }

    if (c === 34 /* " */) {
      i++;
      let out = '';
      let chunk = i;
      for (;;) {
        if (i >= n || src.charCodeAt(i) === 10) fail('unterminated string', locAt(start, tokRow, lineStart));
        const d = src.charCodeAt(i);
        if (d === 34) break;
        if (d !== 92 /* \ */) {
          i++;
          continue;
        }
        out += src.slice(chunk, i);
        const escLoc = locAt(i);
        const e = src[i + 1];
        switch (e) {
          case '"': out += '"'; i += 2; break;
          case '\\': out += '\\'; i += 2; break;
          case '/': out += '/'; i += 2; break;
          case 'b': out += '\b'; i += 2; break;
          case 'f': out += '\f'; i += 2; break;
          case 'n': out += '\n'; i += 2; break;
          case 'r': out += '\r'; i += 2; break;
          case 't': out += '\t'; i += 2; break;
          case 'u': {
            const hex = src.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
              fail(`invalid escape \\u${hex.replace(/[^0-9a-zA-Z].*$/s, '')} in string: expected 4 hex digits`, escLoc);
            }
            let cu = parseInt(hex, 16);
            i += 6;
            if (cu >= 0xd800 && cu <= 0xdbff) {
              // High surrogate: must pair with a following \uDC00-\uDFFF escape.
              const m = /^\\u([dD][c-fC-F][0-9a-fA-F]{2})/.exec(src.slice(i, i + 6));
              if (m) {
                out += String.fromCharCode(cu, parseInt(m[1], 16));
                i += 6;
                break;
              }
              cu = 0xfffd; // lone surrogate: replaced, as JSON decoders do
            } else if (cu >= 0xdc00 && cu <= 0xdfff) {
              cu = 0xfffd;
            }
            out += String.fromCharCode(cu);
            break;
          }
          default: {
            if (e === undefined || e === '\n') fail('unterminated string', locAt(start, tokRow, lineStart));
            fail(`invalid escape \\${e} in string`, escLoc);
          }
        }
        chunk = i;
      }
      out += src.slice(chunk, i);
      i++; // closing quote
      push('string', src.slice(start, i), out);
      continue;
    }

    if (c === 96 /* ` */) {
      i++;
      const close = src.indexOf('`', i);
      if (close < 0) fail('unterminated raw string (missing closing backtick)', locAt(start));
      // Track new lines inside the raw string for positions of later tokens.
      for (let j = i; j < close; j++) {
        if (src.charCodeAt(j) === 10) {
          row++;
          lineStart = j + 1;
        }
      }
      const value = src.slice(i, close);
      i = close + 1;
      push('string', src.slice(start, i), value);
      continue;
    }

    const two = src.slice(i, i + 2);
    if (PUNCT2.includes(two)) {
      i += 2;
      push('punct', two);
      continue;
    }
    if (PUNCT1.includes(ch)) {
      i++;
      push('punct', ch);
      continue;
    }
    if (ch === '!') fail('unexpected "!": use "not" to negate an expression, or "!=" for inequality', locAt(start));
    const cp = src.codePointAt(i) ?? c;
    const shown = cp < 32 || cp === 127 ? `U+${cp.toString(16).toUpperCase().padStart(4, '0')}` : `"${String.fromCodePoint(cp)}"`;
    fail(`unexpected character ${shown}`, locAt(start));
  }

  toks.push({ kind: 'eof', text: '', offset: n, end: n, row, col: n - lineStart + 1, ws, nl });
  return toks;
}
