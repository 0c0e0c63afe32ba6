// Top-down evaluation of compiled Rego with backtracking, in continuation-passing style:
// every construct calls `k` once per solution; `k` returns true to stop early. Bindings
// live in a per-rule slot array and are undone as the search backtracks.

import type { BuiltinContext } from '../builtins/types.js';
import type { Expr } from '../ast.js';
import type { CBody, CExpr, CFunc, CRule, CTerm } from '../compiler/ir.js';
import { funcId } from '../compiler/compile.js';
import { constTerm } from '../compiler/layout.js';
import { getClosureNeeds, objectPairs } from '../compiler/safety.js';
import type { DataNode } from '../compiler/tree.js';
import { RegoError, errorMessage } from '../errors.js';
import { equal, formatNumber, ObjectV, SetV, sizeOf, type Value } from '../value.js';
import { printText } from '../builtins/misc.js';
import type { Tracer } from '../trace/tracer.js';
import type { NdBuiltinCache } from '../trace/nd-cache.js';
import type { Instrumentation } from '../trace/instrumentation.js';

type K = () => boolean;
type KV = (v: Value) => boolean;
type Env = (Value | undefined)[];

/** Overrides installed by `with data.x as v`. */
interface OvNode {
  value?: Value;
  children?: Map<string, OvNode>;
}

type Mock = { kind: 'value'; v: Value } | { kind: 'fn'; fn: CFunc };

const UNDEF = Symbol('undefined');

/** `not e` → `e`, made once per expression when a trace needs it (module-wide: no cost per evaluation). */
const POSITIVES = new WeakMap<CExpr, CExpr>();

/** tryDirect results (slots are >= 0). */
const DIRECT_OK = -1;
const DIRECT_FAIL = -2;
const DIRECT_NO = -3;

interface DataPrefix {
  owner: object;
  node: DataNode | null;
  base: Value | undefined;
  /** index of the first path operand not consumed */
  i: number;
}

/** Per-policy state shared by all evaluations (terms and data are immutable). */
export class SharedState {
  /** Values of constant rule nodes (see DataNode.constant) by DataNode.slot, computed on first use. */
  readonly constants: (Value | typeof UNDEF | undefined)[];
  /** How many nodes the rule tree has (DataNode.slot is below this). */
  readonly nodeCount: number;
  /** Results of pure functions (DataNode.pure) by DataNode.slot * 2 + (strict ? 1 : 0). */
  readonly fnMemo: (FnMemo | undefined)[];
  /**
   * Arrays that live as long as the policy (objects and sets carry an `owned` flag instead):
   * with them, the composites that may key fnMemo. A request's own values would never recur
   * (memo keys compare composites by identity) and must not be kept alive by the memo.
   */
  private readonly ownedArrays = new WeakSet<Value[]>();

  /** Rule-value caches of finished evaluations, cleared, for the next ones (one per node: a fresh
   * one per evaluation was a tenth of the bytes an evaluation allocated). */
  private readonly cachePool: NodeCache[] = [];

  constructor(nodeCount = 0) {
    this.nodeCount = nodeCount;
    this.constants = new Array(nodeCount);
    this.fnMemo = new Array(nodeCount * 2);
  }

  /** A rule-value cache for one evaluation: a cleared one from the pool where the policy is large
   * enough for that to pay (allocating a small one costs less than tracking what to clear). */
  takeCache(): NodeCache {
    if (this.nodeCount < POOLED_CACHE_MIN_NODES) return new NodeCache(this.nodeCount, false);
    return this.cachePool.pop() ?? new NodeCache(this.nodeCount, true);
  }

  /** Back to the pool once its evaluation is over (nested evaluations each hold their own). */
  returnCache(cache: NodeCache): void {
    if (this.nodeCount < POOLED_CACHE_MIN_NODES || this.cachePool.length >= CACHE_POOL_MAX) return;
    cache.clear();
    this.cachePool.push(cache);
  }

  /**
   * Record v and every composite inside it as owned by the policy: the base data, values of
   * constant rules and memoised results.
   */
  own(v: Value): void {
    if (typeof v !== 'object' || v === null) return;
    if (Array.isArray(v)) {
      if (this.ownedArrays.has(v)) return;
      this.ownedArrays.add(v);
      for (const x of v) this.own(x);
    } else if (!v.owned) {
      v.owned = true;
      if (v instanceof ObjectV)
        for (const [k, x] of v.map.values()) {
          this.own(k);
          this.own(x);
        }
      else for (const x of v.values()) this.own(x);
    }
  }

  /** Whether v can key fnMemo: a scalar (strings not too long) or a composite owned by the policy. */
  memoKey(v: Value): boolean {
    switch (typeof v) {
      case 'string':
        return v.length <= MEMO_MAX_STRING;
      case 'number':
      case 'boolean':
      case 'bigint':
        return true;
      default:
        if (v === null) return true;
        return Array.isArray(v) ? this.ownedArrays.has(v) : v.owned;
    }
  }
}

/** Cleared rule-value caches kept for reuse per policy (more only under nested evaluations). */
const CACHE_POOL_MAX = 4;
/** Policies with fewer nodes allocate a rule-value cache per evaluation instead. */
const POOLED_CACHE_MIN_NODES = 128;

/** Longest string argument a memoised call is keyed by (the memo keeps its keys alive). */
const MEMO_MAX_STRING = 256;
/** Lookups per window over which a memo's hit rate is judged. */
const MEMO_WINDOW = 256;
/** A window with fewer hits than 1 in this many lookups turns the memo off for a while. */
const MEMO_MIN_HIT_RATIO = 8;
/** Calls that then go without the memo before it is tried again. */
const MEMO_SKIP = 4096;
/** Results kept per pure function (and strictness); the memo starts over when full. */
const MEMO_MAX_ENTRIES = 1024;
/** Larger results (sizeOf) are not kept: the memo's memory stays bounded. */
const MEMO_MAX_RESULT_SIZE = 1000;
const NO_ARGS = Symbol('no arguments');

/**
 * Results of one pure function by argument list: nested maps, one level per argument. Keys
 * compare scalars by value and composites by identity (values are immutable, so the same
 * object always means the same argument).
 */
class FnMemo {
  private root = new Map<unknown, unknown>();
  private size = 0;
  /** Lookups and hits in the current window (see bypass). */
  private lookups = 0;
  private hits = 0;
  /** Calls left that skip the memo: a function whose arguments rarely repeat (request values:
   * ids, amounts, free text) only pays for lookups and inserts that never hit. */
  private skip = 0;

  /** Whether this call should go without the memo (counts the call down when it does). */
  bypass(): boolean {
    if (this.skip === 0) return false;
    this.skip--;
    return true;
  }

  get(args: Value[]): Value | typeof UNDEF | undefined {
    const r = this.find(args);
    if (r !== undefined) this.hits++;
    if (++this.lookups === MEMO_WINDOW) {
      if (this.hits * MEMO_MIN_HIT_RATIO < MEMO_WINDOW) this.skip = MEMO_SKIP;
      this.lookups = this.hits = 0;
    }
    return r;
  }

  private find(args: Value[]): Value | typeof UNDEF | undefined {
    const n = args.length;
    if (n === 0) return this.root.get(NO_ARGS) as Value | typeof UNDEF | undefined;
    let m = this.root;
    for (let i = 0; i < n - 1; i++) {
      const next = m.get(args[i]);
      if (next === undefined) return undefined;
      m = next as Map<unknown, unknown>;
    }
    return m.get(args[n - 1]) as Value | typeof UNDEF | undefined;
  }

  set(args: Value[], v: Value | typeof UNDEF): void {
    if (this.size >= MEMO_MAX_ENTRIES) {
      this.root = new Map();
      this.size = 0;
    }
    this.size++;
    const n = args.length;
    if (n === 0) {
      this.root.set(NO_ARGS, v);
      return;
    }
    let m = this.root;
    for (let i = 0; i < n - 1; i++) {
      let next = m.get(args[i]) as Map<unknown, unknown> | undefined;
      if (next === undefined) m.set(args[i], (next = new Map()));
      m = next;
    }
    m.set(args[n - 1], v);
  }
}

/** Rule values of one evaluation (or one `with` frame) by DataNode.slot; UNDEF: known undefined. */
class NodeCache {
  private readonly vals: (Value | typeof UNDEF | undefined)[];
  /** The slots set, so that clearing for reuse touches only those (most of a policy's nodes are
   * never read by one evaluation); null for a cache that is not reused. */
  private readonly touched: number[] | null;

  constructor(nodeCount: number, reused: boolean) {
    this.vals = new Array(nodeCount);
    this.touched = reused ? [] : null;
  }

  get(slot: number): Value | typeof UNDEF | undefined {
    return this.vals[slot];
  }

  set(slot: number, v: Value | typeof UNDEF): void {
    if (this.touched !== null && this.vals[slot] === undefined) this.touched.push(slot);
    this.vals[slot] = v;
  }

  clear(): void {
    const t = this.touched;
    if (t === null) return;
    for (let i = 0; i < t.length; i++) this.vals[t[i]] = undefined;
    t.length = 0;
  }
}

class Frame {
  constructor(
    readonly input: Value | undefined,
    readonly dataOv: OvNode | null,
    readonly mocks: Map<string, Mock> | null,
    readonly cache: NodeCache,
  ) {}
}

export interface EvaluatorOptions {
  input?: Value;
  strict: boolean;
  maxSteps: number;
  timeoutMs?: number;
  /** Clock for the time budget, in ms; default Date.now. */
  clockMs?: () => number;
  /** Steps between two readings of that clock; default 1024. */
  clockCheckInterval?: number;
  maxOutputSize: number;
  nowNs?: bigint;
  print?: (msg: string) => void;
  /** Records trace events (explain, profile, coverage); undefined = no tracing, no cost. */
  tracer?: Tracer;
  /** Records the results of non-deterministic builtins (decision logs' nd_builtin_cache). */
  ndCache?: NdBuiltinCache;
  /** OPA's `instrument`: per-operation timers and counters; undefined = none, no cost. */
  instrument?: Instrumentation;
}

export interface DependencyFlags {
  time: boolean;
  random: boolean;
  external: boolean;
}

export class Evaluator {
  private frame: Frame;
  /** The outermost frame's cache (release() returns it; `with` frames have their own). */
  private readonly rootCache: NodeCache;
  private steps = 0;
  private readonly maxSteps: number;
  private readonly deadline: number;
  private readonly clock: () => number;
  private readonly checkEvery: number;
  /** Steps left until the clock is read again (a countdown: no division per step). */
  private untilCheck: number;
  private readonly maxOutput: number;
  private readonly strict: boolean;
  private now: bigint | undefined;
  readonly deps: DependencyFlags = { time: false, random: false, external: false };
  private readonly bctx: BuiltinContext;
  /** Undefined unless tracing was asked for: each hook is one branch on this field. */
  private readonly tr: Tracer | undefined;
  /** Undefined unless instrumentation was asked for (same pattern as `tr`). */
  private readonly ins: Instrumentation | undefined;

