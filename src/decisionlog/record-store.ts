// Recent records in memory, for GET /v1/decisions/{id}: bounded by count, by size and by age.
// (Across replicas and restarts, the Redis id keys answer instead — see sinks/redis-stream.ts.)
// The size bound matters because a record carries its request's input: at the default body
// limit (1 MiB) a count bound alone would let 10 000 records hold gigabytes.
//
// The records' JSON is kept as UTF-8 bytes in buffers outside the JavaScript heap, not as
// strings. Every stored record outlives the young generation, and a retained string is copied
// by each scavenge it survives and then by the old generation's compactions: at 1,300 decisions
// per second the stored strings were more than half of what each scavenge copied (~600 KB →
// ~260 KB without them; pauses 3.6–4.3 → 2.3–2.5 ms). In buffers, a record costs the heap one
// small entry and its id.
import { recordJson } from './record-json.js';
import type { LogRecord } from './types.js';

/** Records are appended to chunks of this size; a larger record gets a chunk of its own. */
const CHUNK_BYTES = 1024 * 1024;

/** A buffer records are appended to; reusable once every record in it has been evicted. */
interface Chunk {
  buf: Buffer;
  used: number;
  live: number;
}

interface Entry {
  at: number;
  id: string;
  chunk: Chunk;
  start: number;
  length: number;
}

export class RecordStore {
  readonly maxEntries: number;
  /** Bound on the stored JSON, in bytes (UTF-8). */
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
  /** The chunk records are appended to. */
  private current: Chunk | null = null;
  /** One emptied standard chunk kept for reuse (no allocation per megabyte of records). */
  private spare: Chunk | null = null;

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

  /** JSON bytes held by the ring (expired entries count until their slot is reused). */
  get bytes(): number {
    return this.totalBytes;
  }

  put(record: LogRecord): void {
    if (this.maxEntries <= 0) return;
    const json = recordJson(record);
    const length = Buffer.byteLength(json, 'utf8');
    // A record larger than the whole budget is not kept (GET answers 404, or Redis has it).
    if (length > this.maxBytes) return;
    while (this.count === this.maxEntries || (this.count > 0 && this.totalBytes + length > this.maxBytes)) this.evictOldest();
    const chunk = this.chunkFor(length);
    const start = chunk.used;
    chunk.buf.write(json, start, length, 'utf8');
    chunk.used += length;
    chunk.live++;
    const entry: Entry = { at: this.now(), id: record.decision_id, chunk, start, length };
    this.order[(this.head + this.count) % this.maxEntries] = entry;
    this.count++;
    this.totalBytes += length;
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
    return JSON.parse(e.chunk.buf.toString('utf8', e.start, e.start + e.length)) as LogRecord;
  }

  /** A chunk with room for `length` more bytes. */
  private chunkFor(length: number): Chunk {
    const cur = this.current;
    if (cur !== null && cur.buf.length - cur.used >= length) return cur;
    if (length > CHUNK_BYTES) return { buf: Buffer.allocUnsafe(length), used: 0, live: 0 };
    let next = this.spare;
    if (next !== null) this.spare = null;
    else next = { buf: Buffer.allocUnsafe(CHUNK_BYTES), used: 0, live: 0 };
    this.current = next;
    return next;
  }

  private evictOldest(): void {
    const oldest = this.order[this.head];
    // Only if the map still holds this very entry (it may have expired, or been replaced by a
    // later record with the same id, which has its own slot).
    if (oldest !== undefined) {
      if (this.byId.get(oldest.id) === oldest) this.byId.delete(oldest.id);
      this.totalBytes -= oldest.length;
      this.release(oldest.chunk);
    }
    this.order[this.head] = undefined;
    this.head = (this.head + 1) % this.maxEntries;
    this.count--;
  }

  /** One record of the chunk evicted; an emptied chunk is reused (the current one from its start). */
  private release(chunk: Chunk): void {
    if (--chunk.live > 0) return;
    chunk.used = 0;
    if (chunk !== this.current && chunk.buf.length === CHUNK_BYTES) this.spare = chunk;
  }
}
