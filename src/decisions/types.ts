// The decision pipeline's vocabulary and the interfaces its parts implement.
//
//   route → (schema, done by fastify) → DecisionPipeline:
//     snapshot = policies.current()      one immutable policy set for the whole request
//     span     = tracer.start(...)       DecisionTracer   (src/telemetry/decision-tracer.ts)
//     hit      = cache.get(...)          DecisionCache    (src/cache/decision-cache.ts)
//     outcome  = snapshot.evaluate(...)  the engine, behind ActivePolicySet
//     cache.set(...)                     successful outcomes; the cache decides what it may keep
//     answer   = shape(outcome)          fail closed: anything but a well-formed decision is a deny
//     span.end(record)
//     recorders[i].log(record)           DecisionRecorder (decision log, metrics), after the answer
//   → response
//
// Each part is optional (no-op defaults in noop.ts); the plugins in src/plugins hand theirs to
// the pipeline when the app is built.
import type { ActivePolicySet } from '../bundles/types.js';
import type { EngineKind, EvaluationOptions, EvaluationOutcome, OpaMetrics } from '../engines/types.js';

export type SuccessfulOutcome = Extract<EvaluationOutcome, { ok: true }>;

export type MaybePromise<T> = T | Promise<T>;

/** Which question was asked: the two decision endpoints, the OPA-compatible Data API, or the
 * AuthZEN Authorization API (each evaluation, batch item and search candidate). */
export type DecisionKind = 'model-deployment' | 'tool-call' | 'data' | 'authzen';

/** Where the active policy comes from (the BundleManager satisfies this). */
export interface PolicySnapshotSource {
  /** The active set, or null before any bundle activated. Called once per request. */
  current(): ActivePolicySet | null;
}

export interface DecisionQuery {
  kind: DecisionKind;
  /** Document path under `data`, slash-separated, e.g. "ai/tools/decision". */
  path: string;
  /** The input document; undefined when the caller sent none (GET /v1/data/...). */
  input: unknown;
  /** OPA's strict-builtin-errors: builtin errors become evaluation errors. */
  strict: boolean;
  /** Request headers, for trace-context propagation (traceparent). Never logged as-is. */
  headers?: Readonly<Record<string, string | string[] | undefined>>;
  /** Peer address of the request (recorded as the decision's peer address). */
  remoteAddress?: string;
  /** Peer port of the request (OPA's requested_by is address:port). */
  remotePort?: number;
  /** Who is asking, as authentication verified it; null or absent when authentication is off. */
  caller?: VerifiedCaller | null;
  /** performance.now() when the request arrived: the evaluation's time budget counts from here,
   * so reading, parsing and validating the body spend from the same budget. */
  receivedAt?: number;
  /** The decision id to use (a caller that must name the decision before it ends: the admission
   * webhook answering on its deadline). Default: a fresh one. */
  decisionId?: string;
  /** How the question arrived, when not on a decision endpoint (recorded as-is). */
  origin?: DecisionOrigin;
  /** OPA's `?explain=`: answer with the trace events of this mode (the evaluation skips the decision cache). */
  explain?: 'notes' | 'fails' | 'full' | 'debug';
  /** OPA's `?metrics`: answer with the engine's timers. */
  metrics?: boolean;
  /** OPA's `?instrument`: metrics plus the engine's per-operation instrumentation (OPA's names). */
  instrument?: boolean;
  /** Not a decision (OPA's /health/{path} checks): no record reaches the recorders (decision
   * log, metrics), so a probe every few seconds does not fill the audit trail. */
  unrecorded?: boolean;
  /** One of a sequence of decisions inside one request, each waiting for the one before (AuthZEN's
   * short-circuit evaluations and searches): it does not wait for the turn's batch
   * (src/decisions/evaluation-batch.ts), which would cost every step of the sequence a turn of
   * the event loop. */
  sequential?: boolean;
}

/** An ad-hoc Rego query (OPA's /v1/query). */
export interface AdhocQuery {
  query: string;
  input: unknown;
  strict: boolean;
  /** performance.now() when the request arrived (the evaluation's time budget counts from here). */
  receivedAt?: number;
}

/** Bindings per solution, or why there are none. `invalid`: the query itself is wrong (400). */
export type AdhocAnswer = { ok: true; rows: Record<string, unknown>[] } | { ok: false; code: string; message: string; kind: 'invalid' | 'no_policy' | 'error' };

/** The admission webhook's request, in the audit record: which object, and whether it was a dry run. */
export interface DecisionOrigin {
  protocol: 'admission';
  uid: string;
  operation: string;
  kind: string;
  namespace: string;
  name: string;
  mode: string;
  dry_run: boolean;
}

/** How a caller was authenticated ("none": authentication is off). */
export type AuthMethod = 'api_key' | 'jwt' | 'mtls' | 'none';