  constructor(
    private readonly root: DataNode,
    private readonly baseData: Value,
    private readonly opts: EvaluatorOptions,
    /** State shared by every evaluation of one compiled policy (e.g. resolved data-ref prefixes). */
    private readonly shared: SharedState = new SharedState(),
  ) {
    this.rootCache = shared.takeCache();
    this.frame = new Frame(opts.input, null, null, this.rootCache);
    this.maxSteps = opts.maxSteps;
    this.clock = opts.clockMs ?? Date.now;
    const every = Math.floor(opts.clockCheckInterval ?? 1024);
    this.checkEvery = every >= 1 ? every : 1; // NaN or < 1: check every step rather than never
    this.untilCheck = this.checkEvery;
    this.deadline = opts.timeoutMs !== undefined ? this.clock() + opts.timeoutMs : Infinity;
    this.maxOutput = opts.maxOutputSize;
    this.strict = opts.strict;
    this.now = opts.nowNs;
    this.tr = opts.tracer;
    this.ins = opts.instrument;
    this.bctx = new EvalContext(this, opts.strict);
    if (this.tr !== undefined) {
      const tr = this.tr;
      this.bctx.trace = (msg: string): void => tr.note('Note', msg);
    }
  }

  /** The evaluation is over: its rule-value cache goes back to the policy's pool. Call once. */
  release(): void {
    this.shared.returnCache(this.rootCache);
  }

  /** time.now_ns: fixed per evaluation, and the evaluation is marked as reading the clock. */
  clockNs(): bigint {
    this.deps.time = true;
    if (this.now === undefined) this.now = BigInt(Date.now()) * 1_000_000n;
    return this.now;
  }

  printOut(msg: string): void {
    this.opts.print?.(msg);
  }

  spend(cost: number): void {
    this.steps += cost;
    this.tick();
  }

  // ------------------------------------------------------------ entry points

  /** Value of the document at `path` under data (undefined when undefined). */
  evalPath(path: readonly string[]): Value | undefined {
    if (this.tr !== undefined) return this.tracePath(path);
    if (this.frame.dataOv === null) return this.pathDirect(path);
    let result: Value | undefined;
    const terms: CTerm[] = path.map((p) => constTerm(p));
    this.evalData(terms, 0, this.root, this.baseData, this.frame.dataOv, [], (v) => {
      result = v;
      return true;
    });
    return result;
  }

  /** evalPath without overrides: the walk dataDirect makes, on plain string segments (no terms to build). */
  private pathDirect(path: readonly string[]): Value | undefined {
    let node: DataNode | null = this.root;
    let base: Value | undefined = this.baseData;
    let i = 0;
    for (;;) {
      if (node === null || node.kind !== null) {
        let v: Value | undefined;
        let baseDoc = false;
        if (node === null || base !== undefined) {
          v = base;
          baseDoc = true;
        } else v = this.ruleValue(node);
        for (; i < path.length && v !== undefined; i++) v = baseDoc ? selectBase(v, path[i]) : select(v, path[i]);
        return v;
      }
      if (i === path.length) return this.nodeValue(node, base, null);
      const st = this.dataStep(node, base, null, path[i]);
      node = st.node;
      base = st.base;
      i++;
    }
  }

  /** All solutions of a compiled query body. */
  evalQuery(body: CBody, nslots: number, vars: Map<string, number>): Record<string, Value>[] {
    const env: Env = new Array(nslots);
    const rows: Record<string, Value>[] = [];
    const names = [...vars].filter(([n]) => !n.startsWith('_') && !n.startsWith('$'));
    const tr = this.tr;
    const k = (): boolean => {
      if (tr !== undefined) tr.body('Exit', body, env);
      const row: Record<string, Value> = {};
      for (const [n, s] of names) {
        const v = env[s];
        if (v !== undefined) row[n] = v;
      }
      rows.push(row);
      if (rows.length > this.maxOutput) throw new RegoError('eval_output_too_large', `query produced more than ${this.maxOutput} results`);
      if (tr !== undefined) tr.body('Redo', body, env);
      return false;
    };
    if (tr === undefined) this.evalBody(body, 0, env, k);
    else {
      // the query is query 0; evalBody would open a child query
      tr.body('Enter', body, env);
      try {
        this.evalBodyTraced(body, 0, env, k);
      } finally {
        tr.settle();
      }
    }
    return rows;
  }

  /** evalPath with trace events: the path is shown as the query `data.a.b` OPA's Data API runs. */
  private tracePath(path: readonly string[]): Value | undefined {
    const tr = this.tr!;
    const loc = { file: '', row: 1, col: 1 };
    const ref: Expr = {
      kind: 'term',
      term: { type: 'ref', head: { type: 'var', name: 'data', loc }, path: path.map((p) => ({ type: 'string', value: p, loc })), loc },
      negated: false,
      with: [],
      loc,
    };
    tr.cur = 0;
    tr.parent = 0;
    tr.synthetic('Enter', 'body', ref);
    tr.synthetic('Eval', 'expr', ref);
    let result: Value | undefined;
    const terms: CTerm[] = path.map((p) => constTerm(p));
    const mark = tr.pendingMark();
    try {
      this.evalData(terms, 0, this.root, this.baseData, this.frame.dataOv, [], (v) => {
        result = v;
        return true;
      });
      const held = tr.takePending(mark);
      if (result === undefined) {
        tr.flush(held);
        tr.synthetic('Fail', 'expr', ref);
      } else {
        // OPA: the query's Exit and Redo, the expression's Redo, then what the rules did after their value
        tr.synthetic('Exit', 'body', ref);
        tr.synthetic('Redo', 'body', ref);
        tr.synthetic('Redo', 'expr', ref);
        tr.flush(held);
      }
    } finally {
      tr.settle();
    }
    return result;
  }

  // ------------------------------------------------------------ budget

  private tick(): void {
    if (++this.steps > this.maxSteps) {
      throw new RegoError('eval_budget_exceeded', `evaluation exceeded the budget of ${this.maxSteps} steps`);
    }
    if (--this.untilCheck === 0) {
      this.untilCheck = this.checkEvery;
      if (this.deadline !== Infinity && this.clock() > this.deadline) this.overTime();
    }
  }

  private overTime(): never {
    throw new RegoError('eval_budget_exceeded', `evaluation exceeded the time budget of ${this.opts.timeoutMs} ms`);
  }

  private checkSize(n: number): void {
    if (n > this.maxOutput) throw new RegoError('eval_output_too_large', `a value grew beyond the output budget of ${this.maxOutput} elements`);
  }

  // ------------------------------------------------------------ bodies and expressions

  private evalBody(body: CBody, i: number, env: Env, k: K): boolean {
    // traced, evalBody is only called for a new query (comprehension, `every` body); its
    // expressions continue in evalBodyTraced
    if (this.tr !== undefined) return this.subQueryTraced(body, env, k);
    // Straight-line prefix: expressions with at most one solution run in a loop, without
    // continuations; variables they bind are undone when this call returns.
    let trail: number[] | null = null;
    for (; i < body.length; i++) {
      const e = body[i];
      if (e.withs !== null) break;
      const r = this.tryDirect(e, env);
      if (r === DIRECT_NO) break;
      if (r === DIRECT_FAIL) {
        if (trail !== null) for (const s of trail) env[s] = undefined;
        return false;
      }
      if (r !== DIRECT_OK) (trail ??= []).push(r);
    }
    let result: boolean;
    if (i === body.length) result = k();
    else if (body[i].op === 'somein' && this.someInDirect(body[i], env)) result = this.iterateBody(body, i, env, k);
    else if (body[i].op === 'call' && this.walkDirect(body[i], env)) result = this.walkBody(body, i, env, k);
    else if (i === body.length - 1) result = this.evalExpr(body[i], env, k);
    else result = this.evalExprThenBody(body, i, env, k);
    if (trail !== null) for (const s of trail) env[s] = undefined;
    return result;
  }

  /** body[i] through its continuations, the rest of the body per solution (a closure kept out of evalBody: see termSingle). */
  private evalExprThenBody(body: CBody, i: number, env: Env, k: K): boolean {
    const next = i + 1;
    return this.evalExpr(body[i], env, () => this.evalBody(body, next, env, k));
  }

  /**
   * `some [k,] x in coll` that only binds fresh variables over a bound collection: evalBody loops
   * over it itself (iterateBody) instead of through evalSomeIn's continuations.
   */
  private someInDirect(e: CExpr, env: Env): boolean {
    if (e.op !== 'somein' || e.negated || e.withs !== null) return false;
    const v = e.value;
    if (v.t !== 'var' || env[v.slot] !== undefined) return false;
    const key = e.key;
    if (key !== null && (key.t !== 'var' || env[key.slot] !== undefined || key.slot === v.slot)) return false;
    return this.bound(e.coll, env);
  }

  /** body[i] (a someInDirect expression) and the rest of the body, per element (as evalSomeIn). */
  private iterateBody(body: CBody, i: number, env: Env, k: K): boolean {
    const e = body[i] as Extract<CExpr, { op: 'somein' }>;
    this.tick();
    const c = this.evalDirect(e.coll, env);
    if (c === undefined) return false;
    const vs = (e.value as { slot: number }).slot;
    const ks = e.key === null ? -1 : (e.key as { slot: number }).slot;
    const next = i + 1;
    let stop = false;
    if (Array.isArray(c)) {
      for (let j = 0; j < c.length && !stop; j++) {
        this.tick();
        if (ks >= 0) env[ks] = j;
        env[vs] = c[j];
        stop = this.evalBody(body, next, env, k);
      }
    } else if (c instanceof ObjectV) {
      for (const [kk, vv] of c.entries()) {
        this.tick();
        if (ks >= 0) env[ks] = kk;
        env[vs] = vv;
        if ((stop = this.evalBody(body, next, env, k))) break;
      }
    } else if (c instanceof SetV) {
      for (const x of c.values()) {
        this.tick();
        if (ks >= 0) env[ks] = x;
        env[vs] = x;
        if ((stop = this.evalBody(body, next, env, k))) break;
      }
    }
    if (ks >= 0) env[ks] = undefined;
    env[vs] = undefined;
    return stop;
  }

  /**
   * `walk(x, [path, value])` with both fresh variables: evalBody walks x itself (walkBody),
   * binding the two slots per node instead of building a pair and unifying it.
   */
  private walkDirect(e: CExpr, env: Env): boolean {
    if (e.op !== 'call' || e.fn.f !== 'special' || e.fn.name !== 'walk' || e.negated || e.withs !== null || this.frame.mocks !== null) return false;
    const out = e.out;
    if (out === null || out.t !== 'array' || out.items.length !== 2) return false;
    const [p, v] = out.items;
    if (p.t !== 'var' || v.t !== 'var' || p.slot === v.slot || env[p.slot] !== undefined || env[v.slot] !== undefined) return false;
    return this.allBound(e.args, env);
  }

  /** body[i] (a walkDirect expression) and the rest of the body, per node in walk's order. */
  private walkBody(body: CBody, i: number, env: Env, k: K): boolean {
    const e = body[i] as Extract<CExpr, { op: 'call' }>;
    this.tick();
    const root = this.evalDirect(e.args[0], env);
    if (root === undefined) return false;
    const items = (e.out as Extract<CTerm, { t: 'array' }>).items;
    const st: WalkState = { body, next: i + 1, env, k, ps: (items[0] as { slot: number }).slot, vs: (items[1] as { slot: number }).slot, path: [] };
    const stop = this.walkNode(root, st);
    env[st.ps] = undefined;
    env[st.vs] = undefined;
    return stop;
  }

