// JSON numbers kept exact, as OPA keeps them (json.Number): an integer a double cannot hold —
// more than 15 digits, or written with an exponent (`123456789012345678901234567890e0`) —
// becomes a bigint instead of a rounded double. JSON.parse stays the parser of the common path;
// a flat scan says when the text may hold such a number, and only then is it parsed again with
// lossless-json, which hands over each number's text.
// Exactness stops at the double range: a number beyond ±1.8e308 is ±Infinity, as JSON.parse
// makes it, for the caller to refuse as it always has. A short exponent form (`1e29999`) must not
// become a 30,000-digit bigint: a small body could otherwise fill the memory.
import { parse } from 'lossless-json';
import { configure } from 'safe-stable-stringify';
import { parseNumberText } from '../rego/value.js';

/** Digits a double's integer part can hold exactly, whatever they are (2^53 has 16). */
const SAFE_DIGITS = 15;
/** Largest decimal magnitude kept exact: the double range. */
const MAX_EXACT_DIGITS = 309;

/** One flat loop over the text (strings skipped): a run of more than 15 digits, or an exponent. */
export function mayHoldInexactNumber(text: string): boolean {
  let digits = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (++digits > SAFE_DIGITS) return true;
      continue;
    }
    if ((c === 0x65 || c === 0x45) /* e E */ && digits > 0) return true;
    digits = 0;
    if (c === 0x22 /* " */) {
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
    }
  }
  return false;
}

const NUMBER_TEXT = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** More exact digits than a document may hold (see reparseExact). */
export class ExactDigitsExceeded extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} digits of integers beyond 2^53`);
  }
}

/** The number's value: exact when it is an integer within the double range. The magnitude is
 * read from the text first, so no huge bigint is ever built. */
function exactNumber(text: string, budget: { left: number; limit: number }): number | bigint {
  const m = NUMBER_TEXT.exec(text);
  if (m === null) return Number(text);
  const [, sign, int, frac = '', exp] = m;
  if (exp === undefined && frac === '' && int.length <= SAFE_DIGITS) return Number(text);
  const digits = (int + frac).replace(/^0+/, '');
  if (digits === '') return Number(text);
  const magnitude = (exp === undefined ? 0 : Number(exp)) - frac.length + digits.length;
  if (magnitude > MAX_EXACT_DIGITS) return sign === '-' ? -Infinity : Infinity;
  // Below 1, or digits past the decimal point: not an integer, a double as JSON.parse makes it.
  const scale = (exp === undefined ? 0 : Number(exp)) - frac.length;
  if (magnitude < 1) return Number(text);
  if (scale < 0) return parseNumberText(text) ?? Number(text);
  // An integer: exact. Small ones stay doubles, as everywhere in the engine.
  if (magnitude <= SAFE_DIGITS) return Number(text);
  budget.left -= magnitude;
  if (budget.left < 0) throw new ExactDigitsExceeded(budget.limit);
  return BigInt(sign + digits) * pow10(scale);
}

const POW10: bigint[] = [1n];
/** 10^n for 0 ≤ n ≤ 309, each computed once: a body of many `1e308` costs no exponentiations. */
function pow10(n: number): bigint {
  for (let i = POW10.length; i <= n; i++) POW10.push(POW10[i - 1] * 10n);
  return POW10[n];
}

/**
 * Parses JSON text that is already known to be valid (and free of poisoned keys: the caller's
 * own parser checked it) again, integers exact. `undefined` when lossless-json refuses what
 * JSON.parse accepted (a repeated key): the caller keeps its JSON.parse value then. Throws
 * ExactDigitsExceeded past `maxDigits` digits of exact integers in all: building big integers
 * costs more than reading doubles, and a body must not buy unbounded work with a few bytes each.
 */
export function reparseExact(text: string, maxDigits: number): unknown {
  const budget = { left: maxDigits, limit: maxDigits };
  try {
    return parse(text, null, (t) => exactNumber(t, budget));
  } catch (e) {
    if (e instanceof ExactDigitsExceeded) throw e;
    return undefined;
  }
}

/** JSON.parse, integers exact (see above). Throws SyntaxError like JSON.parse, or ExactDigitsExceeded. */
export function parseJsonExact(text: string, maxDigits: number): unknown {
  const value: unknown = JSON.parse(text);
  if (!mayHoldInexactNumber(text)) return value;
  return reparseExact(text, maxDigits) ?? value;
}

const exactStringify = configure({ bigint: true, deterministic: false, circularValue: TypeError });

/** JSON.stringify, with bigints written as the integers they are (JSON.stringify refuses them). */
export function stringifyExact(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return exactStringify(value) ?? 'null';
  }
}
