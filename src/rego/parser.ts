// The Rego parser: tokens (lexer.ts) → AST (ast.ts).
//
// A hand-written recursive-descent parser following OPA's grammar and operator
// precedence (from OPA's parser: `in` < comparisons < `|` < `&` < `+ -` < `* / %` <
// unary minus < refs/calls). Infix operators become calls, as in OPA.
//
// Shapes worth knowing when consuming the AST:
// - a bare `input` / `data` is a VarTerm (not an empty-path ref);
// - `set()` is a CallTerm named "set" with no arguments, `{}` is an empty object;
// - `_` stays `_` (the compiler makes each one unique);
// - `p[x] if ...` is a single-value rule with ref [p, x] and no value (i.e. true);
//   `p contains x` is a multi-value rule with ref [p] and key x; in Rego v0 `p[x] { }`
//   is turned into the latter, as OPA does;
// - a default rule has an empty body, `default: true`.
//
// Rego v1 is the default. v0 (rules without `if`, `p[x] { }` partial sets, keywords only
// through `import future.keywords`) is supported with `{ regoVersion: 0 }`; a v0 module
// that says `import rego.v1` is parsed as v1 and reports regoVersion 1.
//
// Hostile input: nesting deeper than MAX_DEPTH (brackets, bodies, operator chains) is a
// parse error, never a JS stack overflow.

import type {
  Body,
  CallTerm,
  ElseClause,
  Every,
  Expr,
  Import,
  Loc,
  Module,
  NumberTerm,
  Rule,
  RuleHead,
  SomeDecl,
  SomeIn,
  Term,
  TermExpr,
  VarTerm,
  With,
} from './ast.js';
import { RegoError } from './errors.js';
import { attachAnnotations } from './annotations.js';
import { tokenize, type Comment, type Token } from './lexer.js';
import { parseNumberText } from './value.js';

/** Deepest nesting of terms/bodies accepted (OPA refuses deep nesting too). */
export const MAX_DEPTH = 1000;

export interface ParseOptions {
  /** Rego language version; default 1. */
  regoVersion?: 0 | 1;
}

const V0_KEYWORDS = ['as', 'default', 'else', 'false', 'import', 'not', 'null', 'package', 'some', 'true', 'with'];
const FUTURE_KEYWORDS = ['contains', 'every', 'if', 'in'];
const V1_KEYWORDS = [...V0_KEYWORDS, ...FUTURE_KEYWORDS];

interface BinOp {
  prec: number;
  name: string;
}

const BINARY: Record<string, BinOp> = {
  '==': { prec: 1, name: 'equal' },
  '!=': { prec: 1, name: 'neq' },
  '<': { prec: 1, name: 'lt' },
  '<=': { prec: 1, name: 'lte' },
  '>': { prec: 1, name: 'gt' },
  '>=': { prec: 1, name: 'gte' },
  '|': { prec: 2, name: 'or' },
  '&': { prec: 3, name: 'and' },
  '+': { prec: 4, name: 'plus' },
  '-': { prec: 4, name: 'minus' },
  '*': { prec: 5, name: 'mul' },
  '/': { prec: 5, name: 'div' },
  '%': { prec: 5, name: 'rem' },
};

function describe(t: Token, keyword: boolean): string {
  switch (t.kind) {
    case 'eof':
      return 'end of input';
    case 'punct':
      return `"${t.text}"`;
    case 'number':
      return `number ${t.text}`;
    case 'string': {
      const s = t.text.length > 24 ? t.text.slice(0, 21) + '...' : t.text;
      return `string ${s}`;
    }
    case 'ident':
      return keyword ? `keyword "${t.text}"` : `name "${t.text}"`;
    case 'template':
      return 'template string';
  }
}

/** Names the comprehension variables of template strings; global so nested templates never share one. */
let templateVarSeq = 0;

/** A term made of scalars and collections of them only (no variables, refs or calls). */
export function isGround(t: Term): boolean {
  switch (t.type) {
    case 'null':
    case 'boolean':
    case 'number':
    case 'string':
      return true;
    case 'array':
    case 'set':
      return t.items.every(isGround);
    case 'object':
      return t.items.every(([k, v]) => isGround(k) && isGround(v));
    default:
      return false;
  }
}

/** The first var/ref/call found outside comprehensions (default rule values must be constant). */
function firstNonConstant(t: Term): Term | undefined {
  switch (t.type) {
    case 'call':
      return t.name === 'set' && t.args.length === 0 ? undefined : t; // set() is the empty set
    case 'var':
    case 'ref':
      return t;
    case 'array':
    case 'set':
      for (const x of t.items) {
        const r = firstNonConstant(x);
        if (r) return r;
      }
      return undefined;
    case 'object':
      for (const [k, v] of t.items) {
        const r = firstNonConstant(k) ?? firstNonConstant(v);
        if (r) return r;
      }
      return undefined;
    default:
      return undefined;
  }
}

const KIND_NAMES: Record<Term['type'], string> = {
  null: 'null',
  boolean: 'boolean',
  number: 'number',
  string: 'string',
  var: 'variable',
  ref: 'reference',
  array: 'array',
  object: 'object',
  set: 'set',
  arraycompr: 'array comprehension',
  setcompr: 'set comprehension',
  objectcompr: 'object comprehension',
  call: 'function call',
};

