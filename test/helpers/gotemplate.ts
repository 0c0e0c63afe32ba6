// A small renderer for the subset of Go text/template + Sprig + Helm that
// helm/pdp uses, so the tests can render the chart without the helm binary.
// This file holds no tests itself; tap reports it as "no tests found" (skip).
//
// It is NOT Helm. It implements: text and {{ }} actions with trim markers and
// comments; if / else if / else, with / else, range (lists, maps with sorted
// keys, `$k, $v :=`), define / include / template; variables ($, $x := …);
// pipelines with |; parenthesised sub-pipelines; field chains on . / $ / $x /
// (…); and the functions listed in FUNCS. An unknown function, a missing
// template or a parse error throws, so using something outside the subset
// fails the tests loudly rather than rendering something different from Helm.
// Known approximations: toYaml is the `yaml` package's output with sorted keys
// (Helm uses sigs.k8s.io/yaml); numbers from values are JS numbers (Helm: float64,
// printed by Go's %v — identical for the integers and short decimals used here).

import crypto from 'node:crypto';
import { stringify as yamlStringify } from 'yaml';

type Value = unknown;
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipeline; line: number }
  | { kind: 'if'; branches: Array<{ cond: Pipeline; body: Node[] }>; else: Node[] | null; line: number }
  | { kind: 'with'; pipe: Pipeline; body: Node[]; else: Node[] | null; line: number }
  | { kind: 'range'; pipe: Pipeline; body: Node[]; else: Node[] | null; line: number }
  | { kind: 'template'; name: string; arg: Pipeline | null; line: number };

type Pipeline = { decl: string[]; assign: boolean; cmds: Command[] };
type Command = Term[];
type Term =
  | { t: 'field'; base: 'dot' | 'root' | 'var' | 'paren'; varName?: string; paren?: Pipeline; chain: string[] }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'nil' }
  | { t: 'ident'; name: string };

export class TemplateError extends Error {}

// ------------------------------------------------------------------ lexing

type RawToken = { kind: 'text'; text: string } | { kind: 'action'; body: string; line: number; comment: boolean };

function lex(src: string, file: string): RawToken[] {
  const out: RawToken[] = [];
  let i = 0;
  const lineAt = (p: number) => src.slice(0, p).split('\n').length;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      out.push({ kind: 'text', text: src.slice(i) });
      break;
    }
    let text = src.slice(i, open);
    let j = open + 2;
    const trimLeft = src[j] === '-' && /\s/.test(src[j + 1] ?? '');
    if (trimLeft) j += 1;
    if (trimLeft) text = text.replace(/\s+$/, '');
    out.push({ kind: 'text', text });
    // find the closing }} outside strings
    let k = j;
    let quote: string | null = null;
    const isComment = src.slice(j).trimStart().startsWith('/*');
    if (isComment) {
      const endC = src.indexOf('*/', j);
      if (endC < 0) throw new TemplateError(`${file}:${lineAt(open)}: unterminated comment`);
      k = src.indexOf('}}', endC);
    } else {
      for (; k < src.length; k++) {
        const c = src[k];
        if (quote) {
          if (c === '\\' && quote === '"') {
            k++;
            continue;
          }
          if (c === quote) quote = null;
          continue;
        }
        if (c === '"' || c === '`' || c === "'") {
          quote = c;
          continue;
        }
        if (c === '}' && src[k + 1] === '}') break;
      }
    }
    if (k < 0 || k >= src.length) throw new TemplateError(`${file}:${lineAt(open)}: unclosed action`);
    let body = src.slice(j, k);
    const trimRight = /\s-$/.test(body);
    if (trimRight) body = body.slice(0, -1);
    out.push({ kind: 'action', body: body.trim(), line: lineAt(open), comment: isComment });
    i = k + 2;
    if (trimRight) {
      const m = /^\s*/.exec(src.slice(i));
      i += m ? m[0].length : 0;
    }
  }
  return out;
}

// ------------------------------------------------------------------ parsing expressions

