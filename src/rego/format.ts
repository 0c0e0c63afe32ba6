// The Rego formatter behind `pdp fmt`: prints a parsed module in OPA's canonical layout
// (`opa fmt`): tab indentation, one blank line between rules (single-line rules that were on
// adjacent lines stay grouped), `:=`, `if` and `contains` in Rego v1 output, import groups
// sorted, `future.keywords` / `rego.v1` imports dropped from v1 output, infix operators with
// operands that are themselves infix calls in parentheses, composites and calls kept
// multi-line (one item per line, trailing comma) when they were written over several lines,
// raw strings kept raw, and comments kept where written: a comment on its own line is printed
// before what follows it (an expression, an item of a multi-line composite, a closing bracket), a
// comment after code at the end of the line it followed. Where the layout joins source lines, a
// comment there goes to the nearest line; none is ever dropped.
//
// The output parses back to the same AST (test/cli/fmt.test.ts checks this over every policy in
// the repository) and formatting is idempotent.

import type { Body, ElseClause, Expr, Import, Module, Rule, Term, With } from './ast.js';
import { tokenize, type Comment, type Token } from './lexer.js';
import { parseModule } from './parser.js';
import { INFIX_OPERATORS as INFIX } from './operators.js';

export interface FormatOptions {
  /** Rego version of the output; default: the module's. v1 output drops future/rego.v1 imports. */
  regoVersion?: 0 | 1;
}

const KEYWORDS = new Set(['as', 'default', 'else', 'false', 'import', 'not', 'null', 'package', 'some', 'true', 'with', 'contains', 'every', 'if', 'in']);
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Binding strength, as the parser's: `in` 0, comparisons 1, `|` 2, `&` 3, `+ -` 4, `* / %` 5. */
const PREC: Record<string, number> = { equal: 1, neq: 1, lt: 1, lte: 1, gt: 1, gte: 1, or: 2, and: 3, plus: 4, minus: 4, mul: 5, div: 5, rem: 5 };
function precOf(t: Term): number {
  if (t.type !== 'call') return 7;
  if (t.name === 'assign' || t.name === 'eq' || t.name === 'internal.member_3') return -1;
  if (t.name === 'internal.member_2') return 0;
  return PREC[t.name] ?? 7;
}

const isInfix = (t: Term): boolean =>
  t.type === 'call' &&
  ((t.args.length === 2 && (INFIX[t.name] !== undefined || t.name === 'internal.member_2' || t.name === 'assign' || t.name === 'eq')) ||
    (t.args.length === 3 && t.name === 'internal.member_3'));

class Printer {
  private readonly lineStarts: number[] = [0];
  private readonly comments: Comment[] = [];
  private readonly used = new Set<Comment>();
  /** `(` before a term's first token already printed by an enclosing wrapper, by offset. */
  private readonly consumed = new Map<number, number>();
  private readonly toks: Token[];
  private readonly v1: boolean;
  /** `if` / `contains` may be written: Rego v1, or v0 importing them from future.keywords. */
  private readonly kwIf: boolean;
  private readonly kwContains: boolean;

  constructor(
    private readonly mod: Module,
    v1: boolean,
  ) {
    this.v1 = v1;
    const imported = (k: string): boolean => mod.imports.some((i) => i.path[0] === 'future' && (i.path.length === 2 || i.path[2] === k));
    this.kwIf = v1 || imported('if');
    this.kwContains = v1 || imported('contains');
    const src = mod.source;
    for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    this.toks = tokenize(mod.file, src, this.comments);
  }

  // ---- source positions ---------------------------------------------------------------

  private offset(loc: { row: number; col: number }): number {
    return (this.lineStarts[loc.row - 1] ?? 0) + loc.col - 1;
  }

  /** Row of the last token that starts before `offset` (the end row of the node before it). */
  private lastRowBefore(offset: number): number {
    let lo = 0;
    let hi = this.toks.length - 2; // not the end-of-input token
    let best = 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.toks[mid].offset < offset) {
        best = this.rowOfEnd(this.toks[mid]);
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  }