/**
 * Thrown by a comprehension body that meets a top-level `,` (`[x | y, 5]`): OPA then
 * re-reads the brackets as a plain array/set (`[x | y, 5]` is `[or(x, y), 5]`).
 */
class CommaFallback {}

/**
 * A parse error inside the parser. Deliberately not an Error: speculative parses (OPA's
 * grammar needs a few) throw and catch these, and capturing a stack trace each time would
 * dominate parse time. The public functions turn it into a RegoError.
 */
class ParseFailure {
  constructor(
    readonly message: string,
    readonly loc: Loc,
  ) {}
}

class Parser {
  private readonly toks: Token[];
  private i = 0;
  private depth = 0;
  /**
   * parseUnary results by start token index. The parser backtracks in a few places
   * (comprehension vs. list, `k, v in`, a rule body after `if`); re-reading a term from
   * the cache keeps that linear instead of exponential in the nesting depth.
   */
  private readonly memo: ({ term: Term; end: number } | undefined)[];
  private keywords: Set<string>;
  /** Effective version: a v0 module switches to 1 on `import rego.v1`. */
  version: 0 | 1;
  /** The source's comments (for `# METADATA` blocks). */
  readonly comments: Comment[] = [];

  constructor(
    readonly file: string,
    readonly src: string,
    version: 0 | 1,
  ) {
    this.toks = tokenize(file, src, this.comments);
    this.memo = new Array<{ term: Term; end: number } | undefined>(this.toks.length);
    this.version = version;
    this.keywords = new Set(version === 1 ? V1_KEYWORDS : V0_KEYWORDS);
  }

  // ---- token helpers ------------------------------------------------------------------

  private get tok(): Token {
    return this.toks[this.i];
  }

  private peek(n = 1): Token {
    return this.toks[Math.min(this.i + n, this.toks.length - 1)];
  }

  private next(): Token {
    const t = this.toks[this.i];
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  loc(t: Token = this.tok): Loc {
    return { file: this.file, row: t.row, col: t.col };
  }

  private isPunct(text: string, t: Token = this.tok): boolean {
    return t.kind === 'punct' && t.text === text;
  }

  private isKeyword(t: Token): boolean {
    return t.kind === 'ident' && this.keywords.has(t.text);
  }

  /** A keyword used as the first name of a ref (`else.x`, `in[0]`): OPA's keywords-in-refs. */
  private isKeywordRefStart(t: Token, at: number): boolean {
    if (!this.isKeyword(t) || t.text === 'true' || t.text === 'false' || t.text === 'null') return false;
    const n = this.toks[Math.min(at + 1, this.toks.length - 1)];
    return !n.ws && n.kind === 'punct' && (n.text === '.' || n.text === '[');
  }

  /** The current token is the keyword `word` (and not the start of a ref like `not.x`). */
  private isKw(word: string): boolean {
    const t = this.tok;
    return t.kind === 'ident' && t.text === word && this.keywords.has(word) && !this.isKeywordRefStart(t, this.i);
  }

  fail(msg: string, t: Token = this.tok): never {
    throw new ParseFailure(msg, this.loc(t));
  }

  private failAt(msg: string, loc: Loc): never {
    throw new ParseFailure(msg, loc);
  }

  private unexpected(expected: string, t: Token = this.tok): never {
    this.fail(`unexpected ${describe(t, this.isKeyword(t))}, expected ${expected}${this.futureKeywordHint(t)}`, t);
  }

  /** For v0 modules: `if`, `contains`, `in`, `every` are keywords only when imported. */
  private futureKeywordHint(t: Token): string {
    if (t.kind !== 'ident' || this.keywords.has(t.text) || !FUTURE_KEYWORDS.includes(t.text)) return '';
    return ` ("${t.text}" is a keyword only with "import rego.v1" or "import future.keywords.${t.text}" in Rego v0)`;
  }

  private expectPunct(text: string, expected = `"${text}"`): Token {
    if (!this.isPunct(text)) this.unexpected(expected);
    return this.next();
  }

  private expectKw(word: string, expected = `"${word}"`): Token {
    if (!this.isKw(word)) this.unexpected(expected);
    return this.next();
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) {
      this.fail(`policy is nested too deeply (more than ${MAX_DEPTH} levels)`);
    }
  }

  private leave(): void {
    this.depth--;
  }

  private call(name: string, args: Term[], loc: Loc): CallTerm {
    return { type: 'call', name, args, loc };
  }

  atEnd(): boolean {
    return this.tok.kind === 'eof';
  }

  // ---- terms --------------------------------------------------------------------------

  private numberTerm(raw: string, loc: Loc, at: Token): NumberTerm {
    const digits = raw.startsWith('-') ? raw.slice(1) : raw;
    if (/^0\d/.test(digits)) this.fail(`invalid number ${raw}: numbers must not have leading zeros`, at);
    // Kept exact as OPA keeps its literals (json.Number); refused past OPA's size limit.
    const value = parseNumberText(raw.startsWith('.') || raw.startsWith('-.') ? raw.replace('.', '0.') : raw);
    if (value === null) this.fail(`number ${raw} is too big`, at);
    return { type: 'number', value, raw, loc };
  }

