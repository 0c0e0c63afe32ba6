// What code generated from a plan (codegen.ts) runs on: this engine's values, its builtins, and
// the plan's statements that are more than a line (object and set updates, conflicts, scans).

import { BUILTINS, walkNodes } from '../builtins/index.js';
import type { BuiltinContext } from '../builtins/types.js';
import { RegoError } from '../errors.js';
import { compare, equal, ObjectV, SetV, type Value } from '../value.js';
import type { Plan, PlanValue } from '../wasm/plan.js';
import { planSource } from './codegen.js';

export type BuiltinCall = (args: Value[]) => Value | undefined;

/** Per evaluation: the builtins' context and what the evaluation depended on. */
export interface JsEvalState {
  ctx: BuiltinContext;
  /** Counted down on every loop iteration; check() is called when it goes below 0 (it throws
   * when the budget is spent, or sets n again). */
  ticker: { n: number; check(): void };
  /** A builtin failed: the call is undefined, or (conflicts, budgets) the error is raised. */
  builtinError(e: unknown, name: string): void;
  /** A non-deterministic builtin answered. */
  nondeterministic(name: string, args: Value[], result: Value | undefined): void;
}

export type EntrypointFn = (input: Value | undefined, data: Value, ticker: JsEvalState['ticker']) => Value[];

/** The plan compiled to JavaScript: run entrypoint i with `state` current. */
export class JsPlan {
  private state: JsEvalState | null = null;
  private readonly fns: EntrypointFn[];

  constructor(readonly plan: Plan) {
    const consts = plan.consts.map(fromPlanValue);
    const builtins = plan.builtins.map((name) => this.builtin(name));
    const rt = {
      K: consts,
      B: builtins,
      member,
      memberStr,
      len,
      equal,
      compare,
      ObjectV,
      SetV,
      ocopy,
      oonce: (o: Value | undefined, k: Value | undefined, v: Value | undefined, msg: number): boolean => oonce(o, k, v, consts[msg] as string),
      once: (cur: Value | undefined, v: Value, msg: number): Value => {
        if (cur !== undefined && !equal(cur, v)) throw new RegoError('eval_conflict_error', consts[msg] as string);
        return v;
      },
      sadd,
      abort: (msg: number): never => {
        throw new RegoError('eval_conflict_error', consts[msg] as string);
      },
    };
    // the point of this engine: source V8 compiles (and inlines) like any other code
    const make = new Function('rt', planSource(plan, PURE)) as (r: typeof rt) => { entrypoints: EntrypointFn[] };
    this.fns = make(rt).entrypoints;
  }

  run(entrypoint: number, input: Value | undefined, data: Value, state: JsEvalState): Value[] {
    const fn = this.fns[entrypoint];
    if (fn === undefined) throw new Error(`no entrypoint ${entrypoint}`);
    const saved = this.state;
    this.state = state;
    try {
      return fn(input, data, state.ticker);
    } finally {
      this.state = saved;
    }
  }

  private builtin(name: string): BuiltinCall {
    if (name === 'internal.merge_docs') return ([a, b]) => mergeDocs(a as Value, b as Value);
    if (name === 'walk') {
      return ([x]) => {
        const out = walkNodes(x as Value);
        // its work counts against the budget (the scan over it counts again, per element visited)
        this.state?.ctx.checkBudget(out.length);
        return out;
      };
    }
    const b = BUILTINS.get(name);
    if (!b) return () => undefined;
    const nd = b.nondeterministic === true;
    return (args) => {
      const st = this.state as JsEvalState;
      let r: Value | undefined;
      try {
        r = b.fn(args, st.ctx);
      } catch (e) {
        st.builtinError(e, name);
        return undefined;
      }
      if (nd) st.nondeterministic(name, args, r);
      return r;
    };
  }
}

/** Builtins whose value depends on their arguments alone. */
const PURE: ReadonlySet<string> = new Set([
  'internal.merge_docs',
  'walk',
  ...[...BUILTINS.values()].filter((b) => !b.nondeterministic && !b.readsClock).map((b) => b.name),
]);

function fromPlanValue(v: PlanValue): Value {
  if (v === null || typeof v !== 'object') return v;
  if ('a' in v) return v.a.map(fromPlanValue);
  if ('o' in v) return new ObjectV(v.o.map(([k, x]) => [fromPlanValue(k), fromPlanValue(x)]));
  return new SetV(v.s.map(fromPlanValue));
}

function member(src: Value, key: Value): Value | undefined {
  if (src instanceof ObjectV) return typeof key === 'string' ? src.getStr(key) : src.get(key);
  if (Array.isArray(src)) {
    if (typeof key !== 'number' || !Number.isInteger(key) || key < 0) return undefined;
    return src[key];
  }
  if (src instanceof SetV) return src.has(key) ? key : undefined;
  return undefined;
}

function memberStr(src: Value, key: string): Value | undefined {
  if (src instanceof ObjectV) return src.getStr(key);
  if (src instanceof SetV) return src.has(key) ? key : undefined;
  return undefined;
}

function len(v: Value): number | undefined {
  if (Array.isArray(v)) return v.length;
  if (v instanceof ObjectV || v instanceof SetV) return v.size;
  return undefined;
}

function ocopy(src: Value | undefined): ObjectV {
  const o = new ObjectV();
  if (src instanceof ObjectV) for (const [k, v] of src.entries()) o.set(k, v);
  return o;
}

function oonce(o: Value | undefined, k: Value | undefined, v: Value | undefined, msg: string): boolean {
  if (!(o instanceof ObjectV) || k === undefined || v === undefined) return false;
  const prev = o.get(k);
  if (prev !== undefined) {
    if (!equal(prev, v)) throw new RegoError('eval_conflict_error', msg);
    return true;
  }
  o.set(k, v);
  return true;
}

function sadd(s: Value | undefined, v: Value | undefined): boolean {
  if (!(s instanceof SetV) || v === undefined) return false;
  s.add(v);
  return true;
}

function mergeDocs(a: Value, b: Value): Value | undefined {
  if (a instanceof SetV && b instanceof SetV) {
    const out = new SetV(a.values());
    for (const x of b.values()) out.add(x);
    return out;
  }
  if (a instanceof ObjectV && b instanceof ObjectV) {
    const out = ocopy(a);
    for (const [k, x] of b.entries()) {
      const prev = out.get(k);
      const v = prev === undefined ? x : mergeDocs(prev, x);
      if (v === undefined) return undefined;
      out.set(k, v);
    }
    return out;
  }
  return equal(a, b) ? a : undefined;
}
