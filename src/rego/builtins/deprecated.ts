// OPA's deprecated builtins (cast_*, set_diff, re_match): still in OPA's capabilities list and
// accepted in Rego v0 modules; each marked `deprecated` like `all` and `any`.

import { RegoError } from '../errors.js';
import { ObjectV, SetV, type Value } from '../value.js';
import { regex } from './regex.js';
import type { Builtin } from './types.js';
import { def, setOp, typeErr } from './util.js';

const D = { deprecated: true };

/** cast_boolean, cast_null, cast_object, cast_string: the value itself when it has the type. */
function cast(name: string, want: string, ok: (v: Value) => boolean): Builtin {
  return def(
    name,
    ['any'],
    ([v]) => {
      if (!ok(v)) throw typeErr(1, v, want);
      return v;
    },
    D,
  );
}

const regexMatch = regex.find((b) => b.name === 'regex.match');
if (!regexMatch) throw new Error('regex.match is missing from the regex family');

export const deprecated: Builtin[] = [
  def(
    'cast_array',
    ['any'],
    ([v]) => {
      if (Array.isArray(v)) return v;
      if (v instanceof SetV) return v.sorted();
      throw typeErr(1, v, 'array', 'set');
    },
    D,
  ),
  def(
    'cast_set',
    ['any'],
    ([v]) => {
      if (v instanceof SetV) return v;
      if (Array.isArray(v)) return new SetV(v);
      throw typeErr(1, v, 'set', 'array');
    },
    D,
  ),
  cast('cast_boolean', 'boolean', (v) => typeof v === 'boolean'),
  cast('cast_null', 'null', (v) => v === null),
  cast('cast_object', 'object', (v) => v instanceof ObjectV),
  cast('cast_string', 'string', (v) => typeof v === 'string'),
  def(
    'set_diff',
    ['set', 'set'],
    ([a, b]) => {
      const x = setOp(a, 1);
      const y = setOp(b, 2);
      const out = new SetV();
      for (const v of x.values()) if (!y.has(v)) out.add(v);
      return out;
    },
    D,
  ),
  // regex.match under its old name, with its own name in errors.
  def(
    're_match',
    ['string', 'string'],
    (args, ctx) => {
      try {
        return regexMatch.fn(args, ctx);
      } catch (e) {
        if (e instanceof RegoError && e.detail.startsWith('regex.match: ')) {
          throw new RegoError(e.code, 're_match: ' + e.detail.slice('regex.match: '.length));
        }
        throw e;
      }
    },
    D,
  ),
];
