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
