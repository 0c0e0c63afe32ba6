// A plan (../wasm/plan.ts: what the planner makes of a compiled policy for some entrypoints) as
// JavaScript source: one function per plan function, locals as `let`s, blocks as labelled blocks,
// scans as loops, failure as `break` — code V8 compiles and inlines, with none of the
// interpreter's dispatch per expression. The generated code runs on this engine's values and
// builtins (runtime.ts supplies both); this file only writes text.

import type { Block, L, Plan, PlanFunction, PlanValue, Stmt } from '../wasm/plan.js';

/** Writes the body of `new Function('rt', source)`; it returns { entrypoints: fn[] }, each
 * fn(input, data, ticker) → values of the entrypoint's `res` statements (`pure`: the builtins
 * whose value depends on their arguments alone). */
export function planSource(plan: Plan, pure: ReadonlySet<string>): string {
  const out: string[] = [];
  out.push('"use strict";');
  out.push('const { K, B, member, memberStr, len, equal, compare, ObjectV, SetV, ocopy, oonce, once, sadd, abort } = rt;');
  out.push(`const MV = new Array(${plan.functions.length}); const MS = new Uint8Array(${plan.functions.length});`);
  out.push('let IN, DA, RES, T;');
  const ic = { n: 0 };
  const fromData = dataFunctions(plan, pure);
  plan.functions.forEach((f, i) => out.push(functionSource(plan, f, i, ic, pure, fromData)));
  const eps = plan.entrypoints.map((e, i) => {
    const g = new Gen(plan, e.body, 0, ic, pure, fromData);
    const body = g.blocks(e.body);
    return `function e${i}(l0, l1) {\n${g.decls(e.locals, 2)}${body}}`;
  });
  out.push(...eps);
  // per lookup or builtin site kept per source object (see Gen.dot, Gen.pureCall)
  out.push(`const ICs = new Array(${ic.n}).fill(undefined); const ICv = new Array(${ic.n});`);
  out.push(`const entrypoints = [${plan.entrypoints.map((e, i) => `run(e${i})`).join(', ')}];`);
  out.push(`function run(e) {
  return (input, data, ticker) => {
    const saved = [IN, DA, RES, T];
    IN = input; DA = data; RES = []; T = ticker; MS.fill(0);
    try { e(input, data); return RES; } finally { [IN, DA, RES, T] = saved; MV.fill(undefined); }
  };
}`);
  out.push('return { entrypoints };');
  return out.join('\n');
}

/**
 * The functions whose result is always a constant or a part of data (e.g. `cfg := data.ai.tools.config`):
 * lookups and pure builtin calls on their results may then keep their answers per site like
 * lookups in data do (Gen.isDataLookup). To a fixpoint: a function qualifies when every statement
 * that sets its result copies a constant, a part of data, or the result of a qualifying function.
 * (An answer kept per source object is right for any object that is not modified after it is
 * read — which holds for every function result, as the per-evaluation memo already relies on;
 * this only says which sites are worth a cache.)
 */
function dataFunctions(plan: Plan, pure: ReadonlySet<string>): boolean[] {
  const fromData = plan.functions.map(() => false);
  // each function's body is analysed once; a pass only re-checks the statements setting results
  // (a bundle's chain of n functions takes n passes: they stay cheap)
  const gens = plan.functions.map((f) => new Gen(plan, f.body, f.params, { n: 0 }, pure, fromData));
  for (let changed = true; changed;) {
    changed = false;
    plan.functions.forEach((f, i) => {
      if (!fromData[i] && (gens[i] as Gen).returnsData(f.ret)) {
        fromData[i] = true;
        changed = true;
      }
    });
  }
  return fromData;
}

