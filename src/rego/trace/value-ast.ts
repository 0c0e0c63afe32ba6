// A value as a parsed term, for trace nodes that show values in place of variables (OPA's
// Unify events show each side as the evaluator sees it: a bound variable is its value).

import type { Loc, Term } from '../ast.js';
import { formatNumber, ObjectV, SetV, type Value } from '../value.js';

export function valueAst(v: Value, loc: Loc): Term {
  if (v === null) return { type: 'null', loc };
  switch (typeof v) {
    case 'boolean':
      return { type: 'boolean', value: v, loc };
    case 'number':
    case 'bigint':
      return { type: 'number', value: v, raw: formatNumber(v), loc };
    case 'string':
      return { type: 'string', value: v, loc };
    default:
      if (Array.isArray(v)) return { type: 'array', items: v.map((x) => valueAst(x, loc)), loc };
      if (v instanceof ObjectV) return { type: 'object', items: [...v.entries()].map(([k, x]) => [valueAst(k, loc), valueAst(x, loc)]), loc };
      if (v instanceof SetV) return { type: 'set', items: [...v.values()].map((x) => valueAst(x, loc)), loc };
      return { type: 'null', loc };
  }
}
