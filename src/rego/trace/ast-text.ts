// Rego source text of parsed terms and expressions, as OPA prints nodes in its text trace
// (`opa eval --explain`): operators infix, `.x` for identifier keys, strings JSON-quoted.

import type { Body, Expr, Rule, Term } from '../ast.js';
import { INFIX_OPERATORS } from '../operators.js';

const INFIX: Readonly<Record<string, string>> = { eq: '=', assign: ':=', ...INFIX_OPERATORS };

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function termText(t: Term): string {
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
    case 'ref':
      return termText(t.head) + t.path.map((p) => (p.type === 'string' && IDENT.test(p.value) ? `.${p.value}` : `[${termText(p)}]`)).join('');
    case 'array':
      return `[${t.items.map(termText).join(', ')}]`;
    case 'object':
      return `{${t.items.map(([k, v]) => `${termText(k)}: ${termText(v)}`).join(', ')}}`;
    case 'set':
      return t.items.length === 0 ? 'set()' : `{${t.items.map(termText).join(', ')}}`;
    case 'arraycompr':
      return `[${termText(t.term)} | ${bodyText(t.body)}]`;
    case 'setcompr':
      return `{${termText(t.term)} | ${bodyText(t.body)}}`;
    case 'objectcompr':
      return `{${termText(t.key)}: ${termText(t.value)} | ${bodyText(t.body)}}`;
    case 'call': {
      const op = INFIX[t.name];
      if (op !== undefined && t.args.length === 2) return `${termText(t.args[0])} ${op} ${termText(t.args[1])}`;
      if (op !== undefined && t.args.length === 3 && t.name !== 'eq' && t.name !== 'assign') {
        return `${termText(t.args[2])} = ${termText(t.args[0])} ${op} ${termText(t.args[1])}`;
      }
      return `${t.name}(${t.args.map(termText).join(', ')})`;
    }
  }
}

export function exprText(e: Expr): string {
  let s: string;
  switch (e.kind) {
    case 'term':
      s = termText(e.term);
      break;
    case 'some':
      s = `some ${e.vars.map(termText).join(', ')}`;
      break;
    case 'somein':
      s = `some ${e.key ? `${termText(e.key)}, ` : ''}${termText(e.value)} in ${termText(e.collection)}`;
      break;
    case 'every':
      s = `every ${e.key ? `${termText(e.key)}, ` : ''}${termText(e.value)} in ${termText(e.domain)} { ${bodyText(e.body)} }`;
      break;
  }
  if (e.negated) s = `not ${s}`;
  for (const w of e.with) s += ` with ${termText(w.target)} as ${termText(w.value)}`;
  return s;
}

export function bodyText(b: Body): string {
  return b.length === 0 ? 'true' : b.map(exprText).join('; ');
}

/** A rule's head as written (`allow`, `deny contains msg`, `f(x) := y`), for profile and coverage labels. */
export function ruleHeadText(r: Rule): string {
  const h = r.head;
  let s = h.ref.map((t, i) => (i === 0 ? termText(t) : t.type === 'string' && IDENT.test(t.value) ? `.${t.value}` : `[${termText(t)}]`)).join('');
  if (h.args) s += `(${h.args.map(termText).join(', ')})`;
  if (h.contains && h.key) s += ` contains ${termText(h.key)}`;
  return s;
}
