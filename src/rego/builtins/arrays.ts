// array.concat array.slice array.reverse

import type { Builtin } from './types.js';
import { arr, def, intOp } from './util.js';

export const arrays: Builtin[] = [
  def('array.concat', ['array', 'array'], ([a, b], ctx) => {
    const x = arr(a, 1);
    const y = arr(b, 2);
    ctx.checkBudget(x.length + y.length);
    if (x.length === 0) return y;
    if (y.length === 0) return x;
    return x.concat(y);
  }),
  def('array.slice', ['array', 'number', 'number'], ([a, b, c], ctx) => {
    const x = arr(a, 1);
    let start = intOp(b, 2);
    let stop = intOp(c, 3);
    if (stop < 0) stop = 0;
    else if (stop > x.length) stop = x.length;
    if (start < 0) start = 0;
    else if (start > stop) start = stop;
    ctx.checkBudget(stop - start);
    return x.slice(start, stop);
  }),
  def('array.reverse', ['array'], ([a], ctx) => {
    const x = arr(a, 1);
    ctx.checkBudget(x.length);
    return [...x].reverse();
  }),
];
