// Records OPA-style trace events while the evaluator runs (only when asked: the evaluator
// holds a Tracer in a field that is undefined otherwise). Events keep the AST nodes and a
// snapshot of the local bindings; renderers (render.ts) turn them into OPA's JSON or text.

import type { Body, Expr, Rule, Term } from '../ast.js';
import type { CBody, CExpr, CRule, CTerm, NameScope } from '../compiler/ir.js';
import type { Location } from '../errors.js';
import type { Value } from '../value.js';
import { valueAst } from './value-ast.js';

/** OPA's event ops this engine emits (not Save: partial evaluation has its own path; not Wasm, Duplicate). */
export type TraceOp = 'Enter' | 'Exit' | 'Eval' | 'Redo' | 'Fail' | 'Note' | 'Index' | 'Unify';

export interface TraceEvent {
  op: TraceOp;
  queryId: number;
  parentId: number;
  type: 'expr' | 'rule' | 'body';
  /** type expr: the expression and its position in its body */
  expr?: Expr;
  index?: number;
  /** type rule: the rule and its path under data (`data.a.b.p`) */
  rule?: Rule;
  rulePath?: string;
  /** type body: the query's expressions */
  body?: Body;
  /** local variable bindings when the event happened (names starting with `$` left out) */
  locals: [string, Value][];
  location: Location;
  message?: string;
  /** Names the node's expressions refer to (its rule's module, its query's locals): the text trace resolves them as OPA's compiler does */
  scope?: NameScope;
  localNames?: ReadonlySet<string>;
  /** Index events: the rule reference looked up (`data.a.p`), which OPA's text trace shows instead of the node */
  ref?: string;
  /** process.hrtime.bigint() at the event, in ns (the profiler's clock) */
  at: bigint;
}

/** Events kept per evaluation; beyond it the trace ends with a note saying so (memory stays bounded). */
export const DEFAULT_MAX_EVENTS = 100_000;

type Env = (Value | undefined)[];

const QUERY_LOC: Location = { file: '', row: 1, col: 1 };

export class Tracer {
  readonly events: TraceEvent[] = [];
  /**
   * Where events go: `events`, or a hold-back buffer. OPA runs the rest of a query inside the
   * callback of a complete rule's (or function's) first result, so what the rule does after
   * that result (its Redo events, its other rules) comes after the rest of the query. This
   * engine computes the value first; the evaluator holds those events back (deferStart /
   * deferEnd) and the expression that read the value emits them after its own Redo.
   */
  private sink: TraceEvent[] = this.events;
  /** The sinks a deferStart replaced, innermost last. */
  private readonly sinks: TraceEvent[][] = [];
  /** Held-back chunks waiting for the expression that consumes them (see takePending). */
  private readonly pending: TraceEvent[][] = [];
  private count = 0;
  /** The query whose expressions are being evaluated now, and its parent. */
  cur = 0;
  parent = 0;
  /** Expression being evaluated now (Note and Index events point at it). */
  curExpr: CExpr | null = null;
  curEnv: Env | null = null;
  truncated = false;
  /** The rule whose body is being evaluated (null in the query): names in its expressions resolve in its package. */
  curRule: CRule | null = null;
  private nextId = 1;
  private readonly names = new WeakMap<object, Map<number, string>>();

  constructor(private readonly maxEvents = DEFAULT_MAX_EVENTS) {}

  newQuery(): number {
    return this.nextId++;
  }

  private push(ev: TraceEvent): void {
    if (this.count >= this.maxEvents) {
      if (!this.truncated) {
        this.truncated = true;
        this.events.push({ ...ev, op: 'Note', message: `trace truncated after ${this.maxEvents} events` });
      }
      return;
    }
    this.count++;
    this.sink.push(ev);
  }

  /** Hold back the events from now on (until the matching deferEnd). */
  deferStart(): void {
    this.sinks.push(this.sink);
    this.sink = [];
  }

  /** Stop holding back; the held events wait in `pending` for their consumer. */
  deferEnd(): void {
    const chunk = this.sink;
    this.sink = this.sinks.pop() ?? this.events;
    if (chunk.length > 0) this.pending.push(chunk);
  }

  /** A mark to give to takePending: chunks held back after it belong to the caller. */
  pendingMark(): number {
    return this.pending.length;
  }

  takePending(mark: number): TraceEvent[][] | null {
    return this.pending.length > mark ? this.pending.splice(mark) : null;
  }

  /** Emit held-back chunks, the latest first (OPA unwinds the innermost callback first). */
  flush(chunks: TraceEvent[][] | null): void {
    if (chunks === null) return;
    for (let i = chunks.length - 1; i >= 0; i--) for (const ev of chunks[i]) this.sink.push(ev);
  }

  expr(op: TraceOp, e: CExpr, index: number, env: Env, body: CBody, message?: string): void {
    this.push({
      op,
      queryId: this.cur,
      parentId: this.parent,
      type: 'expr',
      expr: e.src,
      index,
      locals: this.locals(env, body),
      scope: this.curRule?.scope,
      localNames: this.localNames(body),
      location: e.loc,
      message,
      at: process.hrtime.bigint(),
    });
  }

  rule(op: TraceOp, r: CRule, env: Env, message?: string): void {
    this.push({
      op,
      queryId: this.cur,
      parentId: this.parent,
      type: 'rule',
      rule: r.src,
      rulePath: r.name,
      locals: this.locals(env, r),
      location: r.loc,
      message,
      at: process.hrtime.bigint(),
    });
  }

