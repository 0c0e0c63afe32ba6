// A result holding an integer past 2^53 (the engine keeps those exact as bigints) is still one
// audit record in every sink and in the lookup store, with the integer written exactly —
// JSON.stringify alone refuses bigints, which used to lose the whole record.
import t from 'tap';
import { PassThrough } from 'node:stream';
import { loadConfig } from '../../src/config/load.js';
import { createDecisionLog } from '../../src/decisionlog/create.js';
import { startCollector } from '../helpers/collector.js';

const BIG = 2n ** 60n + 1n; // 1152921504606846977, not representable as a double

t.test('a record with a bigint reaches stdout, the HTTP sink and the store, exactly', async (t) => {
  const collector = await startCollector();
  t.teardown(() => collector.stop());
  const { config: cfg, warnings } = loadConfig({ env: { PDP_DECISION_LOG_URL: collector.url, PDP_DECISION_LOG_UPLOAD_INTERVAL_MS: '10' } });
  t.same(warnings, []);
  const out = new PassThrough();
  const lines: string[] = [];
  out.on('data', (b: Buffer) => lines.push(...b.toString('utf8').split('\n').filter(Boolean)));
  // A bundle mask that masks nothing here (without one, a Data API result would be left out).
  const log = createDecisionLog(cfg.decision_log, cfg.redis, { redis: null, labels: { app: 'pdp' }, stdout: out, policyMask: () => ({ kind: 'none' }) });

  const rec = log.log({
    decision_id: 'big-1',
    timestamp: new Date().toISOString(),
    path: 'x/big',
    kind: 'data',
    caller: 'test',
    input: { n: 1 },
    result: { big: BIG, list: [BIG, 2] },
    outcome: 'decided',
    bundles: { main: 'r1' },
    cached: false,
    engine: 'rego',
    duration_ms: 1,
  });
  t.equal(rec?.decision_id, 'big-1', 'the record was made');
  const stored = await log.get('big-1');
  t.ok(stored, 'GET /v1/decisions/{id} finds it');
  t.same((await log.close(5000)).undelivered, { stdout: 0, http: 0 }, 'delivered to every sink');
  t.equal(lines.length, 1, 'one stdout line');
  t.match(lines[0], /"big":1152921504606846977,"list":\[1152921504606846977,2\]/, 'stdout has the exact integer');
  const uploaded = collector.events();
  t.equal(uploaded.length, 1, 'one HTTP event');
  t.equal(uploaded[0]?.decision_id, 'big-1');
  t.equal(log.status().mask_errors, 0);
});
