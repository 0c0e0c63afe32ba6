// internal.template_string(parts): what OPA's compiler rewrites a template string
// ($"a {x} b") to — literal parts as strings, each {expression} as the set of its values.
// A set part with one value prints that value as print() does (strings bare, other values in
// Rego syntax); an empty set (undefined expression) prints <undefined>; more than one value is
// a conflict, as in OPA.

import { RegoError } from '../errors.js';
import { SetV } from '../value.js';
import { printText } from './misc.js';
import type { Builtin } from './types.js';
import { arr, checkLength, def } from './util.js';

export const templateString: Builtin[] = [
  def('internal.template_string', ['array'], ([a], ctx) => {
    const parts = arr(a, 1);
    ctx.checkBudget(parts.length);
    let out = '';
    for (const p of parts) {
      if (!(p instanceof SetV)) {
        out += printText([p]);
      } else if (p.size === 0) {
        out += '<undefined>';
      } else if (p.size > 1) {
        throw new RegoError('eval_conflict_error', 'template-strings must not produce multiple outputs');
      } else {
        out += printText([p.sorted()[0]]);
      }
      checkLength(out.length);
    }
    return out;
  }),
];
