// strings.render_template(template, vars): OPA parses the template with Go's text/template,
// sets missingkey=error and executes it on the variables decoded as Go JSON values (objects →
// map[string]any, arrays → []any, numbers → json.Number, which is a *string* kind in Go: it
// prints as its text and is true when non-empty). This evaluates the parsed template
// (gotemplate-parse.ts) with text/template's rules and its predefined functions.

import { ObjectV, SetV, formatNumber, type Value } from '../value.js';
import { GoFmtTooLong, goInt, goSprintf, type GoArg } from './gofmt.js';
import { TemplateError, parseTemplate, sourceInfo, type Command, type Node, type Pipeline, type Term } from './gotemplate-parse.js';
import type { Builtin, BuiltinContext } from './types.js';
import { MAX_STRING_LENGTH, def, fail, obj, str, strCost } from './util.js';

/** encoding/json's json.Number: a string kind holding the number's text. */
class JsonNumber {
  constructor(readonly text: string) {}
}
/** A number written in the template: Go int or float64. */
class GoNum {
  constructor(
    readonly v: number,
    readonly isInt: boolean,
  ) {}
}
type GoV = null | string | boolean | JsonNumber | GoNum | GoV[] | Map<string, GoV> | undefined;

function toGo(v: Value): GoV {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return new JsonNumber(formatNumber(v));
  if (Array.isArray(v)) return v.map(toGo);
  if (v instanceof SetV) return v.sorted().map(toGo);
  const m = new Map<string, GoV>();
  for (const [k, x] of (v as ObjectV).entries()) {
    if (typeof k !== 'string') throw fail('json: cannot unmarshal an object with non-string keys into map[string]interface {}');
    m.set(k, toGo(x));
  }
  return m;
}

const kind = (v: GoV): string =>
  v === undefined || v === null
    ? 'invalid'
    : typeof v === 'string' || v instanceof JsonNumber
      ? 'string'
      : typeof v === 'boolean'
        ? 'bool'
        : v instanceof GoNum
          ? v.isInt
            ? 'int'
            : 'float64'
          : Array.isArray(v)
            ? 'slice'
            : 'map';

const typeName = (v: GoV): string =>
  v instanceof JsonNumber ? 'json.Number' : v instanceof Map ? 'map[string]interface {}' : Array.isArray(v) ? '[]interface {}' : kind(v);

function truthy(v: GoV): boolean {
  if (v === undefined || v === null || v === false) return false;
  if (typeof v === 'string') return v !== '';
  if (v instanceof JsonNumber) return v.text !== '';
  if (v instanceof GoNum) return v.v !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  return true;
}

/** fmt's %v. */
function show(v: GoV, top = true): string {
  if (v === undefined) return top ? '<no value>' : '<nil>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (v instanceof JsonNumber) return v.text;
  if (v instanceof GoNum) return goSprintf('%v', [goArg(v)]);
  if (Array.isArray(v)) return '[' + v.map((x) => show(x, false)).join(' ') + ']';
  return (
    'map[' +
    [...v.keys()]
      .sort()
      .map((k) => `${k}:${show(v.get(k), false)}`)
      .join(' ') +
    ']'
  );
}

function goArg(v: GoV): GoArg {
  if (v instanceof GoNum) return v.isInt ? goInt(BigInt(v.v)) : { kind: 'float', v: v.v };
  return { kind: 'string', v: show(v, false) };
}

/** fmt.Sprint: a space between operands when neither is a string. */
function sprint(args: GoV[]): string {
  let out = '';
  args.forEach((a, i) => {
    const isStr = (x: GoV): boolean => typeof x === 'string' || x instanceof JsonNumber;
    if (i > 0 && !isStr(a) && !isStr(args[i - 1])) out += ' ';
    out += show(a, false);
  });
  return out;
}

/** text/template's basic comparison (eq, lt, …): same basic kind or an error. */
function basic(v: GoV): ['string', string] | ['number', number] | ['bool', boolean] {
  if (typeof v === 'string') return ['string', v];
  if (v instanceof JsonNumber) return ['string', v.text];
  if (v instanceof GoNum) return ['number', v.v];
  if (typeof v === 'boolean') return ['bool', v];
  throw new TemplateError('invalid type for comparison');
}

function cmp(a: GoV, b: GoV, op: string): number {
  const [ka, va] = basic(a);
  const [kb, vb] = basic(b);
  if (ka !== kb) throw new TemplateError('incompatible types for comparison');
  if (ka === 'bool' && op !== 'eq' && op !== 'ne') throw new TemplateError('invalid type for comparison');
  return va === vb ? 0 : va < vb ? -1 : 1;
}

