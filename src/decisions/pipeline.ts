// The decision pipeline: snapshot → trace → cache → evaluate → shape → log → answer.
// Request bodies arrive already schema-validated (fastify). Everything here fails closed and
// never throws to the caller: every path ends in an answer and exactly one record + span end.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ActivePolicySet } from '../bundles/types.js';
import type { EvaluationOptions, EvaluationOutcome } from '../engines/types.js';
import { noopCache, noopLogger, noopTracer } from './noop.js';
import { ReasonCode } from './reasons.js';
import { shapeDecision, type Evaluation } from './shape.js';
import type {
  CacheLookup,
  CachedEvaluation,
  DataAnswer,
  DecisionAnswer,
  DecisionAnswerBody,
  DecisionCache,
  DecisionLogger,
  DecisionOutcomeKind,
  DecisionQuery,
  DecisionRecord,
  DecisionTracer,
  PipelineOptions,
  PolicySnapshotSource,
} from './types.js';

interface Evaluated {
  evaluation: Evaluation;
  cached: boolean;
  revisions: Readonly<Record<string, string>>;
}

const NO_REVISIONS: Readonly<Record<string, string>> = Object.freeze({});

export class DecisionPipeline {
  private readonly policies: PolicySnapshotSource;
  private readonly evaluation: EvaluationOptions;
  private readonly cache: DecisionCache;
  private readonly logger: DecisionLogger;
  private readonly tracer: DecisionTracer;
  private readonly newId: () => string;
  private readonly now: () => number;

  constructor(opts: PipelineOptions) {
    this.policies = opts.policies;
    this.evaluation = { ...opts.evaluation };
    this.cache = opts.cache ?? noopCache;
    this.logger = opts.logger ?? noopLogger;
    this.tracer = opts.tracer ?? noopTracer;
    this.newId = opts.newId ?? randomUUID;
    this.now = opts.now ?? Date.now;
  }

  /** A decision endpoint: always a decision answer; 503 only when no policy is active. */
  async decide(query: DecisionQuery): Promise<DecisionAnswer> {
    const decisionId = this.newId();
    const startedAt = this.now();
    const t0 = performance.now();
    const span = safeStart(this.tracer, query, decisionId);
    const { evaluation, cached, revisions } = await this.evaluate(query);
    const shaped = shapeDecision(evaluation, query.path);
    const body: DecisionAnswerBody = {
      decision_id: decisionId,
      allow: shaped.allow,
      reasons: shaped.reasons,
      obligations: shaped.obligations,
      exceptions_applied: shaped.exceptions_applied,
      policy: { path: query.path, bundles: { ...revisions } },
      cached,
      ...(span.traceId ? { trace_id: span.traceId } : {}),
    };
    this.finish(span, {
      decision_id: decisionId,
      timestamp: new Date(startedAt).toISOString(),
      kind: query.kind,
      path: query.path,
      input: query.input,
      bundles: revisions,
      outcome: shaped.outcome,
      ...(evaluation.kind === 'defined' ? { result: evaluation.result } : {}),
      decision: body,
      ...(shaped.error ? { error: shaped.error } : {}),
      cached,
      duration_ms: performance.now() - t0,
      ...(span.traceId ? { trace_id: span.traceId } : {}),
    });
    return { status: shaped.status, body };
  }

