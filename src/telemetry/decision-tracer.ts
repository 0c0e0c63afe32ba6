// The pipeline's DecisionTracer: one span per decision, created explicitly (no
// auto-instrumentation needed):
//
//   pdp.decision        SERVER span; child of the caller's W3C traceparent when one was sent
//     pdp.cache.lookup  the cache lookup (both tiers)
//     pdp.evaluate      the engine evaluation (absent on a cache hit)
//
// Attributes on pdp.decision: pdp.decision_id, pdp.path, pdp.kind, pdp.allow, pdp.outcome,
// pdp.engine, pdp.bundle_revisions ("name=revision"), pdp.cache.hit, pdp.cache.tier,
// pdp.reason_codes, error.type (only when the decision errored; also the status message).
// Nothing from the request body (input values) is put on a span: spans are exported
// unmasked, to a collector that is not the audit log.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, isSpanContextValid, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { RandomTextBatch, writeHex } from '../shared/random-text-batch.js';
import type { ChildSpan, ChildSpanName, DecisionQuery, DecisionRecord, DecisionSpan, DecisionTracer } from '../decisions/types.js';

export type HeaderCarrier = Readonly<Record<string, string | string[] | undefined>>;

export const DECISION_SPAN = 'pdp.decision';

const propagator = new W3CTraceContextPropagator();

const NO_CHILD: ChildSpan = { end: () => undefined };

export class ActiveDecisionSpan implements DecisionSpan {
  /** '' when tracing is off (no SDK registered and no caller trace). */
  readonly traceId: string;
  readonly spanId: string;
  /** W3C traceparent naming this span — for the response header. */
  readonly traceparent: string | undefined;
  private readonly span: Span;
  private readonly parent: Context;
  /** The context children are started in; made on the first child (cache hits have one). */
  private ctx: Context | undefined;
  private readonly tracer: Tracer;
  private ended = false;

  /** `madeValid`: the span's ids were made (or checked) by the caller — valid W3C ids, not
   * checked again by the API's regular expressions. `traceparent`: the header for exactly these
   * ids, made by the caller (rootIds). */
  constructor(tracer: Tracer, span: Span, parent: Context, madeValid = false, traceparent?: string) {
    this.tracer = tracer;
    this.span = span;
    this.parent = parent;
    const sc = span.spanContext();
    const valid = madeValid || isSpanContextValid(sc);
    this.traceId = valid ? sc.traceId : '';
    this.spanId = valid ? sc.spanId : '';
    // The W3C header, written directly (what W3CTraceContextPropagator.inject writes for a valid
    // span context) instead of building a context and a carrier per decision.
    this.traceparent = traceparent ?? (valid ? `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}` : undefined);
  }

  child(name: ChildSpanName): ChildSpan {
    // Not recorded (sampled out, or exported nowhere): neither are its children.
    if (!this.span.isRecording()) return NO_CHILD;
    this.ctx ??= trace.setSpan(this.parent, this.span);
    const child = this.tracer.startSpan(name, { kind: SpanKind.INTERNAL }, this.ctx);
    let done = false;
    return {
      end: (attributes) => {
        if (done) return;
        done = true;
        if (attributes) child.setAttributes(attributes);
        child.end();
      },
    };
  }

  /** Idempotent: a second call is ignored, so a decision can never produce two span ends. */
  end(r: DecisionRecord): void {
    if (this.ended) return;
    this.ended = true;
    const span = this.span;
    if (!span.isRecording()) {
      span.end();
      return;
    }
    const allow = r.decision?.allow;
    if (allow !== undefined) span.setAttribute('pdp.allow', allow);
    span.setAttribute('pdp.outcome', r.outcome);
    if (r.engine) span.setAttribute('pdp.engine', r.engine);
    span.setAttribute('pdp.bundle_revisions', revisionList(r.bundles));
    span.setAttribute('pdp.cache.hit', r.cached);
    span.setAttribute('pdp.cache.tier', r.cached && r.cache_tier ? r.cache_tier : 'none');
    const reasonCodes: string[] = [];
    for (const x of r.decision?.reasons ?? []) reasonCodes.push(x.code);
    span.setAttribute('pdp.reason_codes', reasonCodes);
    const errorType = r.error?.code ?? (r.outcome === 'malformed' ? 'malformed_decision' : r.outcome === 'no_policy' ? 'no_active_policy' : undefined);
    if (errorType !== undefined) {
      span.setAttribute('error.type', errorType);
      // The code only: an error's message can quote the request value it failed on (a builtin
      // error under strict mode), and spans leave the service unmasked. The message is in the
      // decision log, masked.
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
    }
    span.end();
  }
}

