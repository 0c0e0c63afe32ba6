// Test support: the pipeline's DecisionRecord as the decision log receives it. The answer body
// (allow, reasons, …) is the `decision` field; this builds one consistent with the record.
import type { DecisionAnswerBody, DecisionRecord, Reason } from '../../src/decisions/types.js';

/** The answer a decision endpoint gave for `record` (what the record's `decision` holds). */
export function answerFor(
  record: Pick<DecisionRecord, 'decision_id' | 'path' | 'bundles' | 'cached' | 'trace_id'>,
  allow: boolean,
  reasons: Reason[] = [],
): DecisionAnswerBody {
  return {
    decision_id: record.decision_id,
    allow,
    reasons,
    obligations: [],
    exceptions_applied: [],
    policy: { path: record.path, bundles: { ...record.bundles } },
    cached: record.cached,
    ...(record.trace_id ? { trace_id: record.trace_id } : {}),
  };
}

/** A decision endpoint's record: `decision` made from the other fields and `allow`/`reasons`. */
export function decidedRecord(fields: Omit<DecisionRecord, 'decision'>, allow: boolean, reasons: Reason[] = []): DecisionRecord {
  return { ...fields, decision: answerFor(fields, allow, reasons) };
}
