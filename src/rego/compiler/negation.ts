// OPA's rewriting of negated expressions, done on the AST before a body is compiled.
//
// OPA's compiler binds the reference and call arguments of every call to fresh variables in
// expressions placed before it (stages RewriteExprTerms and RewriteDynamicTerms), and the
// evaluator then negates only what is left. So in `not f(input.missing)` the argument is
// evaluated outside the negation: when it is undefined, the whole expression is undefined
// (not true). Only negated expressions are rewritten here: for the others, evaluating an
// argument before or inside the expression gives the same answer.

import type { Body, Expr, Term, TermExpr, VarTerm } from '../ast.js';

/** What the rewriter needs from the compiler. */
export interface HoistContext {
  /** Whether a bare name refers to a document (input, data, an import, a rule of the package). */
  isDocument(name: string): boolean;
  /** Whether a name is a variable of an enclosing body (bound before this body runs). */
  isOuterLocal(name: string): boolean;
  /** A fresh variable name that no policy can write (the lexer never produces it). */
  fresh(): string;
}

/** Returns `body` with the arguments of its negated expressions bound before them (or `body` itself). */
export function hoistNegatedArgs(body: Body, ctx: HoistContext): Body {
  if (!body.some((e) => e.kind === 'term' && e.negated)) return body;
  const locals = declaredNames(body);
  const isDoc = (name: string): boolean => !locals.has(name) && ctx.isDocument(name);
  const out: Body = [];
  for (const e of body) {
    if (e.kind !== 'term' || !e.negated) {
      out.push(e);
      continue;
    }
    // A variable seen only inside the negation (`not xs[_] == 3`: "no element is 3") is local
    // to it: a term using one stays inside, so the search for it stays negated.
    const elsewhere = new Set<string>();
    for (const other of body) if (other !== e) collectNames(other, elsewhere);
    const movable = (t: Term): boolean => {
      const names = new Set<string>();
      termNames(t, names);
      for (const n of names) if (n === '_' || !(elsewhere.has(n) || isDoc(n) || ctx.isOuterLocal(n))) return false;
      return true;
    };
    const extras: Expr[] = [];
    const bind = (t: Term): Term => {
      if (!movable(t)) return t;
      const v: VarTerm = { type: 'var', name: ctx.fresh(), loc: t.loc };
      const eq: TermExpr = { kind: 'term', term: { type: 'call', name: 'eq', args: [v, t], loc: t.loc }, negated: false, with: e.with, loc: e.loc };
      extras.push(eq);
      return v;
    };
    // rewriteDynamicsOne + expandExprTerm: refs, document names and calls become variables.
    const one = (t: Term): Term => {
      switch (t.type) {
        case 'var':
          return isDoc(t.name) ? bind(t) : t;
        case 'ref':
          return bind(operands(t));
        case 'call':
          if ((t.name === 'set' && t.args.length === 0) || t.name === 'print') return t;
          return bind({ ...t, args: t.args.map(one) });
        case 'array':
        case 'set':
          return { ...t, items: t.items.map(one) };
        case 'object':
          return { ...t, items: t.items.map(([k, v]) => [one(k), one(v)] as [Term, Term]) };
        default:
          return t; // scalars; comprehensions are always defined
      }
    };
    const operands = (t: Extract<Term, { type: 'ref' }>): Term => {
      const head = t.head.type === 'call' ? one(t.head) : t.head;
      return { ...t, head, path: t.path.map(one) };
    };
    // rewriteDynamicsInTerm: the top-level term of an expression keeps its ref, only the
    // operands inside it are bound first.
    const inTerm = (t: Term): Term => (t.type === 'ref' ? operands(t) : t.type === 'var' ? t : one(t));
    const t = e.term;
    let term: Term;
    if (t.type === 'call' && t.name === 'eq' && t.args.length === 2) term = { ...t, args: t.args.map(inTerm) };
    else if (t.type === 'call' && !(t.name === 'set' && t.args.length === 0) && t.name !== 'print') term = { ...t, args: t.args.map(one) };
    else term = inTerm(t);
    if (extras.length === 0) {
      out.push(e);
      continue;
    }
    out.push(...extras, { ...e, term });
  }
  return out;
}

/** Names a body declares itself (`some`, `:=`, `some x in`): these are locals, not documents. */
function declaredNames(body: Body): Set<string> {
  const out = new Set<string>();
  const pattern = (t: Term): void => {
    if (t.type === 'var') out.add(t.name);
    else if (t.type === 'array' || t.type === 'set') t.items.forEach(pattern);
    else if (t.type === 'object') t.items.forEach(([, v]) => pattern(v));
  };
  for (const e of body) {
    if (e.kind === 'some') e.vars.forEach((v) => out.add(v.name));
    else if (e.kind === 'somein') {
      if (e.key) pattern(e.key);
      pattern(e.value);
    } else if (e.kind === 'term' && e.term.type === 'call' && e.term.name === 'assign' && e.term.args.length === 2) pattern(e.term.args[0]);
  }
  return out;
}

/** Variable names in a term, comprehension bodies included (their free names may be ours). */
function termNames(t: Term, out: Set<string>): void {
  switch (t.type) {
    case 'var':
      out.add(t.name);
      return;
    case 'ref':
      termNames(t.head, out);
      t.path.forEach((p) => termNames(p, out));
      return;
    case 'call':
      t.args.forEach((a) => termNames(a, out));
      return;
    case 'array':
    case 'set':
      t.items.forEach((x) => termNames(x, out));
      return;
    case 'object':
      t.items.forEach(([k, v]) => (termNames(k, out), termNames(v, out)));
      return;
    case 'arraycompr':
    case 'setcompr':
      termNames(t.term, out);
      t.body.forEach((e) => collectNames(e, out));
      return;
    case 'objectcompr':
      termNames(t.key, out);
      termNames(t.value, out);
      t.body.forEach((e) => collectNames(e, out));
      return;
    default:
      return;
  }
}

function collectNames(e: Expr, out: Set<string>): void {
  switch (e.kind) {
    case 'term':
      termNames(e.term, out);
      break;
    case 'some':
      e.vars.forEach((v) => out.add(v.name));
      break;
    case 'somein':
      if (e.key) termNames(e.key, out);
      termNames(e.value, out);
      termNames(e.collection, out);
      break;
    case 'every':
      if (e.key) termNames(e.key, out);
      termNames(e.value, out);
      termNames(e.domain, out);
      e.body.forEach((x) => collectNames(x, out));
      break;
  }
  for (const w of e.with) termNames(w.value, out);
}
