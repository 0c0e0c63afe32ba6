// Decision spans with a real SDK tracer provider and an in-memory exporter.
import t from 'tap';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { DecisionAnswerBody, DecisionQuery, DecisionRecord } from '../../src/decisions/types.js';
import { DecisionTracing, hexId, rootIds } from '../../src/telemetry/decision-tracer.js';

const exporter = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor(exporter);
const provider = new BasicTracerProvider({ spanProcessors: [processor] });
const tracing = new DecisionTracing({ tracer: provider.getTracer('test') });

async function finished() {
  await processor.forceFlush();
  const spans = exporter.getFinishedSpans();
  exporter.reset();
  return spans;
}

type Headers = DecisionQuery['headers'];
const query = (path: string, headers?: Headers, kind: DecisionQuery['kind'] = 'data'): DecisionQuery => ({
  kind,
  path,
  input: {},
  strict: false,
  ...(headers ? { headers } : {}),
});

/** The pipeline's record with the fields the span reads; the rest as a real record has them. */
function record(over: Partial<DecisionRecord> & { allow?: boolean; reasonCodes?: string[] }): DecisionRecord {
  const { allow, reasonCodes, ...rest } = over;
  const decision: DecisionAnswerBody | undefined =
    allow === undefined
      ? undefined
      : {
          decision_id: 'd',
          allow,
          reasons: (reasonCodes ?? []).map((code) => ({ code })),
          obligations: [],
          exceptions_applied: [],
          policy: { path: 'p', bundles: {} },
          cached: false,
        };
  return {
    decision_id: 'd',
    timestamp: new Date(0).toISOString(),
    kind: 'data',
    path: 'p',
    input: {},
    bundles: {},
    outcome: 'decided',
    cached: false,
    engine: null,
    duration_ms: 0.1,
    ...(decision ? { decision } : {}),
    ...rest,
  };
}

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