/** The caller as the authentication plugin verified it (src/auth). */
export interface VerifiedCaller {
  readonly id: string;
  readonly method: AuthMethod;
  /** Has scope assert:on-behalf-of: may name the user it acts for (a gateway). */
  readonly mayAssertOnBehalfOf: boolean;
}

/** Who asked, in the decision record. */
export interface CallerRecord {
  /** The verified caller id; null when authentication is off. */
  id: string | null;
  auth: AuthMethod;
  /** Peer address of the connection. */
  peer: string | null;
  /** The user a gateway says it acts for (header), kept only for callers allowed to assert it. */
  on_behalf_of?: { id: string; asserted: true };
  /** The same header from a caller not allowed to assert it: kept as evidence, never as identity. */
  ignored_on_behalf_of?: string;
}

// ---- cache ---------------------------------------------------------------------------------

/** What a cache key is made of. `revisions` and `digests` are part of it, so a new policy never
 * serves an old decision — also when a bundle changes without a new revision (a watched
 * directory edited in place keeps its .manifest revision; its file digest changes). */
export interface CacheQuery {
  readonly path: string;
  /** `undefined` (no input) is distinct from `null`. */
  readonly input: unknown;
  readonly strict: boolean;
  readonly revisions: Readonly<Record<string, string>>;
  /** bundle name → sha256 of its files, when the policy set knows them */
  readonly digests?: Readonly<Record<string, string>>;
  /** The cache's own key for this query, set by the cache on get() and reused by set(), so the
   * input is hashed once per request. (A field, not a WeakMap entry: per-request weak entries are
   * extra work for every garbage collection.) */
  cacheKey?: string;
}

/** What a cache keeps: the engine's answer only, never the per-request envelope (decision_id,
 * trace ids, latency), which is made fresh for every decision, cached or not. */
export interface CacheEntry {
  /** false when the policy left the document undefined (still a deterministic answer). */
  defined: boolean;
  /** The document when defined. */
  result?: unknown;
  engine: EngineKind;
  /** Epoch milliseconds after which the entry must not be served. */
  expiresAt: number;
}

export interface CacheHit {
  entry: CacheEntry;
  /** Which tier answered (e.g. "memory", "redis"), for the record and the span. */
  tier: string;
  /** The cache hands out this same entry object on every hit (an in-process tier), so work
   * derived from its result may be memoized on it. */
  shared: boolean;
}

export interface DecisionCache {
  /** A miss is `undefined`. Must not throw for an unavailable backend; if it does, the pipeline
   * treats it as a miss (the cache is never on the failure path). */
  get(query: CacheQuery): MaybePromise<CacheHit | undefined>;
  /** Called for every successful evaluation. The cache decides from `dependsOn` (and the result,
   * e.g. a `valid_until`) whether and for how long it may be reused: results that depend on
   * randomness or outside calls never, time-dependent ones only until their expiry. The pipeline
   * does not wait for it; errors (thrown or rejected) are swallowed. */
  set(query: CacheQuery, outcome: SuccessfulOutcome): MaybePromise<void>;
}

// ---- decision log --------------------------------------------------------------------------

/** What happened, in one word. */
export type DecisionOutcomeKind = 'decided' | 'undefined' | 'malformed' | 'error' | 'no_policy';

/** The audit record: exactly one per decision, cached or not, error or not. */
export interface DecisionRecord {
  decision_id: string;
  /** ISO-8601 time the request entered the pipeline. */
  timestamp: string;
  kind: DecisionKind;
  path: string;
  input: unknown;
  /** bundle name → revision of the snapshot used (empty when no policy was active). */
  bundles: Readonly<Record<string, string>>;
  /** bundle name → sha256 of its files: the exact content, where a revision was not bumped. */
  digests?: Readonly<Record<string, string>>;
  outcome: DecisionOutcomeKind;
  /** The raw policy result, when defined. */
  result?: unknown;
  /** The answer given on a decision endpoint (absent for the Data API). */
  decision?: DecisionAnswerBody;
  error?: { code: string; message: string };
  cached: boolean;
  /** Which cache tier answered, when cached. */
  cache_tier?: string;
  /** Which engine evaluated (null when none ran: no policy, or a cache hit that did not say). */
  engine: EngineKind | null;
  duration_ms: number;
  trace_id?: string;
  /** The pdp.decision span's id (with trace_id, locates the decision in the trace). */
  span_id?: string;
  // Who asked (DecisionPipeline.useCallerOf; by default the verified caller and the peer
  // address): the fields of a CallerRecord, flat like the log record has them.
  /** The verified caller id; absent when authentication is off. */
  caller?: string;
  caller_auth?: AuthMethod;
  peer_address?: string;
  on_behalf_of?: { id: string; asserted: true };
  ignored_on_behalf_of?: string;
  origin?: DecisionOrigin;
  /** Results of non-deterministic builtins made by the evaluation (OPA's nd_builtin_cache), when
   * decision_log.nd_builtin_cache is on and the engine made any. */
  nd_builtin_cache?: Record<string, Record<string, unknown>>;
  /** OPA's requested_by: the peer as address:port ([v6]:port). */
  requested_by?: string;
  /** OPA's req_id: this process's request counter. */
  req_id?: number;
  /** OPA's metrics (timers in ns, counters, instrumentation histograms), when the engine measured any. */
  metrics?: OpaMetrics;
  /** decision_id and timestamp were made here (a random UUID, an ISO time) and trace_id and
   * span_id are W3C ids (lowercase hex): text JSON writes as it is, so writers need not test
   * them for characters to escape. */
  plain_ids?: boolean;
  /** The decision cache's key of this query (snapshot, path, input), when the cache computed
   * one: records with the same key and the same result object (a cache hit shares it) hold equal
   * input and result, so work derived from those alone (the decision-log mask) can be reused. */
  input_key?: string;
}

