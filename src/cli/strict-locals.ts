// `pdp check --strict`: OPA's unused-local checks, done the way OPA's compiler counts uses
// while it renames locals (v1/ast/compile.go, rewriteLocalVars):
//  - `x := …` whose x is never referenced again in its body (later expressions, nested
//    comprehensions, `with` values, `every` bodies) nor in the head → "assigned var x unused";
//  - `some x` (and `every k, v`) whose variable is never referenced → "declared var x unused"
//    (OPA reports this one in every mode; our compiler does not, so strict mode carries it);
//  - a function argument used in no body and no head value → "unused argument x. (hint: …)".
// `_` is never reported. Each body is its own scope; comprehensions and `every` open a nested one.
import type { Body, Expr, Loc, Module, Rule, Term } from '../rego/ast.js';
import { RegoError } from '../rego/index.js';

type Occurrence = 'arg' | 'seen' | 'assigned' | 'declared';
interface Entry {
  occ: Occurrence;
  /** 1 at declaration; each later reference adds one. */
  count: number;
  loc: Loc;
}

class Scopes {
  private readonly stack: Map<string, Entry>[];
  constructor(base?: Map<string, Entry>) {
    this.stack = [new Map([...(base ?? new Map<string, Entry>())].map(([k, e]) => [k, { ...e }]))];
  }
  push(): void {
    this.stack.push(new Map());
  }
  pop(): Map<string, Entry> {
    return this.stack.pop() ?? new Map();
  }
  top(): Map<string, Entry> {
    return this.stack[this.stack.length - 1];
  }
  lookup(name: string): Entry | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const e = this.stack[i].get(name);
      if (e) return e;
    }
    return undefined;
  }
  declare(name: string, occ: Occurrence, loc: Loc): void {
    if (name === '_') return;
    this.top().set(name, { occ, count: 1, loc });
  }
}

/** Names bound by a `:=` target or an argument pattern: vars, array items, object values. */
function patternVars(t: Term, out: string[]): string[] {
  if (t.type === 'var') out.push(t.name);
  else if (t.type === 'array') for (const x of t.items) patternVars(x, out);
  else if (t.type === 'object') for (const [, v] of t.items) patternVars(v, out);
  else if (t.type === 'ref') {
    patternVars(t.head, out);
    for (const x of t.path) patternVars(x, out);
  }
  return out;
}

/** Every var name in a term, comprehension bodies included (OPA's Term.Vars()). */
function termVars(x: unknown, out: Set<string>): Set<string> {
  if (typeof x !== 'object' || x === null) return out;
  if (Array.isArray(x)) {
    for (const y of x) termVars(y, out);
    return out;
  }
  const o = x as Record<string, unknown>;
  if (o.type === 'var' && typeof o.name === 'string') out.add(o.name);
  for (const [k, v] of Object.entries(o)) if (k !== 'loc') termVars(v, out);
  return out;
}

const isAssign = (e: Expr): e is Expr & { kind: 'term'; term: Term & { type: 'call' } } =>
  e.kind === 'term' && e.term.type === 'call' && e.term.name === 'assign' && e.term.args.length === 2;

class LocalsChecker {
  readonly errors: RegoError[] = [];
  /** errors.length when the current rule branch began: OPA stops checking a branch after its first error. */
  private branchStart = 0;

  /** A reference to every var in `t` (OPA: rewriteDeclaredVarsInTerm). */
  use(t: Term, s: Scopes): void {
    switch (t.type) {
      case 'var': {
        if (t.name === '_') return;
        const e = s.lookup(t.name);
        if (e) e.count++;
        else s.top().set(t.name, { occ: 'seen', count: 1, loc: t.loc });
        return;
      }
      case 'ref':
        this.use(t.head, s);
        for (const p of t.path) this.use(p, s);
        return;
      case 'call': // the function name is not a variable
        for (const a of t.args) this.use(a, s);
        return;
      case 'array':
      case 'set':
        for (const x of t.items) this.use(x, s);
        return;
      case 'object':
        for (const [k, v] of t.items) {
          this.use(k, s);
          this.use(v, s);
        }
        return;
      case 'arraycompr':
      case 'setcompr':
        this.comprehension(t.body, [t.term], s);
        return;
      case 'objectcompr':
        this.comprehension(t.body, [t.key, t.value], s);
        return;
      default:
        return;
    }
  }

  comprehension(body: Body, heads: Term[], s: Scopes): void {
    s.push();
    this.body(body, termVars(heads, new Set()), s);
    for (const h of heads) this.use(h, s);
    s.pop();
  }

