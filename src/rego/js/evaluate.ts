// One evaluation of a document compiled to JavaScript (runtime.ts): the builtins' context, the
// budget (steps counted per loop iteration and per unit of builtin work, the clock read every
// `clockCheckInterval` of them), and what the result depended on — as the evaluator keeps them.
// One object with its methods on the prototype, not closures made per evaluation: optimized code
// that calls a closure keeps it as its target, and a closure that dies with its evaluation
// discards that code ("weak objects" deoptimizations, and V8 compiling it again).

import type { BuiltinContext } from '../builtins/types.js';
import { RegoError } from '../errors.js';
import type { Value } from '../value.js';
import type { JsEvalState, JsPlan } from './runtime.js';

export interface JsEvalOptions {
  maxSteps: number;
  timeoutMs?: number;
  clockMs?: () => number;
  clockCheckInterval?: number;
  nowNs?: bigint;
}

export interface JsEvalOutcome {
  value: Value | undefined;
  deps: { time: boolean; random: boolean; external: boolean };
}

/** Builtin errors make the call undefined: strict evaluations run on the evaluator. */
class JsEvaluation implements JsEvalState, BuiltinContext {
  readonly strict = false;
  readonly deps = { time: false, random: false, external: false };
  /** Steps left before check() (the generated code counts it down from `chunk`). */
  n: number;
  private chunk: number;
  private spent = 0;
  private readonly every: number;
  private readonly deadline: number;
  private readonly clock: () => number;
  private now: bigint | undefined;

  constructor(private readonly opts: JsEvalOptions) {
    this.clock = opts.clockMs ?? Date.now;
    this.every = Math.max(1, opts.clockCheckInterval ?? 1024);
    this.n = this.chunk = Math.min(this.every, opts.maxSteps + 1);
    this.deadline = opts.timeoutMs === undefined ? Infinity : this.clock() + opts.timeoutMs;
    this.now = opts.nowNs;
  }

  get ctx(): BuiltinContext {
    return this;
  }

  get ticker(): JsEvaluation {
    return this;
  }

  check(): void {
    this.spent += this.chunk - this.n;
    if (this.spent > this.opts.maxSteps) throw new RegoError('eval_budget_exceeded', `evaluation exceeded the budget of ${this.opts.maxSteps} steps`);
    if (this.deadline !== Infinity && this.clock() > this.deadline) {
      throw new RegoError('eval_budget_exceeded', `evaluation exceeded the time budget of ${this.opts.timeoutMs} ms`);
    }
    // the next check comes when the budget would be exceeded, or at the clock's interval
    this.n = this.chunk = Math.min(this.every, this.opts.maxSteps - this.spent + 1);
  }

  nowNs(): bigint {
    this.deps.time = true;
    return (this.now ??= BigInt(Date.now()) * 1_000_000n);
  }

  markRandom(): void {
    this.deps.random = true;
  }

  markExternal(): void {
    this.deps.external = true;
  }

  print(): void {
    // printing evaluations run on the evaluator
  }

  checkBudget(cost: number): void {
    this.n -= cost;
    if (this.n < 0) this.check();
  }

  builtinError(e: unknown): void {
    // type and builtin errors: undefined; conflicts, budgets and stack exhaustion: raised
    if (e instanceof RegoError && e.code !== 'eval_type_error' && e.code !== 'eval_builtin_error') throw e;
    if (e instanceof RangeError) throw e;
  }

  nondeterministic(name: string): void {
    if (name.startsWith('time.now')) this.deps.time = true;
    else if (name.startsWith('http.') || name.startsWith('net.lookup')) this.deps.external = true;
    else this.deps.random = true;
  }
}

export function evaluateJs(plan: JsPlan, entrypoint: number, input: Value | undefined, data: Value, opts: JsEvalOptions): JsEvalOutcome {
  const ev = new JsEvaluation(opts);
  const rs = plan.run(entrypoint, input, data, ev);
  return { value: rs[0], deps: ev.deps };
}