  /** The OPA Data API: the raw document at the path, or why there is none. */
  async query(query: DecisionQuery): Promise<DataAnswer> {
    const decisionId = this.newId();
    const startedAt = this.now();
    const t0 = performance.now();
    const span = safeStart(this.tracer, query, decisionId);
    const { evaluation, cached, revisions } = await this.evaluate(query);
    let answer: DataAnswer;
    let outcome: DecisionOutcomeKind;
    switch (evaluation.kind) {
      case 'defined':
        answer = { ok: true, decision_id: decisionId, defined: true, result: evaluation.result };
        outcome = 'decided';
        break;
      case 'undefined':
        answer = { ok: true, decision_id: decisionId, defined: false };
        outcome = 'undefined';
        break;
      case 'error':
        answer = { ok: false, decision_id: decisionId, code: ReasonCode.EVALUATION_ERROR, message: `${evaluation.code}: ${evaluation.message}` };
        outcome = 'error';
        break;
      case 'no_policy':
        answer = { ok: false, decision_id: decisionId, code: ReasonCode.NO_ACTIVE_POLICY, message: 'no policy bundle is active yet' };
        outcome = 'no_policy';
        break;
    }
    this.finish(span, {
      decision_id: decisionId,
      timestamp: new Date(startedAt).toISOString(),
      kind: query.kind,
      path: query.path,
      input: query.input,
      bundles: revisions,
      outcome,
      ...(evaluation.kind === 'defined' ? { result: evaluation.result } : {}),
      ...(evaluation.kind === 'error' ? { error: { code: evaluation.code, message: evaluation.message } } : {}),
      cached,
      duration_ms: performance.now() - t0,
      ...(span.traceId ? { trace_id: span.traceId } : {}),
    });
    return answer;
  }

  private async evaluate(query: DecisionQuery): Promise<Evaluated> {
    // The one snapshot for this request: a bundle swap during an await below does not change
    // which policy answers it.
    const snapshot = this.policies.current();
    if (!snapshot) return { evaluation: { kind: 'no_policy' }, cached: false, revisions: NO_REVISIONS };
    const revisions = snapshot.revisions;
    const key: CacheLookup = { path: query.path, input: query.input, strict: query.strict, revisions };

    const hit = await this.cacheGet(key);
    if (hit) return { evaluation: hit.defined ? { kind: 'defined', result: hit.result } : { kind: 'undefined' }, cached: true, revisions };

    const outcome = evaluateSafely(snapshot, query, this.evaluation);
    if (!outcome.ok) return { evaluation: { kind: 'error', code: outcome.code, message: outcome.message }, cached: false, revisions };
    const value: CachedEvaluation = outcome.defined ? { defined: true, result: outcome.result } : { defined: false };
    const deps = outcome.dependsOn;
    if (!deps.time && !deps.random && !deps.external) this.cacheSet(key, value, outcome);
    return { evaluation: outcome.defined ? { kind: 'defined', result: outcome.result } : { kind: 'undefined' }, cached: false, revisions };
  }

  private async cacheGet(key: CacheLookup): Promise<CachedEvaluation | undefined> {
    try {
      const r = this.cache.get(key);
      // Skip the microtask for synchronous caches (the no-op, an in-process LRU).
      return isPromise(r) ? await r : r;
    } catch {
      // The cache is never on the failure path: a failing cache is a miss.
      return undefined;
    }
  }

  private cacheSet(key: CacheLookup, value: CachedEvaluation, outcome: Extract<EvaluationOutcome, { ok: true }>): void {
    try {
      const r = this.cache.set(key, value, outcome.dependsOn);
      // Not awaited: the answer does not wait for the cache write.
      if (isPromise(r)) r.then(undefined, () => undefined);
    } catch {
      // See cacheGet.
    }
  }

  private finish(span: { end(record: DecisionRecord): void }, record: DecisionRecord): void {
    try {
      this.logger.log(record);
    } catch {
      // A logger must not throw; if one does, the caller still gets the answer.
    }
    try {
      span.end(record);
    } catch {
      // Same for tracing.
    }
  }
}

type SafeOutcome = EvaluationOutcome | { ok: false; code: string; message: string };

function evaluateSafely(snapshot: ActivePolicySet, query: DecisionQuery, opts: EvaluationOptions): SafeOutcome {
  try {
    return snapshot.evaluate(query.path, query.input, query.strict ? { ...opts, strict: true } : opts);
  } catch (err) {
    // Engines report failures as outcomes; a throw is a bug, and still a deny.
    return { ok: false, code: 'internal_error', message: err instanceof Error ? err.message : String(err) };
  }
}

function safeStart(tracer: DecisionTracer, query: DecisionQuery, decisionId: string): { traceId: string; end(record: DecisionRecord): void } {
  try {
    return tracer.start(query, decisionId);
  } catch {
    return { traceId: '', end: () => undefined };
  }
}

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | null | undefined)?.then === 'function';
}
