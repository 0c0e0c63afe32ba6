// The in-process tier: an LRU bounded by entries and by the size of the results it holds, whose
// entries also expire by time. (A result can be large — the Data API can return whole documents
// — so an entry bound alone does not bound memory.)
import { LRUCache } from 'lru-cache';
import type { CacheEntry } from '../decisions/types.js';
import { approximateJsonSize } from './value-size.js';

export interface MemoryTierOptions {
  maxEntries: number;
  /** Bound on the results' estimated JSON size; a larger single result is not cached. */
  maxBytes?: number;
  now?: () => number;
}

export class MemoryTier {
  readonly name = 'memory' as const;
  readonly maxEntries: number;
  readonly maxBytes: number;
  private readonly lru: LRUCache<string, CacheEntry>;
  private readonly now: () => number;

  constructor(opts: MemoryTierOptions) {
    this.maxEntries = opts.maxEntries;
    this.maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
    this.now = opts.now ?? Date.now;
    // Sizes are passed to set() (measured once there), so sizeCalculation is never called. Expiry
    // is the entry's own expiresAt, checked in get(), not lru-cache's TTLs: with TTLs it reads
    // the clock through a 1 ms timer it re-arms whenever it has lapsed — at a decision every
    // millisecond or so, a timer per decision, and a wake-up of an otherwise idle event loop.
    this.lru = new LRUCache<string, CacheEntry>({ max: opts.maxEntries, maxSize: this.maxBytes });
  }

  get(key: string): CacheEntry | undefined {
    const entry = this.lru.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.lru.delete(key);
      return undefined;
    }
    return entry;
  }

  set(key: string, entry: CacheEntry): void {
    if (entry.expiresAt <= this.now()) return;
    // Key and bookkeeping count too, so an entry is never 0 bytes. An entry larger than the
    // whole tier is refused by lru-cache (its maxEntrySize defaults to maxSize).
    const size = key.length + 64 + (entry.defined ? approximateJsonSize(entry.result, this.maxBytes) : 0);
    this.lru.set(key, entry, { size });
  }

  get size(): number {
    return this.lru.size;
  }

  /** Estimated bytes held (see value-size.ts). */
  get bytes(): number {
    return this.lru.calculatedSize;
  }

  clear(): void {
    this.lru.clear();
  }
}
