// Assembles the decision cache from its settings. The Redis client is passed in (not created
// here): the decision log's stream sink shares it.
import type { CacheConfig, RedisConfig } from '../config/types.js';
import type { RedisClient } from '../redis/connection.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { TieredDecisionCache } from './decision-cache.js';
import { MemoryTier } from './memory-tier.js';
import { RedisSeal } from './redis-seal.js';
import { RedisTier } from './redis-tier.js';
import type { CacheObserver } from './types.js';

export function createDecisionCache(
  cfg: CacheConfig,
  redisCfg: RedisConfig,
  deps: { redis?: RedisClient | null; observer?: CacheObserver; now?: () => number } = {},
): TieredDecisionCache {
  const memory = new MemoryTier({ maxEntries: cfg.max_entries, maxBytes: cfg.max_bytes, now: deps.now });
  const redis = deps.redis
    ? new RedisTier({
        client: deps.redis,
        breaker: new CircuitBreaker({ failureThreshold: redisCfg.breaker_failures, cooldownMs: redisCfg.breaker_cooldown_ms, now: deps.now }),
        keyPrefix: `${redisCfg.key_prefix}dc:`,
        timeoutMs: redisCfg.command_timeout_ms,
        seal: cfg.secret !== undefined ? new RedisSeal(cfg.secret) : RedisSeal.random(),
        ttlMs: cfg.ttl_seconds * 1000,
        ...(deps.observer ? { onRejected: () => deps.observer?.rejected('redis') } : {}),
        now: deps.now,
      })
    : undefined;
  return new TieredDecisionCache({ memory, redis, observer: deps.observer, ttlMs: cfg.ttl_seconds * 1000, now: deps.now });
}
