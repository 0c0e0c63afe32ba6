// BundleManager: owns the bundle sources, turns what they deliver into an active policy set, and
// keeps the last good one when a new bundle fails any step.
//
//   const m = new BundleManager({ sources: [{ name: 'ai-governance', kind: 'file', location: 'policies' }] });
//   m.on('activated', ({ name, revision }) => …);
//   await m.start();
//   const set = m.current();            // take one snapshot per request and use only it
//   set?.evaluate('ai/tools/decision', input);
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { WasmEngineOptions } from '../engines/wasm.js';
import { activate, prepareBundle, type PreparedBundle, type PrepareOptions, type Snapshot } from './activate.js';
import { digestFiles } from './digest.js';
import { readPatch } from './delta.js';
import { BundleError } from './errors.js';
import { prepareDelta } from './prepare-delta.js';
import { describeThrown } from '../shared/errors.js';
import { resolveLimits, type BundleLimits } from './limits.js';
import { packTarball } from './pack-tarball.js';
import { loadPersisted, persistBundle } from './persist.js';
import { readTarball } from './read-tarball.js';
import type { SignatureVerification } from './signature.js';
import { prepareVerifier, type Verifier } from './signature.js';
import { FileSource } from './source-file.js';
import { HttpSource, redactUrl } from './source-http.js';
import { OciSource } from './source-oci.js';
import type { HttpClientOptions } from './http-client-options.js';
import type { BundleSource, SourcePayload } from './source.js';
import type { ActivePolicySet, BundleStatus } from './types.js';

export type { BundleLimits } from './limits.js';
export type { SignatureVerification, VerificationKey } from './signature.js';
export type { PolicySet } from './policy-set.js';

export interface BundleSourceConfig {
  /** Unique; names the bundle in status, revisions and decision logs. */
  name: string;
  kind: 'file' | 'http' | 'oci';
  /** path (file: a directory or a .tar.gz), URL (http), or http(s)://registry/repository:tag (oci) */
  location: string;
  /** http: delay between polls (default 30 s). file: optional re-read interval besides watching. */
  pollIntervalMs?: number;
  /** file: watch for changes (default true). */
  watch?: boolean;
  /** http: extra request headers, e.g. { authorization: 'Bearer …' } */
  headers?: Record<string, string>;
  /** http: per-request timeout (default 10 s). */
  timeoutMs?: number;
  /** http: ceiling of the error backoff (default 60 s). */
  maxBackoffMs?: number;
  /** http: long polling; the server may hold each request this many seconds (OPA's Prefer: wait=N). */
  longPollingTimeoutSeconds?: number;
  /** file: a directory is served once two reads this far apart agree (default 1 s; 0 = read once). */
  settleMs?: number;
  /** Data alone is a valid bundle (else refused as BUNDLE_NO_POLICIES). */
  dataOnly?: boolean;
  /** Only this signing key verifies the bundle. */
  signingKeyId?: string;
  /** http, oci: TLS and a per-request token (src/bundles/http-client-options.ts). */
  client?: HttpClientOptions;
}
export interface BundleLogger {
  info(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
  error(o: object, msg?: string): void;
}
export interface BundleManagerOptions {
  sources: BundleSourceConfig[];
  signing?: SignatureVerification;
  /** Keep the last good copy of each bundle here; used at start when its source fails. */
  persistDir?: string;
  limits?: Partial<BundleLimits>;
  logger?: BundleLogger;
  /** Bounds for opa-wasm instances. */
  wasm?: WasmEngineOptions;
  /** Decision paths the service serves: a new revision of a bundle that defined one must still
   * define it (BUNDLE_DROPS_DECISION). */
  decisionPaths?: readonly string[];
  /** Documents the Rego engine compiles to JavaScript at each activation (evaluation.compile_js). */
  compiledPaths?: readonly string[];
}

interface SourceState {
  cfg: BundleSourceConfig;
  source: BundleSource;
  activatedAt: string | null;
  lastError: { code: string; message: string; at: string } | null;
  lastAttemptAt: string | null;
  /** the last payload that failed, so identical bytes are not re-processed on every poll */
  failed: { digest: string; generation: number } | null;
  /** hash of the tarball bytes behind the active bundle */
  activeTarDigest: string | null;
  /** digestFiles of what was last activated (a delta's own files differ from the result's digest) */
  appliedDigest: string | null;
  loadedFrom: 'source' | 'persisted' | null;
}

const SILENT: BundleLogger = { info() {}, warn() {}, error() {} };

/** Emits 'activated' ({name, revision}) and 'error' ({name, error}); 'error' only when someone
 * listens, since an unheard 'error' event would crash the process. */
export class BundleManager extends EventEmitter {
  private readonly opts: BundleManagerOptions;
  private readonly limits: BundleLimits;
  private readonly verifier: Verifier | null;
  private readonly log: BundleLogger;
  private readonly states = new Map<string, SourceState>();
  private snapshot: Snapshot | null = null;
  /** Activations run one at a time, each building on the snapshot the previous one left. */
  private queue: Promise<unknown> = Promise.resolve();
  /** counts activations; a failure is only remembered for the generation it happened in */
  private generation = 0;
  private started = false;

