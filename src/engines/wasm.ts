// opa-wasm adapter: policies compiled by `opa build -t wasm`, run through the official
// @open-policy-agent/opa-wasm package in a worker thread (wasm-worker.ts). Modules are compiled,
// instantiated and given their data once, at activation; a request sends its input and awaits the
// result set (evaluateAsync: the decision pipeline), or blocks for it in Atomics.wait (evaluate:
// callers that must stay synchronous), up to its deadline. A policy that does not terminate cannot
// wedge the process: at the deadline the worker is terminated, the evaluation fails (a deny), and
// a fresh worker starts loading at once, for the next one.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { BundleError } from '../bundles/errors.js';
import { describeThrown } from '../shared/errors.js';
import { isPrefix } from '../bundles/paths.js';
import { stringifyExact } from '../shared/exact-json.js';
import { DataDocumentEngine } from './data-document.js';
import { splitQueryPath } from './path.js';
import { memoryMinPages } from '../rego/wasm/link.js';
import type { Dependencies, Engine, EvaluationOptions, EvaluationOutcome } from './types.js';
import { HOST_BUILTINS_URL, OPA_WASM_PATH, TSX_API, WORKER_SOURCE, type EvalReply, type EvalRequest, type LoadReport, type WorkerInit } from './wasm-worker.js';

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
  entrypoint: readonly string[];
  module: number;
  id: number;
  dependsOn: Dependencies;
}

// Builtins the policy imports from the host that make a result depend on more than input and data.
const TIME = /^time\./;
const RANDOM = new Set(['rand.intn', 'uuid.rfc4122', 'uuid.parse']);
const EXTERNAL = new Set(['http.send', 'net.lookup_ip_addr', 'opa.runtime']);

