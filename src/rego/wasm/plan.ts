// The plan a compiled wasm module runs: the contract between the planner (planner.ts, from the
// compiled policy) and the interpreter in the wasm runtime (runtime/assembly/). The linker
// (link.ts) stores it, as UTF-8 JSON, in the runtime module's memory.
//
// Execution model (one frame of locals per function call):
// - A block is a list of statements run in order. A statement either continues with the next
//   one or exits blocks: "failing" exits the block the statement is in (as `break 0`).
// - `blocks` runs each of its blocks in turn; `scan` runs its block once per element; `not`
//   runs its block and fails if the block ran to its end, continues if it was exited (the planner
//   uses it only around blocks without `scan`: a scan runs to its end whether or not an element
//   got through, so a negation with iteration sets a flag and breaks out at its first solution).
// - Each function without parameters called with the evaluation's own input and data runs once
//   per evaluation (its value is kept): a rule's document is computed once, as the evaluator does.
// - `break n` exits n + 1 blocks: 0 the block it is in, 1 also the block around that, …
//   A `blocks`/`scan`/`not` statement counts as nothing: the block it runs is one level.
// - Locals hold a value or nothing (undefined). Every statement that reads a local fails when
//   it holds nothing, except `def`/`undef`/`mv?`/`ocopy`.
// - Operands: the destination first where there is one (`mv`, `k`, `dot`, `len`, `ocopy`), last
//   for calls (`call`, `bi`); collections being filled first (`apush`, `sadd`, `oset`, `oonce`).

/** A constant: JSON scalars as themselves (integers beyond 2^53 as bigints, written exactly by
 * planText); collections tagged (sets have no JSON form). */
export type PlanValue = null | boolean | number | bigint | string | { a: PlanValue[] } | { o: [PlanValue, PlanValue][] } | { s: PlanValue[] };

/** A local's index in the current frame. */
export type L = number;
export type Block = Stmt[];

export type Stmt =
  /** dst = consts[c] */
  | ['k', L, number]
  /** dst = src; fails when src holds nothing */
  | ['mv', L, L]
  /** dst = src, or nothing when src holds nothing (never fails) */
  | ['mv?', L, L]
  /** dst = nothing */
  | ['reset', L]
  /** fails unless x holds a value */
  | ['def', L]
  /** fails if x holds a value */
  | ['undef', L]
  /** fails unless a and b are equal Rego values (1 == 1.0) */
  | ['eq', L, L]
  /** fails if a and b are equal */
  | ['ne', L, L]
  /** ['dot', dst, src, key]: dst = src[key]: object member, array element (key an integral
   * number), set member (the key itself when it is a member); fails when absent or when src is not
   * a collection */
  | ['dot', L, L, L]
  /** ['len', dst, src]: number of elements of an array, object or set; fails on anything else */
  | ['len', L, L]
  /** fail unless x is an array / object / set */
  | ['isarr', L]
  | ['isobj', L]
  | ['isset', L]
  /** dst = a new empty array / object / set */
  | ['mkarr', L]
  | ['mkobj', L]
  | ['mkset', L]
  /** append v to the array in arr (made by mkarr in this frame) */
  | ['apush', L, L]
  /** add v to the set in set */
  | ['sadd', L, L]
  /** obj[k] = v, replacing */
  | ['oset', L, L, L]
  /** obj[k] = v; aborts with consts[msg] (a string) when obj has k with another value */
  | ['oonce', L, L, L, number]
  /** dst = v when dst holds nothing; aborts with consts[msg] when it holds another value */
  | ['once', L, L, number]
  /** ['ocopy', dst, src]: a new object with the members of src when src is an object, else (also
   * when src holds nothing) a new empty one */
  | ['ocopy', L, L]
  /** for each element of src (array: index, element; object: key, value; set: element,
   * element) set k and v and run the block; fails (after no runs) when src is not a collection */
  | ['scan', L, L, L, Block]
  | ['not', Block]
  | ['blocks', Block[]]
  | ['break', number]
  /** dst = functions[f](args); fails when the function gives nothing */
  | ['call', number, L[], L]
  /** dst = builtin named builtins[b] applied to args; fails when it gives nothing */
  | ['bi', number, L[], L]
  /** append v to the result set (entrypoint plans only) */
  | ['res', L]
  /** abort evaluation with consts[msg] (a string) */
  | ['abort', number];

export interface PlanFunction {
  /** for messages and debugging: the rule's or function's data path */
  name: string;
  /** arguments arrive in locals 2 … 2 + params - 1; 0 and 1 hold the caller's locals 0 and 1
   * (input and data, as `with` may have replaced them) */
  params: number;
  /** locals in a frame (≥ 2 + params) */
  locals: number;
  /** run as one `blocks` statement */
  body: Block[];
  /** the local holding the result when the body is done (nothing: undefined) */
  ret: L;
}

export interface PlanEntrypoint {
  /** OPA's entrypoint name: the data path with `/` (e.g. `ai/tools/decision`) */
  name: string;
  locals: number;
  /** run as one `blocks` statement with input in local 0 and data in local 1 */
  body: Block[];
}

export interface Plan {
  version: 1;
  consts: PlanValue[];
  /** every builtin the plan calls, by name (`bi` refers to an index here) */
  builtins: string[];
  functions: PlanFunction[];
  entrypoints: PlanEntrypoint[];
}

/** The plan's JSON text, bigints written as exact JSON numbers. */
export function planText(x: Plan | PlanValue): string {
  return JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? `\u0000big${v}` : v)).replace(/"\\u0000big(-?\d+)"/g, '$1');
}
