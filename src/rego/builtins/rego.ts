// The `rego.*` builtin that needs the parser: rego.parse_module(filename, source) → the module
// as OPA's AST JSON (ast-json.ts), parsed as Rego v1 like OPA's default. A parse error is a
// builtin error carrying the parser's message, as in OPA. (rego.metadata.rule/chain are not
// builtins here: the compiler replaces them by constants, as OPA does.)
import { moduleJson } from '../ast-json.js';
import { RegoError } from '../errors.js';
import { parseModule } from '../parser.js';
import { fromJSON } from '../value.js';
import type { Builtin } from './types.js';
import { def, fail, str } from './util.js';

export const rego: Builtin[] = [
  def('rego.parse_module', ['string', 'string'], ([f, src], ctx) => {
    const file = str(f, 1);
    const source = str(src, 2);
    ctx.checkBudget(source.length >> 4);
    let mod;
    try {
      mod = parseModule(file, source);
    } catch (e) {
      if (e instanceof RegoError) throw fail(e.message); // "x.rego:1:13: rego_parse_error: ..."
      throw e;
    }
    return fromJSON(moduleJson(mod));
  }),
];
