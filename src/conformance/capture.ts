// Expression values of a query, the way OPA's `rego` package (and so `opa eval`) reports
// them: a bare term's value is captured (`data.a.b` → its value), a call without an output
// argument has its result captured (`1 == 2` → false), assignments, unifications, negations
// and `some`/`every` report `true`. When the query has several expressions or iterates, a
// captured `false` fails the row (OPA appends the capture variable as an extra expression);
// a single non-iterating expression keeps it (so `1 == 2` gives one result with value false).
//
// The engine's query API returns only variable bindings, so the capture is done by rewriting
// the query text: `1 == 2` becomes `pdp_cap_0__ = (1 == 2)`.
import type { Body, Expr, Loc } from '../rego/ast.js';
import { RegoCompileErrors } from '../rego/errors.js';
import type { Value } from '../rego/value.js';
import type { EngineLike, PolicyLike, QueryOptions } from './engine.js';

export interface ExprResultRow {
  /** One value per query expression, in order. */
  expressions: Value[];
  /** Query variables (capture variables removed). */
  bindings: Record<string, Value>;
}

export interface CapturedQuery {
  body: Body;
  /** Per expression: its source text (as written) and location. */
  texts: { text: string; loc: Loc }[];
  rows: ExprResultRow[];
}

const CAP = 'pdp_cap_';
const capVar = (i: number): string => `${CAP}${i}__`;

/** Names OPA gives infix operators; each takes two operands (`internal.member_3` three). */
const OPERATOR_ARITY: Record<string, number> = {
  equal: 2, neq: 2, lt: 2, gt: 2, lte: 2, gte: 2, plus: 2, minus: 2, mul: 2, div: 2, rem: 2,
  and: 2, or: 2, 'internal.member_2': 2, 'internal.member_3': 3,
};

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function offsetOf(starts: number[], loc: Loc, max: number): number {
  const line = starts[Math.max(0, Math.min(starts.length - 1, loc.row - 1))] ?? 0;
  return Math.max(0, Math.min(max, line + loc.col - 1));
}

/** Does the expression iterate (a reference with a variable operand outside comprehensions, or `some`)? */
function iterates(x: unknown): boolean {
  if (x === null || typeof x !== 'object') return false;
  if (Array.isArray(x)) return x.some(iterates);
  const node = x as Record<string, unknown>;
  if (node.type === 'arraycompr' || node.type === 'setcompr' || node.type === 'objectcompr') return false;
  if (node.kind === 'some' || node.kind === 'somein') return true;
  if (node.type === 'ref' && Array.isArray(node.path) && node.path.some((p) => (p as { type?: string }).type === 'var')) {
    return true;
  }
  for (const [k, v] of Object.entries(node)) if (k !== 'loc' && iterates(v)) return true;
  return false;
}

type CaptureDecision = 'capture' | 'maybe' | 'none';

function decide(e: Expr, arity: (name: string) => number | undefined): CaptureDecision {
  if (e.kind !== 'term' || e.negated) return 'none';
  const t = e.term;
  if (t.type !== 'call') return 'capture';
  if (t.name === 'assign' || t.name === 'eq') return 'none';
  const n = OPERATOR_ARITY[t.name] ?? arity(t.name);
  if (n === undefined) return 'maybe';
  return n === t.args.length ? 'capture' : 'none';
}

/** Splits the query text into one slice per expression (trailing `;` and blanks removed). */
function slices(query: string, body: Body): { text: string; start: number }[] {
  const starts = lineStarts(query);
  const offs = body.map((e) => offsetOf(starts, e.loc, query.length));
  return body.map((_, i) => {
    const end = i + 1 < offs.length ? offs[i + 1] : query.length;
    return { text: query.slice(offs[i], end).replace(/[\s;]+$/, ''), start: offs[i] };
  });
}

/** Splits an expression's text into its term part and its trailing `with` modifiers. */
function splitWith(query: string, e: Expr, slice: { text: string; start: number }): [string, string] {
  if (e.with.length === 0) return [slice.text, ''];
  const starts = lineStarts(query);
  const w = offsetOf(starts, e.with[0].loc, query.length) - slice.start;
  const head = slice.text.slice(0, Math.max(0, Math.min(slice.text.length, w + 4)));
  const re = /\bwith\b/g;
  let cut = -1;
  for (let m = re.exec(head); m !== null; m = re.exec(head)) cut = m.index;
  if (cut < 0) return [slice.text, ''];
  return [slice.text.slice(0, cut).trimEnd(), ' ' + slice.text.slice(cut)];
}

function rewrite(query: string, body: Body, capture: boolean[]): string {
  const sl = slices(query, body);
  const check = body.length > 1 || iterates(body);
  const parts: string[] = [];
  const checks: string[] = [];
  body.forEach((e, i) => {
    if (!capture[i]) {
      parts.push(sl[i].text);
      return;
    }
    const [term, withs] = splitWith(query, e, sl[i]);
    parts.push(`${capVar(i)} = (${term})${withs}`);
    if (check) checks.push(capVar(i));
  });
  return [...parts, ...checks].join('; ');
}

/** Evaluates `query` and reports each row's expression values and bindings. */
export function queryWithExpressions(
  engine: EngineLike,
  policy: PolicyLike,
  query: string,
  opts: QueryOptions = {},
): CapturedQuery {
  const body = engine.parseQuery(query);
  const arity = (name: string): number | undefined => engine.arity?.(policy, name);
  const decisions = body.map((e) => decide(e, arity));
  const sl = slices(query, body);
  const texts = body.map((e, i) => ({ text: sl[i].text, loc: e.loc }));

  const attempt = (capture: boolean[]): ExprResultRow[] => {
    const q = capture.some(Boolean) ? rewrite(query, body, capture) : query;
    const { rows } = policy.query(q, opts);
    return rows.map((row) => {
      const bindings: Record<string, Value> = {};
      for (const [k, v] of Object.entries(row)) if (!k.startsWith(CAP)) bindings[k] = v;
      const expressions = body.map((_, i) => (capture[i] ? row[capVar(i)] : true) ?? true);
      return { expressions, bindings };
    });
  };

  const optimistic = decisions.map((d) => d !== 'none');
  try {
    return { body, texts, rows: attempt(optimistic) };
  } catch (e) {
    // A call of unknown arity may already carry its output argument (`count(x, n)`); then
    // capturing it does not compile. Retry without capturing those.
    if (!(e instanceof RegoCompileErrors) || !decisions.includes('maybe')) throw e;
    return { body, texts, rows: attempt(decisions.map((d) => d === 'capture')) };
  }
}
