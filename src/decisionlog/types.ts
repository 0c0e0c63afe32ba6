// The decision log's vocabulary: what every sink receives and GET /v1/decisions/{id} returns
// (LogRecord, made from the pipeline's DecisionRecord), and the sink interface.
import type { DecisionOrigin } from '../decisions/types.js';
import type { OpaMetrics } from '../engines/types.js';

/** One audit record. Field names follow OPA's decision log event where OPA has one
 * (decision_id, timestamp, path, input, result, bundles, trace_id, span_id, erased, masked,
 * labels); the rest are this service's additions. Input and result are already masked. */
export interface LogRecord {
  decision_id: string;
  timestamp: string;
  path: string;
  kind: string | null;
  /** The verified caller id (API key name, JWT caller claim, certificate identity); null when
   * authentication is off. */
  caller: string | null;
  /** How the caller authenticated: api_key, jwt, mtls, or none. */
  caller_auth: string;
  /** Peer address of the connection. */
  peer_address: string | null;
  /** The user a gateway acts for, as it asserted in the on-behalf-of header (scope assert:on-behalf-of). */
  on_behalf_of?: { id: string; asserted: true };
  /** That header from a caller not allowed to assert it: recorded, never trusted. */
  ignored_on_behalf_of?: string;
  input?: unknown;
  result?: unknown;
  allow: boolean | null;
  outcome: string;
  reasons: unknown[];
  obligations: unknown[];
  exceptions_applied: unknown[];
  bundles: Record<string, { revision: string }>;
  engine: string | null;
  cached: boolean;
  cache_tier: string | null;
  latency_ms: number;
  trace_id: string | null;
  span_id: string | null;
  error?: { code: string; message: string };
  /** How the question arrived when not on a decision endpoint (the admission webhook: object, mode, dry run). */
  origin?: DecisionOrigin;
  /** Mask patterns that removed something (OPA's `erased`). */
  erased?: string[];
  /** Mask patterns that replaced something (OPA's `masked`). */
  masked?: string[];
  /** Set when masking failed: input and result were then erased entirely. */
  mask_error?: string;
  /** true: raw logging (decision_log.raw) — the bundle's mask was not applied, only the configured
   * pointers. false: the record was masked (by the bundle's mask policy; without one, the input
   * is left out). */
  raw: boolean;
  /** Identify this service instance (OPA's `labels`: the configured labels, id and version). */
  labels: Record<string, string>;
  /** Results of non-deterministic builtins (OPA's field; decision_log.nd_builtin_cache). */
  nd_builtin_cache?: Record<string, Record<string, unknown>>;
  /** OPA's requested_by: the peer as address:port. */
  requested_by?: string;
  /** OPA's req_id: this process's request counter. */
  req_id?: number;
  /** OPA's metrics: timer_server_handler_ns, plus what the engine measured. */
  metrics?: OpaMetrics;
}

/** A destination for records. `send` resolves when the batch is durably handed over and
 * rejects on failure (the dispatcher then retries with backoff). It must bound its own time. */
export interface LogSink {
  readonly name: string;
  /** How the sink writes, where it can change at run time (status shows it). */
  readonly mode?: string;
  send(batch: readonly LogRecord[]): Promise<void>;
  close?(): Promise<void>;
}

export interface SinkStatus {
  name: string;
  queue_depth: number;
  capacity: number;
  /** Size of the buffered records' JSON text (characters: bytes for ASCII), excluding a batch
   * being sent, and its bound (null: unbounded). */
  queue_bytes: number;
  max_bytes: number | null;
  delivered: number;
  dropped: number;
  errors: number;
  last_error: { message: string; at: string } | null;
  /** The sink's own `mode`, when it has one. */
  mode?: string;
}

/** The decision log's part of `/v1/pdp/status`. */
export interface DecisionLogStatus {
  sinks: SinkStatus[];
  /** Records dropped because a sink buffer was full, all sinks together. */
  dropped_total: number;
  /** bytes: JSON characters held; max_bytes null = unbounded. */
  store: { entries: number; max_entries: number; bytes: number; max_bytes: number | null; retention_ms: number };
  mask_errors: number;
  /** Records not logged because the drop policy (decision_log.drop_decision) said so. */
  policy_dropped: number;
  /** Drop-policy evaluations that failed (the record was kept). */
  drop_errors: number;
  /** Raw logging is on (decision_log.raw). */
  raw: boolean;
  /** How records are masked now: "native" (the default mask program computed natively),
   * "policy" (the bundle's mask evaluated), "none" (no mask policy: the input is left out),
   * "raw". */
  mask: 'native' | 'policy' | 'none' | 'raw';
}

/** Told about deliveries, drops and sink errors, so metrics need no import from here. */
export interface LogObserver {
  delivered(sink: string, n: number): void;
  dropped(sink: string, n: number): void;
  failed(sink: string): void;
  /** A record the drop policy dropped. */
  policyDropped?(): void;
}
