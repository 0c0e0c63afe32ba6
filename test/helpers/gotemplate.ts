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

import { TemplateError, parseTemplate, type Command, type Node, type Pipeline, type Term } from '../../src/rego/builtins/gotemplate-parse.js';

export { TemplateError };

type Value = unknown;

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
    const nodes = parseTemplate(src, name, defines);
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
