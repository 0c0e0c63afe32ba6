// Delivers records to one sink from a bounded buffer, in batches, off the request path.
//
//  - enqueue() is synchronous and O(1): a decision never waits for logging.
//  - A batch is sent when `batchSize` records are waiting or `maxDelayMs` after the first.
//  - A failed batch goes back to the front of the buffer and is retried after an
//    exponential, jittered backoff; while the sink is down the buffer fills, and past its
//    capacity the oldest records are dropped and counted.
//  - flush(deadline) drains what it can before the deadline (shutdown).
import { BoundedQueue } from './bounded-queue.js';
import { recordJson } from './record-json.js';
import type { LogObserver, LogRecord, LogSink, SinkStatus } from './types.js';

export interface DispatcherOptions {
  sink: LogSink;
  capacity: number;
  /** Bound on the JSON size of the buffered records (records can be as large as a request). */
  maxBytes?: number;
  batchSize: number;
  /** 0 = send as soon as possible. */
  maxDelayMs: number;
  backoff?: { initialMs: number; maxMs: number };
  observer?: LogObserver;
  now?: () => number;
}

export class SinkDispatcher {
  readonly sink: LogSink;
  private readonly queue: BoundedQueue<LogRecord>;
  private readonly batchSize: number;
  private readonly maxDelayMs: number;
  private readonly backoffInitial: number;
  private readonly backoffMax: number;
  private readonly observer: LogObserver | undefined;
  private readonly now: () => number;
  private inFlight: Promise<void> | null = null;
  private inFlightCount = 0;
  private inFlightBatch: readonly LogRecord[] = [];
  private timer: { cancel(): void } | null = null;
  private retryDelay = 0;
  private retryAt = 0;
  private delivered = 0;
  private dropped = 0;
  private errors = 0;
  private lastError: { message: string; at: string } | null = null;
  private closed = false;

  constructor(opts: DispatcherOptions) {
    this.sink = opts.sink;
    this.queue = new BoundedQueue(opts.capacity, opts.maxBytes ?? Infinity);
    this.batchSize = Math.max(1, opts.batchSize);
    this.maxDelayMs = Math.max(0, opts.maxDelayMs);
    this.backoffInitial = opts.backoff?.initialMs ?? 100;
    this.backoffMax = opts.backoff?.maxMs ?? 30_000;
    this.observer = opts.observer;
    this.now = opts.now ?? Date.now;
  }

  enqueue(record: LogRecord): void {
    const dropped = this.queue.push(record, jsonSize(record));
    if (dropped > 0) this.countDrops(dropped);
    this.schedule();
  }

  status(): SinkStatus {
    return {
      name: this.sink.name,
      // Buffered plus being sent: everything not yet delivered.
      queue_depth: this.queue.size + this.inFlightCount,
      capacity: this.queue.capacity,
      queue_bytes: this.queue.weight,
      max_bytes: Number.isFinite(this.queue.maxWeight) ? this.queue.maxWeight : null,
      delivered: this.delivered,
      dropped: this.dropped,
      errors: this.errors,
      last_error: this.lastError,
      ...(this.sink.mode !== undefined ? { mode: this.sink.mode } : {}),
    };
  }

  /** Sends everything buffered, ignoring backoff, until empty or the deadline passes.
   * Returns how many records were still undelivered. */
  async flush(deadlineMs: number): Promise<number> {
    this.clearTimer();
    while (this.queue.size > 0 || this.inFlight) {
      const left = deadlineMs - this.now();
      if (left <= 0) break;
      if (this.inFlight) {
        await raceTimeout(this.inFlight, left);
        continue;
      }
      await raceTimeout(this.sendBatch(), left);
      if (this.retryDelay > 0 && this.queue.size > 0) {
        // The sink is failing: wait a little before trying again, within the deadline.
        await sleep(Math.min(this.retryDelay, Math.max(0, deadlineMs - this.now())));
      }
    }
    return this.queue.size + this.inFlightCount;
  }

  /** Shutdown, after flush: every record not delivered (buffered, and a batch the sink never
   * answered for), counted as dropped. The caller may still spill them somewhere. */
  abandon(): LogRecord[] {
    const left = [...this.inFlightBatch, ...this.queue.take(this.queue.size)];
    this.inFlightBatch = [];
    if (left.length > 0) this.countDrops(left.length);
    return left;
  }

  /** Stops scheduling; buffered records stay (call flush first). */
  close(): void {
    this.closed = true;
    this.clearTimer();
  }

  private schedule(): void {
    if (this.closed || this.inFlight || this.timer) return;
    if (this.queue.size === 0) return;
    const now = this.now();
    let delay: number;
    if (this.retryAt > now) delay = this.retryAt - now;
    else delay = this.queue.size >= this.batchSize ? 0 : this.maxDelayMs;
    const fire = () => {
      this.timer = null;
      void this.sendBatch().then(() => this.schedule());
    };
    // Pending log delivery alone must not keep the process alive (shutdown flushes explicitly).
    if (delay === 0) {
      const h = setImmediate(fire).unref();
      this.timer = { cancel: () => clearImmediate(h) };
    } else {
      const h = setTimeout(fire, delay).unref();
      this.timer = { cancel: () => clearTimeout(h) };
    }
  }

  private clearTimer(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  private sendBatch(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    const batch = this.queue.take(this.batchSize);
    if (batch.length === 0) return Promise.resolve();
    this.inFlightCount = batch.length;
    this.inFlightBatch = batch;
    const run = (async () => {
      try {
        await this.sink.send(batch);
        this.delivered += batch.length;
        this.retryDelay = 0;
        this.retryAt = 0;
        this.observer?.delivered(this.sink.name, batch.length);
      } catch (e) {
        this.errors++;
        this.lastError = { message: e instanceof Error ? e.message : String(e), at: new Date(this.now()).toISOString() };
        this.observer?.failed(this.sink.name);
        const dropped = this.queue.unshiftAll(batch, jsonSize);
        if (dropped > 0) this.countDrops(dropped);
        this.retryDelay = this.retryDelay === 0 ? this.backoffInitial : Math.min(this.backoffMax, this.retryDelay * 2);
        this.retryAt = this.now() + this.retryDelay * (0.8 + Math.random() * 0.4);
      } finally {
        this.inFlight = null;
        this.inFlightCount = 0;
        this.inFlightBatch = [];
      }
    })();
    this.inFlight = run;
    return run;
  }

  private countDrops(n: number): void {
    this.dropped += n;
    this.observer?.dropped(this.sink.name, n);
  }
}

/** A record's size as written (its JSON text is made once and shared with the sinks). */
function jsonSize(record: LogRecord): number {
  return recordJson(record).length;
}

/** Only flush() sleeps, and it is bounded by its deadline: the timer keeps the process alive, so
 * a shutdown flush is not cut short by an event loop that has nothing else left to do. */
function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function raceTimeout(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  if (timer) clearTimeout(timer);
}