  /** walkFrom's order (pre-order; objects and sets sorted), the rest of the body at each node. */
  private walkNode(v: Value, st: WalkState): boolean {
    this.tick();
    const path = st.path;
    st.env[st.ps] = path.slice();
    st.env[st.vs] = v;
    if (this.evalBody(st.body, st.next, st.env, st.k)) return true;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        const stop = this.walkNode(v[i], st);
        path.pop();
        if (stop) return true;
      }
    } else if (v instanceof ObjectV) {
      for (const [kk, x] of v.sorted()) {
        path.push(kk);
        const stop = this.walkNode(x, st);
        path.pop();
        if (stop) return true;
      }
    } else if (v instanceof SetV) {
      for (const x of v.sorted()) {
        path.push(x);
        const stop = this.walkNode(x, st);
        path.pop();
        if (stop) return true;
      }
    }
    return false;
  }

  /**
   * The straight-line prefix of a rule body on a fresh env (its bindings are not undone: the env
   * is dropped after the rule): the index of the first expression that needs evalBody,
   * body.length when every one held, -1 when one failed. No continuations are built.
   */
  private directPrefix(body: CBody, env: Env): number {
    for (let i = 0; i < body.length; i++) {
      const e = body[i];
      if (e.withs !== null) return i;
      const r = this.tryDirect(e, env);
      if (r === DIRECT_NO) return i;
      if (r === DIRECT_FAIL) return -1;
    }
    return body.length;
  }

  /**
   * evalBody with trace events, as OPA emits them: Eval before each expression, Redo when the
   * search comes back to it for another solution, Fail when it had none. No direct fast path.
   */
  private evalBodyTraced(body: CBody, i: number, env: Env, k: K): boolean {
    if (i === body.length) return k();
    const tr = this.tr!;
    const e = body[i];
    const q = tr.cur;
    const p = tr.parent;
    tr.curExpr = e;
    tr.curEnv = env;
    tr.expr('Eval', e, i, env, body);
    if (e.negated && e.withs === null) return this.notTraced(body, i, env, k);
    if (e.op === 'unify') tr.unify(e, env, body);
    // events a rule held back while this expression read its value come after this expression's Redo
    const mark = tr.pendingMark();
    let defined = false;
    const r = this.evalExpr(e, env, () => {
      defined = true;
      const held = tr.takePending(mark);
      const res = this.evalBodyTraced(body, i + 1, env, k);
      tr.cur = q;
      tr.parent = p;
      tr.curExpr = e;
      tr.curEnv = env;
      // OPA emits the Redo also when the search stops (early exit unwinds through it)
      tr.expr('Redo', e, i, env, body);
      tr.flush(held);
      return res;
    });
    tr.cur = q;
    tr.parent = p;
    tr.flush(tr.takePending(mark));
    if (!defined) tr.expr('Fail', e, i, env, body);
    return r;
  }

  /** A new query (comprehension, `every` body) under the current one: Enter, Exit and Redo per solution. */
  private subQueryTraced(body: CBody, env: Env, k: K, exitMessage?: string): boolean {
    const tr = this.tr!;
    const outerQ = tr.cur;
    const outerP = tr.parent;
    const q = tr.newQuery();
    tr.parent = outerQ;
    tr.cur = q;
    tr.body('Enter', body, env);
    const r = this.evalBodyTraced(body, 0, env, () => {
      tr.body('Exit', body, env, exitMessage);
      tr.cur = outerQ;
      tr.parent = outerP;
      const res = k();
      tr.cur = q;
      tr.parent = outerQ;
      tr.body('Redo', body, env);
      return res;
    });
    tr.cur = outerQ;
    tr.parent = outerP;
    return r;
  }

  /**
   * `not e` as OPA traces it: the expression runs as a child query (Enter, Exit and Redo per
   * solution); when it has one, `not e` fails; otherwise the body goes on, without a Redo of `not e`.
   */
  private notTraced(body: CBody, i: number, env: Env, k: K): boolean {
    const tr = this.tr!;
    const e = body[i];
    const q = tr.cur;
    const p = tr.parent;
    const inner = [this.positive(e)];
    tr.parent = q;
    tr.cur = tr.newQuery();
    tr.body('Enter', inner, env);
    let found = false;
    this.evalBodyTraced(inner, 0, env, () => {
      tr.body('Exit', inner, env);
      tr.body('Redo', inner, env);
      found = true;
      return false; // OPA looks for every solution of the negated expression
    });
    tr.cur = q;
    tr.parent = p;
    if (found) {
      tr.expr('Fail', e, i, env, body);
      return false;
    }
    return this.evalBodyTraced(body, i + 1, env, k);
  }

  /** The expression without its `not` (what the negation's child query evaluates). */
  private positive(e: CExpr): CExpr {
    let x = POSITIVES.get(e);
    if (x === undefined) {
      x = { ...e, negated: false, src: e.src === undefined ? undefined : { ...e.src, negated: false } };
      POSITIVES.set(e, x);
    }
    return x;
  }

  /** A rule's body as a child query: Enter, then Exit per solution and Redo when asked for more. */
  private traceRule(rule: CRule, body: CBody, env: Env, k: K, early = false): boolean {
    const tr = this.tr!;
    const outerQ = tr.cur;
    const outerP = tr.parent;
    const q = tr.newQuery();
    tr.parent = outerQ;
    tr.cur = q;
    const outerRule = tr.curRule;
    tr.curRule = rule;
    tr.rule('Enter', rule, env);
    const r = this.evalBodyTraced(body, 0, env, () => {
      tr.rule('Exit', rule, env, early ? 'early' : undefined);
      tr.cur = outerQ;
      tr.parent = outerP;
      tr.curRule = outerRule;
      const res = k();
      tr.cur = q;
      tr.parent = outerQ;
      tr.curRule = rule;
      tr.rule('Redo', rule, env);
      return res;
    });
    tr.cur = outerQ;
    tr.parent = outerP;
    tr.curRule = outerRule;
    return r;
  }

  /** A rule body, traced when a tracer is set (`early`: OPA's early exit applies, shown on Exit). */
  private ruleBody(rule: CRule, body: CBody, env: Env, k: K, early = false): boolean {
    return this.tr === undefined ? this.evalBody(body, 0, env, k) : this.traceRule(rule, body, env, k, early);
  }

  /** ruleBody from expression i (> 0 only untraced, after directPrefix ran the ones before). */
  private ruleBodyFrom(rule: CRule, body: CBody, i: number, env: Env, k: K): boolean {
    return this.tr === undefined ? this.evalBody(body, i, env, k) : this.traceRule(rule, body, env, k);
  }

  /**
   * Run an expression that has at most one solution directly. Returns DIRECT_OK (true, nothing
   * bound), DIRECT_FAIL, DIRECT_NO (not applicable: use the general path; nothing was
   * evaluated), or the slot it bound.
   */
  private tryDirect(e: CExpr, env: Env): number {
    switch (e.op) {
      case 'term':
        if (!this.bound(e.term, env)) return DIRECT_NO;
        this.tick();
        {
          const v = this.evalDirect(e.term, env);
          const ok = v !== undefined && v !== false;
          return ok !== e.negated ? DIRECT_OK : DIRECT_FAIL;
        }
      case 'call': {
        if ((e.fn.f === 'special' && (e.fn.name === 'print' || e.fn.name === 'walk')) || !this.allBound(e.args, env)) return DIRECT_NO;
        const out = e.out;
        let outFree = false;
        if (out !== null) {
          if (out.t === 'var' && env[out.slot] === undefined) {
            if (e.negated) return DIRECT_NO;
            outFree = true;
          } else if (!this.bound(out, env)) return DIRECT_NO;
        }
        this.tick();
        const vals = new Array<Value>(e.args.length);
        for (let i = 0; i < vals.length; i++) {
          const v = this.evalDirect(e.args[i], env);
          if (v === undefined) return e.negated ? DIRECT_OK : DIRECT_FAIL;
          vals[i] = v;
        }
        const r = this.callDirect(e.fn, vals);
        if (outFree) {
          if (r === undefined) return DIRECT_FAIL;
          env[(out as { slot: number }).slot] = r;
          return (out as { slot: number }).slot;
        }
        let ok = r !== undefined && r !== false;
        if (r !== undefined && out !== null) {
          const w = this.evalDirect(out, env);
          ok = w !== undefined && equal(w, r);
        }
        return ok !== e.negated ? DIRECT_OK : DIRECT_FAIL;
      }
      case 'unify': {
        let src: CTerm;
        let dst: CTerm;
        if (this.bound(e.a, env)) [src, dst] = [e.a, e.b];
        else if (this.bound(e.b, env)) [src, dst] = [e.b, e.a];
        else return DIRECT_NO;
        const dstFree = dst.t === 'var' && env[dst.slot] === undefined;
        if (!dstFree && !this.bound(dst, env)) return DIRECT_NO;
        if (dstFree && e.negated) return DIRECT_NO;
        this.tick();
        const v = this.evalDirect(src, env);
        if (v === undefined) return e.negated ? DIRECT_OK : DIRECT_FAIL;
        if (dstFree) {
          env[(dst as { slot: number }).slot] = v;
          return (dst as { slot: number }).slot;
        }
        const w = this.evalDirect(dst, env);
        const ok = w !== undefined && equal(v, w);
        return ok !== e.negated ? DIRECT_OK : DIRECT_FAIL;
      }
      case 'noop':
        return DIRECT_OK;
      default:
        return DIRECT_NO;
    }
  }

  private evalExpr(e: CExpr, env: Env, k: K): boolean {
    this.tick();
    if (e.withs !== null) return this.evalWith(e, env, k);
    if (e.negated) return this.evalNegated(e, env, k);
    return this.evalExprInner(e, env, k);
  }

  /** `not e` (its closure kept out of evalExpr: see termSingle). */
  private evalNegated(e: CExpr, env: Env, k: K): boolean {
    let found = false;
    this.evalExprInner(e, env, () => (found = true));
    return found ? false : k();
  }

  private evalExprInner(e: CExpr, env: Env, k: K): boolean {
    switch (e.op) {
      case 'term': {
        // fast path: a term whose variables are all bound has at most one value
        if (this.bound(e.term, env)) {
          const v = this.evalDirect(e.term, env);
          return v !== undefined && v !== false ? k() : false;
        }
        return this.evalTruthy(e.term, env, k);
      }
      case 'unify':
        if (this.bound(e.a, env)) {
          const v = this.evalDirect(e.a, env);
          return v === undefined ? false : this.unifyValue(e.b, v, env, k);
        }
        if (this.bound(e.b, env)) {
          const v = this.evalDirect(e.b, env);
          return v === undefined ? false : this.unifyValue(e.a, v, env, k);
        }
        return this.unify(e.a, e.b, env, k);
      case 'call':
        if (!(e.fn.f === 'special' && (e.fn.name === 'print' || e.fn.name === 'walk')) && this.allBound(e.args, env)) {
          const vals = new Array<Value>(e.args.length);
          for (let i = 0; i < vals.length; i++) {
            const v = this.evalDirect(e.args[i], env);
            if (v === undefined) return false;
            vals[i] = v;
          }
          const r = this.callDirect(e.fn, vals);
          if (r === undefined) return false;
          return e.out !== null ? this.unifyValue(e.out, r, env, k) : r !== false ? k() : false;
        }
        return this.evalCallExpr(e.fn, e.args, e.out, env, k);
      case 'somein':
        return this.evalSomeIn(e.key, e.value, e.coll, env, k);
      case 'every':
        return this.evalEvery(e, env, k);
      case 'noop':
        return k();
    }
  }

  /** A term as an expression: k per value that is not false (a closure kept out of evalExprInner). */
  private evalTruthy(t: CTerm, env: Env, k: K): boolean {
    return this.evalTerm(t, env, (v) => (v !== false ? k() : false));
  }

  private evalCallExpr(fn: CFunc, args: CTerm[], out: CTerm | null, env: Env, k: K): boolean {
    if (fn.f === 'special' && fn.name === 'print') return this.evalPrint(args, env, k);
    return this.evalArgs(args, env, (vals) => this.callFn(fn, vals, (r) => (out !== null ? this.unifyValue(out, r, env, k) : r !== false ? k() : false)));
  }

  private evalPrint(args: CTerm[], env: Env, k: K): boolean {
    const values: (Value | undefined)[] = [];
    for (const a of args) {
      const vals: Value[] = [];
      this.evalTerm(a, env, (v) => {
        vals.push(v);
        return false;
      });
      // an argument with several values prints as the set of them; none prints <undefined>
      values.push(vals.length === 0 ? undefined : vals.length === 1 ? vals[0] : new SetV(vals));
    }
    this.opts.print?.(printText(values));
    return k();
  }

  private evalSomeIn(key: CTerm | null, value: CTerm, coll: CTerm, env: Env, k: K): boolean {
    return this.evalTerm(coll, env, (c) =>
      this.iterate(c, (kk, vv) =>
        key !== null ? this.unifyValue(key, kk, env, () => this.unifyValue(value, vv, env, k)) : this.unifyValue(value, vv, env, k),
      ),
    );
  }

  private evalEvery(e: Extract<CExpr, { op: 'every' }>, env: Env, k: K): boolean {
    if (this.tr !== undefined && e.src !== undefined) return this.everyTraced(e, e.src, env, k);
    return this.evalTerm(e.domain, env, (d) => {
      if (!(Array.isArray(d) || d instanceof ObjectV || d instanceof SetV)) return false;
      let all = true;
      this.iterate(d, (kk, vv) => {
        let ok = false;
        const run = (): boolean => this.evalBody(e.body, 0, env, () => (ok = true));
        if (e.key !== null) this.unifyValue(e.key, kk, env, () => this.unifyValue(e.value, vv, env, run));
        else this.unifyValue(e.value, vv, env, run);
        if (!ok) {
          all = false;
          return true;
        }
        return false;
      });
      return all ? k() : false;
    });
  }

  /**
   * `every` as OPA traces it: a query for the domain (Enter with the `every` expression), a child
   * query per element for the body (its Exit marked early), a Redo of `every` after each
   * element, and Exit (after the rest of the body ran) or Fail at the end.
   */
  private everyTraced(e: Extract<CExpr, { op: 'every' }>, src: Expr, env: Env, k: K): boolean {
    const tr = this.tr!;
    const owner: CBody = [e];
    return this.evalTerm(e.domain, env, (d) => {
      if (!(Array.isArray(d) || d instanceof ObjectV || d instanceof SetV)) {
        tr.node('Fail', src, env, owner); // OPA fails it here and again as the body's expression
        return false;
      }
      const q = tr.cur;
      const p = tr.parent;
      const dom = tr.newQuery();
      const inDomain = (): void => {
        tr.cur = dom;
        tr.parent = q;
      };
      inDomain();
      tr.node('Enter', src, env, owner);
      let all = true;
      this.iterate(d, (kk, vv) => {
        let ok = false;
        const run = (): boolean => this.subQueryTraced(e.body, env, () => (ok = true), 'early');
        if (e.key !== null) this.unifyValue(e.key, kk, env, () => this.unifyValue(e.value, vv, env, run));
        else this.unifyValue(e.value, vv, env, run);
        inDomain();
        tr.node('Redo', src, env, owner);
        if (!ok) all = false;
        return !ok;
      });
      if (!all) {
        tr.node('Fail', src, env, owner);
        tr.cur = q;
        tr.parent = p;
        return false;
      }
      tr.cur = q;
      tr.parent = p;
      const res = k();
      inDomain();
      tr.node('Exit', src, env, owner);
      tr.cur = q;
      tr.parent = p;
      return res;
    });
  }

  /** Calls f(key, value) for each element of a collection until f returns true. */
  private iterate(c: Value, f: (k: Value, v: Value) => boolean): boolean {
    if (Array.isArray(c)) {
      for (let i = 0; i < c.length; i++) {
        this.tick();
        if (f(i, c[i])) return true;
      }
    } else if (c instanceof ObjectV) {
      for (const [kk, vv] of c.entries()) {
        this.tick();
        if (f(kk, vv)) return true;
      }
    } else if (c instanceof SetV) {
      for (const v of c.values()) {
        this.tick();
        if (f(v, v)) return true;
      }
    }
    return false;
  }

  private evalWith(e: CExpr, env: Env, k: K): boolean {
    const outer = this.frame;
    let input = outer.input;
    let dataOv = outer.dataOv;
    let mocks = outer.mocks;
    for (const w of e.withs!) {
      if (w.kind === 'func' && w.replacement) {
        mocks = new Map(mocks ?? []);
        mocks.set(w.funcId!, { kind: 'fn', fn: w.replacement });
        continue;
      }
      let val: Value | undefined;
      this.evalTerm(w.value, env, (v) => {
        val = v;
        return true;
      });
      if (val === undefined) return false;
      if (w.kind === 'input') input = w.path.length === 0 ? val : upsert(input, w.path, val);
      else if (w.kind === 'data') dataOv = addOverride(dataOv, w.path, val);
      else {
        mocks = new Map(mocks ?? []);
        mocks.set(w.funcId!, { kind: 'value', v: val });
      }
    }
    const inner = new Frame(input, dataOv, mocks, new NodeCache(this.shared.nodeCount, false));
    this.frame = inner;
    try {
      if (e.negated) {
        let found = false;
        this.evalExprInner(e, env, () => (found = true));
        this.frame = outer;
        return found ? false : k();
      }
      return this.evalExprInner(e, env, () => {
        this.frame = outer;
        try {
          return k();
        } finally {
          this.frame = inner;
        }
      });
    } finally {
      this.frame = outer;
    }
  }

  // ------------------------------------------------------------ terms

  private evalTerm(t: CTerm, env: Env, k: KV): boolean {
    switch (t.t) {
      case 'const':
        return k(t.v);
      case 'var': {
        const v = env[t.slot];
        if (v === undefined) throw new RegoError('rego_unsafe_var_error', `var ${t.name} is unsafe`);
        return k(v);
      }
      case 'ref':
        return this.evalRef(t, env, k);
      case 'call':
        if (t.fn.f === 'special' && t.fn.name === 'print') return this.evalPrint(t.args, env, () => k(true));
        return this.evalArgs(t.args, env, (vals) => this.callFn(t.fn, vals, k));
      case 'array':
        return this.evalItems(t.items, 0, new Array(t.items.length), env, (vals) => k(vals.slice()));
      case 'set':
        return this.evalItems(t.items, 0, new Array(t.items.length), env, (vals) => k(new SetV(vals)));
      case 'object': {
        const flat: CTerm[] = [];
        for (const [a, b] of t.items) flat.push(a, b);
        return this.evalItems(flat, 0, new Array(flat.length), env, (vals) => {
          const o = new ObjectV();
          for (let i = 0; i < vals.length; i += 2) {
            const prev = o.get(vals[i]);
            if (prev !== undefined && !equal(prev, vals[i + 1])) throw new RegoError('eval_conflict_error', 'object keys must be unique');
            o.set(vals[i], vals[i + 1]);
          }
          return k(o);
        });
      }
      case 'arraycompr':
        return k(this.arrayCompr(t, env));
      case 'setcompr':
        return k(this.setCompr(t, env));
      case 'objectcompr': {
        const out = new ObjectV();
        this.evalBody(t.body, 0, env, () =>
          this.evalTerm(t.key, env, (kk) =>
            this.evalTerm(t.value, env, (vv) => {
              const prev = out.get(kk);
              if (prev !== undefined && !equal(prev, vv)) throw new RegoError('eval_conflict_error', 'object keys must be unique', t.loc);
              out.set(kk, vv);
              this.checkSize(out.size);
              return false;
            }),
          ),
        );
        return k(out);
      }
    }
  }

  /** An array comprehension's value (a bound head is read directly: no continuation per element). */
  private arrayCompr(t: Extract<CTerm, { t: 'arraycompr' }>, env: Env): Value[] {
    const out: Value[] = [];
    const push = (v: Value): boolean => {
      out.push(v);
      this.checkSize(out.length);
      return false;
    };
    this.comprElements(t.body, t.term, env, push);
    return out;
  }

  /** A set comprehension's value, as arrayCompr. */
  private setCompr(t: Extract<CTerm, { t: 'setcompr' }>, env: Env): SetV {
    const out = new SetV();
    const add = (v: Value): boolean => {
      out.add(v);
      this.checkSize(out.size);
      return false;
    };
    this.comprElements(t.body, t.term, env, add);
    return out;
  }

  /** Each value of a comprehension's head term over its body's solutions, to `add`. */
  private comprElements(body: CBody, term: CTerm, env: Env, add: (v: Value) => boolean): void {
    this.evalBody(body, 0, env, () => {
      if (!this.bound(term, env)) return this.evalTerm(term, env, add);
      const v = this.evalDirect(term, env);
      return v === undefined ? false : add(v);
    });
  }

  // ------------------------------------------------------------ direct (single-valued) evaluation

  /** All variables of the term bound: it has at most one value and can be evaluated directly. */
  private bound(t: CTerm, env: Env): boolean {
    if (t.t === 'const') return true;
    if (t.t === 'var') return env[t.slot] !== undefined;
    let vs = t.vs;
    if (vs === undefined) {
      vs = [];
      collectAllVars(t, vs);
      t.vs = vs;
    }
    for (let i = 0; i < vs.length; i++) if (env[vs[i]] === undefined) return false;
    return true;
  }

  private allBound(ts: CTerm[], env: Env): boolean {
    for (let i = 0; i < ts.length; i++) if (!this.bound(ts[i], env)) return false;
    return true;
  }

  /** Value of a bound term without continuations (undefined when undefined). */
  private evalDirect(t: CTerm, env: Env): Value | undefined {
    switch (t.t) {
      case 'const':
        return t.v;
      case 'var':
        return env[t.slot];
      case 'ref': {
        let base: Value | undefined;
        if (t.head.h === 'input') base = this.frame.input;
        else if (t.head.h === 'term') base = this.evalDirect(t.head.term, env);
        else return this.dataDirect(t, env);
        for (let i = 0; i < t.path.length && base !== undefined; i++) {
          const key = this.evalDirect(t.path[i], env);
          base = key === undefined ? undefined : select(base, key);
        }
        return base;
      }
      case 'call': {
        if (t.fn.f === 'special' && t.fn.name === 'print') return this.termSingle(t, env);
        const vals = new Array<Value>(t.args.length);
        for (let i = 0; i < vals.length; i++) {
          const v = this.evalDirect(t.args[i], env);
          if (v === undefined) return undefined;
          vals[i] = v;
        }
        return this.callDirect(t.fn, vals);
      }
      case 'array': {
        const out = new Array<Value>(t.items.length);
        for (let i = 0; i < out.length; i++) {
          const v = this.evalDirect(t.items[i], env);
          if (v === undefined) return undefined;
          out[i] = v;
        }
        return out;
      }
      case 'object': {
        // every key and value first (an undefined one makes the object undefined, before any conflict)
        const items = t.items;
        const vals = new Array<Value>(items.length * 2);
        for (let i = 0; i < items.length; i++) {
          const kv = this.evalDirect(items[i][0], env);
          if (kv === undefined) return undefined;
          const vv = this.evalDirect(items[i][1], env);
          if (vv === undefined) return undefined;
          vals[2 * i] = kv;
          vals[2 * i + 1] = vv;
        }
        const o = new ObjectV();
        for (let i = 0; i < vals.length; i += 2) {
          const prev = o.get(vals[i]);
          if (prev !== undefined && !equal(prev, vals[i + 1])) throw new RegoError('eval_conflict_error', 'object keys must be unique');
          o.set(vals[i], vals[i + 1]);
        }
        return o;
      }
      case 'arraycompr':
        return this.arrayCompr(t, env);
      case 'setcompr':
        return this.setCompr(t, env);
      default:
        return this.termSingle(t, env);
    }
  }

  /** A bound data ref, walked without continuations (overrides from `with` take the general path). */
  private dataDirect(t: Extract<CTerm, { t: 'ref' }>, env: Env): Value | undefined {
    if (this.frame.dataOv !== null) return this.refSingle(t, env);
    const pre = this.prefix(t);
    const path = t.path;
    let node = pre.node;
    let base = pre.base;
    let i = pre.i;
    for (;;) {
      if (node === null || node.kind !== null) {
        let v: Value | undefined;
        let baseDoc = false;
        if (node === null || base !== undefined) {
          v = base;
          baseDoc = true;
        } else v = this.ruleValue(node);
        for (; i < path.length && v !== undefined; i++) {
          const key = this.evalDirect(path[i], env);
          v = key === undefined ? undefined : baseDoc ? selectBase(v, key) : select(v, key);
        }
        return v;
      }
      if (i === path.length) return this.nodeValue(node, base, null);
      const key = this.evalDirect(path[i], env);
      if (key === undefined) return undefined;
      const st = this.dataStep(node, base, null, key);
      node = st.node;
      base = st.base;
      i++;
    }
  }

  /** First (only) value produced through a continuation. */
  private single(run: (k: KV) => boolean): Value | undefined {
    let out: Value | undefined;
    run((v) => {
      out = v;
      return true;
    });
    return out;
  }

  // The closures of the general path live in these helpers, not in the hot functions that call
  // them: V8 allocates a function's closure context on every call that could create one, taken
  // or not (evalDirect and callDirect run hundreds of times per evaluation).
  private termSingle(t: CTerm, env: Env): Value | undefined {
    return this.single((k) => this.evalTerm(t, env, k));
  }

  private refSingle(t: Extract<CTerm, { t: 'ref' }>, env: Env): Value | undefined {
    return this.single((k) => this.evalRef(t, env, k));
  }

  private callSingle(fn: CFunc, args: Value[]): Value | undefined {
    return this.single((k) => this.callFn(fn, args, k));
  }

  /** A builtin call timed as OPA's eval_op_builtin_call (the call itself, not what follows it). */
  private timedBuiltin(b: Extract<CFunc, { f: 'builtin' }>['builtin'], args: Value[]): Value | undefined {
    const t0 = process.hrtime.bigint();
    try {
      return b.fn(args, this.bctx);
    } finally {
      this.ins?.time('eval_op_builtin_call', Number(process.hrtime.bigint() - t0));
    }
  }

  private callDirect(fn: CFunc, args: Value[]): Value | undefined {
    if (fn.f === 'builtin' && this.frame.mocks === null) {
      let r: Value | undefined;
      try {
        r = this.ins === undefined ? fn.builtin.fn(args, this.bctx) : this.timedBuiltin(fn.builtin, args);
      } catch (e) {
        this.builtinError(e, fn.name);
        return undefined;
      }
      if (fn.builtin.nondeterministic) this.markNondeterministic(fn.name, args, r);
      return r;
    }
    if (fn.f === 'user' && this.frame.mocks === null) return this.userValue(fn.node, args);
    // `x in xs`, `k, x in xs` as values: answered here, not through callFn's continuation
    if (fn.f === 'special' && this.frame.mocks === null) {
      if (fn.name === 'member2') return member(args[0], args[1]);
      if (fn.name === 'member3') return member3(args[0], args[1], args[2]);
    }
    return this.callSingle(fn, args);
  }

  private evalItems(items: CTerm[], i: number, acc: Value[], env: Env, k: (vals: Value[]) => boolean): boolean {
    for (; i < items.length; i++) {
      const t = items[i];
      if (t.t === 'const') acc[i] = t.v;
      else if (t.t === 'var' && env[t.slot] !== undefined) acc[i] = env[t.slot]!;
      else {
        const j = i;
        return this.evalTerm(t, env, (v) => {
          acc[j] = v;
          return this.evalItems(items, j + 1, acc, env, k);
        });
      }
    }
    return k(acc);
  }

  private evalArgs(args: CTerm[], env: Env, k: (vals: Value[]) => boolean): boolean {
    return this.evalItems(args, 0, new Array(args.length), env, k);
  }

  // ------------------------------------------------------------ calls

  private callFn(fn: CFunc, args: Value[], k: KV): boolean {
    if (this.frame.mocks !== null) {
      const m = this.frame.mocks.get(funcId(fn));
      if (m !== undefined) {
        // a mocked non-deterministic builtin (http.send in a test) is recorded with its mocked result
        const nd = fn.f === 'builtin' && fn.builtin.nondeterministic ? this.opts.ndCache : undefined;
        if (m.kind === 'value') {
          nd?.record(fn.name, args, m.v);
          return k(m.v);
        }
        if (nd === undefined) return this.callReplacement(m.fn, args, k);
        return this.callReplacement(m.fn, args, (v) => {
          nd.record(fn.name, args, v);
          return k(v);
        });
      }
    }
    switch (fn.f) {
      case 'builtin': {
        let r: Value | undefined;
        try {
          r = this.ins === undefined ? fn.builtin.fn(args, this.bctx) : this.timedBuiltin(fn.builtin, args);
        } catch (e) {
          return this.builtinError(e, fn.name);
        }
        if (fn.builtin.nondeterministic) this.markNondeterministic(fn.name, args, r);
        return r === undefined ? false : k(r);
      }
      case 'user':
        return this.callUser(fn.node, args, k);
      case 'special':
        switch (fn.name) {
          case 'member2':
            return k(member(args[0], args[1]));
          case 'member3':
            return k(member3(args[0], args[1], args[2]));
          case 'walk':
            // One result per node, root first (path []); stops as soon as the continuation does.
            return this.walkFrom(args[0], [], k);
          default:
            throw new RegoError('rego_type_error', `${fn.name} cannot be called here`);
        }
    }
  }

  /**
   * walk's results in walkNodes's order (pre-order; objects and sets in sorted order), by plain
   * recursion over one path stack: nested generators cost more than the rest of a small walk.
   */
  private walkFrom(v: Value, path: Value[], k: KV): boolean {
    this.tick();
    if (k([path.slice(), v])) return true;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        const stop = this.walkFrom(v[i], path, k);
        path.pop();
        if (stop) return true;
      }
    } else if (v instanceof ObjectV) {
      for (const [kk, x] of v.sorted()) {
        path.push(kk);
        const stop = this.walkFrom(x, path, k);
        path.pop();
        if (stop) return true;
      }
    } else if (v instanceof SetV) {
      for (const x of v.sorted()) {
        path.push(x);
        const stop = this.walkFrom(x, path, k);
        path.pop();
        if (stop) return true;
      }
    }
    return false;
  }

  /** Call a `with` replacement; inside it no function is mocked (a mock never calls another mock, nor itself). */
  private callReplacement(repl: CFunc, args: Value[], k: KV): boolean {
    const outer = this.frame;
    const inner = new Frame(outer.input, outer.dataOv, null, new NodeCache(this.shared.nodeCount, false));
    let result: Value | undefined;
    this.frame = inner;
    try {
      this.callFn(repl, args, (v) => {
        result = v;
        return true;
      });
    } finally {
      this.frame = outer;
    }
    return result === undefined ? false : k(result);
  }

  private markNondeterministic(name: string, args: Value[], result: Value | undefined): void {
    if (this.opts.ndCache !== undefined && result !== undefined) this.opts.ndCache.record(name, args, result);
    if (name.startsWith('time.now')) this.deps.time = true;
    else if (name.startsWith('http.') || name.startsWith('net.lookup')) this.deps.external = true;
    else this.deps.random = true;
  }

  private builtinError(e: unknown, name: string): boolean {
    if (e instanceof RegoError) {
      if (e.code === 'eval_type_error' || e.code === 'eval_builtin_error') {
        if (this.strict) throw e;
        return false;
      }
      throw e;
    }
    if (e instanceof RangeError) throw e; // stack exhaustion: handled at the top
    const msg = errorMessage(e);
    if (this.strict) throw new RegoError('eval_builtin_error', `${name}: ${msg}`);
    return false;
  }

  private callUser(node: DataNode, args: Value[], k: KV): boolean {
    const r = this.userValue(node, args);
    return r === undefined ? false : k(r);
  }

  /** A user function's value for these arguments (undefined when undefined). */
  private userValue(node: DataNode, args: Value[]): Value | undefined {
    // a pure function's result for the same arguments is reused across evaluations, unless
    // `with` replaces data or functions here
    // (not when tracing: a remembered result would hide the rules that produce it)
    if (node.pure && this.frame.dataOv === null && this.frame.mocks === null && this.tr === undefined) return this.memoUserValue(node, args);
    return this.computeUserValue(node, args);
  }

  private memoUserValue(node: DataNode, args: Value[]): Value | undefined {
    const shared = this.shared;
    for (let i = 0; i < args.length; i++) if (!shared.memoKey(args[i])) return this.computeUserValue(node, args);
    // builtin errors are undefined or thrown depending on strictness: one memo for each
    const idx = node.slot * 2 + (this.strict ? 1 : 0);
    let memo = shared.fnMemo[idx];
    if (memo === undefined) memo = shared.fnMemo[idx] = new FnMemo();
    if (memo.bypass()) return this.computeUserValue(node, args);
    const hit = memo.get(args);
    if (hit !== undefined) return hit === UNDEF ? undefined : hit;
    // A pure function calls no builtin flagged nondeterministic or readsClock; this run-time
    // check is the safety net for a builtin that reads the clock or randomness unflagged: such
    // a call is not kept, nor is one made after the evaluation already read them (then it
    // cannot be told which call did).
    const clean = !this.readsOutside();
    const v = this.computeUserValue(node, args);
    if (clean && !this.readsOutside() && (v === undefined || sizeOf(v, MEMO_MAX_RESULT_SIZE) <= MEMO_MAX_RESULT_SIZE)) {
      memo.set(args, v === undefined ? UNDEF : v);
      if (v !== undefined) shared.own(v);
    }
    return v;
  }

  /** This evaluation has read the clock, randomness or the outside world. */
  private readsOutside(): boolean {
    const d = this.deps;
    return d.time || d.random || d.external;
  }

  private computeUserValue(node: DataNode, args: Value[]): Value | undefined {
    if (this.tr !== undefined) return this.computeUserValueTraced(node, args);
    const acc = new Values(node, 'functions must not produce multiple outputs for same inputs');
    // OPA's early exit: once a rule gave the value all rules give, the others could only agree
    const early = node.earlyExit ?? (node.earlyExit = sameConstantValue(node.rules));
    for (const rule of node.rules) {
      // a constant argument pattern that differs rejects the rule (and its elses) before any work
      if (!constArgsMatch(rule.args!, args)) continue;
      const env: Env = new Array(rule.nslots);
      const direct = bindArgs(rule.args!, args, env);
      const got = direct === false ? false : this.ruleValues(rule, rule.body, rule.value, env, direct === null ? args : null, acc);
      if (!got && rule.elses.length) this.evalElses(rule, args, acc);
      if (got && early) break;
    }
    const result = acc.v;
    return result === undefined && node.defaultRule ? this.defaultFunctionValue(node.defaultRule, args) : result;
  }

  /** A function's default value (closures kept out of computeUserValue: see termSingle). */
  private defaultFunctionValue(d: CRule, args: Value[]): Value | undefined {
    let result: Value | undefined;
    const env: Env = new Array(d.nslots);
    this.unifyArgs(d.args!, args, 0, env, () =>
      this.evalTerm(d.value, env, (v) => {
        result = v;
        return true;
      }),
    );
    return result;
  }

  /**
   * The values of one rule or else body (head value `value`) into acc; whether it had any.
   * `args`: unified with the rule's argument patterns first (null: bound already, or none).
   * A straight-line body with a single-valued head runs without continuations.
   */
  private ruleValues(rule: CRule, body: CBody, value: CTerm, env: Env, args: Value[] | null, acc: Values): boolean {
    if (args !== null || this.tr !== undefined) return this.bodyValues(rule, body, value, env, 0, args, acc);
    const i = this.directPrefix(body, env);
    if (i < 0) return false;
    if (i < body.length || !this.bound(value, env)) return this.bodyValues(rule, body, value, env, i, null, acc);
    const v = this.evalDirect(value, env);
    if (v === undefined) return false;
    acc.add(v);
    return true;
  }

  /** ruleValues through continuations, from expression `from` of the body. */
  private bodyValues(rule: CRule, body: CBody, value: CTerm, env: Env, from: number, args: Value[] | null, acc: Values): boolean {
    const stopEarly = value.t === 'const';
    let got = false;
    const k = (): boolean => {
      if (this.bound(value, env)) {
        const v = this.evalDirect(value, env);
        if (v === undefined) return false;
        acc.add(v);
        got = true;
        return stopEarly;
      }
      return this.evalTerm(value, env, (v) => {
        acc.add(v);
        got = true;
        return stopEarly;
      });
    };
    if (args === null) this.ruleBodyFrom(rule, body, from, env, k);
    else this.unifyArgs(rule.args!, args, 0, env, () => this.ruleBodyFrom(rule, body, from, env, k));
    return got;
  }

  /** The else branches of a rule, in order, until one has a value (args: a function's arguments). */
  private evalElses(rule: CRule, args: Value[] | null, acc: Values): void {
    for (const el of rule.elses) {
      const env: Env = new Array(rule.nslots);
      let got: boolean;
      if (args === null) got = this.ruleValues(rule, el.body, el.value, env, null, acc);
      else {
        const direct = bindArgs(rule.args!, args, env);
        got = direct === false ? false : this.ruleValues(rule, el.body, el.value, env, direct === null ? args : null, acc);
      }
      if (got) return;
    }
  }

  /** computeUserValue under a tracer: OPA's Index note, all solutions unless early exit applies, and
   * what the rules do after their first value held back until the consumer's Redo (see Tracer). */
  private computeUserValueTraced(node: DataNode, args: Value[]): Value | undefined {
    const tr = this.tr!;
    const traceEarly = oneConstantValue(node.rules);
    tr.note('Index', indexMessage(node.rules.filter((r) => constArgsMatch(r.args!, args)).length, traceEarly), node.dottedPath);
    const acc = new TracedValues(node, 'functions must not produce multiple outputs for same inputs', tr);
    // OPA's early exit: once a rule gave the value all rules give, the others could only agree
    const early = node.earlyExit ?? (node.earlyExit = sameConstantValue(node.rules));
    for (const rule of node.rules) {
      // a constant argument pattern that differs rejects the rule (and its elses) before any work
      if (!constArgsMatch(rule.args!, args)) continue;
      const env: Env = new Array(rule.nslots);
      // only under OPA's early exit does one solution end the body (OPA looks for all otherwise)
      const stopEarly = rule.value.t === 'const' && traceEarly;
      let got = false;
      const body = (): boolean =>
        this.ruleBody(
          rule,
          rule.body,
          env,
          () => {
            if (this.bound(rule.value, env)) {
              const v = this.evalDirect(rule.value, env);
              if (v === undefined) return false;
              acc.add(v);
              got = true;
              return stopEarly;
            }
            return this.evalTerm(rule.value, env, (v) => {
              acc.add(v);
              got = true;
              return stopEarly;
            });
          },
          traceEarly,
        );
      const direct = bindArgs(rule.args!, args, env);
      if (direct === true) body();
      else if (direct === null) this.unifyArgs(rule.args!, args, 0, env, body);
      if (!got && rule.elses.length) this.evalElsesTraced(rule, args, acc);
      if (got && early) break;
    }
    const result = acc.v === undefined && node.defaultRule ? this.defaultFunctionValue(node.defaultRule, args) : acc.v;
    acc.end();
    return result;
  }

  /** evalElses under a tracer (see computeUserValueTraced). */
  private evalElsesTraced(rule: CRule, args: Value[] | null, acc: TracedValues): void {
    for (const el of rule.elses) {
      const env: Env = new Array(rule.nslots);
      let got = false;
      const stopEarly = el.value.t === 'const';
      const body = (): boolean =>
        this.ruleBody(rule, el.body, env, () =>
          this.evalTerm(el.value, env, (v) => {
            acc.add(v);
            got = true;
            return stopEarly;
          }),
        );
      if (args) this.unifyArgs(rule.args!, args, 0, env, body);
      else body();
      if (got) return;
    }
  }

  private unifyArgs(patterns: CTerm[], args: Value[], i: number, env: Env, k: K): boolean {
    if (i === patterns.length) return k();
    return this.unifyValue(patterns[i], args[i], env, () => this.unifyArgs(patterns, args, i + 1, env, k));
  }

  // ------------------------------------------------------------ rules

  private ruleValue(node: DataNode): Value | undefined {
    const cache = this.frame.cache;
    const slot = node.slot;
    const c = cache.get(slot);
    if (c !== undefined) {
      this.ins?.count('eval_op_virtual_cache_hit');
      return c === UNDEF ? undefined : c;
    }
    if (node.constant && this.frame.dataOv === null && this.frame.mocks === null && this.tr === undefined) {
      const k = this.shared.constants[slot];
      if (k !== undefined) {
        // a constant rule's value kept from an earlier evaluation: not evaluated again
        this.ins?.count('eval_op_virtual_cache_hit');
        cache.set(slot, k);
        return k === UNDEF ? undefined : k;
      }
      this.ins?.count('eval_op_virtual_cache_miss');
      const v = this.computeRule(node);
      this.shared.constants[slot] = v === undefined ? UNDEF : v;
      if (v !== undefined) this.shared.own(v);
      cache.set(slot, v === undefined ? UNDEF : v);
      return v;
    }
    this.ins?.count('eval_op_virtual_cache_miss');
    const v = this.computeRule(node);
    cache.set(slot, v === undefined ? UNDEF : v);
    return v;
  }

  /** A function without arguments read as a document (its closure kept out of computeRule). */
  private zeroArityValue(node: DataNode): Value | undefined {
    let v: Value | undefined;
    this.callUser(node, [], (x) => ((v = x), true));
    return v;
  }

  private computeRule(node: DataNode): Value | undefined {
    // (functions note their own lookup, with the arguments)
    if (this.tr !== undefined && node.kind !== 'function') {
      this.tr.note('Index', indexMessage(node.rules.length, node.kind === 'complete' && oneConstantValue(node.rules)), node.dottedPath);
    }
    let v: Value | undefined;
    switch (node.kind) {
      case 'complete':
        v = this.completeValue(node);
        break;
      case 'set':
        v = this.setValue(node);
        break;
      case 'object':
        v = this.objectValue(node);
        break;
      case 'function':
        // a function without arguments can also be read as a document
        if (node.arity === 0) v = this.zeroArityValue(node);
        break;
      default:
        v = undefined;
    }
    return v;
  }

  private completeValue(node: DataNode): Value | undefined {
    if (this.tr !== undefined) return this.completeValueTraced(node);
    const acc = new Values(node, 'complete rules must not produce multiple outputs');
    const early = node.earlyExit ?? (node.earlyExit = sameConstantValue(node.rules));
    for (const rule of node.rules) {
      const env: Env = new Array(rule.nslots);
      const got = this.ruleValues(rule, rule.body, rule.value, env, null, acc);
      if (got && early) break; // OPA's early exit: the remaining rules could only agree
      if (!got && rule.elses.length) this.evalElses(rule, null, acc);
    }
    const result = acc.v;
    return result === undefined && node.defaultRule ? this.termSingle(node.defaultRule.value, new Array(node.defaultRule.nslots)) : result;
  }

  /** completeValue under a tracer (see computeUserValueTraced). */
  private completeValueTraced(node: DataNode): Value | undefined {
    const acc = new TracedValues(node, 'complete rules must not produce multiple outputs', this.tr!);
    const early = node.earlyExit ?? (node.earlyExit = sameConstantValue(node.rules));
    const traceEarly = oneConstantValue(node.rules);
    for (const rule of node.rules) {
      const env: Env = new Array(rule.nslots);
      // only under OPA's early exit does one solution end the body (OPA looks for all otherwise)
      const stopEarly = rule.value.t === 'const' && traceEarly;
      let got = false;
      this.ruleBody(
        rule,
        rule.body,
        env,
        () =>
          this.evalTerm(rule.value, env, (v) => {
            acc.add(v);
            got = true;
            return stopEarly;
          }),
        traceEarly,
      );
      if (got && early) break; // OPA's early exit: the remaining rules could only agree
      if (!got && rule.elses.length) this.evalElsesTraced(rule, null, acc);
    }
    let result = acc.v;
    if (result === undefined && node.defaultRule) {
      const d = node.defaultRule;
      const env: Env = new Array(d.nslots);
      // the default's rule is traced, then its value follows the rest of the query like a rule's
      this.traceRule(d, [], env, () => (acc.hold(), false), traceEarly);
      result = this.termSingle(d.value, env);
    }
    acc.end();
    return result;
  }

  private setValue(node: DataNode): Value {
    const out = structural(new SetV());
    for (const rule of node.rules) {
      const env: Env = new Array(rule.nslots);
      if (this.tr !== undefined) {
        this.setRuleBody(rule, 0, env, out);
        continue;
      }
      // A straight-line body with a bound element (most `contains` rules) adds its one element
      // without continuations; the rest of a body that needs them goes on from where this stopped.
      const i = this.directPrefix(rule.body, env);
      if (i < 0) continue;
      if (i < rule.body.length || !this.bound(rule.key!, env)) {
        this.setRuleBody(rule, i, env, out);
        continue;
      }
      const v = this.evalDirect(rule.key!, env);
      if (v === undefined) continue;
      out.add(v);
      this.checkSize(out.size);
    }
    return out;
  }

  /** A partial set rule's elements into out, through continuations from expression `from`. */
  private setRuleBody(rule: CRule, from: number, env: Env, out: SetV): void {
    const key = rule.key!;
    const ground = key.t === 'const'; // one solution is enough (OPA's early exit)
    const add = (v: Value): boolean => {
      out.add(v);
      this.checkSize(out.size);
      return ground;
    };
    this.ruleBodyFrom(rule, rule.body, from, env, () => {
      // a bound element (the usual case) is built directly: no continuation per solution
      if (!this.bound(key, env)) return this.evalTerm(key, env, add);
      const v = this.evalDirect(key, env);
      return v === undefined ? false : add(v);
    });
  }

  private objectValue(node: DataNode): Value | undefined {
    const out = structural(new ObjectV());
    let defined = false;
    for (const rule of node.rules) {
      const env: Env = new Array(rule.nslots);
      const ground = rule.keyPath.every((x) => x.t === 'const') && (rule.multi ? rule.key! : rule.value).t === 'const';
      this.ruleBody(rule, rule.body, env, () =>
        this.evalItems(rule.keyPath, 0, new Array(rule.keyPath.length), env, (keys) =>
          this.evalTerm(rule.multi ? rule.key! : rule.value, env, (v) => {
            insertPath(out, keys, v, rule);
            defined = true;
            this.checkSize(out.size);
            return ground;
          }),
        ),
      );
    }
    // children defined by other rules below this node merge into the object
    for (const [name, child] of node.children) {
      const v = this.nodeValue(child, undefined, null);
      if (v !== undefined) {
        const prev = out.getStr(name);
        out.set(name, prev === undefined ? v : mergeDocs(prev, v));
        defined = true;
      }
    }
    // `default p[k] := x`: the key's value when no rule defined it
    for (const d of node.objectDefaults) {
      const env: Env = new Array(d.nslots);
      this.evalItems(d.keyPath, 0, new Array(d.keyPath.length), env, (keys) =>
        this.evalTerm(d.value, env, (v) => {
          if (!hasPath(out, keys)) insertPath(out, keys, v, d);
          defined = true;
          return true;
        }),
      );
    }
    return defined || node.rules.length ? out : undefined;
  }

  // ------------------------------------------------------------ data and refs

  private nodeValue(node: DataNode, base: Value | undefined, ov: OvNode | null): Value | undefined {
    if (ov !== null && ov.value !== undefined) return ov.value;
    if (node.kind !== null) {
      const v = this.ruleValue(node);
      return ov !== null ? applyOverride(v, ov) : v;
    }
    const cache = this.frame.cache;
    const c = cache.get(node.slot);
    if (c !== undefined) return c === UNDEF ? undefined : c;
    const o = structural(new ObjectV());
    if (base instanceof ObjectV) for (const [kk, vv] of base.entries()) o.set(kk, vv);
    for (const [name, child] of node.children) {
      const b = base instanceof ObjectV ? base.getStr(name) : undefined;
      if (b !== undefined && child.kind !== null) continue; // base document wins over rules at the same path
      const v = this.nodeValue(child, b, ov?.children?.get(name) ?? null);
      if (v !== undefined) o.set(name, v);
    }
    if (ov?.children) {
      for (const [name, child] of ov.children) {
        if (node.children.has(name)) continue;
        const v = applyOverride(base instanceof ObjectV ? base.getStr(name) : undefined, child);
        if (v !== undefined) o.set(name, v);
      }
    }
    cache.set(node.slot, o);
    return o;
  }

  private evalRef(t: Extract<CTerm, { t: 'ref' }>, env: Env, k: KV): boolean {
    switch (t.head.h) {
      case 'input': {
        const inp = this.frame.input;
        return inp === undefined ? false : this.deref(inp, t.path, 0, env, k);
      }
      case 'data': {
        if (this.frame.dataOv !== null) return this.evalData(t.path, 0, this.root, this.baseData, this.frame.dataOv, env, k);
        // the constant prefix of a data ref always leads to the same node and base document
        const pre = this.prefix(t);
        return this.evalData(t.path, pre.i, pre.node, pre.base, null, env, k);
      }
      case 'term':
        return this.evalTerm(t.head.term, env, (hv) => this.deref(hv, t.path, 0, env, k));
    }
  }

  /** `baseDoc`: v is (inside) a base document under data, where integer keys also find string keys, as in OPA's storage. */
  private deref(v: Value, path: CTerm[], i: number, env: Env, k: KV, baseDoc = false): boolean {
    for (; i < path.length; i++) {
      const op = path[i];
      let key: Value | undefined;
      if (op.t === 'const') key = op.v;
      else if (op.t === 'var') key = env[op.slot];
      if (key === undefined) break;
      const next = baseDoc ? selectBase(v, key) : select(v, key);
      if (next === undefined) return false;
      v = next;
    }
    if (i === path.length) return k(v);
    const op = path[i];
    const j = i;
    if (this.evaluable(op, env)) {
      return this.evalTerm(op, env, (key) => {
        const next = baseDoc ? selectBase(v, key) : select(v, key);
        return next === undefined ? false : this.deref(next, path, j + 1, env, k, baseDoc);
      });
    }
    return this.iterate(v, (kk, vv) => this.unifyValue(op, kk, env, () => this.deref(vv, path, j + 1, env, k, baseDoc)));
  }

  private evalData(path: CTerm[], i: number, node: DataNode | null, base: Value | undefined, ov: OvNode | null, env: Env, k: KV): boolean {
    for (;;) {
      if (ov !== null && ov.value !== undefined) return this.deref(ov.value, path, i, env, k);
      if (node === null) {
        const b = ov !== null ? applyOverride(base, ov) : base;
        return b === undefined ? false : this.deref(b, path, i, env, k, true);
      }
      if (node.kind !== null) {
        // a base document at the same path takes precedence over the rules, as in OPA
        if (base !== undefined && ov === null) return this.deref(base, path, i, env, k, true);
        let v = this.ruleValue(node);
        if (ov !== null) v = applyOverride(v, ov);
        return v === undefined ? false : this.deref(v, path, i, env, k);
      }
      if (i === path.length) {
        const v = this.nodeValue(node, base, ov);
        return v === undefined ? false : k(v);
      }
      const op = path[i];
      let key: Value | undefined;
      if (op.t === 'const') key = op.v;
      else if (op.t === 'var') key = env[op.slot];
      if (key === undefined) break;
      const step = this.dataStep(node, base, ov, key);
      node = step.node;
      base = step.base;
      ov = step.ov;
      i++;
    }
    const op = path[i];
    const j = i;
    const n = node;
    const b = base;
    const o = ov;
    if (this.evaluable(op, env)) {
      return this.evalTerm(op, env, (key) => {
        const s = this.dataStep(n, b, o, key);
        return this.evalData(path, j + 1, s.node, s.base, s.ov, env, k);
      });
    }
    const keys = new Set<string>();
    for (const name of n.children.keys()) keys.add(name);
    const extra: Value[] = [];
    if (b instanceof ObjectV) {
      for (const kk of b.keys()) {
        if (typeof kk === 'string') keys.add(kk);
        else extra.push(kk);
      }
    }
    if (o?.children) for (const name of o.children.keys()) keys.add(name);
    for (const key of [...keys, ...extra]) {
      const s = this.dataStep(n, b, o, key);
      if (this.unifyValue(op, key, env, () => this.evalData(path, j + 1, s.node, s.base, s.ov, env, k))) return true;
    }
    return false;
  }

  /** The constant prefix of a data ref always leads to the same node and base document. */
  private prefix(t: CTerm): DataPrefix {
    const pre = t.pre;
    if (pre !== undefined && pre.owner === this.shared) return pre;
    const r = this.resolvePrefix((t as Extract<CTerm, { t: 'ref' }>).path);
    t.pre = r;
    return r;
  }

  /** Walk the constant string operands of a data ref through interior nodes (no overrides). */
  private resolvePrefix(path: CTerm[]): DataPrefix {
    let node: DataNode | null = this.root;
    let base: Value | undefined = this.baseData;
    let i = 0;
    while (i < path.length && node !== null && node.kind === null) {
      const op = path[i];
      if (op.t !== 'const' || typeof op.v !== 'string') break;
      const s = this.dataStep(node, base, null, op.v);
      node = s.node;
      base = s.base;
      i++;
    }
    // below the rule tree the base document is immutable too: keep walking its constant keys
    while (node === null && base !== undefined && i < path.length) {
      const op = path[i];
      if (op.t !== 'const' || typeof op.v !== 'string') break;
      base = select(base, op.v);
      i++;
    }
    return { owner: this.shared, node, base, i };
  }

  private dataStep(
    node: DataNode,
    base: Value | undefined,
    ov: OvNode | null,
    key: Value,
  ): { node: DataNode | null; base: Value | undefined; ov: OvNode | null } {
    if (typeof key === 'string') {
      return {
        node: node.children.get(key) ?? null,
        base: base === undefined ? undefined : select(base, key),
        ov: ov?.children?.get(key) ?? null,
      };
    }
    return { node: null, base: base === undefined ? undefined : selectBase(base, key), ov: null };
  }

  // ------------------------------------------------------------ unification

  /** Pattern variables of a term (vars outside refs/calls), computed once per term. */
  private patVars(t: CTerm): number[] {
    let p = t.pv;
    if (p === undefined) {
      p = [];
      collectPatVars(t, p);
      t.pv = p;
    }
    return p;
  }

  private evaluable(t: CTerm, env: Env): boolean {
    if (t.t === 'const') return true;
    if (t.t === 'var') return env[t.slot] !== undefined;
    for (const s of this.patVars(t)) if (env[s] === undefined) return false;
    return true;
  }

  private unify(a: CTerm, b: CTerm, env: Env, k: K): boolean {
    if (this.evaluable(a, env)) return this.evalTerm(a, env, (va) => this.unifyValue(b, va, env, k));
    if (this.evaluable(b, env)) return this.evalTerm(b, env, (vb) => this.unifyValue(a, vb, env, k));
    if (a.t === 'array' && b.t === 'array' && a.items.length === b.items.length) {
      const pairs = a.items.map((x, i) => [x, b.items[i]] as [CTerm, CTerm]);
      return this.unifyPairs(pairs, env, k);
    }
    if (a.t === 'object' && b.t === 'object') {
      const pairs = objectPairs(a, b);
      if (pairs === undefined) throw new RegoError('rego_unsafe_var_error', 'unification of two unbound terms');
      return pairs === null ? false : this.unifyPairs(pairs, env, k);
    }
    throw new RegoError('rego_unsafe_var_error', 'unification of two unbound terms');
  }

  private unifyPairs(pairs: [CTerm, CTerm][], env: Env, k: K): boolean {
    if (pairs.length === 0) return k();
    for (let i = 0; i < pairs.length; i++) {
      const [x, y] = pairs[i];
      if (this.evaluable(x, env) || this.evaluable(y, env)) {
        const rest = pairs.slice(0, i).concat(pairs.slice(i + 1));
        return this.unify(x, y, env, () => this.unifyPairs(rest, env, k));
      }
    }
    const [x, y] = pairs[0];
    return this.unify(x, y, env, () => this.unifyPairs(pairs.slice(1), env, k));
  }

  private unifyValue(t: CTerm, v: Value, env: Env, k: K): boolean {
    switch (t.t) {
      case 'var': {
        const cur = env[t.slot];
        if (cur !== undefined) return equal(cur, v) ? k() : false;
        env[t.slot] = v;
        const r = k();
        env[t.slot] = undefined;
        return r;
      }
      case 'const':
        return equal(t.v, v) ? k() : false;
      case 'array':
        if (!Array.isArray(v) || v.length !== t.items.length) return false;
        return this.unifyItems(t.items, v, 0, env, k);
      case 'object':
        if (!(v instanceof ObjectV) || v.size !== t.items.length) return false;
        return this.unifyObject(t.items, v, 0, env, k);
      default:
        return this.evalTerm(t, env, (x) => (equal(x, v) ? k() : false));
    }
  }

  private unifyItems(items: CTerm[], vals: Value[], i: number, env: Env, k: K): boolean {
    if (i === items.length) return k();
    return this.unifyValue(items[i], vals[i], env, () => this.unifyItems(items, vals, i + 1, env, k));
  }

  private unifyObject(items: [CTerm, CTerm][], v: ObjectV, i: number, env: Env, k: K): boolean {
    if (i === items.length) return k();
    const [kt, vt] = items[i];
    return this.evalTerm(kt, env, (kv) => {
      const x = v.get(kv);
      return x === undefined ? false : this.unifyValue(vt, x, env, () => this.unifyObject(items, v, i + 1, env, k));
    });
  }
}

