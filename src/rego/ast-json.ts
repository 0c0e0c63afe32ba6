// A parsed module in OPA's AST JSON form (what `rego.parse_module` and `opa parse --format
// json` give): terms are {type, value}, calls are [operator ref, args...], expressions are
// {index, terms}, the package path starts with `data`. Locations are left out, as OPA leaves
// them out unless asked.

import type { Body, Expr, Module, Rule, Term } from './ast.js';

type J = Record<string, unknown>;

const v = (name: string): J => ({ type: 'var', value: name });
const s = (value: string): J => ({ type: 'string', value });

/** A dotted name (`count`, `a.b.f`, `internal.member_2`) as OPA's operator reference. */
function operator(name: string): J {
  const [head, ...rest] = name.split('.');
  return { type: 'ref', value: [v(head), ...rest.map(s)] };
}

export function termJson(t: Term): J {
  switch (t.type) {
    case 'null':
      return { type: 'null' };
    case 'boolean':
      return { type: 'boolean', value: t.value };
    case 'number':
      return { type: 'number', value: t.value };
    case 'string':
      return s(t.value);
    case 'var':
      return v(t.name);
    case 'ref': {
      const head = termJson(t.head);
      const path = t.path.map(termJson);
      return { type: 'ref', value: head.type === 'ref' ? [...(head.value as J[]), ...path] : [head, ...path] };
    }
    case 'array':
      return { type: 'array', value: t.items.map(termJson) };
    case 'set':
      return { type: 'set', value: t.items.map(termJson) };
    case 'object':
      return { type: 'object', value: t.items.map(([k, x]) => [termJson(k), termJson(x)]) };
    case 'arraycompr':
      return { type: 'arraycomprehension', value: { term: termJson(t.term), body: bodyJson(t.body) } };
    case 'setcompr':
      return { type: 'setcomprehension', value: { term: termJson(t.term), body: bodyJson(t.body) } };
    case 'objectcompr':
      return { type: 'objectcomprehension', value: { key: termJson(t.key), value: termJson(t.value), body: bodyJson(t.body) } };
    case 'call':
      if (t.name === 'set' && t.args.length === 0) return { type: 'set', value: [] };
      return { type: 'call', value: [operator(t.name), ...t.args.map(termJson)] };
  }
}

export function exprJson(e: Expr, index: number): J {
  const out: J = { index };
  switch (e.kind) {
    case 'term':
      out.terms = e.term.type === 'call' && !(e.term.name === 'set' && e.term.args.length === 0) ? (termJson(e.term).value as J[]) : termJson(e.term);
      break;
    case 'some':
      out.terms = { symbols: e.vars.map(termJson) };
      break;
    case 'somein': {
      const args = e.key ? [e.key, e.value, e.collection] : [e.value, e.collection];
      out.terms = { symbols: [{ type: 'call', value: [operator(e.key ? 'internal.member_3' : 'internal.member_2'), ...args.map(termJson)] }] };
      break;
    }
    case 'every': {
      const every: J = { value: termJson(e.value), domain: termJson(e.domain), body: bodyJson(e.body) };
      if (e.key) every.key = termJson(e.key);
      out.terms = every;
      break;
    }
  }
  if (e.negated) out.negated = true;
  if (e.with.length > 0) out.with = e.with.map((w) => ({ target: termJson(w.target), value: termJson(w.value) }));
  return out;
}

export function bodyJson(b: Body): J[] {
  return b.map(exprJson);
}

const TRUE_BODY = (): J[] => [{ index: 0, terms: { type: 'boolean', value: true } }];

export function ruleJson(r: Rule): J {
  const h = r.head;
  const head: J = { ref: h.ref.map((t) => termJson(t)) };
  if (h.ref.length === 1 && h.ref[0].type === 'var') head.name = h.ref[0].name;
  if (h.args) head.args = h.args.map(termJson);
  if (h.key) head.key = termJson(h.key);
  if (h.value) head.value = termJson(h.value);
  else if (!h.contains) head.value = { type: 'boolean', value: true };
  if (h.assign) head.assign = true;
  const out: J = { head, body: r.body.length > 0 ? bodyJson(r.body) : TRUE_BODY() };
  if (r.default) out.default = true;
  // OPA nests else branches: each one is a rule with the same head and its own value
  let last = out;
  for (const e of r.elses) {
    const branch: J = {
      head: { ...head, value: e.value ? termJson(e.value) : { type: 'boolean', value: true } },
      body: e.body.length > 0 ? bodyJson(e.body) : TRUE_BODY(),
    };
    last.else = branch;
    last = branch;
  }
  return out;
}

/** The module as OPA's JSON (package, imports, rules, annotations). */
export function moduleJson(m: Module): J {
  const out: J = { package: { path: [v('data'), ...m.package.map(s)] } };
  if (m.imports.length > 0) {
    out.imports = m.imports.map((i) => {
      const [head, ...rest] = i.path;
      const imp: J = { path: { type: 'ref', value: [v(head), ...rest.map(s)] } };
      if (i.alias !== undefined) imp.alias = i.alias;
      return imp;
    });
  }
  if (m.rules.length > 0) out.rules = m.rules.map(ruleJson);
  return out;
}