function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => ({ '\0': '\uFFFD', '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] as string);
}

function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if (ch === '<') out += '\\u003C';
    else if (ch === '>') out += '\\u003E';
    else if (ch === '&') out += '\\u0026';
    else if (ch === '=') out += '\\u003D';
    else if (c < 0x20) out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
    else out += ch;
  }
  return out;
}

function indexInt(v: GoV): number {
  if (v instanceof GoNum && v.isInt) return v.v;
  throw new TemplateError(`cannot index slice/array with type ${typeName(v)}`);
}

const FUNCS: Record<string, (args: GoV[]) => GoV> = {
  not: ([a, ...r]) => {
    if (r.length || a === undefined) throw new TemplateError('wrong number of args for not: want 1');
    return !truthy(a);
  },
  len: ([a]) => {
    if (typeof a === 'string') return new GoNum(Buffer.byteLength(a), true);
    if (a instanceof JsonNumber) return new GoNum(a.text.length, true);
    if (Array.isArray(a)) return new GoNum(a.length, true);
    if (a instanceof Map) return new GoNum(a.size, true);
    throw new TemplateError(`len of type ${typeName(a)}`);
  },
  index: ([item, ...idx]) => {
    let cur = item;
    for (const i of idx) {
      if (cur instanceof Map) {
        if (typeof i !== 'string' && !(i instanceof JsonNumber)) throw new TemplateError(`value has type ${typeName(i)}; should be string`);
        cur = cur.get(typeof i === 'string' ? i : i.text) ?? null;
      } else if (Array.isArray(cur)) {
        const n = indexInt(i);
        if (n < 0 || n >= cur.length) throw new TemplateError(`index out of range: ${n}`);
        cur = cur[n];
      } else if (typeof cur === 'string') {
        const b = Buffer.from(cur);
        const n = indexInt(i);
        if (n < 0 || n >= b.length) throw new TemplateError(`index out of range: ${n}`);
        cur = new GoNum(b[n], true);
      } else throw new TemplateError(`can't index item of type ${typeName(cur)}`);
    }
    return cur;
  },
  slice: ([item, ...idx]) => {
    if (typeof item !== 'string' && !Array.isArray(item)) throw new TemplateError(`can't slice item of type ${typeName(item)}`);
    const len = typeof item === 'string' ? Buffer.byteLength(item) : item.length;
    const [lo = 0, hi = len] = idx.map(indexInt);
    if (lo < 0 || hi < lo || hi > len || idx.length > 2) throw new TemplateError('slice index out of range');
    return typeof item === 'string' ? Buffer.from(item).subarray(lo, hi).toString() : item.slice(lo, hi);
  },
  print: (a) => sprint(a),
  println: (a) => a.map((x) => show(x, false)).join(' ') + '\n',
  printf: ([f, ...a]) => {
    if (typeof f !== 'string') throw new TemplateError('printf: format must be a string');
    return goSprintf(f, a.map(goArg), MAX_STRING_LENGTH);
  },
  html: (a) => htmlEscape(sprint(a)),
  js: (a) => jsEscape(sprint(a)),
  urlquery: (a) =>
    encodeURIComponent(sprint(a))
      .replace(/%20/g, '+')
      .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()),
  eq: ([a, ...bs]) => {
    if (bs.length === 0) throw new TemplateError('missing argument for comparison');
    return bs.some((b) => cmp(a, b, 'eq') === 0);
  },
  ne: ([a, b]) => cmp(a, b, 'ne') !== 0,
  lt: ([a, b]) => cmp(a, b, 'lt') < 0,
  le: ([a, b]) => cmp(a, b, 'le') <= 0,
  gt: ([a, b]) => cmp(a, b, 'gt') > 0,
  ge: ([a, b]) => cmp(a, b, 'ge') >= 0,
};

/**
 * An error text/template raises while executing a node: Go prefixes it with the node's position
 * and text ("template: NAME:LINE:COL: executing "NAME" at <NODE>: …", state.errorf).
 */
class ExecError extends TemplateError {
  constructor(
    msg: string,
    readonly at: number,
    readonly context: string,
    readonly template: string,
  ) {
    super(msg);
  }
}

/** Go's parse.Tree.ErrorContext: 1-based line, byte offset in the line (the offset itself on line 1). */
function goLocation(src: string, at: number): string {
  const before = src.slice(0, at);
  const nl = before.lastIndexOf('\n');
  const line = 1 + before.split('\n').length - 1;
  const col = nl < 0 ? Buffer.byteLength(before) : Buffer.byteLength(before.slice(nl + 1));
  return `${line}:${col}`;
}