function tokenizeExpr(s: string, where: string): string[] {
  const toks: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
      toks.push(s.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (c === '`') {
      const j = s.indexOf('`', i + 1);
      toks.push(s.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (c === ')' && s[i + 1] === '.') {
      // "(pipeline).Field" (no space): a field chain on the parenthesised value, marked with
      // a leading NUL so it is not mistaken for a separate ".Field" argument.
      const m = /^\.[^\s()|,=]+/.exec(s.slice(i + 1));
      toks.push(')', '\u0000' + (m ? m[0] : '.'));
      i += 1 + (m ? m[0].length : 1);
      continue;
    }
    if (c === '(' || c === ')' || c === '|' || c === ',') {
      toks.push(c);
      i++;
      continue;
    }
    if (s.startsWith(':=', i)) {
      toks.push(':=');
      i += 2;
      continue;
    }
    if (c === '=') {
      toks.push('=');
      i++;
      continue;
    }
    const m = /^[^\s()|,=]+/.exec(s.slice(i));
    if (!m) throw new TemplateError(`${where}: cannot tokenize ${JSON.stringify(s.slice(i))}`);
    // ").Field" chains: a token starting with "." right after ")" is a field chain on the paren.
    toks.push(m[0]);
    i += m[0].length;
  }
  return toks;
}

function parsePipeline(src: string, where: string): Pipeline {
  const toks = tokenizeExpr(src, where);
  let pos = 0;
  const decl: string[] = [];
  let assign = false;
  // $a := …   or   $k, $v := …   or   $a = …
  const declEnd = toks.findIndex((t) => t === ':=' || t === '=');
  if (declEnd > 0 && toks.slice(0, declEnd).every((t) => t === ',' || t.startsWith('$'))) {
    for (const t of toks.slice(0, declEnd)) if (t !== ',') decl.push(t);
    assign = toks[declEnd] === '=';
    pos = declEnd + 1;
  }
  const parseCmds = (stopAtParen: boolean): Command[] => {
    const cmds: Command[] = [];
    let cmd: Command = [];
    while (pos < toks.length) {
      const t = toks[pos];
      if (t === ')') {
        if (!stopAtParen) throw new TemplateError(`${where}: unexpected )`);
        break;
      }
      pos++;
      if (t === '|') {
        cmds.push(cmd);
        cmd = [];
        continue;
      }
      if (t === '(') {
        const inner = parseCmds(true);
        if (toks[pos] !== ')') throw new TemplateError(`${where}: missing )`);
        pos++;
        let chain: string[] = [];
        if (pos < toks.length && toks[pos].startsWith('\u0000.')) {
          chain = toks[pos].slice(2).split('.');
          pos++;
        }
        cmd.push({ t: 'field', base: 'paren', paren: { decl: [], assign: false, cmds: inner }, chain });
        continue;
      }
      cmd.push(parseTerm(t, where));
    }
    cmds.push(cmd);
    if (cmds.some((c) => c.length === 0)) throw new TemplateError(`${where}: empty command in pipeline`);
    return cmds;
  };
  const cmds = parseCmds(false);
  if (pos !== toks.length) throw new TemplateError(`${where}: trailing tokens`);
  return { decl, assign, cmds };
}

function parseTerm(t: string, where: string): Term {
  if (t.startsWith('"')) return { t: 'str', v: JSON.parse(t) as string };
  if (t.startsWith('`')) return { t: 'str', v: t.slice(1, -1) };
  if (/^-?\d+(\.\d+)?$/.test(t)) return { t: 'num', v: Number(t) };
  if (t === 'true' || t === 'false') return { t: 'bool', v: t === 'true' };
  if (t === 'nil') return { t: 'nil' };
  if (t === '.') return { t: 'field', base: 'dot', chain: [] };
  if (t.startsWith('.')) return { t: 'field', base: 'dot', chain: t.slice(1).split('.') };
  if (t === '$') return { t: 'field', base: 'root', chain: [] };
  if (t.startsWith('$.')) return { t: 'field', base: 'root', chain: t.slice(2).split('.') };
  if (t.startsWith('$')) {
    const [name, ...chain] = t.split('.');
    return { t: 'field', base: 'var', varName: name, chain };
  }
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(t)) return { t: 'ident', name: t };
  throw new TemplateError(`${where}: unexpected token ${t}`);
}

// ------------------------------------------------------------------ parsing structure

function parse(tokens: RawToken[], file: string, defines: Map<string, Node[]>): Node[] {
  let pos = 0;
  const where = (line: number) => `${file}:${line}`;
  const parseList = (terminators: string[]): { nodes: Node[]; term: string; rest: string; line: number } => {
    const nodes: Node[] = [];
    while (pos < tokens.length) {
      const tok = tokens[pos++];
      if (tok.kind === 'text') {
        if (tok.text) nodes.push({ kind: 'text', text: tok.text });
        continue;
      }
      if (tok.comment) continue;
      const body = tok.body;
      const word = /^[a-z]+/.exec(body)?.[0] ?? '';
      const rest = body.slice(word.length).trim();
      if (terminators.includes(word) && (word === 'end' || word === 'else')) return { nodes, term: word, rest, line: tok.line };
      switch (word) {
        case 'if': {
          const branches: Array<{ cond: Pipeline; body: Node[] }> = [];
          let cond = parsePipeline(rest, where(tok.line));
          let elseBody: Node[] | null = null;
          for (;;) {
            const r = parseList(['else', 'end']);
            branches.push({ cond, body: r.nodes });
            if (r.term === 'end') break;
            if (r.rest.startsWith('if ')) {
              cond = parsePipeline(r.rest.slice(3), where(r.line));
              continue;
            }
            const e = parseList(['end']);
            elseBody = e.nodes;
            break;
          }
          nodes.push({ kind: 'if', branches, else: elseBody, line: tok.line });
          break;
        }
        case 'with':
        case 'range': {
          const pipe = parsePipeline(rest, where(tok.line));
          const r = parseList(['else', 'end']);
          let elseBody: Node[] | null = null;
          if (r.term === 'else') elseBody = parseList(['end']).nodes;
          nodes.push({ kind: word, pipe, body: r.nodes, else: elseBody, line: tok.line } as Node);
          break;
        }
        case 'define': {
          const name = /^"([^"]+)"$/.exec(rest)?.[1];
          if (!name) throw new TemplateError(`${where(tok.line)}: define needs a quoted name`);
          const r = parseList(['end']);
          defines.set(name, r.nodes);
          break;
        }
        case 'template': {
          const m = /^"([^"]+)"\s*(.*)$/.exec(rest);
          if (!m) throw new TemplateError(`${where(tok.line)}: template needs a quoted name`);
          nodes.push({ kind: 'template', name: m[1], arg: m[2] ? parsePipeline(m[2], where(tok.line)) : null, line: tok.line });
          break;
        }
        case 'end':
        case 'else':
          throw new TemplateError(`${where(tok.line)}: unexpected ${word}`);
        case 'block':
        case 'break':
        case 'continue':
          throw new TemplateError(`${where(tok.line)}: ${word} is not supported by this renderer`);
        default:
          nodes.push({ kind: 'action', pipe: parsePipeline(body, where(tok.line)), line: tok.line });
      }
    }
    if (terminators.length) throw new TemplateError(`${file}: missing {{ end }}`);
    return { nodes, term: '', rest: '', line: 0 };
  };
  return parseList([]).nodes;
}

