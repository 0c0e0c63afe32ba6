// The interpreter: runs a decoded plan (see plan.ts for the execution model). A statement
// returns CONT (go on with the next one) or n >= 0: exit n + 1 blocks (failing is 0).

import { Value, VNum, VArr, VObj, VSet, T_ARR, T_OBJ, T_SET, T_NUM, equal, asArr, asObj, asSet, asNum, asStr } from "./value";
import { fail } from "./env";
import * as D from "./decode";
import { Stmt, Func } from "./decode";
import { callBuiltin, resetBuiltinMemo } from "./builtins";

// @ts-ignore: decorator
@inline const CONT: i32 = -1;

type Frame = StaticArray<Value | null>;

let evInput: Value | null = null;
let evData: Value | null = null;
let results: Array<Value> = [];
/** per evaluation: the value of each function without parameters called with the evaluation's
 * own input and data (not under `with`): a rule's document is computed once per evaluation */
let memo: StaticArray<Value | null> = new StaticArray<Value | null>(0);
let memoState: StaticArray<u8> = new StaticArray<u8>(0);
const MEMO_NONE: u8 = 0;
const MEMO_DEFINED: u8 = 1;
const MEMO_UNDEFINED: u8 = 2;

/** runs entrypoint e; returns the values of its `res` statements in order */
export function evalEntrypoint(e: i32, input: Value | null, data: Value | null): Array<Value> {
  if (e < 0 || e >= D.entries.length) fail("invalid entrypoint id " + e.toString());
  evInput = input;
  evData = data;
  results = new Array<Value>();
  // allocated per evaluation: the host resets the heap between evaluations
  memo = new StaticArray<Value | null>(D.funcs.length);
  memoState = new StaticArray<u8>(D.funcs.length);
  resetBuiltinMemo();
  const f = D.entries[e];
  const fr = new StaticArray<Value | null>(f.locals);
  unchecked((fr[0] = input));
  unchecked((fr[1] = data));
  runBlocks(f.body, fr);
  const out = results;
  results = new Array<Value>(0);
  evInput = null;
  evData = null;
  return out;
}

function runBlocks(bs: StaticArray<StaticArray<Stmt>>, fr: Frame): i32 {
  for (let i = 0, n = bs.length; i < n; i++) {
    const r = runBlock(unchecked(bs[i]), fr);
    if (r > 0) return r - 1;
  }
  return CONT;
}

function runBlock(b: StaticArray<Stmt>, fr: Frame): i32 {
  for (let i = 0, n = b.length; i < n; i++) {
    const r = step(unchecked(b[i]), fr);
    if (r != CONT) return r;
  }
  return CONT;
}

/** what a nested block's outcome r means for the statement that ran it: go on (r <= 0) or exit */
// @ts-ignore: decorator
@inline function outer(r: i32): i32 {
  return r > 0 ? r - 1 : CONT;
}

function callFunc(fi: i32, args: StaticArray<i32>, fr: Frame): Value | null {
  const f = unchecked(D.funcs[fi]);
  const memoized = args.length == 0 && unchecked(fr[0]) === evInput && unchecked(fr[1]) === evData;
  if (memoized) {
    const st = unchecked(memoState[fi]);
    if (st == MEMO_DEFINED) return unchecked(memo[fi]);
    if (st == MEMO_UNDEFINED) return null;
  }
  const v = runFunc(f, args, fr);
  if (memoized) {
    unchecked((memo[fi] = v));
    unchecked((memoState[fi] = v === null ? MEMO_UNDEFINED : MEMO_DEFINED));
  }
  return v;
}

function runFunc(f: Func, args: StaticArray<i32>, fr: Frame): Value | null {
  const nf = new StaticArray<Value | null>(f.locals);
  // the caller's input and data: `with` replaces them in the caller's frame for what it calls
  unchecked((nf[0] = fr[0]));
  unchecked((nf[1] = fr[1]));
  for (let i = 0, n = args.length; i < n; i++) {
    const v = unchecked(fr[unchecked(args[i])]);
    if (v === null) return null;
    unchecked((nf[i + 2] = v));
  }
  runBlocks(f.body, nf);
  return unchecked(nf[f.ret]);
}

