// Sink: OPA-compatible decision log upload. Each batch is one
//   POST <url>   Content-Type: application/json, Content-Encoding: gzip
// whose body is a gzipped JSON array of events — what an OPA decision log service expects
// (OPA's default resource is /logs; configure the full URL). Events carry OPA's field names
// (decision_id, path, input, result, requested_by, timestamp, bundles, labels, trace_id,
// span_id, erased, masked, metrics) plus this service's extra fields. Non-2xx or a network
// error rejects, and the dispatcher retries the batch with backoff.
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { LogRecord, LogSink } from '../types.js';
import { toJsonText } from '../record-json.js';
import type { HttpClientOptions } from '../../bundles/http-client-options.js';

const gzipAsync = promisify(gzip);
type Gzipped = Awaited<ReturnType<typeof gzipAsync>>;

export interface HttpSinkOptions {
  url: string;
  /** Sent with every upload (the service's headers, a static credential). */
  headers?: Record<string, string>;
  /** Per-request deadline. */
  timeoutMs: number;
  /** Largest gzipped body (OPA's upload_size_limit_bytes): a larger batch is sent in parts; a
   * single record larger than this is still sent, alone (an audit record is never discarded for
   * its size). 0 or unset = no limit. */
  maxUploadBytes?: number;
  /** TLS towards the endpoint and a token read per upload (src/bundles/http-client-options.ts). */
  client?: HttpClientOptions;
}

export class HttpSinkError extends Error {
  readonly code = 'DECISION_LOG_UPLOAD_FAILED';
  readonly status: number | null;
  constructor(message: string, status: number | null) {
    super(message);
    this.name = 'HttpSinkError';
    this.status = status;
  }
}

/** The OPA event for a record: OPA's names where they exist, ours added alongside. */
export function toOpaEvent(r: LogRecord): Record<string, unknown> {
  // The record carries OPA's requested_by (address:port), req_id and metrics itself; a record
  // made without them (read back from an older replica) gets what can be derived.
  return {
    ...r,
    requested_by: r.requested_by ?? r.peer_address ?? '',
    metrics: r.metrics ?? { timer_server_handler_ns: Math.round(r.latency_ms * 1e6) },
  };
}

export class HttpSink implements LogSink {
  readonly name = 'http';
  private readonly opts: HttpSinkOptions;

  constructor(opts: HttpSinkOptions) {
    this.opts = opts;
  }

  async send(batch: readonly LogRecord[]): Promise<void> {
    for (const body of await this.bodies(batch.map(toOpaEvent))) await this.post(body);
  }

  async close(): Promise<void> {
    await this.opts.client?.close();
  }

  /** The gzipped upload bodies: one, or halves of the batch until each fits the limit. */
  private async bodies(events: readonly unknown[]): Promise<Gzipped[]> {
    const body = await gzipAsync(Buffer.from(toJsonText(events), 'utf8'));
    const max = this.opts.maxUploadBytes ?? 0;
    if (max <= 0 || body.byteLength <= max || events.length <= 1) return [body];
    const half = Math.ceil(events.length / 2);
    return [...(await this.bodies(events.slice(0, half))), ...(await this.bodies(events.slice(half)))];
  }

  private async post(body: Gzipped): Promise<void> {
    let res: Response;
    try {
      // As OPA's rest client: the service's headers, then the credential, then the body's own
      // type and encoding (set, so a configured header cannot make the gzip body unreadable).
      const headers = new Headers(this.opts.headers);
      // The token file is read now, for this upload; a read failure fails the upload (retried).
      for (const [k, v] of Object.entries(this.opts.client?.requestHeaders?.() ?? {})) headers.set(k, v);
      headers.set('content-type', 'application/json');
      headers.set('content-encoding', 'gzip');
      const init: RequestInit & { dispatcher?: unknown } = {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      };
      if (this.opts.client?.dispatcher) init.dispatcher = this.opts.client.dispatcher;
      res = await fetch(this.opts.url, init);
    } catch (e) {
      throw new HttpSinkError(`decision log upload failed: ${e instanceof Error ? e.message : String(e)}`, null);
    }
    // Drain the body so the connection can be reused.
    await res.arrayBuffer().catch(() => undefined);
    if (res.status < 200 || res.status > 299) {
      throw new HttpSinkError(`decision log upload answered HTTP ${res.status}`, res.status);
    }
  }
}
