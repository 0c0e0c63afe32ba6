// With no exporter configured the SDK still runs: decisions get real trace ids (for the
// response and the decision log). That no exporter is set up in this mode is traceExportMode's
// job (tested in tracing-otlp.own-process.test.ts); here: the mode, and that ids are real.
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
  t.match(d.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  t.equal(trace.getTracer('probe').startSpan('probe').isRecording(), true, 'a real SDK tracer is registered');
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
