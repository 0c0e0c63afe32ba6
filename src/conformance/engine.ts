// The slice of the Rego engine's API the conformance runner and the CLI use. The real
// engine (src/rego) satisfies it; unit tests pass a small fake.
import type { CompileOptions, EvalOptions, ModuleSource } from '../rego/api.js';
import type { Body } from '../rego/ast.js';
import type { Value } from '../rego/value.js';

export type QueryOptions = EvalOptions & { inputValue?: Value };

export interface PolicyLike {
  /** Throws RegoError (evaluation) or RegoCompileErrors (bad query). */
  query(query: string, opts?: QueryOptions): { rows: Record<string, Value>[] };
}

export interface EngineLike {
  /** Throws RegoCompileErrors. `data` may be plain JSON or a Rego value. */
  compile(modules: ModuleSource[], data: unknown, opts: CompileOptions): PolicyLike;
  /** Parses a query (for expression values, as `opa eval` reports them). Throws RegoCompileErrors/RegoError. */
  parseQuery(query: string): Body;
  /** Number of arguments a function (builtin or user-defined `data.x.f`) takes, if known. */
  arity?(policy: PolicyLike, name: string): number | undefined;
}
