// /metrics content from real parts: a real cache (hits/misses), a real decision log whose
// HTTP receiver is down (queue depth, drops, errors), bundle status data.
import t from 'tap';
import { createDecisionCache } from '../../src/cache/create.js';
import type { CacheQuery, DecisionRecord } from '../../src/decisions/types.js';
import { DecisionLog } from '../../src/decisionlog/decision-log.js';
import { Masker } from '../../src/decisionlog/mask/masker.js';
import { RecordStore } from '../../src/decisionlog/record-store.js';
import { HttpSink } from '../../src/decisionlog/sinks/http.js';
import { PdpMetrics, outcomeLabel } from '../../src/telemetry/metrics.js';
import { freePort } from '../helpers/redis-server.js';
import { testConfig } from '../helpers/config.js';
import { until } from '../helpers/until.js';
import { injectApp, injectJson } from '../helpers/http.js';
import { jsPolicies } from '../helpers/js-engine.js';

/** A pipeline record with the fields the recorders read. */
function record(over: Partial<DecisionRecord>): DecisionRecord {
  return {
    decision_id: 'd',
    timestamp: '',
    kind: 'data',
    path: 'p',
    input: {},
    outcome: 'decided',
    bundles: {},
    cached: false,
    engine: null,
    duration_ms: 0,
    ...over,
  };
}

t.test('decisions, cache, redis state, bundles and log sinks appear in Prometheus text', async (t) => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  const metrics = new PdpMetrics({ defaultMetrics: false, now: () => now });
  // The in-process tier only (no Redis configured).
  const cfg = testConfig({ PDP_CACHE_ENABLED: 'true', PDP_CACHE_TTL_SECONDS: '60', PDP_CACHE_MAX_ENTRIES: '10', PDP_CACHE_MAX_BYTES: String(1024 * 1024) });
  const cache = createDecisionCache(cfg.cache, cfg.redis, { observer: metrics.cacheObserver });
  const deadPort = await freePort();
  const log = new DecisionLog({
    sinks: [new HttpSink({ url: `http://127.0.0.1:${deadPort}/logs`, timeoutMs: 200 })],
    masker: new Masker(),
    store: new RecordStore({ maxEntries: 10, retentionMs: 1000 }),
    labels: {},
    buffer: { capacity: 3, batchSize: 10, maxDelayMs: 0, backoff: { initialMs: 10_000, maxMs: 10_000 } },
    observer: metrics.logObserver,
  });
  t.teardown(() => log.close(0));
  metrics.bind({
    cache: () => cache.status(),
    decisionLog: () => log.status(),
    bundles: () => [
      {
        name: 'ai-governance',
        source: 'policies/',
        revision: 'rev-7',
        engine: 'rego',
        roots: ['ai'],
        activated_at: '2026-03-01T11:59:30Z',
        last_error: { code: 'BUNDLE_COMPILE_ERROR', message: 'x', at: '2026-03-01T11:59:50Z' },
        last_attempt_at: '2026-03-01T11:59:50Z',
      },
    ],
  });

  const query: CacheQuery = { path: 'ai/tools/decision', input: { tool: 'k' }, strict: false, revisions: { 'ai-governance': 'rev-7' } };
  t.equal(await cache.get(query), undefined); // miss
  cache.set(query, { ok: true, defined: true, result: { allow: true }, dependsOn: { time: false, random: false, external: false }, engine: 'rego' });
  t.match(await cache.get(query), { tier: 'memory' }); // hit
  metrics.decision('ai/tools/decision', 'allow', 0.0004, false);
  metrics.decision('/ai/tools/decision/', 'deny', 0.0002, true);
  metrics.bundleActivationFailed('ai-governance');
  for (let i = 0; i < 5; i++) {
    log.log(record({ decision_id: `d${i}` }));
  }
  // The first upload fails against the closed port: wait for its error to be counted (a fixed
  // 300 ms sleep was too short on a loaded machine).
  await until(async () => (await metrics.render()).body.split('\n').includes('pdp_decision_log_sink_errors_total{sink="http"} 1'));

  const { contentType, body } = await metrics.render();
  t.match(contentType, /text\/plain/);
  const has = (line: string) => t.ok(body.split('\n').includes(line), line);
  has('pdp_decisions_total{path="ai/tools/decision",outcome="allow"} 1');
  has('pdp_decisions_total{path="ai/tools/decision",outcome="deny"} 1');
  has('pdp_decision_duration_seconds_count{path="ai/tools/decision",cached="true"} 1');
  has('pdp_decision_duration_seconds_bucket{le="0.0005",path="ai/tools/decision",cached="false"} 1');
  has('pdp_cache_lookups_total{tier="memory",result="miss"} 1');
  has('pdp_cache_lookups_total{tier="memory",result="hit"} 1');
  has('pdp_cache_entries{tier="memory"} 1');
  has('pdp_redis_state{state="disabled"} 1');
  has('pdp_redis_state{state="ok"} 0');
  has('pdp_redis_breaker_state{state="closed"} 1');
  has('pdp_bundle_info{bundle="ai-governance",revision="rev-7",engine="rego"} 1');
  has('pdp_bundle_activation_age_seconds{bundle="ai-governance"} 30');
  has('pdp_bundle_last_activation_error{bundle="ai-governance"} 1');
  has('pdp_bundle_activation_failures_total{bundle="ai-governance"} 1');
  has('pdp_decision_log_queue_depth{sink="http"} 3');
  has('pdp_decision_log_dropped_total{sink="http"} 2');
  has('pdp_decision_log_sink_errors_total{sink="http"} 1');
});

