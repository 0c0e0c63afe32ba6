// Decoding the plan (plan.ts's JSON) into statements, once, at start; anything malformed or out
// of range aborts there with a message naming where it is, so evaluation never meets it.

import { Value, VStr, VArr, VObj, VSet, VNum, NULL, T_NULL, T_BOOL, T_NUM, T_STR, T_ARR, T_OBJ, asArr, asObj, asStr, asNum } from "./value";
import { parseJSON } from "./json";
import { fail } from "./env";
import { nativeId, nativeArity } from "./builtins";

export const OP_K: i32 = 0;
export const OP_MV: i32 = 1;
export const OP_MVQ: i32 = 2;
export const OP_RESET: i32 = 3;
export const OP_DEF: i32 = 4;
export const OP_UNDEF: i32 = 5;
export const OP_EQ: i32 = 6;
export const OP_NE: i32 = 7;
export const OP_DOT: i32 = 8;
export const OP_LEN: i32 = 9;
export const OP_ISARR: i32 = 10;
export const OP_ISOBJ: i32 = 11;
export const OP_ISSET: i32 = 12;
export const OP_MKARR: i32 = 13;
export const OP_MKOBJ: i32 = 14;
export const OP_MKSET: i32 = 15;
export const OP_APUSH: i32 = 16;
export const OP_SADD: i32 = 17;
export const OP_OSET: i32 = 18;
export const OP_OONCE: i32 = 19;
export const OP_ONCE: i32 = 20;
export const OP_OCOPY: i32 = 21;
export const OP_SCAN: i32 = 22;
export const OP_NOT: i32 = 23;
export const OP_BLOCKS: i32 = 24;
export const OP_BREAK: i32 = 25;
export const OP_CALL: i32 = 26;
export const OP_BI: i32 = 27;
export const OP_RES: i32 = 28;
export const OP_ABORT: i32 = 29;

const OP_NAMES: StaticArray<string> = [
  "k", "mv", "mv?", "reset", "def", "undef", "eq", "ne", "dot", "len", "isarr", "isobj", "isset", "mkarr", "mkobj", "mkset",
  "apush", "sadd", "oset", "oonce", "once", "ocopy", "scan", "not", "blocks", "break", "call", "bi", "res", "abort",
];
// operands per op: l = local, c = const, m = message const (a string), n = number, B = block,
// S = blocks, f = function, b = builtin, A = local list
const OP_SHAPES: StaticArray<string> = [
  "lc", "ll", "ll", "l", "l", "l", "ll", "ll", "lll", "ll", "l", "l", "l", "l", "l", "l",
  "ll", "ll", "lll", "lllm", "llm", "ll", "lllB", "B", "S", "n", "fAl", "bAl", "l", "m",
];

export class Stmt {
  op: i32 = 0;
  a: i32 = 0;
  b: i32 = 0;
  c: i32 = 0;
  d: i32 = 0;
  args: StaticArray<i32> | null = null;
  block: StaticArray<Stmt> | null = null;
  blocks: StaticArray<StaticArray<Stmt>> | null = null;
}

export class Func {
  name: string = "";
  params: i32 = 0;
  locals: i32 = 0;
  ret: i32 = 0;
  body: StaticArray<StaticArray<Stmt>> = [];
}

export let consts: StaticArray<Value> = [];
export let funcs: StaticArray<Func> = [];
export let entries: StaticArray<Func> = [];
export let builtinNames: StaticArray<string> = [];
/** per plan builtin: the native implementation's id, or -1 when the host implements it */
export let builtinNative: StaticArray<i32> = [];
/** per plan builtin: its id for opa_builtinN (host builtins only, numbered in plan order) */
export let builtinHost: StaticArray<i32> = [];
/** per plan builtin: the argument count of its calls (-1 before the first call is seen) */
let builtinArgc: StaticArray<i32> = [];

let where: string = "";

function bad(msg: string): void {
  fail("malformed plan: " + where + msg);
}

function member(o: Value, key: string): Value {
  if (o.tag != T_OBJ) bad("expected an object");
  const v = asObj(o).get(new VStr(key));
  if (v === null) {
    bad("missing \"" + key + "\"");
    return NULL;
  }
  return v;
}

function arrayOf(v: Value): Array<Value> {
  if (v.tag != T_ARR) bad("expected an array");
  return asArr(v).a;
}

