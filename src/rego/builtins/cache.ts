// Per-evaluation memo for nondeterministic builtins: OPA returns the same value for the same
// key within one evaluation (rand.intn("x", 10) twice, uuid.rfc4122("k") twice). Keyed weakly
// by the evaluation's BuiltinContext, so it disappears with the evaluation.

import type { Value } from '../value.js';
import type { BuiltinContext } from './types.js';

const memo = new WeakMap<BuiltinContext, Map<string, Value>>();

export function evalMemo(ctx: BuiltinContext, key: string, make: () => Value): Value {
  let m = memo.get(ctx);
  if (m === undefined) {
    m = new Map();
    memo.set(ctx, m);
  }
  const hit = m.get(key);
  if (hit !== undefined) return hit;
  const v = make();
  m.set(key, v);
  return v;
}
