// startTracing with OTEL_EXPORTER_OTLP_ENDPOINT (through the configuration loader): decision
// spans reach a real OTLP/HTTP receiver (a node:http server on port 0) as JSON on /v1/traces.
import t from 'tap';
import { createServer, type IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { once } from 'node:events';
import { DecisionTracing } from '../../src/telemetry/decision-tracer.js';
import { startTracing, traceExportMode } from '../../src/telemetry/tracing.js';
import { testConfig } from '../helpers/config.js';

/** The tracing settings loaded from these OTEL_* variables, as `pdp serve` loads them. */
const tracingFrom = (env: Record<string, string>) => testConfig(env).tracing;

t.test('export mode follows the OTEL_* environment', async (t) => {
  t.equal(traceExportMode(tracingFrom({}), false), 'none');
  t.equal(traceExportMode(tracingFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }), false), 'otlp-http');
  t.equal(traceExportMode(tracingFrom({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }), false), 'otlp-http');
  t.equal(traceExportMode(tracingFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }), false), 'none');
  // The exporters are built from the setting (no longer left to the SDK's own env reading).
  t.equal(traceExportMode(tracingFrom({ OTEL_TRACES_EXPORTER: 'console' }), false), 'console');
  t.equal(traceExportMode(tracingFrom({ OTEL_TRACES_EXPORTER: 'otlp,console' }), false), 'otlp-http,console');
  t.equal(traceExportMode(tracingFrom({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c' }), true), 'disabled');
  t.equal(traceExportMode(tracingFrom({}), true), 'custom');
});

t.test('spans are exported over OTLP/HTTP to the configured endpoint', async (t) => {
  const bodies: { url: string; body: unknown }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      bodies.push({ url: req.url ?? '', body: JSON.parse(raw.toString('utf8')) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => server.close());
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;

  // From the settings (not from process.env): endpoint and service name.
  const handle = startTracing(tracingFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_SERVICE_NAME: 'pdp-under-test' }));
  t.equal(handle.mode, 'otlp-http');
  const tracing = new DecisionTracing();
  const d = tracing.start({ kind: 'tool-call', path: 'ai/tools/decision', input: {}, strict: false }, 'otlp-1');
  t.match(d.traceId, /^[0-9a-f]{32}$/);
  d.child('pdp.evaluate').end();
  d.end({
    decision_id: 'otlp-1',
    timestamp: new Date().toISOString(),
    kind: 'tool-call',
    path: 'ai/tools/decision',
    input: {},
    bundles: { main: 'r1' },
    outcome: 'decided',
    decision: {
      decision_id: 'otlp-1',
      allow: true,
      reasons: [],
      obligations: [],
      exceptions_applied: [],
      policy: { path: 'ai/tools/decision', bundles: { main: 'r1' } },
      cached: false,
    },
    cached: false,
    engine: 'rego',
    duration_ms: 0.2,
  });
  await handle.shutdown(); // flushes the batch processor

  t.equal(bodies.length >= 1, true, 'the collector received a request');
  t.equal(bodies[0]?.url, '/v1/traces');
  const json = JSON.stringify(bodies.map((b) => b.body));
  t.match(json, /"pdp\.decision"/);
  t.match(json, /"pdp\.evaluate"/);
  t.match(json, /pdp-under-test/, 'service name from OTEL_SERVICE_NAME');
  t.match(json, /otlp-1/, 'decision id attribute exported');
});