  /**
   * $"a {x} b" → internal.template_string(["a ", {__tmplN__ | __tmplN__ = x}, " b"]), OPA's
   * rewrite: each expression becomes the set of its values, so an undefined one prints
   * <undefined> instead of making the string undefined.
   */
  private templateString(t: Token, loc: Loc): Term {
    const args: Term[] = [];
    for (const p of t.parts ?? []) {
      if ('text' in p) {
        args.push({ type: 'string', value: p.text, loc });
        continue;
      }
      let term: Term;
      try {
        term = parseTerm(p.expr, this.file);
      } catch (e) {
        if (e instanceof RegoError) this.fail(`invalid template string expression {${p.expr}}: ${e.detail}`, t);
        throw e;
      }
      const v: Term = { type: 'var', name: `__tmpl${templateVarSeq++}__`, loc };
      const expr: TermExpr = { kind: 'term', term: this.call('eq', [v, term], loc), negated: false, with: [], loc };
      args.push({ type: 'setcompr', term: v, body: [expr], loc });
    }
    return this.call('internal.template_string', [{ type: 'array', items: args, loc }], loc);
  }

  private parsePrimary(): Term {
    const t = this.tok;
    const loc = this.loc(t);
    switch (t.kind) {
      case 'number':
        this.next();
        return this.numberTerm(t.text, loc, t);
      case 'string':
        this.next();
        return { type: 'string', value: t.value ?? '', loc };
      case 'template':
        this.next();
        return this.templateString(t, loc);
      case 'ident': {
        if (this.isKeyword(t)) {
          if (t.text === 'null') {
            this.next();
            return { type: 'null', loc };
          }
          if (t.text === 'true' || t.text === 'false') {
            this.next();
            return { type: 'boolean', value: t.text === 'true', loc };
          }
          // `contains` is only a keyword in rule heads; elsewhere it names the builtin.
          if (t.text !== 'contains' && !this.isKeywordRefStart(t, this.i)) this.unexpected('a term');
        }
        this.next();
        return { type: 'var', name: t.text, loc };
      }
      case 'punct':
        switch (t.text) {
          case '[':
            return this.parseArray();
          case '{':
            return this.parseBraces();
          case '(': {
            this.next();
            const inner = this.parseInTerm(true);
            this.expectPunct(')', '")" to close "("');
            return inner;
          }
          case '.': {
            const n = this.peek();
            if (n.kind === 'number' && !n.ws) {
              this.next();
              this.next();
              return this.numberTerm('.' + n.text, loc, t);
            }
            break;
          }
        }
        break;
      default:
        break;
    }
    return this.unexpected('a term');
  }

  /** Unary minus, then a primary term with its refs and calls. */
  private parseUnary(): Term {
    const at = this.i;
    const cached = this.memo[at];
    if (cached !== undefined) {
      this.i = cached.end;
      return cached.term;
    }
    // (One frame per nesting level matters here: every nested term passes through.)
    this.enter();
    let term: Term;
    try {
      term = this.isPunct('-') ? this.parseMinus() : this.parsePostfix(this.parsePrimary());
    } finally {
      this.leave();
    }
    this.memo[at] = { term, end: this.i };
    return term;
  }

  /** `-1` (also `- 1`, `-.5`) is a negative number literal; `-` before anything else is refused, as in OPA. */
  private parseMinus(): Term {
    const t = this.tok;
    const n = this.peek();
    const loc = this.loc(t);
    if (n.kind === 'number') {
      this.next();
      this.next();
      return this.numberTerm('-' + n.text, loc, n);
    }
    if (this.isPunct('.', n) && this.peek(2).kind === 'number' && !this.peek(2).ws) {
      const m = this.peek(2);
      this.next();
      this.next();
      this.next();
      return this.numberTerm('-.' + m.text, loc, m);
    }
    // OPA's parser reads "-" only as the sign of a number literal (parseTerm → parseNumber:
    // "expected number"); `-x`, `- -1` and `-f(x)` are parse errors there.
    return this.unexpected('a number after "-" (a minus sign only starts a number literal: write 0 - x)', n);
  }

  /** `.name`, `[term]` and `(args)` directly after a term (no whitespace before them). */
  private parsePostfix(first: Term): Term {
    let head: Term = first;
    let path: Term[] | null = null; // non-null while building a ref on `head`

    for (;;) {
      const t = this.tok;
      if (t.ws || t.kind !== 'punct') break;
      if (t.text === '.' || t.text === '[') {
        if (path === null) {
          if (head.type === 'ref') {
            path = [...head.path];
            head = head.head;
          } else {
            this.checkRefHead(head, t);
            path = [];
          }
        }
        if (t.text === '.') {
          this.next();
          const n = this.tok;
          if (n.kind !== 'ident' || n.ws) this.unexpected('a name after "."');
          this.next();
          path.push({ type: 'string', value: n.text, loc: this.loc(n) });
        } else {
          this.next();
          this.enter();
          try {
            path.push(this.parseInTerm(true));
          } finally {
            this.leave();
          }
          this.expectPunct(']', '"]" to close "["');
        }
        continue;
      }
      if (t.text === '(') {
        const callee: Term = path === null ? head : { type: 'ref', head, path, loc: head.loc };
        const name = this.functionName(callee, t);
        this.next();
        const args = this.parseTermList(')');
        head = this.call(name, args, callee.loc);
        path = null;
        if (this.isPunct('(') && !this.tok.ws) this.fail('cannot call the result of a function call');
        continue;
      }
      break;
    }
    return path === null ? head : { type: 'ref', head, path, loc: head.loc };
  }

