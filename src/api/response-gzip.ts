// gzip answers for clients that accept it (OPA's server.encoding.gzip): a body of at least
// min_length bytes, of a text, JSON or XML type, when Accept-Encoding prefers gzip to identity.
//
// Not @fastify/compress: it puts an onRequest and an onSend hook on every route, and a decision
// paid ~5,500 instructions for them (4 % of a cache hit, docs/benchmarks.md session 39) whether or
// not its client asked for gzip — half of it fastify's running of any onSend hook at all.
// Here a route whose handler writes its own answer text (`config.gzipInHandler`: the decision
// routes, OPA's Data and batch APIs) has no hook and sends through `send` below, as the error
// handler does for it; every other route gets one onSend hook. The same test decides both ways.
import { negotiate } from '@fastify/accept-negotiator';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { gzip } from 'node:zlib';
import type { GzipConfig } from '../config/types.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's handler sends its answers through `app.responseGzip.send`: no onSend hook. */
    gzipInHandler?: boolean;
  }
  interface FastifyInstance {
    responseGzip: ResponseGzip;
  }
}

const ENCODINGS = ['gzip', 'identity'];
/** Accept-Encoding values already negotiated: a client sends the same one every time (Go's
 * http client `gzip` on every request), so most requests that carry one skip the parse. Bounded:
 * started over when full, and long values are not kept, so hostile values cannot grow it. */
const MAX_KNOWN_HEADERS = 64;
const MAX_KNOWN_LENGTH = 256;
/** A Vary value that already covers Accept-Encoding. */
const VARY_COVERS = /(?:^|,)\s*(?:accept-encoding|\*)\s*(?:,|$)/i;
/** Types worth compressing: text, JSON and XML (what this service answers with, and more). */
const COMPRESSIBLE = /^text\/|[/+](?:json|xml)\b|^application\/(?:javascript|openmetrics-text)\b/i;

export class ResponseGzip {
  private readonly settings: GzipConfig;
  private readonly known = new Map<string, boolean>();

  constructor(settings: GzipConfig) {
    this.settings = settings;
  }

  /** Whether this request's client takes gzip: the cheap test, on headers only. */
  accepts(request: FastifyRequest): boolean {
    const header = request.headers['accept-encoding'];
    if (header === undefined || header === '') return false;
    let takes = this.known.get(header);
    if (takes === undefined) {
      // x-gzip is gzip's old name (RFC 9110 §8.4.1.3).
      takes = negotiate(header.toLowerCase().replace(/x-gzip/g, 'gzip'), ENCODINGS) === 'gzip';
      if (header.length <= MAX_KNOWN_LENGTH) {
        if (this.known.size >= MAX_KNOWN_HEADERS) this.known.clear();
        this.known.set(header, takes);
      }
    }
    return takes;
  }

  /** Whether this payload, about to be sent on this reply, is to be gzipped. */
  wanted(reply: FastifyReply, payload: string | Buffer): boolean {
    const settings = this.settings;
    if (payload.length === 0) return false;
    // A UTF-8 string is at most 3 bytes per UTF-16 unit: most answers are decided without counting.
    if (typeof payload === 'string' ? payload.length * 3 < settings.min_length : payload.length < settings.min_length) return false;
    if (!this.accepts(reply.request)) return false;
    const encoding = reply.getHeader('content-encoding');
    if (encoding !== undefined && encoding !== 'identity') return false;
    const type = reply.getHeader('content-type');
    if (typeof type !== 'string' || !COMPRESSIBLE.test(type)) return false;
    return typeof payload !== 'string' || Buffer.byteLength(payload, 'utf8') >= settings.min_length;
  }

  /** The payload gzipped, with the reply's headers saying so (or, should zlib ever fail, as it
   * was: the client asked for gzip but takes identity as well). */
  compress(reply: FastifyReply, payload: string | Buffer, done: (body: string | Buffer) => void): void {
    gzip(payload, { level: this.settings.compression_level }, (err, body) => {
      if (err) return done(payload);
      reply.header('content-encoding', 'gzip');
      reply.removeHeader('content-length');
      const vary = reply.getHeader('vary');
      if (vary === undefined) reply.header('vary', 'accept-encoding');
      else if (!VARY_COVERS.test(String(vary))) reply.header('vary', `${String(vary)}, accept-encoding`);
      done(body);
    });
  }

  /** Sends the payload, gzipped when wanted (for routes with `config.gzipInHandler`). */
  send(reply: FastifyReply, payload: string | Buffer): FastifyReply {
    if (!this.wanted(reply, payload)) return reply.send(payload);
    this.compress(reply, payload, (body) => reply.send(body));
    return reply;
  }

  /** The onSend hook of every other route. */
  readonly onSend = (_request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: Error | null, payload?: unknown) => void): void => {
    if ((typeof payload === 'string' || Buffer.isBuffer(payload)) && this.wanted(reply, payload)) this.compress(reply, payload, (body) => done(null, body));
    else done(null, payload);
  };
}

/** Decorates the app with its ResponseGzip and hooks it onto every route added from now on
 * (except those with `config.gzipInHandler`). */
export function registerResponseGzip(app: FastifyInstance, settings: GzipConfig): void {
  const gz = new ResponseGzip(settings);
  app.decorate('responseGzip', gz);
  app.addHook('onRoute', (route) => {
    if (route.config?.gzipInHandler === true) return;
    route.onSend = route.onSend === undefined ? [gz.onSend] : [...(Array.isArray(route.onSend) ? route.onSend : [route.onSend]), gz.onSend];
  });
}
