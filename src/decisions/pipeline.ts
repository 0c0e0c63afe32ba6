// The decision pipeline: snapshot → trace → cache → evaluate → shape → answer → record.
// Request bodies arrive already schema-validated (fastify). Everything here fails closed and
// never throws to the caller: every path ends in an answer, exactly one record and one span end.
// This is the one place that turns a throw from an engine into a deny.
import { performance } from 'node:perf_hooks';
import type { ActivePolicySet } from '../bundles/types.js';
import type { EngineKind, EvaluationOptions, EvaluationOutcome, Observations, OpaMetrics } from '../engines/types.js';
import { isPromise } from '../shared/is-promise.js';
import { randomUuid } from '../shared/random-uuid.js';
import { describeThrown } from '../shared/errors.js';
import { noopCache, noopSpan, noopTracer } from './noop.js';
import { ReasonCode } from './reasons.js';
import { shapeDecision, type Evaluation } from './answer.js';
import { EvaluationBatch } from './evaluation-batch.js';
import type {
  AdhocAnswer,
  AdhocQuery,
  CallerRecord,
  CacheHit,
  CacheQuery,
  ChildSpanName,
  DataAnswer,
  DecisionAnswer,
  DecisionAnswerBody,
  DecisionCache,
  DecisionOutcomeKind,
  DecisionQuery,
  DecisionRecord,
  DecisionRecorder,
  DecisionSpan,
  DecisionTracer,
  MaybePromise,
  PipelineOptions,
  PolicySnapshotSource,
  SuccessfulOutcome,
} from './types.js';

interface Evaluated {
  evaluation: Evaluation;
  cached: boolean;
  cacheTier?: string;
  /** See CacheHit.shared. */
  shared: boolean;
  engine: EngineKind | null;
  revisions: Readonly<Record<string, string>>;
  digests: Readonly<Record<string, string>>;
  /** What the engine reported besides the result, when asked (explain, metrics, nd_builtin_cache). */
  seen?: Observations;
  /** See DecisionRecord.input_key. */
  inputKey?: string;
}

/** Per-request state carried from start to finish. */
interface Run {
  decisionId: string;
  /** The decision id is randomUuid's (see DecisionRecord.plain_ids). */
  plainIds: boolean;
  startedAt: number;
  t0: number;
  span: DecisionSpan;
}

const NO_REVISIONS: Readonly<Record<string, string>> = Object.freeze({});

// An answer's `policy` is the same for every decision on one path of one snapshot: made once,
// frozen, and shared by the answers (which only read it) instead of three objects copied per
// decision (hits 61.1 → 59.5 µs/req, docs/benchmarks.md session 18). Keyed by the snapshot's
// revisions object, which lives as long as the snapshot.
type AnswerPolicy = DecisionAnswerBody['policy'];
const policies = new WeakMap<object, { digests: object; byPath: Map<string, AnswerPolicy> }>();
/** Paths kept per snapshot before starting over (AuthZEN mappings may name many). */
const MAX_POLICY_PATHS = 256;

function policyOf(path: string, revisions: Readonly<Record<string, string>>, digests: Readonly<Record<string, string>>): AnswerPolicy {
  let kept = policies.get(revisions);
  if (kept === undefined || kept.digests !== digests) {
    kept = { digests, byPath: new Map() };
    policies.set(revisions, kept);
  }
  let p = kept.byPath.get(path);
  if (p === undefined) {
    if (kept.byPath.size >= MAX_POLICY_PATHS) kept.byPath.clear();
    p = Object.freeze({
      path,
      bundles: Object.freeze({ ...revisions }),
      ...(digests !== NO_REVISIONS ? { digests: Object.freeze({ ...digests }) } : {}),
    });
    kept.byPath.set(path, p);
  }
  return p;
}

export class DecisionPipeline {
  private readonly policies: PolicySnapshotSource;
  private readonly evaluation: EvaluationOptions;
  private readonly ndBuiltinCache: boolean;
  private cache: DecisionCache = noopCache;
  private readonly batch = new EvaluationBatch();
  private tracer: DecisionTracer = noopTracer;
  private readonly recorders: DecisionRecorder[] = [];
  private readonly newId: () => string;
  /** Decision ids are randomUuid's (not a test's). */
  private readonly madeIds: boolean;
  private readonly now: () => number;
  /** OPA's req_id: a per-process counter, one per decision record. */
  private requests = 0;
  private callerOf: (query: DecisionQuery) => CallerRecord | undefined = (q) => ({
    id: q.caller?.id ?? null,
    auth: q.caller?.method ?? 'none',
    peer: q.remoteAddress ?? null,
  });

