// Shared helpers for builtin implementations: operand checks with OPA's error wording,
// number helpers that keep integers exact, and OPA's textual form of values.

import { RegoError } from '../errors.js';
import { ObjectV, SetV, formatNumber, normNum, typeName, type Value } from '../value.js';
import type { Builtin, BuiltinContext } from './types.js';

/** An operand of the wrong type or shape: becomes `eval_type_error` ("<name>: operand N ..."). */
export class OperandError extends Error {}

/** Any other builtin failure: becomes `eval_builtin_error` ("<name>: <message>"). */
export class BuiltinFailure extends Error {}

export function fail(message: string): BuiltinFailure {
  return new BuiltinFailure(message);
}

export function operandErr(pos: number, message: string): OperandError {
  return new OperandError(`operand ${pos} ${message}`);
}

/** OPA: "operand 1 must be string but got number" / "operand 1 must be one of {set, array} but got null". */
export function typeErr(pos: number, got: Value, ...expected: string[]): OperandError {
  if (expected.length === 1) return operandErr(pos, `must be ${expected[0]} but got ${typeName(got)}`);
  return operandErr(pos, `must be one of {${expected.join(', ')}} but got ${typeName(got)}`);
}

/** OPA: "operand 2 must be array of strings but got array containing number". */
export function elemErr(pos: number, composite: Value, got: Value, ...expected: string[]): OperandError {
  const t = typeName(composite);
  if (expected.length === 1) return operandErr(pos, `must be ${t} of ${expected[0]}s but got ${t} containing ${typeName(got)}`);
  return operandErr(pos, `must be ${t} of (any of) {${expected.join(', ')}} but got ${t} containing ${typeName(got)}`);
}

export type BuiltinFn = (args: Value[], ctx: BuiltinContext) => Value | undefined;

export interface DefOptions {
  nondeterministic?: boolean;
  /** See Builtin.readsClock. */
  readsClock?: boolean;
  deprecated?: boolean;
  /** Overrides args.length (e.g. -1 for variadic). */
  arity?: number;
}

/**
 * Define a builtin. The wrapper turns the internal error classes into RegoErrors prefixed with
 * the builtin's name, and turns unexpected JS errors (e.g. "Invalid string length" on hostile
 * input) into builtin errors so that one bad call never crashes the evaluation. Stack overflow
 * (RangeError "Maximum call stack size exceeded") propagates unchanged for the evaluator.
 */
export function def(name: string, args: string[], fn: BuiltinFn, opts: DefOptions = {}): Builtin {
  const b: Builtin = {
    name,
    arity: opts.arity ?? args.length,
    args,
    fn(a: Value[], ctx: BuiltinContext): Value | undefined {
      try {
        return fn(a, ctx);
      } catch (e) {
        if (e instanceof OperandError) throw new RegoError('eval_type_error', `${name}: ${e.message}`);
        if (e instanceof BuiltinFailure) throw new RegoError('eval_builtin_error', `${name}: ${e.message}`);
        if (e instanceof RegoError) throw e;
        // Stack exhaustion is left to the evaluator, which handles it for the whole evaluation.
        if (e instanceof RangeError && /call stack/i.test(e.message)) throw e;
        if (e instanceof Error) throw new RegoError('eval_builtin_error', `${name}: ${e.message}`);
        throw e;
      }
    },
  };
  if (opts.nondeterministic) b.nondeterministic = true;
  if (opts.readsClock) b.readsClock = true;
  if (opts.deprecated) b.deprecated = true;
  return b;
}

// ---------------------------------------------------------------------------------------------
// Operand accessors. `pos` is 1-based, as in OPA's messages.

export function str(v: Value, pos: number): string {
  if (typeof v !== 'string') throw typeErr(pos, v, 'string');
  return v;
}

export function num(v: Value, pos: number): number | bigint {
  if (typeof v !== 'number' && typeof v !== 'bigint') throw typeErr(pos, v, 'number');
  return v;
}

export function arr(v: Value, pos: number): Value[] {
  if (!Array.isArray(v)) throw typeErr(pos, v, 'array');
  return v;
}

export function obj(v: Value, pos: number): ObjectV {
  if (!(v instanceof ObjectV)) throw typeErr(pos, v, 'object');
  return v;
}

export function setOp(v: Value, pos: number): SetV {
  if (!(v instanceof SetV)) throw typeErr(pos, v, 'set');
  return v;
}

export function isInt(n: number | bigint): boolean {
  return typeof n === 'bigint' || Number.isInteger(n);
}

/** OPA's IntOperand: a number that is an integer. Returned as a JS number (huge values lose precision but keep their sign and magnitude, which is all index-like uses need). */
export function intOp(v: Value, pos: number): number {
  const n = num(v, pos);
  if (typeof n === 'bigint') return Number(n);
  if (!Number.isInteger(n)) throw operandErr(pos, 'must be integer number but got floating-point number');
  return n;
}

/** OPA's BigIntOperand: an exact integer. */
export function bigIntOp(v: Value, pos: number): bigint {
  if (typeof v !== 'number' && typeof v !== 'bigint') throw typeErr(pos, v, 'integer');
  if (typeof v === 'bigint') return v;
  if (!Number.isInteger(v)) throw operandErr(pos, 'must be integer number but got floating-point number');
  return BigInt(v);
}

