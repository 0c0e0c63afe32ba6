// The real engine (src/rego) behind the EngineLike interface the runner and the CLI use.
import { compile, parseQuery } from '../rego/index.js';
import type { EngineLike } from './engine.js';

export const regoEngine: EngineLike = {
  compile: (modules, data, opts) => compile(modules, data, opts),
  parseQuery: (q) => parseQuery(q),
};