// ------------------------------------------------------------------ evaluation

class Scope {
  constructor(
    private readonly vars: Map<string, Value>,
    private readonly parent: Scope | null,
  ) {}
  child(): Scope {
    return new Scope(new Map(), this);
  }
  declare(name: string, v: Value): void {
    this.vars.set(name, v);
  }
  assign(name: string, v: Value): void {
    for (let s: Scope | null = this; s; s = s.parent)
      if (s.vars.has(name)) {
        s.vars.set(name, v);
        return;
      }
    throw new TemplateError(`undefined variable ${name}`);
  }
  get(name: string): Value {
    for (let s: Scope | null = this; s; s = s.parent) if (s.vars.has(name)) return s.vars.get(name);
    throw new TemplateError(`undefined variable ${name}`);
  }
}

const isMapV = (v: Value): v is Record<string, Value> => !!v && typeof v === 'object' && !Array.isArray(v);

export function truthy(v: Value): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isMapV(v)) return Object.keys(v).length > 0;
  return true;
}

/** Go's %v for the value kinds the chart prints. */
export function goString(v: Value): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return String(v);
  throw new TemplateError(`cannot print a ${Array.isArray(v) ? 'list' : 'map'} directly (use toYaml)`);
}

function kindOf(v: Value): string {
  if (v === null || v === undefined) return 'invalid';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  // Helm decodes every number in values as float64.
  if (typeof v === 'number') return 'float64';
  if (Array.isArray(v)) return 'slice';
  return 'map';
}

