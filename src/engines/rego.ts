// Adapter for the built-in Rego engine (src/rego): compile once at activation, evaluate per request.
import { BundleError } from '../bundles/errors.js';
import { compile, filterTrace, Instrumentation, NdBuiltinCache, traceJson, traceText, Tracer, type CompiledPolicy, type ModuleSource } from '../rego/index.js';
import { isRegoError, RegoCompileErrors } from '../rego/errors.js';
import { moduleJson } from '../rego/ast-json.js';
import { toJSON } from '../rego/value.js';
import { resolveRemaining, splitQueryPath } from './path.js';
import type { Engine, EvaluationOptions, EvaluationOutcome, Observations, PolicyModule, QueryOutcome } from './types.js';

/** How many compile errors a status message lists before "… and N more". */
const MAX_LISTED_ERRORS = 5;

export class RegoEngine implements Engine {
  readonly kind = 'rego' as const;
  private readonly policy: CompiledPolicy;
  private readonly sources: readonly ModuleSource[];
  private listed: PolicyModule[] | undefined;

  private constructor(policy: CompiledPolicy, sources: readonly ModuleSource[]) {
    this.policy = policy;
    this.sources = sources;
  }

  /** Throws BUNDLE_COMPILE_ERROR naming every file:line:col and Rego error code (up to a few).
   * The documents at `hotPaths` (the decision endpoints' paths) are also compiled to JavaScript. */
  static compile(modules: ModuleSource[], data: unknown, regoVersion: 0 | 1 = 1, hotPaths: readonly string[] = []): RegoEngine {
    try {
      const policy = compile(modules, data, { regoVersion });
      if (hotPaths.length > 0) policy.compileJs(hotPaths);
      return new RegoEngine(policy, modules);
    } catch (e) {
      if (e instanceof RegoCompileErrors) {
        const listed = e.errors.slice(0, MAX_LISTED_ERRORS).map((x) => x.message);
        const more = e.errors.length > MAX_LISTED_ERRORS ? `\n… and ${e.errors.length - MAX_LISTED_ERRORS} more` : '';
        throw new BundleError('BUNDLE_COMPILE_ERROR', listed.join('\n') + more, { cause: e });
      }
      if (isRegoError(e)) throw new BundleError('BUNDLE_COMPILE_ERROR', e.message, { cause: e });
      throw new BundleError('BUNDLE_COMPILE_ERROR', `internal error while compiling: ${String(e)}`, { cause: e });
    }
  }

  mayDefine(path: string): boolean {
    return this.policy.mayDefine(splitQueryPath(path));
  }

  inputKeys(path: string): ReadonlySet<string> | null {
    const segs = splitQueryPath(path);
    // evaluate() may answer an integer segment from the document before it: no static answer.
    if (segs.some((s) => /^(0|[1-9][0-9]*)$/.test(s))) return null;
    return this.policy.inputKeys(segs);
  }

  evaluate(path: string, input: unknown, opts: EvaluationOptions = {}): EvaluationOutcome {
    const segs = splitQueryPath(path);
    const outcome = this.evaluateSegments(segs, input, opts);
    // OPA reads "roles/admin/0" as the element at index 0 of the array at roles.admin: an
    // undefined answer with an integer segment is tried again at the prefix before it.
    if (!outcome.ok || outcome.defined) return outcome;
    const at = segs.findIndex((s) => /^(0|[1-9][0-9]*)$/.test(s));
    if (at <= 0) return outcome;
    const prefix = this.evaluateSegments(segs.slice(0, at), input, opts);
    if (!prefix.ok || !prefix.defined) return outcome;
    const found = resolveRemaining(prefix.result, segs.slice(at));
    return found === undefined ? outcome : { ...prefix, result: found.value };
  }

  query(query: string, input: unknown, opts: EvaluationOptions = {}): QueryOutcome {
    try {
      const r = this.policy.query(query, { input, strict: opts.strict, maxSteps: opts.maxSteps, timeoutMs: opts.timeoutMs, maxOutputSize: opts.maxOutputSize });
      const rows = r.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, toJSON(v)])));
      return { ok: true, rows, engine: 'rego' };
    } catch (e) {
      if (e instanceof RegoCompileErrors)
        return { ok: false, code: e.errors[0]?.code ?? 'rego_compile_error', message: e.errors.map((x) => x.message).join('\n'), engine: 'rego' };
      if (isRegoError(e)) return { ok: false, code: e.code, message: e.message, engine: 'rego' };
      throw e;
    }
  }

  policies(): PolicyModule[] {
    // Made once: the modules never change for this engine.
    this.listed ??= this.policy.modules.map((m, i) => ({ id: this.sources[i]?.file ?? `module${i}`, raw: this.sources[i]?.source ?? '', ast: moduleJson(m) }));
    return this.listed;
  }

  private evaluateSegments(segs: readonly string[], input: unknown, opts: EvaluationOptions): EvaluationOutcome {
    // Observations cost something only when asked for: the common call makes none.
    const tracer = opts.explain !== undefined ? new Tracer() : undefined;
    const nd = opts.ndBuiltinCache === true ? new NdBuiltinCache() : undefined;
    const t0 = opts.metrics === true || opts.instrument === true ? process.hrtime.bigint() : undefined;
    const ins = opts.instrument === true ? new Instrumentation() : undefined;
    try {
      const r = this.policy.evaluate(segs, {
        input,
        strict: opts.strict,
        maxSteps: opts.maxSteps,
        timeoutMs: opts.timeoutMs,
        maxOutputSize: opts.maxOutputSize,
        tracer,
        ndBuiltinCache: nd,
        instrumentation: ins,
      });
      const seen = tracer || nd || t0 !== undefined ? observations(opts, tracer, nd, t0, ins) : undefined;
      if (!r.defined || r.value === undefined) return { ok: true, defined: false, dependsOn: r.dependsOn, engine: 'rego', ...seen };
      return { ok: true, defined: true, result: toJSON(r.value), dependsOn: r.dependsOn, engine: 'rego', ...seen };
    } catch (e) {
      // A policy's failure (conflict, budget, type error…) is an outcome; anything else is a bug,
      // for the pipeline's one fail-closed catch.
      if (isRegoError(e)) return { ok: false, code: e.code, message: e.message, engine: 'rego' };
      throw e;
    }
  }
}

/** The trace, timers and non-deterministic builtin results that were asked for. */
function observations(
  opts: EvaluationOptions,
  tracer: Tracer | undefined,
  nd: NdBuiltinCache | undefined,
  t0: bigint | undefined,
  ins: Instrumentation | undefined,
): Observations {
  const seen: Observations = {};
  if (t0 !== undefined) seen.metrics = { timer_rego_query_eval_ns: Number(process.hrtime.bigint() - t0), ...ins?.toJSON() };
  if (tracer !== undefined && opts.explain !== undefined) {
    const events = filterTrace(tracer.events, opts.explain);
    seen.explanation = traceJson(events);
    seen.explanation_text = traceText(events);
  }
  if (nd !== undefined && !nd.empty) seen.nd_builtin_cache = nd.toJSON();
  return seen;
}