  /** Throws BUNDLE_CONFIG_INVALID for configuration that can never work. */
  constructor(opts: BundleManagerOptions) {
    super();
    this.opts = opts;
    this.limits = resolveLimits(opts.limits);
    this.verifier = prepareVerifier(opts.signing);
    this.log = opts.logger ?? SILENT;
    for (const cfg of opts.sources) {
      if (this.states.has(cfg.name)) throw new BundleError('BUNDLE_CONFIG_INVALID', `bundle source name ${cfg.name} is used twice`);
      this.states.set(cfg.name, {
        cfg,
        source: this.makeSource(cfg),
        activatedAt: null,
        lastError: null,
        lastAttemptAt: null,
        failed: null,
        activeTarDigest: null,
        appliedDigest: null,
        loadedFrom: null,
      });
    }
  }

  /** Loads every source once (in configuration order; resolves after the first attempt of each),
   * falls back to persisted copies for sources that did not activate, then watches/polls. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const st of this.states.values()) {
      await st.source.start({
        onPayload: (p) => this.enqueue(() => this.handlePayload(st, p)),
        onError: (e) => this.recordError(st, e),
        onUnchanged: () => {
          // The source answered "nothing new": what it serves is what is active, so it is healthy.
          st.lastAttemptAt = new Date().toISOString();
          st.lastError = null;
        },
      });
      if (this.opts.persistDir && !this.snapshot?.bundles.has(st.cfg.name)) {
        await this.enqueue(() => this.loadPersistedCopy(st));
      }
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.states.values()].map((s) => s.source.stop()));
    await this.queue;
    // The wasm engines' worker threads end with the manager.
    for (const engine of this.snapshot?.wasm.values() ?? []) engine.close();
  }

  /** null until at least one bundle is active. */
  current(): ActivePolicySet | null {
    return this.snapshot?.set ?? null;
  }

  /** Ready once every configured bundle has been activated at least once (like OPA's bundle health). */
  ready(): boolean {
    return [...this.states.keys()].every((n) => this.snapshot?.bundles.has(n) ?? false);
  }

  status(): BundleStatus[] {
    return [...this.states.values()].map((st) => {
      const b = this.snapshot?.bundles.get(st.cfg.name);
      return {
        name: st.cfg.name,
        source: st.cfg.kind === 'file' ? st.cfg.location : redactUrl(st.cfg.location),
        revision: b?.revision ?? null,
        engine: b?.kind ?? null,
        roots: b ? [...b.bundle.manifest.roots] : [],
        activated_at: st.activatedAt,
        last_error: st.lastError,
        last_attempt_at: st.lastAttemptAt,
        digest: b?.digest ?? null,
        loaded_from: st.loadedFrom,
        signed: b?.signed ?? false,
      };
    });
  }

