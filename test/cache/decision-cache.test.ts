// The two-tier cache against a real, dedicated redis-server: hits per tier, revision
// changes, expiry, and Redis outages (killed, hung) that never fail a lookup.
import t from 'tap';
import { Redis } from 'ioredis';
import { createDecisionCache } from '../../src/cache/create.js';
import { decisionCacheKey } from '../../src/cache/key.js';
import { RedisSeal } from '../../src/cache/redis-seal.js';

// Caches that share Redis need the same secret.
const CACHE_SECRET = 'shared-cache-secret-of-the-test';
const redisKeyOf = (key: string): string => new RedisSeal(CACHE_SECRET).keysOf(key).redisKey;
import { DEFAULT_CACHE, DEFAULT_REDIS } from '../../src/config/defaults.js';
import type { CacheConfig, RedisConfig } from '../../src/config/types.js';
import type { CacheQuery, SuccessfulOutcome } from '../../src/decisions/types.js';
import type { EvaluationOutcome } from '../../src/engines/types.js';
import { createRedisClient, type RedisClient } from '../../src/redis/connection.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { until } from '../helpers/until.js';

const srv = await startRedisServer();
t.teardown(() => srv.stop());

interface Config {
  cache: CacheConfig;
  redis: RedisConfig;
}

/** The cache and Redis sections; a fresh key prefix per call, so tests do not see each other's keys. */
function config(url: string | null, over: { cache?: Partial<CacheConfig>; redis?: Partial<RedisConfig> } = {}): Config {
  return {
    cache: { ...DEFAULT_CACHE, ttl_seconds: 60, max_entries: 1000, max_bytes: 1024 * 1024, secret: CACHE_SECRET, ...over.cache },
    redis: {
      ...DEFAULT_REDIS,
      ...(url !== null ? { url } : {}),
      key_prefix: `t${Math.random().toString(36).slice(2, 8)}:`,
      breaker_failures: 3,
      breaker_cooldown_ms: 300,
      command_timeout_ms: 100,
      connect_timeout_ms: 300,
      max_retries_per_request: 1,
      ...over.redis,
    },
  };
}

async function client(cfg: Config): Promise<RedisClient> {
  const c = createRedisClient(cfg.redis);
  if (!c) throw new Error('no redis in config');
  await new Promise<void>((resolve) => (c.status === 'ready' ? resolve() : c.once('ready', () => resolve())));
  return c;
}

const allow: SuccessfulOutcome = {
  ok: true,
  defined: true,
  result: { allow: true, reasons: [] },
  dependsOn: { time: false, random: false, external: false },
  engine: 'rego',
};

t.test('without Redis the in-process tier alone serves', async (t) => {
  const cfg = config(null);
  t.equal(createRedisClient(cfg.redis), null, 'no Redis configured, no client');
  const cache = createDecisionCache(cfg.cache, cfg.redis);
  const key = decisionCacheKey({ revisions: { b: 'r1' }, path: 'ai/tools/decision', input: { x: 1 } });
  t.equal(await cache.lookup(key), undefined, 'a miss is undefined');
  const verdict = cache.remember(key, allow);
  t.equal(verdict.cache, true);
  const expiresAt = verdict.cache ? verdict.expiresAt : 0;
  t.ok(expiresAt > Date.now() + 59_000 && expiresAt <= Date.now() + 60_000, 'ttl_seconds bounds the lifetime');
  t.same(await cache.lookup(key), {
    entry: { defined: true, result: { allow: true, reasons: [] }, engine: 'rego', expiresAt },
    tier: 'memory',
    shared: true,
  });
  t.same(cache.status().redis, 'disabled');
  const other = decisionCacheKey({ revisions: { b: 'r2' }, path: 'ai/tools/decision', input: { x: 1 } });
  t.equal(await cache.lookup(other), undefined, 'a new revision misses');
});

