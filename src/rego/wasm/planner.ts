// From the compiled policy (its rule tree) to a plan (plan.ts) the wasm runtime interprets.
// Evaluation order and meaning follow the evaluator (../eval/evaluator.ts): the planner walks
// each body in its compiled order with continuations, so every place the evaluator would try
// the next solution becomes a nested block (a `scan`, or a `blocks` that is exited). Which
// variables are bound is known at each point here, at build time.

import { funcId } from '../compiler/compile.js';
import type { CBody, CExpr, CFunc, CRule, CTerm, CWith } from '../compiler/ir.js';
import type { DataNode } from '../compiler/tree.js';
import type { Loc } from '../ast.js';
import { formatNumber, stringify, type Value } from '../value.js';
import { planText, type Block, type L, type Plan, type PlanEntrypoint, type PlanFunction, type PlanValue, type Stmt } from './plan.js';
import {
  CONFLICT_COMPLETE,
  CONFLICT_FUNCTION,
  CONFLICT_OBJECT,
  Ctx,
  evaluable,
  Frame,
  makeWorld,
  replaced,
  statementBudget,
  toPlanValue,
  WasmPlanError,
  WITH_KEY,
  type K,
  type KV,
  type World,
} from './plan-context.js';

export { WasmPlanError };

export class Planner {
  private readonly consts: PlanValue[] = [];
  private readonly constIdx = new Map<string, number>();
  private readonly builtins: string[] = [];
  private readonly builtinIdx = new Map<string, number>();
  private readonly functions: PlanFunction[] = [];
  private readonly fnIdx = new Map<string, number>();
  private readonly queue: (() => void)[] = [];

  constructor(private readonly root: DataNode) {}

  /** The plan for these entrypoints (data paths as segment lists); WasmPlanError past
   * `maxStatements` emitted. */
  plan(entrypoints: readonly (readonly string[])[], maxStatements = Infinity): Plan {
    statementBudget.left = maxStatements;
    let eps: PlanEntrypoint[];
    try {
      eps = entrypoints.map((path) => this.entrypoint(path));
      for (let job = this.queue.shift(); job; job = this.queue.shift()) job();
    } finally {
      statementBudget.left = Infinity;
    }
    return { version: 1, consts: this.consts, builtins: this.builtins, functions: this.functions, entrypoints: eps };
  }

  private entrypoint(path: readonly string[]): PlanEntrypoint {
    const frame = new Frame(2, 0);
    const block: Stmt[] = [];
    const c = new Ctx(frame, block, 0, new Set());
    const terms: CTerm[] = path.map((s) => ({ t: 'const', v: s }));
    this.planData(c, terms, (c2, v) => c2.emit(['res', v]));
    return { name: path.join('/'), locals: frame.locals, body: [block] };
  }

  // ---------------------------------------------------------------- tables

  private constOf(v: Value): number {
    const pv = toPlanValue(v);
    const key = planText(pv);
    let i = this.constIdx.get(key);
    if (i === undefined) {
      i = this.consts.length;
      this.consts.push(pv);
      this.constIdx.set(key, i);
    }
    return i;
  }

  private constL(c: Ctx, v: Value): L {
    const l = c.frame.temp();
    c.emit(['k', l, this.constOf(v)]);
    return l;
  }

  private builtinOf(name: string): number {
    let i = this.builtinIdx.get(name);
    if (i === undefined) {
      i = this.builtins.length;
      this.builtins.push(name);
      this.builtinIdx.set(name, i);
    }
    return i;
  }

  /** The plan function computing a rule node's value (or a subtree's document), planned once. */
  private functionOf(key: string, name: string, build: () => Omit<PlanFunction, 'name'>): number {
    const i = this.fnIdx.get(key);
    if (i !== undefined) return i;
    const idx = this.functions.length;
    this.functions.push({ name, params: 0, locals: 2, body: [], ret: 0 });
    this.fnIdx.set(key, idx);
    this.queue.push(() => {
      this.functions[idx] = { name, ...build() };
    });
    return idx;
  }

  private ruleFn(node: DataNode, world: World): number {
    return this.functionOf('rule:' + node.path.join('\u0000') + world.key, node.dottedPath, () => this.planRuleNode(node, world));
  }

  private subtreeFn(node: DataNode, world: World): number {
    return this.functionOf('tree:' + node.path.join('\u0000') + world.key, node.dottedPath, () => this.planSubtree(node, world));
  }

