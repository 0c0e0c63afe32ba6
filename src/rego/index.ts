// The Rego engine's public API: compile modules + data once, evaluate many times.
// This folder imports nothing from the service; it could be published alone.

import type { CompileOptions, Dependencies, EvalOptions, EvalResult, ModuleSource, QueryResult, TestRule } from './api.js';
import type { Module } from './ast.js';
import { BUILTINS } from './builtins/index.js';
import { mockedUnsupported, unsupportedStub } from './builtins/unsupported.js';
import type { Builtin } from './builtins/types.js';
import { Compiler } from './compiler/compile.js';
import type { CBody } from './compiler/ir.js';
import { inputReadsOf } from './compiler/input-keys.js';
import type { DataNode } from './compiler/tree.js';
import { RegoCompileErrors, RegoError } from './errors.js';
import { Evaluator, SharedState } from './eval/evaluator.js';
import { parseModule, parseQuery } from './parser.js';
import { fromJSON, ObjectV, sizeOf, type ReadPaths, type Value } from './value.js';
import { evaluateJs } from './js/evaluate.js';
import { JsPlan } from './js/runtime.js';
import type { Plan } from './wasm/plan.js';
import { Planner } from './wasm/planner.js';

export * from './api.js';
export { RegoError, RegoCompileErrors, isRegoError } from './errors.js';
export { parseModule, parseQuery } from './parser.js';
export { parseJSONExact } from './json-exact.js';
export { Tracer, type TraceEvent, type TraceOp } from './trace/tracer.js';
export { NdBuiltinCache } from './trace/nd-cache.js';
export { Instrumentation, type HistogramStats } from './trace/instrumentation.js';
export { profile, goDuration, PROFILE_SORTS, type ProfileRow, type ProfileSort } from './trace/profile.js';
export { CoverageCollector, type CoverageReport, type FileCoverage } from './trace/coverage.js';
export { exprText, termText } from './trace/ast-text.js';
export { regoString as regoText } from './builtins/util.js';
export { filterTrace, traceJson, traceText, isExplainMode, EXPLAIN_MODES, type ExplainMode } from './trace/render.js';
export { fromJSON, toJSON, stringify, equal, compare, type Value, ObjectV, SetV } from './value.js';

const DEFAULT_MAX_STEPS = 1_000_000;
const DEFAULT_MAX_OUTPUT = 1_000_000;
/** Documents whose plan would be larger stay with the evaluator (the repo's two decision
 * documents take ~6,000): activation time and the generated code's size stay bounded. */
const MAX_JS_PLAN_STATEMENTS = 250_000;
/** Input documents nested deeper than this are refused (keeps evaluation off the stack limit). */
const MAX_INPUT_DEPTH = 512;
/** Segment arrays whose compiled document is kept by identity (see Policy.jsBySegments). */
const MAX_KEPT_SEGMENTS = 256;

/** A document compiled to JavaScript: its plan, its entrypoint there, the input parts it reads. */
interface CompiledDocument {
  plan: JsPlan;
  entrypoint: number;
  reads: ReadPaths | undefined;
}

export interface PreparedQuery {
  body: CBody;
  nslots: number;
  vars: Map<string, number>;
}

export class CompiledPolicy {
  readonly modules: readonly Module[];
  private readonly root: DataNode;
  private readonly data: Value;
  private readonly compiler: Compiler;
  private readonly pathCache = new Map<string, string[]>();
  private readonly inputReadsMemo = new Map<string, ReadPaths | null>();
  private readonly shared: SharedState;
  /** Documents compiled to JavaScript (compileJs), by path segments joined with NUL. */
  private readonly js = new Map<string, CompiledDocument>();
  /** `js` by the caller's frozen segments array itself (the service passes one per path, made
   * once): no key joined and hashed per evaluation (~2,500 instructions). Bounded; cleared when
   * compileJs adds documents. */
  private readonly jsBySegments = new Map<readonly string[], CompiledDocument | null>();

