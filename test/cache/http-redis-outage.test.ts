// Redis is never on the failure path, through the real service: a dedicated redis-server is
// killed during a burst of 600 decisions → zero failed decisions, /v1/pdp/status and /metrics show
// the degraded state; restarted → the service reconnects by itself and the Redis tier serves
// again (a second instance with an empty in-process tier gets a Redis hit).
import t from 'tap';
import { getJson, postJson, startPdp, testBundle, toolCall, writeBundle } from '../helpers/pdp-harness.js';
import { Redis } from 'ioredis';
import { decisionCacheKey } from '../../src/cache/key.js';
import { RedisSeal } from '../../src/cache/redis-seal.js';

// Both instances share the Redis tier: they need the same secret.
const CACHE_SECRET = 'shared-cache-secret-of-the-test';
import { startRedisServer } from '../helpers/redis-server.js';
import { until } from '../helpers/until.js';

t.test('Redis killed mid-burst: every decision answered; degraded; recovers by itself', async (t) => {
  const redis = await startRedisServer();
  t.teardown(() => redis.stop());
  const dir = t.testdir();
  await writeBundle(dir, testBundle({ revision: 'o1' }));
  const env = {
    REDIS_URL: redis.url,
    PDP_CACHE_SECRET: CACHE_SECRET,
    REDIS_COMMAND_TIMEOUT_MS: '100',
    REDIS_CONNECT_TIMEOUT_MS: '300',
    REDIS_BREAKER_FAILURES: '3',
    REDIS_BREAKER_COOLDOWN_MS: '500',
    PDP_DECISION_LOG_STDOUT: 'false',
    PDP_DECISION_LOG_REDIS_STREAM: 'false',
  };
  const a = await startPdp({ bundleDir: dir, env });
  const b = await startPdp({ bundleDir: dir, env });
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  // Connected before the burst (on a loaded machine the first commands can outlast the 100 ms
  // deadline and open the breaker for a moment).
  const healthy = async () => {
    const cache = (await getJson(`${a.url}/v1/pdp/status`)).json.cache as { redis?: string; breaker?: string } | undefined;
    return cache?.redis === 'ok' && cache.breaker === 'closed';
  };
  t.ok(await until(healthy, 10_000), 'Redis tier ok and breaker closed before the burst');

  const TOTAL = 600;
  const CONCURRENCY = 16;
  let next = 0;
  let failed = 0;
  let answered = 0;
  const problems: string[] = [];
  const worker = async () => {
    while (next < TOTAL) {
      const i = next++;
      if (i === 200) await redis.kill();
      // Mostly distinct inputs so the in-process tier misses and Redis is consulted.
      const body = toolCall(i % 4 === 0 ? 'delete_db' : 'read_file', { arguments: { to: `user${i}@example.com` } });
      try {
        const r = await postJson(`${a.url}/v1/decisions/tool-call`, body);
        if (r.status === 200 && typeof r.json.allow === 'boolean' && typeof r.json.decision_id === 'string') answered++;
        else {
          failed++;
          problems.push(`${r.status} ${JSON.stringify(r.json).slice(0, 200)}`);
        }
      } catch (e) {
        failed++;
        problems.push(String(e));
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  t.equal(failed, 0, `no failed decisions ${problems.slice(0, 3).join(' | ')}`);
  t.equal(answered, TOTAL);

  const down = (await getJson(`${a.url}/v1/pdp/status`)).json.cache as Record<string, unknown>;
  t.equal(down.redis, 'degraded', '/v1/pdp/status shows the degraded Redis tier');
  t.match(down.last_error, { message: String });
  const metricsDown = await (await fetch(`${a.url}/metrics`)).text();
  t.match(metricsDown, /pdp_redis_state\{state="degraded"\} 1/, 'and so does /metrics');

  await redis.restart();
  // Lookups drive the half-open probe; the client reconnects on its own.
  let n = 0;
  t.ok(
    await until(async () => {
      await postJson(`${a.url}/v1/decisions/tool-call`, toolCall('read_file', { arguments: { probe: n++ } }));
      return ((await getJson(`${a.url}/v1/pdp/status`)).json.cache as { redis: string }).redis === 'ok';
    }, 15_000),
    'back to ok without a restart of the service',
  );
  t.match((await getJson(`${a.url}/v1/pdp/status`)).json.cache, { redis: 'ok', breaker: 'closed' });

  // A new decision on A is written to Redis (fire-and-forget: wait until it landed); B, whose
  // in-process tier has never seen it, is then served from Redis.
  const fresh = toolCall('send_email', { arguments: { to: 'after-restart@example.com' } });
  t.match((await postJson(`${a.url}/v1/decisions/tool-call`, fresh)).json, { cached: false });
  const raw = new Redis(redis.url);
  t.teardown(() => raw.disconnect());
  const digest = ((await getJson(`${a.url}/v1/pdp/status`)).json.bundles as { digest: string }[])[0]?.digest ?? '';
  const key = `pdp:dc:${new RedisSeal(CACHE_SECRET).keysOf(decisionCacheKey({ revisions: { test: 'o1' }, digests: { test: digest }, path: 'ai/tools/decision', input: fresh, strict: false })).redisKey}`;
  t.ok(await until(async () => (await raw.exists(key)) === 1, 5000), 'A wrote the decision to Redis after the restart');
  t.ok(await until(async () => ((await getJson(`${b.url}/v1/pdp/status`)).json.cache as { redis: string }).redis === 'ok', 10_000), 'B reconnected too');
  const fromB = (await postJson(`${b.url}/v1/decisions/tool-call`, fresh)).json;
  t.match(fromB, { allow: true, cached: true }, 'second instance answers from the shared tier');
  const rec = await getJson(`${b.url}/v1/decisions/${String(fromB.decision_id)}`);
  t.match(rec.json, { cached: true, cache_tier: 'redis' }, 'the Redis tier is used again');
  t.match(await (await fetch(`${b.url}/metrics`)).text(), /pdp_cache_lookups_total\{tier="redis",result="hit"\} [1-9]/);
});