function msg(i: i32): string {
  return asStr(unchecked(D.consts[i])).s;
}

function step(s: Stmt, fr: Frame): i32 {
  switch (s.op) {
    case D.OP_K:
      unchecked((fr[s.a] = D.consts[s.b]));
      return CONT;
    case D.OP_MV: {
      const v = unchecked(fr[s.b]);
      if (v === null) return 0;
      unchecked((fr[s.a] = v));
      return CONT;
    }
    case D.OP_MVQ:
      unchecked((fr[s.a] = fr[s.b]));
      return CONT;
    case D.OP_RESET:
      unchecked((fr[s.a] = null));
      return CONT;
    case D.OP_DEF:
      return unchecked(fr[s.a]) === null ? 0 : CONT;
    case D.OP_UNDEF:
      return unchecked(fr[s.a]) === null ? CONT : 0;
    case D.OP_EQ:
    case D.OP_NE: {
      const a = unchecked(fr[s.a]);
      const b = unchecked(fr[s.b]);
      if (a === null || b === null) return 0;
      return equal(a, b) == (s.op == D.OP_EQ) ? CONT : 0;
    }
    case D.OP_DOT: {
      const src = unchecked(fr[s.b]);
      const key = unchecked(fr[s.c]);
      if (src === null || key === null) return 0;
      const v = member(src, key);
      if (v === null) return 0;
      unchecked((fr[s.a] = v));
      return CONT;
    }
    case D.OP_LEN: {
      const src = unchecked(fr[s.b]);
      if (src === null) return 0;
      const t = src.tag;
      let n = 0;
      if (t == T_ARR) n = asArr(src).a.length;
      else if (t == T_OBJ || t == T_SET) n = asObj(src).keys.length;
      else return 0;
      unchecked((fr[s.a] = new VNum(<f64>n)));
      return CONT;
    }
    case D.OP_ISARR:
    case D.OP_ISOBJ:
    case D.OP_ISSET: {
      const v = unchecked(fr[s.a]);
      if (v === null) return 0;
      const want = s.op == D.OP_ISARR ? T_ARR : s.op == D.OP_ISOBJ ? T_OBJ : T_SET;
      return v.tag == want ? CONT : 0;
    }
    case D.OP_MKARR:
      unchecked((fr[s.a] = new VArr(new Array<Value>())));
      return CONT;
    case D.OP_MKOBJ:
      unchecked((fr[s.a] = new VObj()));
      return CONT;
    case D.OP_MKSET:
      unchecked((fr[s.a] = new VSet()));
      return CONT;
    case D.OP_APUSH: {
      const a = unchecked(fr[s.a]);
      const v = unchecked(fr[s.b]);
      if (a === null || v === null || a.tag != T_ARR) return 0;
      asArr(a).a.push(v);
      return CONT;
    }
    case D.OP_SADD: {
      const a = unchecked(fr[s.a]);
      const v = unchecked(fr[s.b]);
      if (a === null || v === null || a.tag != T_SET) return 0;
      asSet(a).add(v);
      return CONT;
    }
    case D.OP_OSET:
    case D.OP_OONCE: {
      const o = unchecked(fr[s.a]);
      const k = unchecked(fr[s.b]);
      const v = unchecked(fr[s.c]);
      if (o === null || k === null || v === null || o.tag != T_OBJ) return 0;
      if (s.op == D.OP_OONCE) {
        const prev = asObj(o).get(k);
        if (prev !== null) {
          if (!equal(prev, v)) fail(msg(s.d));
          return CONT;
        }
      }
      asObj(o).set(k, v);
      return CONT;
    }
    case D.OP_ONCE: {
      const v = unchecked(fr[s.b]);
      if (v === null) return 0;
      const cur = unchecked(fr[s.a]);
      if (cur === null) unchecked((fr[s.a] = v));
      else if (!equal(cur, v)) fail(msg(s.c));
      return CONT;
    }
    case D.OP_OCOPY: {
      // src may hold nothing: the copy is then a new empty object
      const src = unchecked(fr[s.b]);
      unchecked((fr[s.a] = src !== null && src.tag == T_OBJ ? asObj(src).copy() : new VObj()));
      return CONT;
    }
    case D.OP_SCAN:
      return scan(s, fr);
    case D.OP_NOT: {
      const r = runBlock(s.block!, fr);
      if (r == CONT) return 0;
      return outer(r);
    }
    case D.OP_BLOCKS: {
      const bs = s.blocks!;
      for (let i = 0, n = bs.length; i < n; i++) {
        const r = runBlock(unchecked(bs[i]), fr);
        if (r > 0) return r - 1;
      }
      return CONT;
    }
    case D.OP_BREAK:
      return s.a;
    case D.OP_CALL: {
      const v = callFunc(s.a, s.args!, fr);
      if (v === null) return 0;
      unchecked((fr[s.b] = v));
      return CONT;
    }
    case D.OP_BI: {
      const args = s.args!;
      const n = args.length;
      let a0: Value | null = null;
      let a1: Value | null = null;
      let a2: Value | null = null;
      let a3: Value | null = null;
      if (n > 0 && (a0 = unchecked(fr[unchecked(args[0])])) === null) return 0;
      if (n > 1 && (a1 = unchecked(fr[unchecked(args[1])])) === null) return 0;
      if (n > 2 && (a2 = unchecked(fr[unchecked(args[2])])) === null) return 0;
      if (n > 3 && (a3 = unchecked(fr[unchecked(args[3])])) === null) return 0;
      const v = callBuiltin(s.a, n, a0, a1, a2, a3);
      if (v === null) return 0;
      unchecked((fr[s.b] = v));
      return CONT;
    }
    case D.OP_RES: {
      const v = unchecked(fr[s.a]);
      if (v === null) return 0;
      results.push(v);
      return CONT;
    }
    case D.OP_ABORT:
      fail(msg(s.a));
      return 0;
    default:
      unreachable();
      return 0;
  }
}

