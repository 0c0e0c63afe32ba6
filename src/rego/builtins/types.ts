// The registry interface between the evaluator and the builtin functions.
//
// A builtin receives already-evaluated argument values and returns its result,
// `undefined` when the call is undefined, or throws a RegoError:
//   - 'eval_type_error'    for an operand of the wrong type ("<name>: operand 1 must be string but got number"),
//   - 'eval_builtin_error' for any other failure ("div: divide by zero"),
//   - whatever `ctx.checkBudget` throws when the evaluation budget is spent.
// The evaluator decides what to do with the errors (undefined unless strict mode is on).

import type { Value } from '../value.js';

/**
 * One context object per evaluation: rand.intn and uuid.rfc4122 memoise their results per
 * context object (OPA returns the same value for the same arguments within one evaluation).
 */
export interface BuiltinContext {
  /** Informational; the evaluator decides what to do with errors. */
  strict: boolean;
  /** Current time for time.now_ns (the evaluator fixes it per evaluation and records the time dependency). */
  nowNs(): bigint;
  /** Called by rand.intn, uuid.rfc4122 etc (marks the result non-cacheable). */
  markRandom(): void;
  /** Called by builtins that reach outside (http.send etc; none are implemented here). */
  markExternal(): void;
  /** print() output sink. */
  print(msg: string): void;
  /**
   * Called by builtins whose work is proportional to input size; throws when the evaluation
   * budget is spent. Cost unit: roughly one per collection element touched, or one per 32
   * characters of string processed.
   */
  checkBudget(cost: number): void;
  /** Set only while tracing: `trace(note)` adds a Note event. */
  trace?: (note: string) => void;
}

export interface Builtin {
  /** e.g. "count", "array.concat", "time.now_ns" */
  name: string;
  /** Number of declared arguments (not counting the output); -1 for variadic builtins (print). */
  arity: number;
  /** `undefined` = the call is undefined. `print` also accepts `undefined` entries in `args`. */
  fn(args: Value[], ctx: BuiltinContext): Value | undefined;
  /**
   * Arg types for compile-time arity/type checks: 'any' | 'number' | 'string' | 'array' | 'object' |
   * 'set' | 'boolean' | 'null' | union like 'array|set'.
   */
  args?: string[];
  /** Result depends on something other than the arguments (time, randomness). */
  nondeterministic?: boolean;
  /**
   * May read the evaluation's clock (a default, e.g. io.jwt.decode_verify without a `time`
   * constraint). The call records the dependency itself when it does (ctx.nowNs()); this flag
   * keeps rules calling it from being computed once per policy and reused.
   */
  readsClock?: boolean;
  /** Deprecated in OPA and absent from Rego v1 (`all`, `any`): a v1 compiler should refuse calls to it. */
  deprecated?: boolean;
}