t.test('a decision span is the child of the caller traceparent; children hang below it', async (t) => {
  const d = tracing.start(query('ai/tools/decision', { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`, tracestate: 'vendor=x' }, 'tool-call'), 'd-1');
  t.equal(d.traceId, CALLER_TRACE);
  t.match(d.spanId, /^[0-9a-f]{16}$/);
  t.equal(d.traceparent, `00-${CALLER_TRACE}-${d.spanId}-01`);
  d.child('pdp.cache.lookup').end({ 'pdp.cache.hit': false });
  d.child('pdp.evaluate').end();
  d.end(
    record({
      allow: false,
      outcome: 'decided',
      engine: 'rego',
      bundles: { b: 'r2', a: 'r1' },
      cached: false,
      reasonCodes: ['EVAL_BELOW_THRESHOLD'],
    }),
  );
  d.end(record({ cached: true, cache_tier: 'memory' })); // ignored: one end per decision
  const spans = await finished();
  t.equal(spans.length, 3);
  const root = spans.find((s) => s.name === 'pdp.decision');
  if (!root) throw new Error('no decision span');
  t.equal(root.kind, SpanKind.SERVER);
  t.equal(root.parentSpanContext?.spanId, CALLER_SPAN, 'parent = incoming traceparent');
  t.equal(root.spanContext().traceId, CALLER_TRACE);
  t.same(root.attributes, {
    'pdp.decision_id': 'd-1',
    'pdp.path': 'ai/tools/decision',
    'pdp.kind': 'tool-call',
    'pdp.allow': false,
    'pdp.outcome': 'decided',
    'pdp.engine': 'rego',
    'pdp.bundle_revisions': ['a=r1', 'b=r2'],
    'pdp.cache.hit': false,
    'pdp.cache.tier': 'none',
    'pdp.reason_codes': ['EVAL_BELOW_THRESHOLD'],
  });
  for (const name of ['pdp.cache.lookup', 'pdp.evaluate']) {
    const c = spans.find((s) => s.name === name);
    t.equal(c?.parentSpanContext?.spanId, root.spanContext().spanId, `${name} is a child of pdp.decision`);
    t.equal(c?.spanContext().traceId, CALLER_TRACE);
  }
});

t.test('no or malformed traceparent → a new root trace', async (t) => {
  for (const headers of [undefined, {}, { traceparent: 'garbage' }, { traceparent: `00-${'0'.repeat(32)}-${CALLER_SPAN}-01` }]) {
    const d = tracing.start(query('p', headers), 'd-2');
    d.end(record({ cached: true, cache_tier: 'memory' }));
    const [span] = await finished();
    t.equal(span?.parentSpanContext, undefined, `root for ${JSON.stringify(headers)}`);
    t.match(d.traceId, /^[0-9a-f]{32}$/);
    t.not(d.traceId, CALLER_TRACE);
    t.equal(span?.attributes['pdp.cache.tier'], 'memory');
  }
});

t.test('an errored decision carries error.type and an error status', async (t) => {
  const d = tracing.start(query('p'), 'd-3');
  d.end(record({ allow: false, outcome: 'error', reasonCodes: ['EVALUATION_ERROR'], error: { code: 'eval_budget_exceeded', message: 'too many steps' } }));
  const [span] = await finished();
  t.equal(span?.attributes['error.type'], 'eval_budget_exceeded');
  t.equal(span?.status.code, SpanStatusCode.ERROR);
  t.equal(span?.status.message, 'eval_budget_exceeded', 'the code, not the message (which can quote request values)');
  t.same(span?.attributes['pdp.reason_codes'], ['EVALUATION_ERROR']);
});

t.test('a malformed decision and no active policy are errors too; a deny and an undefined document are not', async (t) => {
  const cases: [Partial<DecisionRecord> & { allow?: boolean; reasonCodes?: string[] }, string | undefined][] = [
    [{ allow: false, outcome: 'malformed', reasonCodes: ['MALFORMED_DECISION'] }, 'malformed_decision'],
    [{ allow: false, outcome: 'no_policy', reasonCodes: ['NO_ACTIVE_POLICY'] }, 'no_active_policy'],
    [{ allow: false, outcome: 'decided', reasonCodes: ['TOOL_NOT_ALLOWED'] }, undefined],
    [{ outcome: 'undefined' }, undefined],
  ];
  for (const [over, errorType] of cases) {
    tracing.start(query('p'), 'd-5').end(record(over));
    const [span] = await finished();
    t.equal(span?.attributes['error.type'], errorType, String(over.outcome));
    t.equal(span?.status.code, errorType ? SpanStatusCode.ERROR : SpanStatusCode.UNSET, `${String(over.outcome)}: status`);
    t.equal(span?.attributes['pdp.outcome'], over.outcome);
    t.equal(span?.attributes['pdp.allow'], over.allow, `${String(over.outcome)}: pdp.allow only when the record has a decision`);
  }
});

t.test('an unsampled caller trace keeps its trace id and flags', async (t) => {
  const d = tracing.start(query('p', { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-00` }), 'd-4');
  t.equal(d.traceId, CALLER_TRACE);
  t.match(d.traceparent, new RegExp(`^00-${CALLER_TRACE}-[0-9a-f]{16}-00$`));
  d.end(record({}));
  t.same(await finished(), [], 'not sampled → not exported');
});

t.test("new root traces' ids: random bytes as lowercase hex in place, never all zeros", async (t) => {
  const out = Buffer.from('-'.repeat(12), 'latin1');
  hexId(Buffer.from([0xab, 0x01, 0xf0]), 0, 3, out, 2);
  t.equal(out.toString('latin1'), '--ab01f0----');
  hexId(Buffer.alloc(4), 0, 4, out, 2);
  t.equal(out.toString('latin1'), '--00000001--', 'an all-zero id (invalid in W3C) ends in 1');
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const ids = rootIds();
    t.equal(ids.traceparent, `00-${ids.traceId}-${ids.spanId}-00`, `header ${i} names its ids`);
    t.match(ids.traceId, /^[0-9a-f]{32}$/);
    t.match(ids.spanId, /^[0-9a-f]{16}$/);
    seen.add(ids.traceId);
  }
  t.equal(seen.size, 200, 'trace ids do not repeat across batches of 64');
});
