// The primary's part in acting for the whole process: it asks the other workers for a decision
// record one of them holds (first found wins; "not found" once all said so or the time is up),
// and gathers every worker's metrics for the one that was asked (prom-client's aggregator).
import type { Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { FromPrimary, FromWorker } from './messages.js';

interface OpenLookup {
  asker: Worker;
  rid: number;
  waiting: number;
  timer: NodeJS.Timeout;
}

export class PrimaryRelay {
  private readonly workers: () => Worker[];
  private readonly lookupTimeoutMs: number;
  private readonly aggregator = new AggregatorRegistry();
  private next = 0;
  private readonly open = new Map<number, OpenLookup>();

  constructor(opts: { workers: () => Worker[]; lookupTimeoutMs?: number }) {
    this.workers = opts.workers;
    this.lookupTimeoutMs = opts.lookupTimeoutMs ?? 750;
  }

  /** Handles the relay's messages; false for any other. */
  handle(from: Worker, m: FromWorker): boolean {
    switch (m.pdp) {
      case 'lookup':
        this.lookup(from, m.rid, m.id);
        return true;
      case 'lookup-local-result':
        this.found(m.rid, m.json);
        return true;
      case 'metrics':
        this.metrics(from, m.rid);
        return true;
      default:
        return false;
    }
  }

  private lookup(asker: Worker, rid: number, id: string): void {
    const siblings = this.workers().filter((w) => w !== asker && w.isConnected());
    if (siblings.length === 0) {
      reply(asker, { pdp: 'lookup-result', rid, json: null });
      return;
    }
    const key = ++this.next;
    const timer = setTimeout(() => this.finish(key, null), this.lookupTimeoutMs);
    this.open.set(key, { asker, rid, waiting: siblings.length, timer });
    for (const w of siblings) reply(w, { pdp: 'lookup-local', rid: key, id });
  }

  private found(key: number, json: string | null): void {
    const o = this.open.get(key);
    if (!o) return;
    if (json !== null) this.finish(key, json);
    else if (--o.waiting === 0) this.finish(key, null);
  }

  private finish(key: number, json: string | null): void {
    const o = this.open.get(key);
    if (!o) return;
    this.open.delete(key);
    clearTimeout(o.timer);
    reply(o.asker, { pdp: 'lookup-result', rid: o.rid, json });
  }

  private metrics(asker: Worker, rid: number): void {
    this.aggregator.clusterMetrics().then(
      (body) => reply(asker, { pdp: 'metrics-result', rid, contentType: this.aggregator.contentType, body }),
      (err: unknown) => reply(asker, { pdp: 'metrics-result', rid, error: err instanceof Error ? err.message : String(err) }),
    );
  }
}

function reply(w: Worker, m: FromPrimary): void {
  // A worker that went away meanwhile gets nothing; its request died with it.
  if (w.isConnected()) w.send(m);
}
