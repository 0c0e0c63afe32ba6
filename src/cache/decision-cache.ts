// The two-tier decision cache: in-process LRU first, then Redis (when configured).
// A Redis hit is copied into the in-process tier for its remaining lifetime.
import type { EvaluationOutcome } from '../engines/types.js';
import { cacheabilityOf, type Cacheability } from './cacheability.js';
import type { MemoryTier } from './memory-tier.js';
import type { RedisTier } from './redis-tier.js';
import type { CachedOutcome, CacheLookup, CacheObserver, CacheStatus } from './types.js';

const MISS: CacheLookup = Object.freeze({ hit: false });

export interface DecisionCacheOptions {
  memory: MemoryTier;
  redis?: RedisTier;
  observer?: CacheObserver;
  /** Upper bound for every entry's lifetime. */
  ttlMs: number;
  now?: () => number;
}

export class TieredDecisionCache {
  private readonly memory: MemoryTier;
  private readonly redis: RedisTier | undefined;
  private observer: CacheObserver | undefined;
  readonly ttlMs: number;
  private readonly now: () => number;

  constructor(opts: DecisionCacheOptions) {
    this.ttlMs = opts.ttlMs;
    this.now = opts.now ?? Date.now;
    this.memory = opts.memory;
    this.redis = opts.redis;
    this.observer = opts.observer;
  }

  setObserver(observer: CacheObserver): void {
    this.observer = observer;
  }

  /** Synchronous when the in-process tier answers or Redis is not configured, so the hot
   * path costs no extra microtask; a Promise only when Redis is consulted. */
  get(key: string): CacheLookup | Promise<CacheLookup> {
    const local = this.memory.get(key);
    if (local !== undefined) {
      this.observer?.hit('memory');
      return { hit: true, tier: 'memory', entry: local };
    }
    this.observer?.miss('memory');
    if (this.redis === undefined) return MISS;
    return this.fromRedis(key, this.redis);
  }

  private async fromRedis(key: string, redis: RedisTier): Promise<CacheLookup> {
    const shared = await redis.get(key);
    if (shared === undefined) {
      this.observer?.miss('redis');
      return MISS;
    }
    this.observer?.hit('redis');
    this.memory.set(key, shared);
    return { hit: true, tier: 'redis', entry: shared };
  }

  /** Never waits on Redis. */
  set(key: string, entry: CachedOutcome): void {
    this.memory.set(key, entry);
    this.redis?.set(key, entry);
  }

  /** Stores an engine outcome if (and for as long as) it may be cached; says what it did. */
  remember(key: string, outcome: EvaluationOutcome): Cacheability {
    const verdict = cacheabilityOf(outcome, { ttlMs: this.ttlMs, nowMs: this.now() });
    if (verdict.cache && outcome.ok) {
      this.set(
        key,
        outcome.defined
          ? { defined: true, result: outcome.result, engine: outcome.engine, expiresAt: verdict.expiresAt }
          : { defined: false, engine: outcome.engine, expiresAt: verdict.expiresAt },
      );
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