// ------------------------------------------------------------ helpers

/**
 * The builtin context of one evaluation: one small object whose methods reach the evaluator
 * (cheaper to create per evaluation than a closure per method).
 */
class EvalContext implements BuiltinContext {
  readonly strict: boolean;
  trace?: (note: string) => void;
  constructor(
    private readonly ev: Evaluator,
    strict: boolean,
  ) {
    this.strict = strict;
  }
  nowNs(): bigint {
    return this.ev.clockNs();
  }
  markRandom(): void {
    this.ev.deps.random = true;
  }
  markExternal(): void {
    this.ev.deps.external = true;
  }
  print(msg: string): void {
    this.ev.printOut(msg);
  }
  checkBudget(cost: number): void {
    this.ev.spend(cost);
  }
}

/** One walkBody: the rest of the body to run at each node, and the slots it binds. */
interface WalkState {
  readonly body: CBody;
  readonly next: number;
  readonly env: Env;
  readonly k: K;
  readonly ps: number;
  readonly vs: number;
  readonly path: Value[];
}

/** The value rules agree on (one object per evaluated document, instead of closures). */
class Values {
  v: Value | undefined = undefined;
  constructor(
    private readonly node: DataNode,
    private readonly conflict: string,
  ) {}
  add(v: Value): void {
    if (this.v === undefined) this.v = v;
    else if (!equal(this.v, v)) throw new RegoError('eval_conflict_error', this.conflict, this.node.rules[0]?.loc);
  }
}