  /** An event whose node is an expression of the current query that is not one of its body's (`every`, a unification). */
  node(op: TraceOp, e: Expr, env: Env, owner: CBody, message?: string): void {
    this.push({
      op,
      queryId: this.cur,
      parentId: this.parent,
      type: 'expr',
      expr: e,
      index: 0,
      locals: this.locals(env, owner),
      scope: this.curRule?.scope,
      localNames: this.localNames(owner),
      location: e.loc,
      message,
      at: process.hrtime.bigint(),
    });
  }

  body(op: TraceOp, b: CBody, env: Env, message?: string): void {
    this.push({
      op,
      queryId: this.cur,
      parentId: this.parent,
      type: 'body',
      body: b.map((e) => e.src).filter((e): e is Expr => e !== undefined),
      locals: this.locals(env, b),
      scope: this.curRule?.scope,
      localNames: this.localNames(b),
      location: b[0]?.loc ?? QUERY_LOC,
      message,
      at: process.hrtime.bigint(),
    });
  }

  /** An event for a query the evaluator made itself (the ref a Data API path reads). */
  synthetic(op: TraceOp, type: 'body' | 'expr', e: Expr): void {
    this.push({
      op,
      queryId: this.cur,
      parentId: this.parent,
      type,
      ...(type === 'body' ? { body: [e] } : { expr: e, index: 0 }),
      locals: [],
      location: e.loc,
      at: process.hrtime.bigint(),
    });
  }

  /**
   * OPA's Unify event for `a = b` / `a := b`: the two sides as the evaluator sees them (a bound
   * variable shows its value), at the expression's location. One per unification expression;
   * OPA also emits them for each element of composite values, each ref step and each rule head.
   */
  unify(e: CExpr, env: Env, owner: CBody): void {
    const src = e.src;
    if (e.op !== 'unify' || src?.kind !== 'term' || src.term.type !== 'call' || src.term.args.length !== 2) return;
    const side = (c: CTerm, t: Term): Term => {
      const v = c.t === 'var' ? env[c.slot] : undefined;
      return v === undefined ? t : valueAst(v, t.loc);
    };
    const loc = src.loc;
    const node: Expr = {
      kind: 'term',
      term: { type: 'call', name: 'eq', args: [side(e.a, src.term.args[0]), side(e.b, src.term.args[1])], loc },
      negated: false,
      with: [],
      loc,
    };
    this.node('Unify', node, env, owner);
  }

  /** After an evaluation (or its error): stop holding events back and emit whatever is still held. */
  settle(): void {
    // an error may have left holds open: close them, losing no event
    while (this.sinks.length > 0) this.deferEnd();
    this.flush(this.pending.splice(0));
  }

  /** A Note (from `trace()`), or an Index event (rules looked up for `ref`), at the expression being evaluated. */
  note(op: 'Note' | 'Index', message: string, ref?: string): void {
    const e = this.curExpr;
    this.push({
      op,
      ref,
      queryId: this.cur,
      parentId: this.parent,
      type: 'expr',
      expr: e?.src,
      locals: e !== null && this.curEnv !== null ? this.locals(this.curEnv, [e]) : [],
      location: e?.loc ?? QUERY_LOC,
      message,
      at: process.hrtime.bigint(),
    });
  }

  private slotNames(owner: CBody | CRule): Map<number, string> {
    let names = this.names.get(owner);
    if (names === undefined) {
      names = new Map();
      if (Array.isArray(owner)) for (const e of owner) exprVars(e, names);
      else ruleVars(owner, names);
      this.names.set(owner, names);
    }
    return names;
  }

  private readonly nameSets = new WeakMap<object, Set<string>>();

  private localNames(owner: CBody): ReadonlySet<string> {
    let set = this.nameSets.get(owner);
    if (set === undefined) this.nameSets.set(owner, (set = new Set(this.slotNames(owner).values())));
    return set;
  }

  private locals(env: Env, owner: CBody | CRule): [string, Value][] {
    const names = this.slotNames(owner);
    const out: [string, Value][] = [];
    for (const [slot, name] of names) {
      const v = env[slot];
      if (v !== undefined) out.push([name, v]);
    }
    return out;
  }
}

function ruleVars(r: CRule, out: Map<number, string>): void {
  for (const t of r.args ?? []) termVars(t, out);
  for (const t of r.keyPath) termVars(t, out);
  if (r.key !== null) termVars(r.key, out);
  termVars(r.value, out);
  for (const e of r.body) exprVars(e, out);
}

function exprVars(e: CExpr, out: Map<number, string>): void {
  switch (e.op) {
    case 'term':
      termVars(e.term, out);
      break;
    case 'unify':
      termVars(e.a, out);
      termVars(e.b, out);
      break;
    case 'call':
      for (const a of e.args) termVars(a, out);
      if (e.out !== null) termVars(e.out, out);
      break;
    case 'somein':
      if (e.key !== null) termVars(e.key, out);
      termVars(e.value, out);
      termVars(e.coll, out);
      break;
    case 'every':
      if (e.key !== null) termVars(e.key, out);
      termVars(e.value, out);
      termVars(e.domain, out);
      break;
    default:
      break;
  }
}

function termVars(t: CTerm, out: Map<number, string>): void {
  switch (t.t) {
    case 'var':
      if (!t.name.startsWith('$')) out.set(t.slot, t.name);
      return;
    case 'array':
    case 'set':
      for (const x of t.items) termVars(x, out);
      return;
    case 'object':
      for (const [k, v] of t.items) {
        termVars(k, out);
        termVars(v, out);
      }
      return;
    case 'ref':
      if (t.head.h === 'term') termVars(t.head.term, out);
      for (const x of t.path) termVars(x, out);
      return;
    case 'call':
      for (const x of t.args) termVars(x, out);
      return;
    default:
      // constants bind nothing; comprehensions have their own scope
      return;
  }
}