t.test("as the pipeline's DecisionCache: get(query) / set(query, outcome) use the same key", async (t) => {
  const cfg = config(null);
  const cache = createDecisionCache(cfg.cache, cfg.redis);
  const query = (revision: string, input: unknown): CacheQuery => ({ path: 'ai/tools/decision', input, strict: false, revisions: { b: revision } });
  const q1 = query('r1', { x: 1, y: 2 });
  t.equal(await cache.get(q1), undefined);
  t.equal(q1.cacheKey, decisionCacheKey(q1), 'the key is computed once and kept on the query');
  cache.set(q1, allow);
  t.match(await cache.get(query('r1', { y: 2, x: 1 })), { tier: 'memory', entry: { defined: true, result: { allow: true } } }, 'an equal query hits');
  t.match(await cache.lookup(decisionCacheKey(q1)), { tier: 'memory' }, 'stored under decisionCacheKey(query)');
  t.equal(await cache.get(query('r2', { x: 1, y: 2 })), undefined, 'a new revision misses');
  t.equal(await cache.get({ ...query('r1', { x: 1, y: 2 }), strict: true }), undefined, 'strict is part of the key');
  const random: SuccessfulOutcome = { ...allow, dependsOn: { time: false, random: true, external: false } };
  const q3 = query('r1', { z: 3 });
  cache.set(q3, random);
  t.equal(await cache.get(q3), undefined, 'set() keeps only what may be cached');
});

t.test('the in-process LRU is bounded', async (t) => {
  const cfg = config(null, { cache: { max_entries: 10 } });
  const cache = createDecisionCache(cfg.cache, cfg.redis);
  for (let i = 0; i < 50; i++) cache.remember(`k${i}`, allow);
  t.equal(cache.status().memory.entries, 10);
  t.equal(await cache.lookup('k0'), undefined, 'oldest evicted');
  t.not(await cache.lookup('k49'), undefined, 'newest kept');
});

t.test('entries expire: time-dependent results are not served past valid_until', async (t) => {
  let clock = Date.parse('2026-03-01T12:00:00Z');
  const cfg = config(srv.url);
  const redis = await client(cfg);
  t.teardown(() => redis.disconnect());
  const now = () => clock;
  const cache = createDecisionCache(cfg.cache, cfg.redis, { redis, now });
  const timed: EvaluationOutcome = {
    ok: true,
    defined: true,
    result: { allow: true, valid_until: '2026-03-01T12:00:05Z' },
    dependsOn: { time: true, random: false, external: false },
    engine: 'rego',
  };
  t.same(cache.remember('timed', timed), { cache: true, ttlMs: 5000, expiresAt: clock + 5000 });
  t.not(await cache.lookup('timed'), undefined);
  clock += 5000;
  t.equal(await cache.lookup('timed'), undefined, 'memory and redis both refuse the expired entry');
  t.same(cache.remember('untimed', { ...timed, result: { allow: true } }), { cache: false, reason: 'depends_on_time_without_expiry' });
  t.equal(await cache.lookup('untimed'), undefined);
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
  const a = createDecisionCache(cfg.cache, cfg.redis, { redis: r1 });
  const b = createDecisionCache(cfg.cache, cfg.redis, {
    redis: r2,
    observer: { hit: (tier) => tiers.push(`hit:${tier}`), miss: (tier) => tiers.push(`miss:${tier}`), rejected: (tier) => tiers.push(`rejected:${tier}`) },
  });
  a.remember('shared', allow);
  t.ok(await until(async () => (await r2.exists(`${cfg.redis.key_prefix}dc:${redisKeyOf('shared')}`)) === 1, 1000), 'written to redis');
  const first = await b.lookup('shared');
  t.equal(first?.tier, 'redis');
  t.equal(first?.shared, false, 'parsed afresh from Redis: not shared');
  const second = await b.lookup('shared');
  t.equal(second?.tier, 'memory');
  t.equal(second?.shared, true);
  t.same(second?.entry, first?.entry);
  t.same(tiers, ['miss:memory', 'hit:redis', 'hit:memory']);
  const ttl = await r2.pttl(`${cfg.redis.key_prefix}dc:${redisKeyOf('shared')}`);
  t.ok(ttl > 0 && ttl <= 60_000, `redis key has a TTL (${ttl} ms)`);
  t.equal(b.status().redis, 'ok');
});

t.test('Redis killed during a burst of 600 lookups: none fails, status degrades, then recovers', async (t) => {
  const cfg = config(srv.url);
  const redis = await client(cfg);
  t.teardown(() => redis.disconnect());
  const cache = createDecisionCache(cfg.cache, cfg.redis, { redis });
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
          const hit = await cache.lookup(key);
          if (hit === undefined) cache.remember(key, allow);
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
      await cache.lookup('probe');
      return cache.status().breaker === 'closed';
    }, 5000),
    'breaker closed again',
  );
  t.equal(cache.status().redis, 'ok');
  cache.remember('after-restart', allow);
  t.ok(await until(async () => (await redis.exists(`${cfg.redis.key_prefix}dc:${redisKeyOf('after-restart')}`)) === 1, 2000), 'redis tier written again');
  const fresh = createDecisionCache(cfg.cache, cfg.redis, { redis });
  const hit = await fresh.lookup('after-restart');
  t.equal(hit?.tier, 'redis', 'redis tier serves again');
});