class Scope {
  constructor(
    private readonly vars: Map<string, GoV>,
    private readonly parent: Scope | null,
  ) {}
  child(): Scope {
    return new Scope(new Map(), this);
  }
  declare(name: string, v: GoV): void {
    this.vars.set(name, v);
  }
  assign(name: string, v: GoV): void {
    for (let s: Scope | null = this; s; s = s.parent)
      if (s.vars.has(name)) {
        s.vars.set(name, v);
        return;
      }
    throw new TemplateError(`undefined variable: ${name}`);
  }
  get(name: string): GoV {
    for (let s: Scope | null = this; s; s = s.parent) if (s.vars.has(name)) return s.vars.get(name);
    throw new TemplateError(`undefined variable: ${name}`);
  }
}

class Renderer {
  private out = '';
  /** Name of the template being executed ("template", or a {{define}}d one). */
  private name = 'template';
  constructor(
    private readonly defines: Map<string, Node[]>,
    private readonly ctx: BuiltinContext,
  ) {}

  private write(s: string): void {
    this.ctx.checkBudget(1 + (s.length >> 5));
    if (this.out.length + s.length > MAX_STRING_LENGTH) throw fail('output too long');
    this.out += s;
  }

  run(nodes: Node[], dot: GoV): string {
    this.exec(nodes, dot, new Scope(new Map([['$', dot]]), null), 0);
    return this.out;
  }

  private pipeline(p: Pipeline, dot: GoV, scope: Scope): GoV {
    let prev: GoV = undefined;
    let has = false;
    for (const c of p.cmds) {
      prev = this.command(c, dot, scope, has ? [prev] : []);
      has = true;
    }
    if (p.decl.length === 1) {
      if (p.assign) scope.assign(p.decl[0], prev);
      else scope.declare(p.decl[0], prev);
    } else if (p.decl.length > 1) throw new TemplateError('too many declarations');
    return prev;
  }