  private checkRefHead(head: Term, at: Token): void {
    switch (head.type) {
      case 'var':
      case 'array':
      case 'object':
      case 'set':
      case 'arraycompr':
      case 'setcompr':
      case 'objectcompr':
      case 'call':
      case 'ref':
        return;
      default:
        this.fail(`cannot index or call a ${KIND_NAMES[head.type]} with "${at.text}"`, at);
    }
  }

  /** The dotted name of a callee (`f`, `a.b.c`, `data.lib["f"]`). */
  private functionName(callee: Term, at: Token): string {
    if (callee.type === 'var') {
      if (this.keywords.has(callee.name) && callee.name !== 'contains') {
        this.fail(`"${callee.name}" is a keyword and cannot be called`, at);
      }
      return callee.name;
    }
    if (callee.type === 'ref' && callee.head.type === 'var') {
      const parts = [callee.head.name];
      for (const p of callee.path) {
        if (p.type !== 'string') this.fail('function names must be dotted names such as "a.b.f"', at);
        parts.push(p.value);
      }
      return parts.join('.');
    }
    return this.fail(`cannot call a ${KIND_NAMES[callee.type]}`, at);
  }

  /** Comma-separated terms up to `end` (consumed); a trailing comma is allowed. */
  private parseTermList(end: string): Term[] {
    const items: Term[] = [];
    if (this.isPunct(end)) {
      this.next();
      return items;
    }
    for (;;) {
      items.push(this.parseInTerm(false));
      if (this.isPunct(end)) {
        this.next();
        return items;
      }
      if (!this.isPunct(',')) this.unexpected(`"," or "${end}"`);
      this.next();
      if (this.isPunct(end)) {
        this.next();
        return items;
      }
    }
  }

  private parseArray(): Term {
    const open = this.next();
    const loc = this.loc(open);
    if (this.isPunct(']')) {
      this.next();
      return { type: 'array', items: [], loc };
    }
    let maybeCompr = true;
    if (this.isPunct(',')) {
      this.next(); // OPA tolerates a leading comma, and then it is never a comprehension
      maybeCompr = false;
    }
    const first = this.parseUnary();
    if (maybeCompr && this.isPunct('|')) {
      const body = this.tryComprehensionBody(']');
      if (body !== null) return { type: 'arraycompr', term: first, body, loc };
    }
    const items = [this.parseInTerm(false, first)];
    if (this.isPunct(',')) {
      this.next();
      items.push(...this.parseTermList(']'));
    } else {
      this.expectPunct(']', '"," or "]"');
    }
    return { type: 'array', items, loc };
  }

  /**
   * At `|` after the first item: the comprehension body and its closing bracket, or null
   * (position unchanged) when the body turns out to be followed by `,` — then the
   * brackets hold a list whose first item is an `|` (set union) call.
   */
  private tryComprehensionBody(end: ']' | '}'): Body | null {
    const save = this.i;
    this.next();
    try {
      const body = this.parseBody(end, true);
      this.next();
      return body;
    } catch (e) {
      if (!(e instanceof CommaFallback)) throw e;
      this.i = save;
      return null;
    }
  }

  /** `{}` (empty object), objects, sets and set/object comprehensions. */
  private parseBraces(): Term {
    const open = this.next();
    const loc = this.loc(open);
    if (this.isPunct('}')) {
      this.next();
      return { type: 'object', items: [], loc };
    }
    let maybeCompr = true;
    if (this.isPunct(',')) {
      this.next();
      maybeCompr = false;
    }
    const first = this.parseUnary();
    if (maybeCompr && this.isPunct('|')) {
      const body = this.tryComprehensionBody('}');
      if (body !== null) return { type: 'setcompr', term: first, body, loc };
    }
    const key = this.isPunct(':') ? first : this.parseInTerm(false, first);
    if (this.isPunct(':')) {
      this.next();
      const v = this.parseUnary();
      if (maybeCompr && this.isPunct('|')) {
        this.next();
        const body = this.parseBody('}');
        this.next();
        return { type: 'objectcompr', key, value: v, body, loc };
      }
      const items: [Term, Term][] = [[key, this.parseInTerm(false, v)]];
      for (;;) {
        if (this.isPunct('}')) {
          this.next();
          break;
        }
        if (!this.isPunct(',')) this.unexpected('"," or "}"');
        this.next();
        if (this.isPunct('}')) {
          this.next();
          break;
        }
        const k = this.parseInTerm(false);
        this.expectPunct(':', '":" after an object key');
        items.push([k, this.parseInTerm(false)]);
      }
      return { type: 'object', items, loc };
    }
    const items = [key];
    if (this.isPunct(',')) {
      this.next();
      items.push(...this.parseTermList('}'));
    } else {
      this.expectPunct('}', '"," or "}"');
    }
    return { type: 'set', items, loc };
  }

  /** Binary operators with precedence >= minPrec (precedence climbing, left-associative). */
  private parseBinary(minPrec: number, first?: Term): Term {
    let left = first ?? this.parseUnary();
    let chain = 0;
    for (;;) {
      const t = this.tok;
      if (t.kind !== 'punct') break;
      const op = BINARY[t.text];
      if (op === undefined || op.prec < minPrec) break;
      this.next();
      if (++chain + this.depth > MAX_DEPTH) this.fail(`expression is nested too deeply (more than ${MAX_DEPTH} operators)`, t);
      const right = this.parseBinary(op.prec + 1);
      left = this.call(op.name, [left, right], left.loc);
    }
    return left;
  }

