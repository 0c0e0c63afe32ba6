// Recent records in memory, for GET /v1/decisions/{id}: bounded by count, by size and by age.
// (Across replicas and restarts, the Redis id keys answer instead — see sinks/redis-stream.ts.)
// The size bound matters because a record carries its request's input: at the default body
// limit (1 MiB) a count bound alone would let 10 000 records hold gigabytes.
//
// Nothing of a stored record is on the JavaScript heap. Every stored record outlives the young
// generation, so whatever it keeps there is promoted and then only a mark-compact frees it:
// - its JSON is UTF-8 bytes in buffers outside the heap (as strings, the stored records were more
//   than half of what each scavenge copied: ~600 KB → ~260 KB without them; pauses 3.6–4.3 →
//   2.3–2.5 ms at 1,300 decisions/s);
// - its index entry (id, where its bytes are, when it was stored) is a row of typed arrays, and
//   the id → row lookup an open-addressing table in another one. A Map of small entry objects
//   promoted an entry, an id string and the Map's rehashed tables per decision, which brought a
//   mark-compact — and with it a 30–90 ms stall of the paced p99 — every few seconds.
import { writtenAsIs } from '../shared/json-quote.js';
import { hasPlainIds, recordJson } from './record-json.js';
import type { LogRecord } from './types.js';

/** Records are appended to chunks of this size; a larger record gets a chunk of its own. */
const CHUNK_BYTES = 1024 * 1024;
/** How a record's JSON begins (src/decisionlog/record.ts writes the id first). */
const ID_PREFIX = '{"decision_id":"';
const ID_PREFIX_BYTES = Buffer.from(ID_PREFIX, 'latin1');
/** Rows allocated at first; the arrays double up to maxEntries (which may be millions). */
const FIRST_ROWS = 1024;

/** A buffer records are appended to; reusable once every record in it has been evicted. */
interface Chunk {
  buf: Buffer;
  used: number;
  live: number;
}

/** Rows: one per stored record, in a ring ordered oldest first. A row's record JSON is at `start`
 * in chunk `chunk`, its id's UTF-8 bytes at `idStart`: inside the JSON, or (an id the JSON writes
 * otherwise) just after it. */
interface Rows {
  hash: Uint32Array;
  chunk: Int32Array;
  start: Int32Array;
  idStart: Int32Array;
  idLength: Int32Array;
  jsonLength: Int32Array;
  at: Float64Array;
  /** 1 while the id table points at the row (0 once replaced by a newer record with the same id, or expired) */
  indexed: Uint8Array;
}

function rows(n: number): Rows {
  return {
    hash: new Uint32Array(n),
    chunk: new Int32Array(n),
    start: new Int32Array(n),
    idStart: new Int32Array(n),
    idLength: new Int32Array(n),
    jsonLength: new Int32Array(n),
    at: new Float64Array(n),
    indexed: new Uint8Array(n),
  };
}

/** Whether the JSON written at `start` (up to `end`) begins `{"decision_id":"<id>"` with the id as
 * its bytes. The JSON's first field is then this record's id, which JSON writes as it is when
 * it needs no escape (one byte a character; `plain`: known so, see hasPlainIds, else tested).
 * Compared on the bytes: on the JSON text — a concatenation of some 40 pieces — startsWith cost
 * ~3,000 instructions a record, as did a comparison of the id character by character. */
function idWrittenAt(buf: Buffer, start: number, end: number, id: string, plain: boolean): boolean {
  const at = start + ID_PREFIX.length;
  if (at + id.length >= end || !(plain || writtenAsIs(id))) return false;
  for (let i = 0; i < ID_PREFIX_BYTES.length; i++) if (buf[start + i] !== ID_PREFIX_BYTES[i]) return false;
  return buf[at + id.length] === 0x22;
}