  constructor(opts: PipelineOptions) {
    this.policies = opts.policies;
    this.evaluation = { ...opts.evaluation };
    this.ndBuiltinCache = opts.ndBuiltinCache === true;
    this.newId = opts.newId ?? randomUuid;
    this.madeIds = opts.newId === undefined;
    this.now = opts.now ?? Date.now;
  }

  // The parts are handed over while the app is built (src/plugins), before the first request.
  useCache(cache: DecisionCache): void {
    this.cache = cache;
  }

  useTracer(tracer: DecisionTracer): void {
    this.tracer = tracer;
  }

  /** Every recorder receives every decision record, after the answer is written. */
  addRecorder(recorder: DecisionRecorder): void {
    this.recorders.push(recorder);
  }

  /** Who is asking, for the decision record (default: the verified caller and the peer address). */
  useCallerOf(fn: (query: DecisionQuery) => CallerRecord | undefined): void {
    this.callerOf = fn;
  }

  /** A decision endpoint: always a decision answer; 503 only when no policy is active. */
  async decide(query: DecisionQuery): Promise<DecisionAnswer> {
    const run = this.begin(query);
    const ev = await this.evaluate(query, run.span);
    const shaped = shapeDecision(ev.evaluation, query.path, ev.shared);
    const body: DecisionAnswerBody = {
      decision_id: run.decisionId,
      allow: shaped.allow,
      reasons: shaped.reasons,
      obligations: shaped.obligations,
      exceptions_applied: shaped.exceptions_applied,
      policy: policyOf(query.path, ev.revisions, ev.digests),
      cached: ev.cached,
      ...(run.span.traceId ? { trace_id: run.span.traceId } : {}),
    };
    this.finish(query, run, ev, shaped.outcome, shaped.error, body);
    // Every field present (undefined when it does not apply): one shape for every answer.
    return {
      status: shaped.status,
      body,
      traceparent: run.span.traceparent || undefined,
      plainIds: run.plainIds ? true : undefined,
      shared: shaped.shared ? true : undefined,
    };
  }

  /** The OPA Data API: the raw document at the path, or why there is none. */
  async query(query: DecisionQuery): Promise<DataAnswer> {
    const run = this.begin(query);
    const ev = await this.evaluate(query, run.span);
    const id = run.decisionId;
    let answer: DataAnswer;
    let outcome: DecisionOutcomeKind;
    let error: { code: string; message: string } | undefined;
    switch (ev.evaluation.kind) {
      case 'defined':
        answer = { ok: true, decision_id: id, defined: true, result: ev.evaluation.result, revisions: ev.revisions, ...answerObservations(ev.seen) };
        outcome = 'decided';
        break;
      case 'undefined':
        answer = { ok: true, decision_id: id, defined: false, revisions: ev.revisions, ...answerObservations(ev.seen) };
        outcome = 'undefined';
        break;
      case 'error':
        error = { code: ev.evaluation.code, message: ev.evaluation.message };
        answer = { ok: false, decision_id: id, code: ReasonCode.EVALUATION_ERROR, message: `${error.code}: ${error.message}` };
        outcome = 'error';
        break;
      case 'no_policy':
        answer = { ok: false, decision_id: id, code: ReasonCode.NO_ACTIVE_POLICY, message: 'no policy bundle is active yet' };
        outcome = 'no_policy';
        break;
    }
    this.finish(query, run, ev, outcome, error, undefined);
    return run.span.traceparent ? { ...answer, traceparent: run.span.traceparent } : answer;
  }

  /** An ad-hoc Rego query (OPA's /v1/query) against the current snapshot, within the same
   * evaluation budget as a decision. Not cached, and not a decision: no record is written. */
  async adhoc(query: AdhocQuery): Promise<AdhocAnswer> {
    const snapshot = this.policies.current();
    if (!snapshot) return { ok: false, code: ReasonCode.NO_ACTIVE_POLICY, message: 'no policy bundle is active yet', kind: 'no_policy' };
    if (!snapshot.query) return { ok: false, code: 'query_unsupported', message: 'the active policy set cannot answer ad-hoc queries', kind: 'error' };
    const budget = this.budgetFor({ receivedAt: query.receivedAt });
    if (!budget) return { ok: false, code: 'eval_budget_exceeded', message: 'the request spent its time budget before evaluation', kind: 'error' };
    let outcome;
    try {
      outcome = snapshot.query(query.query, query.input, query.strict ? { ...budget, strict: true } : budget);
    } catch (err) {
      return { ok: false, code: 'internal_error', message: describeThrown(err), kind: 'error' };
    }
    if (outcome.ok) return { ok: true, rows: outcome.rows };
    const invalid =
      outcome.code === 'rego_parse_error' ||
      outcome.code === 'rego_compile_error' ||
      outcome.code === 'rego_type_error' ||
      outcome.code === 'rego_unsafe_var_error' ||
      outcome.code === 'rego_recursion_error';
    return { ok: false, code: outcome.code, message: outcome.message, kind: invalid ? 'invalid' : 'error' };
  }

