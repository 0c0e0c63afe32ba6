// The cache's own vocabulary (its entries and hits are the pipeline's: CacheEntry, CacheHit in
// src/decisions/types.ts).

export type CacheTierName = 'memory' | 'redis';

/** Told about every lookup, so metrics can count hits and misses per tier without the
 * cache importing the metrics module. */
export interface CacheObserver {
  hit(tier: CacheTierName): void;
  miss(tier: CacheTierName): void;
  /** A stored value failed authentication or decoding (forged, tampered, another secret). */
  rejected(tier: CacheTierName): void;
}

export type RedisHealth = 'ok' | 'degraded' | 'disabled';
export type BreakerState = 'closed' | 'open' | 'half_open';

/** The cache's part of `/v1/pdp/status`. */
export interface CacheStatus {
  redis: RedisHealth;
  breaker: BreakerState;
  last_error: { message: string; at: string } | null;
  /** bytes: estimated JSON size of the cached results (see value-size.ts). */
  memory: { entries: number; max_entries: number; bytes: number; max_bytes: number };
}
