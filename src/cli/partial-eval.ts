// `pdp eval --partial`: partial evaluation of a deliberately small subset, in OPA's output shape
// ({"partial": {"queries": [body, ...]}}; OPA's rego.PartialQueries, support modules under
// "modules"). Anything outside the subset is refused with code partial_eval_unsupported and the
// construct's location — a refusal is safe, a wrong residual would grant or deny wrongly.
//
// The subset: the query is one reference `data.<path>` to boolean rules (`p if { ... }`, value
// true), with no else, arguments, `contains` or ref heads; unknowns are `input` only. A
// `default` is answered as OPA answers it (topdown's evalVirtualComplete: with a default the
// value may be needed, so the rule is not inlined): the query becomes `data.partial.<path>` and
// a support module `package partial.<pkg>` holds one `p = true if { residual }` per body that can
// hold, then the default rule.
// Each body expression must be one of:
//   - a comparison (==, !=, <, >, <=, >=, =) of an input reference with constant segments and a
//     constant (or another such input reference): kept as the residual, as OPA saves a call whose
//     arguments are unknown;
//   - a bare input reference (truthiness): kept;
//   - the constant `true` (dropped) or `false` (the body can never hold: dropped).
// OPA inlines such rules: one residual query per body, its expressions in body order.
import type { Body, Expr, Loc, Module, Rule, Term } from '../rego/ast.js';
import { exprJson, moduleJson } from '../rego/ast-json.js';
import { exprText, termText } from '../rego/index.js';
import { isGround } from '../rego/parser.js';

export const PARTIAL_UNSUPPORTED = 'partial_eval_unsupported';

export class PartialEvalRefusal extends Error {
  readonly code = PARTIAL_UNSUPPORTED;
  readonly location?: { file: string; row: number; col: number };
  constructor(message: string, location?: { file: string; row: number; col: number }) {
    super(message);
    this.name = 'PartialEvalRefusal';
    if (location) this.location = { file: location.file, row: location.row, col: location.col };
  }
}

const COMPARISONS = new Set(['equal', 'neq', 'lt', 'gt', 'lte', 'gte', 'eq']);
/** Imports that change nothing a body means. */
const HARMLESS_IMPORT = (path: readonly string[]): boolean => (path[0] === 'rego' && path[1] === 'v1') || path[0] === 'future';

export interface PartialResult {
  /** Residual bodies; [] when no body can hold. */
  queries: Body[];
  /** Support modules (OPA's "modules"): present when the rule has a default. */
  support?: Module[];
}

/** `input`, `input.a`, `input.a[0]["b"]`: the unknown, with constant segments only. */
function isInputRef(t: Term): boolean {
  if (t.type === 'var') return t.name === 'input';
  return t.type === 'ref' && t.head.type === 'var' && t.head.name === 'input' && t.path.every((p) => p.type === 'string' || p.type === 'number');
}

/** The expression's residual: the expression itself, 'true' (drop it) or 'false' (drop the body). */
function residual(e: Expr): Expr | boolean {
  if (e.kind !== 'term') throw new PartialEvalRefusal(`${e.kind === 'every' ? 'every' : 'some'} is not supported by partial evaluation here`, e.loc);
  if (e.with.length > 0) throw new PartialEvalRefusal('with is not supported by partial evaluation here', e.loc);
  if (e.negated) throw new PartialEvalRefusal('not is not supported by partial evaluation here', e.loc);
  const t = e.term;
  if (t.type === 'boolean') return t.value;
  if (isInputRef(t)) return e;
  if (t.type === 'call' && COMPARISONS.has(t.name) && t.args.length === 2) {
    const [a, b] = t.args as [Term, Term];
    const unknownA = isInputRef(a);
    const unknownB = isInputRef(b);
    if ((unknownA || unknownB) && (unknownA || isGround(a)) && (unknownB || isGround(b))) return e;
  }
  throw new PartialEvalRefusal(
    `${exprText(e)}: only comparisons of input references with constants, bare input references and true/false are supported by partial evaluation here`,
    e.loc,
  );
}

function ruleName(r: Rule): string | undefined {
  const [name, ...rest] = r.head.ref;
  return rest.length === 0 && name?.type === 'var' ? name.name : undefined;
}

