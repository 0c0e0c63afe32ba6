// The Rego lexer: turns source text into a flat token array.
//
// Keywords are not decided here: identifiers carry their text, and the parser decides
// whether `if`, `contains`, `in`, `every` are keywords (Rego v1, or v0 with
// `import future.keywords...`). Whitespace and comments are dropped, but every token
// records whether whitespace (`ws`) or a new line (`nl`) came before it, because Rego
// uses both: refs and calls need adjacency (`a.b`, `f(x)`, but `a [1]` is two terms),
// and expressions in a body may be separated by new lines.

import { RegoError, type Location } from './errors.js';

export type TokenKind = 'ident' | 'number' | 'string' | 'template' | 'punct' | 'eof';

/** A part of a template string: literal text, or the source of an {expression}. */
export type TemplatePart = { text: string } | { expr: string };

export interface Token {
  kind: TokenKind;
  /** Source text (for strings: the whole literal including quotes). */
  text: string;
  /** Decoded value of a string literal. */
  value?: string;
  /** The parts of a template string. */
  parts?: TemplatePart[];
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

// Single-character punctuation, by char code; `:=`, `==`, `!=`, `<=`, `>=` are checked first.
const PUNCT1 = new Set(Array.from('{}[]().,;:=<>+-*/%&|', (c) => c.charCodeAt(0)));

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

const LETTER = /\p{L}/u;
const LETTER_OR_DIGIT = /[\p{L}\p{Nd}]/u;

/** Identifier start at src[i]: ASCII letter, `_`, or a Unicode letter (as OPA's scanner). */
function isIdentStart(src: string, i: number): boolean {
  const c = src.charCodeAt(i);
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) return true;
  return c >= 0x80 && LETTER.test(String.fromCodePoint(src.codePointAt(i) ?? c));
}

/** Length (in UTF-16 units) of the identifier character at src[i], or 0. */
function identPartLen(src: string, i: number): number {
  const c = src.charCodeAt(i);
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || isDigit(c)) return 1;
  if (c < 0x80 || Number.isNaN(c)) return 0;
  const cp = src.codePointAt(i) ?? c;
  return LETTER_OR_DIGIT.test(String.fromCodePoint(cp)) ? (cp > 0xffff ? 2 : 1) : 0;
}

/** A `#` comment: its text after the `#`, and where the `#` is (1-based). */
export interface Comment {
  text: string;
  row: number;
  col: number;
}

/** A character that needs two bytes in V8's string representation (past U+00FF). */
const WIDE = /[\u0100-\uffff]/;

/**
 * `s` stored one byte per character when its characters allow it. A string sliced from source
 * text that holds any character past U+00FF (an em dash in a comment is enough) is stored two
 * bytes per character, and so is every string built from it: a policy's reason codes, messages
 * and object keys, and then each answer and decision record that carries them — which doubles
 * their memory and sends every later operation on them (JSON, UTF-8 encoding, hashing,
 * comparison with one-byte strings) down V8's slower two-byte paths, on every decision.
 */
function narrow(s: string): string {
  return s.length === 0 || WIDE.test(s) ? s : Buffer.from(s, 'latin1').toString('latin1');
}

/**
 * Tokenizes `src`; throws RegoError('rego_parse_error') with the file position on bad input.
 * Comments are dropped, or collected into `comments` when given (for `# METADATA` blocks).
 */
