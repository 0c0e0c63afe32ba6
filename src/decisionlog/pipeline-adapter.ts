// Plugs the decision log into the pipeline: its DecisionLogger (write side) and
// DecisionLogReader (GET /v1/decisions/{id}) extension points.
import type { DecisionLogger, DecisionLogReader, DecisionRecord } from '../decisions/types.js';
import type { DecisionLog } from './decision-log.js';
import type { DecisionEvent, LogRecord } from './types.js';

export function toDecisionEvent(r: DecisionRecord): DecisionEvent {
  const d = r.decision;
  return {
    decision_id: r.decision_id,
    timestamp: r.timestamp,
    path: r.path,
    kind: r.kind,
    caller: r.caller ?? null,
    input: r.input,
    ...(r.result !== undefined ? { result: r.result } : {}),
    ...(d ? { allow: d.allow, reasons: d.reasons, obligations: d.obligations, exceptions_applied: d.exceptions_applied } : {}),
    outcome: r.outcome,
    bundles: r.bundles,
    engine: r.engine,
    cached: r.cached,
    ...(r.cache_tier !== undefined ? { cache_tier: r.cache_tier } : {}),
    latency_ms: r.duration_ms,
    ...(r.trace_id ? { trace_id: r.trace_id } : {}),
    ...(r.span_id ? { span_id: r.span_id } : {}),
    ...(r.error ? { error: r.error } : {}),
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
