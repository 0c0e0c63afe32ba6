// Converts expected values written in YAML into Rego values.
import { fromJSON, ObjectV, SetV, type Value } from '../rego/value.js';
import { TYPED_ENTRIES } from './load.js';

/** An error code named inside an expected message, e.g. "test-0.rego:4: eval_type_error: ..." → "eval_type_error". */
export function errorCodeInMessage(message: string): string | undefined {
  const m = /\b((?:rego|eval)_[a-z_]*?_error)\b/.exec(message);
  return m ? m[1] : undefined;
}

/** OPA runner: each `want_result` row maps a variable name to a JSON value. */
export function opaRows(want: unknown): Record<string, Value>[] {
  if (!Array.isArray(want)) throw new TypeError('want_result must be a list of binding rows');
  return want.map((row, i) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new TypeError(`want_result[${i}] must be a mapping of variable names to values`);
    }
    const out: Record<string, Value> = {};
    for (const [k, v] of Object.entries(row as Record<string, unknown>)) out[k] = fromJSON(v);
    return out;
  });
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/**
 * regorus runner's special encodings: the string "#undefined" is an undefined value,
 * `{set!: [...]}` a set, `{object!: [{key, value}, ...]}` an object with any keys.
 */
export function regorusValue(x: unknown): Value | undefined {
  if (x === '#undefined') return undefined;
  if (Array.isArray(x)) return x.map((item) => defined(regorusValue(item)));
  if (isPlainObject(x)) {
    const keys = Object.keys(x);
    if (keys.length === 1 && keys[0] === 'set!' && Array.isArray(x['set!'])) {
      return new SetV((x['set!'] as unknown[]).map((item) => defined(regorusValue(item))));
    }
    if (keys.length === 1 && keys[0] === 'object!' && Array.isArray(x['object!'])) {
      const o = new ObjectV();
      for (const entry of x['object!'] as unknown[]) {
        if (!isPlainObject(entry)) throw new TypeError('object! entries must be {key, value} mappings');
        o.set(defined(regorusValue(entry.key)), defined(regorusValue(entry.value)));
      }
      return o;
    }
    const o = new ObjectV();
    // Keys as regorus reads them: typed (null, booleans, numbers) where the YAML wrote them so.
    const typed = (x as { [TYPED_ENTRIES]?: [unknown, unknown][] })[TYPED_ENTRIES];
    if (typed) for (const [k, v] of typed) o.set(defined(regorusValue(k)), defined(regorusValue(v)));
    else for (const k of keys) o.set(k, defined(regorusValue(x[k])));
    return o;
  }
  return fromJSON(x);
}

function defined(v: Value | undefined): Value {
  if (v === undefined) throw new TypeError('"#undefined" is only supported as a whole expected result');
  return v;
}

/** regorus `many!`: a list of values; anything else is a single value. */
export function manyOrOne(x: unknown): unknown[] {
  if (isPlainObject(x) && Object.keys(x).length === 1 && Array.isArray(x['many!'])) return x['many!'] as unknown[];
  return [x];
}
