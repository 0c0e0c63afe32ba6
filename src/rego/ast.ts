// The Rego abstract syntax tree produced by the parser and consumed by the compiler.
// Infix operators are already calls (OPA's own representation): `a + b` is
// call "plus"(a, b), `x := y` is call "assign", `x = y` is "eq", `x in xs` is
// "internal.member_2", `k, v in xs` is "internal.member_3".

import type { Location } from './errors.js';
import type { Value } from './value.js';

export type Loc = Location;

export interface NullTerm {
  type: 'null';
  loc: Loc;
}
export interface BooleanTerm {
  type: 'boolean';
  value: boolean;
  loc: Loc;
}
export interface NumberTerm {
  type: 'number';
  value: number | bigint;
  raw: string;
  loc: Loc;
}
export interface StringTerm {
  type: 'string';
  value: string;
  loc: Loc;
}
/** A variable. `_` is kept as `_` by the parser; the compiler makes each one unique. */
export interface VarTerm {
  type: 'var';
  name: string;
  loc: Loc;
}
/**
 * A reference: `head.a[b]["c"]`. `head` is a var (`input`, `data`, a local, a rule, an
 * import alias), or a composite/call term (`[1,2][i]`, `f(x).y`). `.a` becomes a string term.
 */
export interface RefTerm {
  type: 'ref';
  head: Term;
  path: Term[];
  loc: Loc;
}
export interface ArrayTerm {
  type: 'array';
  items: Term[];
  loc: Loc;
}
export interface ObjectTerm {
  type: 'object';
  items: [Term, Term][];
  loc: Loc;
}
export interface SetTerm {
  type: 'set';
  items: Term[];
  loc: Loc;
}
export interface ArrayComprehension {
  type: 'arraycompr';
  term: Term;
  body: Body;
  loc: Loc;
}
export interface SetComprehension {
  type: 'setcompr';
  term: Term;
  body: Body;
  loc: Loc;
}
export interface ObjectComprehension {
  type: 'objectcompr';
  key: Term;
  value: Term;
  body: Body;
  loc: Loc;
}
/** A call: `name` is the dotted function name as written (`count`, `array.concat`, `data.lib.f`, `plus`). */
export interface CallTerm {
  type: 'call';
  name: string;
  args: Term[];
  loc: Loc;
}

export type Term =
  | NullTerm
  | BooleanTerm
  | NumberTerm
  | StringTerm
  | VarTerm
  | RefTerm
  | ArrayTerm
  | ObjectTerm
  | SetTerm
  | ArrayComprehension
  | SetComprehension
  | ObjectComprehension
  | CallTerm;

export interface With {
  /** `input`, `input.x.y`, `data.a.b`, or a function/builtin name as a ref/var (`time.now_ns`, `f`). */
  target: Term;
  value: Term;
  loc: Loc;
}

export interface TermExpr {
  kind: 'term';
  term: Term;
  negated: boolean;
  with: With[];
  loc: Loc;
}
/** `some x, y` (declaration only). */
export interface SomeDecl {
  kind: 'some';
  vars: VarTerm[];
  negated: false;
  with: With[];
  loc: Loc;
}
/** `some v in xs` / `some k, v in xs` (key null in the first form). */
export interface SomeIn {
  kind: 'somein';
  key: Term | null;
  value: Term;
  collection: Term;
  negated: boolean;
  with: With[];
  loc: Loc;
}
/** `every v in xs { body }` / `every k, v in xs { body }`. */
export interface Every {
  kind: 'every';
  key: Term | null;
  value: Term;
  domain: Term;
  body: Body;
  negated: boolean;
  with: With[];
  loc: Loc;
}

export type Expr = TermExpr | SomeDecl | SomeIn | Every;
export type Body = Expr[];

export interface RuleHead {
  /**
   * The head reference: first element is the rule name (a var term), then string terms
   * for `.x` and any term for `[x]`. `p` is [p]; `a.b[x]` is [a, "b", x].
   */
  ref: Term[];
  /** Function arguments (present only for functions, possibly empty list for `f()`). */
  args?: Term[];
  /** `contains` rules: the element term. */
  key?: Term;
  /** `:=` / `=` value; absent means `true` (or for `contains` rules, no value). */
  value?: Term;
  /** Whether `:=` was used (vs `=`). */
  assign: boolean;
  /** Multi-value rule (`contains`). */
  contains: boolean;
  loc: Loc;
}

export interface ElseClause {
  /** absent means `true` */
  value?: Term;
  body: Body;
  loc: Loc;
}

export interface Rule {
  head: RuleHead;
  /** Empty when the rule has no body (`p := 1`). */
  body: Body;
  default: boolean;
  elses: ElseClause[];
  loc: Loc;
}

export interface Import {
  /** e.g. ['data','lib','x'], ['input','y'], ['future','keywords','in'], ['rego','v1'] */
  path: string[];
  alias?: string;
  loc: Loc;
}

/** A `# METADATA` block attached to the package (no rule) or to a rule (annotations.ts). */
export interface Annotation {
  scope: 'rule' | 'document' | 'package' | 'subpackages';
  /** The annotation object (scope included), as rego.metadata.* return it. */
  value: Value;
  loc: Loc;
  rule?: Rule;
}

export interface Module {
  file: string;
  /** Package path without the leading `data`: `package a.b` is ['a','b']. */
  package: string[];
  packageLoc: Loc;
  imports: Import[];
  rules: Rule[];
  /** Rego language version the module was parsed as. */
  regoVersion: 0 | 1;
  /** Source text (kept for error snippets). */
  source: string;
  /** `# METADATA` blocks, when the module has any. */
  annotations?: Annotation[];
}
