// opa-wasm adapter: policies compiled by `opa build -t wasm`, run through the official
// @open-policy-agent/opa-wasm package in a worker thread (wasm-worker.ts). Modules are compiled,
// instantiated and given their data once, at activation; a request sends its input and waits for
// the result set, synchronously (Atomics.wait), up to its deadline. A policy that does not
// terminate cannot wedge the process: at the deadline the worker is terminated, the evaluation
// fails (a deny), and a fresh worker is started for the next one.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { BundleError } from '../bundles/errors.js';
import { describeThrown } from '../shared/errors.js';
import { isPrefix } from '../bundles/paths.js';
import { splitQueryPath } from './path.js';
import type { Dependencies, Engine, EvaluationOptions, EvaluationOutcome } from './types.js';
import { OPA_WASM_PATH, WORKER_SOURCE, type EvalReply, type EvalRequest, type LoadReport, type WorkerInit } from './wasm-worker.js';

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
  /** Deadline of an evaluation that names none (EvaluationOptions.timeoutMs). Default 1000 ms. */
  defaultTimeoutMs?: number;
  /** How long activation waits for the worker to load the modules. Default 30 s. */
  loadTimeoutMs?: number;
}

interface Route {
  entrypoint: string[];
  module: number;
  id: number;
  dependsOn: Dependencies;
}

// Builtins the policy imports from the host that make a result depend on more than input and data.
const TIME = /^time\./;
const RANDOM = new Set(['rand.intn', 'uuid.rfc4122', 'uuid.parse']);
const EXTERNAL = new Set(['http.send', 'net.lookup_ip_addr', 'opa.runtime']);

/** One worker thread and the synchronous call into it. */
class WasmThread {
  private worker: Worker | null = null;
  private port: MessagePort | null = null;
  private flag = new Int32Array(new SharedArrayBuffer(4));
  /** The load report of the current worker, once it arrived. */
  private loaded: LoadReport | null = null;
  private closed = false;

  constructor(
    private readonly modules: { path: string; module: WebAssembly.Module }[],
    private readonly data: string,
    private readonly maxMemoryPages: number,
  ) {}

  /** Starts a worker and waits (blocking) until it has loaded the modules, or the deadline. */
  start(timeoutMs: number): LoadReport | 'timeout' {
    this.stop();
    const { port1, port2 } = new MessageChannel();
    this.flag = new Int32Array(new SharedArrayBuffer(4));
    const init: WorkerInit = {
      opaWasm: OPA_WASM_PATH,
      modules: this.modules,
      data: this.data,
      maxMemoryPages: this.maxMemoryPages,
      port: port2,
      flag: this.flag,
    };
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: init, transferList: [port2] });
    // The worker must never keep the process alive, nor crash it.
    this.worker.unref();
    this.worker.on('error', () => undefined);
    this.port = port1;
    const r = this.wait(timeoutMs);
    if (r === 'timeout') {
      this.stop();
      return 'timeout';
    }
    this.loaded = r as LoadReport;
    return this.loaded;
  }

  /** One evaluation: blocks until the result or the deadline; at the deadline the worker is
   * terminated (the next call starts another). */
  call(req: EvalRequest, timeoutMs: number, loadTimeoutMs: number): EvalReply | 'timeout' | 'closed' | { ok: false; message: string } {
    if (this.closed) return 'closed';
    const started = performance.now();
    if (!this.worker || !this.port || !this.loaded) {
      const r = this.start(Math.min(timeoutMs, loadTimeoutMs));
      if (r === 'timeout') return 'timeout';
      if (!r.ok) return { ok: false, message: `${r.path}: ${r.message}` };
    }
    const left = timeoutMs - (performance.now() - started);
    if (left <= 0) return 'timeout';
    Atomics.store(this.flag, 0, 0);
    this.port?.postMessage(req);
    const r = this.wait(left);
    if (r === 'timeout') this.stop();
    return r as EvalReply | 'timeout';
  }

  private wait(timeoutMs: number): LoadReport | EvalReply | 'timeout' {
    if (Atomics.wait(this.flag, 0, 0, timeoutMs) === 'timed-out') return 'timeout';
    const m = this.port ? receiveMessageOnPort(this.port) : undefined;
    if (!m) return 'timeout';
    return m.message as LoadReport | EvalReply;
  }

  private stop(): void {
    void this.worker?.terminate();
    this.port?.close();
    this.worker = null;
    this.port = null;
    this.loaded = null;
  }

  close(): void {
    this.closed = true;
    this.stop();
  }
}