function functionSource(plan: Plan, f: PlanFunction, i: number, ic: { n: number }, pure: ReadonlySet<string>, fromData: readonly boolean[]): string {
  const g = new Gen(plan, f.body, f.params, ic, pure, fromData);
  const params = ['l0', 'l1'];
  for (let p = 0; p < f.params; p++) params.push(`l${p + 2}`);
  const body = g.blocks(f.body);
  const fn = `function f${i}(${params.join(', ')}) {\n${g.decls(f.locals, 2 + f.params)}${body}return l${f.ret};\n}`;
  if (f.params > 0) return fn;
  // A function without parameters called with the evaluation's own input and data computes its
  // value once per evaluation (a rule's document, as the evaluator keeps it).
  return `${fn.replace(`function f${i}(`, `function f${i}_(`)}
function f${i}(l0, l1) {
  if (l0 !== IN || l1 !== DA) return f${i}_(l0, l1);
  const s = MS[${i}];
  if (s === 1) return MV[${i}];
  if (s === 2) return undefined;
  const v = f${i}_(l0, l1);
  MS[${i}] = v === undefined ? 2 : 1;
  MV[${i}] = v;
  return v;
}`;
}

/** Builtins cheap enough that the call through an argument array and the checking wrapper cost
 * more than their work: written inline, with the same results (a count of anything but a
 * collection goes to the builtin, for strings and the type error). */
function inlineBuiltin(name: string, b: number, args: L[]): string | undefined {
  const [x, y] = args.map((a) => `l${a}`);
  const cmp = (op: string): string => `(typeof ${x} === 'number' && typeof ${y} === 'number' ? ${x} ${op} ${y} : compare(${x}, ${y}) ${op} 0)`;
  // a safe-integer result of two doubles is the builtin's result (`+ 0` folds -0 as normNum
  // does); anything else (bigints, unsafe or non-finite results, sets, errors) goes to the builtin
  const arith = (op: string): string =>
    `(typeof ${x} === 'number' && typeof ${y} === 'number' && Number.isSafeInteger(t = ${x} ${op} ${y}) ? t + 0 : B[${b}]([${x}, ${y}]))`;
  switch (name) {
    case 'equal':
      return `equal(${x}, ${y})`;
    case 'neq':
      return `!equal(${x}, ${y})`;
    case 'lt':
      return cmp('<');
    case 'lte':
      return cmp('<=');
    case 'gt':
      return cmp('>');
    case 'gte':
      return cmp('>=');
    case 'is_string':
      return `typeof ${x} === 'string'`;
    case 'is_number':
      return `(typeof ${x} === 'number' || typeof ${x} === 'bigint')`;
    case 'is_boolean':
      return `typeof ${x} === 'boolean'`;
    case 'is_null':
      return `${x} === null`;
    case 'is_array':
      return `Array.isArray(${x})`;
    case 'is_object':
      return `${x} instanceof ObjectV`;
    case 'is_set':
      return `${x} instanceof SetV`;
    case 'plus':
      return arith('+');
    case 'minus':
      return arith('-');
    case 'mul':
      return arith('*');
    case 'rem':
      // integers only (the builtin refuses floats and a zero divisor)
      return `(Number.isSafeInteger(${x}) && Number.isSafeInteger(${y}) && ${y} !== 0 ? (${x} % ${y}) + 0 : B[${b}]([${x}, ${y}]))`;
    case 'count':
      return `(Array.isArray(${x}) ? ${x}.length : ${x} instanceof ObjectV || ${x} instanceof SetV ? ${x}.size : B[${b}]([${x}]))`;
    default:
      return undefined;
  }
}

/** How often each local is assigned in a function's body, and by which statements. */
function assignments(bs: Block[], counts: Map<L, number>, defs: Map<L, Stmt>, allDefs: Map<L, Stmt[]>): void {
  const def = (l: L, s: Stmt): void => {
    counts.set(l, (counts.get(l) ?? 0) + 1);
    defs.set(l, s);
    const all = allDefs.get(l);
    if (all === undefined) allDefs.set(l, [s]);
    else all.push(s);
  };
  const walk = (b: Block): void => {
    for (const s of b) {
      switch (s[0]) {
        case 'k':
        case 'mv':
        case 'mv?':
        case 'reset':
        case 'dot':
        case 'len':
        case 'mkarr':
        case 'mkobj':
        case 'mkset':
        case 'once':
        case 'ocopy':
          def(s[1], s);
          break;
        case 'call':
        case 'bi':
          def(s[3], s);
          break;
        case 'scan':
          def(s[2], s);
          def(s[3], s);
          walk(s[4]);
          break;
        case 'not':
          walk(s[1]);
          break;
        case 'blocks':
          s[1].forEach(walk);
          break;
        default:
      }
    }
  };
  bs.forEach(walk);
}

class Gen {
  private next = 0;
  /** Labels of the blocks around the code being written, innermost last. */
  private readonly labels: string[] = [];
  /** Per enclosing block: locals known to hold a constant here (their one `k` ran before). */
  private readonly known: Map<L, PlanValue>[] = [];
  private readonly counts = new Map<L, number>();
  /** The (last) statement assigning each local, and all of them. */
  private readonly defs = new Map<L, Stmt>();
  private readonly allDefs = new Map<L, Stmt[]>();
  /** Locals that hold a part of the data document (assigned once, by a lookup in one). */
  private readonly dataLocals = new Set<L>();

  constructor(
    private readonly plan: Plan,
    body: Block[],
    params: number,
    private readonly ic: { n: number },
    /** Builtins whose value depends on their arguments alone. */
    private readonly pure: ReadonlySet<string>,
    /** Per plan function: its result is a constant or a part of data (dataFunctions). */
    private readonly fromData: readonly boolean[],
  ) {
    assignments(body, this.counts, this.defs, this.allDefs);
    // arguments are assigned by the call
    for (let p = 0; p < params; p++) this.counts.set(p + 2, (this.counts.get(p + 2) ?? 0) + 1);
    for (const [l, s] of this.defs) if (this.isDataLookup(l, s)) this.dataLocals.add(l);
  }

  private once(l: L): boolean {
    return this.counts.get(l) === 1;
  }

  /** A lookup with a constant key in data (local 1) or in a part of it: its value is a part of
   * an immutable document, so a lookup site may keep its last answer per source object. */
  private isDataLookup(l: L, s: Stmt): boolean {
    if (!this.once(l)) return false;
    if (s[0] === 'call') return this.fromData[s[1]] === true;
    if (s[0] === 'bi') return this.pure.has(this.plan.builtins[s[1]] ?? '') && s[2].every((a) => this.isDataOrConst(a, s));
    if (s[0] !== 'dot') return false;
    const src = s[2];
    const key = this.defs.get(s[3]);
    if (key?.[0] !== 'k' || !this.once(s[3])) return false;
    if (src === 1) return true;
    const d = this.defs.get(src);
    return d !== undefined && d !== s && this.isDataLookup(src, d);
  }

  /** A constant, or a part of data (as isDataLookup). */
  private isDataOrConst(a: L, user: Stmt): boolean {
    if (a === 1) return true;
    const d = this.defs.get(a);
    if (d === undefined || d === user || !this.once(a)) return false;
    return d[0] === 'k' || this.isDataLookup(a, d);
  }

  /** Every statement that sets local `ret` gives it a constant, a part of data, a qualifying
   * function's result, or nothing (see dataFunctions). */
  returnsData(ret: L): boolean {
    const defs = this.allDefs.get(ret);
    if (defs === undefined) return false;
    return defs.every((s) => {
      switch (s[0]) {
        case 'k':
        case 'reset':
          return true;
        case 'mv':
        case 'mv?':
        case 'once':
          return this.isDataOrConst(s[2], s);
        case 'call':
          return this.fromData[s[1]] === true;
        default:
          return false;
      }
    });
  }

  private constOf(l: L): PlanValue | undefined {
    for (let i = this.known.length - 1; i >= 0; i--) {
      const m = this.known[i] as Map<L, PlanValue>;
      if (m.has(l)) return m.get(l);
    }
    return undefined;
  }

  decls(locals: number, from: number): string {
    const ls: string[] = ['t'];
    for (let i = from; i < locals; i++) ls.push(`l${i}`);
    return `let ${ls.join(', ')};\n`;
  }

  /** A function's or entrypoint's body: its blocks, in a block that a break out of them ends. */
  blocks(bs: Block[]): string {
    const top = this.label();
    this.labels.push(top);
    const inner = bs.map((b) => this.block(b)).join('');
    this.labels.pop();
    return `${top}: {\n${inner}}\n`;
  }

  private label(): string {
    return `b${this.next++}`;
  }

  /** One block: failing in it (break 0) ends it. */
  private block(b: Block, tail = ''): string {
    const l = this.label();
    this.labels.push(l);
    this.known.push(new Map());
    const body = b.map((s) => this.stmt(s)).join('');
    this.known.pop();
    this.labels.pop();
    return `${l}: {\n${body}${tail}}\n`;
  }

  /** The label `break n` ends (0: the innermost block). */
  private out(n = 0): string {
    const l = this.labels[this.labels.length - 1 - n];
    if (l === undefined) throw new Error(`plan: break ${n} leaves the function`);
    return l;
  }

  private fail(): string {
    return `break ${this.out()};`;
  }

  private stmt(s: Stmt): string {
    const fail = this.fail();
    switch (s[0]) {
      case 'k':
        if (this.once(s[1])) this.known[this.known.length - 1]?.set(s[1], this.plan.consts[s[2]] as PlanValue);
        return `l${s[1]} = K[${s[2]}];\n`;
      case 'mv':
        return `if (l${s[2]} === undefined) ${fail}\nl${s[1]} = l${s[2]};\n`;
      case 'mv?':
        return `l${s[1]} = l${s[2]};\n`;
      case 'reset':
        return `l${s[1]} = undefined;\n`;
      case 'def':
        return `if (l${s[1]} === undefined) ${fail}\n`;
      case 'undef':
        return `if (l${s[1]} !== undefined) ${fail}\n`;
      case 'eq':
        return `if (l${s[1]} === undefined || l${s[2]} === undefined || !equal(l${s[1]}, l${s[2]})) ${fail}\n`;
      case 'ne':
        return `if (l${s[1]} === undefined || l${s[2]} === undefined || equal(l${s[1]}, l${s[2]})) ${fail}\n`;
      case 'dot':
        return this.dot(s[1], s[2], s[3], fail);
      case 'len':
        return `if (l${s[2]} === undefined || (t = len(l${s[2]})) === undefined) ${fail}\nl${s[1]} = t;\n`;
      case 'isarr':
        return `if (!Array.isArray(l${s[1]})) ${fail}\n`;
      case 'isobj':
        return `if (!(l${s[1]} instanceof ObjectV)) ${fail}\n`;
      case 'isset':
        return `if (!(l${s[1]} instanceof SetV)) ${fail}\n`;
      case 'mkarr':
        return `l${s[1]} = [];\n`;
      case 'mkobj':
        return `l${s[1]} = new ObjectV();\n`;
      case 'mkset':
        return `l${s[1]} = new SetV();\n`;
      case 'apush':
        return `if (!Array.isArray(l${s[1]}) || l${s[2]} === undefined) ${fail}\nl${s[1]}.push(l${s[2]});\n`;
      case 'sadd':
        return `if (!sadd(l${s[1]}, l${s[2]})) ${fail}\n`;
      case 'oset':
        return `if (!(l${s[1]} instanceof ObjectV) || l${s[2]} === undefined || l${s[3]} === undefined) ${fail}\nl${s[1]}.set(l${s[2]}, l${s[3]});\n`;
      case 'oonce':
        return `if (!oonce(l${s[1]}, l${s[2]}, l${s[3]}, ${s[4]})) ${fail}\n`;
      case 'once':
        return `if (l${s[2]} === undefined) ${fail}\nl${s[1]} = once(l${s[1]}, l${s[2]}, ${s[3]});\n`;
      case 'ocopy':
        return `l${s[1]} = ocopy(l${s[2]});\n`;
      case 'scan':
        return this.scan(s[1], s[2], s[3], s[4]);
      case 'not': {
        // the block ran to its end: the negation fails
        return this.block(s[1], `${fail}\n`);
      }
      case 'blocks':
        return s[1].map((b) => this.block(b)).join('');
      case 'break':
        return `break ${this.out(s[1])};\n`;
      case 'call': {
        const args = ['l0', 'l1', ...s[2].map((a) => `l${a}`)];
        const undef = s[2].map((a) => `l${a} === undefined || `).join('');
        return `if (${undef}(t = f${s[1]}(${args.join(', ')})) === undefined) ${fail}\nl${s[3]} = t;\n`;
      }
      case 'bi': {
        if (this.dataLocals.has(s[3])) return this.pureCall(s[1], s[2], s[3], fail);
        const undef = s[2].map((a) => `l${a} === undefined || `).join('');
        const inline = inlineBuiltin(this.plan.builtins[s[1]] ?? '', s[1], s[2]);
        if (inline !== undefined) return `if (${undef}(t = ${inline}) === undefined) ${fail}\nl${s[3]} = t;\n`;
        return `if (${undef}(t = B[${s[1]}]([${s[2].map((a) => `l${a}`).join(', ')}])) === undefined) ${fail}\nl${s[3]} = t;\n`;
      }
      case 'res':
        return `if (l${s[1]} === undefined) ${fail}\nRES.push(l${s[1]});\n`;
      case 'abort':
        return `abort(${s[1]});\n`;
    }
  }

  /** src[key] into dst. A constant string key reads the object's map directly; a lookup in
   * data keeps its last answer per source object (data is never modified: \`with\` copies). */
  private dot(dst: L, src: L, key: L, fail: string): string {
    const k = this.constOf(key);
    const read = typeof k === 'string' ? `memberStr(l${src}, ${JSON.stringify(k)})` : `member(l${src}, l${key})`;
    const keyCheck = k === undefined ? ` || l${key} === undefined` : '';
    if (!this.dataLocals.has(dst)) return `if (l${src} === undefined${keyCheck} || (t = ${read}) === undefined) ${fail}\nl${dst} = t;\n`;
    const n = this.ic.n++;
    return `if (l${src} === undefined${keyCheck}) ${fail}
if (ICs[${n}] === l${src}) t = ICv[${n}]; else { t = ICv[${n}] = ${read}; ICs[${n}] = l${src}; }
if (t === undefined) ${fail}
l${dst} = t;
`;
  }

  /** A builtin whose arguments are constants or parts of data: the site keeps its last answer
   * per argument objects (e.g. a pattern built with sprintf from data, once per policy). */
  private pureCall(b: number, args: L[], dst: L, fail: string): string {
    const n = this.ic.n;
    this.ic.n += args.length;
    const undef = args.map((a) => `l${a} === undefined || `).join('');
    const same = args.map((a, i) => `ICs[${n + i}] === l${a}`).join(' && ') || 'ICs[' + n + '] === ICs';
    const store = args.map((a, i) => `ICs[${n + i}] = l${a};`).join(' ') || `ICs[${n}] = ICs;`;
    return `if (${undef}false) ${fail}
if (${same}) t = ICv[${n}]; else { t = ICv[${n}] = B[${b}]([${args.map((a) => `l${a}`).join(', ')}]); ${store} }
if (t === undefined) ${fail}
l${dst} = t;
`;
  }

  /** A scan: the block once per element (break 0 in it: the next element). Objects and sets in
   * their order (sorted, as OPA iterates them). */
  private scan(src: number, k: number, v: number, b: Block): string {
    const fail = this.fail();
    const i = `i${this.next++}`;
    const es = `s${this.next++}`;
    const body = this.block(b);
    const a = `a${this.next++}`;
    const o = `o${this.next++}`;
    return `if (l${src} === undefined) ${fail}
{ const ${a} = Array.isArray(l${src}), ${o} = l${src} instanceof ObjectV;
  const ${es} = ${a} ? l${src} : ${o} || l${src} instanceof SetV ? l${src}.sorted() : undefined;
  if (${es} === undefined) ${fail}
  for (let ${i} = 0; ${i} < ${es}.length; ${i}++) {
    if (--T.n < 0) T.check();
    if (${a}) { l${k} = ${i}; l${v} = ${es}[${i}]; } else if (${o}) { l${k} = ${es}[${i}][0]; l${v} = ${es}[${i}][1]; } else l${k} = l${v} = ${es}[${i}];
${body}  }
}
`;
  }
}
