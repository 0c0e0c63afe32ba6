// The real engine (src/rego) behind the EngineLike interface the runner and the CLI use.
import { BUILTINS } from '../rego/builtins/index.js';
import { compile, parseQuery } from '../rego/index.js';
import type { EngineLike } from './engine.js';

export const regoEngine: EngineLike = {
  compile: (modules, data, opts) => compile(modules, data, opts),
  parseQuery: (q) => parseQuery(q),
  // Builtin arities decide whether a bare call in a query has its result captured (as
  // `opa eval` does); user functions are unknown here and handled by the capture's retry.
  arity: (_policy, name) => {
    const b = BUILTINS.get(name);
    return b !== undefined && b.arity >= 0 ? b.arity : undefined;
  },
};