  // ---------------------------------------------------------------- rule nodes

  private planRuleNode(node: DataNode, world: World): Omit<PlanFunction, 'name'> {
    if (node.children.size > 0 && node.kind !== 'object') throw new WasmPlanError(`rules below ${node.dottedPath}, which rules also define`);
    if (node.objectDefaults.length > 0) throw new WasmPlanError(`default values of single keys of ${node.dottedPath}`);
    const params = node.kind === 'function' ? node.arity : 0;
    let slots = 0;
    for (const r of node.rules) slots = Math.max(slots, r.nslots);
    if (node.defaultRule) slots = Math.max(slots, node.defaultRule.nslots);
    const frame = new Frame(2 + params, slots);
    const ret = frame.temp();
    const body: Block[] = [];
    let guard: L | undefined;
    const top = (): Ctx => {
      const b: Stmt[] = guard === undefined ? [] : [['undef', guard]];
      body.push(b);
      return new Ctx(frame, b, 0, new Set(), world);
    };
    if (node.kind !== 'function') {
      // a base document at the rule's path takes precedence over the rule, as in OPA: then every
      // other block of the function is skipped
      const fromBase = frame.temp();
      const c = top();
      this.dotPath(c, 1, node.path, (c2, base) => {
        c2.emit(['mv', ret, base]);
        c2.emit(['k', fromBase, this.constOf(true)]);
      });
      guard = fromBase;
    }
    switch (node.kind) {
      case 'complete':
      case 'function': {
        const msg = this.constOf(node.kind === 'complete' ? CONFLICT_COMPLETE : CONFLICT_FUNCTION);
        for (const rule of node.rules) this.planValueRule(rule, params, ret, msg, top);
        const d = node.defaultRule;
        if (d) {
          const c = top();
          c.emit(['undef', ret]);
          this.withArgs(c, d, params, (c2) => this.planTerm(c2, d.value, (c3, v) => c3.emit(['mv', ret, v])));
        }
        break;
      }
      case 'set': {
        top().emit(['mkset', ret]);
        for (const rule of node.rules) {
          const c = top();
          this.planBody(c, rule.body, 0, (c2) =>
            this.planTerm(c2, rule.key!, (c3, v) => {
              c3.emit(['sadd', ret, v]);
              if (rule.key!.t === 'const') c3.emit(c3.breakTo(c));
            }),
          );
        }
        break;
      }
      case 'object': {
        // `p[q].r := v` next to `p.a.r.s := 1`: OPA refuses a rule inside another rule's value (a
        // conflict), which the merge below cannot tell from documents that merge
        if (node.children.size > 0 && node.rules.some((r) => r.keyPath.length > 1)) {
          throw new WasmPlanError(`rules with a variable inside their path at ${node.dottedPath} next to rules below it`);
        }
        top().emit(['mkobj', ret]);
        const msg = this.constOf(CONFLICT_OBJECT);
        for (const rule of node.rules) {
          const c = top();
          this.planBody(c, rule.body, 0, (c2) =>
            this.planArgs(c2, rule.keyPath, 0, [], (c3, keys) =>
              this.planTerm(c3, rule.multi ? rule.key! : rule.value, (c4, v) => this.insertPath(c4, ret, keys, v, rule.multi, msg)),
            ),
          );
        }
        // documents of rules below this node merge into its object
        for (const [name, child] of node.children) {
          const c = top();
          const key = this.constL(c, name);
          const v = c.frame.temp();
          c.emit(['call', child.kind !== null ? this.ruleFn(child, world) : this.subtreeFn(child, world), [], v]);
          const prev = c.frame.temp();
          const merged = c.frame.temp();
          // a document the rules at this node already put at the key merges with the child's, or
          // conflicts (OPA: eval_conflict_error)
          c.emit([
            'blocks',
            [
              [
                ['dot', prev, ret, key],
                [
                  'blocks',
                  [
                    [
                      ['bi', this.builtinOf('internal.merge_docs'), [prev, v], merged],
                      ['mv', v, merged],
                      ['break', 1],
                    ],
                  ],
                ],
                ['abort', msg],
              ],
            ],
          ]);
          c.emit(['oset', ret, key, v]);
        }
        break;
      }
      default:
        break;
    }
    return { params, locals: frame.locals, body, ret };
  }