  private begin(query: DecisionQuery): Run {
    const decisionId = query.decisionId ?? this.newId();
    let span: DecisionSpan;
    try {
      span = this.tracer.start(query, decisionId);
    } catch {
      span = noopSpan;
    }
    return { decisionId, plainIds: this.madeIds && query.decisionId === undefined, startedAt: this.now(), t0: performance.now(), span };
  }

  private async evaluate(query: DecisionQuery, span: DecisionSpan): Promise<Evaluated> {
    // The one snapshot for this request: a bundle swap during an await below does not change
    // which policy answers it.
    const snapshot = this.policies.current();
    if (!snapshot) return { evaluation: { kind: 'no_policy' }, cached: false, shared: false, engine: null, revisions: NO_REVISIONS, digests: NO_REVISIONS };
    const revisions = snapshot.revisions;
    const digests = snapshot.digests ?? NO_REVISIONS;
    const key: CacheQuery = { path: query.path, input: query.input, strict: query.strict, revisions, digests: snapshot.digests, cacheKey: undefined };
    // An explanation or instrumentation must come from an evaluation: such a query neither reads
    // nor fills the cache.
    const observe = query.explain !== undefined || query.metrics === true || query.instrument === true || this.ndBuiltinCache;
    const bypass = query.explain !== undefined || query.instrument === true;

    // This turn's batch (src/decisions/evaluation-batch.ts): from here to the answer, the
    // decisions ready in this turn run back to back — hits too: answering each as it arrives cost
    // ~40 % more CPU per hit than answering a turn's hits together (docs/benchmarks.md, session 17).
    if (query.sequential !== true) await this.batch.join();
    const lookup = bypass ? undefined : startChild(span, 'pdp.cache.lookup');
    // No await for a synchronous cache: an equal decision earlier in this batch, evaluated and
    // cached before this continuation runs, is then a hit, not a second evaluation.
    const found = bypass ? undefined : this.cacheGet(key);
    const hit = isPromise(found) ? await found : found;
    lookup?.end({ 'pdp.cache.hit': hit !== undefined });
    if (hit) {
      const { entry } = hit;
      return {
        evaluation: entry.defined ? { kind: 'defined', result: entry.result } : { kind: 'undefined' },
        cached: true,
        cacheTier: hit.tier,
        shared: hit.shared,
        engine: entry.engine,
        revisions,
        digests,
        inputKey: key.cacheKey,
      };
    }

    const evalSpan = startChild(span, 'pdp.evaluate');
    const budget = observe ? this.observing(this.budgetFor(query), query) : this.budgetFor(query);
    // A wasm policy runs in a worker: await it, so the main thread serves other requests meanwhile.
    const outcome =
      budget && snapshot.offThread && snapshot.evaluateAsync && snapshot.engineFor(query.path) === 'wasm'
        ? await evaluateAsyncSafely(snapshot.evaluateAsync.bind(snapshot), query, budget)
        : evaluateSafely(snapshot, query, budget);
    evalSpan?.end(outcome.ok ? { 'pdp.defined': outcome.defined } : { 'error.type': outcome.code });
    const engine = outcome.engine ?? null;
    if (!outcome.ok)
      return { evaluation: { kind: 'error', code: outcome.code, message: outcome.message }, cached: false, shared: false, engine, revisions, digests };
    // The cache decides from dependsOn (and e.g. a valid_until in the result) what it may keep.
    if (!bypass) this.cacheSet(key, observe ? withoutObservations(outcome) : outcome);
    return {
      evaluation: outcome.defined ? { kind: 'defined', result: outcome.result } : { kind: 'undefined' },
      cached: false,
      shared: false,
      engine,
      revisions,
      digests,
      seen: observe ? observationsOf(outcome) : undefined,
      inputKey: key.cacheKey,
    };
  }

