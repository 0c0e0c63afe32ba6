// The OPA-compatible HTTP sink against a real HTTP receiver: batching, gzip, outage and
// recovery, retries on 5xx, bounded buffer with counted drops, shutdown flush deadline.
import t from 'tap';
import { DecisionLog } from '../../src/decisionlog/decision-log.js';
import { Masker } from '../../src/decisionlog/mask/masker.js';
import { RecordStore } from '../../src/decisionlog/record-store.js';
import { HttpSink } from '../../src/decisionlog/sinks/http.js';
import type { DecisionRecord } from '../../src/decisions/types.js';
import { decidedRecord } from '../helpers/decision-record.js';
import { startCollector, type Collector } from '../helpers/collector.js';

function event(i: number): DecisionRecord {
  return decidedRecord(
    {
      decision_id: `dec-${i}`,
      timestamp: new Date().toISOString(),
      path: 'ai/tools/decision',
      kind: 'tool-call',
      caller: 'ci-pipeline',
      peer_address: '10.0.0.7',
      input: { tool: 'send_email', arguments: { to: 'a@example.com', password: `pw-${i}` } },
      result: { allow: i % 2 === 0 },
      outcome: 'decided',
      bundles: { main: 'rev-1' },
      engine: 'rego',
      cached: false,
      duration_ms: 0.5,
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: '00f067aa0ba902b7',
    },
    i % 2 === 0,
  );
}

function logTo(c: Collector, capacity = 1000) {
  const counts = { dropped: 0, delivered: 0, failed: 0 };
  const log = new DecisionLog({
    sinks: [new HttpSink({ url: c.url, timeoutMs: 500 })],
    // Raw logging (no mask policy here): the configured pointer alone masks.
    masker: new Masker({ paths: ['/input/arguments/password'], raw: true }),
    store: new RecordStore({ maxEntries: 100, retentionMs: 60_000 }),
    labels: { app: 'pdp', id: 'test' },
    buffer: { capacity, batchSize: 50, maxDelayMs: 20, backoff: { initialMs: 50, maxMs: 200 } },
    observer: {
      dropped: (_s, n) => (counts.dropped += n),
      delivered: (_s, n) => (counts.delivered += n),
      failed: () => counts.failed++,
    },
  });
  return { log, counts };
}

async function waitFor(check: () => boolean, ms = 20_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

t.test('records are uploaded as gzipped JSON arrays of OPA events, batched', async (t) => {
  const c = await startCollector();
  t.teardown(() => c.stop());
  const { log } = logTo(c);
  for (let i = 0; i < 120; i++) log.log(event(i));
  t.ok(await waitFor(() => c.events().length === 120), 'all 120 delivered');
  t.ok(c.uploads.length >= 3 && c.uploads.length < 120, `batched (${c.uploads.length} uploads)`);
  const u = c.uploads[0];
  t.equal(u?.path, '/logs');
  t.equal(u?.headers['content-encoding'], 'gzip');
  t.match(u?.headers['content-type'], /application\/json/);
  const e = c.events()[0];
  t.match(e, {
    decision_id: 'dec-0',
    path: 'ai/tools/decision',
    allow: true,
    requested_by: '10.0.0.7',
    caller: 'ci-pipeline',
    bundles: { main: { revision: 'rev-1' } },
    labels: { app: 'pdp', id: 'test' },
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    span_id: '00f067aa0ba902b7',
    erased: ['/input/arguments/password'],
    metrics: { timer_server_handler_ns: 500000 },
  });
  t.same(new Set(c.events().map((x) => x.decision_id)).size, 120, 'each once');
  t.equal(JSON.stringify(c.events()).includes('pw-'), false, 'masked field absent from the upload');
  await log.close(1000);
});

t.test('receiver down → records wait in the buffer and arrive after it returns', async (t) => {
  const c = await startCollector();
  t.teardown(() => c.stop());
  const { log, counts } = logTo(c);
  await c.stop();
  for (let i = 0; i < 30; i++) log.log(event(i));
  t.ok(await waitFor(() => counts.failed >= 2), 'uploads fail while down (and are retried)');
  const down = log.status().sinks[0];
  t.equal(down?.queue_depth, 30);
  t.equal(down?.delivered, 0);
  t.match(down?.last_error, { message: /upload failed/ });
  await c.start();
  t.ok(await waitFor(() => c.events().length === 30), 'delivered after the receiver came back');
  t.same(
    c.events().map((e) => e.decision_id),
    Array.from({ length: 30 }, (_, i) => `dec-${i}`),
    'in order',
  );
  // the receiver has the events before the sink has read its answer: wait for the ack, do not race it
  t.ok(await waitFor(() => log.status().sinks[0]?.queue_depth === 0), 'queue drained once the uploads are acknowledged');
  t.equal(counts.dropped, 0);
  await log.close(1000);
});

t.test('5xx answers are retried with backoff until accepted', async (t) => {
  const c = await startCollector();
  t.teardown(() => c.stop());
  c.respondWith(503);
  const { log, counts } = logTo(c);
  for (let i = 0; i < 5; i++) log.log(event(i));
  t.ok(await waitFor(() => counts.failed >= 2));
  c.respondWith(200);
  t.ok(await waitFor(() => c.events().length === 5));
  t.match(log.status().sinks[0]?.last_error, { message: /HTTP 503/ });
  await log.close(1000);
});

t.test('overflow: past the buffer bound the oldest records are dropped and counted', async (t) => {
  const c = await startCollector();
  t.teardown(() => c.stop());
  await c.stop();
  const { log, counts } = logTo(c, 10);
  for (let i = 0; i < 25; i++) log.log(event(i));
  t.equal(counts.dropped, 15, 'observer (metric) counted the drops');
  t.equal(log.status().dropped_total, 15, 'status shows them');
  t.equal(log.status().sinks[0]?.queue_depth, 10, 'never more than the bound');
  await c.start();
  t.ok(await waitFor(() => c.events().length === 10));
  t.same(
    c.events().map((e) => e.decision_id),
    Array.from({ length: 10 }, (_, i) => `dec-${15 + i}`),
    'the newest 10 survived',
  );
  await log.close(1000);
});

t.test('shutdown flushes what is buffered; a hung receiver cannot hold it past the deadline', async (t) => {
  const c = await startCollector();
  t.teardown(() => c.stop());
  const { log } = logTo(c);
  for (let i = 0; i < 7; i++) log.log(event(i));
  t.same((await log.close(2000)).undelivered, { http: 0 }, 'all delivered on close');
  t.equal(c.events().length, 7);

  const hung = await startCollector();
  t.teardown(() => hung.stop());
  hung.hang(true);
  const { log: log2 } = logTo(hung);
  for (let i = 0; i < 3; i++) log2.log(event(i));
  const t0 = Date.now();
  const spilled: string[] = [];
  const left = await log2.close(300, (lines) => spilled.push(lines));
  const took = Date.now() - t0;
  t.equal(left.undelivered.http, 3, 'undelivered records are reported');
  t.equal(left.spilled, 3, 'and spilled');
  t.equal(spilled.join('').trim().split('\n').length, 3, 'one JSON line each');
  t.equal(log2.status().dropped_total, 3, 'and counted as dropped');
  t.ok(took < 1500, `close returned near its deadline (${took} ms)`);
});