export class DecisionTracing implements DecisionTracer {
  private readonly tracer: Tracer;
  private readonly idsOnly: boolean;

  /** Without a tracer, the global one (registered by ./tracing.ts) is used. `idsOnly`: that
   * tracer records nothing (the SDK runs with the AlwaysOff sampler because spans are exported
   * nowhere), so a decision's span is made here as the SDK would make it — a non-recording span
   * with new ids, in the caller's trace when it sent one — without the SDK's per-span sampling,
   * attribute copying and span metrics. */
  constructor(opts: { tracer?: Tracer; idsOnly?: boolean } = {}) {
    this.tracer = opts.tracer ?? trace.getTracer('ai-governance-pdp');
    this.idsOnly = opts.idsOnly === true;
  }

  start(query: DecisionQuery, decisionId: string): ActiveDecisionSpan {
    // Most callers send no trace context: skip the propagator then.
    const headers = query.headers;
    const parent = headers && headers.traceparent !== undefined ? propagator.extract(ROOT_CONTEXT, headers, headerGetter) : ROOT_CONTEXT;
    if (this.idsOnly) {
      const from = trace.getSpanContext(parent);
      const inTrace = from !== undefined && isSpanContextValid(from);
      if (!inTrace) {
        const ids = rootIds();
        const span = trace.wrapSpanContext({ traceId: ids.traceId, spanId: ids.spanId, traceFlags: TraceFlags.NONE });
        return new ActiveDecisionSpan(this.tracer, span, parent, true, ids.traceparent);
      }
      const span = trace.wrapSpanContext({
        traceId: from.traceId,
        spanId: rootIds().spanId,
        traceFlags: TraceFlags.NONE,
        ...(from.traceState !== undefined ? { traceState: from.traceState } : {}),
      });
      // a new span id (rootIds' hex), the caller's trace id checked just above
      return new ActiveDecisionSpan(this.tracer, span, parent, true);
    }
    const span = this.tracer.startSpan(
      DECISION_SPAN,
      { kind: SpanKind.SERVER, attributes: { 'pdp.decision_id': decisionId, 'pdp.path': query.path, 'pdp.kind': query.kind } },
      parent,
    );
    return new ActiveDecisionSpan(this.tracer, span, parent);
  }
}

const headerGetter = {
  keys: (c: HeaderCarrier) => Object.keys(c),
  get: (c: HeaderCarrier, key: string) => {
    const v = c[key] ?? c[key.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  },
};

// A snapshot's revisions object lives as long as the snapshot: format it once, not per decision.
const revisionLists = new WeakMap<object, string[]>();

function revisionList(revisions: Readonly<Record<string, string>>): string[] {
  let list = revisionLists.get(revisions);
  if (!list) {
    list = Object.keys(revisions)
      .sort()
      .map((name) => `${name}=${revisions[name]}`);
    revisionLists.set(revisions, list);
  }
  return list;
}

/** Random W3C ids, as traceparent headers of new root traces (version 00, flags 00), made 64 at
 * a time (src/shared/random-text-batch.ts); an id is a slice of the batch's text (a toString('hex')
 * call per id cost ~4 times more). */
const TRACEPARENT_LENGTH = 55;
const roots = new RandomTextBatch(`00-${'0'.repeat(32)}-${'0'.repeat(16)}-00`, 24, (random, r, out, o) => {
  hexId(random, r, 16, out, o + 3);
  hexId(random, r + 16, 8, out, o + 36);
});

/** `n` bytes of `from` at `at` as lowercase hex into `to` at `out`; an all-zero id (W3C: invalid)
 * ends in 1 instead. */
export function hexId(from: Buffer, at: number, n: number, to: Buffer, out: number): void {
  writeHex(from, at, n, to, out);
  let any = 0;
  for (let i = 0; i < n; i++) any |= from[at + i] as number;
  if (any === 0) to[out + 2 * n - 1] = 0x31;
}

/** A new root trace's ids and its traceparent header (or, in a caller's trace, a new span id),
 * all three slices of one flat string: the
 * header is then neither put together per decision nor flattened by the regular expression node
 * tests every header value with (a concatenation is: ~1,500 instructions a response). */
export function rootIds(): { traceId: string; spanId: string; traceparent: string } {
  const at = roots.take();
  const text = roots.batch;
  return {
    traceId: text.slice(at + 3, at + 35),
    spanId: text.slice(at + 36, at + 52),
    traceparent: text.slice(at, at + TRACEPARENT_LENGTH),
  };
}