export class WasmEngine implements Engine {
  readonly kind = 'wasm' as const;
  private readonly routes: Route[];
  private readonly thread: WasmThread;
  private readonly defaultTimeoutMs: number;
  private readonly loadTimeoutMs: number;

  private constructor(routes: Route[], thread: WasmThread, opts: WasmEngineOptions) {
    // Longest entrypoint first, so a query picks the most specific one.
    this.routes = [...routes].sort((a, b) => b.entrypoint.length - a.entrypoint.length);
    this.thread = thread;
    this.defaultTimeoutMs = opts.defaultTimeoutMs ?? 1000;
    this.loadTimeoutMs = opts.loadTimeoutMs ?? 30_000;
  }

  /** Throws BUNDLE_WASM_ERROR when a module does not load, lacks a declared entrypoint, or rejects the data. */
  static async load(modules: WasmModuleSpec[], data: unknown, opts: WasmEngineOptions = {}): Promise<WasmEngine> {
    const compiled: { path: string; module: WebAssembly.Module }[] = [];
    for (const m of modules) {
      try {
        compiled.push({ path: m.path, module: await WebAssembly.compile(new Uint8Array(m.bytes)) });
      } catch (e) {
        throw new BundleError('BUNDLE_WASM_ERROR', `${m.path} does not load as an OPA wasm module: ${describeThrown(e)}`, { cause: e });
      }
    }
    const thread = new WasmThread(compiled, JSON.stringify(data ?? {}), opts.maxMemoryPages ?? 4096);
    const report = thread.start(opts.loadTimeoutMs ?? 30_000);
    if (report === 'timeout') {
      thread.close();
      throw new BundleError('BUNDLE_WASM_ERROR', 'the wasm modules did not load in time');
    }
    if (!report.ok) {
      thread.close();
      throw new BundleError('BUNDLE_WASM_ERROR', `${report.path} does not load as an OPA wasm module, or rejected the bundle data: ${report.message}`);
    }
    const routes: Route[] = [];
    modules.forEach((m, i) => {
      const r = report.modules[i] ?? { entrypoints: {}, builtins: [] };
      const dependsOn = dependenciesOf(r.builtins);
      for (const ep of m.entrypoints) {
        const id = r.entrypoints[ep];
        if (id === undefined) {
          thread.close();
          throw new BundleError('BUNDLE_WASM_ERROR', `${m.path} has no entrypoint ${ep} (it has: ${Object.keys(r.entrypoints).join(', ') || 'none'})`);
        }
        routes.push({ entrypoint: splitQueryPath(ep), module: i, id, dependsOn });
      }
    });
    return new WasmEngine(routes, thread, opts);
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

  /** Stops the worker; later evaluations fail (a deny). Called when a newer bundle replaced this one. */
  close(): void {
    this.thread.close();
  }

  evaluate(path: string, input: unknown, opts: EvaluationOptions = {}): EvaluationOutcome {
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
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    const reply = this.thread.call(
      { module: route.module, entrypoint: route.id, ...(input === undefined ? {} : { input: JSON.stringify(input) }) },
      timeoutMs,
      this.loadTimeoutMs,
    );
    if (reply === 'timeout') {
      return {
        ok: false,
        code: 'eval_budget_exceeded',
        message: `wasm evaluation exceeded ${Math.round(timeoutMs)} ms; its worker was stopped`,
        engine: 'wasm',
      };
    }
    if (reply === 'closed') return { ok: false, code: 'wasm_error', message: 'this wasm bundle was replaced', engine: 'wasm' };
    if (!reply.ok) return { ok: false, code: 'wasm_error', message: reply.message, engine: 'wasm' };
    const resultSet = (reply as { resultSet: unknown }).resultSet;
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

function dependenciesOf(builtins: string[]): Dependencies {
  return {
    time: builtins.some((b) => TIME.test(b)),
    random: builtins.some((b) => RANDOM.has(b)),
    external: builtins.some((b) => EXTERNAL.has(b)),
  };
}
