// The decision log — a recorder of the pipeline: one masked record per decision, kept for lookup
// and fanned out to the sinks. log() is synchronous and never throws or waits — buffering and
// delivery happen in the per-sink dispatchers.
import type { DecisionRecord, DecisionRecorder } from '../decisions/types.js';
import { SinkDispatcher } from './dispatcher.js';
import type { LeftOutField, MaskHint, Masker } from './mask/masker.js';
import type { DropVerdict, PolicyDropFn } from './policy-drop.js';
import type { RecordStore } from './record-store.js';
import { toLogRecord } from './record.js';
import { markSharedField, recordJson } from './record-json.js';
import { describeThrown } from '../shared/errors.js';
import type { DecisionLogStatus, LogObserver, LogRecord, LogSink } from './types.js';

/** The last resort when masking itself broke: the envelope of the decision only — no request
 * data, no policy output (its messages may quote the request), no error message. */
function withoutRequestData(d: DecisionRecord, labels: Record<string, string>, raw: boolean, e: unknown): LogRecord {
  const { input, result, error, ...envelope } = toLogRecord(d, labels, raw);
  return {
    ...envelope,
    reasons: [],
    obligations: [],
    exceptions_applied: [],
    ...(error ? { error: { code: error.code, message: '(not logged: masking failed)' } } : {}),
    erased: ['/input', '/result', '/reasons', '/obligations', '/exceptions_applied'],
    mask_error: `masking failed: ${e instanceof Error ? e.name : typeof e}`,
  };
}

/** Equal records share a hint: the cache's key and the result object a cache hit shares. */
function maskHint(d: DecisionRecord): MaskHint | undefined {
  return d.input_key !== undefined && typeof d.result === 'object' && d.result !== null
    ? { anchor: d.result, key: `${d.input_key}\u0000${d.kind}\u0000${d.path}` }
    : undefined;
}

const INPUT_LEFT_OUT: readonly LeftOutField[] = ['input'];
const ND_LEFT_OUT: readonly LeftOutField[] = ['nd_builtin_cache'];
const BOTH_LEFT_OUT: readonly LeftOutField[] = ['input', 'nd_builtin_cache'];

/** The decision's fields a record made without its input lacks (undefined: none). */
function leftOutOf(d: DecisionRecord): readonly LeftOutField[] | undefined {
  if (d.input !== undefined) return d.nd_builtin_cache !== undefined ? BOTH_LEFT_OUT : INPUT_LEFT_OUT;
  return d.nd_builtin_cache !== undefined ? ND_LEFT_OUT : undefined;
}

/** Where records this process's memory does not hold may be found (Redis, sibling workers). */
export interface RecordLookup {
  /** undefined when absent or unavailable (each bounds its own wait). */
  get(decisionId: string): Promise<LogRecord | undefined>;
}

export interface DecisionLogOptions {
  sinks: readonly LogSink[];
  masker: Masker;
  store: RecordStore;
  /** Reads records other replicas wrote (optional). */
  remoteLookup?: RecordLookup;
  /** Asks the other workers of this process (server.workers > 1), before the remote lookup. */
  siblingLookup?: RecordLookup;
  labels: Record<string, string>;
  /** OPA's drop policy (data.system.log.drop): records it drops are not logged at all. */
  policyDrop?: PolicyDropFn;
  buffer: { capacity: number; maxBytes?: number; batchSize: number; maxDelayMs: number; backoff?: { initialMs: number; maxMs: number } };
  /** Per-sink overrides, e.g. the HTTP sink batches for longer. */
  perSink?: Record<string, Partial<{ batchSize: number; maxDelayMs: number }>>;
  observer?: LogObserver;
  now?: () => number;
}

/** What a shutdown could not deliver: per sink, and how many of those reached the spill file. */
export interface ShutdownLoss {
  undelivered: Record<string, number>;
  spilled: number;
  spill_error?: string;
}

export class DecisionLog implements DecisionRecorder {
  private readonly dispatchers: SinkDispatcher[];
  private readonly masker: Masker;
  private readonly store: RecordStore;
  private readonly remote: RecordLookup | undefined;
  private readonly siblings: RecordLookup | undefined;
  private readonly labels: Record<string, string>;
  private readonly now: () => number;
  private readonly policyDrop: PolicyDropFn | undefined;
  private readonly observer: LogObserver | undefined;
  private internalErrors = 0;
  private policyDropped = 0;
  private dropErrors = 0;

