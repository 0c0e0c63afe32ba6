// Plugs tracing and metrics into the decision pipeline: a DecisionTracer that makes the
// pdp.decision span (with its pdp.cache.lookup / pdp.evaluate children), and a
// DecisionLogger that counts every decision record into the metrics.
import type {
  ChildSpan,
  ChildSpanName,
  DecisionLogger,
  DecisionQuery,
  DecisionRecord,
  DecisionSpan,
  DecisionTracer,
} from '../decisions/types.js';
import type { ActiveDecisionSpan, DecisionSpanSummary, DecisionTracing } from './decision-tracer.js';
import { outcomeLabel, type PdpMetrics } from './metrics.js';

export function spanSummary(r: DecisionRecord): DecisionSpanSummary {
  // One object shape for every decision (no conditional spreads): this runs per request.
  const errorType =
    r.error?.code ?? (r.outcome === 'malformed' ? 'malformed_decision' : r.outcome === 'no_policy' ? 'no_active_policy' : undefined);
  const reasons = r.decision?.reasons;
  const reasonCodes: string[] = [];
  if (reasons) for (const x of reasons) reasonCodes.push(x.code);
  return {
    allow: r.decision?.allow,
    outcome: r.outcome,
    engine: r.engine,
    revisions: r.bundles,
    cacheHit: r.cached,
    cacheTier: r.cache_tier,
    reasonCodes,
    errorType,
    errorMessage: errorType === undefined ? undefined : (r.error?.message ?? errorType),
  };
}

class PipelineSpan implements DecisionSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceparent: string | undefined;
  private readonly span: ActiveDecisionSpan;

  constructor(span: ActiveDecisionSpan) {
    this.span = span;
    this.traceId = span.traceId;
    this.spanId = span.spanId;
    this.traceparent = span.traceparent;
  }

  child(name: ChildSpanName): ChildSpan {
    return this.span.child(name);
  }

  end(record: DecisionRecord): void {
    this.span.end(spanSummary(record));
  }
}

export class PipelineTracer implements DecisionTracer {
  private readonly tracing: DecisionTracing;

  constructor(tracing: DecisionTracing) {
    this.tracing = tracing;
  }

  start(query: DecisionQuery, decisionId: string): DecisionSpan {
    return new PipelineSpan(
      this.tracing.start({ decisionId, path: query.path, kind: query.kind, ...(query.headers ? { headers: query.headers } : {}) }),
    );
  }
}

/** Counts decisions (by path and outcome) and their latency from the decision records. */
export class MetricsDecisionLogger implements DecisionLogger {
  private readonly metrics: PdpMetrics;

  constructor(metrics: PdpMetrics) {
    this.metrics = metrics;
  }

  log(r: DecisionRecord): void {
    this.metrics.decision(r.path, outcomeLabel(r.outcome, r.decision?.allow), r.duration_ms / 1000, r.cached);
  }
}

/** Several loggers behind one; each is isolated from the others' failures. */
export function fanOutLoggers(loggers: readonly DecisionLogger[]): DecisionLogger {
  return {
    log: (record) => {
      for (const l of loggers) {
        try {
          l.log(record);
        } catch {
          // One failing consumer must not cost the others their record.
        }
      }
    },
  };
}
