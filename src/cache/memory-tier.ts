// The in-process tier: a bounded LRU (max entries) whose entries also expire by time.
import { LRUCache } from 'lru-cache';
import type { CachedOutcome } from './types.js';

export interface MemoryTierOptions {
  maxEntries: number;
  now?: () => number;
}

export class MemoryTier {
  readonly name = 'memory' as const;
  readonly maxEntries: number;
  private readonly lru: LRUCache<string, CachedOutcome>;
  private readonly now: () => number;

  constructor(opts: MemoryTierOptions) {
    this.maxEntries = opts.maxEntries;
    this.now = opts.now ?? Date.now;
    // Per-entry TTLs are set on insert; lru-cache checks them lazily on get.
    this.lru = new LRUCache<string, CachedOutcome>({ max: opts.maxEntries, ttlAutopurge: false });
  }

  get(key: string): CachedOutcome | undefined {
    const entry = this.lru.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.lru.delete(key);
      return undefined;
    }
    return entry;
  }

  set(key: string, entry: CachedOutcome): void {
    const ttl = entry.expiresAt - this.now();
    if (ttl <= 0) return;
    this.lru.set(key, entry, { ttl: Math.ceil(ttl) });
  }

  get size(): number {
    return this.lru.size;
  }

  clear(): void {
    this.lru.clear();
  }
}