t.test('as a recorder of the pipeline: each record counted by path and outcome, with its latency', async (t) => {
  const metrics = new PdpMetrics({ defaultMetrics: false });
  const decision = (allow: boolean) => ({
    decision_id: 'd',
    allow,
    reasons: [],
    obligations: [],
    exceptions_applied: [],
    policy: { path: 'ai/tools/decision', bundles: {} },
    cached: false,
  });
  metrics.log(record({ kind: 'tool-call', path: 'ai/tools/decision', decision: decision(true), duration_ms: 0.4 }));
  metrics.log(record({ kind: 'tool-call', path: 'ai/tools/decision', decision: decision(false), cached: true, cache_tier: 'memory', duration_ms: 0.2 }));
  metrics.log(record({ kind: 'tool-call', path: 'ai/tools/decision', outcome: 'no_policy', decision: decision(false), duration_ms: 0.1 }));
  metrics.log(record({ path: 'ai/tools/allow', result: true, duration_ms: 3 }));
  metrics.log(record({ path: 'ai/tools/allow', outcome: 'undefined', duration_ms: 3 }));
  metrics.log(record({ path: 'ai/tools/allow', outcome: 'error', error: { code: 'eval_conflict_error', message: 'x' }, duration_ms: 3 }));
  const { body } = await metrics.render();
  const has = (line: string) => t.ok(body.split('\n').includes(line), line);
  has('pdp_decisions_total{path="ai/tools/decision",outcome="allow"} 1');
  has('pdp_decisions_total{path="ai/tools/decision",outcome="deny"} 1');
  has('pdp_decisions_total{path="ai/tools/decision",outcome="no_policy"} 1');
  has('pdp_decisions_total{path="ai/tools/allow",outcome="defined"} 1');
  has('pdp_decisions_total{path="ai/tools/allow",outcome="undefined"} 1');
  has('pdp_decisions_total{path="ai/tools/allow",outcome="error"} 1');
  // duration_ms is milliseconds; the histogram is in seconds.
  has('pdp_decision_duration_seconds_bucket{le="0.0005",path="ai/tools/decision",cached="false"} 2');
  has('pdp_decision_duration_seconds_count{path="ai/tools/decision",cached="true"} 1');
  has('pdp_decision_duration_seconds_bucket{le="0.0025",path="ai/tools/allow",cached="false"} 0');
  has('pdp_decision_duration_seconds_bucket{le="0.005",path="ai/tools/allow",cached="false"} 3');
});

t.test('the path label is bounded against caller-chosen Data API paths', async (t) => {
  const metrics = new PdpMetrics({ defaultMetrics: false, maxPathLabels: 2 });
  for (const p of ['a', 'b', 'c', 'd', 'a']) metrics.decision(p, 'defined', 0.001, false);
  const { body } = await metrics.render();
  t.match(body, /pdp_decisions_total\{path="a",outcome="defined"\} 2/);
  t.match(body, /pdp_decisions_total\{path="other",outcome="defined"\} 2/);
  t.notMatch(body, /path="c"/);
});

t.test('outcome labels', async (t) => {
  t.equal(outcomeLabel('decided', true), 'allow');
  t.equal(outcomeLabel('decided', false), 'deny');
  t.equal(outcomeLabel('decided', undefined), 'defined');
  t.equal(outcomeLabel('no_policy', false), 'no_policy');
  t.equal(outcomeLabel('weird', true), 'error');
});