  /** One body in the scope on top of `s`; `used` are the head's vars that count as uses. */
  body(body: Body, used: Set<string>, s: Scopes): void {
    for (const e of body) this.expr(e, s);
    if (this.errors.length > this.branchStart) return;
    const unused = (occ: Occurrence): [string, Entry][] =>
      [...s.top()].filter(([n, e]) => e.occ === occ && e.count <= 1 && !used.has(n)).sort(([, a], [, b]) => a.loc.row - b.loc.row || a.loc.col - b.loc.col);
    for (const [n, e] of unused('assigned')) this.errors.push(new RegoError('rego_compile_error', `assigned var ${n} unused`, e.loc));
    if (this.errors.length > this.branchStart) return;
    for (const [n, e] of unused('declared')) this.errors.push(new RegoError('rego_compile_error', `declared var ${n} unused`, e.loc));
  }

  expr(e: Expr, s: Scopes): void {
    switch (e.kind) {
      case 'some':
        for (const v of e.vars) s.declare(v.name, 'declared', e.loc);
        return;
      case 'somein': {
        // `some k, v in xs` declares the pattern's vars and uses them in the same breath,
        // so OPA never reports them.
        const inCollection = termVars(e.collection, new Set());
        const names = patternVars(e.value, e.key ? patternVars(e.key, []) : []);
        for (const n of names) if (!inCollection.has(n)) s.declare(n, 'declared', e.loc);
        if (e.key) this.use(e.key, s);
        this.use(e.value, s);
        this.use(e.collection, s);
        break;
      }
      case 'every':
        this.use(e.domain, s);
        s.push();
        for (const t of [e.key, e.value]) if (t) for (const n of patternVars(t, [])) s.declare(n, 'declared', e.loc);
        this.body(e.body, new Set(), s);
        s.pop();
        break;
      case 'term':
        if (isAssign(e)) {
          // the right-hand side and `with` values first: `x := x + 1` reads an outer x
          this.use(e.term.args[1], s);
          for (const w of e.with) this.use(w.value, s);
          for (const n of patternVars(e.term.args[0], [])) s.declare(n, 'assigned', e.loc);
          return;
        }
        this.use(e.term, s);
        break;
    }
    for (const w of e.with) {
      this.use(w.target, s);
      this.use(w.value, s);
    }
  }

  /** Head comprehensions are their own scopes (OPA rewrites them before the body). */
  headComprehensions(t: Term | undefined): void {
    if (!t) return;
    switch (t.type) {
      case 'arraycompr':
      case 'setcompr':
      case 'objectcompr':
        this.use(t, new Scopes());
        return;
      case 'ref':
        this.headComprehensions(t.head);
        t.path.forEach((x) => this.headComprehensions(x));
        return;
      case 'call':
      case 'array':
      case 'set':
        (t.type === 'call' ? t.args : t.items).forEach((x) => this.headComprehensions(x));
        return;
      case 'object':
        t.items.forEach(([k, v]) => {
          this.headComprehensions(k);
          this.headComprehensions(v);
        });
        return;
      default:
        return;
    }
  }

  rule(r: Rule, skipArgs: ReadonlySet<string>): void {
    const args = new Scopes();
    for (const a of r.head.args ?? []) {
      for (const n of patternVars(a, [])) {
        const e = args.lookup(n);
        if (e) e.count++;
        else args.declare(n, 'arg', r.head.loc);
      }
    }
    const unusedArgs = new Set([...args.top()].filter(([n, e]) => e.count <= 1 && !skipArgs.has(n)).map(([n]) => n));
    const refVars = termVars(
      r.head.ref.slice(1).filter((t) => t.type !== 'string' && t.type !== 'number' && t.type !== 'boolean' && t.type !== 'null'),
      new Set(),
    );
    const branches = [{ value: r.head.value, body: r.body }, ...r.elses.map((e) => ({ value: e.value, body: e.body }))];
    this.branchStart = this.errors.length;
    for (const h of [...r.head.ref.slice(1), r.head.key, ...branches.map((b) => b.value)]) this.headComprehensions(h);
    for (const b of branches) {
      this.branchStart = this.errors.length;
      const valueVars = termVars(b.value, new Set());
      const used = new Set([...refVars, ...termVars(r.head.key, new Set()), ...valueVars]);
      const s = new Scopes(args.top());
      this.body(b.body, used, s);
      for (const n of [...unusedArgs]) if (valueVars.has(n) || (s.lookup(n)?.count ?? 0) > 1) unusedArgs.delete(n);
    }
    for (const n of unusedArgs) {
      this.errors.push(new RegoError('rego_compile_error', `unused argument ${n}. (hint: use _ (wildcard variable) instead)`, r.head.loc));
    }
  }
}

/**
 * OPA's strict-mode unused-local errors for these modules. Arguments named in `skipArgs`
 * (already reported as shadowing input/data, where OPA stops before this stage) are not reported again.
 */
export function unusedLocalErrors(mods: readonly Module[], skipArgs: ReadonlySet<string> = new Set()): RegoError[] {
  const c = new LocalsChecker();
  for (const m of mods) for (const r of m.rules) c.rule(r, skipArgs);
  return c.errors;
}