  /** obj[keys…] = v (or, for `contains` rules, v added to the set there), objects made or copied along the path. */
  private insertPath(c: Ctx, obj: L, keys: L[], v: L, multi: boolean, msg: number): void {
    let cur = obj;
    const conflict = (x: L): void => {
      const t = c.frame.temp();
      c.emit([
        'blocks',
        [
          [
            ['undef', x],
            ['dot', t, cur, keys[keys.length - 1]],
            ['abort', msg],
          ],
        ],
      ]);
    };
    for (let i = 0; i < keys.length - 1; i++) {
      const t = c.frame.temp();
      const x = c.frame.temp();
      c.emit(['reset', t]);
      c.emit([
        'blocks',
        [
          [
            ['dot', x, cur, keys[i]],
            ['isobj', x],
            ['ocopy', t, x],
          ],
        ],
      ]);
      c.emit([
        'blocks',
        [
          [
            ['undef', t],
            ['not', [['dot', x, cur, keys[i]]]],
            ['mkobj', t],
          ],
        ],
      ]);
      c.emit([
        'blocks',
        [
          [
            ['undef', t],
            ['abort', msg],
          ],
        ],
      ]);
      c.emit(['oset', cur, keys[i], t]);
      cur = t;
    }
    const last = keys[keys.length - 1];
    if (!multi) {
      c.emit(['oonce', cur, last, v, msg]);
      return;
    }
    const set = c.frame.temp();
    const x = c.frame.temp();
    c.emit(['reset', set]);
    c.emit([
      'blocks',
      [
        [
          ['dot', x, cur, last],
          ['isset', x],
          ['mv', set, x],
        ],
      ],
    ]);
    conflict(set);
    c.emit([
      'blocks',
      [
        [
          ['undef', set],
          ['mkset', set],
          ['oset', cur, last, set],
        ],
      ],
    ]);
    c.emit(['sadd', set, v]);
  }

  /** A complete rule's or function's bodies (with its else chain) into `ret`. */
  private planValueRule(rule: CRule, params: number, ret: L, msg: number, top: () => Ctx): void {
    const branches = [{ body: rule.body, value: rule.value }, ...rule.elses];
    if (branches.length === 1) {
      const c = top();
      this.withArgs(c, rule, params, (c1) =>
        this.planBody(c1, rule.body, 0, (c2) =>
          this.planTerm(c2, rule.value, (c3, v) => {
            c3.emit(['once', ret, v, msg]);
            if (rule.value.t === 'const') c3.emit(c3.breakTo(c));
          }),
        ),
      );
      return;
    }
    // each branch into its own local; the first branch with a value gives the rule's
    const t = top().frame.temp();
    branches.forEach((br, i) => {
      const c = top();
      if (i === 0) c.emit(['reset', t]);
      else c.emit(['undef', t]);
      this.withArgs(c, rule, params, (c1) => this.planBody(c1, br.body, 0, (c2) => this.planTerm(c2, br.value, (c3, v) => c3.emit(['once', t, v, msg]))));
    });
    top().emit(['once', ret, t, msg]);
  }

  /** A function rule's argument patterns unified with its parameters. */
  private withArgs(c: Ctx, rule: CRule, params: number, k: K): void {
    const args = rule.args ?? [];
    if (args.length !== params) throw new WasmPlanError(`function ${rule.name} with ${args.length} arguments for ${params}`, rule.loc);
    const step = (c1: Ctx, i: number): void => {
      if (i === args.length) k(c1);
      else this.unifyValue(c1, args[i], 2 + i, (c2) => step(c2, i + 1));
    };
    step(c, 0);
  }

  /** A subtree without rules at its root: its base document with its rules' values merged in. */
  private planSubtree(node: DataNode, world: World): Omit<PlanFunction, 'name'> {
    const frame = new Frame(2, 0);
    const ret = frame.temp();
    const block: Stmt[] = [];
    const c = new Ctx(frame, block, 0, new Set(), world);
    const base = frame.temp();
    const inner = c.nested();
    this.dotPath(inner, 1, node.path, (c2, v) => c2.emit(['mv', base, v]));
    if (node.path.length === 0 && [...world.mocks.values()].some((m) => 'computed' in m)) {
      // the values `with` keeps in the data local are not part of data
      const all = c.frame.temp();
      c.emit(['mv?', all, base]);
      c.emit(['reset', base]);
      c.emit(['mkobj', base]);
      const hidden = this.constL(c, WITH_KEY);
      this.scan(c, all, (c2, kk, vv) => {
        c2.emit(['ne', kk, hidden]);
        c2.emit(['oset', base, kk, vv]);
      });
    }
    c.emit(['ocopy', ret, base]);
    for (const [name, child] of node.children) {
      const b = c.nested();
      const key = this.constL(b, name);
      if (child.kind !== null && !replaced(world, child.path)) {
        // a base document at the same path takes precedence over the rules, as in OPA
        const t = b.frame.temp();
        b.emit(['not', [['dot', t, base, key]]]);
      }
      if (child.kind === 'function' && child.arity > 0) continue;
      if (replaced(world, child.path)) continue; // the base document (replaced by `with`) has it
      const v = b.frame.temp();
      b.emit(['call', child.kind !== null ? this.ruleFn(child, world) : this.subtreeFn(child, world), [], v]);
      b.emit(['oset', ret, key, v]);
    }
    return { params: 0, locals: frame.locals, body: [block], ret };
  }

