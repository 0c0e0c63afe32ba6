// Recent records in memory, for GET /v1/decisions/{id}: bounded by count, by size and by age.
// (Across replicas and restarts, the Redis id keys answer instead — see sinks/redis-stream.ts.)
// The size bound matters because a record carries its request's input: at the default body
// limit (1 MiB) a count bound alone would let 10 000 records hold gigabytes.
import { recordJson } from './record-json.js';
import type { LogRecord } from './types.js';

interface Entry {
  at: number;
  id: string;
  /** The record's JSON text: one flat string per entry keeps thousands of retained records
   * (and the request inputs inside them) off the garbage collector's back. */
  json: string;
}

export class RecordStore {
  readonly maxEntries: number;
  /** Bound on the stored JSON text, in characters (bytes for ASCII). */
  readonly maxBytes: number;
  readonly retentionMs: number;
  private readonly now: () => number;
  private readonly byId = new Map<string, Entry>();
  /** Entries in insertion order, as a ring: evicting the oldest is O(1). (Deleting a Map's
   * first key and then asking for the next one walks every earlier deletion — a cost per put
   * that grew with the store's size.) */
  private readonly order: (Entry | undefined)[];
  private head = 0;
  private count = 0;
  private totalBytes = 0;

  constructor(opts: { maxEntries: number; maxBytes?: number; retentionMs: number; now?: () => number }) {
    this.maxEntries = Math.max(0, opts.maxEntries);
    this.maxBytes = opts.maxBytes ?? Infinity;
    this.retentionMs = opts.retentionMs;
    this.now = opts.now ?? Date.now;
    this.order = new Array<Entry | undefined>(this.maxEntries);
  }

  get size(): number {
    return this.byId.size;
  }

  /** JSON characters held by the ring (expired entries count until their slot is reused). */
  get bytes(): number {
    return this.totalBytes;
  }

  put(record: LogRecord): void {
    if (this.maxEntries <= 0) return;
    const json = recordJson(record);
    // A record larger than the whole budget is not kept (GET answers 404, or Redis has it).
    if (json.length > this.maxBytes) return;
    while (this.count === this.maxEntries || (this.count > 0 && this.totalBytes + json.length > this.maxBytes)) this.evictOldest();
    const entry: Entry = { at: this.now(), id: record.decision_id, json };
    this.order[(this.head + this.count) % this.maxEntries] = entry;
    this.count++;
    this.totalBytes += json.length;
    this.byId.set(entry.id, entry);
  }

  get(decisionId: string): LogRecord | undefined {
    const e = this.byId.get(decisionId);
    if (!e) return undefined;
    // Expired entries stay in the ring until their slot is reused; only the lookup forgets them.
    if (this.now() - e.at > this.retentionMs) {
      this.byId.delete(decisionId);
      return undefined;
    }
    return JSON.parse(e.json) as LogRecord;
  }

  private evictOldest(): void {
    const oldest = this.order[this.head];
    // Only if the map still holds this very entry (it may have expired, or been replaced by a
    // later record with the same id, which has its own slot).
    if (oldest !== undefined) {
      if (this.byId.get(oldest.id) === oldest) this.byId.delete(oldest.id);
      this.totalBytes -= oldest.json.length;
    }
    this.order[this.head] = undefined;
    this.head = (this.head + 1) % this.maxEntries;
    this.count--;
  }
}