// Atomics.waitAsync (V8; Node 16+) is typed from ES2024 on; this project compiles against ES2022.
const atomics = Atomics as unknown as {
  waitAsync(
    a: Int32Array,
    index: number,
    value: number,
    timeoutMs: number,
  ): { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
};

/** One worker thread and the synchronous call into it. */
class WasmThread {
  private worker: Worker | null = null;
  private port: MessagePort | null = null;
  private flag = new Int32Array(new SharedArrayBuffer(4));
  /** The load report of the current worker, once it arrived. */
  private loaded: LoadReport | null = null;
  private closed = false;
  /** Counts workers started and stopped: a wait that outlived its worker knows it. */
  private generation = 0;
  private loading: Promise<LoadReport | 'timeout'> | null = null;
  private loadingAlive: NodeJS.Timeout | undefined;

  constructor(
    private readonly modules: { path: string; module: WebAssembly.Module; minPages: number }[],
    private readonly data: string,
    private readonly maxMemoryPages: number,
  ) {}

  /** Evaluations awaited on the async port, by request id. */
  private readonly pending = new Map<number, { resolve: (r: EvalReply | 'timeout') => void; timer: NodeJS.Timeout }>();
  private asyncPort: MessagePort | null = null;
  private nextId = 1;

  /** Starts a worker and waits until it has loaded the modules, or the deadline — without
   * blocking the event loop: a module whose load never ends must not stall the service while a
   * bundle activates. */
  start(timeoutMs: number): Promise<LoadReport | 'timeout'> {
    this.stop();
    this.spawn();
    return this.loadingFor(timeoutMs);
  }

  /** The current worker's load, awaited without blocking: one wait per worker, shared by every
   * caller (the load report is one message: two waiters must not both try to read it). */
  private loadingFor(timeoutMs: number): Promise<LoadReport | 'timeout'> {
    this.loading ??= this.waitForLoad(timeoutMs);
    return this.loading;
  }

  private async waitForLoad(timeoutMs: number): Promise<LoadReport | 'timeout'> {
    const generation = this.generation;
    const w = atomics.waitAsync(this.flag, 0, 0, timeoutMs);
    // A pending waitAsync does not keep the process alive (the worker is unref'd): a timer does,
    // until the load ends or the worker is stopped.
    this.loadingAlive = setTimeout(() => undefined, timeoutMs);
    const outcome = w.async ? await w.value : w.value;
    // Stopped or replaced meanwhile: this load is not the current worker's.
    if (generation !== this.generation) return 'timeout';
    clearTimeout(this.loadingAlive);
    // A synchronous evaluation read the report first.
    if (this.loaded) return this.loaded;
    if (outcome === 'timed-out') {
      this.stop();
      return 'timeout';
    }
    return this.awaitLoad(0);
  }

  /** Starts a worker without waiting for it to load. */
  private spawn(): void {
    this.generation++;
    this.loading = null;
    const { port1, port2 } = new MessageChannel();
    const asyncChannel = new MessageChannel();
    this.flag = new Int32Array(new SharedArrayBuffer(4));
    const init: WorkerInit = {
      opaWasm: OPA_WASM_PATH,
      hostBuiltins: HOST_BUILTINS_URL,
      tsx: TSX_API,
      modules: this.modules,
      data: this.data,
      maxMemoryPages: this.maxMemoryPages,
      port: port2,
      flag: this.flag,
      asyncPort: asyncChannel.port2,
    };
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: init, transferList: [port2, asyncChannel.port2] });
    this.asyncPort = asyncChannel.port1;
    this.asyncPort.on('message', (r: EvalReply) => {
      const p = r.id === undefined ? undefined : this.pending.get(r.id);
      if (!p || r.id === undefined) return;
      clearTimeout(p.timer);
      this.pending.delete(r.id);
      p.resolve(r);
      if (this.pending.size === 0) this.asyncPort?.unref();
    });
    this.asyncPort.unref();
    // The worker must never keep the process alive, nor crash it.
    this.worker.unref();
    this.worker.on('error', () => undefined);
    this.port = port1;
  }

  /** Waits (blocking) for the started worker's load report, up to the deadline (a report that
   * arrived while nobody waited is read at once). */
  private awaitLoad(timeoutMs: number): LoadReport | 'timeout' {
    const r = this.wait(timeoutMs);
    if (r === 'timeout') {
      this.stop();
      return 'timeout';
    }
    this.loaded = r as LoadReport;
    return this.loaded;
  }

  /** The worker an evaluation runs on: loaded, or loading (awaited up to the deadline), or started now. */
  private ready(timeoutMs: number): LoadReport | 'timeout' {
    if (this.loaded && this.worker) return this.loaded;
    if (!this.worker) this.spawn();
    return this.awaitLoad(timeoutMs);
  }

  /** After a deadline: the worker is terminated and the next one starts loading now, so that the
   * next evaluation does not pay for a worker's start within its own deadline. */
  private replace(): void {
    this.stop();
    if (!this.closed) this.spawn();
  }

  /** One evaluation: blocks until the result or the deadline; at the deadline the worker is
   * terminated (the next call starts another). */
  call(req: EvalRequest, timeoutMs: number, loadTimeoutMs: number): EvalReply | 'timeout' | 'closed' | { ok: false; message: string } {
    if (this.closed) return 'closed';
    const started = performance.now();
    const load = this.ready(Math.min(timeoutMs, loadTimeoutMs));
    if (load === 'timeout') return 'timeout';
    if (!load.ok) return { ok: false, message: `${load.path}: ${load.message}` };
    const left = timeoutMs - (performance.now() - started);
    if (left <= 0) return 'timeout';
    Atomics.store(this.flag, 0, 0);
    this.port?.postMessage(req);
    const r = this.wait(left);
    if (r === 'timeout') this.replace();
    return r as EvalReply | 'timeout';
  }

  /** One evaluation without blocking the main thread: a worker still loading (after a deadline
   * replaced the last one) and the reply are both awaited. At the deadline the worker is
   * terminated, and every evaluation still waiting on it fails with it. */
  async callAsync(req: EvalRequest, timeoutMs: number, loadTimeoutMs: number): Promise<EvalReply | 'timeout' | 'closed' | { ok: false; message: string }> {
    if (this.closed) return 'closed';
    const started = performance.now();
    let load: LoadReport | 'timeout';
    if (this.loaded && this.worker) load = this.loaded;
    else {
      if (!this.worker) this.spawn();
      // The load goes on past this evaluation's deadline (up to the load deadline), for the next.
      load = await withDeadline(this.loadingFor(loadTimeoutMs), Math.min(timeoutMs, loadTimeoutMs));
      if (this.closed) return 'closed';
    }
    if (load === 'timeout') return 'timeout';
    if (!load.ok) return { ok: false, message: `${load.path}: ${load.message}` };
    const port = this.asyncPort;
    const left = timeoutMs - (performance.now() - started);
    if (!port || left <= 0) return 'timeout';
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve('timeout');
        this.replace();
      }, left);
      this.pending.set(id, { resolve, timer });
      port.ref();
      port.postMessage({ ...req, id });
    });
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
    this.asyncPort?.close();
    // Evaluations queued behind the one that ran out of time die with its worker.
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve({ ok: false, message: 'the wasm worker was stopped (an evaluation ahead of this one exceeded its deadline)', id });
    }
    this.pending.clear();
    // A load still awaited is over for its waiters (they see the generation change).
    this.generation++;
    this.loading = null;
    clearTimeout(this.loadingAlive);
    Atomics.notify(this.flag, 0);
    this.worker = null;
    this.port = null;
    this.asyncPort = null;
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
  /** Serves every path no entrypoint covers (OPA answers them all): the built-in engine over the
   * bundle's Rego source when it carries (and compiles) it, else its data documents. */
  readonly fallback: Engine;

  private constructor(routes: Route[], thread: WasmThread, opts: WasmEngineOptions, fallback: Engine | undefined, data: unknown) {
    // Longest entrypoint first, so a query picks the most specific one.
    this.routes = [...routes].sort((a, b) => b.entrypoint.length - a.entrypoint.length);
    this.thread = thread;
    this.defaultTimeoutMs = opts.defaultTimeoutMs ?? 1000;
    this.loadTimeoutMs = opts.loadTimeoutMs ?? 30_000;
    this.fallback =
      fallback ??
      new DataDocumentEngine(
        data ?? {},
        this.routes.map((r) => r.entrypoint),
      );
  }

  /** Throws BUNDLE_WASM_ERROR when a module does not load, lacks a declared entrypoint, or rejects
   * the data. `fallback` answers paths outside the entrypoints (default: the data documents). */
  static async load(modules: WasmModuleSpec[], data: unknown, opts: WasmEngineOptions = {}, fallback?: Engine): Promise<WasmEngine> {
    const compiled: { path: string; module: WebAssembly.Module; minPages: number }[] = [];
    for (const m of modules) {
      try {
        compiled.push({ path: m.path, module: await WebAssembly.compile(new Uint8Array(m.bytes)), minPages: memoryMinPages(m.bytes) });
      } catch (e) {
        throw new BundleError('BUNDLE_WASM_ERROR', `${m.path} does not load as an OPA wasm module: ${describeThrown(e)}`, { cause: e });
      }
    }
    const thread = new WasmThread(compiled, stringifyExact(data ?? {}), opts.maxMemoryPages ?? 4096);
    const report = await thread.start(opts.loadTimeoutMs ?? 30_000);
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
    return new WasmEngine(routes, thread, opts, fallback, data);
  }

  /** Entrypoints served, as "a/b/c". */
  entrypoints(): string[] {
    return this.routes.map((r) => r.entrypoint.join('/'));
  }

  /** An entrypoint (or a path inside or above one), or whatever the fallback may define. Anything
   * else: not here — e.g. data.system.log.mask in a bundle compiled without that entrypoint. */
  mayDefine(path: string): boolean {
    const segs = splitQueryPath(path);
    if (this.routes.some((r) => isPrefix(r.entrypoint, segs) || isPrefix(segs, r.entrypoint))) return true;
    return this.fallback.mayDefine?.(path) ?? true;
  }

  /** Stops the worker; later evaluations fail (a deny). Called when a newer bundle replaced this one. */
  close(): void {
    this.thread.close();
  }

  evaluate(path: string, input: unknown, opts: EvaluationOptions = {}): EvaluationOutcome {
    const segs = splitQueryPath(path);
    const route = this.routes.find((r) => isPrefix(r.entrypoint, segs));
    if (!route) return this.fallback.evaluate(path, input, opts);
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    return this.outcomeOf(route, segs, timeoutMs, this.thread.call(requestFor(route, input), timeoutMs, this.loadTimeoutMs));
  }

  /** The same evaluation, awaited: the main thread serves other requests meanwhile (the decision
   * pipeline uses this; evaluate() is for callers that must stay synchronous). */
  async evaluateAsync(path: string, input: unknown, opts: EvaluationOptions = {}): Promise<EvaluationOutcome> {
    const segs = splitQueryPath(path);
    const route = this.routes.find((r) => isPrefix(r.entrypoint, segs));
    if (!route) return this.evaluate(path, input, opts);
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    return this.outcomeOf(route, segs, timeoutMs, await this.thread.callAsync(requestFor(route, input), timeoutMs, this.loadTimeoutMs));
  }

  private outcomeOf(
    route: Route,
    segs: readonly string[],
    timeoutMs: number,
    reply: EvalReply | 'timeout' | 'closed' | { ok: false; message: string },
  ): EvaluationOutcome {
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

/** The promise's value, or 'timeout' when it takes longer than timeoutMs. */
function withDeadline<T>(p: Promise<T>, timeoutMs: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

function requestFor(route: Route, input: unknown): EvalRequest {
  return { module: route.module, entrypoint: route.id, ...(input === undefined ? {} : { input: stringifyExact(input) }) };
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
