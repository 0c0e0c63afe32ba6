// units.parse (SI and binary suffixes, "m" = milli) and units.parse_bytes, with exact rational
// arithmetic as OPA (big.Rat) so 1.5Gi or 0.001K come out exact.

import { normNum } from '../value.js';
import type { Builtin, BuiltinContext } from './types.js';
import { def, fail, str, strCost } from './util.js';

/** Largest decimal exponent accepted ("1e400"); OPA allows 6 exponent digits, we bound the work. */
export const MAX_UNITS_EXPONENT = 400;

interface Rational {
  n: bigint;
  d: bigint;
}

/** OPA's extractNumAndUnit. */
function extractNumAndUnit(s: string): [string, string] {
  const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
  let first = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (!(isDigit(c) || c === '.') && c !== 'e' && c !== 'E' && c !== '+' && c !== '-') {
      first = i;
      break;
    }
    if (c === 'e' || c === 'E') {
      const next = s[i + 1];
      if (i === s.length - 1 || (!isDigit(next) && next !== '+' && next !== '-')) {
        first = i;
        break;
      }
      if (next === '+' || next === '-') i++;
      let j = i + 1;
      while (j < s.length && isDigit(s[j])) j++;
      if (j - (i + 1) > 6) throw fail('exponent too large');
    }
  }
  if (first === -1) return [s, ''];
  if (first === 0) return ['', s];
  return [s.slice(0, first), s.slice(first)];
}

function parseRational(num: string): Rational | null {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(num);
  if (m === null) return null;
  const [, sign, int, frac = '', exp = '0'] = m;
  if (int === '' && frac === '') return null;
  const e = Number(exp) - frac.length;
  if (Math.abs(Number(exp)) > MAX_UNITS_EXPONENT) throw fail('exponent too large');
  let n = BigInt((int || '0') + frac);
  if (sign === '-') n = -n;
  return e >= 0 ? { n: n * 10n ** BigInt(e), d: 1n } : { n, d: 10n ** BigInt(-e) };
}

/** big.Rat.FloatString(10): decimal with exactly 10 digits after the point, rounded half away from zero. */
function floatString10(r: Rational): string {
  const neg = r.n < 0n;
  const n = neg ? -r.n : r.n;
  const scaled = n * 10n ** 10n;
  let q = scaled / r.d;
  if ((scaled % r.d) * 2n >= r.d) q += 1n;
  const s = q.toString().padStart(11, '0');
  return (neg ? '-' : '') + s.slice(0, -10) + '.' + s.slice(-10);
}

const SI: Record<string, Rational> = {
  '': { n: 1n, d: 1n },
  m: { n: 1n, d: 1000n },
  k: { n: 1000n, d: 1n },
  K: { n: 1000n, d: 1n },
  M: { n: 10n ** 6n, d: 1n },
  g: { n: 10n ** 9n, d: 1n },
  G: { n: 10n ** 9n, d: 1n },
  t: { n: 10n ** 12n, d: 1n },
  T: { n: 10n ** 12n, d: 1n },
  p: { n: 10n ** 15n, d: 1n },
  P: { n: 10n ** 15n, d: 1n },
  e: { n: 10n ** 18n, d: 1n },
  E: { n: 10n ** 18n, d: 1n },
  ki: { n: 1n << 10n, d: 1n },
  Ki: { n: 1n << 10n, d: 1n },
  mi: { n: 1n << 20n, d: 1n },
  Mi: { n: 1n << 20n, d: 1n },
  gi: { n: 1n << 30n, d: 1n },
  Gi: { n: 1n << 30n, d: 1n },
  ti: { n: 1n << 40n, d: 1n },
  Ti: { n: 1n << 40n, d: 1n },
  pi: { n: 1n << 50n, d: 1n },
  Pi: { n: 1n << 50n, d: 1n },
  ei: { n: 1n << 60n, d: 1n },
  Ei: { n: 1n << 60n, d: 1n },
};

const BYTES: Record<string, bigint> = {
  '': 1n,
  kb: 10n ** 3n,
  k: 10n ** 3n,
  kib: 1n << 10n,
  ki: 1n << 10n,
  mb: 10n ** 6n,
  m: 10n ** 6n,
  mib: 1n << 20n,
  mi: 1n << 20n,
  gb: 10n ** 9n,
  g: 10n ** 9n,
  gib: 1n << 30n,
  gi: 1n << 30n,
  tb: 10n ** 12n,
  t: 10n ** 12n,
  tib: 1n << 40n,
  ti: 1n << 40n,
  pb: 10n ** 15n,
  p: 10n ** 15n,
  pib: 1n << 50n,
  pi: 1n << 50n,
  eb: 10n ** 18n,
  e: 10n ** 18n,
  eib: 1n << 60n,
  ei: 1n << 60n,
};

function charge(ctx: BuiltinContext, s: string): void {
  ctx.checkBudget(strCost(s));
}

export const units: Builtin[] = [
  def('units.parse', ['string'], ([x], ctx) => {
    const s = str(x, 1).replaceAll('"', '');
    charge(ctx, s);
    if (s.includes(' ')) throw fail('spaces not allowed in resource strings');
    const [num, rawUnit] = extractNumAndUnit(s);
    if (num === '') throw fail('no amount provided');
    const unit = rawUnit.length > 1 ? rawUnit[0] + rawUnit.slice(1).toLowerCase() : rawUnit;
    const mult = Object.prototype.hasOwnProperty.call(SI, unit) ? SI[unit] : undefined;
    if (mult === undefined) throw fail(`unit ${unit} not recognized`);
    const r = parseRational(num);
    if (r === null) throw fail('could not parse amount to a number');
    const n = r.n * mult.n;
    const d = r.d * mult.d;
    if (n % d === 0n) return normNum(n / d);
    return normNum(Number(floatString10({ n, d })));
  }),

  def('units.parse_bytes', ['string'], ([x], ctx) => {
    const s = str(x, 1).toLowerCase().replaceAll('"', '');
    charge(ctx, s);
    if (s.includes(' ')) throw fail('spaces not allowed in resource strings');
    const [num, unit] = extractNumAndUnit(s);
    if (num === '') throw fail('no byte amount provided');
    const mult = Object.prototype.hasOwnProperty.call(BYTES, unit) ? BYTES[unit] : undefined;
    if (mult === undefined) throw fail(`byte unit ${unit} not recognized`);
    const r = parseRational(num);
    if (r === null) throw fail('could not parse byte amount to a number');
    return normNum((r.n * mult) / r.d);
  }),
];
