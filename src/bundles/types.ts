// Shapes shared by bundle reading, sources and activation.
import type { EngineKind, EvaluationOptions, EvaluationOutcome, PolicyModule, QueryOutcome } from '../engines/types.js';

export interface BundleManifest {
  revision?: string;
  roots?: string[];
  rego_version?: number;
  /** glob pattern → Rego version for the modules it matches (OPA's file_rego_versions) */
  file_rego_versions?: Record<string, number>;
  metadata?: Record<string, unknown>;
  wasm?: { entrypoint: string; module: string }[];
}

/** A bundle read from a directory or tarball, not yet verified or compiled. */
export interface RawBundle {
  name: string;
  manifest: BundleManifest;
  /** Rego sources, path relative to the bundle root (e.g. "ai/tools/policy.rego"). */
  modules: { path: string; source: string }[];
  /** Base documents mounted at their directory path (`a/b/data.json` → data.a.b), merged. */
  data: Record<string, unknown>;
  /** `/policy.wasm` etc. when present. */
  wasm: { entrypoint: string; path: string; module: Uint8Array }[];
  /** Every file's raw bytes by path, for signature verification. */
  files: Map<string, Uint8Array>;
  /** `.signatures.json` content when present. */
  signatures?: unknown;
}

export interface BundleStatus {
  name: string;
  source: string;
  revision: string | null;
  engine: EngineKind | null;
  roots: string[];
  activated_at: string | null;
  last_error: { code: string; message: string; at: string } | null;
  last_attempt_at: string | null;
  /** sha256 of the active bundle's files (changes even when a manifest revision is not bumped). */
  digest?: string | null;
  /** 'persisted' when the active copy came from persistDir because the source was unavailable. */
  loaded_from?: 'source' | 'persisted' | null;
  /** Whether the active copy carried a verified signature. */
  signed?: boolean;
}

/** An immutable snapshot of everything active; requests hold one for their whole life,
 * so a swap never changes the policy under an in-flight request. */
export interface ActivePolicySet {
  /** bundle name → revision */
  readonly revisions: Readonly<Record<string, string>>;
  /** bundle name → sha256 of its files; include in cache keys, since a revision may not be bumped. */
  readonly digests?: Readonly<Record<string, string>>;
  /** Which engine serves a path, or null if no bundle owns it. */
  engineFor(path: string): EngineKind | null;
  evaluate(path: string, input: unknown, opts?: EvaluationOptions): EvaluationOutcome;
  /** True when some engine evaluates off the main thread: only then is evaluateAsync worth asking. */
  readonly offThread?: boolean;
  /** evaluate(), awaited where the engine evaluates off the main thread (see Engine.evaluateAsync). */
  evaluateAsync?(path: string, input: unknown, opts?: EvaluationOptions): Promise<EvaluationOutcome>;
  /** False only when no bundle can define anything at `path` (see Engine.mayDefine); absent = may. */
  mayDefine?(path: string): boolean;
  /** See Engine.inputKeys; null (or absent) = any key may be read. */
  inputKeys?(path: string): ReadonlySet<string> | null;
  /** An ad-hoc Rego query (OPA's /v1/query); absent = not supported by this policy set. */
  query?(query: string, input: unknown, opts?: EvaluationOptions): QueryOutcome;
  /** The policy modules (OPA's Policy API); absent = none to show. */
  policies?(): PolicyModule[];
}