/** Normalise an integer result (bigint or safe number) into the value model's representation. */
export function intResult(n: bigint | number): number | bigint {
  return normNum(n);
}

/** A float result; refuses values the model cannot represent. */
export function floatResult(x: number): number | bigint {
  if (!Number.isFinite(x)) throw fail('arithmetic result is not a finite number');
  return normNum(x);
}

/** Longest string a builtin will build (hostile replace/sprintf/concat inputs fail instead of exhausting memory). */
export const MAX_STRING_LENGTH = 32 * 1024 * 1024;

export function checkLength(n: number): void {
  if (n > MAX_STRING_LENGTH) throw fail(`result of ${n} characters exceeds the limit of ${MAX_STRING_LENGTH}`);
}

/** Cost for checkBudget of processing a string. */
export function strCost(s: string): number {
  return (s.length >> 5) + 1;
}

// ---------------------------------------------------------------------------------------------
// Strings: Go works on UTF-8 and runes, JS on UTF-16 units.

/** Number of code points (Go's utf8.RuneCountInString for valid text). */
export function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const p = s.charCodeAt(i - 1);
      if (p >= 0xd800 && p <= 0xdbff) continue; // second half of a pair
    }
    n++;
  }
  return n;
}

export function isASCII(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * Decode bytes as Go does when it ranges over a string: each byte of an invalid sequence becomes
 * one U+FFFD (Node's decoder collapses maximal subparts, which changes rune counts).
 */
export function decodeUtf8Go(b: Uint8Array): string {
  let out = '';
  let chunk: number[] = [];
  const flush = (): void => {
    out += String.fromCodePoint(...chunk);
    chunk = [];
  };
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let cp = -1;
    let w = 1;
    if (c < 0x80) {
      cp = c;
    } else if (c >= 0xc2 && c <= 0xdf && i + 1 < b.length && (b[i + 1] & 0xc0) === 0x80) {
      cp = ((c & 0x1f) << 6) | (b[i + 1] & 0x3f);
      w = 2;
    } else if (c >= 0xe0 && c <= 0xef && i + 2 < b.length) {
      const c1 = b[i + 1];
      const c2 = b[i + 2];
      const lo = c === 0xe0 ? 0xa0 : 0x80;
      const hi = c === 0xed ? 0x9f : 0xbf;
      if (c1 >= lo && c1 <= hi && (c2 & 0xc0) === 0x80) {
        cp = ((c & 0x0f) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f);
        w = 3;
      }
    } else if (c >= 0xf0 && c <= 0xf4 && i + 3 < b.length) {
      const c1 = b[i + 1];
      const c2 = b[i + 2];
      const c3 = b[i + 3];
      const lo = c === 0xf0 ? 0x90 : 0x80;
      const hi = c === 0xf4 ? 0x8f : 0xbf;
      if (c1 >= lo && c1 <= hi && (c2 & 0xc0) === 0x80 && (c3 & 0xc0) === 0x80) {
        cp = ((c & 0x07) << 18) | ((c1 & 0x3f) << 12) | ((c2 & 0x3f) << 6) | (c3 & 0x3f);
        w = 4;
      }
    }
    chunk.push(cp < 0 ? 0xfffd : cp);
    if (chunk.length >= 4096) flush();
    i += w;
  }
  flush();
  return out;
}

export function utf8(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

// ---------------------------------------------------------------------------------------------
// OPA's text form of values (ast.Term.String()), used by sprintf and print.

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function isGoPrintable(ch: string): boolean {
  return PRINTABLE.test(ch);
}

const HEX = '0123456789abcdef';

/** Go's strconv.Quote. */
export function goQuote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') {
      out += '\\' + ch;
      continue;
    }
    if (cp < 0x80 ? cp >= 0x20 && cp < 0x7f : !asciiOnly && isGoPrintable(ch)) {
      out += ch;
      continue;
    }
    switch (cp) {
      case 7:
        out += '\\a';
        continue;
      case 8:
        out += '\\b';
        continue;
      case 12:
        out += '\\f';
        continue;
      case 10:
        out += '\\n';
        continue;
      case 13:
        out += '\\r';
        continue;
      case 9:
        out += '\\t';
        continue;
      case 11:
        out += '\\v';
        continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += '\\x' + HEX[cp >> 4] + HEX[cp & 15];
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out + '"';
}

/** OPA's Term.String(): strings quoted, sets as {1, 2} (empty: set()), objects as {"a": 1}. */
export function regoString(v: Value): string {
  switch (typeof v) {
    case 'string':
      return goQuote(v);
    case 'number':
    case 'bigint':
      return formatNumber(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      if (v === null) return 'null';
      if (Array.isArray(v)) return '[' + v.map(regoString).join(', ') + ']';
      if (v instanceof ObjectV)
        return (
          '{' +
          v
            .sorted()
            .map(([k, x]) => regoString(k) + ': ' + regoString(x))
            .join(', ') +
          '}'
        );
      if (v.size === 0) return 'set()';
      return '{' + v.sorted().map(regoString).join(', ') + '}';
  }
}