function indentText(n: number, s: string): string {
  const pad = ' '.repeat(n);
  return s
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}

export type Renderer = {
  render(file: string, ctx: Record<string, Value>): string;
  files: string[];
};

export function createRenderer(files: Record<string, string>): Renderer {
  const defines = new Map<string, Node[]>();
  const parsed = new Map<string, Node[]>();
  for (const [name, src] of Object.entries(files)) {
    const nodes = parse(lex(src, name), name, defines);
    parsed.set(name, nodes);
    defines.set(name, nodes); // a file is also a template named by its path (include (print $.Template.BasePath "/x.yaml"))
  }

  const FUNCS: Record<string, (...a: Value[]) => Value> = {
    default: (d, v) => (truthy(v) ? v : d),
    trunc: (n, s) => goString(s).slice(0, n as number),
    trimSuffix: (suf, s) => {
      const str = goString(s);
      const x = goString(suf);
      return str.endsWith(x) ? str.slice(0, str.length - x.length) : str;
    },
    contains: (sub, s) => goString(s).includes(goString(sub)),
    replace: (a, b, s) => goString(s).split(goString(a)).join(goString(b)),
    printf: (fmt, ...args) => {
      let i = 0;
      return goString(fmt).replace(/%([sdvq%])/g, (_, c: string) => {
        if (c === '%') return '%';
        const a = args[i++];
        if (c === 'q') return JSON.stringify(goString(a));
        if (c === 'd') return String(Math.trunc(Number(a)));
        return goString(a);
      });
    },
    print: (...args) => args.map((a, i) => (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string' ? ' ' : '') + goString(a)).join(''),
    quote: (...args) =>
      args
        .filter((a) => a !== null && a !== undefined)
        .map((a) => JSON.stringify(goString(a)))
        .join(' '),
    toString: (v: Value) => goString(v),
    toYaml: (v) => (v === null || v === undefined ? 'null' : yamlStringify(v, { sortMapEntries: true, lineWidth: 0 }).replace(/\n$/, '')),
    nindent: (n, s) => '\n' + indentText(n as number, goString(s)),
    indent: (n, s) => indentText(n as number, goString(s)),
    sha256sum: (s) => crypto.createHash('sha256').update(goString(s)).digest('hex'),
    list: (...args) => args,
    has: (needle, list) => Array.isArray(list) && list.includes(needle),
    fail: (msg) => {
      throw new TemplateError(`fail: ${goString(msg)}`);
    },
    kindIs: (k, v) => kindOf(v) === k,
    eq: (a, ...bs) => bs.some((b) => a === b),
    ne: (a, b) => a !== b,
    lt: (a, b) => (a as number) < (b as number),
    gt: (a, b) => (a as number) > (b as number),
    not: (v) => !truthy(v),
    and: (...args) => {
      for (const a of args) if (!truthy(a)) return a;
      return args[args.length - 1];
    },
    or: (...args) => {
      for (const a of args) if (truthy(a)) return a;
      return args[args.length - 1];
    },
    int64: (v) => Math.trunc(Number(v)),
    int: (v) => Math.trunc(Number(v)),
    float64: (v) => Number(v),
    empty: (v) => !truthy(v),
  };

  const evalPipeline = (p: Pipeline, dot: Value, scope: Scope, root: Value): Value => {
    let prev: Value = undefined;
    let hasPrev = false;
    for (const cmd of p.cmds) {
      prev = evalCommand(cmd, dot, scope, root, hasPrev ? [prev] : []);
      hasPrev = true;
    }
    if (p.decl.length === 1) {
      if (p.assign) scope.assign(p.decl[0], prev);
      else scope.declare(p.decl[0], prev);
      return undefined;
    }
    if (p.decl.length > 1) throw new TemplateError('multi-variable declaration outside range');
    return prev;
  };

  const evalCommand = (cmd: Command, dot: Value, scope: Scope, root: Value, piped: Value[]): Value => {
    const [head, ...rest] = cmd;
    if (head.t === 'ident') {
      const args = rest.map((a) => evalTerm(a, dot, scope, root)).concat(piped);
      if (head.name === 'include') {
        const name = goString(args[0]);
        const body = defines.get(name);
        if (!body) throw new TemplateError(`include: no template "${name}"`);
        // Inside an included template, $ is the data passed to it.
        return exec(body, args[1], new Scope(new Map([['$', args[1]]]), null), args[1]);
      }
      const f = FUNCS[head.name];
      if (!f) throw new TemplateError(`function "${head.name}" is not supported by this renderer`);
      return f(...args);
    }
    if (rest.length || piped.length) throw new TemplateError('a value cannot take arguments');
    return evalTerm(head, dot, scope, root);
  };

  const evalTerm = (t: Term, dot: Value, scope: Scope, root: Value): Value => {
    switch (t.t) {
      case 'str':
      case 'num':
      case 'bool':
        return t.v;
      case 'nil':
        return null;
      case 'ident': {
        const f = FUNCS[t.name];
        if (!f) throw new TemplateError(`function "${t.name}" is not supported by this renderer`);
        return f();
      }
      case 'field': {
        let v: Value =
          t.base === 'dot' ? dot : t.base === 'root' ? scope.get('$') : t.base === 'var' ? scope.get(t.varName!) : evalPipeline(t.paren!, dot, scope, root);
        for (const k of t.chain) {
          if (v === null || v === undefined) return undefined;
          if (!isMapV(v)) throw new TemplateError(`can't evaluate field ${k} in type ${kindOf(v)}`);
          v = v[k];
        }
        return v;
      }
    }
  };

  const exec = (nodes: Node[], dot: Value, scope: Scope, root: Value): string => {
    let out = '';
    for (const n of nodes) {
      switch (n.kind) {
        case 'text':
          out += n.text;
          break;
        case 'action': {
          const v = evalPipeline(n.pipe, dot, scope, root);
          if (n.pipe.decl.length === 0) out += goString(v);
          break;
        }
        case 'if': {
          let done = false;
          const s = scope.child();
          for (const b of n.branches) {
            if (truthy(evalPipeline(b.cond, dot, s, root))) {
              out += exec(b.body, dot, s, root);
              done = true;
              break;
            }
          }
          if (!done && n.else) out += exec(n.else, dot, s, root);
          break;
        }
        case 'with': {
          const s = scope.child();
          const v = evalPipeline(n.pipe, dot, s, root);
          if (truthy(v)) out += exec(n.body, v, s, root);
          else if (n.else) out += exec(n.else, dot, s, root);
          break;
        }
        case 'range': {
          const s = scope.child();
          const v = evalPipeline({ ...n.pipe, decl: [] }, dot, s, root);
          const entries: Array<[Value, Value]> = Array.isArray(v)
            ? v.map((x, i) => [i, x])
            : isMapV(v)
              ? Object.keys(v)
                  .sort()
                  .map((k) => [k, v[k]])
              : [];
          if (entries.length === 0) {
            if (n.else) out += exec(n.else, dot, s, root);
            break;
          }
          for (const [k, x] of entries) {
            const it = s.child();
            if (n.pipe.decl.length === 1) it.declare(n.pipe.decl[0], x);
            if (n.pipe.decl.length === 2) {
              it.declare(n.pipe.decl[0], k);
              it.declare(n.pipe.decl[1], x);
            }
            out += exec(n.body, x, it, root);
          }
          break;
        }
        case 'template': {
          const body = defines.get(n.name);
          if (!body) throw new TemplateError(`template: no template "${n.name}"`);
          const arg = n.arg ? evalPipeline(n.arg, dot, scope, root) : undefined;
          out += exec(body, arg, new Scope(new Map([['$', arg]]), null), arg);
          break;
        }
      }
    }
    return out;
  };

  return {
    files: [...parsed.keys()],
    render(file: string, ctx: Record<string, Value>): string {
      const nodes = parsed.get(file);
      if (!nodes) throw new TemplateError(`no file ${file}`);
      const scope = new Scope(new Map([['$', ctx]]), null);
      return exec(nodes, ctx, scope, ctx).replace(/<no value>/g, '');
    },
  };
}
