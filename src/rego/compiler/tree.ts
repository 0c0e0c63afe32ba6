// The rule tree: one node per data path that rules define. Evaluating `data.a.b`
// walks this tree in parallel with the base documents, so rules and data merge into
// one `data` document as OPA specifies.

import type { CRule } from './ir.js';

export type NodeKind = 'complete' | 'set' | 'object' | 'function';

export class DataNode {
  readonly name: string;
  readonly path: string[];
  readonly children = new Map<string, DataNode>();
  /** Rules whose constant head prefix ends at this node. */
  rules: CRule[] = [];
  defaultRule: CRule | null = null;
  /** Defaults of single keys of an object document (`default p[true] := x`): each holds when no
   * rule defines its key. */
  objectDefaults: CRule[] = [];
  kind: NodeKind | null = null;
  /** Function arity (for functions). */
  arity = -1;
  /**
   * The value depends only on the bundle (no input, clock, randomness or print, directly or
   * through other rules): evaluated once per compiled policy, not once per request.
   */
  constant = false;
  /**
   * For functions: the result depends only on the arguments and the bundle (nothing the
   * function reads, directly or through other rules, varies per request), so a result can be
   * reused for the same arguments across evaluations of the compiled policy.
   */
  pure = false;
  /**
   * Complete rules that all give the same constant value (no else branches): once one body
   * succeeds the others cannot change the document, and OPA stops there (its index's
   * EarlyExit). Set by the evaluator on first use.
   */
  earlyExit: boolean | undefined = undefined;
  /** Dense index within its compiled tree (Compiler.numberNodes), for per-evaluation caches. */
  slot = -1;
  /** Unique id used as a cache key. */
  readonly id: number;
  private static nextId = 0;

  constructor(name: string, path: string[]) {
    this.name = name;
    this.path = path;
    this.id = DataNode.nextId++;
  }

  child(name: string): DataNode {
    let c = this.children.get(name);
    if (!c) {
      c = new DataNode(name, [...this.path, name]);
      this.children.set(name, c);
    }
    return c;
  }

  lookup(path: readonly string[]): DataNode | undefined {
    let n: DataNode | undefined = this as DataNode;
    for (const p of path) {
      n = n.children.get(p);
      if (!n) return undefined;
    }
    return n;
  }

  get hasRules(): boolean {
    return this.kind !== null;
  }

  /** Every rule node at or below this node. */
  *ruleNodes(): Generator<DataNode> {
    if (this.kind !== null) yield this;
    for (const c of this.children.values()) yield* c.ruleNodes();
  }

  get dottedPath(): string {
    let s = 'data';
    for (const p of this.path) s += /^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? '.' + p : '[' + JSON.stringify(p) + ']';
    return s;
  }
}
