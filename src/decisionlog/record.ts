// Builds the audit record from the pipeline's decision record (before masking).
import type { CallerRecord, DecisionQuery, DecisionRecord } from '../decisions/types.js';
import { markPlainIds, markSharedField } from './record-json.js';
import type { LogRecord } from './types.js';

// A snapshot's revisions object lives as long as the snapshot (its digests too): convert it once,
// not per record.
const bundleFields = new WeakMap<object, Record<string, { revision: string; digest?: string }>>();

/** OPA's {name: {revision}}, plus the digest of the exact files that decided. */
function bundlesField(
  revisions: Readonly<Record<string, string>>,
  digests: Readonly<Record<string, string>> | undefined,
): Record<string, { revision: string; digest?: string }> {
  let bundles = bundleFields.get(revisions);
  if (!bundles) {
    bundles = {};
    for (const name of Object.keys(revisions).sort()) {
      const digest = digests?.[name];
      bundles[name] = { revision: revisions[name] as string, ...(digest !== undefined ? { digest } : {}) };
    }
    // Every record of the snapshot carries this object: its JSON is written once.
    markSharedField(bundles);
    bundleFields.set(revisions, bundles);
  }
  return bundles;
}

const NONE: unknown[] = [];

/** The record shares the decision record's arrays and objects (it is serialized, never modified:
 * masking deep-copies before it changes anything). `raw`: raw logging is on (the bundle's mask will not be applied).
 *
 * Built as one literal without spreads, its optional fields set afterwards (absent ones are left
 * out, not set to undefined: the drop and mask policies see the record as OPA would). The
 * conditional spreads cost ~2,000 instructions per record in optimized code, and until it is
 * optimized every property after a spread is a runtime call (~20,000). Optional fields therefore
 * come after the fixed ones in the record's JSON. `withoutInput`: input and nd_builtin_cache left
 * out (the masker would drop them: Masker.leavesInputOut). */
export function toLogRecord(r: DecisionRecord, labels: Record<string, string>, raw = false, withoutInput = false): LogRecord {
  const bundles = bundlesField(r.bundles, r.digests);
  const d = r.decision;
  const ns = Math.round(r.duration_ms * 1e6);
  const record: LogRecord = {
    decision_id: r.decision_id,
    timestamp: r.timestamp,
    path: r.path,
    kind: r.kind,
    caller: r.caller ?? null,
    caller_auth: r.caller_auth ?? 'none',
    peer_address: r.peer_address ?? null,
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
    raw,
    labels,
    metrics: r.metrics === undefined ? { timer_server_handler_ns: ns } : Object.assign({}, r.metrics, { timer_server_handler_ns: ns }),
  };
  markPlainIds(record, r.plain_ids === true);
  if (r.on_behalf_of) record.on_behalf_of = { ...r.on_behalf_of };
  if (r.ignored_on_behalf_of !== undefined) record.ignored_on_behalf_of = r.ignored_on_behalf_of;
  if (r.requested_by !== undefined) record.requested_by = r.requested_by;
  if (r.req_id !== undefined) record.req_id = r.req_id;
  if (r.error) record.error = { ...r.error };
  if (r.origin) record.origin = { ...r.origin };
  if (r.input !== undefined && !withoutInput) record.input = r.input;
  if (r.result !== undefined) record.result = r.result;
  if (r.nd_builtin_cache !== undefined && !withoutInput) record.nd_builtin_cache = r.nd_builtin_cache;
  return record;
}

/** Longest on-behalf-of value kept: it is caller-supplied text. */
const MAX_ASSERTED_LENGTH = 256;

/** Who asked: the verified caller (id and how it authenticated), the peer address, and the
 * on-behalf-of header. The header is an assertion, never an identity: it is recorded as
 * `on_behalf_of` (marked asserted) only when the caller may assert it — it has the scope
 * assert:on-behalf-of, or authentication is off and every caller may — else as
 * `ignored_on_behalf_of`, evidence of the attempt. `headerName` in lower case, as Node gives
 * request headers (lowered once by the caller, not per decision). */
export function callerOf(query: Pick<DecisionQuery, 'headers' | 'remoteAddress' | 'caller'>, headerName: string | null): CallerRecord {
  const verified = query.caller ?? null;
  const record: CallerRecord = { id: verified?.id ?? null, auth: verified?.method ?? 'none', peer: query.remoteAddress ?? null };
  if (headerName && query.headers) {
    const v = query.headers[headerName];
    const asserted = (Array.isArray(v) ? v[0] : v)?.trim().slice(0, MAX_ASSERTED_LENGTH);
    if (asserted) {
      if (verified === null || verified.mayAssertOnBehalfOf) record.on_behalf_of = { id: asserted, asserted: true };
      else record.ignored_on_behalf_of = asserted;
    }
  }
  return record;
}