export function tokenize(file: string, src: string, comments?: Comment[]): Token[] {
  const toks: Token[] = [];
  const n = src.length;
  let i = 0;
  let row = 1;
  let lineStart = 0;
  let ws = false;
  let nl = false;
  let start = 0;
  let tokRow = 1;
  let tokCol = 1;

  const locAt = (offset: number, r = row, ls = lineStart): Location => ({ file, row: r, col: offset - ls + 1 });
  const fail = (msg: string, loc: Location): never => {
    throw new RegoError('rego_parse_error', msg, loc);
  };
  // Token texts are narrowed (see narrow) only when the source holds a wide character: once per
  // source, at compile time.
  const own = WIDE.test(src) ? narrow : (x: string): string => x;
  const push = (kind: TokenKind, text: string, value?: string): void => {
    const t: Token = { kind, text: own(text), offset: start, end: i, row: tokRow, col: tokCol, ws, nl };
    if (value !== undefined) t.value = own(value);
    toks.push(t);
    ws = false;
    nl = false;
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
      const at = i;
      while (i < n && src.charCodeAt(i) !== 10) i++;
      if (comments) comments.push({ text: own(src.slice(at + 1, i).replace(/\r$/, '')), row, col: at - lineStart + 1 });
      ws = true;
      continue;
    }

    start = i;
    tokRow = row;
    tokCol = i - lineStart + 1;

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
      if (i < n && identPartLen(src, i) > 0) {
        let j = i;
        for (let k = identPartLen(src, j); k > 0; k = identPartLen(src, j)) j += k;
        fail(`invalid number "${src.slice(start, j)}"`, locAt(start));
      }
      push('number', src.slice(start, i));
      continue;
    }

    if (isIdentStart(src, i)) {
      for (let k = identPartLen(src, i); k > 0; k = identPartLen(src, i)) i += k;
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
          case '"':
            out += '"';
            i += 2;
            break;
          case '\\':
            out += '\\';
            i += 2;
            break;
          case '/':
            out += '/';
            i += 2;
            break;
          case 'b':
            out += '\b';
            i += 2;
            break;
          case 'f':
            out += '\f';
            i += 2;
            break;
          case 'n':
            out += '\n';
            i += 2;
            break;
          case 'r':
            out += '\r';
            i += 2;
            break;
          case 't':
            out += '\t';
            i += 2;
            break;
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

    const c2 = src.charCodeAt(i + 1);
    if (c2 === 61 /* = */ && (c === 58 /* : */ || c === 61 || c === 33 /* ! */ || c === 60 /* < */ || c === 62) /* > */) {
      i += 2;
      push('punct', src.slice(start, i));
      continue;
    }
    if (PUNCT1.has(c)) {
      i++;
      push('punct', src[start]);
      continue;
    }
    const ch = src[i];
    if (ch === '$' && (src[i + 1] === '"' || src[i + 1] === '`')) {
      // A template string ($"a {x} b" or $`a {x} b`): literal parts and {expression} parts;
      // \{ is a literal brace. The parser turns it into internal.template_string, as OPA does.
      const raw = src[i + 1] === '`';
      const close = raw ? '`' : '"';
      i += 2;
      const parts: TemplatePart[] = [];
      let text = '';
      let chunk = i;
      const flush = (): void => {
        const seg = src.slice(chunk, i);
        if (raw) text += seg;
        else {
          try {
            text += JSON.parse('"' + seg + '"') as string;
          } catch {
            fail('invalid escape in template string', locAt(start));
          }
        }
      };
      for (;;) {
        if (i >= n || (!raw && src.charCodeAt(i) === 10)) fail('unterminated template string', locAt(start, tokRow, start - tokCol + 1));
        const d = src[i];
        if (d === close) break;
        if (d === '\n') {
          row++;
          lineStart = i + 1;
        }
        if (d === '\\' && src[i + 1] === '{') {
          flush();
          text += '{';
          i += 2;
          chunk = i;
          continue;
        }
        if (d === '\\' && !raw) {
          i += 2;
          continue;
        }
        if (d !== '{') {
          i++;
          continue;
        }
        flush();
        if (text !== '') parts.push({ text: own(text) });
        text = '';
        // The expression runs to the matching }, skipping strings inside it.
        const exprStart = i + 1;
        let depth = 0;
        let j = exprStart;
        for (; j < n; j++) {
          const e = src[j];
          if (e === '"' || e === '`') {
            const q = e;
            for (j++; j < n && src[j] !== q; j++) if (q === '"' && src[j] === '\\') j++;
          } else if (e === '{' || e === '[' || e === '(') depth++;
          else if (e === ']' || e === ')') depth--;
          else if (e === '}') {
            if (depth === 0) break;
            depth--;
          }
        }
        if (j >= n) fail('expected } to end template string expression', locAt(start));
        const expr = src.slice(exprStart, j);
        if (expr.trim() === '') fail('empty template string expression', locAt(start));
        parts.push({ expr: own(expr) });
        i = j + 1;
        chunk = i;
      }
      flush();
      if (text !== '') parts.push({ text: own(text) });
      i++; // closing quote
      push('template', src.slice(start, i));
      toks[toks.length - 1].parts = parts;
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