  /**
   * A full term with infix operators, including `x in xs`; with keyVal also `k, v in xs`
   * (not inside lists, where the comma separates items).
   */
  parseInTerm(keyVal: boolean, first?: Term): Term {
    let lhs = this.parseBinary(1, first);
    let chain = 0;
    if (keyVal && this.isPunct(',')) {
      // `k, v in xs`? Only if `in` follows the second term; otherwise leave the comma
      // to the caller (OPA reads it the same way).
      const save = this.i;
      this.next();
      let value: Term | null = null;
      try {
        value = this.parseBinary(1);
      } catch (e) {
        if (!(e instanceof ParseFailure)) throw e;
      }
      if (value !== null && this.isKw('in')) {
        this.next();
        const coll = this.parseBinary(1);
        lhs = this.call('internal.member_3', [lhs, value, coll], lhs.loc);
      } else {
        this.i = save;
      }
    }
    while (this.isKw('in')) {
      const t = this.next();
      if (++chain + this.depth > MAX_DEPTH) this.fail(`expression is nested too deeply (more than ${MAX_DEPTH} operators)`, t);
      const coll = this.parseBinary(1);
      lhs = this.call('internal.member_2', [lhs, coll], lhs.loc);
    }
    return lhs;
  }

  // ---- expressions and bodies ---------------------------------------------------------

  /** Expressions up to `end` (not consumed), separated by `;` or new lines. */
  parseBody(end: '}' | ']' | 'eof', comprehension = false): Body {
    this.enter();
    try {
      const atEnd = (): boolean => (end === 'eof' ? this.tok.kind === 'eof' : this.isPunct(end));
      const endName = end === 'eof' ? 'end of input' : `"${end}"`;
      if (atEnd()) {
        this.fail(end === 'eof' ? 'empty query' : `empty body: expected at least one expression before ${endName}`);
      }
      const body: Body = [];
      for (;;) {
        body.push(this.parseExpr());
        if (this.isPunct(';')) {
          this.next();
          continue;
        }
        if (atEnd()) return body;
        if (comprehension && this.isPunct(',')) throw new CommaFallback();
        if (this.tok.kind === 'eof') this.unexpected(endName);
        if (this.tok.nl) continue;
        this.unexpected(`";", a new line or ${endName} after an expression`);
      }
    } finally {
      this.leave();
    }
  }

  /** `{ body }` (braces consumed). */
  private parseBraceBody(): Body {
    this.expectPunct('{');
    const body = this.parseBody('}');
    this.next();
    return body;
  }

  /** One expression ("literal" in OPA terms), with `not`, `some`, `every` and `with`. */
  parseExpr(): Expr {
    const start = this.tok;
    const loc = this.loc(start);
    let negated = false;
    if (this.isKw('not')) {
      this.next();
      negated = true;
    }
    if (this.isKw('some')) {
      if (negated) this.fail('"some" cannot be negated with "not"');
      return this.parseSome(loc);
    }
    if (this.isKw('every')) {
      if (negated) this.fail('"every" cannot be negated with "not"');
      return this.parseEvery(loc);
    }
    let term = this.parseInTerm(true);
    if (this.isPunct(':=') || this.isPunct('=')) {
      const op = this.next();
      const rhs = this.parseInTerm(true);
      term = this.call(op.text === ':=' ? 'assign' : 'eq', [term, rhs], term.loc);
    }
    const expr: TermExpr = { kind: 'term', term, negated, with: this.parseWiths(), loc };
    return expr;
  }

  private parseWiths(): With[] {
    const withs: With[] = [];
    while (this.isKw('with')) {
      const w = this.next();
      const t = this.tok;
      if (t.kind !== 'ident' || (this.isKeyword(t) && !this.isKeywordRefStart(t, this.i))) {
        this.unexpected('a "with" target such as input.x, data.x.y or a function name');
      }
      const target = this.parsePostfix(this.parsePrimary());
      if (!(target.type === 'var' || (target.type === 'ref' && target.head.type === 'var'))) {
        this.failAt('"with" target must be input, data or a function name (for example input.user or data.roles)', target.loc);
      }
      this.expectKw('as', '"as" after the "with" target');
      const value = this.parseInTerm(true);
      withs.push({ target, value, loc: this.loc(w) });
    }
    return withs;
  }

  private parseSome(loc: Loc): SomeDecl | SomeIn {
    this.next(); // some
    // `some x, y` declares variables; anything else must be `some x in xs` / `some k, v in xs`.
    let j = this.i;
    const vars: VarTerm[] = [];
    const isVarTok = (t: Token): boolean => t.kind === 'ident' && !this.keywords.has(t.text);
    if (isVarTok(this.toks[j])) {
      for (;;) {
        const t = this.toks[j];
        vars.push({ type: 'var', name: t.text, loc: this.loc(t) });
        if (this.isPunct(',', this.toks[j + 1]) && isVarTok(this.toks[j + 2])) {
          j += 2;
          continue;
        }
        j++;
        break;
      }
      const after = this.toks[j];
      const declEnd = after.kind === 'eof' || after.nl || this.isPunct(';', after) || this.isPunct('}', after) || this.isPunct(']', after);
      if (declEnd) {
        this.i = j;
        return { kind: 'some', vars, negated: false, with: [], loc };
      }
    }
    const first = this.tok;
    const term = this.parseInTerm(true);
    if (term.type === 'call' && term.name === 'internal.member_2') {
      return { kind: 'somein', key: null, value: term.args[0], collection: term.args[1], negated: false, with: this.parseWiths(), loc };
    }
    if (term.type === 'call' && term.name === 'internal.member_3') {
      return { kind: 'somein', key: term.args[0], value: term.args[1], collection: term.args[2], negated: false, with: this.parseWiths(), loc };
    }
    return this.fail('"some" must be followed by variables ("some x, y") or a membership ("some x in xs", "some k, v in xs")', first);
  }