  // ---------------------------------------------------------------- bodies and expressions

  private planBody(c: Ctx, body: CBody, i: number, k: K): void {
    if (i === body.length) k(c);
    else this.planExpr(c, body[i], (c2) => this.planBody(c2, body, i + 1, k));
  }

  private planExpr(c: Ctx, e: CExpr, k: K): void {
    if (e.withs !== null) {
      this.planWith(c, e, e.withs, k);
      return;
    }
    if (!e.negated) {
      this.planExprInner(c, e, k);
      return;
    }
    // not e: a flag set (and the search stopped) at e's first solution
    const found = c.frame.temp();
    c.emit(['reset', found]);
    const inner = c.nested();
    this.planExprInner(inner, e, (c2) => {
      c2.emit(['k', found, this.constOf(true)]);
      c2.emit(c2.breakTo(inner));
    });
    c.emit(['undef', found]);
    k(c);
  }

  /**
   * An expression under `with`: input and data locals replaced around it (the rule functions it
   * calls receive them), replaced paths and functions in its world. Its solutions (the values of
   * the variables it binds) are collected first, so that what follows runs in the outer world.
   */
  private planWith(c: Ctx, e: CExpr, withs: CWith[], k: K): void {
    const mocks = new Map(c.world.mocks);
    const dataPaths = [...c.world.dataPaths];
    const values: CTerm[] = [];
    const targets: CWith[] = [];
    for (const w of withs) {
      if (w.kind === 'func') {
        if (w.replacement) mocks.set(w.funcId!, { fn: w.replacement });
        else if (w.value.t === 'const') mocks.set(w.funcId!, { value: w.value.v });
        else {
          mocks.set(w.funcId!, { computed: true });
          values.push(w.value);
          targets.push({ ...w, kind: 'data', path: [WITH_KEY, w.funcId!] });
        }
        continue;
      }
      if (w.kind === 'data') dataPaths.push(w.path);
      values.push(w.value);
      targets.push(w);
    }
    const world = makeWorld(dataPaths, mocks);
    this.planArgs(c, values, 0, [], (c1, vals) => {
      const saved: [L, L] = [c1.frame.temp(), c1.frame.temp()];
      c1.emit(['mv?', saved[0], 0]);
      c1.emit(['mv?', saved[1], 1]);
      targets.forEach((w, i) => {
        const doc = w.kind === 'input' ? 0 : 1;
        c1.emit(['mv', doc, this.upsert(c1, doc, w.path, vals[i])]);
      });
      const restore = (cx: Ctx): void => {
        cx.emit(['mv?', 0, saved[0]]);
        cx.emit(['mv?', 1, saved[1]]);
      };
      const plain: CExpr = { ...e, withs: null, negated: false };
      if (e.negated) {
        const found = c1.frame.temp();
        c1.emit(['reset', found]);
        const inner = c1.nested().in(world);
        this.planExprInner(inner, plain, (c2) => {
          c2.emit(['k', found, this.constOf(true)]);
          c2.emit(c2.breakTo(inner));
        });
        restore(c1);
        c1.emit(['undef', found]);
        k(c1);
        return;
      }
      const sols = c1.frame.temp();
      c1.emit(['mkarr', sols]);
      const inner = c1.nested().in(world);
      let outs: number[] | undefined;
      this.planExprInner(inner, plain, (c2) => {
        const now = [...c2.bound].filter((s) => !c1.bound.has(s)).sort((a, b) => a - b);
        if (outs !== undefined && now.join() !== outs.join())
          throw new WasmPlanError('`with` on an expression that binds different variables in different branches', e.loc);
        outs = now;
        const tuple = c2.frame.temp();
        c2.emit(['mkarr', tuple]);
        for (const s of now) c2.emit(['apush', tuple, c2.frame.slot(s)]);
        c2.emit(['apush', sols, tuple]);
      });
      restore(c1);
      const bindsNothing = outs === undefined || outs.length === 0;
      if (bindsNothing) c1.emit(['len', c1.frame.temp(), sols]);
      this.scan(c1, sols, (c2, _i, tuple) => {
        let c3 = c2;
        (outs ?? []).forEach((s, i) => {
          c3.emit(['dot', c3.frame.slot(s), tuple, this.constL(c3, i)]);
          c3 = c3.bind(s);
        });
        // one solution is enough when it binds nothing
        if (bindsNothing) {
          k(c3);
          c3.emit(c3.breakTo(c2));
        } else k(c3);
      });
    });
  }