  private rowOfEnd(t: { row: number; offset: number; end: number }): number {
    // Raw strings can span lines.
    let row = t.row;
    for (let i = t.offset; i < t.end; i++) if (this.mod.source.charCodeAt(i) === 10) row++;
    return row;
  }

  /** A comment with code before it on its line. */
  private trailing(c: Comment): boolean {
    const start = this.lineStarts[c.row - 1] ?? 0;
    return this.mod.source.slice(start, start + c.col - 1).trim() !== '';
  }

  /** Unprinted comments on rows before `row` (own-line ones), in order. */
  private takeBefore(row: number): Comment[] {
    const out = this.comments.filter((c) => !this.used.has(c) && c.row < row);
    for (const c of out) this.used.add(c);
    return out;
  }

  /** Unprinted trailing comments on rows from..to. */
  private takeTrailing(from: number, to: number): Comment[] {
    const out = this.comments.filter((c) => !this.used.has(c) && c.row >= from && c.row <= to && this.trailing(c));
    for (const c of out) this.used.add(c);
    return out;
  }

  private static commentText(c: Comment): string {
    return '#' + c.text.replace(/\s+$/, '');
  }

  // ---- terms --------------------------------------------------------------------------

  private str(t: Term & { type: 'string' }): string {
    const off = this.offset(t.loc);
    if (this.mod.source[off] === '`' && !t.value.includes('`')) return '`' + t.value + '`';
    return JSON.stringify(t.value);
  }

  /**
   * Items in brackets: on one line, or (written over several lines) one source line of items per
   * line, each line ending with a comma, as OPA prints them. Comments written inside stay where
   * they were: one after the open bracket stays there, one after a line of items ends that line,
   * one on its own line stays on its own line before the items that followed it (or before the
   * closing bracket). `open` is the source offset of the opening bracket.
   */
  private list<T>(
    open: string,
    close: string,
    xs: T[],
    render: (x: T, ind: number) => string,
    rows: number[],
    openRow: number,
    ind: number,
    openAt: number,
  ): string {
    const multi = rows.some((r) => r > openRow);
    if (!multi || xs.length === 0) return open + xs.map((x) => render(x, ind)).join(', ') + close;
    const pad = '\t'.repeat(ind + 1);
    const closeRow = this.closeRow(openAt);
    const trail = (cs: Comment[]): string => cs.map((c) => ' ' + Printer.commentText(c)).join('');
    let out = open + trail(this.takeTrailing(openRow, Math.min(openRow, rows[0] - 1))) + '\n';
    // Rendered in source order, so that comments inside nested terms are taken by those terms.
    for (let i = 0; i < xs.length;) {
      let j = i + 1;
      while (j < xs.length && rows[j] === rows[i]) j++;
      for (const c of this.takeBefore(rows[i])) out += pad + Printer.commentText(c) + '\n';
      const texts = xs.slice(i, j).map((x) => render(x, ind + 1));
      const lastRow = j < xs.length ? rows[j] - 1 : closeRow - 1;
      out += pad + texts.join(', ') + ',' + trail(this.takeTrailing(rows[i], lastRow)) + '\n';
      i = j;
    }
    for (const c of this.takeBefore(closeRow)) out += pad + Printer.commentText(c) + '\n';
    return out + '\t'.repeat(ind) + close;
  }

  /** Row of the bracket that closes the one at `openAt` (its last row, if unmatched). */
  private closeRow(openAt: number): number {
    let i = this.tokenIndexFrom(openAt);
    let depth = 0;
    for (; i < this.toks.length; i++) {
      const t = this.toks[i];
      if (t.kind !== 'punct') continue;
      if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
      else if (t.text === ')' || t.text === ']' || t.text === '}') {
        depth--;
        if (depth === 0) return t.row;
      }
    }
    return this.lineStarts.length;
  }