t.test('a hung Redis (SIGSTOP) costs at most the command deadline, then nothing while open', async (t) => {
  const cfg = config(srv.url, { redis: { breaker_failures: 2, breaker_cooldown_ms: 60_000 } });
  const redis = await client(cfg);
  t.teardown(() => {
    srv.resume();
    redis.disconnect();
  });
  const cache = createDecisionCache(cfg.cache, cfg.redis, { redis });
  srv.pause();
  const t0 = Date.now();
  t.equal(await cache.lookup('slow-1'), undefined);
  const first = Date.now() - t0;
  t.ok(first >= 80 && first < 1000, `first lookup waited for the deadline (${first} ms)`);
  await cache.lookup('slow-2');
  t.equal(cache.status().breaker, 'open');
  const t1 = Date.now();
  for (let i = 0; i < 100; i++) await cache.lookup(`slow-x${i}`);
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
  const cache = createDecisionCache(cfg.cache, cfg.redis, { redis });
  cache.remember('p1', allow);
  t.ok(await until(async () => (await raw.keys(`${cfg.redis.key_prefix}*`)).length === 1, 1000));
  t.same(await raw.keys(`${cfg.redis.key_prefix}*`), [`${cfg.redis.key_prefix}dc:${redisKeyOf('p1')}`]);
});

t.test('Redis holds a digest as key and a sealed value: no request value, readable only with the query', async (t) => {
  const cfg = config(srv.url);
  const redis = await client(cfg);
  const raw = new Redis(srv.url);
  t.teardown(() => {
    redis.disconnect();
    raw.disconnect();
  });
  const secret = 'pw-Hunter2-in-a-reason';
  const input = { arguments: { password: secret } };
  const key = decisionCacheKey({ revisions: { b: 'r1' }, path: 'ai/tools/decision', input });
  const echoing: SuccessfulOutcome = { ...allow, result: { allow: false, reasons: [{ code: 'X', message: `bad password ${secret}` }] } };
  createDecisionCache(cfg.cache, cfg.redis, { redis }).remember(key, echoing);
  const stored = `${cfg.redis.key_prefix}dc:${redisKeyOf(key)}`;
  t.ok(await until(async () => (await raw.exists(stored)) === 1, 1000), 'written under the derived key');
  t.match(redisKeyOf(key), /^[0-9a-f]{64}$/);
  t.not(redisKeyOf(key), key, 'the Redis key is not the cache key (which opens the value)');
  const value = (await raw.get(stored)) ?? '';
  t.match(value, /^s3\.[A-Za-z0-9+/]+=*$/, 'sealed');
  t.equal(value.includes(secret), false, 'the value does not carry the request value');
  t.equal(Buffer.from(value.slice(3), 'base64').toString('latin1').includes(secret), false, 'not even base64-decoded');

  const fresh = createDecisionCache(cfg.cache, cfg.redis, { redis });
  t.match(await fresh.lookup(key), { tier: 'redis', entry: { result: echoing.result } }, 'another instance with the same query reads it');

  // A value that is not sealed under this query's key is a miss: moved from another key,
  // tampered with, or an old plaintext entry.
  const otherKey = decisionCacheKey({ revisions: { b: 'r1' }, path: 'ai/tools/decision', input: { other: 1 } });
  await raw.set(`${cfg.redis.key_prefix}dc:${redisKeyOf(otherKey)}`, value, 'PX', 60_000);
  t.equal(await createDecisionCache(cfg.cache, cfg.redis, { redis }).lookup(otherKey), undefined, 'a value moved to another key does not open');
  const flipped = value.slice(0, -6) + (value.at(-6) === 'A' ? 'B' : 'A') + value.slice(-5);
  await raw.set(stored, flipped, 'PX', 60_000);
  t.equal(await createDecisionCache(cfg.cache, cfg.redis, { redis }).lookup(key), undefined, 'a tampered value is a miss');
  await raw.set(stored, JSON.stringify({ defined: true, result: { allow: true }, engine: 'rego', expiresAt: Date.now() + 60_000 }), 'PX', 60_000);
  t.equal(await createDecisionCache(cfg.cache, cfg.redis, { redis }).lookup(key), undefined, 'a plaintext entry (forged, or an old format) is a miss');
});
