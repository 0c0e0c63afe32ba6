// The two-tier cache against a real, dedicated redis-server: hits per tier, revision
// changes, expiry, and Redis outages (killed, hung) that never fail a lookup.
import t from 'tap';
import { Redis } from 'ioredis';
import { createDecisionCache } from '../../src/cache/create.js';
import type { CacheConfig } from '../../src/cache/config.js';
import { decisionCacheKey } from '../../src/cache/key.js';
import { createRedisClient, type RedisClient } from '../../src/cache/redis/connection.js';
import type { EvaluationOutcome } from '../../src/engines/types.js';
import { startRedisServer } from './redis-server.js';
import { until } from '../helpers/until.js';

const srv = await startRedisServer();
t.teardown(() => srv.stop());

function config(url: string | null, over: Partial<CacheConfig> = {}): CacheConfig {
  return {
    enabled: true,
    ttl_ms: 60_000,
    max_entries: 1000,
    max_bytes: 1024 * 1024,
    key_prefix: `t${Math.random().toString(36).slice(2, 8)}:`,
    breaker: { failure_threshold: 3, cooldown_ms: 300 },
    redis: url
      ? { topology: { kind: 'standalone', url }, tls: false, command_timeout_ms: 100, connect_timeout_ms: 300, max_retries_per_request: 1 }
      : null,
    ...over,
  };
}

async function client(cfg: CacheConfig): Promise<RedisClient> {
  if (!cfg.redis) throw new Error('no redis in config');
  const c = createRedisClient(cfg.redis);
  await new Promise<void>((resolve) => (c.status === 'ready' ? resolve() : c.once('ready', () => resolve())));
  return c;
}

const allow: EvaluationOutcome = {
  ok: true,
  defined: true,
  result: { allow: true, reasons: [] },
  dependsOn: { time: false, random: false, external: false },
  engine: 'rego',
};

t.test('without Redis the in-process tier alone serves', async (t) => {
  const cache = createDecisionCache(config(null));
  const key = decisionCacheKey({ revisions: { b: 'r1' }, path: 'ai/tools/decision', input: { x: 1 } });
  t.same(await cache.get(key), { hit: false });
  const verdict = cache.remember(key, allow);
  t.equal(verdict.cache, true);
  const expiresAt = verdict.cache ? verdict.expiresAt : 0;
  t.same(await cache.get(key), {
    hit: true,
    tier: 'memory',
    entry: { defined: true, result: { allow: true, reasons: [] }, engine: 'rego', expiresAt },
  });
  t.same(cache.status().redis, 'disabled');
  const other = decisionCacheKey({ revisions: { b: 'r2' }, path: 'ai/tools/decision', input: { x: 1 } });
  t.same(await cache.get(other), { hit: false }, 'a new revision misses');
});

t.test('the in-process LRU is bounded', async (t) => {
  const cache = createDecisionCache(config(null, { max_entries: 10 }));
  for (let i = 0; i < 50; i++) cache.remember(`k${i}`, allow);
  t.equal(cache.status().memory.entries, 10);
  t.equal((await cache.get('k0')).hit, false, 'oldest evicted');
  t.equal((await cache.get('k49')).hit, true, 'newest kept');
});

t.test('entries expire: time-dependent results are not served past valid_until', async (t) => {
  let clock = Date.parse('2026-03-01T12:00:00Z');
  const cfg = config(srv.url);
  const redis = await client(cfg);
  t.teardown(() => redis.disconnect());
  const now = () => clock;
  const cache = createDecisionCache(cfg, { redis, now });
  const timed: EvaluationOutcome = {
    ok: true,
    defined: true,
    result: { allow: true, valid_until: '2026-03-01T12:00:05Z' },
    dependsOn: { time: true, random: false, external: false },
    engine: 'rego',
  };
  t.same(cache.remember('timed', timed), { cache: true, ttlMs: 5000, expiresAt: clock + 5000 });
  t.equal((await cache.get('timed')).hit, true);
  clock += 5000;
  t.same(await cache.get('timed'), { hit: false }, 'memory and redis both refuse the expired entry');
  t.same(
    cache.remember('untimed', { ...timed, result: { allow: true } }),
    { cache: false, reason: 'depends_on_time_without_expiry' },
  );
  t.same(await cache.get('untimed'), { hit: false });
});

