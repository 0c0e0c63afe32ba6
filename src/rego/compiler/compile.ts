// Module → compiled rule tree. Resolves names (locals, rules of the package, imports,
// input/data), binds calls to builtins or user functions, orders bodies for safety,
// folds constants and runs OPA's compile-time checks. Everything here happens once,
// when a bundle is loaded.

import type { Body, Expr, Module, Rule, Term, Loc, VarTerm } from '../ast.js';
import type { Builtin } from '../builtins/types.js';
import { RELATIONS } from '../builtins/walk.js';
import { UNSUPPORTED_BUILTINS, unsupportedError } from '../builtins/unsupported.js';
import { RegoError } from '../errors.js';
import { ObjectV, SetV, typeName, type Value } from '../value.js';
import type { CBody, CExpr, CFunc, CRule, CTerm, CWith } from './ir.js';
import { hoistNegatedArgs } from './negation.js';
import { isMetadataCall, MetadataIndex } from './metadata.js';
import { analyzeTerm, orderBody, setClosureNeeds } from './safety.js';
import { Scope } from './scope.js';
import { Normalizer } from './layout.js';
import { DataNode, type NodeKind } from './tree.js';

interface ModCtx {
  module: Module;
  pkg: string[];
  imports: Map<string, { root: 'data' | 'input'; path: string[] }>;
  /** First segments of rule names defined in this package (across all its modules). */
  ruleNames: Set<string>;
  /** Rego v1 rules apply (v1 module, or a v0 module importing rego.v1). */
  v1: boolean;
}

interface PendingRule {
  rule: Rule;
  node: DataNode;
  kind: NodeKind;
  /** dynamic part of the head ref */
  dyn: Term[];
  m: ModCtx;
}

/** Scope plus bookkeeping used while compiling one rule or query. */
class RuleScope extends Scope {
  readonly children: RuleScope[] = [];
  /** The scope of a function's arguments (its body may not assign them again with :=). */
  isArgs = false;
  readonly names: Map<number, string>;
  constructor(parent: RuleScope | null, names?: Map<number, string>) {
    super(parent);
    this.names = names ?? parent?.names ?? new Map();
    parent?.children.push(this);
  }
  override declare(name: string): number {
    const s = super.declare(name);
    this.names.set(s, name);
    return s;
  }
  freshNamed(name: string): number {
    const s = this.fresh();
    this.names.set(s, name);
    return s;
  }
  allOwn(into = new Set<number>()): Set<number> {
    for (const s of this.own) into.add(s);
    for (const c of this.children) c.allOwn(into);
    return into;
  }
}