  constructor(modules: Module[], compiler: Compiler, data: Value) {
    this.modules = modules;
    this.compiler = compiler;
    this.root = compiler.root;
    this.data = data;
    this.shared = new SharedState(compiler.nodeCount);
    this.shared.own(data);
  }

  /** Evaluate the document at `path` ("a.b.c", "a/b/c" or an array of segments) under data. */
  evaluate(path: string | readonly string[], opts: EvalOptions = {}): EvalResult {
    const segs = typeof path === 'string' ? this.splitPath(path) : path;
    if (
      this.js.size > 0 &&
      opts.tracer === undefined &&
      opts.instrumentation === undefined &&
      opts.ndBuiltinCache === undefined &&
      opts.print === undefined &&
      opts.strict !== true
    ) {
      const compiled = this.compiledAt(segs);
      if (compiled !== null) return this.evaluateCompiled(compiled, opts);
    }
    const ev = this.evaluator(opts);
    let value: Value | undefined;
    try {
      value = ev.evalPath(segs);
    } catch (e) {
      throw stackToBudget(e);
    } finally {
      ev.release();
    }
    return this.result(value, ev.deps, opts);
  }

  private compiledAt(segs: readonly string[]): CompiledDocument | null {
    let compiled = this.jsBySegments.get(segs);
    if (compiled === undefined) {
      compiled = this.js.get(segs.join('\u0000')) ?? null;
      // A mutable array could name another path later: only frozen ones are kept.
      if (Object.isFrozen(segs)) {
        if (this.jsBySegments.size >= MAX_KEPT_SEGMENTS) this.jsBySegments.clear();
        this.jsBySegments.set(segs, compiled);
      }
    }
    return compiled;
  }

  private result(value: Value | undefined, d: Dependencies, opts: EvalOptions): EvalResult {
    this.checkOutput(value, opts);
    // a literal copy (not a spread): the same object shape on every evaluation
    const dependsOn = { time: d.time, random: d.random, external: d.external };
    return value === undefined ? { defined: false, dependsOn } : { defined: true, value, dependsOn };
  }

  /**
   * False only when nothing in this policy can produce a value at `path`: no rule at the path or
   * above it, nothing compiled below it, and no base data there. Callers use it to skip
   * evaluating optional documents (e.g. a decision-log mask) that this policy does not have.
   */
  mayDefine(path: string | readonly string[]): boolean {
    const segs = typeof path === 'string' ? this.splitPath(path) : path;
    let node: DataNode | undefined = this.root;
    for (const s of segs) {
      // A rule at a prefix may produce an object holding the rest of the path.
      if (node.rules.length > 0 || node.defaultRule || node.objectDefaults.length > 0) return true;
      node = node.children.get(s);
      if (!node) break;
    }
    if (node) return true;
    let v: Value = this.data;
    for (const s of segs) {
      if (!(v instanceof ObjectV)) return false;
      const next = v.getStr(s);
      if (next === undefined) return false;
      v = next;
    }
    return true;
  }

  /** The top-level `input` keys the document at `path` can read (through every rule it may
   * reach), or null when it may read any of them. See compiler/input-keys.ts. */
  inputKeys(path: string | readonly string[]): ReadonlySet<string> | null {
    const reads = this.inputReads(path);
    return reads === null ? null : new Set(reads.keys());
  }

  /** The parts of `input` the document at `path` can read, or null when it may read any. */
  inputReads(path: string | readonly string[]): ReadPaths | null {
    const segs = typeof path === 'string' ? this.splitPath(path) : path;
    const k = segs.join('\u0000');
    if (!this.inputReadsMemo.has(k)) this.inputReadsMemo.set(k, inputReadsOf(this.root, segs));
    return this.inputReadsMemo.get(k) ?? null;
  }

  /** Compile a query once for repeated use. Throws RegoCompileErrors. */
  prepare(query: string): PreparedQuery {
    const body = parseQuery(query);
    const q = this.compiler.compileQuery(body);
    const errs = this.compiler.errors.splice(0);
    if (errs.length) throw new RegoCompileErrors(errs);
    return q;
  }