  /** The evaluation options plus what this query (and the decision log) asked the engine to report. */
  private observing(opts: EvaluationOptions | undefined, query: DecisionQuery): EvaluationOptions | undefined {
    if (opts === undefined) return undefined;
    return {
      ...opts,
      ...(query.explain !== undefined ? { explain: query.explain } : {}),
      ...(query.metrics === true || query.instrument === true ? { metrics: true } : {}),
      ...(query.instrument === true ? { instrument: true } : {}),
      ...(this.ndBuiltinCache ? { ndBuiltinCache: true } : {}),
    };
  }

  /** The evaluation options with what is left of the request's time budget. */
  private budgetFor(query: Pick<DecisionQuery, 'receivedAt'>): EvaluationOptions | undefined {
    const total = this.evaluation.timeoutMs;
    if (query.receivedAt === undefined || total === undefined) return this.evaluation;
    const left = total - (performance.now() - query.receivedAt);
    return left > 0 ? { ...this.evaluation, timeoutMs: left } : undefined;
  }

  private cacheGet(key: CacheQuery): MaybePromise<CacheHit | undefined> {
    // The cache is never on the failure path: a failing cache is a miss.
    try {
      const r = this.cache.get(key);
      return isPromise(r) ? r.then(undefined, () => undefined) : r;
    } catch {
      return undefined;
    }
  }

  private cacheSet(key: CacheQuery, outcome: SuccessfulOutcome): void {
    try {
      const r = this.cache.set(key, outcome);
      // Not awaited: the answer does not wait for a cache write, and a failed one is ignored.
      if (isPromise(r)) r.then(undefined, () => undefined);
    } catch {
      // See cacheGet.
    }
  }

  private finish(
    query: DecisionQuery,
    run: Run,
    ev: Evaluated,
    outcome: DecisionOutcomeKind,
    error: { code: string; message: string } | undefined,
    decision: DecisionAnswerBody | undefined,
  ): void {
    const who = callerOf(this.callerOf, query);
    // Every field present (undefined when it does not apply): one object shape per record, which
    // keeps the per-request consumers (log, metrics, span) monomorphic.
    const record: DecisionRecord = {
      decision_id: run.decisionId,
      timestamp: isoTimestamp(run.startedAt),
      kind: query.kind,
      path: query.path,
      input: query.input,
      bundles: ev.revisions,
      digests: ev.digests,
      outcome,
      result: ev.evaluation.kind === 'defined' ? ev.evaluation.result : undefined,
      decision,
      error,
      cached: ev.cached,
      cache_tier: ev.cacheTier,
      engine: ev.engine,
      duration_ms: performance.now() - run.t0,
      trace_id: run.span.traceId || undefined,
      span_id: run.span.spanId || undefined,
      caller: who?.id ?? undefined,
      caller_auth: who?.auth,
      peer_address: who?.peer ?? undefined,
      on_behalf_of: who?.on_behalf_of,
      ignored_on_behalf_of: who?.ignored_on_behalf_of,
      origin: query.origin,
      nd_builtin_cache: ev.seen?.nd_builtin_cache,
      requested_by: requestedBy(query),
      req_id: ++this.requests,
      metrics: ev.seen?.metrics,
      input_key: ev.inputKey,
      plain_ids: run.plainIds,
    };
    try {
      run.span.end(record);
    } catch {
      // Tracing never breaks a decision.
    }
    // The audit record (masking, serialization, storage, metrics) is made after the answer is
    // written, not before: a slow mask policy or a large record never delays the answer. An
    // answer from an evaluation batch is written in a check phase, so its records are made in
    // the next one, after the next poll phase: a reader of records calls flushRecords() first.
    if (query.unrecorded) return;
    this.pendingLogs.push(record);
    if (this.pendingLogs.length === 1) setImmediate(this.flushRecords);
  }

  private readonly pendingLogs: DecisionRecord[] = [];

  /** Hands every decision answered so far to the recorders now, if that has not happened yet:
   * for GET /v1/decisions/{id}, so that a lookup that follows an answer finds its record. */
  readonly flushRecords = (): void => {
    if (this.pendingLogs.length === 0) return;
    const batch = this.pendingLogs.splice(0);
    for (const record of batch) {
      for (const recorder of this.recorders) {
        try {
          recorder.log(record);
        } catch {
          // A recorder must not throw; if one does, the others and the other records still get theirs.
        }
      }
    }
  };
}

type SafeOutcome = EvaluationOutcome | { ok: false; code: string; message: string; engine?: undefined };

