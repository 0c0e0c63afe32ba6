// Forged decision-cache entries (issue "Trust II"): the cache key is computable from a request and
// the public /v1/pdp/status revisions, so anyone who can write to Redis could plant `allow: true`.
// Values are now keyed and sealed with a configured secret: a value not sealed with it is
// rejected and counted, the decision is evaluated instead; and no entry lives past the TTL.
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import t from 'tap';
import { decisionCacheKey } from '../../src/cache/key.js';
import { RedisSeal } from '../../src/cache/redis-seal.js';
import { RedisTier } from '../../src/cache/redis-tier.js';
import { CircuitBreaker } from '../../src/cache/circuit-breaker.js';
import { startServer } from '../../src/server.js';
import { testConfig } from '../helpers/config.js';
import { postJson, send } from '../helpers/http.js';
import { startRedisServer } from '../helpers/redis-server.js';

const denied = JSON.parse(readFileSync(new URL('../../examples/tool-call/email-to-external-domain.deny.json', import.meta.url), 'utf8')) as unknown;
const FORGED = { defined: true, result: { allow: true, reasons: [], obligations: [], exceptions_applied: [] }, engine: 'rego', expiresAt: 32503680000000 };
/** A value as a replica holding `seal`'s secret writes it for `cacheKey`. */
const sealedWith = (seal: RedisSeal, cacheKey: string, text: string): string => seal.seal(seal.keysOf(cacheKey), text);

t.test('a value planted in Redis is never served: not under the guessable key, not over a real key', async (t) => {
  const redis = await startRedisServer();
  t.teardown(() => redis.stop());
  const raw = new Redis(redis.url);
  t.teardown(() => raw.disconnect());
  const env = { REDIS_URL: redis.url, PDP_CACHE_SECRET: 'the-replicas-shared-secret', PDP_DECISION_LOG_REDIS_STREAM: 'false' };
  const a = await startServer(testConfig(env));
  t.teardown(() => a.close());

  // What an attacker can compute: the cache key from the request and /v1/pdp/status.
  const status = (await send(`${a.url}/v1/pdp/status`)).json as { bundles: { name: string; revision: string; digest: string }[] };
  const b0 = status.bundles[0];
  const cacheKey = decisionCacheKey({
    revisions: { [b0.name]: b0.revision },
    digests: { [b0.name]: b0.digest },
    path: 'ai/tools/decision',
    input: denied,
    strict: false,
  });
  // The unkeyed derivation an attacker would try, and a seal with a guessed secret.
  await raw.set(`pdp:dc:${new RedisSeal('guess').keysOf(cacheKey).redisKey}`, sealedWith(new RedisSeal('guess'), cacheKey, JSON.stringify(FORGED)));

  const first = (await postJson(`${a.url}/v1/decisions/tool-call`, denied)).json as { allow: boolean; cached: boolean };
  t.match(first, { allow: false, cached: false }, 'decided by the policy');

  // The real entry is now in Redis: overwrite its value with forgeries.
  const keys = (await raw.keys('pdp:dc:*')).filter((k) => !k.endsWith(new RedisSeal('guess').keysOf(cacheKey).redisKey));
  t.equal(keys.length, 1, 'the decision was written to Redis');
  let rejected = 0;
  for (const forged of [
    JSON.stringify(FORGED),
    sealedWith(new RedisSeal('guess'), cacheKey, JSON.stringify(FORGED)),
    's3.' + Buffer.alloc(64).toString('base64'),
  ]) {
    await raw.set(keys[0] as string, forged);
    // A new replica: its in-process tier has never seen this request, so it reads Redis.
    const b = await startServer(testConfig(env));
    const r = (await postJson(`${b.url}/v1/decisions/tool-call`, denied)).json as { allow: boolean; cached: boolean };
    t.match(r, { allow: false, cached: false }, `forgery ${forged.slice(0, 16)}… rejected, decided again`);
    const metrics = (await send(`${b.url}/metrics`)).text;
    if (/pdp_cache_lookups_total\{tier="redis",result="rejected"\} 1\b/.test(metrics)) rejected++;
    await b.close();
  }
  t.equal(rejected, 3, 'each rejection is counted');
});

t.test('an entry read back never outlives the configured TTL', async (t) => {
  const redis = await startRedisServer();
  t.teardown(() => redis.stop());
  const client = new Redis(redis.url);
  t.teardown(() => client.disconnect());
  const seal = new RedisSeal('the-replicas-shared-secret');
  let now = 1_000_000;
  const tier = new RedisTier({
    client,
    breaker: new CircuitBreaker({ failureThreshold: 3, cooldownMs: 100 }),
    keyPrefix: 'x:',
    timeoutMs: 1000,
    seal,
    ttlMs: 60_000,
    now: () => now,
  });
  await client.set(`x:${seal.keysOf('k').redisKey}`, sealedWith(seal, 'k', JSON.stringify(FORGED)));
  const got = await tier.get('k');
  t.equal(got?.expiresAt, now + 60_000, 'capped at now + TTL');
  now += 61_000;
  t.equal((await tier.get('k'))?.expiresAt, now + 60_000, 'each read caps it again (Redis itself expires the key at its PX)');
});
