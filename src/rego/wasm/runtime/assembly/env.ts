// The host's imports (OPA's wasm ABI) and the runtime's abort: an AssemblyScript abort/throw
// (asc --use abort=env/pdpAbort) and every evaluation error end in env.opa_abort, which the
// SDK turns into a JS exception; it never returns here.

@external("env", "opa_abort")
declare function opa_abort(addr: usize): void;

@external("env", "opa_println")
export declare function opa_println(addr: usize): void;

@external("env", "opa_builtin0")
export declare function opa_builtin0(id: i32, ctx: usize): usize;
@external("env", "opa_builtin1")
export declare function opa_builtin1(id: i32, ctx: usize, a: usize): usize;
@external("env", "opa_builtin2")
export declare function opa_builtin2(id: i32, ctx: usize, a: usize, b: usize): usize;
@external("env", "opa_builtin3")
export declare function opa_builtin3(id: i32, ctx: usize, a: usize, b: usize, c: usize): usize;
@external("env", "opa_builtin4")
export declare function opa_builtin4(id: i32, ctx: usize, a: usize, b: usize, c: usize, d: usize): usize;

/** the UTF-8 bytes of s, NUL-terminated, on the heap */
export function cstr(s: string): usize {
  const buf = String.UTF8.encode(s, true);
  return changetype<usize>(buf);
}

/** aborts the evaluation with a message (never returns) */
export function fail(msg: string): void {
  opa_abort(cstr(msg));
  unreachable();
}

/** AssemblyScript's abort (asc --use abort=…): assertion failures, throw, out-of-range accesses */
export function pdpAbort(message: string | null = null, fileName: string | null = null, line: u32 = 0, column: u32 = 0): void {
  let m = message === null ? "abort" : message;
  if (fileName !== null) m += " (" + fileName + ":" + line.toString() + ":" + column.toString() + ")";
  opa_abort(cstr(m));
  unreachable();
}