  private parseEvery(loc: Loc): Every {
    this.next(); // every
    const first = this.tok;
    const term = this.parseInTerm(true);
    let key: Term | null = null;
    let value: Term;
    let domain: Term;
    if (term.type === 'call' && term.name === 'internal.member_2') {
      [value, domain] = term.args;
    } else if (term.type === 'call' && term.name === 'internal.member_3') {
      [key, value, domain] = term.args;
    } else {
      return this.fail('"every" must be followed by "x in xs" or "k, v in xs" and a body', first);
    }
    if (key !== null && key.type !== 'var') this.failAt('the key in "every k, v in xs" must be a variable', key.loc);
    if (value.type !== 'var') this.failAt('the value in "every x in xs" must be a variable', value.loc);
    if (!this.isPunct('{')) this.unexpected('"{" to start the body of "every"');
    const body = this.parseBraceBody();
    return { kind: 'every', key, value, domain, body, negated: false, with: this.parseWiths(), loc };
  }

  // ---- modules ------------------------------------------------------------------------

  parseModule(): Module {
    while (!this.isKw('package')) {
      if (this.tok.kind === 'eof') this.fail('empty module: expected "package <name>"');
      this.unexpected('"package <name>" as the first statement');
    }
    const pkgTok = this.next();
    const pkg = this.parseDottedPath('package');
    const mod: Module = {
      file: this.file,
      package: pkg.path,
      packageLoc: this.loc(pkgTok),
      imports: [],
      rules: [],
      regoVersion: this.version,
      source: this.src,
    };
    while (this.tok.kind !== 'eof') {
      if (this.isKw('package')) this.fail('a module can have only one "package" statement');
      if (this.isKw('import')) {
        mod.imports.push(this.parseImport());
        mod.regoVersion = this.version;
        continue;
      }
      mod.rules.push(...this.parseRule());
    }
    if (this.comments.some((c) => c.text.trim().startsWith('METADATA'))) attachAnnotations(mod, this.comments);
    return mod;
  }

  /** `a.b["c"]` in package and import statements: names only. */
  private parseDottedPath(what: 'package' | 'import'): { path: string[]; locs: Loc[] } {
    const t = this.tok;
    if (t.kind !== 'ident' || t.text === 'true' || t.text === 'false' || t.text === 'null') {
      this.unexpected(what === 'package' ? 'a package name' : 'an import path such as data.x or input.y');
    }
    this.next();
    const path = [t.text];
    const locs = [this.loc(t)];
    for (;;) {
      const d = this.tok;
      if (d.ws || d.kind !== 'punct') break;
      if (d.text === '.') {
        this.next();
        const n = this.tok;
        if (n.kind !== 'ident' || n.ws) this.unexpected('a name after "."');
        this.next();
        path.push(n.text);
        locs.push(this.loc(n));
      } else if (d.text === '[') {
        this.next();
        const s = this.tok;
        if (s.kind !== 'string') this.unexpected(`a string in the ${what} path (like ["a-b"])`);
        this.next();
        this.expectPunct(']', '"]" to close "["');
        path.push(s.value ?? '');
        locs.push(this.loc(s));
      } else {
        break;
      }
    }
    return { path, locs };
  }

  private parseImport(): Import {
    const imp = this.next();
    const loc = this.loc(imp);
    const pathTok = this.tok;
    const { path } = this.parseDottedPath('import');
    const root = path[0];
    let alias: string | undefined;
    if (this.isKw('as')) {
      this.next();
      const a = this.tok;
      if (a.kind !== 'ident' || this.isKeyword(a)) this.unexpected('an alias name after "as"');
      this.next();
      alias = a.text;
    }
    if (root === 'rego') {
      if (path.length !== 2 || path[1] !== 'v1') this.fail(`unknown import rego.${path.slice(1).join('.')}: the only one is "import rego.v1"`, pathTok);
      if (alias !== undefined) this.failAt('"import rego.v1" cannot have an alias', loc);
      this.version = 1;
      for (const k of FUTURE_KEYWORDS) this.keywords.add(k);
    } else if (root === 'future') {
      if (path[1] !== 'keywords' || path.length > 3) {
        this.fail(`unknown import ${path.join('.')}: expected future.keywords or future.keywords.<keyword>`, pathTok);
      }
      if (alias !== undefined) this.failAt('future keyword imports cannot have an alias', loc);
      if (path.length === 3) {
        if (!FUTURE_KEYWORDS.includes(path[2])) {
          this.fail(`unknown future keyword "${path[2]}" (known: ${FUTURE_KEYWORDS.join(', ')})`, pathTok);
        }
        this.keywords.add(path[2]);
      } else {
        for (const k of FUTURE_KEYWORDS) this.keywords.add(k);
      }
    } else if (root !== 'data' && root !== 'input') {
      this.fail(`import path must start with data, input, future or rego; got "${root}"`, pathTok);
    } else if (alias === undefined && path.length > 1 && this.keywords.has(path[path.length - 1])) {
      this.fail(`import path cannot end with the keyword "${path[path.length - 1]}": add an alias ("as name")`, pathTok);
    }
    const out: Import = { path, loc };
    if (alias !== undefined) out.alias = alias;
    return out;
  }