/**
 * Values under a tracer: as Values, and from the first value on what the rules do is held back
 * until the consumer's Redo (Tracer.deferStart … deferEnd), as OPA's trace orders it.
 */
class TracedValues {
  v: Value | undefined = undefined;
  private held = false;
  constructor(
    private readonly node: DataNode,
    private readonly conflict: string,
    private readonly tr: Tracer,
  ) {}

  add(v: Value): void {
    if (this.v === undefined) {
      this.v = v;
      this.hold();
    } else if (!equal(this.v, v)) throw new RegoError('eval_conflict_error', this.conflict, this.node.rules[0]?.loc);
  }

  hold(): void {
    if (this.held) return;
    this.tr.deferStart();
    this.held = true;
  }

  /** Releases what was held (once the rules are done). */
  end(): void {
    if (this.held) this.tr.deferEnd();
  }
}

/** Several rules, each with the same constant value and no else branch (see DataNode.earlyExit). */
/** OPA's index result is an early exit when every rule gives the same constant value (no else). */
function oneConstantValue(rules: readonly CRule[]): boolean {
  if (rules.length === 0) return false;
  const first = rules[0].value;
  if (first.t !== 'const') return false;
  for (const r of rules) if (r.elses.length > 0 || r.value.t !== 'const' || !equal(r.value.v, first.v)) return false;
  return true;
}

