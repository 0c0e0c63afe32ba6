// A parsed expression with its names as OPA's compiler leaves them in the nodes of trace events:
// rule and import references as full `data.` (or `input.`) references, calls of the package's
// functions by their full path, `:=` as the `=` it compiles to. Made once per expression.

import type { Body, Expr, Term } from '../ast.js';
import type { NameScope } from '../compiler/ir.js';

const CACHE = new WeakMap<Expr, Expr>();

/** Root and path a name stands for, or null when it is a local, a root or unknown (a builtin). */
type Lookup = (name: string) => { root: string; path: string[] } | null;

export function resolvedExpr(e: Expr, scope: NameScope | undefined, locals: ReadonlySet<string> | undefined): Expr {
  let r = CACHE.get(e);
  if (r === undefined) {
    r = scope === undefined ? resolveExpr(e, () => null) : resolveExpr(e, lookupIn(scope, locals));
    CACHE.set(e, r);
  }
  return r;
}

export function resolvedBody(b: Body, scope: NameScope | undefined, locals: ReadonlySet<string> | undefined): Body {
  return b.map((e) => resolvedExpr(e, scope, locals));
}

function lookupIn(scope: NameScope, locals: ReadonlySet<string> | undefined): Lookup {
  return (name) => {
    if (name === 'input' || name === 'data' || locals?.has(name)) return null;
    const imp = scope.imports.get(name);
    if (imp !== undefined) return { root: imp.root, path: imp.path };
    if (scope.ruleNames.has(name)) return { root: 'data', path: [...scope.pkg, name] };
    return null;
  };
}

function resolveExpr(e: Expr, look: Lookup): Expr {
  const t = (x: Term): Term => resolveTerm(x, look);
  const with_ = e.with.map((w) => ({ ...w, target: t(w.target), value: t(w.value) }));
  switch (e.kind) {
    case 'term':
      return { ...e, term: t(e.term), with: with_ };
    case 'some':
      return e;
    case 'somein':
      return { ...e, key: e.key === null ? null : t(e.key), value: t(e.value), collection: t(e.collection), with: with_ };
    case 'every':
      return {
        ...e,
        key: e.key === null ? null : t(e.key),
        value: t(e.value),
        domain: t(e.domain),
        body: e.body.map((x) => resolveExpr(x, look)),
        with: with_,
      };
  }
}

function resolveTerm(x: Term, look: Lookup): Term {
  const t = (y: Term): Term => resolveTerm(y, look);
  switch (x.type) {
    case 'var': {
      const r = look(x.name);
      return r === null ? x : refTo(r, [], x);
    }
    case 'ref': {
      const path = x.path.map(t);
      const r = x.head.type === 'var' ? look(x.head.name) : null;
      return r === null ? { ...x, head: t(x.head), path } : refTo(r, path, x);
    }
    case 'call': {
      const [head, ...rest] = x.name.split('.');
      const r = look(head);
      const name = r === null ? (x.name === 'assign' ? 'eq' : x.name) : [r.root, ...r.path, ...rest].join('.');
      return { ...x, name, args: x.args.map(t) };
    }
    case 'array':
    case 'set':
      return { ...x, items: x.items.map(t) };
    case 'object':
      return { ...x, items: x.items.map(([k, v]): [Term, Term] => [t(k), t(v)]) };
    case 'arraycompr':
    case 'setcompr':
      return { ...x, term: t(x.term), body: x.body.map((e) => resolveExpr(e, look)) };
    case 'objectcompr':
      return { ...x, key: t(x.key), value: t(x.value), body: x.body.map((e) => resolveExpr(e, look)) };
    default:
      return x;
  }
}

function refTo(r: { root: string; path: string[] }, rest: Term[], at: Term): Term {
  const loc = at.loc;
  return {
    type: 'ref',
    head: { type: 'var', name: r.root, loc },
    path: [...r.path.map((p): Term => ({ type: 'string', value: p, loc })), ...rest],
    loc,
  };
}