t.test('a Redis hit is served by a second instance (shared tier) and copied into memory', async (t) => {
  const cfg = config(srv.url);
  const r1 = await client(cfg);
  const r2 = await client(cfg);
  t.teardown(() => {
    r1.disconnect();
    r2.disconnect();
  });
  const tiers: string[] = [];
  const a = createDecisionCache(cfg, { redis: r1 });
  const b = createDecisionCache(cfg, { redis: r2, observer: { hit: (tier) => tiers.push(`hit:${tier}`), miss: (tier) => tiers.push(`miss:${tier}`) } });
  a.remember('shared', allow);
  t.ok(await until(async () => (await r2.exists(`${cfg.key_prefix}dc:shared`)) === 1, 1000), 'written to redis');
  const first = await b.get('shared');
  t.equal(first.hit && first.tier, 'redis');
  const second = await b.get('shared');
  t.equal(second.hit && second.tier, 'memory');
  t.same(tiers, ['miss:memory', 'hit:redis', 'hit:memory']);
  const ttl = await r2.pttl(`${cfg.key_prefix}dc:shared`);
  t.ok(ttl > 0 && ttl <= 60_000, `redis key has a TTL (${ttl} ms)`);
  t.equal(b.status().redis, 'ok');
});

t.test('Redis killed during a burst of 600 lookups: none fails, status degrades, then recovers', async (t) => {
  const cfg = config(srv.url);
  const redis = await client(cfg);
  t.teardown(() => redis.disconnect());
  const cache = createDecisionCache(cfg, { redis });
  let failures = 0;
  let served = 0;
  const tasks: Promise<void>[] = [];
  for (let i = 0; i < 600; i++) {
    if (i === 200) await srv.kill();
    // mostly fresh keys, so the memory tier misses and Redis is consulted
    const key = i % 3 === 0 ? `burst-${i % 30}` : `burst-${i}`;
    tasks.push(
      (async () => {
        try {
          const hit = await cache.get(key);
          if (!hit.hit) cache.remember(key, allow);
          served++;
        } catch {
          failures++;
        }
      })(),
    );
    if (i % 20 === 0) await new Promise((r) => setImmediate(r));
  }
  const started = Date.now();
  await Promise.all(tasks);
  t.equal(failures, 0, 'no lookup failed');
  t.equal(served, 600);
  t.ok(Date.now() - started < 5000, 'lookups stayed bounded');
  const down = cache.status();
  t.equal(down.redis, 'degraded');
  t.equal(down.breaker, 'open');
  t.ok(down.last_error, 'last error reported');

  await srv.restart();
  t.ok(await until(() => redis.status === 'ready', 5000), 'client reconnected by itself');
  // the next lookups probe and close the breaker
  t.ok(
    await until(async () => {
      await cache.get('probe');
      return cache.status().breaker === 'closed';
    }, 5000),
    'breaker closed again',
  );
  t.equal(cache.status().redis, 'ok');
  cache.remember('after-restart', allow);
  t.ok(await until(async () => (await redis.exists(`${cfg.key_prefix}dc:after-restart`)) === 1, 2000), 'redis tier written again');
  const fresh = createDecisionCache(cfg, { redis });
  const hit = await fresh.get('after-restart');
  t.equal(hit.hit && hit.tier, 'redis', 'redis tier serves again');
});

t.test('a hung Redis (SIGSTOP) costs at most the command deadline, then nothing while open', async (t) => {
  const cfg = config(srv.url, { breaker: { failure_threshold: 2, cooldown_ms: 60_000 } });
  const redis = await client(cfg);
  t.teardown(() => {
    srv.resume();
    redis.disconnect();
  });
  const cache = createDecisionCache(cfg, { redis });
  srv.pause();
  const t0 = Date.now();
  t.same(await cache.get('slow-1'), { hit: false });
  const first = Date.now() - t0;
  t.ok(first >= 80 && first < 1000, `first lookup waited for the deadline (${first} ms)`);
  await cache.get('slow-2');
  t.equal(cache.status().breaker, 'open');
  const t1 = Date.now();
  for (let i = 0; i < 100; i++) await cache.get(`slow-x${i}`);
  // 100 lookups through a hung Redis would take 100 × 100 ms; an open breaker skips Redis
  t.ok(Date.now() - t1 < 2000, 'open breaker answers without waiting on Redis');
  srv.resume();
});

// Separate connection so the assertions do not depend on our client's state.
t.test('keys are written with the configured prefix only', async (t) => {
  const cfg = config(srv.url);
  const redis = await client(cfg);
  const raw = new Redis(srv.url);
  t.teardown(() => {
    redis.disconnect();
    raw.disconnect();
  });
  const cache = createDecisionCache(cfg, { redis });
  cache.remember('p1', allow);
  t.ok(await until(async () => (await raw.keys(`${cfg.key_prefix}*`)).length === 1, 1000));
  t.same(await raw.keys(`${cfg.key_prefix}*`), [`${cfg.key_prefix}dc:p1`]);
});
