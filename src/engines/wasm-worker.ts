// The opa-wasm evaluator's thread (see wasm.ts): its protocol and its code. The code is plain
// JavaScript run with `eval: true`, so the same worker starts from the compiled service and from
// the TypeScript sources under test (a .ts worker file would need a loader in the worker).
//
// It loads the modules and their data once, then answers one evaluation at a time: the request
// arrives on the port, the result set goes back on it, and the shared flag wakes the main thread
// blocked in Atomics.wait. A policy that never returns keeps only this thread busy; the main
// thread stops waiting at its deadline and terminates it.
import { createRequire } from 'node:module';
import type { MessagePort } from 'node:worker_threads';

export interface WorkerInit {
  /** Absolute path of @open-policy-agent/opa-wasm (resolved by the main thread). */
  opaWasm: string;
  modules: { path: string; module: WebAssembly.Module; minPages: number }[];
  /** URL of the module whose hostBuiltins() implements the builtins a module leaves to its host. */
  hostBuiltins: string;
  /** Path of tsx's API when hostBuiltins is TypeScript source; else empty. */
  tsx: string;
  /** The bundle data as JSON text. */
  data: string;
  maxMemoryPages: number;
  port: MessagePort;
  /** [0]: set to 1 when a reply is on the port (the load report, or an evaluation's result). */
  flag: Int32Array;
  /** Evaluations whose caller awaits the reply instead of blocking: replies carry the request id. */
  asyncPort: MessagePort;
}

/** Per module: entrypoint name → id, and the builtins it imports. */
export type LoadReport = { ok: true; modules: { entrypoints: Record<string, number>; builtins: string[] }[] } | { ok: false; path: string; message: string };

export interface EvalRequest {
  /** Set on the async port: echoed in the reply. */
  id?: number;
  module: number;
  entrypoint: number;
  /** Input as JSON text; undefined: no input. */
  input?: string;
}

export type EvalReply = ({ ok: true; resultSet: unknown } | { ok: false; message: string }) & { id?: number };

export const OPA_WASM_PATH = createRequire(import.meta.url).resolve('@open-policy-agent/opa-wasm');
const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The worker imports it by URL: the compiled .js, or the .ts source when this runs from source
 * (tests, under tsx: the worker then loads it through tsx's API, TSX_API). */
export const HOST_BUILTINS_URL = new URL(`../rego/wasm/host-builtins${FROM_SOURCE ? '.ts' : '.js'}`, import.meta.url).href;
export const TSX_API = FROM_SOURCE ? import.meta.resolve('tsx/esm/api') : '';

export const WORKER_SOURCE = String.raw`
'use strict';
const { workerData } = require('node:worker_threads');
const { loadPolicy } = require(workerData.opaWasm);
const init = workerData;

function reply(message) {
  init.port.postMessage(message);
  Atomics.store(init.flag, 0, 1);
  Atomics.notify(init.flag, 0);
}
function describe(e) {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  try { return JSON.stringify(e); } catch { return String(e); }
}
function jsonBuffer(text) {
  const bytes = new TextEncoder().encode(text);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}
function instanceOf(policy) {
  const w = policy.wasmInstance;
  return 'instance' in w ? w.instance : w;
}
function entrypointsOf(policy) {
  const out = {};
  const eps = policy.entrypoints;
  if (typeof eps === 'object' && eps !== null) {
    for (const [name, id] of Object.entries(eps)) if (typeof id === 'number') out[name.replace(/^\/+|\/+$/g, '')] = id;
  }
  return out;
}
// Names of the builtins the module will call on the host.
function builtinsOf(policy) {
  const ex = instanceOf(policy).exports;
  if (typeof ex.builtins !== 'function' || typeof ex.opa_json_dump !== 'function') return [];
  const addr = ex.opa_json_dump(ex.builtins());
  const mem = new Uint8Array(policy.mem.buffer);
  let end = addr;
  while (end < mem.length && mem[end] !== 0) end++;
  const parsed = JSON.parse(new TextDecoder().decode(mem.subarray(addr, end)));
  return typeof parsed === 'object' && parsed !== null ? Object.keys(parsed) : [];
}

(async () => {
  const policies = [];
  const report = [];
  // The SDK looks a host builtin up in this object when the module calls it, so it is filled after
  // the modules load, and only when one of them imports a builtin: the host builtins' module is
  // the heaviest part of a worker's start (from source under tests, compiled through tsx), and a
  // worker that replaces one stopped at a deadline must be ready for the next evaluation.
  const custom = {};
  for (const m of init.modules) {
    try {
      const policy = await loadPolicy(m.module, { initial: Math.max(5, m.minPages), maximum: init.maxMemoryPages }, custom);
      report.push({ entrypoints: entrypointsOf(policy), builtins: builtinsOf(policy) });
      policy.setData(jsonBuffer(init.data));
      policies.push(policy);
    } catch (e) {
      reply({ ok: false, path: m.path, message: describe(e) });
      return;
    }
  }
  if (report.some((r) => r.builtins.length > 0)) {
    try {
      const mod = init.tsx ? await (await import(init.tsx)).tsImport(init.hostBuiltins, init.hostBuiltins) : await import(init.hostBuiltins);
      Object.assign(custom, mod.hostBuiltins());
    } catch (e) {
      reply({ ok: false, path: init.hostBuiltins, message: describe(e) });
      return;
    }
  }
  const evaluate = (req) => {
    const policy = policies[req.module];
    if (!policy) return { ok: false, message: 'no module ' + req.module };
    try {
      // Input goes in as JSON bytes: the package treats falsy inputs (false, 0, "") as "no input".
      return { ok: true, resultSet: policy.evaluate(req.input === undefined ? undefined : jsonBuffer(req.input), req.entrypoint) };
    } catch (e) {
      // opa_abort throws a string, a trap a RuntimeError, a missing builtin a plain object.
      return { ok: false, message: describe(e) };
    }
  };
  init.port.on('message', (req) => reply(evaluate(req)));
  init.asyncPort.on('message', (req) => init.asyncPort.postMessage({ ...evaluate(req), id: req.id }));
  reply({ ok: true, modules: report });
})();
`;
