// count sum product max min sort all any, and the membership helpers behind `in`.

import { ObjectV, SetV, compare, equal, type Value } from '../value.js';
import type { Builtin } from './types.js';
import { def, elemErr, floatResult, intResult, isInt, runeCount, strCost, typeErr } from './util.js';

function collection(v: Value, pos: number): Value[] | SetV {
  if (Array.isArray(v)) return v;
  if (v instanceof SetV) return v;
  throw typeErr(pos, v, 'set', 'array');
}

function items(c: Value[] | SetV): Value[] {
  return Array.isArray(c) ? c : c.sorted();
}

/** Sum or product with exact integers (BigInt once a result leaves the safe range) and floats otherwise. */
function accumulate(c: Value[] | SetV, op: 'sum' | 'product'): number | bigint {
  const xs = items(c);
  let allInt = true;
  for (const x of xs) {
    if (typeof x === 'number') {
      if (!Number.isInteger(x)) allInt = false;
    } else if (typeof x !== 'bigint') {
      throw elemErr(1, c, x, 'number');
    }
  }
  if (allInt) {
    let small = op === 'sum' ? 0 : 1;
    let big: bigint | null = null;
    for (const x of xs) {
      const n = x as number | bigint;
      if (big === null && typeof n === 'number') {
        const r = op === 'sum' ? small + n : small * n;
        if (Number.isSafeInteger(r)) {
          small = r;
          continue;
        }
        big = BigInt(small);
      }
      const b: bigint = big ?? BigInt(small);
      big = op === 'sum' ? b + BigInt(n) : b * BigInt(n);
    }
    return intResult(big ?? small);
  }
  let acc = op === 'sum' ? 0 : 1;
  for (const x of xs) {
    const n = Number(x as number | bigint);
    acc = op === 'sum' ? acc + n : acc * n;
  }
  return floatResult(acc);
}

export const aggregates: Builtin[] = [
  def('count', ['array|object|set|string'], ([a], ctx) => {
    if (Array.isArray(a)) return a.length;
    if (a instanceof ObjectV || a instanceof SetV) return a.size;
    if (typeof a === 'string') {
      ctx.checkBudget(strCost(a));
      return runeCount(a);
    }
    throw typeErr(1, a, 'array', 'object', 'set', 'string');
  }),

  def('sum', ['array|set'], ([a], ctx) => {
    const c = collection(a, 1);
    ctx.checkBudget(Array.isArray(c) ? c.length : c.size);
    return accumulate(c, 'sum');
  }),

  def('product', ['array|set'], ([a], ctx) => {
    const c = collection(a, 1);
    ctx.checkBudget(Array.isArray(c) ? c.length : c.size);
    return accumulate(c, 'product');
  }),

  def('max', ['array|set'], ([a], ctx) => {
    const c = collection(a, 1);
    const xs = items(c);
    ctx.checkBudget(xs.length);
    if (xs.length === 0) return undefined;
    let m = xs[0];
    for (const x of xs) if (compare(m, x) <= 0) m = x;
    return m;
  }),

  def('min', ['array|set'], ([a], ctx) => {
    const c = collection(a, 1);
    const xs = items(c);
    ctx.checkBudget(xs.length);
    if (xs.length === 0) return undefined;
    let m = xs[0];
    for (const x of xs) if (compare(m, x) >= 0) m = x;
    return m;
  }),

  def('sort', ['array|set'], ([a], ctx) => {
    const c = collection(a, 1);
    if (Array.isArray(c)) {
      ctx.checkBudget(c.length * Math.max(1, Math.ceil(Math.log2(c.length + 1))));
      return [...c].sort(compare);
    }
    ctx.checkBudget(c.size);
    return [...c.sorted()];
  }),

  def(
    'all',
    ['array|set'],
    ([a], ctx) => {
      if (!Array.isArray(a) && !(a instanceof SetV)) throw typeErr(1, a, 'array', 'set');
      const xs = items(a);
      ctx.checkBudget(xs.length);
      for (const x of xs) if (x !== true) return false;
      return true;
    },
    { deprecated: true },
  ),

  def(
    'any',
    ['array|set'],
    ([a], ctx) => {
      if (a instanceof SetV) return a.has(true);
      if (!Array.isArray(a)) throw typeErr(1, a, 'array', 'set');
      ctx.checkBudget(a.length);
      for (const x of a) if (x === true) return true;
      return false;
    },
    { deprecated: true },
  ),

  // `x in xs` and `k, v in xs` (OPA's internal.member_2 / internal.member_3): never errors.
  def('internal.member_2', ['any', 'any'], ([x, c], ctx) => {
    if (c instanceof SetV) return c.has(x);
    if (Array.isArray(c)) {
      ctx.checkBudget(c.length);
      for (const y of c) if (equal(x, y)) return true;
      return false;
    }
    if (c instanceof ObjectV) {
      ctx.checkBudget(c.size);
      for (const [, y] of c.entries()) if (equal(x, y)) return true;
      return false;
    }
    return false;
  }),

  def('internal.member_3', ['any', 'any', 'any'], ([k, v, c]) => {
    if (c instanceof SetV) return c.has(k) && equal(k, v);
    if (c instanceof ObjectV) {
      const got = c.get(k);
      return got !== undefined && equal(got, v);
    }
    if (Array.isArray(c)) {
      if (typeof k !== 'number' && typeof k !== 'bigint') return false;
      if (!isInt(k)) return false;
      const i = Number(k);
      return i >= 0 && i < c.length && equal(c[i], v);
    }
    return false;
  }),
];