  private headText(from: Token): string {
    const last = this.toks[Math.max(this.i - 1, 0)];
    return this.src.slice(from.offset, last.end).replace(/\s+/g, ' ');
  }

  /**
   * After `if`, OPA first reads `{ ... }` as one expression and keeps it unless it is a
   * set literal: `p if { x: 1 | ... }` is an object comprehension, `p if { x }` a body.
   * Returns null (position unchanged) when the braces are a body.
   */
  private tryBraceLiteral(): Expr | null {
    const save = this.i;
    try {
      const e = this.parseExpr();
      if (!(e.kind === 'term' && e.term.type === 'set')) return e;
    } catch (err) {
      if (!(err instanceof ParseFailure)) throw err;
    }
    this.i = save;
    return null;
  }

  /** One rule statement; a chain of `{ } { }` bodies yields several rules. */
  private parseRule(): Rule[] {
    const start = this.tok;
    const ruleLoc = this.loc(start);
    let isDefault = false;
    if (this.isKw('default')) {
      this.next();
      isDefault = true;
    }
    const nameTok = this.tok;
    if (nameTok.kind !== 'ident' || (this.isKeyword(nameTok) && !this.isKeywordRefStart(nameTok, this.i))) {
      this.unexpected(isDefault ? 'a rule name after "default"' : 'a rule (for example "allow if { ... }")');
    }
    this.next();
    const headLoc = this.loc(nameTok);
    const ref: Term[] = [{ type: 'var', name: nameTok.text, loc: headLoc }];
    let args: Term[] | undefined;

    // Head ref: `.x`, `[x]`, then optionally `(args)`. OPA allows whitespace before the first.
    let firstPostfix = true;
    for (;;) {
      const t = this.tok;
      if (t.kind !== 'punct' || (t.ws && !firstPostfix)) break;
      if (t.text === '.') {
        this.next();
        const n = this.tok;
        if (n.kind !== 'ident' || n.ws) this.unexpected('a name after "."');
        this.next();
        ref.push({ type: 'string', value: n.text, loc: this.loc(n) });
      } else if (t.text === '[') {
        this.next();
        ref.push(this.parseInTerm(true));
        this.expectPunct(']', '"]" to close "["');
      } else if (t.text === '(') {
        if (ref.slice(1).some((r) => r.type !== 'string')) this.fail('function names must be dotted names such as "a.b.f"');
        this.next();
        args = this.parseTermList(')');
        break;
      } else {
        break;
      }
      firstPostfix = false;
    }
    const name = this.headText(nameTok);

    const op = this.tok;
    if (op.kind === 'punct' && BINARY[op.text] !== undefined) {
      this.fail(`unexpected "${op.text}" after rule head "${name}": a module can only contain rules; put conditions in a rule body ("${name} if { ... }")`);
    }

    const head: RuleHead = { ref, assign: false, contains: false, loc: headLoc };
    if (args !== undefined) head.args = args;
    if (this.isKw('contains')) {
      if (args !== undefined) this.fail(`"contains" cannot be used in a function definition (${name})`);
      if (isDefault) this.fail('"default" cannot be used with "contains" rules');
      this.next();
      head.contains = true;
      head.key = this.parseInTerm(true);
    } else if (this.isPunct(':=') || this.isPunct('=')) {
      head.assign = this.next().text === ':=';
      head.value = this.parseInTerm(true);
    }

    const v1 = this.version === 1;
    const hasIf = this.isKw('if');
    const partialSetShape = !head.contains && args === undefined && ref.length === 2 && head.value === undefined && !hasIf && !isDefault;
    if (partialSetShape) {
      if (v1) {
        const k = ref[1];
        const keyText = k.type === 'string' ? JSON.stringify(k.value) : k.type === 'var' ? k.name : '<value>';
        if (this.isPunct('{')) {
          const hint = ref[1].type === 'string' ? '' : `, or "${nameTok.text} contains ${keyText} if { ... }" for a partial set`;
          this.fail(`rule body must be introduced with "if" (Rego v1): write "${name} if { ... }"${hint}`);
        }
        this.failAt(
          `"${name}" has no value and no body; in Rego v1 a partial set rule is written with "contains": ${nameTok.text} contains ${keyText} (or give it a value: ${name} := <value>)`,
          headLoc,
        );
      }
      // v0: `p[x] { ... }` is a multi-value rule `p contains x`.
      head.contains = true;
      head.key = ref[1];
      head.ref = [ref[0]];
    }

    const rule: Rule = { head, body: [], default: isDefault, elses: [], loc: ruleLoc };

    if (isDefault) {
      if (head.value === undefined) this.failAt(`default rule needs a value: default ${name} := <value>`, ruleLoc);
      if (this.isKw('if') || this.isPunct('{')) this.fail('a default rule cannot have a body');
      const bad = firstNonConstant(head.value);
      if (bad) this.failAt(`default rule value must be a constant, not a ${KIND_NAMES[bad.type]}`, bad.loc);
      if (args !== undefined) {
        const seen = new Set<string>();
        for (const a of args) {
          if (a.type !== 'var') this.failAt(`default function arguments must be variables, not a ${KIND_NAMES[a.type]}`, a.loc);
          if (a.name !== '_' && seen.has(a.name)) this.failAt(`default function argument "${a.name}" is repeated`, a.loc);
          seen.add(a.name);
        }
      }
      return [rule];
    }

    let hasBody = false;
    let braceBody = false;
    if (hasIf) {
      this.next();
      hasBody = true;
      const literal = this.isPunct('{') ? this.tryBraceLiteral() : null;
      if (literal !== null) {
        rule.body = [literal];
      } else if (this.isPunct('{')) {
        rule.body = this.parseBraceBody();
        braceBody = true;
      } else {
        if (this.tok.kind === 'eof') this.unexpected('a rule body after "if"');
        rule.body = [this.parseExpr()];
      }
    } else if (this.isPunct('{')) {
      if (v1) this.fail(`rule body must be introduced with "if" (Rego v1): write "${this.headText(nameTok)} if { ... }"`);
      rule.body = this.parseBraceBody();
      hasBody = true;
      braceBody = true;
    } else if (head.value === undefined && !head.contains && ((args !== undefined && args.length > 0) || (!v1 && args === undefined && ref.length > 2))) {
      // OPA reads a bodiless `f("a", _)` as a function that is true for those arguments (v0
      // and v1), and in v0 `a.b.c` as a rule whose value is true; Rego v1 refuses the latter
      // ("rule must have value assignment and/or body declaration").
    } else if (head.value === undefined && !head.contains) {
      const hint = this.futureKeywordHint(this.tok);
      if (hint) this.fail(`unexpected name "${this.tok.text}" after rule head "${name}"${hint}`);
      this.failAt(`rule "${name}" needs a value (":= <value>") or a body ("if { ... }")`, headLoc);
    }

    if (this.isKw('else')) {
      if (!hasBody) this.fail('"else" must follow a rule body');
      if (head.contains) this.fail('"else" cannot be used on multi-value ("contains") rules');
      if (ref.slice(1).some((r) => !isGround(r))) this.fail('"else" cannot be used on rules with variables in the head');
      while (this.isKw('else')) {
        const elseTok = this.next();
        const clause: ElseClause = { body: [], loc: this.loc(elseTok) };
        if (this.isPunct(':=') || this.isPunct('=')) {
          this.next();
          clause.value = this.parseInTerm(true);
        }
        let elseHasBody = true;
        if (this.isKw('if')) {
          this.next();
          if (this.isPunct('{')) clause.body = this.parseBraceBody();
          else {
            if (this.tok.kind === 'eof') this.unexpected('a body after "if"');
            clause.body = [this.parseExpr()];
          }
        } else if (this.isPunct('{')) {
          // OPA's Rego v1 check applies to every else branch too
          if (v1) this.fail('`if` keyword is required before rule body (Rego v1): write "else ... if { ... }"');
          clause.body = this.parseBraceBody();
        } else if (clause.value === undefined) {
          this.unexpected('":= <value>", "if" or "{" after "else"');
        } else {
          elseHasBody = false;
        }
        rule.elses.push(clause);
        if (!elseHasBody) break;
      }
    }

    const rules = [rule];
    // `p if { a } { b }`: more bodies for the same head (OPA's rule chaining).
    while (braceBody && rule.elses.length === 0 && this.isPunct('{')) {
      const t = this.tok;
      const body = this.parseBraceBody();
      rules.push({ head: structuredClone(head), body, default: false, elses: [], loc: this.loc(t) });
    }
    return rules;
  }
}