  /** A copy of the document in `doc` with `v` at `path` (objects made along the way). */
  private upsert(c: Ctx, doc: L, path: readonly string[], v: L): L {
    if (path.length === 0) return v;
    const out = c.frame.temp();
    c.emit(['ocopy', out, doc]);
    const key = this.constL(c, path[0]);
    const child = c.frame.temp();
    c.emit(['reset', child]);
    const got = c.frame.temp();
    c.emit([
      'blocks',
      [
        [
          ['dot', got, doc, key],
          ['mv', child, got],
        ],
      ],
    ]);
    c.emit(['oset', out, key, this.upsert(c, child, path.slice(1), v)]);
    return out;
  }

  private planExprInner(c: Ctx, e: CExpr, k: K): void {
    switch (e.op) {
      case 'term':
        this.planTerm(c, e.term, (c2, v) => this.truthy(c2, v, k));
        return;
      case 'unify':
        this.unify(c, e.a, e.b, k, e.loc);
        return;
      case 'call':
        if (e.fn.f === 'special' && e.fn.name === 'print') {
          k(c);
          return;
        }
        if (e.fn.f === 'special' && e.fn.name === 'walk') {
          // walk(x, [path, value]): one solution per node (the runtime's `walk` lists them in OPA's order)
          const out = e.out;
          if (out === null) throw new WasmPlanError('walk without its output argument', e.loc);
          this.planArgs(c, e.args, 0, [], (c2, args) => {
            const nodes = c2.frame.temp();
            c2.emit(['bi', this.builtinOf('walk'), args, nodes]);
            this.scan(c2, nodes, (c3, _i, node) => this.unifyValue(c3, out, node, k));
          });
          return;
        }
        this.planArgs(c, e.args, 0, [], (c2, args) =>
          this.planCall(c2, e.fn, args, e.loc, (c3, r) => (e.out !== null ? this.unifyValue(c3, e.out, r, k) : this.truthy(c3, r, k))),
        );
        return;
      case 'somein':
        this.planTerm(c, e.coll, (c2, coll) =>
          this.scan(c2, coll, (c3, kk, vv) =>
            e.key !== null ? this.unifyValue(c3, e.key, kk, (c4) => this.unifyValue(c4, e.value, vv, k)) : this.unifyValue(c3, e.value, vv, k),
          ),
        );
        return;
      case 'every':
        this.planEvery(c, e, k);
        return;
      case 'noop':
        k(c);
        return;
    }
  }

  private truthy(c: Ctx, v: L, k: K): void {
    c.emit(['ne', v, this.constL(c, false)]);
    k(c);
  }

  /** every k, v in domain { body }: fails at the first element without a solution. */
  private planEvery(c: Ctx, e: Extract<CExpr, { op: 'every' }>, k: K): void {
    const simple = (t: CTerm | null): boolean => t === null || (t.t === 'var' && !c.bound.has(t.slot));
    if (!simple(e.key) || !simple(e.value)) throw new WasmPlanError('`every` with patterns for its key or value', e.loc);
    this.planTerm(c, e.domain, (c2, d) => {
      c2.emit(['len', c2.frame.temp(), d]); // not a collection: every fails
      const failed = c2.frame.temp();
      c2.emit(['reset', failed]);
      const outer = c2.nested();
      this.scan(outer, d, (c3, kk, vv) => {
        let c4 = c3;
        if (e.key !== null && e.key.t === 'var') {
          c4.emit(['mv', c4.frame.slot(e.key.slot), kk]);
          c4 = c4.bind(e.key.slot);
        }
        if (e.value.t === 'var') {
          c4.emit(['mv', c4.frame.slot(e.value.slot), vv]);
          c4 = c4.bind(e.value.slot);
        }
        const ok = c4.frame.temp();
        c4.emit(['reset', ok]);
        const body = c4.nested();
        this.planBody(body, e.body, 0, (c5) => {
          c5.emit(['k', ok, this.constOf(true)]);
          c5.emit(c5.breakTo(body));
        });
        c4.emit(['undef', ok]);
        c4.emit(['k', failed, this.constOf(true)]);
        c4.emit(c4.breakTo(outer));
      });
      c2.emit(['undef', failed]);
      k(c2);
    });
  }

