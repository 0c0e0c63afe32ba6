// The Redis Stream sink against a dedicated redis-server: N decisions → N entries with
// matching ids, readable by a consumer group; id keys for lookup; trimming; outage recovery.
import t from 'tap';
import { Redis } from 'ioredis';
import { DEFAULT_DECISION_LOG, DEFAULT_REDIS } from '../../src/config/defaults.js';
import type { DecisionLogConfig, RedisConfig } from '../../src/config/types.js';
import { createDecisionLog } from '../../src/decisionlog/create.js';
import type { DecisionRecord } from '../../src/decisions/types.js';
import { createRedisClient, type RedisClient } from '../../src/redis/connection.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { decidedRecord } from '../helpers/decision-record.js';
import { until } from '../helpers/until.js';

const srv = await startRedisServer();
t.teardown(() => srv.stop());

function cfg(over: Partial<DecisionLogConfig> = {}): DecisionLogConfig {
  return {
    ...DEFAULT_DECISION_LOG,
    stdout: false,
    redis_stream: true,
    redis_maxlen: 100_000,
    batch_size: 100,
    buffer_size: 10_000,
    buffer_max_bytes: 32 * 1024 * 1024,
    mask_paths: ['/input/secret'],
    // No mask policy: raw logging, so the configured pointer is what masks (without raw, the
    // input would be left out entirely).
    policy_mask: false,
    raw: true,
    retention_seconds: 60,
    store_max_entries: 0, // force lookups through Redis
    store_max_bytes: 64 * 1024 * 1024,
    caller_header: '',
    flush_timeout_ms: 2000,
    ...over,
  };
}

/** The Redis section: the key prefix names the stream (<prefix>{decisions}:stream) and the id keys. */
function redisCfg(prefix: string, over: Partial<RedisConfig> = {}): RedisConfig {
  return { ...DEFAULT_REDIS, url: srv.url, key_prefix: prefix, command_timeout_ms: 200, connect_timeout_ms: 500, max_retries_per_request: 1, ...over };
}

function connect(r: RedisConfig): RedisClient {
  const client = createRedisClient(r);
  if (!client) throw new Error('Redis is configured: expected a client');
  return client;
}

function event(i: number): DecisionRecord {
  return decidedRecord(
    {
      decision_id: `id-${i}`,
      timestamp: '2026-03-01T12:00:00.000Z',
      path: 'ai/deployment/decision',
      kind: 'model-deployment',
      input: { model: 'fraud-scorer', secret: `s3cr3t-${i}` },
      result: { allow: false },
      outcome: 'decided',
      bundles: { 'ai-governance': 'rev-9' },
      engine: 'rego',
      cached: i % 2 === 1,
      cache_tier: 'memory',
      duration_ms: 0.25,
      trace_id: 'abcdefabcdefabcdefabcdefabcdefab',
      span_id: '0123456789abcdef',
    },
    false,
    [{ code: 'EVAL_BELOW_THRESHOLD' }],
  );
}