  private makeSource(cfg: BundleSourceConfig): BundleSource {
    if (cfg.kind === 'file') {
      return new FileSource({ path: cfg.location, watch: cfg.watch, pollIntervalMs: cfg.pollIntervalMs, settleMs: cfg.settleMs }, this.limits);
    }
    if (cfg.kind === 'http') {
      if (!/^https?:\/\//i.test(cfg.location)) throw new BundleError('BUNDLE_CONFIG_INVALID', `bundle ${cfg.name}: ${cfg.location} is not an http(s) URL`);
      return new HttpSource(
        {
          url: cfg.location,
          pollIntervalMs: cfg.pollIntervalMs,
          headers: cfg.headers,
          timeoutMs: cfg.timeoutMs,
          maxBackoffMs: cfg.maxBackoffMs,
          ...(cfg.client ? { client: cfg.client } : {}),
          longPollingTimeoutSeconds: cfg.longPollingTimeoutSeconds,
        },
        this.limits,
      );
    }
    if (cfg.kind === 'oci') {
      return new OciSource(
        {
          ref: cfg.location,
          pollIntervalMs: cfg.pollIntervalMs,
          headers: cfg.headers,
          timeoutMs: cfg.timeoutMs,
          maxBackoffMs: cfg.maxBackoffMs,
          ...(cfg.client ? { client: cfg.client } : {}),
        },
        this.limits,
      );
    }
    throw new BundleError('BUNDLE_CONFIG_INVALID', `bundle ${String((cfg as { name?: unknown }).name)}: unknown source kind`);
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Returns true when the payload is active afterwards. Never throws: failures become status. */
  private async handlePayload(st: SourceState, p: SourcePayload): Promise<boolean> {
    const name = st.cfg.name;
    st.lastAttemptAt = new Date().toISOString();
    // Tarballs are recognised by their bytes before any parsing, so a server that keeps serving
    // the same (broken or current) tarball costs one hash per poll.
    const tarDigest = p.kind === 'tarball' ? `tgz:${createHash('sha256').update(p.bytes).digest('hex')}` : null;
    if (tarDigest !== null && tarDigest === st.activeTarDigest) return this.unchanged(st);
    if (tarDigest !== null && this.failedBefore(st, tarDigest)) return false;
    let files: Map<string, Uint8Array>;
    try {
      files = p.kind === 'tarball' ? await readTarball(p.bytes, this.limits) : p.files;
    } catch (e) {
      this.recordFailure(st, tarDigest, e);
      return false;
    }
    const digest = digestFiles(files);
    // A delta is recognised by its own files: applying the same patch twice is not a no-op.
    if (this.snapshot?.bundles.get(name)?.digest === digest || (st.appliedDigest === digest && this.snapshot?.bundles.has(name))) {
      st.activeTarDigest = tarDigest;
      return this.unchanged(st);
    }
    if (this.failedBefore(st, tarDigest ?? digest)) return false;
    try {
      const etag = p.kind === 'tarball' ? p.etag : undefined;
      const options = { ...this.prepareOptions(st), ...(etag !== undefined ? { etag } : {}) };
      const ops = readPatch(files);
      const prepared = ops
        ? await prepareDelta(name, files, ops, this.snapshot?.bundles.get(name), this.verifier, digest, {
            ...options,
            persisting: this.opts.persistDir !== undefined,
          })
        : await prepareBundle(name, files, this.verifier, digest, options);
      this.snapshot = await activate(this.snapshot, prepared, this.opts.wasm, this.opts.decisionPaths, this.opts.compiledPaths);
      this.generation++;
      st.activatedAt = new Date().toISOString();
      st.lastError = null;
      st.failed = null;
      st.activeTarDigest = tarDigest;
      st.appliedDigest = digest;
      st.loadedFrom = 'source';
      this.log.info(
        { bundle: name, revision: prepared.revision, engine: prepared.kind, digest: prepared.digest, delta: prepared.delta === true },
        'bundle activated',
      );
      this.emit('activated', { name, revision: prepared.revision });
      if (this.opts.persistDir && !prepared.delta) await this.persist(prepared, p);
      return true;
    } catch (e) {
      this.recordFailure(st, tarDigest ?? digest, e);
      return false;
    }
  }

  private prepareOptions(st: SourceState): PrepareOptions {
    const active = this.snapshot?.bundles.get(st.cfg.name)?.signedAt;
    return {
      dataOnly: st.cfg.dataOnly ?? false,
      ...(st.cfg.signingKeyId !== undefined ? { keyId: st.cfg.signingKeyId } : {}),
      ...(active !== undefined ? { activeIssuedAt: active } : {}),
    };
  }

  /** Same content as what is active (a touch, a re-save, a server without ETags): nothing to do,
   * and an earlier error of this source is resolved, since its content is what runs. */
  private unchanged(st: SourceState): boolean {
    if (st.loadedFrom === 'persisted') st.loadedFrom = 'source';
    st.lastError = null;
    return true;
  }

  /** The same bytes failed before and nothing else has been activated since (which could have
   * made them acceptable, e.g. by freeing an overlapping root). */
  private failedBefore(st: SourceState, digest: string): boolean {
    return st.failed !== null && st.failed.digest === digest && st.failed.generation === this.generation;
  }

  private recordFailure(st: SourceState, digest: string | null, e: unknown): void {
    st.failed = digest === null ? null : { digest, generation: this.generation };
    this.recordError(st, e);
  }

  private async loadPersistedCopy(st: SourceState): Promise<void> {
    const dir = this.opts.persistDir;
    const name = st.cfg.name;
    if (!dir || this.snapshot?.bundles.has(name)) return;
    try {
      const bytes = await loadPersisted(dir, name);
      if (!bytes) return;
      const files = await readTarball(bytes, this.limits);
      const prepared = await prepareBundle(name, files, this.verifier, undefined, this.prepareOptions(st));
      this.snapshot = await activate(this.snapshot, prepared, this.opts.wasm, this.opts.decisionPaths, this.opts.compiledPaths);
      this.generation++;
      st.activatedAt = new Date().toISOString();
      st.loadedFrom = 'persisted';
      // last_error is kept: the source is still failing, and status should say so.
      this.log.warn({ bundle: name, revision: prepared.revision }, 'bundle source unavailable; activated the persisted copy');
      this.emit('activated', { name, revision: prepared.revision });
    } catch (e) {
      this.log.error({ bundle: name, err: describeThrown(e) }, 'persisted bundle copy could not be activated');
    }
  }

  private async persist(b: PreparedBundle, p: SourcePayload): Promise<void> {
    const dir = this.opts.persistDir as string;
    try {
      const tarball = p.kind === 'tarball' ? p.bytes : await packTarball(b.bundle.files);
      await persistBundle(dir, b.name, tarball, {
        revision: b.revision,
        digest: b.digest,
        etag: p.kind === 'tarball' ? p.etag : undefined,
        saved_at: new Date().toISOString(),
      });
    } catch (e) {
      // Persistence is a convenience for restarts; it never affects what is active.
      this.log.warn({ bundle: b.name, err: describeThrown(e) }, 'could not persist bundle');
    }
  }

  private recordError(st: SourceState, e: unknown): void {
    const err = e instanceof BundleError ? e : new BundleError('BUNDLE_INTERNAL_ERROR', `unexpected failure: ${describeThrown(e)}`, { cause: e });
    const at = new Date().toISOString();
    st.lastError = { code: err.code, message: err.message, at };
    st.lastAttemptAt = at;
    this.log.error({ bundle: st.cfg.name, code: err.code, err: err.message }, 'bundle not activated; the last good version keeps serving');
    if (this.listenerCount('error') > 0) this.emit('error', { name: st.cfg.name, error: err });
  }
}
