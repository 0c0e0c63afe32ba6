// Safety analysis and body ordering, as OPA does it: every variable must be bound by
// some expression before an expression that needs it runs. Expressions are reordered
// (keeping the written order where possible) so that producers come before consumers;
// a variable no ordering can bind is a `rego_unsafe_var_error`.

import type { CBody, CExpr, CTerm } from './ir.js';
import { equal } from '../value.js';

/** Value-term pairs of two object patterns with constant keys (null: keys differ; undefined: non-constant key). */
export function objectPairs(a: Extract<CTerm, { t: 'object' }>, b: Extract<CTerm, { t: 'object' }>): [CTerm, CTerm][] | null | undefined {
  if (a.items.length !== b.items.length) return null;
  const pairs: [CTerm, CTerm][] = [];
  for (const [ka, va] of a.items) {
    if (ka.t !== 'const') return undefined;
    const m = b.items.find(([kb]) => kb.t === 'const' && equal(kb.v, ka.v));
    if (!m) return b.items.some(([kb]) => kb.t !== 'const') ? undefined : null;
    pairs.push([va, m[1]]);
  }
  return pairs;
}

export interface TermVars {
  /** Variables in pattern positions (bindable by unification). */
  pat: Set<number>;
  /** Variables in reference operands (bound by iterating the reference). */
  refOut: Set<number>;
  /** Variables that must already be bound. */
  need: Set<number>;
}

const closureNeeds = new WeakMap<object, Set<number>>();

/** Outer variables a comprehension or `every` body uses. */
export function getClosureNeeds(node: object): ReadonlySet<number> | undefined {
  return closureNeeds.get(node);
}

/** Record the outer variables a comprehension or `every` body uses (computed by the compiler). */
export function setClosureNeeds(node: object, needs: Set<number>): void {
  closureNeeds.set(node, needs);
}

export function analyzeTerm(t: CTerm, inPattern: boolean, acc?: TermVars): TermVars {
  const out = acc ?? { pat: new Set(), refOut: new Set(), need: new Set() };
  walk(t, inPattern, false, out);
  return out;
}

function walk(t: CTerm, inPattern: boolean, inRefOperand: boolean, out: TermVars): void {
  switch (t.t) {
    case 'const':
      return;
    case 'var':
      if (inRefOperand) out.refOut.add(t.slot);
      else if (inPattern) out.pat.add(t.slot);
      else out.need.add(t.slot);
      return;
    case 'array':
    case 'set':
      for (const x of t.items) walk(x, inPattern, inRefOperand, out);
      return;
    case 'object':
      for (const [k, v] of t.items) {
        walk(k, false, inRefOperand, out);
        walk(v, inPattern, inRefOperand, out);
      }
      return;
    case 'ref':
      if (t.head.h === 'term') walk(t.head.term, false, false, out);
      for (const p of t.path) walk(p, true, true, out);
      return;
    case 'call':
      for (const a of t.args) walk(a, false, false, out);
      return;
    case 'arraycompr':
    case 'setcompr':
    case 'objectcompr': {
      const n = closureNeeds.get(t);
      if (n) for (const s of n) out.need.add(s);
      return;
    }
  }
}

export interface ExprVars {
  /** Vars that must be bound before the expression can run. */
  need: Set<number>;
  /** Vars the expression binds (given the needs). */
  provides: Set<number>;
  /** For unification: the two sides, so readiness can depend on what is bound. */
  unify?: { a: CTerm; b: CTerm };
  /** Pattern variables of a negated expression (must be bound, or local to it). */
  negPat?: Set<number>;
}

export function analyzeExpr(e: CExpr): ExprVars {
  const need = new Set<number>();
  const provides = new Set<number>();
  const add = (tv: TermVars, patProvides: boolean): void => {
    for (const s of tv.need) need.add(s);
    for (const s of tv.refOut) provides.add(s);
    for (const s of tv.pat) (patProvides ? provides : need).add(s);
  };
  let unify: ExprVars['unify'];
  switch (e.op) {
    case 'term':
      add(analyzeTerm(e.term, false), false);
      break;
    case 'unify': {
      const a = analyzeTerm(e.a, true);
      const b = analyzeTerm(e.b, true);
      add(a, true);
      add(b, true);
      unify = { a: e.a, b: e.b };
      break;
    }
    case 'call':
      for (const a of e.args) add(analyzeTerm(a, false), false);
      if (e.out) add(analyzeTerm(e.out, true), true);
      break;
    case 'somein':
      add(analyzeTerm(e.coll, false), false);
      if (e.key) add(analyzeTerm(e.key, true), true);
      add(analyzeTerm(e.value, true), true);
      break;
    case 'every': {
      add(analyzeTerm(e.domain, false), false);
      const n = closureNeeds.get(e);
      if (n) for (const s of n) need.add(s);
      break;
    }
    case 'noop':
      break;
  }
  if (e.withs) for (const w of e.withs) add(analyzeTerm(w.value, false), false);
  if (e.negated) {
    const negPat = new Set<number>();
    for (const s of provides) negPat.add(s);
    return { need, provides: new Set(), negPat };
  }
  return { need, provides, unify };
}