/** Partially evaluates `query` against the modules with `unknowns` unknown. */
export function partialEval(modules: readonly Module[], query: string, unknowns: readonly string[]): PartialResult {
  const bad = unknowns.find((u) => u !== 'input');
  if (bad !== undefined) throw new PartialEvalRefusal(`unknown ${JSON.stringify(bad)}: only input is supported as the unknown here`);
  const m = /^\s*data((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*$/.exec(query);
  if (!m) throw new PartialEvalRefusal('the query must be one reference data.<path> (e.g. data.authz.allow) for partial evaluation here');
  const path = (m[1] as string).slice(1).split('.');
  const pkg = path.slice(0, -1).join('.');
  const name = path[path.length - 1];
  const rules: Rule[] = [];
  for (const mod of modules) {
    // A package below the path also puts documents under it.
    if (`${mod.package.join('.')}.`.startsWith(`${path.join('.')}.`))
      throw new PartialEvalRefusal(`package ${mod.package.join('.')} defines documents under data.${path.join('.')}: not supported by partial evaluation here`);
    if (mod.package.join('.') !== pkg) {
      // A rule in a parent package with a ref head could also define the path.
      if (path.join('.').startsWith(`${mod.package.join('.')}.`) && mod.rules.some((r) => r.head.ref.length > 1))
        throw new PartialEvalRefusal(`rules with reference heads in package ${mod.package.join('.')} are not supported by partial evaluation here`);
      continue;
    }
    const mine = mod.rules.filter((r) => r.head.ref[0]?.type === 'var' && r.head.ref[0].name === name);
    if (mine.length === 0) continue;
    const imp = mod.imports.find((i) => !HARMLESS_IMPORT(i.path));
    if (imp) throw new PartialEvalRefusal(`import ${imp.path.join('.')}: modules with imports are not supported by partial evaluation here`, imp.loc);
    rules.push(...mine);
  }
  if (rules.length === 0) throw new PartialEvalRefusal(`data.${path.join('.')} is not defined by a rule: partial evaluation here needs one`);
  for (const r of rules) {
    const why =
      ruleName(r) === undefined
        ? 'a reference head'
        : r.elses.length > 0
          ? 'else'
          : r.head.args !== undefined
            ? 'a function'
            : r.head.contains || r.head.key !== undefined
              ? 'a multi-value rule'
              : !r.default && r.head.value !== undefined && !(r.head.value.type === 'boolean' && r.head.value.value)
                ? 'a value other than true'
                : undefined;
    if (why) throw new PartialEvalRefusal(`data.${path.join('.')} has ${why}: not supported by partial evaluation here`, r.loc);
  }
  const queries: Body[] = [];
  const bodies = rules.filter((r) => !r.default);
  for (const r of bodies) {
    const body: Expr[] = [];
    let holds = true;
    for (const e of r.body) {
      const x = residual(e);
      if (x === false) holds = false;
      else if (x !== true) body.push(x);
    }
    if (holds) queries.push(body);
  }
  const dflt = rules.find((r) => r.default);
  if (dflt === undefined) return { queries };
  // The support rules: each body's residual under the head `name = true` (OPA's NewHead with the
  // rule's value; an empty residual prints as `true`), the default last; the query refers to them.
  const loc: Loc = { file: '', row: 0, col: 0 };
  const str = (value: string): Term => ({ type: 'string', value, loc });
  const head = (value: Term, assign: boolean): Rule['head'] => ({ ref: [{ type: 'var', name, loc }], value, assign, contains: false, loc });
  const support: Module = {
    file: '',
    package: ['partial', ...pkg.split('.')],
    packageLoc: loc,
    imports: [],
    rules: [
      ...queries.map((body): Rule => ({ head: head({ type: 'boolean', value: true, loc }, false), body, default: false, elses: [], loc })),
      { head: head(dflt.head.value ?? { type: 'boolean', value: true, loc }, false), body: [], default: true, elses: [], loc },
    ],
    regoVersion: 1,
    source: '',
  };
  const ref: Expr = {
    kind: 'term',
    term: { type: 'ref', head: { type: 'var', name: 'data', loc }, path: ['partial', ...path].map(str), loc },
    negated: false,
    with: [],
    loc,
  };
  return { queries: [[ref]], support: [support] };
}

/** A support module as OPA's Module.String prints it (v1 keywords, one rule per line). */
function supportText(m: Module): string {
  const lines = [`package ${m.package.join('.')}`, ''];
  for (const r of m.rules) {
    const name = r.head.ref[0]?.type === 'var' ? r.head.ref[0].name : '';
    const value = r.head.value ? termText(r.head.value) : 'true';
    if (r.default) lines.push(`default ${name} = ${value}`);
    else lines.push(`${name} = ${value} if { ${r.body.length > 0 ? r.body.map((e) => exprText(e)).join('; ') : 'true'} }`);
  }
  return lines.join('\n');
}

/** OPA's JSON: {"partial": {"queries": [[expr, ...], ...]}}, expressions indexed from 0 in each body. */
export function partialJson(r: PartialResult): { partial: { queries?: unknown[]; modules?: unknown[] } } {
  const partial: { queries?: unknown[]; modules?: unknown[] } = {};
  if (r.queries.length > 0) partial.queries = r.queries.map((b) => b.map((e, i) => exprJson(e, i)));
  if (r.support && r.support.length > 0) partial.modules = r.support.map(moduleJson);
  return { partial };
}

/** OPA's pretty form: one "Query N" row per residual, its expressions one per line. */
export function partialPretty(r: PartialResult): string {
  if (r.queries.length === 0) return 'undefined\n';
  const rows = r.queries.map((b, i): [string, string[]] => [`Query ${i + 1}`, b.length > 0 ? b.map((e) => exprText(e)) : ['']]);
  for (const [i, m] of (r.support ?? []).entries()) rows.push([`Support ${i + 1}`, supportText(m).split('\n')]);
  const w0 = Math.max(...rows.map(([k]) => k.length));
  const w1 = Math.max(...rows.flatMap(([, v]) => v.map((l) => l.length)));
  const rule = `+${'-'.repeat(w0 + 2)}+${'-'.repeat(w1 + 2)}+\n`;
  return rule + rows.map(([k, lines]) => lines.map((l, i) => `| ${(i === 0 ? k : '').padEnd(w0)} | ${l.padEnd(w1)} |\n`).join('') + rule).join('');
}