t.test('a read of /metrics counts a decision answered just before it, its record still pending', async (t) => {
  const app = await injectApp({ policies: jsPolicies({ 'ai/tools/decision': () => ({ allow: true }) }) });
  t.teardown(() => app.close());
  const count = (text: string): number => Number(/^pdp_decisions_total\{path="ai\/tools\/decision",outcome="allow"\} (\d+)$/m.exec(text)?.[1] ?? 0);
  const answer = await injectJson(app, '/v1/decisions/tool-call', { agent: { id: 'a' }, tool: { name: 't' } });
  t.equal(answer.status, 200);
  // Records are made after the answer (a setImmediate away): read before it ran.
  const text = (await app.metrics.render()).body;
  t.equal(count(text), 1, 'the decision is counted');
});

t.test("decision counts read as prom-client's own counter and histogram would, bounded, reset, and aggregated across workers", async (t) => {
  // The oracle: prom-client's Counter and Histogram fed the same decisions.
  const { AggregatorRegistry, Counter, Histogram, Registry } = await import('prom-client');
  const buckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
  const oracle = new Registry();
  const counter = new Counter({
    name: 'pdp_decisions_total',
    help: 'Decisions answered, by decision path and outcome.',
    labelNames: ['path', 'outcome'],
    registers: [oracle],
  });
  const histogram = new Histogram({
    name: 'pdp_decision_duration_seconds',
    help: 'Time from request entering the decision pipeline to answer, by path and whether it was cached.',
    labelNames: ['path', 'cached'],
    buckets,
    registers: [oracle],
  });
  const metrics = new PdpMetrics({ defaultMetrics: false, maxPathLabels: 3 });
  const outcomes = ['allow', 'deny', 'defined', 'undefined', 'malformed', 'error', 'no_policy'] as const;
  // Values on every bound, between them, 0 and past the last one; paths past the label bound.
  const values = [0, ...buckets, ...buckets.map((b) => b * 1.5), 2, 1e9];
  let n = 0;
  for (let i = 0; i < 400; i++) {
    const path = `p${i % 9}`;
    const label = i % 9 < 3 ? path : 'other';
    const outcome = outcomes[i % outcomes.length] as (typeof outcomes)[number];
    const cached = i % 4 === 0;
    const seconds = values[i % values.length] as number;
    metrics.decision(path, outcome, seconds, cached);
    counter.inc({ path: label, outcome });
    histogram.observe({ path: label, cached: String(cached) }, seconds);
    n++;
  }
  // Many caller-chosen paths: counted under "other", and what is kept per path stays bounded.
  for (let i = 0; i < 5000; i++) {
    metrics.decision(`/caller/${i}`, 'undefined', 0.001, false);
    counter.inc({ path: 'other', outcome: 'undefined' });
    histogram.observe({ path: 'other', cached: 'false' }, 0.001);
  }
  const lines = (text: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith('pdp_decisions_total') || l.startsWith('pdp_decision_duration_seconds'))
      .sort();
  const ours = lines((await metrics.render()).body);
  t.equal(ours.length > 0, true);
  t.same(ours, lines(await oracle.metrics()), `${n + 5000} decisions: the same Prometheus lines`);
  const kept = (metrics as unknown as { decisionSeries: Map<string, unknown> }).decisionSeries.size;
  t.ok(kept <= 8, `raw paths kept: ${kept} (bound (3 + 1) × 2)`);

  // Two workers' registries aggregated by the primary (cluster mode): sums, as for prom-client's.
  const again = new PdpMetrics({ defaultMetrics: false, maxPathLabels: 3 });
  again.decision('p0', 'allow', 0.0003, true);
  counter.inc({ path: 'p0', outcome: 'allow' });
  histogram.observe({ path: 'p0', cached: 'true' }, 0.0003);
  const merged = AggregatorRegistry.aggregate([await metrics.registry.getMetricsAsJSON(), await again.registry.getMetricsAsJSON()]);
  t.same(lines(await merged.metrics()), lines(await oracle.metrics()), 'aggregated across two registries');

  metrics.registry.resetMetrics();
  t.same(lines((await metrics.render()).body), [], 'reset: no series left until decisions come again');
  metrics.decision('p1', 'deny', 0.002, false);
  t.ok(lines((await metrics.render()).body).includes('pdp_decisions_total{path="p1",outcome="deny"} 1'), 'and counting starts over');
});
