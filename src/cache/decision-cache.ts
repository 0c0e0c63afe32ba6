// The two-tier decision cache — the pipeline's DecisionCache: in-process LRU first, then Redis
// (when configured). A Redis hit is copied into the in-process tier for its remaining lifetime.
import type { CacheEntry, CacheHit, CacheQuery, DecisionCache, MaybePromise, SuccessfulOutcome } from '../decisions/types.js';
import type { EvaluationOutcome } from '../engines/types.js';
import { cacheabilityOf, type Cacheability } from './cacheability.js';
import { decisionCacheKey } from './key.js';
import type { MemoryTier } from './memory-tier.js';
import type { RedisTier } from './redis-tier.js';
import type { CacheObserver, CacheStatus } from './types.js';

export interface DecisionCacheOptions {
  memory: MemoryTier;
  redis?: RedisTier;
  observer?: CacheObserver;
  /** Upper bound for every entry's lifetime. */
  ttlMs: number;
  now?: () => number;
}

export class TieredDecisionCache implements DecisionCache {
  private readonly memory: MemoryTier;
  private readonly redis: RedisTier | undefined;
  private readonly observer: CacheObserver | undefined;
  readonly ttlMs: number;
  private readonly now: () => number;

  constructor(opts: DecisionCacheOptions) {
    this.ttlMs = opts.ttlMs;
    this.now = opts.now ?? Date.now;
    this.memory = opts.memory;
    this.redis = opts.redis;
    this.observer = opts.observer;
  }

  get(query: CacheQuery): MaybePromise<CacheHit | undefined> {
    return this.lookup(keyOf(query));
  }

  set(query: CacheQuery, outcome: SuccessfulOutcome): void {
    this.remember(keyOf(query), outcome);
  }

  /** Synchronous when the in-process tier answers or Redis is not configured, so the hot path
   * costs no extra microtask; a Promise only when Redis is consulted. */
  lookup(key: string): MaybePromise<CacheHit | undefined> {
    const local = this.memory.get(key);
    if (local !== undefined) {
      this.observer?.hit('memory');
      // The in-process tier hands out its stored entry itself.
      return { entry: local, tier: 'memory', shared: true };
    }
    this.observer?.miss('memory');
    if (this.redis === undefined) return undefined;
    return this.fromRedis(key, this.redis);
  }

  private async fromRedis(key: string, redis: RedisTier): Promise<CacheHit | undefined> {
    const entry = await redis.get(key);
    if (entry === undefined) {
      this.observer?.miss('redis');
      return undefined;
    }
    this.observer?.hit('redis');
    this.memory.set(key, entry);
    // Parsed afresh from Redis: not shared with other requests.
    return { entry, tier: 'redis', shared: false };
  }

  /** Stores an engine outcome if (and for as long as) it may be cached; says what it did. Never
   * waits on Redis. */
  remember(key: string, outcome: EvaluationOutcome): Cacheability {
    const verdict = cacheabilityOf(outcome, { ttlMs: this.ttlMs, nowMs: this.now() });
    if (verdict.cache && outcome.ok) {
      const entry: CacheEntry = outcome.defined
        ? { defined: true, result: outcome.result, engine: outcome.engine, expiresAt: verdict.expiresAt }
        : { defined: false, engine: outcome.engine, expiresAt: verdict.expiresAt };
      this.memory.set(key, entry);
      this.redis?.set(key, entry);
    }
    return verdict;
  }

  status(): CacheStatus {
    const memory = { entries: this.memory.size, max_entries: this.memory.maxEntries, bytes: this.memory.bytes, max_bytes: this.memory.maxBytes };
    if (this.redis === undefined) return { redis: 'disabled', breaker: 'closed', last_error: null, memory };
    return {
      redis: this.redis.health,
      breaker: this.redis.breakerState,
      last_error: this.redis.lastErrorInfo,
      memory,
    };
  }
}

/** The pipeline passes the same query to get() and set(): hash the input once. */
function keyOf(query: CacheQuery): string {
  return (query.cacheKey ??= decisionCacheKey(query));
}
