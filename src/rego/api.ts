// Public types of the Rego engine's API (see index.ts for the functions).
import type { Value } from './value.js';
import type { Tracer } from './trace/tracer.js';
import type { NdBuiltinCache } from './trace/nd-cache.js';
import type { Instrumentation } from './trace/instrumentation.js';

export interface ModuleSource {
  /** File name used in error messages (e.g. "policies/ai/tools.rego"). */
  file: string;
  source: string;
  /** Rego version of this module (OPA bundles set it per bundle); defaults to CompileOptions.regoVersion. */
  regoVersion?: 0 | 1;
}

export interface CompileOptions {
  /** Rego language version of the modules (OPA bundles select it with `rego_version`). Default 1. */
  regoVersion?: 0 | 1;
}

export interface EvalOptions {
  /** The input document (plain JSON; converted once per evaluation). */
  input?: unknown;
  /** Strict mode: builtin errors are raised instead of making the expression undefined. */
  strict?: boolean;
  /** Evaluation step budget; exceeding it raises `eval_budget_exceeded`. Default 1,000,000. */
  maxSteps?: number;
  /** Wall-clock budget in ms; exceeding it raises `eval_budget_exceeded`. Default none. */
  timeoutMs?: number;
  /**
   * The clock the time budget is measured on, in ms (default Date.now). A test can pass a simulated
   * clock, as regorus's test harness does with its time source.
   */
  clockMs?: () => number;
  /** Evaluation steps between two readings of the clock for the time budget. Default 1024. */
  clockCheckInterval?: number;
  /** Output size budget (value nodes in any single built value); exceeding raises `eval_output_too_large`. Default 1,000,000. */
  maxOutputSize?: number;
  /** Fixed "now" for time.now_ns (nanoseconds since epoch); default the real clock, read once per evaluation. */
  nowNs?: bigint;
  /** Receives `print()` output; default: discarded. */
  print?: (message: string) => void;
  /** Records trace events (explain, profile, coverage). Tracing turns off the evaluator's shortcuts: slower. */
  tracer?: Tracer;
  /** Records the results of non-deterministic builtins made by this evaluation. */
  ndBuiltinCache?: NdBuiltinCache;
  /** Records OPA's per-operation instrumentation metrics (`?instrument`) for this evaluation. */
  instrumentation?: Instrumentation;
}

/** What a result depended on besides input and data. */
export interface Dependencies {
  time: boolean;
  random: boolean;
  external: boolean;
}

export interface EvalResult {
  defined: boolean;
  /** The Rego value (use toJSON from value.ts for plain JSON). */
  value?: Value;
  dependsOn: Dependencies;
}

export interface QueryResult {
  /** One row per solution: query variable name → value (variables starting with `_` or `$` omitted). */
  rows: Record<string, Value>[];
  dependsOn: Dependencies;
}

export interface TestRule {
  /** Package path without `data` (e.g. ["ai","tools"]). */
  package: string[];
  /** Rule name, e.g. "test_allow_email". */
  name: string;
  file: string;
  row: number;
}
