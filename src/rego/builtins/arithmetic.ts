// plus minus mul div rem abs round ceil floor numbers.range numbers.range_step.
//
// Integers stay exact: safe-range arithmetic on JS numbers, BigInt as soon as a result
// leaves the safe range (results go through normNum so a value has one representation).
// Non-integers are IEEE doubles (OPA uses big.Float; results agree to double precision).

import { SetV, type Value } from '../value.js';
import type { Builtin, BuiltinContext } from './types.js';
import { bigIntOp, def, fail, floatResult, intResult, isInt, num, typeErr } from './util.js';

type Num = number | bigint;

function isZero(n: Num): boolean {
  return typeof n === 'bigint' ? n === 0n : n === 0;
}

function bothInt(a: Num, b: Num): boolean {
  return isInt(a) && isInt(b);
}

export function add(a: Num, b: Num): Num {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r) || !bothInt(a, b)) return floatResult(r);
    return intResult(BigInt(a) + BigInt(b));
  }
  if (bothInt(a, b)) return intResult(BigInt(a) + BigInt(b));
  return floatResult(Number(a) + Number(b));
}

export function sub(a: Num, b: Num): Num {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (Number.isSafeInteger(r) || !bothInt(a, b)) return floatResult(r);
    return intResult(BigInt(a) - BigInt(b));
  }
  if (bothInt(a, b)) return intResult(BigInt(a) - BigInt(b));
  return floatResult(Number(a) - Number(b));
}

export function mul(a: Num, b: Num): Num {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    if (Number.isSafeInteger(r) || !bothInt(a, b)) return floatResult(r);
    return intResult(BigInt(a) * BigInt(b));
  }
  if (bothInt(a, b)) return intResult(BigInt(a) * BigInt(b));
  return floatResult(Number(a) * Number(b));
}

export function div(a: Num, b: Num): Num {
  if (isZero(b)) throw fail('divide by zero');
  if (bothInt(a, b)) {
    // Exact when the divisor divides a non-zero dividend (OPA returns a float otherwise).
    if (typeof a === 'number' && typeof b === 'number') {
      if (a !== 0 && a % b === 0) return intResult(a / b);
    } else {
      const x = BigInt(a);
      const y = BigInt(b);
      if (x !== 0n && x % y === 0n) return intResult(x / y);
    }
  }
  return floatResult(Number(a) / Number(b));
}

export function rem(a: Num, b: Num): Num {
  if (!bothInt(a, b)) throw fail('modulo on floating-point number');
  if (isZero(b)) throw fail('modulo by zero');
  if (typeof a === 'number' && typeof b === 'number') return intResult(a % b);
  return intResult(BigInt(a) % BigInt(b));
}

function roundHalfAway(x: number): number {
  const t = Math.trunc(x);
  return Math.abs(x - t) >= 0.5 ? t + Math.sign(x) : t;
}

function binary(name: string, op: (a: Num, b: Num) => Num): Builtin {
  return def(name, ['number', 'number'], ([a, b]) => op(num(a, 1), num(b, 2)));
}

function unary(name: string, op: (x: number) => number, big: (x: bigint) => bigint): Builtin {
  return def(name, ['number'], ([a]) => {
    const n = num(a, 1);
    if (typeof n === 'bigint') return intResult(big(n));
    if (Number.isInteger(n)) return Number.isSafeInteger(n) ? intResult(op(n)) : intResult(big(BigInt(n)));
    return floatResult(op(n));
  });
}

/** Hard cap on generated ranges, on top of the evaluation budget. */
export const MAX_RANGE = 10_000_000;

function range(x: bigint, y: bigint, step: bigint, ctx: BuiltinContext): Value[] {
  const span = x <= y ? y - x : x - y;
  const len = span / step + 1n;
  if (len > BigInt(MAX_RANGE)) throw fail(`range of ${len} numbers exceeds the limit of ${MAX_RANGE}`);
  ctx.checkBudget(Number(len));
  const out: Value[] = new Array<Value>(Number(len));
  const safe = x >= -9007199254740991n && x <= 9007199254740991n && y >= -9007199254740991n && y <= 9007199254740991n;
  if (safe) {
    const s = Number(step) * (x <= y ? 1 : -1);
    let v = Number(x);
    for (let i = 0; i < out.length; i++, v += s) out[i] = v;
  } else {
    const s = x <= y ? step : -step;
    let v = x;
    for (let i = 0; i < out.length; i++, v += s) out[i] = intResult(v);
  }
  return out;
}

export const arithmetic: Builtin[] = [
  binary('plus', add),
  def('minus', ['number|set', 'number|set'], ([a, b]) => {
    const an = typeof a === 'number' || typeof a === 'bigint';
    const bn = typeof b === 'number' || typeof b === 'bigint';
    if (an && bn) return sub(a, b);
    if (a instanceof SetV && b instanceof SetV) {
      const out = new SetV();
      for (const v of a.values()) if (!b.has(v)) out.add(v);
      return out;
    }
    if (!an && !(a instanceof SetV)) throw typeErr(1, a, 'number', 'set');
    // OPA's wording: a number second operand next to a set asks for a set, anything else for a number.
    throw typeErr(2, b, bn ? 'set' : 'number');
  }),
  binary('mul', mul),
  binary('div', div),
  binary('rem', rem),
  unary('abs', Math.abs, (x) => (x < 0n ? -x : x)),
  unary('round', roundHalfAway, (x) => x),
  unary('ceil', Math.ceil, (x) => x),
  unary('floor', Math.floor, (x) => x),
  def('numbers.range', ['number', 'number'], ([a, b], ctx) => range(bigIntOp(a, 1), bigIntOp(b, 2), 1n, ctx)),
  def('numbers.range_step', ['number', 'number', 'number'], ([a, b, c], ctx) => {
    const x = bigIntOp(a, 1);
    const y = bigIntOp(b, 2);
    const step = bigIntOp(c, 3);
    if (step <= 0n) throw fail('step must be a positive integer');
    return range(x, y, step, ctx);
  }),
];