  /** Runs f; a plain TemplateError from it becomes an ExecError at `node` (the innermost node wins). */
  private at<T>(node: object, f: () => T, prefix = ''): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof ExecError || !(e instanceof TemplateError)) throw e;
      const info = sourceInfo.get(node);
      if (info === undefined) throw e;
      const msg = prefix !== '' && !e.message.startsWith('wrong number of args') ? `${prefix}${e.message}` : e.message;
      throw new ExecError(msg, info.at, info.text, this.name);
    }
  }

  private command(cmd: Command, dot: GoV, scope: Scope, piped: GoV[]): GoV {
    return this.at(cmd, () => this.commandIn(cmd, dot, scope, piped));
  }

  private commandIn(cmd: Command, dot: GoV, scope: Scope, piped: GoV[]): GoV {
    const [head, ...rest] = cmd;
    if (head.t === 'ident') {
      const args = rest.map((a) => this.term(a, dot, scope)).concat(piped);
      if (head.name === 'and' || head.name === 'or') {
        if (args.length === 0) throw new TemplateError(`wrong number of args for ${head.name}: want at least 1 got 0`);
        for (const a of args) if (truthy(a) === (head.name === 'or')) return a;
        return args[args.length - 1];
      }
      const f = FUNCS[head.name];
      if (!f) throw new TemplateError(`function "${head.name}" not defined`);
      // exec.go evalCall: a function's error is "error calling NAME: …" at the command.
      return this.at(cmd, () => f(args), `error calling ${head.name}: `);
    }
    if (rest.length || piped.length) throw new TemplateError(`can't give argument to non-function ${this.termText(head)}`);
    return this.term(head, dot, scope);
  }

  private termText(t: Term): string {
    return t.t === 'field' ? (t.base === 'dot' ? '.' : t.base === 'root' ? '$.' : t.base === 'var' ? `${t.varName}.` : '(…).') + t.chain.join('.') : t.t;
  }

  private term(t: Term, dot: GoV, scope: Scope): GoV {
    switch (t.t) {
      case 'str':
        return t.v;
      case 'num':
        return new GoNum(t.v, Number.isInteger(t.v));
      case 'bool':
        return t.v;
      case 'nil':
        throw new TemplateError('nil is not a command');
      case 'ident': {
        if (t.name === 'and' || t.name === 'or') throw new TemplateError(`wrong number of args for ${t.name}: want at least 1 got 0`);
        const f = FUNCS[t.name];
        if (!f) throw new TemplateError(`function "${t.name}" not defined`);
        return f([]);
      }
      case 'field':
        return this.at(t, () => this.field(t, dot, scope));
    }
  }

  private field(t: Extract<Term, { t: 'field' }>, dot: GoV, scope: Scope): GoV {
    let v: GoV =
      t.base === 'dot'
        ? dot
        : t.base === 'root'
          ? scope.get('$')
          : t.base === 'var'
            ? scope.get(t.varName as string)
            : this.pipeline(t.paren as Pipeline, dot, scope);
    for (const k of t.chain) {
      if (v instanceof Map) {
        // missingkey=error, as OPA sets it.
        if (!v.has(k)) throw new TemplateError(`map has no entry for key "${k}"`);
        v = v.get(k);
      } else if (v === null || v === undefined) throw new TemplateError(`nil pointer evaluating interface {}.${k}`);
      else throw new TemplateError(`can't evaluate field ${k} in type ${typeName(v)}`);
    }
    return v;
  }

  private exec(nodes: Node[], dot: GoV, scope: Scope, depth: number): void {
    if (depth > 10000) throw new TemplateError('exceeded maximum template depth (100000)');
    for (const n of nodes) {
      switch (n.kind) {
        case 'text':
          this.write(n.text);
          break;
        case 'action': {
          const v = this.pipeline(n.pipe, dot, scope);
          if (n.pipe.decl.length === 0) this.write(show(v));
          break;
        }
        case 'if': {
          const s = scope.child();
          const b = n.branches.find((br) => truthy(this.pipeline(br.cond, dot, s)));
          if (b) this.exec(b.body, dot, s, depth + 1);
          else if (n.else) this.exec(n.else, dot, s, depth + 1);
          break;
        }
        case 'with': {
          const s = scope.child();
          const v = this.pipeline(n.pipe, dot, s);
          if (truthy(v)) this.exec(n.body, v, s, depth + 1);
          else if (n.else) this.exec(n.else, dot, s, depth + 1);
          break;
        }
        case 'range': {
          const s = scope.child();
          const v = this.pipeline({ ...n.pipe, decl: [] }, dot, s);
          let entries: [GoV, GoV][];
          if (Array.isArray(v)) entries = v.map((x, i) => [new GoNum(i, true), x]);
          else if (v instanceof Map) entries = [...v.keys()].sort().map((k) => [k, v.get(k)]);
          else if (v instanceof GoNum && v.isInt) entries = Array.from({ length: Math.max(0, v.v) }, (_, i) => [new GoNum(i, true), new GoNum(i, true)]);
          else if (v === null || v === undefined) entries = [];
          else throw new TemplateError(`range can't iterate over ${show(v)}`);
          if (entries.length === 0) {
            if (n.else) this.exec(n.else, dot, s, depth + 1);
            break;
          }
          for (const [k, x] of entries) {
            const it = s.child();
            if (n.pipe.decl.length === 1) it.declare(n.pipe.decl[0], x);
            else if (n.pipe.decl.length === 2) {
              it.declare(n.pipe.decl[0], k);
              it.declare(n.pipe.decl[1], x);
            }
            this.exec(n.body, x, it, depth + 1);
          }
          break;
        }
        case 'template': {
          const body = this.defines.get(n.name);
          if (!body) throw new TemplateError(`no such template "${n.name}"`);
          const arg = n.arg ? this.pipeline(n.arg, dot, scope) : undefined;
          const caller = this.name;
          this.name = n.name;
          this.exec(body, arg, new Scope(new Map([['$', arg]]), null), depth + 1);
          this.name = caller;
          break;
        }
      }
    }
  }
}

export const renderTemplate: Builtin[] = [
  def('strings.render_template', ['string', 'object'], ([a, b], ctx) => {
    const src = str(a, 1);
    const vars = toGo(obj(b, 2));
    ctx.checkBudget(strCost(src));
    try {
      const defines = new Map<string, Node[]>();
      const nodes = parseTemplate(src, 'template', defines);
      defines.set('template', nodes);
      return new Renderer(defines, ctx).run(nodes, vars);
    } catch (e) {
      if (e instanceof ExecError) {
        throw fail(`template: template:${goLocation(src, e.at)}: executing ${JSON.stringify(e.template)} at <${e.context}>: ${e.message}`);
      }
      if (e instanceof TemplateError) throw fail(`template: ${e.message}`);
      if (e instanceof GoFmtTooLong) throw fail('output too long');
      throw e;
    }
  }),
];