/** The message of OPA's Index event. */
function indexMessage(matched: number, early: boolean): string {
  return `(matched ${matched} rule${matched === 1 ? '' : 's'}${early ? ', early exit' : ''})`;
}

function sameConstantValue(rules: readonly CRule[]): boolean {
  if (rules.length < 2) return false;
  const first = rules[0].value;
  if (first.t !== 'const') return false;
  for (const r of rules) {
    if (r.elses.length > 0 || r.value.t !== 'const' || !equal(r.value.v, first.v)) return false;
  }
  return true;
}

/** Every constant argument pattern equals its argument. */
function constArgsMatch(patterns: CTerm[], args: Value[]): boolean {
  for (let i = 0; i < patterns.length; i++) {
    const p = patterns[i];
    if (p.t === 'const' && !equal(p.v, args[i])) return false;
  }
  return true;
}

/** Bind plain-variable argument patterns directly: true (bound), false (mismatch), null (needs unification). */
function bindArgs(patterns: CTerm[], args: Value[], env: Env): boolean | null {
  for (let i = 0; i < patterns.length; i++) {
    const p = patterns[i];
    if (p.t === 'var') {
      const cur = env[p.slot];
      if (cur === undefined) env[p.slot] = args[i];
      else if (!equal(cur, args[i])) return false;
    } else if (p.t === 'const') {
      if (!equal(p.v, args[i])) return false;
    } else {
      for (let j = 0; j < i; j++) {
        const q = patterns[j];
        if (q.t === 'var') env[q.slot] = undefined;
      }
      return null;
    }
  }
  return true;
}

