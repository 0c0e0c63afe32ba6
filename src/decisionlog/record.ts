// Builds the audit record from what the pipeline reports (before masking).
import type { DecisionEvent, LogRecord } from './types.js';

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

/** The record shares the event's arrays and objects (it is serialized, never modified: masking
 * deep-copies before it changes anything). */
export function toLogRecord(e: DecisionEvent, labels: Record<string, string>): LogRecord {
  const bundles = bundlesField(e.bundles);
  return {
    decision_id: e.decision_id,
    timestamp: e.timestamp,
    path: e.path,
    kind: e.kind ?? null,
    caller: e.caller ?? null,
    ...(e.input !== undefined ? { input: e.input } : {}),
    ...(e.result !== undefined ? { result: e.result } : {}),
    allow: e.allow ?? null,
    outcome: e.outcome,
    reasons: (e.reasons ?? NONE) as unknown[],
    obligations: (e.obligations ?? NONE) as unknown[],
    exceptions_applied: (e.exceptions_applied ?? NONE) as unknown[],
    bundles,
    engine: e.engine ?? null,
    cached: e.cached,
    cache_tier: e.cached ? (e.cache_tier ?? null) : null,
    latency_ms: Math.round(e.latency_ms * 1000) / 1000,
    trace_id: e.trace_id || null,
    span_id: e.span_id || null,
    ...(e.error ? { error: { ...e.error } } : {}),
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