const SPECIAL_CALLS: Record<string, 'eq' | 'assign' | 'member2' | 'member3' | 'print'> = {
  eq: 'eq',
  assign: 'assign',
  'internal.member_2': 'member2',
  'internal.member_3': 'member3',
  print: 'print',
};

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class Compiler {
  readonly root = new DataNode('', []);
  /** Nodes in the tree, once compiled (see numberNodes). */
  nodeCount = 0;
  readonly errors: RegoError[] = [];
  private readonly builtins: Map<string, Builtin>;
  private readonly pkgRuleNames = new Map<string, Set<string>>();
  /** Rule-node dependencies for the recursion check: node id → nodes it references. */
  readonly deps = new Map<DataNode, Set<DataNode>>();
  private currentNode: DataNode | null = null;
  private readonly defaultsPlaced = new Set<DataNode>();
  private readonly objectDefaultsPlaced = new Set<string>();
  /** Rule nodes whose own bodies read input, the clock/randomness, print or use `with`. */
  private readonly variable = new Set<DataNode>();
  private readonly placedLoc = new Map<DataNode, Loc>();
  /** Variables made by hoistNegatedArgs so far (their names are `$neg<n>`). */
  private hoisted = 0;
  /** `# METADATA` annotations by scope, for rego.metadata.rule() / chain(). */
  private readonly metadata = new MetadataIndex();
  /** The rule being compiled, with its package (for rego.metadata.*). */
  private currentRule: { rule: Rule; pkg: string[] } | null = null;

  constructor(builtins: Map<string, Builtin>) {
    this.builtins = builtins;
  }

  private err(code: RegoError['code'], msg: string, loc?: Loc): void {
    this.errors.push(new RegoError(code, msg, loc));
  }

  // ---------------------------------------------------------------- modules

  compileModules(modules: Module[]): void {
    // Phase 1: every rule's node and kind, so bodies can refer to any rule.
    for (const m of modules) {
      const key = m.package.join('\u0000');
      let names = this.pkgRuleNames.get(key);
      if (!names) this.pkgRuleNames.set(key, (names = new Set()));
      for (const r of m.rules) {
        const h = r.head.ref[0];
        if (h && h.type === 'var') names.add(h.name);
      }
    }
    for (const m of modules) this.metadata.add(m);
    const pending: PendingRule[] = [];
    for (const m of modules) {
      // a package defines its path even when empty (data.a.b is {} for `package a.b`)
      let pn = this.root;
      for (const seg of m.package) pn = pn.child(seg);
      const ctx = this.modCtx(m);
      for (const rule of m.rules) {
        const p = this.placeRule(rule, ctx);
        if (p) pending.push(p);
      }
    }
    this.checkExtentConflicts();
    // Phase 2: bodies.
    for (const p of pending) {
      try {
        this.compileRule(p);
      } catch (e) {
        if (e instanceof RegoError) this.errors.push(e);
        else throw e;
      }
    }
    this.checkRecursion();
    this.numberNodes();
    if (this.errors.length === 0) {
      this.markConstants();
      const norm = new Normalizer();
      for (const n of this.root.ruleNodes()) {
        for (const r of n.rules) norm.rule(r);
        if (n.defaultRule !== null) norm.rule(n.defaultRule);
        for (const r of n.objectDefaults) norm.rule(r);
      }
    }
  }

  /** Gives every node of the tree its DataNode.slot. */
  private numberNodes(): void {
    let n = 0;
    const walk = (node: DataNode): void => {
      node.slot = n++;
      for (const c of node.children.values()) walk(c);
    };
    walk(this.root);
    this.nodeCount = n;
  }

  /** A rule node is constant when neither it nor anything it reads varies per request. */
  private markConstants(): void {
    const memo = new Map<DataNode, boolean>();
    const isConst = (n: DataNode): boolean => {
      const known = memo.get(n);
      if (known !== undefined) return known;
      memo.set(n, false); // cycles were refused above; be safe anyway
      let c = !this.variable.has(n);
      if (c) for (const d of this.deps.get(n) ?? []) if (!isConst(d)) c = false;
      memo.set(n, c);
      return c;
    };
    for (const n of this.root.ruleNodes()) {
      n.constant = n.kind !== 'function' && isConst(n);
      n.pure = n.kind === 'function' && isConst(n);
    }
  }

  private markVariable(): void {
    if (this.currentNode) this.variable.add(this.currentNode);
  }

  private modCtx(m: Module): ModCtx {
    const imports = new Map<string, { root: 'data' | 'input'; path: string[] }>();
    const kw = new Set<string>();
    for (const imp of m.imports) {
      const [root, ...rest] = imp.path;
      if (root === 'future' || root === 'rego') {
        // keyword imports are no-ops in v1, but rego.v1 and future.keywords exclude each other
        const kind = root === 'rego' ? 'rego.v1' : 'future.keywords';
        if (kind === 'rego.v1' ? kw.size > 0 : kw.has('rego.v1')) {
          this.err(
            'rego_parse_error',
            `import ${imp.path.join('.')}: this import shadows a previous keyword import (rego.v1 implies future.keywords)`,
            imp.loc,
          );
        }
        kw.add(kind);
        continue;
      }
      if (root !== 'data' && root !== 'input') {
        this.err('rego_parse_error', `invalid import ${imp.path.join('.')}: must begin with input or data`, imp.loc);
        continue;
      }
      const alias = imp.alias ?? (rest.length ? rest[rest.length - 1] : root);
      if (imports.has(alias)) this.err('rego_compile_error', `import ${alias} is declared more than once`, imp.loc);
      imports.set(alias, { root, path: rest });
    }
    const v1 = m.regoVersion === 1 || kw.has('rego.v1');
    return { module: m, pkg: m.package, imports, v1, ruleNames: this.pkgRuleNames.get(m.package.join('\u0000')) ?? new Set() };
  }

  private placeRule(rule: Rule, m: ModCtx): PendingRule | null {
    const ref = rule.head.ref;
    const first = ref[0];
    if (!first || first.type !== 'var') {
      this.err('rego_parse_error', 'rule head must start with a name', rule.loc);
      return null;
    }
    if ((first.name === 'input' || first.name === 'data') && m.v1) {
      this.err('rego_compile_error', `rule name ${first.name} shadows the ${first.name} document`, rule.loc);
      return null;
    }
    const constPath = [first.name];
    let i = 1;
    for (; i < ref.length; i++) {
      const t = ref[i];
      if (t.type !== 'string') break;
      constPath.push(t.value);
    }
    const dyn = ref.slice(i);
    let kind: NodeKind;
    if (rule.head.args) {
      kind = 'function';
      if (dyn.length) {
        this.err('rego_parse_error', 'function names must be plain references', rule.loc);
        return null;
      }
    } else if (rule.head.contains) {
      // `a.b[x] contains y`: an object whose leaves are sets
      kind = dyn.length ? 'object' : 'set';
    } else if (dyn.length) {
      kind = 'object';
      // A default for one key of an object (`default p[true] := x`, as OPA's rule tree allows
      // for any ground key): only scalar keys, never variables.
      if (rule.default && !dyn.every((x) => x.type === 'null' || x.type === 'boolean' || x.type === 'number' || x.type === 'string')) {
        this.err('rego_type_error', 'default rules must not have variables in the head reference', rule.loc);
        return null;
      }
    } else kind = 'complete';

    let node = this.root;
    for (const p of m.pkg) node = node.child(p);
    for (const p of constPath) node = node.child(p);
    if (node.kind !== null && node.kind !== kind) {
      this.err('rego_type_error', `conflicting rules ${node.dottedPath} found`, rule.loc);
      return null;
    }
    if (kind === 'function') {
      const n = rule.head.args!.length;
      if (node.arity >= 0 && node.arity !== n) {
        this.err('rego_type_error', `conflicting rules ${node.dottedPath} found: functions must have the same number of arguments`, rule.loc);
        return null;
      }
      node.arity = n;
    }
    if (rule.default && kind === 'object') {
      const key = `${node.dottedPath}${JSON.stringify(dyn.map((x) => ('value' in x ? x.value : null)))}`;
      if (this.objectDefaultsPlaced.has(key)) {
        this.err('rego_type_error', `multiple default rules ${node.dottedPath} found`, rule.loc);
        return null;
      }
      this.objectDefaultsPlaced.add(key);
    } else if (rule.default) {
      if (this.defaultsPlaced.has(node)) {
        this.err('rego_type_error', `multiple default rules ${node.dottedPath} found`, rule.loc);
        return null;
      }
      if (rule.body.length && !(rule.body.length === 1 && isTrueExpr(rule.body[0]))) {
        this.err('rego_parse_error', 'default rules must not have a body', rule.loc);
      }
    }
    if (rule.default && kind !== 'object') this.defaultsPlaced.add(node);
    if (!this.placedLoc.has(node)) this.placedLoc.set(node, rule.loc);
    node.kind = kind;
    return { rule, node, kind, dyn, m };
  }

  private compileRule(p: PendingRule): void {
    const { rule, node, kind, m } = p;
    this.currentNode = node;
    this.currentRule = { rule, pkg: m.pkg };
    const scope = new RuleScope(null);
    scope.isArgs = rule.head.args !== undefined;
    let args: CTerm[] | null = null;
    const argSlots = new Set<number>();
    if (rule.head.args) {
      for (const a of rule.head.args) this.declarePatternVars(a, scope, m);
      args = rule.head.args.map((a) => this.term(a, scope, m));
      for (const a of args) {
        const tv = analyzeTerm(a, true);
        for (const s of [...tv.pat, ...tv.need]) argSlots.add(s);
      }
    }
    const bodyScope = new RuleScope(scope);
    const body = this.body(rule.body, bodyScope, m, (s) => argSlots.has(s));
    const headLoc = rule.head.loc;
    const value = rule.head.value ? this.term(rule.head.value, bodyScope, m) : ({ t: 'const', v: true } as CTerm);
    const key = rule.head.contains && rule.head.key ? this.term(rule.head.key, bodyScope, m) : null;
    const keyPath = p.dyn.map((t) => this.term(t, bodyScope, m));
    this.checkHeadSafety([value, ...(key ? [key] : []), ...keyPath], body.bound, argSlots, bodyScope, headLoc);

    const elses: CRule['elses'] = [];
    for (const el of rule.elses) {
      const es = new RuleScope(scope);
      const eb = this.body(el.body, es, m, (s) => argSlots.has(s));
      const ev = el.value ? this.term(el.value, es, m) : ({ t: 'const', v: true } as CTerm);
      this.checkHeadSafety([ev], eb.bound, argSlots, es, el.loc);
      elses.push({ value: ev, body: eb.body, loc: el.loc });
    }
    const name = node.dottedPath;
    const crule: CRule = {
      kind,
      keyPath,
      key,
      multi: rule.head.contains,
      value,
      args,
      body: body.body,
      elses,
      isDefault: rule.default,
      nslots: scope.slots.count,
      file: m.module.file,
      loc: rule.loc,
      name,
      src: rule,
      scope: m,
    };
    if (rule.default) {
      if (value.t !== 'const' && !(kind === 'function')) {
        // OPA requires default values to be ground (no variables, no calls)
        const tv = analyzeTerm(value, false);
        if (tv.need.size || tv.pat.size || tv.refOut.size) this.err('rego_type_error', `default rule ${name} value must be ground`, rule.loc);
      }
      if (kind === 'object') node.objectDefaults.push(crule);
      else node.defaultRule = crule;
    } else node.rules.push(crule);
    this.currentNode = null;
    this.currentRule = null;
  }

  private checkHeadSafety(terms: CTerm[], bound: Set<number>, argSlots: Set<number>, scope: RuleScope, loc: Loc): void {
    for (const t of terms) {
      const tv = analyzeTerm(t, false);
      for (const s of [...tv.need, ...tv.pat]) {
        if (!bound.has(s) && !argSlots.has(s)) {
          this.err('rego_unsafe_var_error', `var ${displayName(scope.names.get(s))} is unsafe`, loc);
        }
      }
    }
  }

  // ---------------------------------------------------------------- queries

  /** Compile an ad-hoc query (pdp eval, conformance). Returns the ordered body and its named vars. */
  compileQuery(body: Body, file = 'query'): { body: CBody; nslots: number; vars: Map<string, number> } {
    const mod: Module = { file, package: [], packageLoc: { file, row: 1, col: 1 }, imports: [], rules: [], regoVersion: 1, source: '' };
    const m: ModCtx = { module: mod, pkg: [], imports: new Map(), ruleNames: new Set(), v1: true };
    const scope = new RuleScope(null);
    const res = this.body(body, scope, m, () => false);
    const vars = new Map<string, number>();
    for (const [name, slot] of scope.vars) vars.set(name, slot);
    return { body: new Normalizer().body(res.body), nslots: scope.slots.count, vars };
  }

  // ---------------------------------------------------------------- bodies

  private body(source: Body, scope: RuleScope, m: ModCtx, initiallyBound: (s: number) => boolean): { body: CBody; bound: Set<number> } {
    const body = hoistNegatedArgs(source, {
      isDocument: (name) => this.isGlobalName(name, scope, m),
      isOuterLocal: (name) => scope.parent !== null && scope.parent.lookup(name) !== undefined,
      fresh: () => `$neg${this.hoisted++}`,
    });
    this.predeclare(body, scope, m);
    const exprs: CBody = [];
    for (const e of body) {
      const c = this.expr(e, scope, m);
      if (c) exprs.push(c);
    }
    const own = scope.allOwn();
    const init = (s: number): boolean => initiallyBound(s) || !own.has(s);
    const ordered = orderBody(exprs, init);
    for (const u of ordered.unsafe) {
      this.err('rego_unsafe_var_error', `var ${displayName(scope.names.get(u.slot))} is unsafe`, u.expr.loc);
    }
    return { body: ordered.body, bound: ordered.bound };
  }

  /** Declare the body's variables in its scope before compiling, so closures resolve. */
  private predeclare(body: Body, scope: RuleScope, m: ModCtx): void {
    // `:=` declares its variables for the expressions after it (declared when compiled);
    // other variables are body-wide.
    const assigned = new Set<string>();
    for (const e of body) {
      if (e.kind === 'term' && e.term.type === 'call' && e.term.name === 'assign' && e.term.args.length === 2) collectVarNames(e.term.args[0], assigned);
    }
    const prevSkip = this.skipNames;
    this.skipNames = assigned;
    try {
      this.predeclareExprs(body, scope, m);
    } finally {
      this.skipNames = prevSkip;
    }
  }

  private skipNames: Set<string> = new Set();

  private predeclareExprs(body: Body, scope: RuleScope, m: ModCtx): void {
    // a name declared twice in one body (`:=`, `some`) is an error, as in OPA
    const declared = new Set<string>();
    const declare = (names: Set<string>, verb: string, loc: Loc): void => {
      for (const n of names) {
        if (n === '_') continue;
        if (declared.has(n)) this.err('rego_compile_error', `var ${n} ${verb} above`, loc);
        declared.add(n);
      }
    };
    const used = new Set<string>();
    for (const e of body) {
      if (e.kind === 'term' && e.term.type === 'call' && e.term.name === 'assign' && e.term.args.length === 2) {
        collectFreeNames(e.term.args[1], used);
        const names = new Set<string>();
        collectVarNames(e.term.args[0], names);
        for (const n of names) {
          if (n !== '_' && used.has(n) && !declared.has(n) && scope.lookup(n) === undefined && !this.isGlobalName(n, scope, m)) {
            this.err('rego_compile_error', `var ${n} referenced above`, e.term.args[0].loc);
          }
        }
      } else if (e.kind === 'term') collectFreeNames(e.term, used);
      // OPA: a name declared (some, :=) after an expression that used it is "referenced above";
      // so is a function argument assigned again with := in the function's body.
      const referencedAbove = (names: Set<string>, loc: Loc): void => {
        for (const n of names) {
          if (n === '_' || declared.has(n) || this.isGlobalName(n, scope, m)) continue;
          const args = scope.parent as RuleScope | null;
          if (e.kind === 'somein' && used.has(n) && scope.lookup(n) === undefined) this.err('rego_compile_error', `var ${n} referenced above`, loc);
          else if (e.kind === 'term' && args?.isArgs && args.vars.has(n)) this.err('rego_compile_error', `var ${n} assigned above`, loc);
        }
      };
      if (e.kind === 'some') declare(new Set(e.vars.map((v) => v.name)), 'declared', e.loc);
      else if (e.kind === 'somein') {
        const names = new Set<string>();
        if (e.key) collectVarNames(e.key, names);
        collectVarNames(e.value, names);
        referencedAbove(names, e.loc);
        declare(names, 'declared', e.loc);
      } else if (e.kind === 'term' && e.term.type === 'call' && e.term.name === 'assign' && e.term.args.length === 2) {
        const names = new Set<string>();
        collectVarNames(e.term.args[0], names);
        referencedAbove(names, e.loc);
        declare(names, 'assigned', e.loc);
      }
    }
    for (const e of body) {
      switch (e.kind) {
        case 'some':
          for (const v of e.vars) scope.declare(v.name);
          break;
        case 'somein':
          if (e.key) this.declarePatternVars(e.key, scope, m, true);
          this.declarePatternVars(e.value, scope, m, true);
          this.declareFreeVars(e.collection, scope, m);
          break;
        case 'every':
          this.declareFreeVars(e.domain, scope, m);
          break;
        case 'term': {
          const t = e.term;
          if (t.type === 'call' && t.name === 'assign' && t.args.length === 2) {
            this.declareFreeVars(t.args[1], scope, m);
          } else this.declareFreeVars(t, scope, m);
          break;
        }
      }
      for (const w of e.with) {
        const fp = refPath(w.value);
        if (fp && scope.lookup(fp[0]) === undefined && this.tryResolveCall(fp.join('.'), scope, m)) continue; // names a function
        this.declareFreeVars(w.value, scope, m);
      }
    }
  }

  private checkAssignTarget(lhs: Term, scope: RuleScope, m: ModCtx): void {
    const visit = (t: Term): void => {
      if (t.type === 'var') {
        if (t.name === '_') return;
        if ((t.name === 'input' || t.name === 'data') && m.v1) this.err('rego_compile_error', `${t.name} cannot be shadowed`, t.loc);
        scope.assigned.add(t.name);
      } else if (t.type === 'array') t.items.forEach(visit);
      else if (t.type === 'object') t.items.forEach(([, v]) => visit(v));
      else if (t.type === 'ref') this.err('rego_compile_error', 'cannot assign to ref', t.loc);
      else if (t.type === 'call' || t.type.endsWith('compr')) this.err('rego_compile_error', `cannot assign to ${t.type}`, t.loc);
    };
    if (lhs.type !== 'var' && lhs.type !== 'array' && lhs.type !== 'object') {
      this.err('rego_compile_error', `cannot assign to ${lhs.type}: the left-hand side of := must be a variable or a pattern of variables`, lhs.loc);
      return;
    }
    visit(lhs);
  }

  /** Declare pattern vars (function args, `some x in`, `:=` targets) as new locals. */
  private declarePatternVars(t: Term, scope: RuleScope, m: ModCtx, shadow = true, isAssign = false): void {
    switch (t.type) {
      case 'var':
        if (t.name === '_') return;
        if (shadow || scope.lookup(t.name) === undefined) {
          if (isAssign && scope.vars.has(t.name) && !scope.assigned.has(t.name)) return;
          if (!scope.vars.has(t.name)) scope.declare(t.name);
        }
        return;
      case 'array':
      case 'set':
        for (const x of t.items) this.declarePatternVars(x, scope, m, shadow, isAssign);
        return;
      case 'object':
        for (const [k, v] of t.items) {
          this.declareFreeVars(k, scope, m);
          this.declarePatternVars(v, scope, m, shadow, isAssign);
        }
        return;
      default:
        this.declareFreeVars(t, scope, m);
    }
  }

  /** Declare variables used in a term that are not locals, rules, imports or roots. */
  private declareFreeVars(t: Term, scope: RuleScope, m: ModCtx): void {
    switch (t.type) {
      case 'var':
        if (t.name !== '_' && !this.skipNames.has(t.name) && !this.isGlobalName(t.name, scope, m) && scope.lookup(t.name) === undefined) scope.declare(t.name);
        return;
      case 'ref':
        this.declareFreeVars(t.head, scope, m);
        for (const p of t.path) this.declareFreeVars(p, scope, m);
        return;
      case 'array':
      case 'set':
        for (const x of t.items) this.declareFreeVars(x, scope, m);
        return;
      case 'object':
        for (const [k, v] of t.items) {
          this.declareFreeVars(k, scope, m);
          this.declareFreeVars(v, scope, m);
        }
        return;
      case 'call':
        for (const a of t.args) this.declareFreeVars(a, scope, m);
        return;
      default:
        return; // comprehensions have their own scope
    }
  }

  private isGlobalName(name: string, scope: Scope, m: ModCtx): boolean {
    if (scope.lookup(name) !== undefined) return false;
    return name === 'input' || name === 'data' || m.imports.has(name) || m.ruleNames.has(name);
  }

  // ---------------------------------------------------------------- expressions

  private expr(e: Expr, scope: RuleScope, m: ModCtx): CExpr | null {
    const withs = e.with.length ? e.with.map((w) => this.withMod(w.target, w.value, w.loc, scope, m)) : null;
    const base = { negated: e.negated, withs, loc: e.loc, src: e };
    switch (e.kind) {
      case 'some':
        return { op: 'noop', ...base };
      case 'somein':
        return {
          op: 'somein',
          key: e.key ? this.term(e.key, scope, m) : null,
          value: this.term(e.value, scope, m),
          coll: this.term(e.collection, scope, m),
          ...base,
        };
      case 'every': {
        const domain = this.term(e.domain, scope, m);
        const child = new RuleScope(scope);
        if (e.key) this.declarePatternVars(e.key, child, m, true);
        this.declarePatternVars(e.value, child, m, true);
        const key = e.key ? this.term(e.key, child, m) : null;
        const value = this.term(e.value, child, m);
        const kvSlots = new Set<number>();
        for (const t of key ? [key, value] : [value]) for (const s of analyzeTerm(t, true).pat) kvSlots.add(s);
        const body = this.body(e.body, child, m, (s) => kvSlots.has(s));
        const ce: CExpr = { op: 'every', key, value, domain, body: body.body, ...base };
        setClosureNeeds(ce, this.closureOf(child, [body.body]));
        return ce;
      }
      case 'term': {
        const t = e.term;
        if (t.type === 'call' && !(t.name === 'set' && t.args.length === 0)) {
          const special = SPECIAL_CALLS[t.name];
          if (special === 'eq' || special === 'assign') {
            if (t.args.length !== 2) throw new RegoError('rego_type_error', `${t.name}: arity mismatch`, t.loc);
            if (special === 'assign') {
              if (e.negated) this.err('rego_compile_error', 'cannot assign vars inside negated expression', e.loc);
              this.checkStaticMatch(t.args[0], t.args[1]);
              const rhs = this.term(t.args[1], scope, m);
              this.checkAssignTarget(t.args[0], scope, m);
              this.declarePatternVars(t.args[0], scope, m, true, true);
              return { op: 'unify', a: this.term(t.args[0], scope, m), b: rhs, ...base };
            }
            this.checkStaticMatch(t.args[0], t.args[1]);
            return { op: 'unify', a: this.term(t.args[0], scope, m), b: this.term(t.args[1], scope, m), ...base };
          }
          if (t.args.length === 1 && isMetadataCall(t.name)) {
            const meta = this.metadataCall(t.name, 0, t.loc, scope, m);
            if (meta !== undefined) return { op: 'unify', a: this.term(t.args[0], scope, m), b: { t: 'const', v: meta }, ...base };
          }
          const fn = this.resolveCall(t.name, t.loc, scope, m);
          const arity = this.arityOf(fn);
          const args = t.args.map((a) => this.term(a, scope, m));
          this.checkArgTypes(fn, args.slice(0, arity >= 0 ? arity : args.length), t.loc);
          if (arity >= 0 && args.length === arity + 1) {
            return { op: 'call', fn, args: args.slice(0, arity), out: args[arity], ...base };
          }
          if (arity >= 0 && args.length !== arity) throw this.arityError(t.name, arity, args.length, t.loc);
          return { op: 'call', fn, args, out: null, ...base };
        }
        return { op: 'term', term: this.term(t, scope, m), ...base };
      }
    }
  }

  /** Two literal patterns that can never unify are a type error (OPA's checker reports them). */
  private checkStaticMatch(a: Term, b: Term): void {
    if (a.type === 'array' && b.type === 'array') {
      if (a.items.length !== b.items.length) {
        this.err('rego_type_error', `match error: array of ${a.items.length} elements cannot unify with array of ${b.items.length} elements`, a.loc);
      } else a.items.forEach((x, i) => this.checkStaticMatch(x, b.items[i]));
    } else if (a.type === 'object' && b.type === 'object') {
      const keys = (o: typeof a): string[] | null =>
        o.items.every(([k]) => k.type === 'string') ? o.items.map(([k]) => (k as { value: string }).value).sort() : null;
      const ka = keys(a);
      const kb = keys(b);
      if (ka && kb && ka.join('\u0000') !== kb.join('\u0000')) {
        this.err('rego_type_error', `match error: object keys ${JSON.stringify(ka)} cannot unify with object keys ${JSON.stringify(kb)}`, a.loc);
      }
    } else if (
      (a.type === 'array' && isScalarLiteral(b)) ||
      (b.type === 'array' && isScalarLiteral(a)) ||
      (a.type === 'object' && b.type === 'array') ||
      (a.type === 'array' && b.type === 'object')
    ) {
      this.err('rego_type_error', `match error: ${a.type} cannot unify with ${b.type}`, a.loc);
    }
  }

  private withMod(target: Term, value: Term, loc: Loc, scope: RuleScope, m: ModCtx): CWith {
    this.markVariable(); // conservative: `with` changes what the rule reads
    const path = refPath(target);
    if (!path) throw new RegoError('rego_type_error', 'with keyword target must reference existing input, data, or a function', loc);
    let [head, ...rest] = path;
    const alias = scope.lookup(head) === undefined ? m.imports.get(head) : undefined;
    if (alias) [head, ...rest] = [alias.root, ...alias.path, ...rest];
    let cw: CWith;
    if (head === 'input' && scope.lookup('input') === undefined) {
      const p = constStrings(rest, loc);
      cw = { kind: 'input', path: p, value: this.term(value, scope, m), loc };
    } else if (head === 'data' && scope.lookup('data') === undefined) {
      const p = constStrings(rest, loc);
      const node = this.root.lookup(p);
      for (let i = 1; i < p.length; i++) {
        const above = this.root.lookup(p.slice(0, i));
        if (above && above.kind !== null) throw new RegoError('rego_compile_error', 'with keyword cannot partially replace virtual document(s)', loc);
      }
      if (node?.kind === 'function') {
        const replacement = this.funcValue(value, scope, m);
        cw = { kind: 'func', path: p, funcId: node.dottedPath, value: replacement ? NULL_TERM : this.term(value, scope, m), replacement, loc };
      } else cw = { kind: 'data', path: p, value: this.term(value, scope, m), loc };
    } else {
      // a function or builtin name
      const name = path.join('.');
      const fn = this.tryResolveCall(name, scope, m);
      if (!fn) throw new RegoError('rego_type_error', `with keyword target ${name} must reference existing input, data, or a function`, loc);
      if (fn.f === 'special' && fn.name === 'walk') throw new RegoError('rego_compile_error', `with keyword cannot replace the relation ${name}`, loc);
      if (fn.f === 'special' && fn.name !== 'print')
        throw new RegoError('rego_compile_error', `with keyword replacing built-in function: target must not be an operator`, loc);
      const id = funcId(fn);
      const replacement = this.funcValue(value, scope, m);
      cw = { kind: 'func', path: [], funcId: id, value: replacement ? NULL_TERM : this.term(value, scope, m), replacement, loc };
      if (cw.replacement && fn.f !== 'special') {
        const a = this.arityOf(fn);
        const b = this.arityOf(cw.replacement);
        if (a >= 0 && b >= 0 && a !== b) throw new RegoError('rego_type_error', `arity mismatch: ${name} has ${a} arguments, replacement has ${b}`, loc);
      }
    }
    return cw;
  }

  /** If a `with` value names a function, the function it names. */
  private funcValue(value: Term, scope: RuleScope, m: ModCtx): CFunc | undefined {
    const path = refPath(value);
    if (!path) return undefined;
    if (scope.lookup(path[0]) !== undefined) return undefined;
    const name = path.join('.');
    const fn = this.tryResolveCall(name, scope, m);
    if (!fn) return undefined;
    if (fn.f === 'user' || fn.f === 'builtin') return fn;
    return undefined;
  }

  private arityOf(fn: CFunc): number {
    if (fn.f === 'builtin') return fn.builtin.arity;
    if (fn.f === 'user') return fn.node.arity;
    switch (fn.name) {
      case 'member2':
        return 2;
      case 'member3':
        return 3;
      case 'print':
        return -1;
      case 'walk':
        return 1;
      default:
        return 2;
    }
  }

  /** Constant arguments of the wrong type are visible at compile time: a rego_type_error, as in OPA. */
  private checkArgTypes(fn: CFunc, args: CTerm[], loc: Loc): void {
    if (fn.f !== 'builtin' || !fn.builtin.args) return;
    const want = fn.builtin.args;
    for (let i = 0; i < args.length && i < want.length; i++) {
      const a = args[i];
      if (a.t !== 'const' || want[i] === 'any' || want[i] === '') continue;
      const allowed = want[i].split('|');
      if (!allowed.includes(typeName(a.v))) {
        const have = args.map((x) => (x.t === 'const' ? typeName(x.v) : 'any')).join(', ');
        this.err('rego_type_error', `${fn.name}: invalid argument(s)\n\thave: (${have})\n\twant: (${want.join(', ')})`, loc);
        return;
      }
    }
  }

  private arityError(name: string, want: number, have: number, loc: Loc): RegoError {
    return new RegoError(
      'rego_type_error',
      `${name}: arity mismatch\n\thave: ${have} argument${have === 1 ? '' : 's'}\n\twant: ${want} argument${want === 1 ? '' : 's'}`,
      loc,
    );
  }

  private tryResolveCall(name: string, scope: RuleScope, m: ModCtx): CFunc | null {
    const special = SPECIAL_CALLS[name];
    if (special) {
      if (special === 'print') this.markVariable();
      return { f: 'special', name: special };
    }
    const parts = name.split('.');
    if (scope.lookup(parts[0]) !== undefined) return null;
    let dataPath: string[] | null = null;
    if (parts[0] === 'data') dataPath = parts.slice(1);
    else if (m.imports.has(parts[0])) {
      const imp = m.imports.get(parts[0])!;
      if (imp.root === 'data') dataPath = [...imp.path, ...parts.slice(1)];
    } else if (m.ruleNames.has(parts[0])) dataPath = [...m.pkg, ...parts];
    if (dataPath) {
      const node = this.root.lookup(dataPath);
      if (node && node.kind === 'function') {
        this.addDep(node);
        return { f: 'user', name: node.dottedPath, node };
      }
      if (parts[0] === 'data' || m.imports.has(parts[0])) return null;
    }
    // A relation (walk) yields many results, so the evaluator runs it itself rather than as a
    // single-valued builtin; it is looked up where builtins are, after user functions.
    if (RELATIONS.has(name)) return { f: 'special', name: 'walk' };
    const b = this.builtins.get(name);
    if (b) {
      if (b.nondeterministic || b.readsClock || name === 'print') this.markVariable();
      return { f: 'builtin', name, builtin: b };
    }
    return null;
  }

  /**
   * rego.metadata.rule() / chain(): OPA replaces them at compile time by the annotations of the
   * rule they are in (its RewriteRegoMetadataCalls stage); undefined for any other call.
   */
  private metadataCall(name: string, nargs: number, loc: Loc, scope: RuleScope, m: ModCtx): Value | undefined {
    if (!isMetadataCall(name) || this.tryResolveCall(name, scope, m)?.f === 'user') return undefined;
    if (nargs !== 0) throw this.arityError(name, 0, nargs, loc);
    const cur = this.currentRule;
    if (name === 'rego.metadata.rule') return cur ? this.metadata.rule(cur.rule) : new ObjectV();
    return cur ? this.metadata.chain(cur.rule, cur.pkg) : [];
  }

  private resolveCall(name: string, loc: Loc, scope: RuleScope, m: ModCtx): CFunc {
    const fn = this.tryResolveCall(name, scope, m);
    if (!fn && UNSUPPORTED_BUILTINS.has(name)) throw unsupportedError(name, loc);
    if (!fn) throw new RegoError('rego_type_error', `undefined function ${name}`, loc);
    // OPA refuses deprecated builtins (all, any, cast_*, re_match, ...) in Rego v1 modules.
    if (fn.f === 'builtin' && fn.builtin.deprecated && m.v1)
      throw new RegoError('rego_type_error', `deprecated built-in function calls in expression: ${name}`, loc);
    return fn;
  }

  private addDep(node: DataNode): void {
    if (!this.currentNode) return;
    let s = this.deps.get(this.currentNode);
    if (!s) this.deps.set(this.currentNode, (s = new Set()));
    s.add(node);
  }

  // ---------------------------------------------------------------- terms

  private term(t: Term, scope: RuleScope, m: ModCtx): CTerm {
    switch (t.type) {
      case 'null':
        return { t: 'const', v: null };
      case 'boolean':
        return { t: 'const', v: t.value };
      case 'number':
        return { t: 'const', v: t.value };
      case 'string':
        return { t: 'const', v: t.value };
      case 'var':
        return this.varTerm(t, scope, m);
      case 'ref':
        return this.refTerm(t, scope, m);
      case 'array': {
        const items = t.items.map((x) => this.term(x, scope, m));
        if (items.every(isConst)) return { t: 'const', v: items.map((x) => (x as { v: Value }).v) };
        return { t: 'array', items };
      }
      case 'set': {
        const items = t.items.map((x) => this.term(x, scope, m));
        if (items.every(isConst)) return { t: 'const', v: new SetV(items.map((x) => (x as { v: Value }).v)) };
        return { t: 'set', items };
      }
      case 'object': {
        const items = t.items.map(([k, v]) => [this.term(k, scope, m), this.term(v, scope, m)] as [CTerm, CTerm]);
        if (items.every(([k, v]) => isConst(k) && isConst(v))) {
          const o = new ObjectV();
          for (const [k, v] of items) o.set((k as { v: Value }).v, (v as { v: Value }).v);
          if (o.size === items.length) return { t: 'const', v: o };
        }
        return { t: 'object', items };
      }
      case 'arraycompr':
      case 'setcompr': {
        const child = new RuleScope(scope);
        const body = this.body(t.body, child, m, () => false);
        const term = this.term(t.term, child, m);
        this.checkHeadSafety([term], body.bound, outerSlots(child), child, t.loc);
        const c: CTerm = { t: t.type, term, body: body.body, loc: t.loc };
        setClosureNeeds(c, this.closureOf(child, [body.body], [term]));
        return c;
      }
      case 'objectcompr': {
        const child = new RuleScope(scope);
        const body = this.body(t.body, child, m, () => false);
        const key = this.term(t.key, child, m);
        const value = this.term(t.value, child, m);
        this.checkHeadSafety([key, value], body.bound, outerSlots(child), child, t.loc);
        const c: CTerm = { t: 'objectcompr', key, value, body: body.body, loc: t.loc };
        setClosureNeeds(c, this.closureOf(child, [body.body], [key, value]));
        return c;
      }
      case 'call': {
        if (t.name === 'set' && t.args.length === 0) return { t: 'const', v: new SetV() }; // `set()` is the empty set literal
        const meta = this.metadataCall(t.name, t.args.length, t.loc, scope, m);
        if (meta !== undefined) return { t: 'const', v: meta };
        const special = SPECIAL_CALLS[t.name];
        if (special === 'eq' || special === 'assign') {
          throw new RegoError('rego_parse_error', `${t.name === 'eq' ? '=' : ':='} cannot be used inside a term`, t.loc);
        }
        const fn = this.resolveCall(t.name, t.loc, scope, m);
        // A relation inside a term would have to stand for many values at once; it is only
        // callable with its output as the last argument, walk(x, [path, value]).
        if (fn.f === 'special' && fn.name === 'walk')
          throw new RegoError('rego_type_error', `${t.name} is a relation: call it as ${t.name}(x, [path, value]), not inside an expression`, t.loc);
        const arity = this.arityOf(fn);
        if (arity >= 0 && t.args.length !== arity) throw this.arityError(t.name, arity, t.args.length, t.loc);
        const args = t.args.map((a) => this.term(a, scope, m));
        this.checkArgTypes(fn, args, t.loc);
        return { t: 'call', fn, args, loc: t.loc };
      }
    }
  }

  /** Outer slots a nested body uses (must be bound before it runs). */
  private closureOf(child: RuleScope, bodies: CBody[], terms: CTerm[] = []): Set<number> {
    const own = child.allOwn();
    const used = new Set<number>();
    const addTerm = (t: CTerm): void => {
      const tv = analyzeTerm(t, false);
      for (const s of [...tv.need, ...tv.pat, ...tv.refOut]) used.add(s);
    };
    for (const b of bodies) {
      for (const e of b) {
        switch (e.op) {
          case 'term':
            addTerm(e.term);
            break;
          case 'unify':
            addTerm(e.a);
            addTerm(e.b);
            break;
          case 'call':
            e.args.forEach(addTerm);
            if (e.out) addTerm(e.out);
            break;
          case 'somein':
            if (e.key) addTerm(e.key);
            addTerm(e.value);
            addTerm(e.coll);
            break;
          case 'every':
            addTerm(e.domain);
            if (e.key) addTerm(e.key);
            addTerm(e.value);
            break;
        }
        for (const w of e.withs ?? []) addTerm(w.value);
      }
    }
    terms.forEach(addTerm);
    const needs = new Set<number>();
    for (const s of used) if (!own.has(s)) needs.add(s);
    return needs;
  }

  private varTerm(t: VarTerm, scope: RuleScope, m: ModCtx): CTerm {
    if (t.name === '_') return { t: 'var', slot: scope.freshNamed('_'), name: '_' };
    const slot = scope.lookup(t.name);
    if (slot !== undefined) return { t: 'var', slot, name: t.name };
    const g = this.globalRef(t.name, m);
    if (g)
      return this.makeRef(
        g.root,
        g.path.map((p) => ({ t: 'const', v: p }) as CTerm),
        t.loc,
      );
    return { t: 'var', slot: scope.declare(t.name), name: t.name };
  }

  private globalRef(name: string, m: ModCtx): { root: 'data' | 'input'; path: string[] } | null {
    if (name === 'input') return { root: 'input', path: [] };
    if (name === 'data') return { root: 'data', path: [] };
    const imp = m.imports.get(name);
    if (imp) return imp;
    if (m.ruleNames.has(name)) return { root: 'data', path: [...m.pkg, name] };
    return null;
  }

  private refTerm(t: Extract<Term, { type: 'ref' }>, scope: RuleScope, m: ModCtx): CTerm {
    const path = t.path.map((p) => this.term(p, scope, m));
    const head = t.head;
    if (head.type === 'var') {
      if (head.name === '_') throw new RegoError('rego_compile_error', 'cannot use _ as the head of a reference', t.loc);
      const slot = scope.lookup(head.name);
      if (slot !== undefined) return { t: 'ref', head: { h: 'term', term: { t: 'var', slot, name: head.name } }, path, loc: t.loc };
      const g = this.globalRef(head.name, m);
      if (g) return this.makeRef(g.root, [...g.path.map((p) => ({ t: 'const', v: p }) as CTerm), ...path], t.loc);
      return { t: 'ref', head: { h: 'term', term: { t: 'var', slot: scope.declare(head.name), name: head.name } }, path, loc: t.loc };
    }
    const h = this.term(head, scope, m);
    if (h.t === 'ref') return { ...h, path: [...h.path, ...path] };
    return { t: 'ref', head: { h: 'term', term: h }, path, loc: t.loc };
  }

  private makeRef(root: 'data' | 'input', path: CTerm[], loc: Loc): CTerm {
    if (root === 'data') this.recordDataDeps(path);
    else this.markVariable();
    return { t: 'ref', head: { h: root }, path, loc };
  }

  /** For the recursion check: which rule nodes a data reference may read. */
  private recordDataDeps(path: CTerm[]): void {
    if (!this.currentNode) return;
    let node: DataNode | undefined = this.root;
    for (const p of path) {
      if (node.kind !== null) break;
      if (p.t === 'const') {
        if (typeof p.v !== 'string') return; // rules are only ever named by strings
        const c: DataNode | undefined = node.children.get(p.v);
        if (!c) return;
        node = c;
      } else break;
    }
    if (node.kind !== null) this.addDep(node);
    else for (const n of node.ruleNodes()) this.addDep(n);
  }

  /** A single-value (or set, or function) document cannot also have rules below it. */
  private checkExtentConflicts(): void {
    for (const n of this.root.ruleNodes()) {
      if (n.kind === 'object' || n.children.size === 0) continue;
      const inner = [...n.children.values()].flatMap((c) => [...c.ruleNodes()]);
      if (inner.length) {
        const rule = n.rules[0] ?? n.defaultRule;
        const loc = rule?.loc ?? this.placedLoc.get(n);
        this.err('rego_type_error', `rule ${n.dottedPath} conflicts with [${inner.map((x) => x.dottedPath).join(' ')}]`, loc);
      }
    }
  }

  private checkRecursion(): void {
    const state = new Map<DataNode, 0 | 1 | 2>();
    const stack: DataNode[] = [];
    const reported = new Set<DataNode>();
    const visit = (n: DataNode): void => {
      state.set(n, 1);
      stack.push(n);
      for (const d of this.deps.get(n) ?? []) {
        const st = state.get(d) ?? 0;
        if (st === 1) {
          const cycle = stack.slice(stack.indexOf(d));
          if (!reported.has(d)) {
            reported.add(d);
            const rule = d.rules[0] ?? d.defaultRule;
            this.err('rego_recursion_error', `rule ${d.dottedPath} is recursive: ${[...cycle, d].map((x) => x.dottedPath).join(' -> ')}`, rule?.loc);
          }
        } else if (st === 0) visit(d);
      }
      stack.pop();
      state.set(n, 2);
    };
    for (const n of this.deps.keys()) if ((state.get(n) ?? 0) === 0) visit(n);
  }
}