  // ---------------------------------------------------------------- unification

  private unify(c: Ctx, a: CTerm, b: CTerm, k: K, loc: Loc): void {
    if (evaluable(a, c.bound)) {
      this.planTerm(c, a, (c2, va) => this.unifyValue(c2, b, va, k));
      return;
    }
    if (evaluable(b, c.bound)) {
      this.planTerm(c, b, (c2, vb) => this.unifyValue(c2, a, vb, k));
      return;
    }
    if (a.t === 'array' && b.t === 'array' && a.items.length === b.items.length) {
      const pairs = a.items.map((x, i): [CTerm, CTerm] => [x, b.items[i]]);
      this.unifyPairs(c, pairs, k, loc);
      return;
    }
    if (a.t === 'object' && b.t === 'object' && [...a.items, ...b.items].every(([kt]) => kt.t === 'const')) {
      // values paired by their (constant) keys; different key sets never unify
      const keyOf = (kt: CTerm): string => stringify((kt as { v: Value }).v);
      const other = new Map(b.items.map(([kt, vt]) => [keyOf(kt), vt]));
      if (other.size !== a.items.length || a.items.some(([kt]) => !other.has(keyOf(kt)))) {
        c.emit(['break', 0]);
        return;
      }
      this.unifyPairs(
        c,
        a.items.map(([kt, vt]): [CTerm, CTerm] => [vt, other.get(keyOf(kt))!]),
        k,
        loc,
      );
      return;
    }
    throw new WasmPlanError('unification of two terms with unbound variables', loc);
  }

  private unifyPairs(c: Ctx, pairs: [CTerm, CTerm][], k: K, loc: Loc): void {
    if (pairs.length === 0) {
      k(c);
      return;
    }
    let i = pairs.findIndex(([x, y]) => evaluable(x, c.bound) || evaluable(y, c.bound));
    if (i < 0) i = 0;
    const rest = pairs.slice(0, i).concat(pairs.slice(i + 1));
    this.unify(c, pairs[i][0], pairs[i][1], (c2) => this.unifyPairs(c2, rest, k, loc), loc);
  }

  /** Unify a term (a pattern: its unbound variables get bound) with the value in v. */
  private unifyValue(c: Ctx, t: CTerm, v: L, k: K): void {
    switch (t.t) {
      case 'var':
        if (c.bound.has(t.slot)) {
          c.emit(['eq', c.frame.slot(t.slot), v]);
          k(c);
        } else {
          c.emit(['mv', c.frame.slot(t.slot), v]);
          k(c.bind(t.slot));
        }
        return;
      case 'const':
        c.emit(['eq', v, this.constL(c, t.v)]);
        k(c);
        return;
      case 'array': {
        if (evaluable(t, c.bound)) break;
        c.emit(['isarr', v]);
        this.sameLength(c, v, t.items.length);
        const step = (c1: Ctx, i: number): void => {
          if (i === t.items.length) return k(c1);
          const e = c1.frame.temp();
          c1.emit(['dot', e, v, this.constL(c1, i)]);
          this.unifyValue(c1, t.items[i], e, (c2) => step(c2, i + 1));
        };
        step(c, 0);
        return;
      }
      case 'object': {
        if (evaluable(t, c.bound)) break;
        c.emit(['isobj', v]);
        this.sameLength(c, v, t.items.length);
        const step = (c1: Ctx, i: number): void => {
          if (i === t.items.length) return k(c1);
          const [kt, vt] = t.items[i];
          this.planTerm(c1, kt, (c2, key) => {
            const e = c2.frame.temp();
            c2.emit(['dot', e, v, key]);
            this.unifyValue(c2, vt, e, (c3) => step(c3, i + 1));
          });
        };
        step(c, 0);
        return;
      }
      default:
        break;
    }
    this.planTerm(c, t, (c2, x) => {
      c2.emit(['eq', x, v]);
      k(c2);
    });
  }