  /** Run a query (e.g. `data.x.p = y`), returning one row of bindings per solution. */
  query(query: string | PreparedQuery, opts: EvalOptions & { inputValue?: Value } = {}): QueryResult {
    const q = typeof query === 'string' ? this.prepare(query) : query;
    const ev = this.evaluator(opts, opts.inputValue);
    let rows: QueryResult['rows'];
    try {
      rows = this.run(() => ev.evalQuery(q.body, q.nslots, q.vars));
    } finally {
      ev.release();
    }
    return { rows, dependsOn: { ...ev.deps } };
  }

  /** Every `test_*` / `todo_test_*` rule, for `pdp test`. */
  tests(): TestRule[] {
    const out: TestRule[] = [];
    const walk = (n: DataNode): void => {
      if (n.kind === 'complete' && /^(todo_)?test_/.test(n.name) && n.rules.length) {
        const r = n.rules[0];
        out.push({ package: n.path.slice(0, -1), name: n.name, file: r.file, row: r.loc.row });
      }
      for (const c of n.children.values()) walk(c);
    };
    walk(this.root);
    return out.sort((a, b) => (a.file === b.file ? a.row - b.row : a.file < b.file ? -1 : 1));
  }

  /**
   * Compiles the documents at these paths to JavaScript (see js/): their later evaluations run the
   * generated code, except those that trace, instrument, record non-deterministic builtins, print
   * or are strict (the evaluator keeps those). A path the planner cannot plan (see wasm/planner.ts)
   * stays with the evaluator. Returns the paths compiled.
   */
  compileJs(paths: readonly string[]): string[] {
    const all = paths.map((p) => this.splitPath(p)).filter((segs) => segs.length > 0 && this.mayDefine(segs));
    const planned = (group: string[][]): JsPlan | undefined => {
      try {
        return new JsPlan(new Planner(this.root).plan(group, MAX_JS_PLAN_STATEMENTS));
      } catch {
        // a construct the planner does not support or a plan past its bound (WasmPlanError) — or a
        // fault in the code generator: the evaluator answers rather than the activation failing
        // (test/rego/js-plan.test.ts asserts the repo's documents and OPA's cases do compile)
        return undefined;
      }
    };
    const together = planned(all);
    this.jsBySegments.clear();
    const out: string[] = [];
    all.forEach((segs, i) => {
      const plan = together ?? planned([segs]);
      if (plan === undefined) return;
      // Only the parts of an input the document can read are converted for it.
      this.js.set(segs.join('\u0000'), { plan, entrypoint: together ? i : 0, reads: this.inputReads(segs) ?? undefined });
      out.push(segs.join('/'));
    });
    return out;
  }

  private evaluateCompiled({ plan, entrypoint, reads }: CompiledDocument, opts: EvalOptions): EvalResult {
    const input = opts.input === undefined ? undefined : fromJSON(opts.input, { maxDepth: MAX_INPUT_DEPTH, reads });
    let r: ReturnType<typeof evaluateJs>;
    try {
      r = evaluateJs(plan, entrypoint, input, this.data, {
        maxSteps: opts.maxSteps ?? DEFAULT_MAX_STEPS,
        timeoutMs: opts.timeoutMs,
        clockMs: opts.clockMs,
        clockCheckInterval: opts.clockCheckInterval,
        nowNs: opts.nowNs,
      });
    } catch (e) {
      throw stackToBudget(e);
    }
    return this.result(r.value, r.deps, opts);
  }

  /** The plan a wasm module runs for these entrypoints (`a/b` or `data.a.b`); see wasm/. */
  wasmPlan(entrypoints: readonly string[]): Plan {
    return new Planner(this.root).plan(entrypoints.map((e) => this.splitPath(e)));
  }

