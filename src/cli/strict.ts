// `pdp check --strict`: OPA's strict-mode compile errors that need only the AST — unused and
// duplicate imports, deprecated builtins, `input` / `data` shadowed by a local or an argument,
// and unused locals and arguments (strict-locals.ts).
import type { Module, Term } from '../rego/ast.js';
import { RegoError } from '../rego/index.js';
import { unusedLocalErrors } from './strict-locals.js';

/** Builtins OPA deprecates and refuses in strict mode. */
export const DEPRECATED_BUILTINS = new Set([
  'any',
  'all',
  're_match',
  'net.cidr_overlap',
  'set_diff',
  'cast_array',
  'cast_set',
  'cast_string',
  'cast_boolean',
  'cast_null',
  'cast_object',
]);

function walk(x: unknown, f: (o: Record<string, unknown>) => void): void {
  if (typeof x !== 'object' || x === null) return;
  if (Array.isArray(x)) {
    for (const y of x) walk(y, f);
    return;
  }
  const o = x as Record<string, unknown>;
  f(o);
  for (const [k, v] of Object.entries(o)) if (k !== 'loc' && k !== 'source' && k !== 'annotations') walk(v, f);
}

export function strictErrors(mods: readonly Module[]): RegoError[] {
  const errors: RegoError[] = [];
  const shadowingArgs = new Set(['input', 'data']);
  for (const m of mods) {
    const seen = new Map<string, number>();
    const used = new Set<string>();
    walk(m.rules, (o) => {
      const t = o as unknown as Term;
      if (t.type === 'var') used.add(t.name);
      if (t.type === 'call') {
        used.add(t.name.split('.')[0]);
        if (DEPRECATED_BUILTINS.has(t.name))
          errors.push(new RegoError('rego_type_error', `deprecated built-in function calls in expression: ${t.name}`, t.loc));
        if (t.name === 'assign' && t.args[0]?.type === 'var' && (t.args[0].name === 'input' || t.args[0].name === 'data')) {
          errors.push(new RegoError('rego_compile_error', `variables must not shadow ${t.args[0].name} (use a different variable name)`, t.loc));
        }
      }
    });
    for (const r of m.rules) {
      for (const a of r.head.args ?? []) {
        if (a.type === 'var' && (a.name === 'input' || a.name === 'data'))
          errors.push(new RegoError('rego_compile_error', `args must not shadow ${a.name} (use a different variable name)`, a.loc));
      }
    }
    for (const i of m.imports) {
      if (i.path[0] === 'future' || i.path[0] === 'rego') continue;
      const text = i.path.join('.') + (i.alias ? ` as ${i.alias}` : '');
      const name = i.alias ?? i.path[i.path.length - 1];
      if (seen.has(text)) errors.push(new RegoError('rego_compile_error', `import ${text} is a duplicate`, i.loc));
      seen.set(text, 1);
      if (i.path.length > 1 && !used.has(name)) errors.push(new RegoError('rego_compile_error', `import ${text} unused`, i.loc));
    }
  }
  // an argument shadowing input/data stops OPA before its unused-argument check
  errors.push(...unusedLocalErrors(mods, shadowingArgs));
  return errors;
}