  private sameLength(c: Ctx, v: L, n: number): void {
    const len = c.frame.temp();
    c.emit(['len', len, v]);
    c.emit(['eq', len, this.constL(c, n)]);
  }

  // ---------------------------------------------------------------- terms

  private planTerm(c: Ctx, t: CTerm, k: KV): void {
    switch (t.t) {
      case 'const':
        k(c, this.constL(c, t.v));
        return;
      case 'var':
        if (!c.bound.has(t.slot)) throw new WasmPlanError(`variable ${t.name} is not bound here`);
        k(c, c.frame.slot(t.slot));
        return;
      case 'ref':
        if (t.head.h === 'input') this.deref(c, 0, t.path, 0, k);
        else if (t.head.h === 'data') this.planData(c, t.path, k);
        else this.planTerm(c, t.head.term, (c2, h) => this.deref(c2, h, t.path, 0, k));
        return;
      case 'call':
        if (t.fn.f === 'special' && t.fn.name === 'print') {
          k(c, this.constL(c, true));
          return;
        }
        this.planArgs(c, t.args, 0, [], (c2, args) => this.planCall(c2, t.fn, args, t.loc, k));
        return;
      case 'array':
      case 'set':
        this.planArgs(c, t.items, 0, [], (c2, items) => {
          const r = c2.frame.temp();
          c2.emit([t.t === 'array' ? 'mkarr' : 'mkset', r]);
          for (const x of items) c2.emit([t.t === 'array' ? 'apush' : 'sadd', r, x]);
          k(c2, r);
        });
        return;
      case 'object': {
        const flat = t.items.flat();
        this.planArgs(c, flat, 0, [], (c2, vals) => {
          const r = c2.frame.temp();
          c2.emit(['mkobj', r]);
          const msg = this.constOf(CONFLICT_OBJECT);
          for (let i = 0; i < vals.length; i += 2) c2.emit(['oonce', r, vals[i], vals[i + 1], msg]);
          k(c2, r);
        });
        return;
      }
      case 'arraycompr':
      case 'setcompr': {
        const r = c.frame.temp();
        c.emit([t.t === 'arraycompr' ? 'mkarr' : 'mkset', r]);
        const inner = c.nested();
        this.planBody(inner, t.body, 0, (c2) => this.planTerm(c2, t.term, (c3, v) => c3.emit([t.t === 'arraycompr' ? 'apush' : 'sadd', r, v])));
        k(c, r);
        return;
      }
      case 'objectcompr': {
        const r = c.frame.temp();
        c.emit(['mkobj', r]);
        const msg = this.constOf(CONFLICT_OBJECT);
        const inner = c.nested();
        this.planBody(inner, t.body, 0, (c2) =>
          this.planTerm(c2, t.key, (c3, kk) => this.planTerm(c3, t.value, (c4, vv) => c4.emit(['oonce', r, kk, vv, msg]))),
        );
        k(c, r);
        return;
      }
    }
  }

  private planArgs(c: Ctx, args: CTerm[], i: number, acc: L[], k: (c: Ctx, args: L[]) => void): void {
    if (i === args.length) k(c, acc);
    else this.planTerm(c, args[i], (c2, v) => this.planArgs(c2, args, i + 1, [...acc, v], k));
  }

  private planCall(c: Ctx, fn: CFunc, args: L[], loc: Loc, k: KV): void {
    const mock = c.world.mocks.size > 0 ? c.world.mocks.get(funcId(fn)) : undefined;
    if (mock !== undefined) {
      // a function replaced by a value: its arguments must still be defined
      if (!('fn' in mock)) for (const a of args) c.emit(['def', a]);
      if ('value' in mock) k(c, this.constL(c, mock.value));
      else if ('computed' in mock) this.dotPath(c, 1, [WITH_KEY, funcId(fn)], k);
      // inside a replacement no function is replaced (it may call the function it replaces)
      else this.planCall(c.in(makeWorld(c.world.dataPaths, new Map())), mock.fn, args, loc, (c2, r) => k(c2.in(c.world), r));
      return;
    }
    const r = c.frame.temp();
    switch (fn.f) {
      case 'builtin':
        c.emit(['bi', this.builtinOf(fn.name), args, r]);
        break;
      case 'user':
        c.emit(['call', this.ruleFn(fn.node, c.world), args, r]);
        break;
      case 'special':
        if (fn.name === 'member2' || fn.name === 'member3')
          c.emit(['bi', this.builtinOf(fn.name === 'member2' ? 'internal.member_2' : 'internal.member_3'), args, r]);
        else throw new WasmPlanError(`${fn.name} (a relation)`, loc);
        break;
    }
    k(c, r);
  }

