// A bundle served over HTTP(S), polled with If-None-Match so an unchanged bundle costs a 304;
// with long polling (OPA's Prefer: wait=N) the server holds each request until it has news.
import { deadline } from './deadline.js';
import { BundleError } from './errors.js';
import { describeThrown } from '../shared/errors.js';
import { readBounded } from '../shared/read-bounded.js';
import type { BundleLimits } from './limits.js';
import { Poller } from './poller.js';
import type { BundleSource, SourceHandlers } from './source.js';
import type { HttpClientOptions } from './http-client-options.js';

export interface HttpSourceOptions {
  url: string;
  /** Delay between polls while healthy (default 30 s; ±10 % jitter so replicas spread out). */
  pollIntervalMs?: number;
  /** Per-request budget, including the body (default 10 s). */
  timeoutMs?: number;
  /** Ceiling of the error backoff (default 60 s, never below the poll interval). */
  maxBackoffMs?: number;
  /** e.g. { authorization: 'Bearer …' } */
  headers?: Record<string, string>;
  /** Ask the server to hold each request up to this long (Prefer: wait=N); see OPA's HTTP long polling. */
  longPollingTimeoutSeconds?: number;
  /** TLS towards the server and a per-request token (http-client-options.ts). */
  client?: HttpClientOptions;
}

/** What a bundle server that supports long polling answers with (OPA's contract). */
export const LONG_POLL_CONTENT_TYPE = 'application/vnd.openpolicyagent.bundles';
/** A long-polling server is asked again at once, but never more often than this: a server that
 * claims long polling yet answers at once must not turn into a request loop. */
export const LONG_POLL_MIN_GAP_MS = 200;