  constructor(opts: DecisionLogOptions) {
    this.masker = opts.masker;
    this.store = opts.store;
    this.remote = opts.remoteLookup;
    this.siblings = opts.siblingLookup;
    this.labels = opts.labels;
    // Every record carries this object: its JSON is written once. (Never modified after start.)
    markSharedField(this.labels);
    this.now = opts.now ?? Date.now;
    this.policyDrop = opts.policyDrop;
    this.observer = opts.observer;
    this.dispatchers = opts.sinks.map(
      (sink) =>
        new SinkDispatcher({
          sink,
          capacity: opts.buffer.capacity,
          maxBytes: opts.buffer.maxBytes,
          batchSize: opts.perSink?.[sink.name]?.batchSize ?? opts.buffer.batchSize,
          maxDelayMs: opts.perSink?.[sink.name]?.maxDelayMs ?? opts.buffer.maxDelayMs,
          backoff: opts.buffer.backoff,
          observer: opts.observer,
          now: opts.now,
        }),
    );
  }

  /** Asks the drop policy, masks, stores and enqueues; returns the masked record (undefined when
   * the drop policy dropped it, or if even the fail-closed record could not be made). */
  log(decision: DecisionRecord): LogRecord | undefined {
    let record: LogRecord;
    try {
      // Made without the input when masking would drop it — unless a drop rule is to see it.
      const leaveOut = this.masker.leavesInputOut && (this.policyDrop === undefined || this.policyDrop.present?.() === false);
      const unmasked = toLogRecord(decision, this.labels, this.masker.raw, leaveOut);
      // As OPA: the drop policy sees the record before masking.
      if (this.policyDrop && this.dropped(unmasked)) return undefined;
      // `unmasked` is this call's own: masked in place, not copied.
      record = this.masker.mask(unmasked, maskHint(decision), true, leaveOut ? leftOutOf(decision) : undefined);
    } catch (e) {
      // The masker does not throw (its own failures fail closed inside); if it ever does, the
      // decision is still recorded — without anything taken from the request or the policy.
      this.internalErrors++;
      try {
        record = withoutRequestData(decision, this.labels, this.masker.raw, e);
      } catch {
        return undefined;
      }
    }
    this.store.put(record);
    for (const d of this.dispatchers) d.enqueue(record);
    return record;
  }

  private dropped(record: LogRecord): boolean {
    let verdict: DropVerdict;
    try {
      verdict = this.policyDrop?.(record) ?? 'keep';
    } catch {
      verdict = 'error';
    }
    if (verdict === 'error') this.dropErrors++;
    if (verdict !== 'drop') return false;
    this.policyDropped++;
    this.observer?.policyDropped?.();
    return true;
  }

  /** A record within retention: this process's memory first (this worker's, then its
   * siblings'), then Redis if configured. */
  async get(decisionId: string): Promise<LogRecord | undefined> {
    const local = this.store.get(decisionId);
    if (local) return local;
    const sibling = this.siblings ? await this.siblings.get(decisionId) : undefined;
    return sibling ?? (this.remote ? await this.remote.get(decisionId) : undefined);
  }

  /** This worker's memory only (what it answers its siblings with). */
  getLocal(decisionId: string): LogRecord | undefined {
    return this.store.get(decisionId);
  }

  status(): DecisionLogStatus {
    const sinks = this.dispatchers.map((d) => d.status());
    return {
      sinks,
      dropped_total: sinks.reduce((n, s) => n + s.dropped, 0),
      store: {
        entries: this.store.size,
        max_entries: this.store.maxEntries,
        bytes: this.store.bytes,
        max_bytes: Number.isFinite(this.store.maxBytes) ? this.store.maxBytes : null,
        retention_ms: this.store.retentionMs,
      },
      mask_errors: this.masker.maskErrors + this.internalErrors,
      policy_dropped: this.policyDropped,
      drop_errors: this.dropErrors,
      raw: this.masker.raw,
      mask: this.masker.mode,
    };
  }

  /** Shutdown: deliver what is buffered (all sinks in parallel) until the deadline. What is left
   * is counted as dropped per sink and, with a spill file, appended to it as JSON lines (at least
   * once: a batch a hung sink may yet have taken is spilled too). */
  async close(timeoutMs: number, spill?: (lines: string) => void): Promise<ShutdownLoss> {
    const deadline = this.now() + timeoutMs;
    await Promise.all(this.dispatchers.map((d) => d.flush(deadline)));
    const undelivered: Record<string, number> = {};
    let spilled = 0;
    let spillError: string | undefined;
    for (const d of this.dispatchers) {
      d.close();
      const left = d.abandon();
      undelivered[d.sink.name] = left.length;
      if (left.length === 0 || !spill) continue;
      try {
        spill(left.map((r) => recordJson(r) + '\n').join(''));
        spilled += left.length;
      } catch (e) {
        spillError = describeThrown(e);
      }
    }
    // A sink that hangs on close must not hold the shutdown past its deadline.
    await Promise.race([
      Promise.all(this.dispatchers.map((d) => d.sink.close?.().catch(() => undefined))),
      new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - this.now())).unref()),
    ]);
    return { undelivered, spilled, ...(spillError !== undefined ? { spill_error: spillError } : {}) };
  }
}