/** Receives every decision record after the answer is written (the decision log, metrics). */
export interface DecisionRecorder {
  /** Must not block or throw; buffering/shipping is the implementation's business. */
  log(record: DecisionRecord): void;
}

// ---- tracing -------------------------------------------------------------------------------

export type ChildSpanName = 'pdp.cache.lookup' | 'pdp.evaluate';

export interface ChildSpan {
  end(attributes?: Record<string, string | number | boolean>): void;
}

export interface DecisionSpan {
  /** W3C trace id (32 lowercase hex digits); empty string while tracing is off (then the answer
   * carries no trace_id). */
  readonly traceId: string;
  /** The span's own id, 16 lowercase hex digits (recorded in the decision log next to trace_id). */
  readonly spanId?: string;
  /** W3C traceparent naming this span, sent back as a response header when present. */
  readonly traceparent?: string;
  /** Optional child spans around the cache lookup and the evaluation. */
  child?(name: ChildSpanName): ChildSpan;
  /** Ends the span with the same record the recorders receive. Must not throw. */
  end(record: DecisionRecord): void;
}

export interface DecisionTracer {
  start(query: DecisionQuery, decisionId: string): DecisionSpan;
}

// ---- answers -------------------------------------------------------------------------------

export interface Reason {
  code: string;
  message?: string;
  control?: string;
  [extra: string]: unknown;
}
export interface Obligation {
  type: string;
  [extra: string]: unknown;
}
export interface ExceptionApplied {
  id: string;
  [extra: string]: unknown;
}

/** Body of a decision endpoint's answer (schemas/decision-response.json). */
export interface DecisionAnswerBody {
  decision_id: string;
  allow: boolean;
  reasons: Reason[];
  obligations: Obligation[];
  exceptions_applied: ExceptionApplied[];
  /** Shared by every answer on one path of one snapshot: never modified. */
  readonly policy: { readonly path: string; readonly bundles: Readonly<Record<string, string>>; readonly digests?: Readonly<Record<string, string>> };
  cached: boolean;
  trace_id?: string;
}

/** 200 for every decided answer (allow or deny); 503 only when no policy is active. */
export interface DecisionAnswer {
  status: 200 | 503;
  body: DecisionAnswerBody;
  traceparent?: string;
  /** The body's decision_id and trace_id are text JSON writes as it is (DecisionRecord.plain_ids). */
  plainIds?: true;
  /** The body's allow, reasons, obligations, exceptions_applied and policy are the same objects
   * in every answer from this cached result (see ShapedDecision.shared): text derived from them
   * may be kept for the next. */
  shared?: true;
}

/** Data API answer: the document (absent when undefined), or why there is none. */
export type DataAnswer = (
  | {
      ok: true;
      decision_id: string;
      defined: boolean;
      result?: unknown;
      /** OPA's trace-event JSON array, when the query asked to explain. */
      explanation?: unknown[];
      /** The same trace as OPA's text lines (what `?explain=…&pretty` shows). */
      explanation_text?: string[];
      /** Engine timers (timer_rego_query_eval_ns), when the query asked for metrics; instrumentation too with ?instrument. */
      metrics?: OpaMetrics;
      /** bundle name → revision of the snapshot that answered (OPA's provenance). */
      revisions?: Readonly<Record<string, string>>;
    }
  | { ok: false; decision_id: string; code: 'NO_ACTIVE_POLICY' | 'EVALUATION_ERROR'; message: string }
) & { traceparent?: string };

export interface PipelineOptions {
  policies: PolicySnapshotSource;
  evaluation: EvaluationOptions;
  /** decision_log.nd_builtin_cache: records carry the results of non-deterministic builtins. */
  ndBuiltinCache?: boolean;
  /** Injected for deterministic tests; defaults to randomUuid (src/shared/random-uuid.ts) / Date.now. */
  newId?: () => string;
  now?: () => number;
}
