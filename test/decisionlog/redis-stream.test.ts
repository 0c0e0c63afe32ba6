// The Redis Stream sink against a dedicated redis-server: N decisions → N entries with
// matching ids, readable by a consumer group; id keys for lookup; trimming; outage recovery.
import t from 'tap';
import { Redis } from 'ioredis';
import { createDecisionLog } from '../../src/decisionlog/create.js';
import type { DecisionLogConfig } from '../../src/decisionlog/config.js';
import { createRedisClient } from '../../src/cache/redis/connection.js';
import type { DecisionEvent } from '../../src/decisionlog/types.js';
import { startRedisServer } from '../cache/redis-server.js';
import { until } from '../helpers/until.js';

const srv = await startRedisServer();
t.teardown(() => srv.stop());

function cfg(prefix: string, over: Partial<DecisionLogConfig> = {}): DecisionLogConfig {
  return {
    stdout: false,
    redis_stream: { enabled: true, stream: `${prefix}{decisions}:stream`, id_key_prefix: `${prefix}{decisions}:id:`, max_len: 100_000 },
    http: null,
    batch_size: 100,
    buffer_size: 10_000,
    buffer_max_bytes: 32 * 1024 * 1024,
    mask_paths: ['/input/secret'],
    policy_mask: { enabled: false, path: 'system/log/mask' },
    retention_ms: 60_000,
    store_max_entries: 0, // force lookups through Redis
    store_max_bytes: 64 * 1024 * 1024,
    caller_header: null,
    flush_timeout_ms: 2000,
    ...over,
  };
}

function event(i: number): DecisionEvent {
  return {
    decision_id: `id-${i}`,
    timestamp: '2026-03-01T12:00:00.000Z',
    path: 'ai/deployment/decision',
    kind: 'model-deployment',
    input: { model: 'fraud-scorer', secret: `s3cr3t-${i}` },
    result: { allow: false },
    allow: false,
    outcome: 'decided',
    reasons: [{ code: 'EVAL_BELOW_THRESHOLD' }],
    bundles: { 'ai-governance': 'rev-9' },
    engine: 'rego',
    cached: i % 2 === 1,
    cache_tier: 'memory',
    latency_ms: 0.25,
    trace_id: 'abcdefabcdefabcdefabcdefabcdefab',
    span_id: '0123456789abcdef',
  };
}

t.test('N decisions → N stream entries with matching ids, read through a consumer group', async (t) => {
  const client = createRedisClient({ topology: { kind: 'standalone', url: srv.url }, tls: false, command_timeout_ms: 200, connect_timeout_ms: 500, max_retries_per_request: 1 });
  const raw = new Redis(srv.url);
  t.teardown(() => {
    client.disconnect();
    raw.disconnect();
  });
  const c = cfg('t1:');
  const log = createDecisionLog(c, { redis: client, labels: { app: 'pdp' } });
  const stream = c.redis_stream.stream;
  await raw.xgroup('CREATE', stream, 'auditors', '$', 'MKSTREAM');
  const N = 250;
  for (let i = 0; i < N; i++) log.log(event(i));
  t.ok(await until(async () => (await raw.xlen(stream)) === N), `${N} entries`);

  const read = (await raw.xreadgroup('GROUP', 'auditors', 'worker-1', 'COUNT', 1000, 'STREAMS', stream, '>')) as [string, [string, string[]][]][];
  const entries = read[0]?.[1] ?? [];
  t.equal(entries.length, N);
  const ids = entries.map(([, fields]) => fields[fields.indexOf('decision_id') + 1]);
  t.same(ids, Array.from({ length: N }, (_, i) => `id-${i}`), 'matching ids, in order');
  const [, fields] = entries[1] ?? ['', []];
  const asMap = Object.fromEntries(fields.reduce<[string, string][]>((acc, v, i) => (i % 2 === 0 ? [...acc, [v, fields[i + 1] ?? '']] : acc), []));
  t.same(Object.keys(asMap), ['decision_id', 'timestamp', 'path', 'kind', 'allow', 'outcome', 'cached', 'trace_id', 'span_id', 'bundles', 'record'], 'documented field layout');
  t.match(asMap, { decision_id: 'id-1', allow: 'false', cached: 'true', outcome: 'decided', kind: 'model-deployment', bundles: '{"ai-governance":"rev-9"}', trace_id: 'abcdefabcdefabcdefabcdefabcdefab' });
  const rec = JSON.parse(asMap.record ?? '{}') as Record<string, unknown>;
  t.same(rec.input, { model: 'fraud-scorer' }, 'masked in the stream');
  t.same(rec.erased, ['/input/secret']);
  t.equal((await raw.xack(stream, 'auditors', ...entries.map(([id]) => id))), N, 'acknowledged by the group');

  const fromRedis = await log.get('id-7');
  t.match(fromRedis, { decision_id: 'id-7', input: { model: 'fraud-scorer' } }, 'looked up by id from Redis');
  t.equal(await log.get('nope'), undefined);
  const ttl = await raw.pttl(`${c.redis_stream.id_key_prefix}id-7`);
  t.ok(ttl > 0 && ttl <= 60_000, 'id key expires with the retention');
  const dump = await Promise.all((await raw.keys('t1:{decisions}:id:*')).map((k) => raw.get(k)));
  t.equal(dump.join('').includes('s3cr3t'), false, 'secret absent from id keys');
  await log.close(1000);
});

t.test('the stream is trimmed approximately at MAXLEN', async (t) => {
  const client = createRedisClient({ topology: { kind: 'standalone', url: srv.url }, tls: false, command_timeout_ms: 200, connect_timeout_ms: 500, max_retries_per_request: 1 });
  const raw = new Redis(srv.url);
  t.teardown(() => {
    client.disconnect();
    raw.disconnect();
  });
  const c = cfg('t2:', { redis_stream: { enabled: true, stream: 't2:{decisions}:stream', id_key_prefix: 't2:{decisions}:id:', max_len: 100 }, retention_ms: 0 });
  const log = createDecisionLog(c, { redis: client, labels: {} });
  for (let i = 0; i < 1000; i++) log.log(event(i));
  await log.close(5000);
  const len = await raw.xlen('t2:{decisions}:stream');
  t.ok(len >= 100 && len < 1000, `trimmed to about 100 (${len})`);
  t.same(await raw.keys('t2:{decisions}:id:*'), [], 'retention 0 → no id keys');
});

t.test('Redis down: records wait (bounded) and are written after it returns', async (t) => {
  const client = createRedisClient({ topology: { kind: 'standalone', url: srv.url }, tls: false, command_timeout_ms: 200, connect_timeout_ms: 300, max_retries_per_request: 1 });
  t.teardown(() => client.disconnect());
  const c = cfg('t3:');
  const log = createDecisionLog(c, { redis: client, labels: {} });
  await srv.kill();
  for (let i = 0; i < 40; i++) log.log(event(i));
  await new Promise((r) => setTimeout(r, 300));
  const down = log.status().sinks.find((s) => s.name === 'redis');
  t.equal(down?.queue_depth, 40);
  t.ok((down?.errors ?? 0) >= 1, 'errors counted');
  await srv.restart();
  const raw = new Redis(srv.url);
  t.teardown(() => raw.disconnect());
  t.ok(await until(async () => (await raw.xlen(c.redis_stream.stream)) === 40, 15_000), 'written after restart');
  await log.close(1000);
});
