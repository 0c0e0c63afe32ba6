// OPA's coverage report (`opa test --coverage`): a line is covered when an expression on it
// was evaluated or a rule whose head is on it produced a value; the other rule heads and
// expressions (not `some` declarations) are not covered. Ranges join consecutive lines.
// Percentages are not rounded, as in current OPA's v1/cover (older releases rounded to 0.05).

import type { Body, Expr, Module, Term } from '../ast.js';
import type { TraceEvent } from './tracer.js';

export interface LineRange {
  start: { row: number };
  end: { row: number };
}

export interface FileCoverage {
  covered?: LineRange[];
  not_covered?: LineRange[];
  covered_lines?: number;
  not_covered_lines?: number;
  coverage?: number;
}

export interface CoverageReport {
  files: Record<string, FileCoverage>;
  covered_lines: number;
  not_covered_lines: number;
  coverage: number;
}

/** Collects covered lines over any number of traced evaluations. */
export class CoverageCollector {
  private readonly hits = new Map<string, Set<number>>();

  add(events: readonly TraceEvent[]): void {
    for (const ev of events) {
      if (ev.op === 'Exit' && ev.type === 'rule' && ev.rule !== undefined) this.hit(ev.rule.head.loc.file, ev.rule.head.loc.row);
      else if (ev.op === 'Eval' && ev.type === 'expr' && ev.expr !== undefined) this.hit(ev.expr.loc.file, ev.expr.loc.row);
    }
  }

  private hit(file: string, row: number): void {
    if (file === '') return;
    let s = this.hits.get(file);
    if (s === undefined) this.hits.set(file, (s = new Set()));
    s.add(row);
  }

  report(modules: readonly Module[]): CoverageReport {
    const files: Record<string, FileCoverage> = {};
    for (const [file, rows] of this.hits) files[file] = { covered: ranges([...rows]) };
    for (const m of modules) {
      const covered = this.hits.get(m.file) ?? new Set<number>();
      const notCovered: number[] = [];
      for (const r of m.rules) {
        if (!covered.has(r.loc.row)) notCovered.push(r.head.loc.row);
        const exprs: Expr[] = [];
        collectBody(r.body, exprs);
        for (const e of r.elses) collectBody(e.body, exprs);
        for (const t of [r.head.value, r.head.key, ...(r.head.args ?? [])]) if (t !== undefined) collectTerm(t, exprs);
        for (const e of exprs) if (e.kind !== 'some' && e.loc.file !== '' && !covered.has(e.loc.row)) notCovered.push(e.loc.row);
      }
      const fr = (files[m.file] ??= {});
      const nc = ranges(notCovered);
      if (nc.length > 0) fr.not_covered = nc;
    }
    let coveredLines = 0;
    let notCoveredLines = 0;
    for (const fr of Object.values(files)) {
      const c = lines(fr.covered);
      const n = lines(fr.not_covered);
      if (c > 0) fr.covered_lines = c;
      if (n > 0) fr.not_covered_lines = n;
      const pct = c + n === 0 ? 0 : (100 * c) / (c + n);
      if (pct !== 0) fr.coverage = pct;
      coveredLines += c;
      notCoveredLines += n;
    }
    const total = coveredLines + notCoveredLines;
    return { files, covered_lines: coveredLines, not_covered_lines: notCoveredLines, coverage: total === 0 ? 0 : (100 * coveredLines) / total };
  }
}

function lines(rs: LineRange[] | undefined): number {
  let n = 0;
  for (const r of rs ?? []) n += r.end.row - r.start.row + 1;
  return n;
}

function ranges(rows: number[]): LineRange[] {
  const sorted = [...new Set(rows)].sort((a, b) => a - b);
  const out: LineRange[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last !== undefined && r === last.end.row + 1) last.end = { row: r };
    else out.push({ start: { row: r }, end: { row: r } });
  }
  return out;
}

function collectBody(b: Body, out: Expr[]): void {
  for (const e of b) {
    out.push(e);
    switch (e.kind) {
      case 'term':
        collectTerm(e.term, out);
        break;
      case 'every':
        collectTerm(e.domain, out);
        collectBody(e.body, out);
        break;
      case 'somein':
        collectTerm(e.collection, out);
        break;
      default:
        break;
    }
  }
}

/** Expressions inside comprehensions of a term. */
function collectTerm(t: Term, out: Expr[]): void {
  switch (t.type) {
    case 'arraycompr':
    case 'setcompr':
      collectTerm(t.term, out);
      collectBody(t.body, out);
      return;
    case 'objectcompr':
      collectTerm(t.key, out);
      collectTerm(t.value, out);
      collectBody(t.body, out);
      return;
    case 'array':
    case 'set':
      for (const x of t.items) collectTerm(x, out);
      return;
    case 'object':
      for (const [k, v] of t.items) {
        collectTerm(k, out);
        collectTerm(v, out);
      }
      return;
    case 'ref':
      collectTerm(t.head, out);
      for (const x of t.path) collectTerm(x, out);
      return;
    case 'call':
      for (const x of t.args) collectTerm(x, out);
      return;
    default:
      return;
  }
}
