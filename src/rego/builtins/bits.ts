// bits.and bits.or bits.xor bits.negate bits.lsh bits.rsh on exact integers (two's complement
// semantics of Go's big.Int).

import { normNum } from '../value.js';
import type { Builtin, BuiltinContext } from './types.js';
import { bigIntOp, def, fail, operandErr } from './util.js';

/** Largest shift accepted (a 1 << 2^20 integer is 128 KiB of digits). */
export const MAX_SHIFT = 1n << 20n;

function shiftCount(n: bigint): bigint {
  if (n < 0n) throw operandErr(2, 'must be an unsigned integer number but got a negative integer');
  return n;
}

function leftShift(x: bigint, n: bigint, ctx: BuiltinContext): bigint {
  if (x === 0n) return 0n;
  if (n > MAX_SHIFT) throw fail(`shift of ${n} bits exceeds the limit of ${MAX_SHIFT}`);
  ctx.checkBudget(Number(n >> 6n));
  return x << n;
}

export const bits: Builtin[] = [
  def('bits.and', ['number', 'number'], ([a, b]) => normNum(bigIntOp(a, 1) & bigIntOp(b, 2))),
  def('bits.or', ['number', 'number'], ([a, b]) => normNum(bigIntOp(a, 1) | bigIntOp(b, 2))),
  def('bits.xor', ['number', 'number'], ([a, b]) => normNum(bigIntOp(a, 1) ^ bigIntOp(b, 2))),
  def('bits.negate', ['number'], ([a]) => normNum(~bigIntOp(a, 1))),
  def('bits.lsh', ['number', 'number'], ([a, b], ctx) => {
    const x = bigIntOp(a, 1);
    return normNum(leftShift(x, shiftCount(bigIntOp(b, 2)), ctx));
  }),
  def('bits.rsh', ['number', 'number'], ([a, b]) => {
    const x = bigIntOp(a, 1);
    const n = shiftCount(bigIntOp(b, 2));
    const bitLen = BigInt((x < 0n ? -x : x).toString(2).length);
    return normNum(n > bitLen ? (x < 0n ? -1n : 0n) : x >> n);
  }),
];
