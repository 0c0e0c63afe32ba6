// startTracing with OTEL_EXPORTER_OTLP_ENDPOINT: decision spans reach a real OTLP/HTTP
// receiver (a node:http server on port 0) as JSON on /v1/traces.
import t from 'tap';
import { createServer, type IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { once } from 'node:events';
import { DecisionTracing } from '../../src/telemetry/decision-tracer.js';
import { startTracing, traceExportMode } from '../../src/telemetry/tracing.js';

t.test('export mode follows the OTEL_* environment', async (t) => {
  t.equal(traceExportMode({}, false), 'none');
  t.equal(traceExportMode({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, false), 'otlp-http');
  t.equal(traceExportMode({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }, false), 'otlp-http');
  t.equal(traceExportMode({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }, false), 'none');
  t.equal(traceExportMode({ OTEL_TRACES_EXPORTER: 'console' }, false), 'env');
  t.equal(traceExportMode({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c' }, true), 'disabled');
  t.equal(traceExportMode({}, true), 'custom');
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

  // The SDK reads these itself; set them before the exporter is built.
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${port}`;
  process.env.OTEL_SERVICE_NAME = 'pdp-under-test';
  const handle = startTracing();
  t.equal(handle.mode, 'otlp-http');
  const tracing = new DecisionTracing();
  const d = tracing.start({ decisionId: 'otlp-1', path: 'ai/tools/decision' });
  t.match(d.traceId, /^[0-9a-f]{32}$/);
  d.child('pdp.evaluate').end();
  d.end({ allow: true, revisions: { main: 'r1' }, cacheHit: false, reasonCodes: [] });
  await handle.shutdown(); // flushes the batch processor

  t.equal(bodies.length >= 1, true, 'the collector received a request');
  t.equal(bodies[0]?.url, '/v1/traces');
  const json = JSON.stringify(bodies.map((b) => b.body));
  t.match(json, /"pdp\.decision"/);
  t.match(json, /"pdp\.evaluate"/);
  t.match(json, /pdp-under-test/, 'service name from OTEL_SERVICE_NAME');
  t.match(json, /otlp-1/, 'decision id attribute exported');
});
