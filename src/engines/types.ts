// The one small interface both engines (built-in Rego, opa-wasm) implement.
// Routes and the decision pipeline only ever see this, never an engine's internals.
import type { Dependencies } from '../rego/api.js';

export type EngineKind = 'rego' | 'wasm';

/** What the result depended on besides input and data (the Rego engine's own type; the wasm
 * engine reports the same): such results are not cacheable, or only until their expiry. */
export type { Dependencies };

export interface EvaluationOptions {
  /** Evaluation step budget (Rego engine). */
  maxSteps?: number;
  /** Wall-clock budget in milliseconds. */
  timeoutMs?: number;
  /** Output size budget (nodes). */
  maxOutputSize?: number;
  /** Raise builtin errors instead of treating them as undefined. */
  strict?: boolean;
  /** Return OPA's trace events (the Data API's `explanation`) in this mode. Rego engine only. */
  explain?: 'notes' | 'fails' | 'full' | 'debug';
  /** Return the engine's timers (timer_rego_query_eval_ns). */
  metrics?: boolean;
  /** Also return OPA's instrumentation metrics (timer_/histogram_/counter_eval_op_*). Rego engine only. */
  instrument?: boolean;
  /** Record the results of non-deterministic builtins (the decision log's nd_builtin_cache). Rego engine only. */
  ndBuiltinCache?: boolean;
}

/**
 * OPA's `metrics` object: timers (ns) and counters are numbers; with `?instrument` a histogram is
 * OPA's statistics object (count, min, max, mean, stddev, median, 75%…99.99%).
 */
export type OpaMetrics = Record<string, number | Readonly<Record<string, number>>>;

/** What an evaluation reports besides its result, when asked (EvaluationOptions). */
export interface Observations {
  /** OPA's trace-event JSON array. */
  explanation?: unknown[];
  /** The same events as OPA's text trace lines (the Data API's `?explain=…&pretty` form). */
  explanation_text?: string[];
  metrics?: OpaMetrics;
  /** OPA's shape: builtin name → (JSON of the argument array → result). */
  nd_builtin_cache?: Record<string, Record<string, unknown>>;
}

export type EvaluationOutcome =
  | ({ ok: true; defined: true; result: unknown; dependsOn: Dependencies; engine: EngineKind } & Observations)
  | ({ ok: true; defined: false; dependsOn: Dependencies; engine: EngineKind } & Observations)
  | {
      ok: false;
      /** e.g. eval_conflict_error, eval_budget_exceeded, eval_type_error, wasm_trap */
      code: string;
      message: string;
      engine: EngineKind;
    };

/** An ad-hoc query's answer (OPA's /v1/query): one row of variable bindings per solution. */
export type QueryOutcome =
  | { ok: true; rows: Record<string, unknown>[]; engine: EngineKind }
  | {
      ok: false;
      /** rego_parse_error / rego_compile_error (the caller's query is wrong), or an evaluation error. */
      code: string;
      message: string;
      engine: EngineKind;
    };

/** A policy module as the engine holds it (OPA's Policy API). */
export interface PolicyModule {
  /** "<bundle>/<path in the bundle>" */
  id: string;
  raw: string;
  /** OPA's AST JSON of the module. */
  ast: unknown;
}

export interface Engine {
  readonly kind: EngineKind;
  /** Evaluate the document at a slash- or dot-separated path under `data` (e.g. "ai/tools/decision"). */
  evaluate(path: string, input: unknown, opts?: EvaluationOptions): EvaluationOutcome;
  /** The same, without holding the main thread (an engine that evaluates elsewhere: opa-wasm's worker). */
  evaluateAsync?(path: string, input: unknown, opts?: EvaluationOptions): Promise<EvaluationOutcome>;
  /** False only when the loaded policy cannot define anything at `path` (checked at no per-request
   * cost); engines that cannot tell leave it out, which means "may". */
  mayDefine?(path: string): boolean;
  /** The top-level input keys the document at `path` can read, found at load time; null (or
   * absent) when the engine cannot tell or any key may be read. */
  inputKeys?(path: string): ReadonlySet<string> | null;
  /** An ad-hoc Rego query against the loaded policies and data (engines that keep source). */
  query?(query: string, input: unknown, opts?: EvaluationOptions): QueryOutcome;
  /** The policy modules it was compiled from (engines that keep source). */
  policies?(): PolicyModule[];
}
