// With no exporter configured the SDK still runs: decisions get real trace ids (for the
// response and the decision log), continuing a caller's trace, but nothing is recorded (the
// AlwaysOff sampler: a recorded span would be work for nothing). That no exporter is set up in
// this mode is traceExportMode's job (tested in tracing-otlp.own-process.test.ts); here: the
// mode, that ids are real, and that spans are not recorded.
import t from 'tap';
import { trace } from '@opentelemetry/api';
import { DecisionTracing } from '../../src/telemetry/decision-tracer.js';
import { startTracing } from '../../src/telemetry/tracing.js';
import { testConfig } from '../helpers/config.js';
import { getJson, postJson, startPdp, testBundle, toolCall, writeBundle } from '../helpers/pdp-harness.js';

t.test('no OTEL endpoint: mode "none", and spans still have valid ids', async (t) => {
  // The tracing settings as loaded from an environment without any OTEL_* variable.
  const cfg = testConfig().tracing;
  const handle = startTracing(cfg);
  t.teardown(() => handle.shutdown());
  t.equal(handle.mode, 'none');
  t.equal(startTracing(cfg), handle, 'started once per process');
  const d = new DecisionTracing().start({ kind: 'data', path: 'p', input: undefined, strict: false }, 'x');
  t.match(d.traceId, /^[0-9a-f]{32}$/);
  t.match(d.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/, 'not sampled: nothing is exported');
  const probe = trace.getTracer('probe').startSpan('probe');
  t.equal(probe.isRecording(), false, 'spans are not recorded');
  t.match(probe.spanContext().traceId, /^[0-9a-f]{32}$/, 'a real SDK tracer is registered: ids are generated');
  t.not(probe.spanContext().traceId, '00000000000000000000000000000000');
  const caller = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const child = new DecisionTracing().start({ kind: 'data', path: 'p', input: undefined, strict: false, headers: { traceparent: caller } }, 'y');
  t.equal(child.traceId, '0af7651916cd43dd8448eb211c80319c', "the caller's trace continues");
  t.not(child.spanId, 'b7ad6b7169203331', 'with a span of its own');
  child.child?.('pdp.evaluate').end({ 'pdp.defined': true });
  d.end({
    decision_id: 'x',
    timestamp: new Date().toISOString(),
    kind: 'data',
    path: 'p',
    input: undefined,
    bundles: {},
    outcome: 'undefined',
    cached: false,
    engine: null,
    duration_ms: 0,
  });
});

t.test('ids only (how the service runs in mode "none"): the spans the SDK would make, without it', async (t) => {
  const handle = startTracing(testConfig().tracing);
  t.teardown(() => handle.shutdown());
  const sdk = new DecisionTracing();
  const own = new DecisionTracing({ idsOnly: true });
  const q = (headers?: Record<string, string>) => ({ kind: 'data' as const, path: 'p', input: undefined, strict: false, ...(headers ? { headers } : {}) });
  const callers: (Record<string, string> | undefined)[] = [
    undefined,
    { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00', tracestate: 'vendor=x' },
    { traceparent: 'garbage' },
    { traceparent: '00-00000000000000000000000000000000-b7ad6b7169203331-01' },
    { traceparent: '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01' },
  ];
  for (const headers of callers) {
    const a = sdk.start(q(headers), 'a');
    const b = own.start(q(headers), 'b');
    const label = headers?.traceparent ?? 'no caller trace';
    const inTrace = a.traceId === '0af7651916cd43dd8448eb211c80319c';
    t.equal(b.traceId === a.traceId, inTrace, `${label}: the same trace as the SDK's exactly when it continues the caller's`);
    t.match(b.traceId, /^[0-9a-f]{32}$/, `${label}: trace id`);
    t.match(b.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/, `${label}: not sampled, as the SDK's (${a.traceparent ?? ''})`);
    t.not(b.spanId, 'b7ad6b7169203331', `${label}: a span of its own`);
    t.equal(b.traceparent, `00-${b.traceId}-${b.spanId}-00`, `${label}: the header names exactly these ids`);
    t.equal(b.child?.('pdp.evaluate') !== undefined, true, `${label}: children are accepted (and not recorded)`);
  }
  const seen = new Set<string>();
  for (let i = 0; i < 5000; i++) {
    const s = own.start(q(), String(i));
    seen.add(s.traceId);
    seen.add(s.spanId);
    if (/^0+$/.test(s.traceId) || /^0+$/.test(s.spanId)) t.fail(`an all-zero id: ${s.traceparent ?? ''}`);
    // New root traces' headers come from a text made 64 at a time: each names its own ids.
    if (s.traceparent !== `00-${s.traceId}-${s.spanId}-00`) t.fail(`header ${s.traceparent ?? ''} for ${s.traceId}/${s.spanId}`);
  }
  t.equal(seen.size, 10000, 'ids do not repeat across pool refills');
});

t.test('through the real service: forged trace headers never reach the ids, which answer and record carry as valid JSON', async (t) => {
  const handle = startTracing(testConfig().tracing);
  t.teardown(() => handle.shutdown());
  const dir = t.testdir();
  await writeBundle(dir, testBundle({ revision: 'ids1' }));
  const pdp = await startPdp({ bundleDir: dir });
  t.teardown(() => pdp.close());
  const caller = '0af7651916cd43dd8448eb211c80319c';
  const forged: (Record<string, string> | undefined)[] = [
    undefined,
    { traceparent: `00-${caller}-b7ad6b7169203331-01` },
    { traceparent: '00-0af7651916cd43dd8448eb211c80319"-b7ad6b7169203331-01' },
    { traceparent: `00-${caller.toUpperCase()}-B7AD6B7169203331-01` },
    { traceparent: `00-${caller}\\-b7ad6b7169203331-01` },
    { traceparent: `00-${caller}-b7ad6b7169203331-01`, tracestate: 'x="y\\"' },
    { traceparent: 'x'.repeat(8000) },
  ];
  for (const headers of forged) {
    const label = (headers?.traceparent ?? 'none').slice(0, 60);
    const res = await postJson(`${pdp.url}/v1/decisions/tool-call`, toolCall('read_file'), headers);
    t.equal(res.status, 200, `${label}: decided`);
    const id = res.json.decision_id as string;
    const trace = res.json.trace_id as string;
    t.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, `${label}: a UUID made here`);
    t.match(trace, /^[0-9a-f]{32}$/, `${label}: W3C hex trace id`);
    t.equal(trace === caller, headers?.traceparent === `00-${caller}-b7ad6b7169203331-01`, `${label}: the caller's trace only when its header is valid`);
    t.match(res.headers.get('traceparent'), new RegExp(`^00-${trace}-[0-9a-f]{16}-00$`), `${label}: the response header names the same trace`);
    const record = await getJson(`${pdp.url}/v1/decisions/${id}`);
    t.equal(record.status, 200, `${label}: its record is found`);
    t.same([record.json.decision_id, record.json.trace_id], [id, trace], `${label}: the record carries the same ids`);
    t.match(record.json.span_id, /^[0-9a-f]{16}$/);
    t.match(record.json.requested_by, /^127\.0\.0\.1:\d{1,5}$/);
  }
  // The stdout sink's lines parsed (the harness parses each line as JSON): one per decision, once
  // its batch is written (bounded wait).
  for (let i = 0; i < 100 && pdp.stdout.filter((l) => l.msg === 'Decision Log').length < forged.length; i++) await new Promise((r) => setTimeout(r, 20));
  t.equal(pdp.stdout.filter((l) => l.msg === 'Decision Log').length, forged.length, 'every record written to stdout as JSON');
});
