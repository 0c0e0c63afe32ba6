// Result comparison, as each runner does it, with a one-line reason on mismatch.
import { compare, equal, fromJSON, ObjectV, SetV, stringify, toJSON, type Value } from '../rego/value.js';

const MAX_SHOWN = 200;

export function short(text: string, max = MAX_SHOWN): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length <= max ? one : one.slice(0, max - 1) + '…';
}

/** Rows in the brief form used by reasons: `[{x: 1}, {x: [1,2]}]`. */
export function showRows(rows: Record<string, Value>[]): string {
  if (rows.length === 0) return 'undefined';
  const one = (r: Record<string, Value>): string =>
    '{' + Object.keys(r).sort().map((k) => `${k}: ${stringify(r[k])}`).join(', ') + '}';
  return short('[' + rows.map(one).join(', ') + ']');
}

export function showValues(values: (Value | undefined)[]): string {
  if (values.length === 0) return 'no result';
  return short(values.map((v) => (v === undefined ? 'undefined' : stringify(v))).join(' | '));
}

function sortedArray(v: Value): Value {
  return Array.isArray(v) ? [...v].sort(compare) : v;
}

/**
 * OPA's runner: each binding is turned into JSON (sets become arrays, non-string keys become
 * their JSON text), arrays sorted when sort_bindings is set, and the rows compared as a set.
 */
export function compareRows(
  want: Record<string, Value>[],
  got: Record<string, Value>[],
  sortBindings: boolean,
): string | undefined {
  const gotJson = got.map((row) => {
    const out: Record<string, Value> = {};
    for (const [k, v] of Object.entries(row)) {
      const j = fromJSON(toJSON(v));
      out[k] = sortBindings ? sortedArray(j) : j;
    }
    return out;
  });
  const asSet = (rows: Record<string, Value>[]): SetV => new SetV(rows.map((r) => ObjectV.fromStringMap(r)));
  if (equal(asSet(want), asSet(gotJson))) return undefined;
  return `expected ${showRows(want)}, got ${showRows(gotJson)}`;
}

function sortInside(v: Value): Value {
  if (Array.isArray(v)) return sortedArray(v);
  if (v instanceof ObjectV) return new ObjectV([...v.entries()].map(([k, x]) => [k, sortedArray(x)]));
  return v;
}

/**
 * regorus's runner: one value per result, compared in order with structural equality (a set
 * only equals a set). sort_bindings sorts arrays (top level, or per binding) on both sides.
 * An expected lone `#undefined` matches a query with no result.
 */
export function compareValues(want: (Value | undefined)[], got: Value[], sortBindings: boolean): string | undefined {
  if (want.length === 1 && want[0] === undefined && got.length === 0) return undefined;
  const g = sortBindings ? got.map(sortInside) : got;
  const w = sortBindings ? want.map((v) => (v === undefined ? v : sortInside(v))) : want;
  const same = w.length === g.length && w.every((v, i) => v !== undefined && equal(v, g[i]));
  return same ? undefined : `expected ${showValues(w)}, got ${showValues(g)}`;
}
