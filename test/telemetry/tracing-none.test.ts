// With no exporter configured the SDK still runs: decisions get real trace ids (for the
// response and the decision log). That no exporter is set up in this mode is traceExportMode's
// job (tested in tracing-otlp.test.ts); here: the mode, and that ids are real.
import t from 'tap';
import { trace } from '@opentelemetry/api';
import { DecisionTracing } from '../../src/telemetry/decision-tracer.js';
import { startTracing } from '../../src/telemetry/tracing.js';

t.test('no OTEL endpoint: mode "none", and spans still have valid ids', async (t) => {
  const handle = startTracing({ env: {} });
  t.teardown(() => handle.shutdown());
  t.equal(handle.mode, 'none');
  t.equal(startTracing({ env: {} }), handle, 'started once per process');
  const d = new DecisionTracing().start({ decisionId: 'x', path: 'p' });
  t.match(d.traceId, /^[0-9a-f]{32}$/);
  t.match(d.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  t.equal(trace.getTracer('probe').startSpan('probe').isRecording(), true, 'a real SDK tracer is registered');
  d.end({ revisions: {}, cacheHit: false, reasonCodes: [] });
});
