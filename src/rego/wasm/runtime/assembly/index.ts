// The OPA wasm ABI (1.2) over the plan interpreter: the exports @open-policy-agent/opa-wasm
// and OPA's own SDKs call. A value address is the address of a Value object.
//
// Start (top-level code below): the plan stored by link.ts at __pdp_plan_base (u32 length, then
// UTF-8 JSON) is decoded before the host first reads the heap pointer, so it stays valid when
// the host resets the heap between evaluations; nothing made during an evaluation is kept.

import { Value, VArr, VObj, VStr, VNum, T_OBJ, T_ARR, T_STR, asObj, asArr, objRemove } from "./value";
import { parseJSON, dumpC } from "./json";
import { decodePlan, entries, builtinNames } from "./decode";
import { evalEntrypoint } from "./interp";
import { hostBuiltins } from "./builtins";
import { fail } from "./env";

export const opa_wasm_abi_version: i32 = 1;
export const opa_wasm_abi_minor_version: i32 = 2;
/** where link.ts stores the plan (a constant chosen by the build: __heap_base rounded up to 16) */
export const __pdp_plan_base: i32 = <i32>__pdp_plan_addr();

// ---- start ----

if (__heap_base > __pdp_plan_addr()) fail("runtime.wasm: the plan base is below the heap base (rebuild it)");
{
  const base = __pdp_plan_addr();
  if (base + 4 <= (<usize>memory.size() << 16)) {
    const len = <usize>load<u32>(base);
    if (len > 0) decodePlan(base + 4, len);
  }
}
const BUILTINS: VObj = hostBuiltins(builtinNames);
const ENTRYPOINTS: VObj = entrypointsValue();

function entrypointsValue(): VObj {
  const o = new VObj();
  for (let i = 0; i < entries.length; i++) o.set(new VStr(entries[i].name), new VNum(<f64>i));
  return o;
}

// ---- evaluation ----

function resultSet(rs: Array<Value>): VArr {
  const out = new Array<Value>(rs.length);
  const key = new VStr("result");
  for (let i = 0; i < rs.length; i++) {
    const o = new VObj();
    o.set(key, rs[i]);
    out[i] = o;
  }
  return new VArr(out);
}

function valueAt(addr: usize): Value | null {
  return addr == 0 ? null : changetype<Value>(addr);
}

/** ABI 1.2: one call evaluation; returns the address of the result set's text */
export function opa_eval(reserved: usize, entrypoint: i32, data: usize, input: usize, inputLen: usize, heapPtr: usize, format: i32): usize {
  __pdp_heap_set(heapPtr);
  let iv: Value | null = null;
  if (inputLen > 0) {
    iv = parseJSON(input, inputLen);
    if (iv === null) fail("opa_eval: the input is not valid JSON");
  }
  const rs = resultSet(evalEntrypoint(entrypoint, iv, valueAt(data)));
  return dumpC(rs, format == 1);
}

class Ctx {
  input: Value | null = null;
  data: Value | null = null;
  entrypoint: i32 = 0;
  result: Value | null = null;
}

export function opa_eval_ctx_new(): usize {
  return changetype<usize>(new Ctx());
}

export function opa_eval_ctx_set_input(ctx: usize, v: usize): void {
  changetype<Ctx>(ctx).input = valueAt(v);
}

export function opa_eval_ctx_set_data(ctx: usize, v: usize): void {
  changetype<Ctx>(ctx).data = valueAt(v);
}

export function opa_eval_ctx_set_entrypoint(ctx: usize, e: i32): void {
  changetype<Ctx>(ctx).entrypoint = e;
}

export function opa_eval_ctx_get_result(ctx: usize): usize {
  return changetype<usize>(changetype<Ctx>(ctx).result);
}

export function eval(ctx: usize): i32 {
  const c = changetype<Ctx>(ctx);
  c.result = resultSet(evalEntrypoint(c.entrypoint, c.input, c.data));
  return 0;
}

// ---- memory and values ----

export function opa_malloc(size: usize): usize {
  return __alloc(size);
}

export function opa_free(ptr: usize): void {}

export function opa_heap_ptr_get(): usize {
  return __pdp_heap_get();
}

export function opa_heap_ptr_set(p: usize): void {
  __pdp_heap_set(p);
}

export function opa_json_parse(addr: usize, len: usize): usize {
  return changetype<usize>(parseJSON(addr, len));
}

/** Rego's set syntax is not accepted: JSON only */
export function opa_value_parse(addr: usize, len: usize): usize {
  return changetype<usize>(parseJSON(addr, len));
}

export function opa_json_dump(v: usize): usize {
  return dumpC(changetype<Value>(v), false);
}

export function opa_value_dump(v: usize): usize {
  return dumpC(changetype<Value>(v), true);
}

export function builtins(): usize {
  return changetype<usize>(BUILTINS);
}

export function entrypoints(): usize {
  return changetype<usize>(ENTRYPOINTS);
}

// OPA's error codes
const ERR_OK: i32 = 0;
const ERR_INVALID_TYPE: i32 = 2;
const ERR_INVALID_PATH: i32 = 3;

function checkPath(path: usize): Array<Value> | null {
  if (path == 0) return null;
  const p = changetype<Value>(path);
  if (p.tag != T_ARR) return null;
  const xs = asArr(p).a;
  for (let i = 0; i < xs.length; i++) if (xs[i].tag != T_STR) return null;
  return xs;
}

/** sets base[path…] = value, making objects along the path (OPA's opa_value_add_path) */
export function opa_value_add_path(base: usize, path: usize, value: usize): i32 {
  const xs = checkPath(path);
  if (xs === null || xs.length == 0) return ERR_INVALID_PATH;
  if (base == 0 || changetype<Value>(base).tag != T_OBJ || value == 0) return ERR_INVALID_TYPE;
  let cur = asObj(changetype<Value>(base));
  for (let i = 0; i < xs.length - 1; i++) {
    const next = cur.get(xs[i]);
    if (next === null) {
      const o = new VObj();
      cur.set(xs[i], o);
      cur = o;
    } else if (next.tag == T_OBJ) cur = asObj(next);
    else return ERR_INVALID_TYPE;
  }
  cur.set(xs[xs.length - 1], changetype<Value>(value));
  return ERR_OK;
}

/** removes base[path…] (OPA's opa_value_remove_path); a missing path is not an error */
export function opa_value_remove_path(base: usize, path: usize): i32 {
  const xs = checkPath(path);
  if (xs === null || xs.length == 0) return ERR_INVALID_PATH;
  if (base == 0 || changetype<Value>(base).tag != T_OBJ) return ERR_INVALID_TYPE;
  let cur = asObj(changetype<Value>(base));
  for (let i = 0; i < xs.length - 1; i++) {
    const next = cur.get(xs[i]);
    if (next === null || next.tag != T_OBJ) return ERR_OK;
    cur = asObj(next);
  }
  objRemove(cur, xs[xs.length - 1]);
  return ERR_OK;
}
