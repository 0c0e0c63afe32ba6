// and (&), or (|), intersection, union. Set difference is `minus` (arithmetic.ts).

import { SetV, type Value } from '../value.js';
import type { Builtin } from './types.js';
import { def, setOp, typeErr } from './util.js';

function intersect(a: SetV, b: SetV): SetV {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  const out = new SetV();
  for (const v of small.values()) if (large.has(v)) out.add(v);
  return out;
}

function unite(a: SetV, b: SetV): SetV {
  const out = new SetV(a.values());
  for (const v of b.values()) out.add(v);
  return out;
}

function setOfSets(v: Value): SetV[] {
  const s = setOp(v, 1);
  const out: SetV[] = [];
  for (const x of s.sorted()) {
    if (!(x instanceof SetV)) throw typeErr(1, x, 'set'); // OPA checks each element as operand 1
    out.push(x);
  }
  return out;
}

export const sets: Builtin[] = [
  def('and', ['set', 'set'], ([a, b], ctx) => {
    const x = setOp(a, 1);
    const y = setOp(b, 2);
    ctx.checkBudget(Math.min(x.size, y.size));
    return intersect(x, y);
  }),
  def('or', ['set', 'set'], ([a, b], ctx) => {
    const x = setOp(a, 1);
    const y = setOp(b, 2);
    ctx.checkBudget(x.size + y.size);
    return unite(x, y);
  }),
  def('intersection', ['set'], ([a], ctx) => {
    const ss = setOfSets(a);
    if (ss.length === 0) return new SetV();
    let acc = ss[0];
    for (let i = 1; i < ss.length; i++) {
      ctx.checkBudget(Math.min(acc.size, ss[i].size) + 1);
      acc = intersect(acc, ss[i]);
    }
    return acc;
  }),
  def('union', ['set'], ([a], ctx) => {
    const ss = setOfSets(a);
    const out = new SetV();
    for (const s of ss) {
      ctx.checkBudget(s.size + 1);
      for (const v of s.values()) out.add(v);
    }
    return out;
  }),
];