/** FNV-1a over the id's UTF-16 code units (ids are short; equality is checked on the bytes). */
function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class RecordStore {
  readonly maxEntries: number;
  /** Bound on the stored JSON, in bytes (UTF-8). */
  readonly maxBytes: number;
  readonly retentionMs: number;
  private readonly now: () => number;
  private rows: Rows;
  /** Rows allocated (≤ maxEntries). */
  private capacity: number;
  /** Ring: the oldest row is `head`, then `count` rows. */
  private head = 0;
  private count = 0;
  /** Rows the id table points at. */
  private indexedCount = 0;
  private totalBytes = 0;
  /** Open addressing, linear probing: row + 1, 0 = empty. At most half full. */
  private table: Int32Array;
  private mask: number;
  private readonly chunks: (Chunk | null)[] = [];
  private readonly freeChunkSlots: number[] = [];
  /** The chunk records are appended to (an index into `chunks`), -1 before the first. */
  private current = -1;
  /** One emptied standard chunk kept for reuse (no allocation per megabyte of records). */
  private spare = -1;

  constructor(opts: { maxEntries: number; maxBytes?: number; retentionMs: number; now?: () => number }) {
    this.maxEntries = Math.max(0, opts.maxEntries);
    this.maxBytes = opts.maxBytes ?? Infinity;
    this.retentionMs = opts.retentionMs;
    this.now = opts.now ?? Date.now;
    this.capacity = Math.min(this.maxEntries, FIRST_ROWS);
    this.rows = rows(this.capacity);
    this.table = new Int32Array(tableSize(this.capacity));
    this.mask = this.table.length - 1;
  }

  get size(): number {
    return this.indexedCount;
  }

  /** JSON bytes held by the ring (expired entries count until their slot is reused). */
  get bytes(): number {
    return this.totalBytes;
  }

  put(record: LogRecord): void {
    if (this.maxEntries <= 0) return;
    const json = recordJson(record);
    const id = record.decision_id;
    // UTF-8 takes at most 3 bytes per UTF-16 unit. Within that bound (the byte budget cannot bind,
    // the current chunk has room) the text is written straight into the chunk and its exact
    // length is what the write returns: no separate pass over ~1 KB of text to measure it. The
    // bound has room for the id written again after the JSON (below).
    const bound = (id.length + json.length) * 3;
    const cur = this.current >= 0 ? this.chunks[this.current] : null;
    const direct = cur != null && cur.buf.length - cur.used >= bound && this.totalBytes + bound <= this.maxBytes;
    // Measured only where the budget or the chunk's room may bind (0: it cannot).
    const measured = direct ? 0 : Buffer.byteLength(json, 'utf8');
    // A record larger than the whole budget is not kept (GET answers 404, or Redis has it).
    if (measured > this.maxBytes) return;
    while (this.count === this.maxEntries || (this.count > 0 && this.totalBytes + measured > this.maxBytes)) this.evictOldest();
    if (this.count === this.capacity) this.grow();
    // An eviction may have emptied the current chunk: its `used` is read after them.
    const ci = direct ? this.current : this.chunkFor(Buffer.byteLength(id, 'utf8') + measured);
    const chunk = this.chunks[ci] as Chunk;
    const start = chunk.used;
    const jsonLength = chunk.buf.write(json, start, 'utf8');
    let idStart = start + ID_PREFIX.length;
    let idLength = id.length;
    let end = start + jsonLength;
    // A record's JSON starts with its id as written (toLogRecord puts it first): the id's bytes
    // are then those in the JSON. Otherwise (an id JSON escapes, or not ASCII) they follow it.
    if (!idWrittenAt(chunk.buf, start, end, id, hasPlainIds(record))) {
      idStart = end;
      idLength = chunk.buf.write(id, end, 'utf8');
      end += idLength;
    }
    chunk.used = end;
    chunk.live++;
    const row = (this.head + this.count) % this.capacity;
    const r = this.rows;
    const hash = hashId(id);
    r.hash[row] = hash;
    r.chunk[row] = ci;
    r.start[row] = start;
    r.idStart[row] = idStart;
    r.idLength[row] = idLength;
    r.jsonLength[row] = jsonLength;
    r.at[row] = this.now();
    r.indexed[row] = 1;
    this.count++;
    this.totalBytes += jsonLength;
    // A repeated id: the newer record replaces the older in the table (the old row stays in the
    // ring until evicted, unindexed).
    const pos = this.find(id, hash);
    if (pos >= 0) {
      r.indexed[(this.table[pos] as number) - 1] = 0;
      this.table[pos] = row + 1;
    } else {
      this.insert(hash, row);
      this.indexedCount++;
    }
  }

  get(decisionId: string): LogRecord | undefined {
    const pos = this.find(decisionId, hashId(decisionId));
    if (pos < 0) return undefined;
    const row = (this.table[pos] as number) - 1;
    const r = this.rows;
    // Expired rows stay in the ring until their slot is reused; only the lookup forgets them.
    if (this.now() - (r.at[row] as number) > this.retentionMs) {
      this.unindex(row);
      return undefined;
    }
    const buf = (this.chunks[r.chunk[row] as number] as Chunk).buf;
    const from = r.start[row] as number;
    return JSON.parse(buf.toString('utf8', from, from + (r.jsonLength[row] as number))) as LogRecord;
  }

  /** The table position whose row holds this id, or -1. */
  private find(id: string, hash: number): number {
    const r = this.rows;
    for (let pos = hash & this.mask; ; pos = (pos + 1) & this.mask) {
      const v = this.table[pos] as number;
      if (v === 0) return -1;
      const row = v - 1;
      if (r.hash[row] !== hash) continue;
      // Same hash (rare): the stored id itself decides. Compared as text, not as UTF-8 bytes: a
      // looked-up id with a lone surrogate encodes to the same bytes as one with U+FFFD there.
      const start = r.idStart[row] as number;
      if ((this.chunks[r.chunk[row] as number] as Chunk).buf.toString('utf8', start, start + (r.idLength[row] as number)) === id) return pos;
    }
  }

  private insert(hash: number, row: number): void {
    let pos = hash & this.mask;
    while (this.table[pos] !== 0) pos = (pos + 1) & this.mask;
    this.table[pos] = row + 1;
  }

  /** Takes the row out of the id table (backward-shift deletion: no tombstones to pile up). */
  private unindex(row: number): void {
    const r = this.rows;
    if (r.indexed[row] === 0) return;
    r.indexed[row] = 0;
    this.indexedCount--;
    let i = (r.hash[row] as number) & this.mask;
    while (this.table[i] !== row + 1) i = (i + 1) & this.mask;
    for (let j = (i + 1) & this.mask; this.table[j] !== 0; j = (j + 1) & this.mask) {
      const home = (r.hash[(this.table[j] as number) - 1] as number) & this.mask;
      // The entry at j may move to the hole at i unless its home lies cyclically in (i, j].
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      this.table[i] = this.table[j] as number;
      i = j;
    }
    this.table[i] = 0;
  }

  /** Doubles the rows (up to maxEntries), unwrapping the ring, and rebuilds the id table. */
  private grow(): void {
    const capacity = Math.min(this.maxEntries, this.capacity * 2);
    const old = this.rows;
    const next = rows(capacity);
    for (let k = 0; k < this.count; k++) {
      const from = (this.head + k) % this.capacity;
      next.hash[k] = old.hash[from] as number;
      next.chunk[k] = old.chunk[from] as number;
      next.start[k] = old.start[from] as number;
      next.idStart[k] = old.idStart[from] as number;
      next.idLength[k] = old.idLength[from] as number;
      next.jsonLength[k] = old.jsonLength[from] as number;
      next.at[k] = old.at[from] as number;
      next.indexed[k] = old.indexed[from] as number;
    }
    this.rows = next;
    this.capacity = capacity;
    this.head = 0;
    this.table = new Int32Array(tableSize(capacity));
    this.mask = this.table.length - 1;
    for (let k = 0; k < this.count; k++) if (next.indexed[k] === 1) this.insert(next.hash[k] as number, k);
  }

  /** The index of a chunk with room for `length` more bytes. */
  private chunkFor(length: number): number {
    const cur = this.current >= 0 ? this.chunks[this.current] : null;
    if (cur && cur.buf.length - cur.used >= length) return this.current;
    if (length > CHUNK_BYTES) return this.addChunk({ buf: Buffer.allocUnsafe(length), used: 0, live: 0 });
    let next = this.spare;
    if (next >= 0) this.spare = -1;
    else next = this.addChunk({ buf: Buffer.allocUnsafe(CHUNK_BYTES), used: 0, live: 0 });
    this.current = next;
    return next;
  }

  private addChunk(chunk: Chunk): number {
    const slot = this.freeChunkSlots.pop();
    if (slot !== undefined) {
      this.chunks[slot] = chunk;
      return slot;
    }
    this.chunks.push(chunk);
    return this.chunks.length - 1;
  }

  private evictOldest(): void {
    const row = this.head;
    this.unindex(row);
    this.totalBytes -= this.rows.jsonLength[row] as number;
    this.release(this.rows.chunk[row] as number);
    this.head = (this.head + 1) % this.capacity;
    this.count--;
  }

  /** One record of the chunk evicted; an emptied chunk is reused (the current one from its start),
   * an emptied oversized one let go. */
  private release(ci: number): void {
    const chunk = this.chunks[ci] as Chunk;
    if (--chunk.live > 0) return;
    chunk.used = 0;
    if (ci === this.current) return;
    if (chunk.buf.length === CHUNK_BYTES && this.spare < 0) {
      this.spare = ci;
      return;
    }
    this.chunks[ci] = null;
    this.freeChunkSlots.push(ci);
  }
}

/** A power of two at least twice the rows (linear probing stays short below half full). */
function tableSize(rowCount: number): number {
  let n = 2;
  while (n < rowCount * 2) n *= 2;
  return n;
}
