// Records OPA-style trace events while the evaluator runs (only when asked: the evaluator
// holds a Tracer in a field that is undefined otherwise). Events keep the AST nodes and a
// snapshot of the local bindings; renderers (render.ts) turn them into OPA's JSON or text.

import type { Body, Expr, Rule } from '../ast.js';
import type { CBody, CExpr, CRule, CTerm } from '../compiler/ir.js';
import type { Location } from '../errors.js';
import type { Value } from '../value.js';

export type TraceOp = 'Enter' | 'Exit' | 'Eval' | 'Redo' | 'Fail' | 'Note' | 'Index';

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
  /** process.hrtime.bigint() at the event, in ns (the profiler's clock) */
  at: bigint;
}

/** Events kept per evaluation; beyond it the trace ends with a note saying so (memory stays bounded). */
export const DEFAULT_MAX_EVENTS = 100_000;

type Env = (Value | undefined)[];

const QUERY_LOC: Location = { file: '', row: 1, col: 1 };

export class Tracer {
  readonly events: TraceEvent[] = [];
  /** The query whose expressions are being evaluated now, and its parent. */
  cur = 0;
  parent = 0;
  /** Expression being evaluated now (Note and Index events point at it). */
  curExpr: CExpr | null = null;
  curEnv: Env | null = null;
  truncated = false;
  private nextId = 1;
  private readonly names = new WeakMap<object, Map<number, string>>();

  constructor(private readonly maxEvents = DEFAULT_MAX_EVENTS) {}

  newQuery(): number {
    return this.nextId++;
  }

  private push(ev: TraceEvent): void {
    if (this.events.length >= this.maxEvents) {
      if (!this.truncated) {
        this.truncated = true;
        this.events.push({ ...ev, op: 'Note', message: `trace truncated after ${this.maxEvents} events` });
      }
      return;
    }
    this.events.push(ev);
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
      location: e.loc,
      message,
      at: process.hrtime.bigint(),
    });
  }

  rule(op: TraceOp, r: CRule, env: Env): void {
    this.push({
      op,
      queryId: this.cur,
      parentId: this.parent,
      type: 'rule',
      rule: r.src,
      rulePath: r.name,
      locals: this.locals(env, r),
      location: r.loc,
      at: process.hrtime.bigint(),
    });
  }

  body(op: TraceOp, b: CBody, env: Env): void {
    this.push({
      op,
      queryId: this.cur,
      parentId: this.parent,
      type: 'body',
      body: b.map((e) => e.src).filter((e): e is Expr => e !== undefined),
      locals: this.locals(env, b),
      location: b[0]?.loc ?? QUERY_LOC,
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

  /** A Note (from `trace()`) or Index event at the expression being evaluated. */
  note(op: 'Note' | 'Index', message: string): void {
    const e = this.curExpr;
    this.push({
      op,
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

  private locals(env: Env, owner: CBody | CRule): [string, Value][] {
    let names = this.names.get(owner);
    if (names === undefined) {
      names = new Map();
      if (Array.isArray(owner)) for (const e of owner) exprVars(e, names);
      else ruleVars(owner, names);
      this.names.set(owner, names);
    }
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
