// Decision spans with a real SDK tracer provider and an in-memory exporter.
import t from 'tap';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { DecisionTracing } from '../../src/telemetry/decision-tracer.js';

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

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

t.test('a decision span is the child of the caller traceparent; children hang below it', async (t) => {
  const d = tracing.start({
    decisionId: 'd-1',
    path: 'ai/tools/decision',
    kind: 'tool-call',
    headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`, tracestate: 'vendor=x' },
  });
  t.equal(d.traceId, CALLER_TRACE);
  t.match(d.spanId, /^[0-9a-f]{16}$/);
  t.equal(d.traceparent, `00-${CALLER_TRACE}-${d.spanId}-01`);
  d.child('pdp.cache.lookup').end({ 'pdp.cache.hit': false });
  d.child('pdp.evaluate').end();
  d.end({
    allow: false,
    outcome: 'decided',
    engine: 'rego',
    revisions: { b: 'r2', a: 'r1' },
    cacheHit: false,
    reasonCodes: ['EVAL_BELOW_THRESHOLD'],
  });
  d.end({ revisions: {}, cacheHit: true, reasonCodes: [] }); // ignored: one end per decision
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
    const d = tracing.start({ decisionId: 'd-2', path: 'p', headers });
    d.end({ revisions: {}, cacheHit: true, cacheTier: 'memory', reasonCodes: [] });
    const [span] = await finished();
    t.equal(span?.parentSpanContext, undefined, `root for ${JSON.stringify(headers)}`);
    t.match(d.traceId, /^[0-9a-f]{32}$/);
    t.not(d.traceId, CALLER_TRACE);
    t.equal(span?.attributes['pdp.cache.tier'], 'memory');
  }
});

t.test('an errored decision carries error.type and an error status', async (t) => {
  const d = tracing.start({ decisionId: 'd-3', path: 'p' });
  d.end({ allow: false, outcome: 'error', revisions: {}, cacheHit: false, reasonCodes: ['EVALUATION_ERROR'], errorType: 'eval_budget_exceeded', errorMessage: 'too many steps' });
  const [span] = await finished();
  t.equal(span?.attributes['error.type'], 'eval_budget_exceeded');
  t.equal(span?.status.code, SpanStatusCode.ERROR);
  t.equal(span?.status.message, 'too many steps');
});

t.test('an unsampled caller trace keeps its trace id and flags', async (t) => {
  const d = tracing.start({ decisionId: 'd-4', path: 'p', headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-00` } });
  t.equal(d.traceId, CALLER_TRACE);
  t.match(d.traceparent, new RegExp(`^00-${CALLER_TRACE}-[0-9a-f]{16}-00$`));
  d.end({ revisions: {}, cacheHit: false, reasonCodes: [] });
  t.same(await finished(), [], 'not sampled → not exported');
});
