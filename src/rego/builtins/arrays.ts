// array.concat array.slice array.reverse array.flatten

import type { Value } from '../value.js';
import type { Builtin } from './types.js';
import { arr, def, intOp } from './util.js';

export const arrays: Builtin[] = [
  def('array.concat', ['array', 'array'], ([a, b], ctx) => {
    const x = arr(a, 1);
    const y = arr(b, 2);
    ctx.checkBudget(x.length + y.length);
    if (x.length === 0) return y;
    if (y.length === 0) return x;
    // a copy loop: Array.prototype.concat's generic path (spreadable checks) costs more on the
    // short arrays policies join (a path and a prefix)
    const out = new Array<Value>(x.length + y.length);
    for (let i = 0; i < x.length; i++) out[i] = x[i];
    for (let i = 0; i < y.length; i++) out[x.length + i] = y[i];
    return out;
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
  // OPA v1.13: one level of nesting is spliced, other elements are kept as they are
  // (array.flatten([a, b]) is array.concat(a, b); array.flatten([x, a]) is [x, a...]).
  def('array.flatten', ['array'], ([a], ctx) => {
    const x = arr(a, 1);
    const out: Value[] = [];
    for (const e of x) {
      if (Array.isArray(e)) {
        ctx.checkBudget(e.length + 1);
        for (const y of e) out.push(y);
      } else {
        ctx.checkBudget(1);
        out.push(e);
      }
    }
    return out;
  }),
];