/** Runs a parse, turning internal failures (and, as a last resort, stack exhaustion) into RegoErrors. */
function run<T>(file: string, source: string, version: 0 | 1, f: (p: Parser) => T): T {
  const p = new Parser(file, source, version); // lexer errors are RegoErrors already
  try {
    return f(p);
  } catch (e) {
    if (e instanceof ParseFailure) throw new RegoError('rego_parse_error', e.message, e.loc);
    if (e instanceof RangeError) {
      // Belt and braces: MAX_DEPTH should stop hostile nesting before the JS stack does,
      // but the caller's own stack depth is unknown.
      throw new RegoError('rego_parse_error', 'policy is nested too deeply', p.loc());
    }
    throw e;
  }
}

/** Parses a module. Throws RegoError('rego_parse_error') with file, row and column. */
export function parseModule(file: string, source: string, opts: ParseOptions = {}): Module {
  return run(file, source, opts.regoVersion ?? 1, (p) => p.parseModule());
}

/** Parses a query (a body: expressions separated by `;` or new lines), always Rego v1. */
export function parseQuery(source: string, file = 'query'): Body {
  return run(file, source, 1, (p) => p.parseBody('eof'));
}

/** Parses a single term (infix operators allowed, e.g. `1 + 2`), Rego v1. */
export function parseTerm(source: string, file = 'term'): Term {
  return run(file, source, 1, (p) => {
    const t = p.parseInTerm(true);
    if (!p.atEnd()) p.fail('unexpected input after the term');
    return t;
  });
}
