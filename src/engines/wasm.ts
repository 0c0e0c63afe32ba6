// opa-wasm adapter: policies compiled by `opa build -t wasm`, run through the official
// @open-policy-agent/opa-wasm package. Modules are compiled, instantiated and given their data
// once, at activation; a request only calls evaluate().
import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { BundleError } from '../bundles/errors.js';
import { describeThrown } from '../shared/errors.js';
import { isPrefix } from '../bundles/paths.js';
import { splitQueryPath } from './path.js';
import type { Dependencies, Engine, EvaluationOutcome } from './types.js';

export interface WasmModuleSpec {
  /** Path inside the bundle, for messages. */
  path: string;
  bytes: Uint8Array;
  /** Entrypoints the manifest declares for this module ("a/b/allow"). */
  entrypoints: string[];
}

export interface WasmEngineOptions {
  /** Upper bound on each instance's linear memory, in 64 KiB pages. Default 4096 (256 MiB). */
  maxMemoryPages?: number;
}

interface Route {
  entrypoint: string[];
  policy: LoadedPolicy;
  id: number;
  dependsOn: Dependencies;
}

// Builtins the policy imports from the host that make a result depend on more than input and data.
const TIME = /^time\./;
const RANDOM = new Set(['rand.intn', 'uuid.rfc4122', 'uuid.parse']);
const EXTERNAL = new Set(['http.send', 'net.lookup_ip_addr', 'opa.runtime']);

export class WasmEngine implements Engine {
  readonly kind = 'wasm' as const;
  private readonly routes: Route[];

  private constructor(routes: Route[]) {
    // Longest entrypoint first, so a query picks the most specific one.
    this.routes = [...routes].sort((a, b) => b.entrypoint.length - a.entrypoint.length);
  }

  /** Throws BUNDLE_WASM_ERROR when a module does not load, lacks a declared entrypoint, or rejects the data. */
  static async load(modules: WasmModuleSpec[], data: unknown, opts: WasmEngineOptions = {}): Promise<WasmEngine> {
    const routes: Route[] = [];
    for (const m of modules) {
      let policy: LoadedPolicy;
      let available: Map<string, number>;
      let dependsOn: Dependencies;
      try {
        const compiled = await WebAssembly.compile(new Uint8Array(m.bytes));
        policy = await loadPolicy(compiled, { initial: 5, maximum: opts.maxMemoryPages ?? 4096 });
        available = entrypointsOf(policy);
        dependsOn = dependenciesOf(builtinsOf(policy));
      } catch (e) {
        throw new BundleError('BUNDLE_WASM_ERROR', `${m.path} does not load as an OPA wasm module: ${describeThrown(e)}`, { cause: e });
      }
      for (const ep of m.entrypoints) {
        const id = available.get(ep);
        if (id === undefined) {
          throw new BundleError('BUNDLE_WASM_ERROR', `${m.path} has no entrypoint ${ep} (it has: ${[...available.keys()].join(', ') || 'none'})`);
        }
        routes.push({ entrypoint: splitQueryPath(ep), policy, id, dependsOn });
      }
      try {
        policy.setData(jsonBuffer(data ?? {}));
      } catch (e) {
        throw new BundleError('BUNDLE_WASM_ERROR', `${m.path} rejected the bundle data: ${describeThrown(e)}`, { cause: e });
      }
    }
    return new WasmEngine(routes);
  }

  /** Entrypoints served, as "a/b/c". */
  entrypoints(): string[] {
    return this.routes.map((r) => r.entrypoint.join('/'));
  }

  /** Only an entrypoint (or a path inside one) can be evaluated; a path above an entrypoint
   * may still be asked for (and then fails as evaluate() reports). Anything else: not here —
   * e.g. data.system.log.mask in a bundle compiled without that entrypoint. */
  mayDefine(path: string): boolean {
    const segs = splitQueryPath(path);
    return this.routes.some((r) => isPrefix(r.entrypoint, segs) || isPrefix(segs, r.entrypoint));
  }

