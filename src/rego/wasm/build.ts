// `pdp bundle build -t wasm`: a compiled policy's plan for some entrypoints, stored in the wasm
// runtime (OPA's wasm ABI, so @open-policy-agent/opa-wasm and OPA's other SDKs load it).

import type { CompiledPolicy } from '../index.js';
import { linkPlan, runtimeWasm } from './link.js';
import { planText } from './plan.js';

export interface WasmBuild {
  wasm: Uint8Array;
  /** memory the module needs from its host, in 64 KiB pages */
  minPages: number;
  /** builtins the module calls on its host (the runtime has no implementation of its own) */
  hostBuiltins: string[];
}

export function buildWasm(policy: CompiledPolicy, entrypoints: readonly string[]): WasmBuild {
  const plan = policy.wasmPlan(entrypoints);
  const { wasm, minPages } = linkPlan(runtimeWasm(), planText(plan));
  return { wasm, minPages, hostBuiltins: hostBuiltinsOf(wasm, minPages) };
}

/** Instantiates the module (which decodes its plan) and reads its `builtins()` map. */
function hostBuiltinsOf(wasm: Uint8Array, minPages: number): string[] {
  const memory = new WebAssembly.Memory({ initial: minPages });
  const text = (addr: number): string => {
    const bytes = new Uint8Array(memory.buffer);
    let end = addr;
    while (bytes[end] !== 0) end++;
    return new TextDecoder().decode(bytes.subarray(addr, end));
  };
  const fail = (): never => {
    throw new Error('host builtin called at load');
  };
  const env: Record<string, unknown> = {
    memory,
    opa_abort: (addr: number) => {
      throw new Error(text(addr));
    },
    opa_println: () => undefined,
  };
  for (let i = 0; i <= 4; i++) env[`opa_builtin${i}`] = fail;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm.slice()), { env: env as WebAssembly.ModuleImports });
  const ex = instance.exports as Record<string, (...a: number[]) => number>;
  return Object.keys(JSON.parse(text(ex.opa_json_dump(ex.builtins()))) as Record<string, number>);
}
