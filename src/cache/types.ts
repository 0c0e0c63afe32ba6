// Shapes shared by the decision cache tiers. A cache entry holds the engine's answer only —
// never the per-request envelope (decision_id, trace ids, latency), which is made fresh
// for every decision, cached or not.
import type { EngineKind } from '../engines/types.js';

export type CacheTierName = 'memory' | 'redis';

export interface CachedOutcome {
  /** false when the policy left the document undefined (still a deterministic answer). */
  defined: boolean;
  /** The decision document when defined. */
  result?: unknown;
  engine: EngineKind;
  /** Epoch milliseconds after which the entry must not be served. */
  expiresAt: number;
}

export type CacheLookup =
  | { hit: true; tier: CacheTierName; entry: CachedOutcome }
  | { hit: false };

/** Told about every lookup, so metrics can count hits and misses per tier without the
 * cache importing the metrics module. */
export interface CacheObserver {
  hit(tier: CacheTierName): void;
  miss(tier: CacheTierName): void;
}

export type RedisHealth = 'ok' | 'degraded' | 'disabled';
export type BreakerState = 'closed' | 'open' | 'half_open';

/** The cache's part of `/v1/status`. */
export interface CacheStatus {
  redis: RedisHealth;
  breaker: BreakerState;
  last_error: { message: string; at: string } | null;
  /** bytes: estimated JSON size of the cached results (see value-size.ts). */
  memory: { entries: number; max_entries: number; bytes: number; max_bytes: number };
}