  evaluate(path: string, input: unknown): EvaluationOutcome {
    const segs = splitQueryPath(path);
    const route = this.routes.find((r) => isPrefix(r.entrypoint, segs));
    if (!route) {
      return {
        ok: false,
        code: 'wasm_no_entrypoint',
        message: `no wasm entrypoint serves ${segs.join('/')} (entrypoints: ${this.entrypoints().join(', ')})`,
        engine: 'wasm',
      };
    }
    let resultSet: unknown;
    try {
      // Input goes in as JSON bytes: the package treats falsy inputs (false, 0, "") as "no input".
      resultSet = route.policy.evaluate(input === undefined ? undefined : jsonBuffer(input), route.id);
    } catch (e) {
      // opa_abort throws a string, a trap a RuntimeError, a missing builtin a plain object.
      return { ok: false, code: 'wasm_error', message: describeThrown(e), engine: 'wasm' };
    }
    if (!Array.isArray(resultSet)) {
      return { ok: false, code: 'wasm_error', message: 'wasm module returned a result that is not a result set', engine: 'wasm' };
    }
    if (resultSet.length === 0) return { ok: true, defined: false, dependsOn: route.dependsOn, engine: 'wasm' };
    const first: unknown = resultSet[0];
    if (resultSet.length > 1 || typeof first !== 'object' || first === null || !('result' in first)) {
      return { ok: false, code: 'wasm_error', message: 'wasm module returned an unexpected result set', engine: 'wasm' };
    }
    // A query below the entrypoint ("a/b/allow/x") walks into the entrypoint's value.
    let value: unknown = (first as { result: unknown }).result;
    for (const seg of segs.slice(route.entrypoint.length)) {
      value = child(value, seg);
      if (value === undefined) return { ok: true, defined: false, dependsOn: route.dependsOn, engine: 'wasm' };
    }
    return { ok: true, defined: true, result: value, dependsOn: route.dependsOn, engine: 'wasm' };
  }
}

function child(v: unknown, seg: string): unknown {
  if (Array.isArray(v)) return /^(0|[1-9]\d*)$/.test(seg) ? v[Number(seg)] : undefined;
  if (typeof v === 'object' && v !== null && Object.hasOwn(v, seg)) return (v as Record<string, unknown>)[seg];
  return undefined;
}

function jsonBuffer(v: unknown): ArrayBuffer {
  const bytes = new TextEncoder().encode(JSON.stringify(v));
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function instanceOf(policy: LoadedPolicy): WebAssembly.Instance {
  const w = policy.wasmInstance;
  return 'instance' in w ? w.instance : w;
}

function entrypointsOf(policy: LoadedPolicy): Map<string, number> {
  const out = new Map<string, number>();
  const eps: unknown = policy.entrypoints;
  if (typeof eps === 'object' && eps !== null) {
    for (const [name, id] of Object.entries(eps)) if (typeof id === 'number') out.set(name.replace(/^\/+|\/+$/g, ''), id);
  }
  return out;
}

/** Names of the builtins the module will call on the host (read once, at load). */
function builtinsOf(policy: LoadedPolicy): string[] {
  const ex = instanceOf(policy).exports as Record<string, unknown>;
  const builtins = ex.builtins;
  const dump = ex.opa_json_dump;
  if (typeof builtins !== 'function' || typeof dump !== 'function') return [];
  const addr = (dump as (a: number) => number)((builtins as () => number)());
  const mem = new Uint8Array(policy.mem.buffer);
  let end = addr;
  while (end < mem.length && mem[end] !== 0) end++;
  const parsed: unknown = JSON.parse(new TextDecoder().decode(mem.subarray(addr, end)));
  return typeof parsed === 'object' && parsed !== null ? Object.keys(parsed) : [];
}

function dependenciesOf(builtins: string[]): Dependencies {
  return {
    time: builtins.some((b) => TIME.test(b)),
    random: builtins.some((b) => RANDOM.has(b)),
    external: builtins.some((b) => EXTERNAL.has(b)),
  };
}