function evaluateSafely(snapshot: ActivePolicySet, query: DecisionQuery, opts: EvaluationOptions | undefined): SafeOutcome {
  if (opts === undefined) {
    return { ok: false, code: 'eval_budget_exceeded', message: 'the request spent its time budget before evaluation (reading, parsing, validating)' };
  }
  try {
    return snapshot.evaluate(query.path, query.input, query.strict ? { ...opts, strict: true } : opts);
  } catch (err) {
    // Engines report policy failures as outcomes; a throw is a bug, and still a deny.
    return { ok: false, code: 'internal_error', message: describeThrown(err) };
  }
}

async function evaluateAsyncSafely(
  evaluate: NonNullable<ActivePolicySet['evaluateAsync']>,
  query: DecisionQuery,
  opts: EvaluationOptions,
): Promise<SafeOutcome> {
  try {
    return await evaluate(query.path, query.input, query.strict ? { ...opts, strict: true } : opts);
  } catch (err) {
    // As in evaluateSafely: a throw is a bug, and still a deny.
    return { ok: false, code: 'internal_error', message: describeThrown(err) };
  }
}

function startChild(span: DecisionSpan, name: ChildSpanName): { end(a?: Record<string, string | number | boolean>): void } | undefined {
  if (!span.child) return undefined;
  try {
    const child = span.child(name);
    return {
      end: (a) => {
        try {
          child.end(a);
        } catch {
          // Tracing never breaks a decision.
        }
      },
    };
  } catch {
    return undefined;
  }
}

function callerOf(fn: (q: DecisionQuery) => CallerRecord | undefined, query: DecisionQuery): CallerRecord | undefined {
  try {
    return fn(query) ?? undefined;
  } catch {
    return undefined;
  }
}

function observationsOf(outcome: SuccessfulOutcome): Observations {
  return { explanation: outcome.explanation, explanation_text: outcome.explanation_text, metrics: outcome.metrics, nd_builtin_cache: outcome.nd_builtin_cache };
}

/** The outcome as the cache keeps it: observations belong to the request that asked. */
function withoutObservations(outcome: SuccessfulOutcome): SuccessfulOutcome {
  if (outcome.explanation === undefined && outcome.metrics === undefined && outcome.nd_builtin_cache === undefined) return outcome;
  const { explanation: _e, explanation_text: _t, metrics: _m, nd_builtin_cache: _n, ...rest } = outcome;
  return rest;
}

function answerObservations(seen: Observations | undefined): { explanation?: unknown[]; explanation_text?: string[]; metrics?: OpaMetrics } {
  if (seen === undefined) return {};
  return {
    ...(seen.explanation !== undefined ? { explanation: seen.explanation } : {}),
    ...(seen.explanation_text !== undefined ? { explanation_text: seen.explanation_text } : {}),
    ...(seen.metrics !== undefined ? { metrics: seen.metrics } : {}),
  };
}

let lastSecond = Number.NaN;
/** "YYYY-MM-DDTHH:MM:SS." of lastSecond. */
let secondPrefix = '';
/** 9999-12-31T23:59:59.999Z */
const MAX_FOUR_DIGIT_YEAR_MS = 253402300799999;

/** new Date(ms).toISOString(), its date and time of day formatted once per second: only the
 * milliseconds differ between the decisions of one second (toISOString formats through snprintf,
 * ~6,500 instructions a call). */
export function isoTimestamp(ms: number): string {
  const t = Math.trunc(ms);
  // Years outside 0000–9999 are written with six digits and a sign: formatted in full.
  if (!(t >= 0 && t <= MAX_FOUR_DIGIT_YEAR_MS)) return new Date(ms).toISOString();
  const second = Math.floor(t / 1000);
  if (second !== lastSecond) {
    secondPrefix = new Date(second * 1000).toISOString().slice(0, 20);
    lastSecond = second;
  }
  const milli = t - second * 1000;
  return `${secondPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

/** requested_by by peer port: every request of a connection has the same, so the text is made
 * once — and once the decision log's escape test has flattened it, later tests take the regular
 * expression's fast path (a fresh concatenation cost ~1,200 instructions more each time). */
const peers = new Map<number, { ip: string; text: string }>();
const MAX_PEERS = 4096;

/** OPA's requested_by: the peer's address and port, an IPv6 address in brackets. */
function requestedBy(q: DecisionQuery): string | undefined {
  const ip = q.remoteAddress;
  if (ip === undefined) return undefined;
  const port = q.remotePort;
  if (port === undefined) return ip;
  const kept = peers.get(port);
  if (kept !== undefined && kept.ip === ip) return kept.text;
  if (peers.size >= MAX_PEERS) peers.clear();
  const text = ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
  peers.set(port, { ip, text });
  return text;
}
