// Tracing through the real service, spans captured by the SDK with an in-memory exporter:
// exactly one pdp.decision span per decision (allowed, denied, cached, errored, Data API,
// no active policy), none for requests rejected before a decision; parent = the incoming
// traceparent; the response and the decision log record carry the same trace.
import t from 'tap';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../../src/telemetry/tracing.js';
import { testConfig } from '../helpers/config.js';
import { getJson, postJson, startPdp, testBundle, toolCall, writeBundle } from '../helpers/pdp-harness.js';

const exporter = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor(exporter);
// The process-wide SDK with our processor, started before the service (whose tracing plugin then
// uses the global tracer, as `pdp serve` does once it has started the SDK).
const tracing = startTracing(testConfig().tracing, { spanProcessors: [processor] });
t.teardown(() => tracing.shutdown());

const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';
const tp = (trace: string, span: string) => ({ traceparent: `00-${trace}-${span}-01` });

async function spans(): Promise<ReadableSpan[]> {
  await processor.forceFlush();
  return exporter.getFinishedSpans();
}

t.test('one decision span per decision, children, parent and ids everywhere', async (t) => {
  const dir = t.testdir();
  await writeBundle(dir, testBundle({ revision: 'tr1' }));
  const pdp = await startPdp({ bundleDir: dir, env: { PDP_DECISION_LOG_STDOUT: 'false' } });
  t.teardown(() => pdp.close());
  exporter.reset();
  const url = `${pdp.url}/v1/decisions/tool-call`;

  const allowed = await postJson(url, toolCall('read_file'), tp(CALLER_TRACE, CALLER_SPAN));
  const cached = await postJson(url, toolCall('read_file'), tp('1'.repeat(32), '2'.repeat(16)));
  const denied = await postJson(url, toolCall('delete_db'));
  const errored = await postJson(url, toolCall('boom'));
  const data = await postJson(`${pdp.url}/v1/data/ai/tools/decision`, { input: toolCall('send_email') });
  const dataGet = await getJson(`${pdp.url}/v1/data/ai/tools/allow`);
  const rejected = await postJson(url, { tool: 'not an object' }, tp(CALLER_TRACE, CALLER_SPAN));
  t.equal(rejected.status, 400, 'schema violation: rejected before any decision');
  const answers = [allowed, cached, denied, errored, data, { json: dataGet.json, headers: null }];
  t.match(
    answers.map((a) => a.json.cached),
    [false, true, false, false, undefined, undefined],
  );

  const all = await spans();
  const decisions = all.filter((s) => s.name === 'pdp.decision');
  t.equal(decisions.length, 6, 'exactly one pdp.decision span per decision, none for the 400');
  const ids = answers.map((a) => a.json.decision_id);
  t.same(decisions.map((s) => s.attributes['pdp.decision_id']).sort(), [...ids].sort(), 'one span per decision id');

  const byId = (id: unknown) => decisions.find((s) => s.attributes['pdp.decision_id'] === id) as ReadableSpan;
  const first = byId(allowed.json.decision_id);
  t.equal(first.spanContext().traceId, CALLER_TRACE, 'same trace as the caller');
  t.equal(first.parentSpanContext?.spanId, CALLER_SPAN, 'parent = incoming traceparent');
  t.match(first.attributes, {
    'pdp.path': 'ai/tools/decision',
    'pdp.allow': true,
    'pdp.engine': 'rego',
    'pdp.bundle_revisions': ['test=tr1'],
    'pdp.cache.hit': false,
    'pdp.cache.tier': 'none',
    'pdp.reason_codes': [],
  });
  t.equal(allowed.json.trace_id, CALLER_TRACE, 'trace_id in the body');
  t.equal(allowed.headers.get('traceparent'), `00-${CALLER_TRACE}-${first.spanContext().spanId}-01`, 'traceparent response header names the decision span');

  const second = byId(cached.json.decision_id);
  t.equal(second.parentSpanContext?.spanId, '2'.repeat(16));
  t.match(second.attributes, { 'pdp.cache.hit': true, 'pdp.cache.tier': 'memory', 'pdp.allow': true, 'pdp.engine': 'rego' });

  const third = byId(denied.json.decision_id);
  t.equal(third.parentSpanContext, undefined, 'no traceparent sent → a root span');
  t.match(third.attributes, { 'pdp.allow': false, 'pdp.reason_codes': ['TOOL_NOT_ALLOWED'] });
  t.equal(third.attributes['error.type'], undefined, 'a deny is not an error');

  const fourth = byId(errored.json.decision_id);
  t.match(fourth.attributes, { 'pdp.allow': false, 'error.type': 'eval_conflict_error', 'pdp.reason_codes': ['EVALUATION_ERROR'] });
  t.equal(fourth.status.code, 2, 'span status ERROR');

  const dataSpan = byId(data.json.decision_id);
  t.equal(dataSpan.attributes['pdp.kind'], 'data');
  t.equal(dataSpan.attributes['pdp.allow'], undefined, 'Data API answers have no allow of their own');

  // Children: a cache lookup for every decision, an evaluation unless the cache answered.
  for (const d of decisions) {
    const kids = all
      .filter((s) => s.parentSpanContext?.spanId === d.spanContext().spanId)
      .map((s) => s.name)
      .sort();
    const wasCached = d.attributes['pdp.cache.hit'] === true;
    t.same(kids, wasCached ? ['pdp.cache.lookup'] : ['pdp.cache.lookup', 'pdp.evaluate'], `children of ${String(d.attributes['pdp.decision_id'])}`);
  }

  // The decision log record carries the same trace and span ids.
  for (const a of [allowed, denied, errored]) {
    const rec = (await getJson(`${pdp.url}/v1/decisions/${String(a.json.decision_id)}`)).json;
    const s = byId(a.json.decision_id);
    t.match(rec, { trace_id: s.spanContext().traceId, span_id: s.spanContext().spanId });
  }
});

t.test('no active policy: still exactly one span, marked as an error', async (t) => {
  const dir = t.testdir();
  await writeBundle(dir, { '.manifest': JSON.stringify({ revision: 'bad', roots: ['ai'] }), 'ai/p.rego': 'package ai\n\nallow if {\n' });
  const pdp = await startPdp({ bundleDir: dir, env: { PDP_DECISION_LOG_STDOUT: 'false' } });
  t.teardown(() => pdp.close());
  exporter.reset();
  const r = await postJson(`${pdp.url}/v1/decisions/tool-call`, toolCall('read_file'), tp(CALLER_TRACE, CALLER_SPAN));
  t.match(r, { status: 503, json: { allow: false, reasons: [{ code: 'NO_ACTIVE_POLICY' }] } });
  const decisions = (await spans()).filter((s) => s.name === 'pdp.decision');
  t.equal(decisions.length, 1);
  t.match(decisions[0]?.attributes, { 'pdp.decision_id': r.json.decision_id, 'error.type': 'no_active_policy' });
  t.equal(decisions[0]?.parentSpanContext?.spanId, CALLER_SPAN);
});
