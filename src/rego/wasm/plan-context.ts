// What the planner (planner.ts) carries while it emits a plan: the frame of locals, where code
// goes (block, depth, bound variables), what `with` changed (the world), and small helpers.

import { funcId } from '../compiler/compile.js';
import type { CFunc, CTerm } from '../compiler/ir.js';
import type { Loc } from '../ast.js';
import { ObjectV, SetV, type Value } from '../value.js';
import { planText, type L, type PlanValue, type Stmt } from './plan.js';

/** A construct the wasm target does not support (yet): named, with where it is. */
export class WasmPlanError extends Error {
  readonly code = 'wasm_unsupported_error';
  constructor(
    message: string,
    readonly loc?: Loc,
  ) {
    super(loc ? `${loc.file ?? ''}:${loc.row}: ${message}` : message);
  }
}

export const CONFLICT_COMPLETE = 'complete rules must not produce multiple outputs';
export const CONFLICT_FUNCTION = 'functions must not produce multiple outputs for same inputs';
export const CONFLICT_OBJECT = 'object keys must be unique';

/** Locals of one plan function: 0 input, 1 data, then parameters, the rules' variables, temporaries. */
export class Frame {
  locals: number;
  constructor(
    readonly slotBase: number,
    slots: number,
  ) {
    this.locals = slotBase + slots;
  }
  temp(): L {
    return this.locals++;
  }
  slot(s: number): L {
    return this.slotBase + s;
  }
}

/**
 * What `with` changed for the code being planned: data paths whose value now comes from the data
 * local (replaced there by the expression that has the `with`), and replaced functions. Input
 * needs no entry: it is always the input local, which `with input` replaces. Rule functions are
 * planned once per world they are called in.
 */
export interface World {
  readonly key: string;
  readonly dataPaths: readonly (readonly string[])[];
  readonly mocks: ReadonlyMap<string, Mock>;
}

/** A replaced function: by another function, a constant, or a value the `with` computed (kept in
 * the data local under WITH_KEY, so that the rule functions called under it see it too). */
export type Mock = { fn: CFunc } | { value: Value } | { computed: true };

export const WITH_KEY = '\u0000with';

export const NO_WORLD: World = { key: '', dataPaths: [], mocks: new Map() };

/** Where code is being emitted: the block, its depth below the function's body, the bound variables. */
/** Statements the plan being made may still emit (Planner.plan sets it): a policy whose plan would
 * grow past it (every rule planned again under each \`with\`) is refused rather than planned. */
export const statementBudget = { left: Infinity };

export class Ctx {
  constructor(
    readonly frame: Frame,
    readonly block: Stmt[],
    readonly depth: number,
    readonly bound: ReadonlySet<number>,
    readonly world: World = NO_WORLD,
  ) {}
  emit(s: Stmt): void {
    if (--statementBudget.left < 0) throw new WasmPlanError('the plan grows beyond its size bound');
    this.block.push(s);
  }
  /** A `blocks` statement with one block here; code for the block goes to the returned context. */
  nested(): Ctx {
    const inner: Stmt[] = [];
    this.emit(['blocks', [inner]]);
    return new Ctx(this.frame, inner, this.depth + 1, this.bound, this.world);
  }
  inside(block: Stmt[]): Ctx {
    return new Ctx(this.frame, block, this.depth + 1, this.bound, this.world);
  }
  bind(slot: number): Ctx {
    const b = new Set(this.bound);
    b.add(slot);
    return new Ctx(this.frame, this.block, this.depth, b, this.world);
  }
  in(world: World): Ctx {
    return new Ctx(this.frame, this.block, this.depth, this.bound, world);
  }
  /** `break` that exits every block from here out to (and including) `outer`'s. */
  breakTo(outer: Ctx): Stmt {
    return ['break', this.depth - outer.depth];
  }
}

export type K = (c: Ctx) => void;
export type KV = (c: Ctx, v: L) => void;

export function makeWorld(dataPaths: readonly (readonly string[])[], mocks: ReadonlyMap<string, Mock>): World {
  if (dataPaths.length === 0 && mocks.size === 0) return NO_WORLD;
  const key = JSON.stringify([dataPaths, [...mocks].map(([id, m]) => [id, 'fn' in m ? funcId(m.fn) : 'value' in m ? planText(toPlanValue(m.value)) : 0])]);
  return { key, dataPaths, mocks };
}

/** `with` replaced the document at `path` or above it. */
export function replaced(world: World, path: readonly string[]): boolean {
  return world.dataPaths.some((p) => p.length <= path.length && p.every((s, i) => path[i] === s));
}

/** All of a term's pattern variables (outside refs and calls) are bound. */
export function evaluable(t: CTerm, bound: ReadonlySet<number>): boolean {
  switch (t.t) {
    case 'var':
      return bound.has(t.slot);
    case 'array':
    case 'set':
      return t.items.every((x) => evaluable(x, bound));
    case 'object':
      return t.items.every(([a, b]) => evaluable(a, bound) && evaluable(b, bound));
    default:
      return true;
  }
}

export function toPlanValue(v: Value): PlanValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (Array.isArray(v)) return { a: v.map(toPlanValue) };
  if (v instanceof ObjectV) return { o: Array.from(v.entries(), ([a, b]): [PlanValue, PlanValue] => [toPlanValue(a), toPlanValue(b)]) };
  if (v instanceof SetV) return { s: Array.from(v.values(), toPlanValue) };
  throw new WasmPlanError(`constant of unknown kind`);
}