  private splitPath(path: string): string[] {
    let segs = this.pathCache.get(path);
    if (!segs) {
      segs = path.split(/[./]/).filter((s) => s.length > 0);
      if (segs[0] === 'data') segs = segs.slice(1);
      if (this.pathCache.size < 1000) this.pathCache.set(path, segs);
    }
    return segs;
  }

  private evaluator(opts: EvalOptions, inputValue?: Value): Evaluator {
    let input: Value | undefined = inputValue;
    if (input === undefined && opts.input !== undefined) input = fromJSON(opts.input, { maxDepth: MAX_INPUT_DEPTH });
    return new Evaluator(
      this.root,
      this.data,
      {
        input,
        strict: opts.strict ?? false,
        maxSteps: opts.maxSteps ?? DEFAULT_MAX_STEPS,
        timeoutMs: opts.timeoutMs,
        clockMs: opts.clockMs,
        clockCheckInterval: opts.clockCheckInterval,
        maxOutputSize: opts.maxOutputSize ?? DEFAULT_MAX_OUTPUT,
        nowNs: opts.nowNs,
        print: opts.print,
        tracer: opts.tracer,
        ndCache: opts.ndBuiltinCache,
        instrument: opts.instrumentation,
      },
      this.shared,
    );
  }

  private run<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      throw stackToBudget(e);
    }
  }

  private checkOutput(value: Value | undefined, opts: EvalOptions): void {
    const max = opts.maxOutputSize ?? DEFAULT_MAX_OUTPUT;
    if (value !== undefined && typeof value === 'object' && value !== null && sizeOf(value, max) > max) {
      throw new RegoError('eval_output_too_large', `result exceeds the output budget of ${max} nodes`);
    }
  }
}

/** JS stack exhausted: reported as a budget error rather than crashing the caller; other errors unchanged. */
function stackToBudget(e: unknown): unknown {
  return e instanceof RangeError ? new RegoError('eval_budget_exceeded', 'evaluation exceeded the maximum nesting depth') : e;
}

/**
 * Parse and compile modules with their base data. Throws RegoCompileErrors listing every
 * problem (file:line:col, OPA error code) — a bundle either compiles whole or not at all.
 */
export function compile(sources: ModuleSource[], data: unknown = {}, opts: CompileOptions = {}): CompiledPolicy {
  const errors: RegoError[] = [];
  const modules: Module[] = [];
  for (const s of sources) {
    try {
      modules.push(parseModule(s.file, s.source, { regoVersion: s.regoVersion ?? opts.regoVersion ?? 1 }));
    } catch (e) {
      if (e instanceof RegoError) errors.push(e);
      else if (e instanceof RegoCompileErrors) errors.push(...e.errors);
      else throw e;
    }
  }
  if (errors.length) throw new RegoCompileErrors(errors);
  const compiler = new Compiler(withMockedStubs(BUILTINS, modules));
  compiler.compileModules(modules);
  if (compiler.errors.length) throw new RegoCompileErrors(compiler.errors.splice(0));
  let base: Value;
  try {
    base = fromJSON(data ?? {}, { longLived: true });
  } catch (e) {
    throw new RegoCompileErrors([e instanceof RegoError ? e : new RegoError('rego_compile_error', String(e))]);
  }
  if (!(base instanceof ObjectV)) throw new RegoCompileErrors([new RegoError('rego_compile_error', 'base data must be an object')]);
  return new CompiledPolicy(modules, compiler, base);
}

/**
 * The registry plus a stub for each unsupported builtin that a module replaces with `with`
 * (so tests can mock http.send as in OPA); without a mock such a call is refused at load.
 */
function withMockedStubs(builtins: Map<string, Builtin>, modules: readonly Module[]): Map<string, Builtin> {
  const mocked = mockedUnsupported(modules);
  if (mocked.size === 0) return builtins;
  const out = new Map(builtins);
  for (const name of mocked) out.set(name, unsupportedStub(name));
  return out;
}

export type { Dependencies };
export type { Module } from './ast.js';
