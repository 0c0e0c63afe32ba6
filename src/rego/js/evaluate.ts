// One evaluation of a document compiled to JavaScript (runtime.ts): the builtins' context, the
// budget (steps counted per loop iteration and per unit of builtin work, the clock read every
// `clockCheckInterval` of them), and what the result depended on — as the evaluator keeps them.

import type { BuiltinContext } from '../builtins/types.js';
import { RegoError } from '../errors.js';
import type { Value } from '../value.js';
import type { JsEvalState, JsPlan } from './runtime.js';

export interface JsEvalOptions {
  strict: boolean;
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

export function evaluateJs(plan: JsPlan, entrypoint: number, input: Value | undefined, data: Value, opts: JsEvalOptions): JsEvalOutcome {
  const deps = { time: false, random: false, external: false };
  const clock = opts.clockMs ?? Date.now;
  const every = Math.max(1, opts.clockCheckInterval ?? 1024);
  const deadline = opts.timeoutMs === undefined ? Infinity : clock() + opts.timeoutMs;
  let spent = 0;
  let now = opts.nowNs;
  const ticker = {
    n: every,
    check(): void {
      spent += every - ticker.n;
      if (spent > opts.maxSteps) throw new RegoError('eval_budget_exceeded', `evaluation exceeded the budget of ${opts.maxSteps} steps`);
      if (deadline !== Infinity && clock() > deadline)
        throw new RegoError('eval_budget_exceeded', `evaluation exceeded the time budget of ${opts.timeoutMs} ms`);
      ticker.n = every;
    },
  };
  const ctx: BuiltinContext = {
    strict: opts.strict,
    nowNs: () => {
      deps.time = true;
      return (now ??= BigInt(Date.now()) * 1_000_000n);
    },
    markRandom: () => void (deps.random = true),
    markExternal: () => void (deps.external = true),
    print: () => undefined,
    checkBudget: (cost: number) => {
      ticker.n -= cost;
      if (ticker.n < 0) ticker.check();
    },
  };
  const state: JsEvalState = {
    ctx,
    ticker,
    builtinError: (e: unknown, name: string) => {
      if (e instanceof RegoError) {
        if (e.code === 'eval_type_error' || e.code === 'eval_builtin_error') {
          if (opts.strict) throw e;
          return;
        }
        throw e;
      }
      if (e instanceof RangeError) throw e;
      if (opts.strict) throw new RegoError('eval_builtin_error', `${name}: ${e instanceof Error ? e.message : String(e)}`);
    },
    nondeterministic: (name: string) => {
      if (name.startsWith('time.now')) deps.time = true;
      else if (name.startsWith('http.') || name.startsWith('net.lookup')) deps.external = true;
      else deps.random = true;
    },
  };
  const rs = plan.run(entrypoint, input, data, state);
  return { value: rs[0], deps };
}
