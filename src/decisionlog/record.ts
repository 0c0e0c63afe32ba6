// Builds the audit record from the pipeline's decision record (before masking).
import type { DecisionRecord } from '../decisions/types.js';
import type { LogRecord } from './types.js';

// A snapshot's revisions object lives as long as the snapshot: convert it once, not per record.
const bundleFields = new WeakMap<object, Record<string, { revision: string }>>();

function bundlesField(revisions: Readonly<Record<string, string>>): Record<string, { revision: string }> {
  let bundles = bundleFields.get(revisions);
  if (!bundles) {
    bundles = {};
    for (const name of Object.keys(revisions).sort()) bundles[name] = { revision: revisions[name] as string };
    bundleFields.set(revisions, bundles);
  }
  return bundles;
}

const NONE: unknown[] = [];

/** The record shares the decision record's arrays and objects (it is serialized, never modified:
 * masking deep-copies before it changes anything). `raw`: raw logging is on (the bundle's mask will not be applied). */
export function toLogRecord(r: DecisionRecord, labels: Record<string, string>, raw = false): LogRecord {
  const bundles = bundlesField(r.bundles);
  const d = r.decision;
  return {
    decision_id: r.decision_id,
    timestamp: r.timestamp,
    path: r.path,
    kind: r.kind,
    caller: r.caller ?? null,
    ...(r.input !== undefined ? { input: r.input } : {}),
    ...(r.result !== undefined ? { result: r.result } : {}),
    allow: d?.allow ?? null,
    outcome: r.outcome,
    reasons: d?.reasons ?? NONE,
    obligations: d?.obligations ?? NONE,
    exceptions_applied: d?.exceptions_applied ?? NONE,
    bundles,
    engine: r.engine,
    cached: r.cached,
    cache_tier: r.cached ? (r.cache_tier ?? null) : null,
    latency_ms: Math.round(r.duration_ms * 1000) / 1000,
    trace_id: r.trace_id || null,
    span_id: r.span_id || null,
    ...(r.error ? { error: { ...r.error } } : {}),
    raw,
    labels,
  };
}

/** Who asked: the configured caller header when present (an identity the caller asserts,
 * e.g. set by a mesh/gateway), else the peer address. */
export function callerOf(
  headers: Readonly<Record<string, string | string[] | undefined>> | undefined,
  remoteAddress: string | undefined,
  headerName: string | null,
): string | null {
  if (headerName && headers) {
    const v = headers[headerName.toLowerCase()];
    const s = Array.isArray(v) ? v[0] : v;
    if (s && s.trim()) return s.trim().slice(0, 256);
  }
  return remoteAddress ?? null;
}