  /** src[path[i]]…: a bound key is looked up, an unbound one iterates. */
  /** `baseDoc`: src is (inside) base data, where an integer key also finds the key's string (OPA's storage). */
  private deref(c: Ctx, src: L, path: CTerm[], i: number, k: KV, baseDoc = false): void {
    if (i === path.length) {
      k(c, src);
      return;
    }
    const op = path[i];
    if (baseDoc && op.t === 'const' && (typeof op.v === 'number' || typeof op.v === 'bigint')) {
      const dst = c.frame.temp();
      c.emit(['reset', dst]);
      for (const key of [op.v, formatNumber(op.v)]) {
        const t = c.frame.temp();
        c.emit([
          'blocks',
          [
            [
              ['undef', dst],
              ['dot', t, src, this.constL(c, key)],
              ['mv', dst, t],
            ],
          ],
        ]);
      }
      c.emit(['def', dst]);
      this.deref(c, dst, path, i + 1, k, true);
      return;
    }
    if (evaluable(op, c.bound)) {
      this.planTerm(c, op, (c2, key) => {
        const dst = c2.frame.temp();
        c2.emit(['dot', dst, src, key]);
        this.deref(c2, dst, path, i + 1, k, baseDoc);
      });
      return;
    }
    this.scan(c, src, (c2, kk, vv) => this.unifyValue(c2, op, kk, (c3) => this.deref(c3, vv, path, i + 1, k, baseDoc)));
  }

  private scan(c: Ctx, src: L, k: (c: Ctx, key: L, value: L) => void): void {
    const kk = c.frame.temp();
    const vv = c.frame.temp();
    const block: Stmt[] = [];
    c.emit(['scan', src, kk, vv, block]);
    k(c.inside(block), kk, vv);
  }

  /** Constant keys from data (local 1). */
  private dotPath(c: Ctx, src: L, path: readonly string[], k: KV): void {
    let cur = src;
    for (const s of path) {
      const dst = c.frame.temp();
      c.emit(['dot', dst, cur, this.constL(c, s)]);
      cur = dst;
    }
    k(c, cur);
  }

  /** data[path…]: through the rule tree while the keys are constant, then the document below. */
  private planData(c: Ctx, path: CTerm[], k: KV): void {
    let node = this.root;
    let i = 0;
    for (; i < path.length && node.kind === null; i++) {
      const op = path[i];
      if (op.t !== 'const' || typeof op.v !== 'string') break;
      const child = node.children.get(op.v);
      if (child === undefined || replaced(c.world, child.path)) {
        // below the rule tree: only base data
        const segs = path.slice(0, i + 1).map((x) => (x as { v: string }).v);
        this.dotPath(c, 1, segs, (c2, v) => this.deref(c2, v, path, i + 1, k, true));
        return;
      }
      node = child;
    }
    if (i < path.length && node.kind === null && path[i].t === 'const' && typeof (path[i] as { v: Value }).v !== 'string') {
      // a key that is not a string names no rule: base data only
      this.dotPath(c, 1, node.path, (c2, v) => this.deref(c2, v, path, i, k, true));
      return;
    }
    const r = c.frame.temp();
    if (node.kind === 'function' && node.arity > 0) throw new WasmPlanError(`function ${node.dottedPath} read as a document`);
    c.emit(['call', node.kind !== null ? this.ruleFn(node, c.world) : this.subtreeFn(node, c.world), [], r]);
    let doc = r;
    // `with data.<rule>.x as …`: the rule's value patched where `with` replaced part of it
    for (const p of c.world.dataPaths) {
      if (node.kind === null || p.length <= node.path.length || !node.path.every((s, j) => p[j] === s)) continue;
      let v = 1;
      for (const s of p) {
        const next = c.frame.temp();
        c.emit(['dot', next, v, this.constL(c, s)]);
        v = next;
      }
      doc = this.upsert(c, doc, p.slice(node.path.length), v);
    }
    this.deref(c, doc, path, i, k);
  }
}
