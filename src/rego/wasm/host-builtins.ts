// The builtins a wasm module leaves to its host, as @open-policy-agent/opa-wasm calls them
// (customBuiltins): JSON values in, a JSON value out (undefined: the call is undefined). Backed by
// this engine's builtins, so a module built here (or by OPA) runs every builtin this engine has.
// Errors make the call undefined, as builtin errors do outside strict mode.

import { BUILTINS } from '../builtins/index.js';
import type { BuiltinContext } from '../builtins/types.js';
import { walkNodes } from '../builtins/walk.js';
import { fromJSON, stringify, type Value } from '../value.js';

export type HostBuiltin = (...args: unknown[]) => unknown;

const context: BuiltinContext = {
  strict: false,
  nowNs: () => BigInt(Date.now()) * 1_000_000n,
  markRandom: () => undefined,
  markExternal: () => undefined,
  print: () => undefined,
  checkBudget: () => undefined,
};

function jsonBuffer(v: Value): ArrayBuffer {
  return new TextEncoder().encode(stringify(v)).buffer as ArrayBuffer;
}

export function hostBuiltins(): Record<string, HostBuiltin> {
  const out: Record<string, HostBuiltin> = {};
  for (const [name, b] of BUILTINS) {
    out[name] = (...args: unknown[]): unknown => {
      let r: Value | undefined;
      try {
        r = b.fn(
          args.map((a) => fromJSON(a)),
          context,
        );
      } catch {
        return undefined;
      }
      return r === undefined ? undefined : jsonBuffer(r);
    };
  }
  // a relation, not a builtin here: OPA's wasm modules call it as a builtin giving every pair
  out.walk = (x: unknown): ArrayBuffer => jsonBuffer(walkNodes(fromJSON(x)));
  return out;
}