function int(v: Value): i32 {
  if (v.tag != T_NUM) bad("expected a number");
  const n = asNum(v).n;
  if (n != Math.floor(n) || n < 0 || n > 2147483647) bad("expected a non-negative integer");
  return <i32>n;
}

function str(v: Value): string {
  if (v.tag != T_STR) bad("expected a string");
  return asStr(v).s;
}

/** a PlanValue: scalars as themselves, {a}, {o} and {s} for collections */
function constValue(v: Value): Value {
  const t = v.tag;
  if (t == T_NULL || t == T_BOOL || t == T_NUM || t == T_STR) return v;
  if (t != T_OBJ || asObj(v).size != 1) {
    bad("a constant must be a scalar or {a}, {o} or {s}");
    return NULL;
  }
  const o = asObj(v);
  const k = o.keys[0];
  const tag = k.tag == T_STR ? asStr(k).s : "";
  const items = arrayOf(o.vals[0]);
  if (tag == "a") {
    const out = new Array<Value>(items.length);
    for (let i = 0; i < items.length; i++) out[i] = constValue(items[i]);
    return new VArr(out);
  }
  if (tag == "s") {
    const out = new VSet();
    for (let i = 0; i < items.length; i++) out.add(constValue(items[i]));
    return out;
  }
  if (tag == "o") {
    const out = new VObj();
    for (let i = 0; i < items.length; i++) {
      const kv = arrayOf(items[i]);
      if (kv.length != 2) bad("an object constant's member must be [key, value]");
      out.set(constValue(kv[0]), constValue(kv[1]));
    }
    return out;
  }
  bad("a constant must be a scalar or {a}, {o} or {s}");
  return NULL;
}

let curLocals: i32 = 0;

function local(v: Value): i32 {
  const i = int(v);
  if (i >= curLocals) bad("local " + i.toString() + " out of range (" + curLocals.toString() + " locals)");
  return i;
}

function decodeBlock(v: Value, depth: i32): StaticArray<Stmt> {
  const items = arrayOf(v);
  const out = new StaticArray<Stmt>(items.length);
  for (let i = 0; i < items.length; i++) out[i] = decodeStmt(items[i], depth);
  return out;
}

function decodeBlocks(v: Value, depth: i32): StaticArray<StaticArray<Stmt>> {
  const items = arrayOf(v);
  const out = new StaticArray<StaticArray<Stmt>>(items.length);
  for (let i = 0; i < items.length; i++) out[i] = decodeBlock(items[i], depth + 1);
  return out;
}

/** depth: the number of blocks around the statement (within its function) */
function decodeStmt(v: Value, depth: i32): Stmt {
  const xs = arrayOf(v);
  if (xs.length == 0) bad("empty statement");
  const name = str(xs[0]);
  let op = -1;
  for (let i = 0; i < OP_NAMES.length; i++) {
    if (OP_NAMES[i] == name) {
      op = i;
      break;
    }
  }
  if (op < 0) bad("unknown statement \"" + name + "\"");
  const shape = OP_SHAPES[op];
  if (xs.length != shape.length + 1) bad("\"" + name + "\" takes " + shape.length.toString() + " operands");
  const s = new Stmt();
  s.op = op;
  let slot = 0;
  for (let i = 0; i < shape.length; i++) {
    const x = xs[i + 1];
    const kind = shape.charCodeAt(i);
    let n = 0;
    if (kind == 0x6c) n = local(x); // l
    else if (kind == 0x63) {
      // c
      n = int(x);
      if (n >= consts.length) bad("constant " + n.toString() + " out of range");
    } else if (kind == 0x6d) {
      // m
      n = int(x);
      if (n >= consts.length || consts[n].tag != T_STR) bad("message constant " + n.toString() + " is not a string");
    } else if (kind == 0x6e) {
      // n: a break depth
      n = int(x);
      if (n >= depth) bad("break " + n.toString() + " exits more blocks than there are (" + depth.toString() + ")");
    } else if (kind == 0x66) {
      n = int(x);
      if (n >= funcs.length) bad("function " + n.toString() + " out of range");
    } else if (kind == 0x62) {
      n = int(x);
      if (n >= builtinNames.length) bad("builtin " + n.toString() + " out of range");
    } else if (kind == 0x41) {
      const ys = arrayOf(x);
      const args = new StaticArray<i32>(ys.length);
      for (let j = 0; j < ys.length; j++) args[j] = local(ys[j]);
      s.args = args;
      continue;
    } else if (kind == 0x42) {
      s.block = decodeBlock(x, depth + 1);
      continue;
    } else if (kind == 0x53) {
      s.blocks = decodeBlocks(x, depth);
      continue;
    }
    if (slot == 0) s.a = n;
    else if (slot == 1) s.b = n;
    else if (slot == 2) s.c = n;
    else s.d = n;
    slot++;
  }
  if (op == OP_CALL) {
    const f = funcs[s.a];
    if (f.params != s.args!.length) bad("call of " + f.name + " with " + s.args!.length.toString() + " arguments, it takes " + f.params.toString());
  } else if (op == OP_BI) {
    const argc = s.args!.length;
    const b = s.a;
    const prev = builtinArgc[b];
    if (prev >= 0 && prev != argc) bad("builtin " + builtinNames[b] + " called with " + argc.toString() + " and " + prev.toString() + " arguments");
    builtinArgc[b] = argc;
    const nat = builtinNative[b];
    if (nat >= 0) {
      if (nativeArity(nat) != argc) bad("builtin " + builtinNames[b] + " takes " + nativeArity(nat).toString() + " arguments, called with " + argc.toString());
    } else if (argc > 4) {
      bad("builtin " + builtinNames[b] + " has " + argc.toString() + " arguments: the host is called with at most 4");
    }
  }
  return s;
}

