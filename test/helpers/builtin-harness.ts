// Shared harness for the builtin unit tests: calls a builtin directly with a fixed context
// (strict, a fixed clock) and records the budget it charges.
import { BUILTINS } from '../../src/rego/builtins/index.js';
import type { BuiltinContext } from '../../src/rego/builtins/types.js';
import { RegoError } from '../../src/rego/errors.js';
import { stringify, type Value } from '../../src/rego/value.js';

/** The clock every builtin test sees (2023-12-24T18:58:45.73439Z). */
export const NOW_NS = 1703444325734390000n;

/** Budget charges made through ctx.checkBudget, in order. */
export const budget: number[] = [];

export const ctx: BuiltinContext = {
  strict: true,
  nowNs: () => NOW_NS,
  markRandom: () => undefined,
  markExternal: () => undefined,
  print: () => undefined,
  checkBudget: (c) => void budget.push(c),
};

export function call(name: string, ...args: Value[]): Value | undefined {
  const b = BUILTINS.get(name);
  if (!b) throw new Error(`no builtin ${name}`);
  return b.fn(args, ctx);
}

export function show(v: Value | undefined): string {
  return v === undefined ? 'undefined' : stringify(v);
}

/** The RegoError a call raises (fails the test if it does not raise one). */
export function err(name: string, ...args: Value[]): RegoError {
  try {
    call(name, ...args);
  } catch (e) {
    if (e instanceof RegoError) return e;
    throw e;
  }
  throw new Error(`${name} did not throw`);
}
