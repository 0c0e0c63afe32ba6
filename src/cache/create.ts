// Assembles the decision cache from its configuration. The Redis client is passed in
// (not created here) because the decision log's stream sink shares it.
import type { CacheConfig } from './config.js';
import { TieredDecisionCache } from './decision-cache.js';
import { MemoryTier } from './memory-tier.js';
import { CircuitBreaker } from './redis/circuit-breaker.js';
import type { RedisClient } from './redis/connection.js';
import { RedisTier } from './redis-tier.js';
import type { CacheObserver } from './types.js';

export function createDecisionCache(
  cfg: CacheConfig,
  deps: { redis?: RedisClient | null; observer?: CacheObserver; now?: () => number } = {},
): TieredDecisionCache {
  const memory = new MemoryTier({ maxEntries: cfg.max_entries, maxBytes: cfg.max_bytes, now: deps.now });
  const redis =
    deps.redis && cfg.redis
      ? new RedisTier({
          client: deps.redis,
          breaker: new CircuitBreaker({
            failureThreshold: cfg.breaker.failure_threshold,
            cooldownMs: cfg.breaker.cooldown_ms,
            now: deps.now,
          }),
          keyPrefix: `${cfg.key_prefix}dc:`,
          timeoutMs: cfg.redis.command_timeout_ms,
          now: deps.now,
        })
      : undefined;
  return new TieredDecisionCache({ memory, redis, observer: deps.observer, ttlMs: cfg.ttl_ms, now: deps.now });
}