const NULL_TERM: CTerm = { t: 'const', v: null };

function isConst(t: CTerm): t is { t: 'const'; v: Value } {
  return t.t === 'const';
}

function isTrueExpr(e: Expr): boolean {
  return e.kind === 'term' && e.term.type === 'boolean' && e.term.value === true && !e.negated;
}

/** Slots of enclosing scopes seen from a comprehension: closure variables, bound before it runs. */
function outerSlots(child: Scope): Set<number> {
  const out = new Set<number>();
  for (let s = child.parent; s; s = s.parent) for (const slot of s.vars.values()) out.add(slot);
  return out;
}

function isScalarLiteral(t: Term): boolean {
  return t.type === 'null' || t.type === 'boolean' || t.type === 'number' || t.type === 'string';
}

/** Every variable name in a term outside nested comprehensions. */
function collectFreeNames(t: Term, out: Set<string>): void {
  switch (t.type) {
    case 'var':
      out.add(t.name);
      return;
    case 'ref':
      collectFreeNames(t.head, out);
      t.path.forEach((p) => collectFreeNames(p, out));
      return;
    case 'array':
    case 'set':
      t.items.forEach((x) => collectFreeNames(x, out));
      return;
    case 'object':
      t.items.forEach(([k, v]) => (collectFreeNames(k, out), collectFreeNames(v, out)));
      return;
    case 'call':
      t.args.forEach((a) => collectFreeNames(a, out));
      return;
    default:
      return;
  }
}

function collectVarNames(t: Term, out: Set<string>): void {
  if (t.type === 'var') out.add(t.name);
  else if (t.type === 'array' || t.type === 'set') t.items.forEach((x) => collectVarNames(x, out));
  else if (t.type === 'object') t.items.forEach(([, v]) => collectVarNames(v, out));
}

function displayName(n: string | undefined): string {
  return n === undefined ? '_' : n;
}

/** The dotted path of a var or a ref with constant string operands; null otherwise. */
function refPath(t: Term): string[] | null {
  if (t.type === 'var') return [t.name];
  if (t.type !== 'ref' || t.head.type !== 'var') return null;
  const out = [t.head.name];
  for (const p of t.path) {
    if (p.type !== 'string') return null;
    out.push(p.value);
  }
  return out;
}

function constStrings(path: string[], loc: Loc): string[] {
  for (const p of path) if (typeof p !== 'string') throw new RegoError('rego_type_error', 'with target path must be constant', loc);
  return path;
}

export function funcId(fn: CFunc): string {
  if (fn.f === 'builtin') return fn.name;
  if (fn.f === 'user') return fn.node.dottedPath;
  return fn.name;
}

export { IDENT };