function scan(s: Stmt, fr: Frame): i32 {
  const src = unchecked(fr[s.a]);
  if (src === null) return 0;
  const b = s.block!;
  const t = src.tag;
  if (t == T_ARR) {
    const a = asArr(src).a;
    for (let i = 0; i < a.length; i++) {
      unchecked((fr[s.b] = new VNum(<f64>i)));
      unchecked((fr[s.c] = unchecked(a[i])));
      const r = runBlock(b, fr);
      if (r > 0) return r - 1;
    }
    return CONT;
  }
  if (t == T_OBJ) {
    const o = asObj(src);
    for (let i = 0; i < o.keys.length; i++) {
      unchecked((fr[s.b] = unchecked(o.keys[i])));
      unchecked((fr[s.c] = unchecked(o.vals[i])));
      const r = runBlock(b, fr);
      if (r > 0) return r - 1;
    }
    return CONT;
  }
  if (t == T_SET) {
    const st = asSet(src);
    for (let i = 0; i < st.keys.length; i++) {
      const k = unchecked(st.keys[i]);
      unchecked((fr[s.b] = k));
      unchecked((fr[s.c] = k));
      const r = runBlock(b, fr);
      if (r > 0) return r - 1;
    }
    return CONT;
  }
  return 0;
}

/** src[key]: object member, array element, set member; null when absent */
export function member(src: Value, key: Value): Value | null {
  const t = src.tag;
  if (t == T_OBJ) return asObj(src).get(key);
  if (t == T_ARR) {
    if (key.tag != T_NUM) return null;
    const n = asNum(key).n;
    const a = asArr(src).a;
    if (n != Math.floor(n) || n < 0 || n >= <f64>a.length) return null;
    return unchecked(a[<i32>n]);
  }
  if (t == T_SET) return asSet(src).has(key) ? key : null;
  return null;
}
