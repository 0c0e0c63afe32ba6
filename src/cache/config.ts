// Decision cache settings (environment variables; defaults give an in-process cache only).
//   PDP_CACHE_ENABLED           true    turn the whole cache off with false
//   PDP_CACHE_TTL_SECONDS       60      upper bound for every entry
//   PDP_CACHE_MAX_ENTRIES       10000   in-process LRU bound
//   PDP_CACHE_MAX_BYTES         67108864  in-process LRU bound on the cached results' size (64 MiB)
//   REDIS_URL | REDIS_CLUSTER_NODES | REDIS_SENTINELS (+ REDIS_SENTINEL_NAME)   see redis/config.ts
//   REDIS_KEY_PREFIX            pdp:    prefix of every key this service writes
//   REDIS_BREAKER_FAILURES      5       consecutive failures that open the breaker
//   REDIS_BREAKER_COOLDOWN_MS   2000    how long it stays open before one probe
import type { ConfigIssue } from '../config/types.js';
import { boolFromEnv, intFromEnv, type Env } from './env.js';
import { redisConfigFromEnv, type RedisConnectionConfig } from './redis/config.js';

/** Every PDP_CACHE_* variable read here (others in that family are reported as likely typos). */
export const CACHE_ENV_VARS: readonly string[] = ['PDP_CACHE_ENABLED', 'PDP_CACHE_TTL_SECONDS', 'PDP_CACHE_MAX_ENTRIES', 'PDP_CACHE_MAX_BYTES'];

export interface CacheConfig {
  enabled: boolean;
  ttl_ms: number;
  max_entries: number;
  /** In-process tier bound on the cached results' estimated JSON size. */
  max_bytes: number;
  key_prefix: string;
  breaker: { failure_threshold: number; cooldown_ms: number };
  /** null: no Redis configured (in-process tier only). */
  redis: RedisConnectionConfig | null;
}

export function cacheConfigFromEnv(env: Env, issues: ConfigIssue[]): CacheConfig {
  const prefix = env.REDIS_KEY_PREFIX ?? 'pdp:';
  if (/\s/.test(prefix)) issues.push({ source: 'REDIS_KEY_PREFIX', message: 'must not contain whitespace' });
  return {
    enabled: boolFromEnv(env, 'PDP_CACHE_ENABLED', true, issues),
    ttl_ms: intFromEnv(env, 'PDP_CACHE_TTL_SECONDS', 60, { min: 0, max: 86_400 }, issues) * 1000,
    max_entries: intFromEnv(env, 'PDP_CACHE_MAX_ENTRIES', 10_000, { min: 1, max: 10_000_000 }, issues),
    max_bytes: intFromEnv(env, 'PDP_CACHE_MAX_BYTES', 64 * 1024 * 1024, { min: 1024, max: 2 ** 40 }, issues),
    key_prefix: prefix,
    breaker: {
      failure_threshold: intFromEnv(env, 'REDIS_BREAKER_FAILURES', 5, { min: 1, max: 1000 }, issues),
      cooldown_ms: intFromEnv(env, 'REDIS_BREAKER_COOLDOWN_MS', 2000, { min: 0, max: 600_000 }, issues),
    },
    redis: redisConfigFromEnv(env, issues),
  };
}
