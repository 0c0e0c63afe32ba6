// Gives every compiled term and expression one object layout. The compiler builds them as
// object literals of ~10 different shapes, which makes every `t.t` / `e.op` read in the
// evaluator's hot loops megamorphic (a slow generic lookup). Copying each into an instance of
// one class with all fields present keeps those reads monomorphic. Runs once, after compiling.

import type { CBody, CExpr, CRule, CTerm, CWith } from './ir.js';
import { getClosureNeeds, setClosureNeeds } from './safety.js';
import type { Value } from '../value.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- the layouts hold any field of the unions */
class TermLayout {
  t: any = undefined;
  v: any = undefined;
  slot: any = undefined;
  name: any = undefined;
  items: any = undefined;
  head: any = undefined;
  path: any = undefined;
  loc: any = undefined;
  fn: any = undefined;
  args: any = undefined;
  term: any = undefined;
  body: any = undefined;
  key: any = undefined;
  value: any = undefined;
  vs: any = undefined;
  pv: any = undefined;
  pre: any = undefined;
}

class ExprLayout {
  op: any = undefined;
  term: any = undefined;
  a: any = undefined;
  b: any = undefined;
  fn: any = undefined;
  args: any = undefined;
  out: any = undefined;
  key: any = undefined;
  value: any = undefined;
  coll: any = undefined;
  domain: any = undefined;
  body: any = undefined;
  negated: any = undefined;
  withs: any = undefined;
  loc: any = undefined;
  text: any = undefined;
  src: any = undefined;
}

class HeadLayout {
  h: any = undefined;
  term: any = undefined;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** A constant term with the shared layout (for terms the evaluator makes itself). */
export function constTerm(v: Value): CTerm {
  const o = new TermLayout();
  o.t = 'const';
  o.v = v;
  return o as CTerm;
}

/** Rewrites terms and expressions reachable from compiled rules/queries into the shared layouts. */
export class Normalizer {
  private readonly terms = new Map<CTerm, CTerm>();
  private readonly exprs = new Map<CExpr, CExpr>();

  rule(r: CRule): void {
    r.keyPath = r.keyPath.map((t) => this.term(t));
    if (r.key !== null) r.key = this.term(r.key);
    r.value = this.term(r.value);
    if (r.args !== null) r.args = r.args.map((t) => this.term(t));
    r.body = this.body(r.body);
    for (const el of r.elses) {
      el.value = this.term(el.value);
      el.body = this.body(el.body);
    }
  }

  body(b: CBody): CBody {
    return b.map((e) => this.expr(e));
  }

  term(t: CTerm): CTerm {
    if (t instanceof TermLayout) return t;
    const done = this.terms.get(t);
    if (done !== undefined) return done;
    const o = Object.assign(new TermLayout(), t) as CTerm;
    this.terms.set(t, o);
    switch (o.t) {
      case 'array':
      case 'set':
        o.items = o.items.map((x) => this.term(x));
        break;
      case 'object':
        o.items = o.items.map(([k, v]) => [this.term(k), this.term(v)] as [CTerm, CTerm]);
        break;
      case 'ref': {
        const h = Object.assign(new HeadLayout(), o.head);
        if (h.term !== undefined) h.term = this.term(h.term);
        o.head = h;
        o.path = o.path.map((x) => this.term(x));
        break;
      }
      case 'call':
        o.args = o.args.map((x) => this.term(x));
        break;
      case 'arraycompr':
      case 'setcompr':
        o.term = this.term(o.term);
        o.body = this.body(o.body);
        break;
      case 'objectcompr':
        o.key = this.term(o.key);
        o.value = this.term(o.value);
        o.body = this.body(o.body);
        break;
      default:
        break;
    }
    const needs = getClosureNeeds(t);
    if (needs !== undefined) setClosureNeeds(o, new Set(needs));
    return o;
  }

  expr(e: CExpr): CExpr {
    if (e instanceof ExprLayout) return e;
    const done = this.exprs.get(e);
    if (done !== undefined) return done;
    const o = Object.assign(new ExprLayout(), e) as CExpr;
    this.exprs.set(e, o);
    switch (o.op) {
      case 'term':
        o.term = this.term(o.term);
        break;
      case 'unify':
        o.a = this.term(o.a);
        o.b = this.term(o.b);
        break;
      case 'call':
        o.args = o.args.map((x) => this.term(x));
        if (o.out !== null) o.out = this.term(o.out);
        break;
      case 'somein':
        if (o.key !== null) o.key = this.term(o.key);
        o.value = this.term(o.value);
        o.coll = this.term(o.coll);
        break;
      case 'every':
        if (o.key !== null) o.key = this.term(o.key);
        o.value = this.term(o.value);
        o.domain = this.term(o.domain);
        o.body = this.body(o.body);
        break;
      default:
        break;
    }
    if (o.withs !== null) o.withs = o.withs.map((w) => this.with(w));
    const needs = getClosureNeeds(e);
    if (needs !== undefined) setClosureNeeds(o, new Set(needs));
    return o;
  }

  private with(w: CWith): CWith {
    return { ...w, value: this.term(w.value) };
  }
}