function collectAllVars(t: CTerm, out: number[]): void {
  switch (t.t) {
    case 'var':
      out.push(t.slot);
      return;
    case 'const':
      return;
    case 'array':
    case 'set':
      for (const x of t.items) collectAllVars(x, out);
      return;
    case 'object':
      for (const [kk, vv] of t.items) {
        collectAllVars(kk, out);
        collectAllVars(vv, out);
      }
      return;
    case 'ref':
      if (t.head.h === 'term') collectAllVars(t.head.term, out);
      for (const p of t.path) collectAllVars(p, out);
      return;
    case 'call':
      for (const a of t.args) collectAllVars(a, out);
      return;
    default: {
      const needs = getClosureNeeds(t);
      if (needs) for (const n of needs) out.push(n);
      return;
    }
  }
}

function collectPatVars(t: CTerm, out: number[]): void {
  switch (t.t) {
    case 'var':
      out.push(t.slot);
      return;
    case 'array':
    case 'set':
      for (const x of t.items) collectPatVars(x, out);
      return;
    case 'object':
      for (const [kk, vv] of t.items) {
        collectPatVars(kk, out);
        collectPatVars(vv, out);
      }
      return;
    default:
      return;
  }
}

export function select(v: Value, key: Value): Value | undefined {
  if (Array.isArray(v)) {
    return typeof key === 'number' && Number.isInteger(key) && key >= 0 && key < v.length ? v[key] : undefined;
  }
  if (v instanceof ObjectV) return typeof key === 'string' ? v.getStr(key) : v.get(key);
  if (v instanceof SetV) return v.has(key) ? key : undefined;
  return undefined;
}

