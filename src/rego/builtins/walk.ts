// `walk(x, [path, value])` is a relation (it produces many results), so it is not a BUILTINS
// entry. Order is OPA's: pre-order, the node itself first, then children (arrays by index,
// objects and sets in sorted order).
// The compiler resolves a name in RELATIONS (after user functions, like a builtin) to a special
// call that the evaluator runs through walkValue(), one [path, value] result per node. It is
// callable only with its output as the last argument, walk(x, [path, value]), as OPA documents it.

import { ObjectV, SetV, type Value } from '../value.js';

export function* walkValue(v: Value, path: Value[] = []): Generator<[Value[], Value]> {
  yield [[...path], v];
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) yield* walkValue(v[i], [...path, i]);
  } else if (v instanceof ObjectV) {
    for (const [k, x] of v.sorted()) yield* walkValue(x, [...path, k]);
  } else if (v instanceof SetV) {
    for (const x of v.sorted()) yield* walkValue(x, [...path, x]);
  }
}

/** Relations the evaluator implements itself, with their declared arity (not counting the output). */
export const RELATIONS: ReadonlyMap<string, { arity: number; args: string[] }> = new Map([['walk', { arity: 1, args: ['any'] }]]);