/** Whether `t` can be evaluated to values given bound vars (pattern vars all bound). */
function evaluable(t: CTerm, bound: (s: number) => boolean): boolean {
  const tv = analyzeTerm(t, true);
  for (const s of tv.pat) if (!bound(s)) return false;
  for (const s of tv.need) if (!bound(s)) return false;
  return true;
}

/** Can a unification run, given bound vars? Mirrors the evaluator's strategy. */
function unifyReady(a: CTerm, b: CTerm, bound: (s: number) => boolean): boolean {
  const needsOk = (t: CTerm): boolean => {
    const tv = analyzeTerm(t, true);
    for (const s of tv.need) if (!bound(s)) return false;
    return true;
  };
  if (!needsOk(a) || !needsOk(b)) return false;
  if (evaluable(a, bound) || evaluable(b, bound)) return true;
  let pairs: [CTerm, CTerm][] | null | undefined;
  if (a.t === 'array' && b.t === 'array' && a.items.length === b.items.length) pairs = a.items.map((x, i) => [x, b.items[i]] as [CTerm, CTerm]);
  else if (a.t === 'object' && b.t === 'object') pairs = objectPairs(a, b);
  if (pairs) {
    // pairwise: repeatedly pick a pair that can run
    const pending = pairs;
    const local = new Set<number>();
    const bnd = (s: number): boolean => bound(s) || local.has(s);
    let progress = true;
    while (pending.length && progress) {
      progress = false;
      for (let i = 0; i < pending.length; i++) {
        const [x, y] = pending[i];
        if (unifyReady(x, y, bnd)) {
          for (const s of analyzeTerm(x, true).pat) local.add(s);
          for (const s of analyzeTerm(y, true).pat) local.add(s);
          pending.splice(i, 1);
          progress = true;
          break;
        }
      }
    }
    return pending.length === 0;
  }
  return false;
}

export interface OrderResult {
  body: CBody;
  /** Unsafe variables (slot → first expression that needed it) when ordering failed. */
  unsafe: { slot: number; expr: CExpr }[];
  bound: Set<number>;
}

/**
 * Order `body` so each expression's needs are bound first. `initiallyBound` says which
 * slots are bound before the body runs (function args, closure vars). `occurrences`
 * counts how many expressions mention each slot (a negated expression may use a var
 * that appears nowhere else: it is local to the negation).
 */
export function orderBody(body: CBody, initiallyBound: (slot: number) => boolean): OrderResult {
  const infos = body.map((e) => ({ e, v: analyzeExpr(e) }));
  const occurrences = new Map<number, number>();
  for (const { v } of infos) {
    const seen = new Set<number>([...v.need, ...v.provides, ...(v.negPat ?? [])]);
    for (const s of seen) occurrences.set(s, (occurrences.get(s) ?? 0) + 1);
  }
  const boundSet = new Set<number>();
  const bound = (s: number): boolean => boundSet.has(s) || initiallyBound(s);
  const ready = (info: { e: CExpr; v: ExprVars }): boolean => {
    const { v } = info;
    if (v.unify && !info.e.negated) {
      for (const w of info.e.withs ?? []) for (const s of analyzeTerm(w.value, false).need) if (!bound(s)) return false;
      return unifyReady(v.unify.a, v.unify.b, bound);
    }
    for (const s of v.need) if (!bound(s)) return false;
    if (v.negPat) for (const s of v.negPat) if (!bound(s) && (occurrences.get(s) ?? 0) > 1) return false;
    if (info.e.negated && info.e.op === 'unify') {
      // a negated unification still needs one side evaluable
      if (!unifyReady(info.e.a, info.e.b, (s) => bound(s) || (occurrences.get(s) ?? 0) <= 1)) return false;
    }
    return true;
  };
  const out: CBody = [];
  const pending = [...infos];
  while (pending.length) {
    let idx = -1;
    for (let i = 0; i < pending.length; i++) {
      if (ready(pending[i])) {
        idx = i;
        break;
      }
    }
    if (idx < 0) break;
    const [info] = pending.splice(idx, 1);
    out.push(info.e);
    for (const s of info.v.provides) boundSet.add(s);
    if (info.v.unify && !info.e.negated) {
      for (const s of analyzeTerm(info.v.unify.a, true).pat) boundSet.add(s);
      for (const s of analyzeTerm(info.v.unify.b, true).pat) boundSet.add(s);
    }
  }
  const unsafe: OrderResult['unsafe'] = [];
  for (const { e, v } of pending) {
    const cands = [...v.need, ...(v.unify ? [...analyzeTerm(v.unify.a, true).pat, ...analyzeTerm(v.unify.b, true).pat] : []), ...(v.negPat ?? [])];
    let reported = false;
    for (const s of cands) {
      if (!bound(s) && !unsafe.some((u) => u.slot === s)) {
        unsafe.push({ slot: s, expr: e });
        reported = true;
      }
    }
    if (!reported && cands.length) unsafe.push({ slot: cands[0], expr: e });
  }
  for (const s of infos.flatMap(({ v }) => [...v.provides])) if (!pending.some((p) => p.v.provides.has(s))) boundSet.add(s);
  return { body: out, unsafe, bound: boundSet };
}
