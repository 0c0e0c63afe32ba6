// Recent records in memory, for GET /v1/decisions/{id}: bounded by count and by age.
// (Across replicas and restarts, the Redis id keys answer instead — see sinks/redis-stream.ts.)
import type { LogRecord } from './types.js';

export class RecordStore {
  readonly maxEntries: number;
  readonly retentionMs: number;
  private readonly now: () => number;
  /** Insertion order = age order, so the first entries are the oldest. */
  private readonly byId = new Map<string, { at: number; record: LogRecord }>();

  constructor(opts: { maxEntries: number; retentionMs: number; now?: () => number }) {
    this.maxEntries = opts.maxEntries;
    this.retentionMs = opts.retentionMs;
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.byId.size;
  }

  put(record: LogRecord): void {
    if (this.maxEntries <= 0) return;
    this.byId.delete(record.decision_id);
    this.byId.set(record.decision_id, { at: this.now(), record });
    while (this.byId.size > this.maxEntries) {
      const oldest = this.byId.keys().next();
      if (oldest.done) break;
      this.byId.delete(oldest.value);
    }
  }

  get(decisionId: string): LogRecord | undefined {
    const e = this.byId.get(decisionId);
    if (!e) return undefined;
    if (this.now() - e.at > this.retentionMs) {
      this.byId.delete(decisionId);
      return undefined;
    }
    return e.record;
  }
}
