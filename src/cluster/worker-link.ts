// A worker's side of the cluster: what buildApp's plugins use to act for the whole process —
// the decision records its siblings hold, the metrics of every worker, stdout through the
// primary — and who this worker is (GET /v1/pdp/status).
import type { Writable } from 'node:stream';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { LogRecord } from '../decisionlog/types.js';
import { ipcStdout, type Send } from './ipc-stdout.js';
import { isFromPrimary, type FromPrimary, type FromWorker } from './messages.js';

export interface WorkerIdentity {
  /** Workers in the cluster (1 without one). */
  count: number;
  /** node:cluster's worker id (1, 2, …; a replacement gets a new one); 0 without a cluster. */
  id: number;
  pid: number;
}

/** What the plugins need of the cluster (none of it exists in a single process). */
export interface ClusterHooks {
  identity: WorkerIdentity;
  /** A record another worker holds; undefined when none does, or none answered in time. */
  lookup(id: string): Promise<LogRecord | undefined>;
  /** How this worker answers its siblings' lookups: its own store only. */
  answerLookups(local: (id: string) => LogRecord | undefined): void;
  /** Prometheus text of every worker's registry, aggregated (throws when the primary cannot). */
  metrics(): Promise<{ contentType: string; body: string }>;
  /** Let the primary collect this registry when any worker is asked for /metrics. */
  shareMetrics(registry: Registry): void;
}

interface Pending<T> {
  resolve(v: T): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export interface WorkerLinkOptions {
  id: number;
  count: number;
  /** Bound on a lookup across siblings (the primary bounds its own wait below this). */
  lookupTimeoutMs?: number;
  metricsTimeoutMs?: number;
}

export class WorkerLink implements ClusterHooks {
  readonly identity: WorkerIdentity;
  readonly stdout: Writable;
  private readonly lookupTimeoutMs: number;
  private readonly metricsTimeoutMs: number;
  private rid = 0;
  private readonly lookups = new Map<number, Pending<string | null>>();
  private readonly metricRequests = new Map<number, Pending<{ contentType: string; body: string }>>();
  private local: (id: string) => LogRecord | undefined = () => undefined;
  private readonly send: Send;

  constructor(opts: WorkerLinkOptions) {
    this.identity = { count: opts.count, id: opts.id, pid: process.pid };
    this.lookupTimeoutMs = opts.lookupTimeoutMs ?? 1000;
    this.metricsTimeoutMs = opts.metricsTimeoutMs ?? 6000;
    this.send = (message, callback) => {
      if (!process.send || !process.connected) {
        callback(new Error('no IPC channel to the primary'));
        return false;
      }
      return process.send(message, undefined, {}, callback);
    };
    this.stdout = ipcStdout(this.send, () => process.connected === true);
    process.on('message', (m: unknown) => {
      if (isFromPrimary(m)) this.onMessage(m);
    });
  }

  /** Tell the primary this worker serves (it learns the shared port from the first). */
  listening(url: string): void {
    this.post({ pdp: 'listening', url });
  }

  lookup(id: string): Promise<LogRecord | undefined> {
    return this.request(this.lookups, { pdp: 'lookup', rid: 0, id }, this.lookupTimeoutMs).then(
      (json) => (json === null ? undefined : (JSON.parse(json) as LogRecord)),
      // Fail closed to "not found": a lookup never answers with a record it could not confirm.
      () => undefined,
    );
  }

  answerLookups(local: (id: string) => LogRecord | undefined): void {
    this.local = local;
  }

  metrics(): Promise<{ contentType: string; body: string }> {
    return this.request(this.metricRequests, { pdp: 'metrics', rid: 0 }, this.metricsTimeoutMs);
  }

  shareMetrics(registry: Registry): void {
    // Constructing one installs prom-client's worker-side listener for the primary's requests.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([registry]);
  }

  /** Waits (bounded) until what was written to stdout is handed to the primary. */
  drain(timeoutMs = 2000): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      this.stdout.end(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private request<T>(table: Map<number, Pending<T>>, message: Extract<FromWorker, { rid: number }>, timeoutMs: number): Promise<T> {
    const rid = ++this.rid;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        table.delete(rid);
        reject(new Error(`the primary did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      table.set(rid, { resolve, reject, timer });
      this.send({ ...message, rid }, (err) => {
        if (!err) return;
        clearTimeout(timer);
        table.delete(rid);
        reject(err);
      });
    });
  }

  private settle<T>(table: Map<number, Pending<T>>, rid: number, outcome: { value: T } | { error: Error }): void {
    const p = table.get(rid);
    if (!p) return;
    table.delete(rid);
    clearTimeout(p.timer);
    if ('value' in outcome) p.resolve(outcome.value);
    else p.reject(outcome.error);
  }

  private onMessage(m: FromPrimary): void {
    switch (m.pdp) {
      case 'lookup-local': {
        let json: string | null = null;
        try {
          const r = this.local(m.id);
          if (r) json = JSON.stringify(r);
        } catch {
          // A broken store answers "not here"; the asking worker then says 404.
        }
        this.post({ pdp: 'lookup-local-result', rid: m.rid, json });
        return;
      }
      case 'lookup-result':
        this.settle(this.lookups, m.rid, { value: m.json });
        return;
      case 'metrics-result':
        this.settle(this.metricRequests, m.rid, 'error' in m ? { error: new Error(m.error) } : { value: { contentType: m.contentType, body: m.body } });
        return;
    }
  }

  private post(message: FromWorker): void {
    this.send(message, () => undefined);
  }
}
