// Recent records in memory, for GET /v1/decisions/{id}: bounded by count and by age.
// (Across replicas and restarts, the Redis id keys answer instead — see sinks/redis-stream.ts.)
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
  readonly retentionMs: number;
  private readonly now: () => number;
  private readonly byId = new Map<string, Entry>();
  /** Ids in insertion order, as a ring: evicting the oldest is O(1). (Deleting a Map's first
   * key and then asking for the next one walks every earlier deletion — a cost per put that
   * grew with the store's size.) */
  private readonly order: (Entry | undefined)[];
  private head = 0;
  private count = 0;

  constructor(opts: { maxEntries: number; retentionMs: number; now?: () => number }) {
    this.maxEntries = Math.max(0, opts.maxEntries);
    this.retentionMs = opts.retentionMs;
    this.now = opts.now ?? Date.now;
    this.order = new Array<Entry | undefined>(this.maxEntries);
  }

  get size(): number {
    return this.byId.size;
  }

  put(record: LogRecord): void {
    if (this.maxEntries <= 0) return;
    const id = record.decision_id;
    const entry: Entry = { at: this.now(), id, json: recordJson(record) };
    if (this.count === this.maxEntries) {
      const oldest = this.order[this.head];
      // Only if the map still holds this very entry (it may have expired, or been replaced by a
      // later record with the same id, which has its own slot).
      if (oldest !== undefined && this.byId.get(oldest.id) === oldest) this.byId.delete(oldest.id);
      this.order[this.head] = undefined;
      this.head = (this.head + 1) % this.maxEntries;
      this.count--;
    }
    this.order[(this.head + this.count) % this.maxEntries] = entry;
    this.count++;
    this.byId.set(id, entry);
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
}
