// Rego source text of parsed terms and expressions: operators infix, `.x` for identifier keys,
// strings JSON-quoted. With the `opa` style, as OPA's compiled expressions print in its text
// trace (`opa eval --explain`): every call but `=` as `name(args)` (`:=` is `=` once compiled).

import type { Body, Expr, Rule, Term } from '../ast.js';
import { INFIX_OPERATORS } from '../operators.js';

const INFIX: Readonly<Record<string, string>> = { eq: '=', assign: ':=', ...INFIX_OPERATORS };

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface TextStyle {
  opa: boolean;
}

const PLAIN: TextStyle = { opa: false };

export function termText(t: Term, st: TextStyle = PLAIN): string {
  const text = (x: Term): string => termText(x, st);
  switch (t.type) {
    case 'null':
      return 'null';
    case 'boolean':
      return String(t.value);
    case 'number':
      return t.raw;
    case 'string':
      return JSON.stringify(t.value);
    case 'var':
      return t.name;
    case 'ref': {
      const head = text(t.head);
      return head + t.path.map((p) => (p.type === 'string' && IDENT.test(p.value) ? `.${p.value}` : `[${text(p)}]`)).join('');
    }
    case 'array':
      return `[${t.items.map(text).join(', ')}]`;
    case 'object':
      return `{${t.items.map(([k, v]) => `${text(k)}: ${text(v)}`).join(', ')}}`;
    case 'set':
      return t.items.length === 0 ? 'set()' : `{${t.items.map(text).join(', ')}}`;
    case 'arraycompr':
      return `[${text(t.term)} | ${bodyText(t.body, st)}]`;
    case 'setcompr':
      return `{${text(t.term)} | ${bodyText(t.body, st)}}`;
    case 'objectcompr':
      return `{${text(t.key)}: ${text(t.value)} | ${bodyText(t.body, st)}}`;
    case 'call': {
      const op = INFIX[t.name];
      if (st.opa) {
        if (op !== undefined && (t.name === 'eq' || t.name === 'assign') && t.args.length === 2) return `${text(t.args[0])} = ${text(t.args[1])}`;
        return `${t.name}(${t.args.map(text).join(', ')})`;
      }
      if (op !== undefined && t.args.length === 2) return `${text(t.args[0])} ${op} ${text(t.args[1])}`;
      if (op !== undefined && t.args.length === 3 && t.name !== 'eq' && t.name !== 'assign') {
        return `${text(t.args[2])} = ${text(t.args[0])} ${op} ${text(t.args[1])}`;
      }
      return `${t.name}(${t.args.map(text).join(', ')})`;
    }
  }
}

export function exprText(e: Expr, st: TextStyle = PLAIN): string {
  const text = (x: Term): string => termText(x, st);
  let s: string;
  switch (e.kind) {
    case 'term':
      s = text(e.term);
      break;
    case 'some':
      s = `some ${e.vars.map(text).join(', ')}`;
      break;
    case 'somein':
      s = `some ${e.key ? `${text(e.key)}, ` : ''}${text(e.value)} in ${text(e.collection)}`;
      break;
    case 'every':
      s = `every ${e.key ? `${text(e.key)}, ` : ''}${text(e.value)} in ${text(e.domain)} { ${bodyText(e.body, st)} }`;
      break;
  }
  if (e.negated) s = `not ${s}`;
  for (const w of e.with) s += ` with ${text(w.target)} as ${text(w.value)}`;
  return s;
}

export function bodyText(b: Body, st: TextStyle = PLAIN): string {
  return b.length === 0 ? 'true' : b.map((e) => exprText(e, st)).join('; ');
}

/** A rule's head as written (`allow`, `deny contains msg`, `f(x) := y`), for profile and coverage labels. */
export function ruleHeadText(r: Rule): string {
  const h = r.head;
  let s = h.ref.map((t, i) => (i === 0 ? termText(t) : t.type === 'string' && IDENT.test(t.value) ? `.${t.value}` : `[${termText(t)}]`)).join('');
  if (h.args) s += `(${h.args.map((a) => termText(a)).join(', ')})`;
  if (h.contains && h.key) s += ` contains ${termText(h.key)}`;
  return s;
}