/** Lookup in a base document: an integer key also finds the same digits as a string key. */
function selectBase(v: Value, key: Value): Value | undefined {
  const r = select(v, key);
  if (r === undefined && v instanceof ObjectV && (typeof key === 'number' || typeof key === 'bigint')) return v.getStr(formatNumber(key));
  return r;
}

/** Merge two documents defined for the same path by different rules: objects merge, sets union. */
function mergeDocs(a: Value, b: Value): Value {
  if (a instanceof SetV && b instanceof SetV && a.assembled && b.assembled) return structural(new SetV([...a.values(), ...b.values()]));
  if (a instanceof ObjectV && b instanceof ObjectV && a.assembled && b.assembled) {
    const o = structural(new ObjectV(a.entries()));
    for (const [kk, vv] of b.entries()) {
      const prev = o.get(kk);
      o.set(kk, prev === undefined ? vv : mergeDocs(prev, vv));
    }
    return o;
  }
  if (equal(a, b)) return a;
  throw new RegoError('eval_conflict_error', 'object keys must be unique');
}

function member(x: Value, coll: Value): boolean {
  if (Array.isArray(coll)) return coll.some((e) => equal(e, x));
  if (coll instanceof SetV) return coll.has(x);
  if (coll instanceof ObjectV) {
    for (const [, v] of coll.entries()) if (equal(v, x)) return true;
  }
  return false;
}

function member3(key: Value, x: Value, coll: Value): boolean {
  const v = select(coll, key);
  if (coll instanceof SetV) return false;
  return v !== undefined && equal(v, x);
}

function upsert(doc: Value | undefined, path: string[], v: Value): Value {
  if (path.length === 0) return v;
  const o = new ObjectV();
  if (doc instanceof ObjectV) for (const [kk, vv] of doc.entries()) o.set(kk, vv);
  const [head, ...rest] = path;
  o.set(head, upsert(o.getStr(head), rest, v));
  return o;
}

function addOverride(root: OvNode | null, path: string[], v: Value): OvNode {
  if (path.length === 0) return { value: v };
  const node: OvNode = { value: root?.value, children: new Map(root?.children ?? []) };
  if (node.value !== undefined) {
    // an override below an already-overridden value patches that value
    return { value: upsert(node.value, path, v) };
  }
  const [head, ...rest] = path;
  node.children!.set(head, addOverride(node.children!.get(head) ?? null, rest, v));
  return node;
}

function applyOverride(v: Value | undefined, ov: OvNode): Value | undefined {
  if (ov.value !== undefined) return ov.value;
  if (!ov.children || ov.children.size === 0) return v;
  const o = new ObjectV();
  if (v instanceof ObjectV) for (const [kk, vv] of v.entries()) o.set(kk, vv);
  else if (v !== undefined) return v; // overriding inside a non-object: keep the value
  for (const [name, child] of ov.children) {
    const x = applyOverride(o.getStr(name), child);
    if (x !== undefined) o.set(name, x);
  }
  return o;
}

/**
 * Documents built from rule heads and packages (not values written in a rule body) are
 * flagged `assembled`: only these merge when several rules define parts of one path, and
 * only these may be extended in place while being built.
 */
function structural<T extends ObjectV | SetV>(v: T): T {
  v.assembled = true;
  return v;
}

/** Whether the object already holds a value at the key path (a default must not replace it). */
function hasPath(obj: ObjectV, keys: Value[]): boolean {
  let cur: Value | undefined = obj;
  for (const k of keys) {
    if (!(cur instanceof ObjectV)) return false;
    cur = cur.get(k);
    if (cur === undefined) return false;
  }
  return true;
}

function insertPath(obj: ObjectV, keys: Value[], v: Value, rule: CRule): void {
  let cur = obj;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = cur.get(keys[i]);
    if (next === undefined) {
      const o = structural(new ObjectV());
      cur.set(keys[i], o);
      cur = o;
    } else if (next instanceof ObjectV) {
      if (!next.assembled) {
        const copy = structural(new ObjectV(next.entries()));
        cur.set(keys[i], copy);
        cur = copy;
      } else cur = next;
    } else {
      throw new RegoError('eval_conflict_error', 'object keys must be unique', rule.loc);
    }
  }
  const last = keys[keys.length - 1];
  const prev = cur.get(last);
  if (rule.multi) {
    if (prev === undefined) {
      const set = structural(new SetV([v]));
      cur.set(last, set);
    } else if (prev instanceof SetV && prev.assembled) prev.add(v);
    else throw new RegoError('eval_conflict_error', 'object keys must be unique', rule.loc);
    return;
  }
  if (prev !== undefined && !equal(prev, v)) throw new RegoError('eval_conflict_error', 'object keys must be unique', rule.loc);
  cur.set(last, v);
}