/** reads, checks and decodes the plan at addr (UTF-8 JSON of len bytes) */
export function decodePlan(addr: usize, len: usize): void {
  where = "";
  const root = parseJSON(addr, len);
  if (root === null) {
    bad("not valid JSON");
    return;
  }
  if (int(member(root, "version")) != 1) bad("unsupported version");
  where = "consts: ";
  const cs = arrayOf(member(root, "consts"));
  consts = new StaticArray<Value>(cs.length);
  for (let i = 0; i < cs.length; i++) consts[i] = constValue(cs[i]);

  where = "builtins: ";
  const bs = arrayOf(member(root, "builtins"));
  builtinNames = new StaticArray<string>(bs.length);
  builtinNative = new StaticArray<i32>(bs.length);
  builtinHost = new StaticArray<i32>(bs.length);
  builtinArgc = new StaticArray<i32>(bs.length);
  let host = 0;
  for (let i = 0; i < bs.length; i++) {
    const name = str(bs[i]);
    builtinNames[i] = name;
    const nat = nativeId(name);
    builtinNative[i] = nat;
    builtinHost[i] = nat < 0 ? host++ : -1;
    builtinArgc[i] = -1;
  }

  // functions first without bodies (calls check the callee's params), then the bodies
  const fs = arrayOf(member(root, "functions"));
  funcs = new StaticArray<Func>(fs.length);
  for (let i = 0; i < fs.length; i++) {
    where = "functions[" + i.toString() + "]: ";
    const f = new Func();
    f.name = str(member(fs[i], "name"));
    f.params = int(member(fs[i], "params"));
    f.locals = int(member(fs[i], "locals"));
    if (f.locals < 2 + f.params) bad("locals must be at least 2 + params");
    curLocals = f.locals;
    f.ret = local(member(fs[i], "ret"));
    funcs[i] = f;
  }
  for (let i = 0; i < fs.length; i++) {
    const f = funcs[i];
    where = "functions[" + i.toString() + "] (" + f.name + "): ";
    curLocals = f.locals;
    f.body = decodeBlocks(member(fs[i], "body"), 0);
  }
  const es = arrayOf(member(root, "entrypoints"));
  entries = new StaticArray<Func>(es.length);
  for (let i = 0; i < es.length; i++) {
    where = "entrypoints[" + i.toString() + "]: ";
    const e = new Func();
    e.name = str(member(es[i], "name"));
    e.locals = int(member(es[i], "locals"));
    if (e.locals < 2) bad("locals must be at least 2");
    where = "entrypoints[" + i.toString() + "] (" + e.name + "): ";
    curLocals = e.locals;
    e.body = decodeBlocks(member(es[i], "body"), 0);
    entries[i] = e;
  }
  where = "";
}
