// Plugs the decision log into the pipeline: its DecisionLogger (write side) and
// DecisionLogReader (GET /v1/decisions/{id}) extension points.
import type { DecisionLogger, DecisionLogReader, DecisionRecord } from '../decisions/types.js';
import type { DecisionLog } from './decision-log.js';
import type { DecisionEvent, LogRecord } from './types.js';

export function toDecisionEvent(r: DecisionRecord): DecisionEvent {
  const d = r.decision;
  // Fixed shape (undefined = absent), as the pipeline's record: this runs per request.
  return {
    decision_id: r.decision_id,
    timestamp: r.timestamp,
    path: r.path,
    kind: r.kind,
    caller: r.caller ?? null,
    input: r.input,
    result: r.result,
    allow: d?.allow,
    reasons: d?.reasons,
    obligations: d?.obligations,
    exceptions_applied: d?.exceptions_applied,
    outcome: r.outcome,
    bundles: r.bundles,
    engine: r.engine,
    cached: r.cached,
    cache_tier: r.cache_tier,
    latency_ms: r.duration_ms,
    trace_id: r.trace_id,
    span_id: r.span_id,
    error: r.error,
  };
}

export class PipelineDecisionLog implements DecisionLogger, DecisionLogReader {
  private readonly log_: DecisionLog;

  constructor(log: DecisionLog) {
    this.log_ = log;
  }

  log(record: DecisionRecord): void {
    this.log_.log(toDecisionEvent(record));
  }

  get(decisionId: string): Promise<LogRecord | undefined> {
    return this.log_.get(decisionId);
  }
}