/** The URL without credentials or query (pre-signed URLs carry secrets there), for messages and status. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}

export class HttpSource implements BundleSource {
  private readonly opts: HttpSourceOptions;
  private readonly limits: BundleLimits;
  private etag: string | null = null;
  /** The server speaks long polling (configured, and it has not answered otherwise). */
  private longPoll: boolean;
  /** The last poll ended in a state where the next long poll may start at once. */
  private pollAgain = false;
  private startedAt = 0;
  private readonly poller: Poller;

  private readonly shownUrl: string;
  /** The URL fetched: credentials in it move to a Basic Authorization header (fetch refuses them). */
  private readonly fetchUrl: string;
  private readonly baseHeaders: Record<string, string>;

  constructor(opts: HttpSourceOptions, limits: BundleLimits) {
    this.opts = opts;
    this.limits = limits;
    this.shownUrl = redactUrl(opts.url);
    const u = new URL(opts.url);
    this.longPoll = opts.longPollingTimeoutSeconds !== undefined;
    const headers: Record<string, string> = { accept: `application/gzip, application/octet-stream, ${LONG_POLL_CONTENT_TYPE}` };
    if (u.username || u.password) {
      headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
      u.username = u.password = '';
    }
    this.fetchUrl = u.toString();
    // Configured headers win (an explicit bearer token over URL credentials).
    for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;
    this.baseHeaders = headers;
    this.poller = new Poller((h) => this.poll(h), {
      pollIntervalMs: opts.pollIntervalMs,
      maxBackoffMs: opts.maxBackoffMs,
      // A long-polling server is asked again at once, at most every LONG_POLL_MIN_GAP_MS.
      afterSuccessMs: () => (this.pollAgain ? Math.max(0, LONG_POLL_MIN_GAP_MS - (Date.now() - this.startedAt)) : undefined),
    });
  }

  start(h: SourceHandlers): Promise<void> {
    return this.poller.start(h);
  }

  async stop(): Promise<void> {
    await this.poller.stop();
    await this.opts.client?.close();
  }

  private async poll(h: SourceHandlers): Promise<void> {
    this.pollAgain = false;
    this.startedAt = Date.now();
    const res = await this.fetchBundle();
    if (res === 'not-modified') {
      // As OPA: a 304 says nothing about long-polling support; the last 200 did.
      this.pollAgain = this.longPoll;
      h.onUnchanged();
      return;
    }
    if (this.opts.longPollingTimeoutSeconds !== undefined) this.longPoll = res.longPoll;
    // The ETag is only remembered once its bundle is active: a rejected bundle is fetched
    // again next time (the manager recognises identical bytes and skips the work), after the
    // ordinary interval, so a server re-serving it at once is not asked in a loop.
    if (await h.onPayload({ kind: 'tarball', bytes: res.bytes, etag: res.etag ?? undefined })) {
      this.etag = res.etag;
      this.pollAgain = this.longPoll;
    }
  }

  private async fetchBundle(): Promise<'not-modified' | { bytes: Uint8Array; etag: string | null; longPoll: boolean }> {
    const wait = this.longPoll ? this.opts.longPollingTimeoutSeconds : undefined;
    // A held request may take the whole wait before its answer even starts.
    const timeoutMs = (this.opts.timeoutMs ?? 10_000) + (wait ?? 0) * 1000;
    const dl = deadline(this.poller.signal, timeoutMs);
    const signal = dl.signal;
    const headers = { ...this.baseHeaders };
    if (this.etag !== null) headers['if-none-match'] = this.etag;
    // What OPA sends: it takes snapshot and delta bundles, and (long polling) how long to hold.
    headers.prefer = wait !== undefined ? `modes=snapshot,delta;wait=${wait}` : 'modes=snapshot,delta';
    const client = this.opts.client;
    try {
      // The token file is read for every request (rotation); it wins over a configured header.
      if (client?.requestHeaders) Object.assign(headers, client.requestHeaders());
      const init: RequestInit & { dispatcher?: unknown } = { headers, signal, redirect: 'follow' };
      if (client?.dispatcher) init.dispatcher = client.dispatcher;
      const res = await fetch(this.fetchUrl, init);
      if (res.status === 304) {
        await res.body?.cancel();
        return 'not-modified';
      }
      if (res.status !== 200) {
        await res.body?.cancel();
        throw new BundleError('BUNDLE_FETCH_FAILED', `GET ${this.shownUrl}: HTTP ${res.status}`);
      }
      const declared = Number(res.headers.get('content-length') ?? NaN);
      if (declared > this.limits.maxCompressedBytes) {
        await res.body?.cancel();
        throw this.tooLarge(`${declared} bytes`);
      }
      const contentType = (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
      return { bytes: await this.readBody(res), etag: res.headers.get('etag'), longPoll: contentType === LONG_POLL_CONTENT_TYPE };
    } catch (e) {
      if (e instanceof BundleError) throw e;
      if (dl.expired()) {
        throw new BundleError('BUNDLE_FETCH_TIMEOUT', `GET ${this.shownUrl}: no complete answer within ${timeoutMs} ms`, { cause: e });
      }
      const cause = (e as { cause?: unknown }).cause;
      const detail = this.scrub(cause ? `${describeThrown(e)} (${describeThrown(cause)})` : describeThrown(e));
      throw new BundleError('BUNDLE_FETCH_FAILED', `GET ${this.shownUrl}: ${detail}`, { cause: e });
    } finally {
      dl.done();
    }
  }

  /** Reads the body, giving up as soon as it passes the compressed-size limit. */
  private async readBody(res: Response): Promise<Uint8Array> {
    const body = await readBounded(res, this.limits.maxCompressedBytes);
    if (body === null) throw this.tooLarge(`more than ${this.limits.maxCompressedBytes} bytes`);
    return new Uint8Array(body);
  }

  /** Library messages may quote the URL; status and logs must not show its secrets. */
  private scrub(msg: string): string {
    return msg.split(this.opts.url).join(this.shownUrl).split(this.fetchUrl).join(this.shownUrl);
  }

  private tooLarge(size: string): BundleError {
    return new BundleError('BUNDLE_TOO_LARGE', `GET ${this.shownUrl}: bundle is ${size}, limit is ${this.limits.maxCompressedBytes}`);
  }
}