t.test('N decisions → N stream entries with matching ids, read through a consumer group', async (t) => {
  // The lookup by id is bounded by the command deadline: generous here, the test machine is shared.
  const r = redisCfg('t1:', { command_timeout_ms: 1000 });
  const client = connect(r);
  const raw = new Redis(srv.url);
  t.teardown(() => {
    client.disconnect();
    raw.disconnect();
  });
  const log = createDecisionLog(cfg(), r, { redis: client, labels: { app: 'pdp' } });
  const stream = 't1:{decisions}:stream';
  await raw.xgroup('CREATE', stream, 'auditors', '$', 'MKSTREAM');
  const N = 250;
  for (let i = 0; i < N; i++) log.log(event(i));
  t.ok(await until(async () => (await raw.xlen(stream)) === N), `${N} entries`);

  const read = (await raw.xreadgroup('GROUP', 'auditors', 'worker-1', 'COUNT', 1000, 'STREAMS', stream, '>')) as [string, [string, string[]][]][];
  const entries = read[0]?.[1] ?? [];
  t.equal(entries.length, N);
  const ids = entries.map(([, fields]) => fields[fields.indexOf('decision_id') + 1]);
  t.same(
    ids,
    Array.from({ length: N }, (_, i) => `id-${i}`),
    'matching ids, in order',
  );
  const [, fields] = entries[1] ?? ['', []];
  const asMap = Object.fromEntries(fields.reduce<[string, string][]>((acc, v, i) => (i % 2 === 0 ? [...acc, [v, fields[i + 1] ?? '']] : acc), []));
  t.same(
    Object.keys(asMap),
    ['decision_id', 'timestamp', 'path', 'kind', 'allow', 'outcome', 'cached', 'trace_id', 'span_id', 'bundles', 'record'],
    'documented field layout',
  );
  t.match(asMap, {
    decision_id: 'id-1',
    allow: 'false',
    cached: 'true',
    outcome: 'decided',
    kind: 'model-deployment',
    bundles: '{"ai-governance":"rev-9"}',
    trace_id: 'abcdefabcdefabcdefabcdefabcdefab',
  });
  const rec = JSON.parse(asMap.record ?? '{}') as Record<string, unknown>;
  t.same(rec.input, { model: 'fraud-scorer' }, 'masked in the stream');
  t.same(rec.erased, ['/input/secret']);
  t.equal(await raw.xack(stream, 'auditors', ...entries.map(([id]) => id)), N, 'acknowledged by the group');

  const fromRedis = await log.get('id-7');
  t.match(fromRedis, { decision_id: 'id-7', input: { model: 'fraud-scorer' } }, 'looked up by id from Redis');
  t.equal(await log.get('nope'), undefined);
  const ttl = await raw.pttl('t1:{decisions}:id:id-7');
  t.ok(ttl > 0 && ttl <= 60_000, 'id key expires with the retention');
  const dump = await Promise.all((await raw.keys('t1:{decisions}:id:*')).map((k) => raw.get(k)));
  t.equal(dump.join('').includes('s3cr3t'), false, 'secret absent from id keys');
  await log.close(1000);
});

t.test('the stream is trimmed approximately at MAXLEN', async (t) => {
  const r = redisCfg('t2:');
  const client = connect(r);
  const raw = new Redis(srv.url);
  t.teardown(() => {
    client.disconnect();
    raw.disconnect();
  });
  // An explicit stream key replaces the default one.
  const c = cfg({ redis_stream_key: 't2:{decisions}:trimmed', redis_maxlen: 100, retention_seconds: 0 });
  const log = createDecisionLog(c, r, { redis: client, labels: {} });
  for (let i = 0; i < 1000; i++) log.log(event(i));
  await log.close(5000);
  t.equal(await raw.exists('t2:{decisions}:stream'), 0, 'not the default key');
  const len = await raw.xlen('t2:{decisions}:trimmed');
  t.ok(len >= 100 && len < 1000, `trimmed to about 100 (${len})`);
  t.same(await raw.keys('t2:{decisions}:id:*'), [], 'retention 0 → no id keys');
});

t.test('Redis down: records wait (bounded) and are written after it returns', async (t) => {
  const r = redisCfg('t3:', { connect_timeout_ms: 300 });
  const client = connect(r);
  t.teardown(() => client.disconnect());
  const log = createDecisionLog(cfg(), r, { redis: client, labels: {} });
  await srv.kill();
  for (let i = 0; i < 40; i++) log.log(event(i));
  await new Promise((r) => setTimeout(r, 300));
  const down = log.status().sinks.find((s) => s.name === 'redis');
  t.equal(down?.queue_depth, 40);
  t.ok((down?.errors ?? 0) >= 1, 'errors counted');
  await srv.restart();
  const raw = new Redis(srv.url);
  t.teardown(() => raw.disconnect());
  t.ok(await until(async () => (await raw.xlen('t3:{decisions}:stream')) === 40, 15_000), 'written after restart');
  await log.close(1000);
});
