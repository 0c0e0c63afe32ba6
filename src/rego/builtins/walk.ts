// `walk(x, [path, value])` is a relation (it produces many results), so it is not a BUILTINS
// entry. Order is OPA's: pre-order, the node itself first, then children (arrays by index,
// objects and sets in sorted order).
// The compiler resolves a name in RELATIONS (after user functions, like a builtin) to a special
// call, one [path, value] result per node: the evaluator walks in its walkFrom, compiled code and
// the wasm host through walkNodes. It is callable only with its output as the last argument,
// walk(x, [path, value]), as OPA documents it.

import { ObjectV, SetV, type Value } from '../value.js';

/** Every [path, value] of v in walk's order, each path its own array (they are results). Plain
 * recursion into one array: nested generators cost more than the rest of a small walk. */
export function walkNodes(v: Value): [Value[], Value][] {
  const out: [Value[], Value][] = [];
  const visit = (x: Value, path: Value[]): void => {
    out.push([path, x]);
    if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) visit(x[i], [...path, i]);
    } else if (x instanceof ObjectV) {
      for (const [k, y] of x.sorted()) visit(y, [...path, k]);
    } else if (x instanceof SetV) {
      for (const y of x.sorted()) visit(y, [...path, y]);
    }
  };
  visit(v, []);
  return out;
}

/** Relations the evaluator implements itself, with their declared arity (not counting the output). */
export const RELATIONS: ReadonlyMap<string, { arity: number; args: string[] }> = new Map([['walk', { arity: 1, args: ['any'] }]]);