  /** Index of the first token at or after `offset`. */
  private tokenIndexFrom(offset: number): number {
    let lo = 0;
    let hi = this.toks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.toks[mid].offset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Offset of the first `(` at or after `offset` (a call's or a function head's argument list). */
  private parenFrom(offset: number): number {
    for (let i = this.tokenIndexFrom(offset); i < this.toks.length; i++) {
      const t = this.toks[i];
      if (t.kind === 'punct' && t.text === '(') return t.offset;
    }
    return offset;
  }

  /** A term inside a collection or call argument: `|` and `k, v in` need parentheses there. */
  private item(t: Term, ind: number): string {
    if (t.type === 'call' && isInfix(t) && (t.name === 'or' || t.name === 'internal.member_3' || t.name === 'assign' || t.name === 'eq')) {
      return this.wrap(t, () => this.term(t, ind));
    }
    return this.term(t, ind);
  }

  /** A comprehension's head term: the parser reads one unary term there, so an infix one needs parentheses. */
  private head(t: Term, ind: number): string {
    if (!isInfix(t)) return this.term(t, ind);
    return this.wrap(t, () => this.term(t, ind));
  }

  /** `(text)`; the `(` the source may have had there is used up (not kept again inside). */
  private wrap(t: Term, text: string | (() => string)): string {
    const off = this.offset(t.loc);
    this.consumed.set(off, (this.consumed.get(off) ?? 0) + 1);
    return `(${typeof text === 'string' ? text : text()})`;
  }

  /**
   * An operand of an operator of precedence `prec`: in parentheses when it binds less tightly, or
   * equally on the right (operators are left-associative), so that it parses back the same.
   */
  private operand(t: Term, ind: number, prec = 7, right = false): string {
    if (!isInfix(t)) return this.term(t, ind);
    const p = precOf(t);
    // Parentheses the author wrote around an operand are kept (as OPA keeps them).
    const written = this.innerIndex(t) <= this.parensBefore(this.offset(t.loc));
    return written || p < prec || (right && p === prec) ? this.wrap(t, () => this.term(t, ind)) : this.term(t, ind);
  }

  term(t: Term, ind: number): string {
    switch (t.type) {
      case 'null':
        return 'null';
      case 'boolean':
        return String(t.value);
      case 'number':
        return t.raw;
      case 'string':
        return this.str(t);
      case 'var':
        return t.name;
      case 'ref': {
        let s = t.head.type === 'var' ? t.head.name : isInfix(t.head) ? `(${this.term(t.head, ind)})` : this.term(t.head, ind);
        for (const p of t.path) {
          if (p.type === 'string' && IDENT.test(p.value) && !KEYWORDS.has(p.value)) s += '.' + p.value;
          else s += '[' + this.term(p, ind) + ']';
        }
        return s;
      }
      case 'array':
      case 'set':
        return this.list(
          t.type === 'array' ? '[' : '{',
          t.type === 'array' ? ']' : '}',
          t.items,
          (i, n) => this.item(i, n),
          t.items.map((i) => i.loc.row),
          t.loc.row,
          ind,
          this.offset(t.loc),
        );
      case 'object':
        return this.list(
          '{',
          '}',
          t.items,
          ([k, v], n) => `${this.item(k, n)}: ${this.item(v, n)}`,
          t.items.map(([k]) => k.loc.row),
          t.loc.row,
          ind,
          this.offset(t.loc),
        );
      case 'arraycompr':
        return `[${this.head(t.term, ind)} |${this.comprBody(t.body, t.loc.row, ind, this.offset(t.loc))}]`;
      case 'setcompr':
        return `{${this.head(t.term, ind)} |${this.comprBody(t.body, t.loc.row, ind, this.offset(t.loc))}}`;
      case 'objectcompr':
        return `{${this.head(t.key, ind)}: ${this.head(t.value, ind)} |${this.comprBody(t.body, t.loc.row, ind, this.offset(t.loc))}}`;
      case 'call': {
        if (t.name === 'set' && t.args.length === 0) return 'set()';
        if (isInfix(t)) {
          const [a, b, c] = t.args;
          if (t.name === 'assign' || t.name === 'eq') return `${this.term(a, ind)} ${t.name === 'assign' ? ':=' : '='} ${this.term(b, ind)}`;
          if (t.name === 'internal.member_2') return `${this.operand(a, ind, 0)} in ${this.operand(b, ind, 0, true)}`;
          if (t.name === 'internal.member_3') return `${this.operand(a, ind, 1)}, ${this.operand(b, ind, 1)} in ${this.operand(c, ind, 0, true)}`;
          const p = precOf(t);
          return `${this.operand(a, ind, p)} ${INFIX[t.name]} ${this.operand(b, ind, p, true)}`;
        }
        const name = t.name
          .split('.')
          .map((p, i) => (i === 0 || (IDENT.test(p) && !KEYWORDS.has(p)) ? (i === 0 ? p : '.' + p) : `[${JSON.stringify(p)}]`))
          .join('');
        return this.list(
          `${name}(`,
          ')',
          t.args,
          (a, n) => this.item(a, n),
          t.args.map((a) => a.loc.row),
          t.loc.row,
          ind,
          this.parenFrom(this.offset(t.loc)),
        );
      }
    }
  }

  /**
   * A comprehension body: `; `-joined on one line, or one expression per line when written so,
   * with the comments written after the `|` and before the closing bracket kept there.
   */
  private comprBody(body: Body, row: number, ind: number, openAt: number): string {
    const multi = body.some((e) => e.loc.row > row);
    if (!multi) return ' ' + body.map((e) => this.expr(e, ind)).join('; ');
    return this.afterOpen(body) + '\n' + this.bodyLines(body, ind + 1, this.closeRow(openAt)).join('\n') + '\n' + '\t'.repeat(ind);
  }

  /** Comments after the token that opens a body (`{`, `|`) on its line: they stay after it. */
  private afterOpen(body: Body): string {
    const openRow = this.lastRowBefore(this.offset(body[0].loc));
    return this.takeTrailing(openRow, Math.min(openRow, body[0].loc.row - 1))
      .map((c) => ' ' + Printer.commentText(c))
      .join('');
  }

  /** Offset of the `{` that opens a non-empty `every` body: the bracket before its first expression. */
  private everyBrace(e: Expr & { kind: 'every' }): number {
    let t = this.tokenBefore(this.offset(e.body[0].loc));
    while (t && t.kind === 'punct' && t.text === '(') t = this.tokenBefore(t.offset);
    return t ? t.offset : this.offset(e.loc);
  }

  // ---- expressions --------------------------------------------------------------------

  /** `with` modifiers; one written on a line of its own stays on its own line, indented once more. */
  private withs(ws: With[], ind: number): string {
    return ws
      .map((w) => {
        const own = this.lastRowBefore(this.offset(w.loc)) < w.loc.row;
        return `${own ? '\n' + '\t'.repeat(ind + 1) : ' '}with ${this.term(w.target, ind + 1)} as ${this.term(w.value, ind + 1)}`;
      })
      .join('');
  }

  expr(e: Expr, ind: number): string {
    const not = e.negated ? 'not ' : '';
    switch (e.kind) {
      case 'term':
        return not + this.term(e.term, ind) + this.withs(e.with, ind);
      case 'some': {
        // Written over several lines, one source line of names per line, as OPA prints them.
        const lines: string[][] = [];
        e.vars.forEach((v, i) => (i > 0 && v.loc.row === e.vars[i - 1].loc.row ? lines[lines.length - 1].push(v.name) : lines.push([v.name])));
        const rows = [...new Set(e.vars.map((v) => v.loc.row))];
        return (
          'some ' +
          lines
            .map((names, i) => {
              if (i === lines.length - 1) return names.join(', ');
              const trail = this.takeTrailing(rows[i], rows[i + 1] - 1).map((c) => ' ' + Printer.commentText(c));
              return names.join(', ') + ',' + trail.join('') + '\n' + '\t'.repeat(ind + 1);
            })
            .join('')
        );
      }
      case 'somein':
        return `some ${e.key ? this.operand(e.key, ind, 1) + ', ' : ''}${this.operand(e.value, ind, 1)} in ${this.operand(e.collection, ind, 0, true)}${this.withs(e.with, ind)}`;
      case 'every': {
        const head = `every ${e.key ? this.term(e.key, ind) + ', ' : ''}${this.term(e.value, ind)} in ${this.operand(e.domain, ind, 0, true)} {`;
        if (e.body.length === 0) return `${head}\n${'\t'.repeat(ind)}}${this.withs(e.with, ind)}`;
        const close = this.closeRow(this.everyBrace(e));
        return `${head}${this.afterOpen(e.body)}\n${this.bodyLines(e.body, ind + 1, close).join('\n')}\n${'\t'.repeat(ind)}}${this.withs(e.with, ind)}`;
      }
    }
  }

  /**
   * The lines of a body at indentation `ind`, with the comments before and on each expression,
   * one blank line kept where the source had one, and the comments up to row `endRow`.
   */
  private bodyLines(body: Body, ind: number, endRow: number): string[] {
    const pad = '\t'.repeat(ind);
    const out: string[] = [];
    body.forEach((e, i) => {
      const start = e.loc.row;
      const lead = this.takeBefore(start);
      const firstRow = lead.length > 0 ? lead[0].row : start;
      if (i > 0 && firstRow > this.lastRowBefore(this.offsetOfRow(firstRow)) + 1) out.push('');
      for (const c of lead) out.push(pad + Printer.commentText(c));
      // a blank line between the comments and the expression stays, as OPA keeps it
      if (lead.length > 0 && start > lead[lead.length - 1].row + 1) out.push('');
      const end = Math.max(this.exprEndRow(e), this.lastTokenRow(e, body[i + 1], endRow));
      const text = this.expr(e, ind);
      const trail = this.takeTrailing(start, Math.max(start, end));
      out.push(pad + text + trail.map((c) => ' ' + Printer.commentText(c)).join(''));
    });
    if (endRow !== Infinity) {
      const rest = this.takeBefore(endRow);
      for (const c of rest) out.push(pad + Printer.commentText(c));
    }
    return out;
  }

  /** Where an expression starts, counting the `(` written before its first term. */
  private exprStart(e: Expr): number {
    let off = this.offset(e.loc);
    for (let t = this.tokenBefore(off); t && t.kind === 'punct' && t.text === '('; t = this.tokenBefore(off)) off = t.offset;
    return off;
  }

  /**
   * Row of an expression's last token (its closing brackets included): the token before the next
   * expression, or, for the last one, the token before the bracket that closes the enclosing body
   * (at most the body's last row `endRow`: a body without braces ends with its rule).
   */
  private lastTokenRow(e: Expr, next: Expr | undefined, endRow: number): number {
    if (next) return this.lastRowBefore(this.exprStart(next));
    let depth = 0;
    let last = e.loc.row;
    for (let i = this.tokenIndexFrom(this.exprStart(e)); i < this.toks.length; i++) {
      const t = this.toks[i];
      if (t.kind === 'eof' || t.row > endRow) break;
      if (t.kind === 'punct' && (t.text === '(' || t.text === '[' || t.text === '{')) depth++;
      else if (t.kind === 'punct' && (t.text === ')' || t.text === ']' || t.text === '}') && --depth < 0) break;
      last = this.rowOfEnd(t);
    }
    return last;
  }

  private offsetOfRow(row: number): number {
    return row === Infinity ? Number.MAX_SAFE_INTEGER : (this.lineStarts[row - 1] ?? Number.MAX_SAFE_INTEGER);
  }

  // ---- rules --------------------------------------------------------------------------

  private headRef(r: Rule): string {
    const [name, ...path] = r.head.ref;
    let s = name.type === 'var' ? name.name : this.term(name, 0);
    for (const p of path) {
      if (p.type === 'string' && IDENT.test(p.value) && !KEYWORDS.has(p.value)) s += '.' + p.value;
      else s += '[' + this.term(p, 0) + ']';
    }
    return s;
  }

  /** Whether the rule prints on one line (a single expression written on the head's line, or no body). */
  /** Whether a body prints after `if` on its line: one expression, written on the line of the token before it (`if` or `{`). */
  private bodyOneLine(body: Body): boolean {
    if (body.length !== 1 || !this.kwIf) return false;
    const e = body[0];
    const before = this.lastRowBefore(this.offset(e.loc));
    if (e.kind === 'every' || before !== e.loc.row || this.exprEndRow(e) !== e.loc.row) return false;
    // A comment between the `{` and the expression keeps the braces.
    return !this.comments.some((c) => !this.used.has(c) && c.row === e.loc.row && this.offset(c) < this.offset(e.loc));
  }

  /** Whether the rule prints on one line (grouping with its neighbours). */
  private oneLine(r: Rule): boolean {
    return r.elses.length === 0 && (r.body.length === 0 || this.bodyOneLine(r.body));
  }

  /** The last row of any term in `x` (an expression or term). */
  private exprEndRow(x: unknown): number {
    let max = 0;
    const walk = (n: unknown): void => {
      if (typeof n !== 'object' || n === null) return;
      if (Array.isArray(n)) {
        for (const y of n) walk(y);
        return;
      }
      const o = n as Record<string, unknown>;
      const loc = o.loc as { row?: number } | undefined;
      if (loc && typeof loc.row === 'number') {
        let row = loc.row;
        if (o.type === 'string') row = this.rowOfEnd(this.tokenAt(this.offset(loc as { row: number; col: number })) ?? { row, offset: 0, end: 0 });
        max = Math.max(max, row);
      }
      for (const [k, v] of Object.entries(o)) if (k !== 'loc') walk(v);
    };
    walk(x);
    return max;
  }

  /** 1 for an infix call whose left operand starts elsewhere; n+1 for one whose left operand is such a call of index n. */
  private innerIndex(t: Term): number {
    if (t.type !== 'call' || t.args.length === 0) return 1;
    const a = t.args[0];
    return isInfix(a) && a.loc.row === t.loc.row && a.loc.col === t.loc.col ? 1 + this.innerIndex(a) : 1;
  }

  /** How many `(` come directly before `offset`. */
  private parensBefore(offset: number): number {
    let k = -(this.consumed.get(offset) ?? 0);
    let t = this.tokenBefore(offset);
    while (t && t.text === '(' && t.kind === 'punct') {
      k++;
      t = this.tokenBefore(t.offset);
    }
    return k;
  }

  private tokenBefore(offset: number): Token | undefined {
    let lo = 0;
    let hi = this.toks.length - 1;
    let best: Token | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.toks[mid].offset < offset) {
        best = this.toks[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  }

  private tokenAt(offset: number): { row: number; offset: number; end: number } | undefined {
    let lo = 0;
    let hi = this.toks.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const t = this.toks[mid];
      if (t.offset === offset) return t;
      if (t.offset < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** A body after a head or `else`: ` if expr`, or ` if {` … `}` with its comments up to `closeRow`. */
  private branch(body: Body, closeRow: number): { text: string; braces: boolean } {
    const ifKw = this.kwIf ? ' if' : '';
    if (this.bodyOneLine(body)) return { text: `${ifKw} ${this.expr(body[0], 0)}`, braces: false };
    const braceRow = this.lastRowBefore(this.offset(body[0].loc));
    const afterBrace = this.takeTrailing(braceRow, Math.min(braceRow, body[0].loc.row - 1));
    const lines = this.bodyLines(body, 1, closeRow);
    return { text: `${ifKw} {${afterBrace.map((c) => ' ' + Printer.commentText(c)).join('')}\n${lines.join('\n')}\n}`, braces: true };
  }

  private ruleText(r: Rule, endRow: number): string {
    const h = r.head;
    const assign = this.v1 || h.assign ? ':=' : '=';
    let head = (r.default ? 'default ' : '') + this.headRef(r);
    if (h.args)
      head += this.list(
        '(',
        ')',
        h.args,
        (a, n) => this.item(a, n),
        h.args.map((a) => a.loc.row),
        h.loc.row,
        0,
        this.parenFrom(this.offset(h.loc)),
      );
    if (h.contains) {
      head += this.kwContains ? ` contains ${this.term(h.key!, 0)}` : `[${this.term(h.key!, 0)}]`;
    } else if (h.value !== undefined) {
      head += ` ${assign} ${this.term(h.value, 0)}`;
    }
    if (r.body.length === 0) return head;
    // A body's comments end at its closing brace: the row before the next `else`, or the rule's last row.
    const lastRow = this.lastRowBefore(this.offsetOfRow(endRow));
    const closeOf = (i: number): number => (i < r.elses.length ? this.lastRowBefore(this.offset(r.elses[i].loc)) : lastRow);
    let prev = this.branch(r.body, closeOf(0));
    let s = head + prev.text;
    r.elses.forEach((e: ElseClause, i) => {
      // OPA keeps `} else` together when written so; otherwise the else starts its own paragraph.
      const sameLine = prev.braces && this.lastRowBefore(this.offset(e.loc)) === e.loc.row;
      // A comment after the `}` before a separate `else` stays on the `}` line.
      const closeRow = closeOf(i);
      if (!sameLine) {
        s += this.takeTrailing(closeRow, closeRow)
          .map((c) => ' ' + Printer.commentText(c))
          .join('');
      }
      const lead = this.takeBefore(e.loc.row);
      const value = e.value !== undefined ? ` ${assign} ${this.term(e.value, 0)}` : '';
      s += sameLine && lead.length === 0 ? ' ' : '\n\n' + lead.map((c) => Printer.commentText(c) + '\n').join('');
      if (e.body.length === 0) {
        s += `else${value}`;
        return;
      }
      prev = this.branch(e.body, closeOf(i + 1));
      s += `else${value}${prev.text}`;
    });
    return s;
  }

  // ---- module -------------------------------------------------------------------------

  private importText(i: Import): string {
    const [head, ...rest] = i.path;
    // Keywords may follow a dot in import paths (`import future.keywords.in`).
    const p = head + rest.map((s) => (IDENT.test(s) ? '.' + s : `[${JSON.stringify(s)}]`)).join('');
    return `import ${p}${i.alias !== undefined ? ` as ${i.alias}` : ''}`;
  }

  module(): string {
    const m = this.mod;
    const out: string[] = [];
    const emitLead = (row: number): void => {
      const lead = this.takeBefore(row);
      lead.forEach((c, i) => {
        if (i > 0 && c.row > lead[i - 1].row + 1) out.push('');
        out.push(Printer.commentText(c));
      });
      if (lead.length > 0 && row > lead[lead.length - 1].row + 1) out.push('');
    };
    emitLead(m.packageLoc.row);
    const pkg = m.package.map((s, i) => (i === 0 || (IDENT.test(s) && !KEYWORDS.has(s)) ? (i === 0 ? s : '.' + s) : `[${JSON.stringify(s)}]`)).join('');
    out.push(
      `package ${pkg}` +
        this.takeTrailing(m.packageLoc.row, m.packageLoc.row)
          .map((c) => ' ' + Printer.commentText(c))
          .join(''),
    );

    type Stmt = { kind: 'import'; imp: Import } | { kind: 'rule'; rule: Rule };
    const dropImport = (i: Import): boolean => this.v1 && (i.path[0] === 'future' || i.path[0] === 'rego');
    const stmts: Stmt[] = [
      ...m.imports.filter((i) => !dropImport(i)).map((imp): Stmt => ({ kind: 'import', imp })),
      ...m.rules.map((rule): Stmt => ({ kind: 'rule', rule })),
    ];
    const loc = (s: Stmt): { row: number; col: number } => (s.kind === 'import' ? s.imp.loc : s.rule.loc);
    stmts.sort((a, b) => loc(a).row - loc(b).row || loc(a).col - loc(b).col);
    // Dropped imports' trailing comments stay (as own-line comments before what follows).
    const startRow = (i: number): number => (i < stmts.length ? loc(stmts[i]).row : Infinity);

    let i = 0;
    let prevKind: 'package' | 'import' | 'rule' = 'package';
    let prevOneLine = true;
    let prevEnd = m.packageLoc.row;
    while (i < stmts.length) {
      const s = stmts[i];
      if (s.kind === 'import') {
        // A group: imports on consecutive lines (no blank line or other statement between).
        // (Dropped imports still join the lines around them into one group.)
        const group: Import[] = [s.imp];
        let j = i + 1;
        const adjacent = (a: Import, b: Import): boolean => {
          for (let row = a.loc.row + 1; row < b.loc.row; row++) if (!m.imports.some((x) => dropImport(x) && x.loc.row === row)) return false;
          return true;
        };
        while (j < stmts.length && stmts[j].kind === 'import' && adjacent((stmts[j - 1] as { imp: Import }).imp, (stmts[j] as { imp: Import }).imp)) {
          group.push((stmts[j] as { imp: Import }).imp);
          j++;
        }
        out.push('');
        emitLead(s.imp.loc.row);
        const lines = group.map((imp) => ({
          text: this.importText(imp),
          trail: this.takeTrailing(imp.loc.row, imp.loc.row)
            .map((c) => ' ' + Printer.commentText(c))
            .join(''),
          lead: this.takeBefore(imp.loc.row),
        }));
        lines.sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
        for (const l of lines) {
          for (const c of l.lead) out.push(Printer.commentText(c));
          out.push(l.text + l.trail);
        }
        prevEnd = loc(stmts[j - 1]).row;
        prevKind = 'import';
        i = j;
        continue;
      }
      const r = s.rule;
      const endRow = startRow(i + 1);
      const one = this.oneLine(r);
      const lead = this.comments.filter((c) => !this.used.has(c) && c.row < r.loc.row);
      const grouped = prevKind === 'rule' && prevOneLine && one && lead.length === 0 && r.loc.row === prevEnd + 1;
      if (!grouped) out.push('');
      emitLead(r.loc.row);
      const end = Math.max(r.loc.row, this.lastRowBefore(this.offsetOfRow(endRow)));
      const text = this.ruleText(r, endRow);
      const trail = this.takeTrailing(r.loc.row, end)
        .map((c) => ' ' + Printer.commentText(c))
        .join('');
      out.push(text + trail);
      prevKind = 'rule';
      prevOneLine = one;
      prevEnd = end;
      i++;
    }
    const rest = this.takeBefore(Infinity);
    if (rest.length > 0) {
      out.push('');
      rest.forEach((c, k) => {
        if (k > 0 && c.row > rest[k - 1].row + 1) out.push('');
        out.push(Printer.commentText(c));
      });
    }
    void prevKind;
    return out.join('\n') + '\n';
  }
}

/** Formats a parsed module (its `source` supplies comments and raw-string spelling). */
export function formatModule(mod: Module, opts: FormatOptions = {}): string {
  const v = opts.regoVersion ?? mod.regoVersion;
  return new Printer(mod, v === 1).module();
}

/**
 * Parses and formats Rego source. `regoVersion` is how the source is read (default 1);
 * `outputVersion` how it is written (default: as read, or v1 when the module says `import rego.v1`).
 * Throws RegoError (rego_parse_error) on a source that does not parse.
 */
export function formatSource(file: string, source: string, opts: { regoVersion?: 0 | 1; outputVersion?: 0 | 1 } = {}): string {
  const mod = parseModule(file, source, { regoVersion: opts.regoVersion ?? 1 });
  return formatModule(mod, { regoVersion: opts.outputVersion ?? mod.regoVersion });
}
