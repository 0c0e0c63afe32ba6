// The compiled form the evaluator runs. Names are resolved (locals → slots, rule names →
// data paths, imports expanded, calls bound to a builtin or a rule node), bodies are
// ordered for safety, and ground terms are folded into constants — all once, at load time.

import type { Expr, Loc, Rule } from '../ast.js';
import type { Builtin } from '../builtins/types.js';
import type { Value } from '../value.js';
import type { DataNode } from './tree.js';

/**
 * Per-term facts the evaluator derives on first use and keeps on the term itself (a property
 * read is much cheaper than a WeakMap lookup on every evaluation step).
 */
export interface TermMeta {
  /** every variable the term reads */
  vs?: number[];
  /** pattern variables (outside refs and calls) */
  pv?: number[];
  /** resolved constant prefix of a data ref, valid for the evaluator state `owner` */
  pre?: { owner: object; node: DataNode | null; base: Value | undefined; i: number };
}

export type CTerm = CTermKind & TermMeta;

type CTermKind =
  | { t: 'const'; v: Value }
  | { t: 'var'; slot: number; name: string }
  | { t: 'array'; items: CTerm[] }
  | { t: 'object'; items: [CTerm, CTerm][] }
  | { t: 'set'; items: CTerm[] }
  | { t: 'ref'; head: CRefHead; path: CTerm[]; loc: Loc }
  | { t: 'call'; fn: CFunc; args: CTerm[]; loc: Loc }
  | { t: 'arraycompr'; term: CTerm; body: CBody; loc: Loc }
  | { t: 'setcompr'; term: CTerm; body: CBody; loc: Loc }
  | { t: 'objectcompr'; key: CTerm; value: CTerm; body: CBody; loc: Loc };

export type CRefHead = { h: 'input' } | { h: 'data' } | { h: 'term'; term: CTerm };

/** A callable: a builtin (possibly mocked by `with`) or a user function at a data node. */
export type CFunc =
  | { f: 'builtin'; name: string; builtin: Builtin }
  | { f: 'user'; name: string; node: DataNode }
  | { f: 'special'; name: 'print' | 'eq' | 'assign' | 'member2' | 'member3' | 'walk' };

export interface CWith {
  /** `input` (path after input), `data` (path after data), or a function being replaced. */
  kind: 'input' | 'data' | 'func';
  path: string[];
  /** for kind func: the function id replaced (builtin name or data path joined with '.') */
  funcId?: string;
  value: CTerm;
  /** when the replacement is itself a function (builtin or user) rather than a value */
  replacement?: CFunc;
  loc: Loc;
}

export type CExprOp =
  | { op: 'term'; term: CTerm }
  | { op: 'unify'; a: CTerm; b: CTerm }
  | { op: 'call'; fn: CFunc; args: CTerm[]; out: CTerm | null }
  | { op: 'somein'; key: CTerm | null; value: CTerm; coll: CTerm }
  | { op: 'every'; key: CTerm | null; value: CTerm; domain: CTerm; body: CBody }
  | { op: 'noop' };

/** `src`: the parsed expression it was compiled from (trace events show it). */
export type CExpr = CExprOp & { negated: boolean; withs: CWith[] | null; loc: Loc; text?: string; src?: Expr };

export type CBody = CExpr[];

/** The names a rule's expressions can refer to (trace output prints them as OPA's compiler resolves them). */
export interface NameScope {
  readonly pkg: readonly string[];
  readonly imports: ReadonlyMap<string, { root: 'data' | 'input'; path: string[] }>;
  readonly ruleNames: ReadonlySet<string>;
}

export interface CRule {
  /** Which kind of document the rule defines at its node. */
  kind: 'complete' | 'set' | 'object' | 'function';
  /** For object rules: the dynamic part of the head ref (after the node's path). */
  keyPath: CTerm[];
  /** For set rules (and `contains` object rules): the element. */
  key: CTerm | null;
  /** `a.b[x] contains y`: object rule whose leaves are sets. */
  multi: boolean;
  /** Value term (complete/object/function); constant true when absent. */
  value: CTerm;
  /** Function arguments (patterns). */
  args: CTerm[] | null;
  body: CBody;
  elses: { value: CTerm; body: CBody; loc: Loc }[];
  isDefault: boolean;
  /** Number of variable slots the rule's bodies need. */
  nslots: number;
  file: string;
  loc: Loc;
  name: string;
  /** The parsed rule (trace events show it). */
  src?: Rule;
  /** Its module's names (trace events resolve rule and import references with them). */
  scope?: NameScope;
}
