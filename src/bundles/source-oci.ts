// A bundle pulled from an OCI registry, as OPA pulls one: the image manifest at a tag (or digest),
// its first layer of media type application/vnd.oci.image.layer.v1.tar+gzip is the bundle
// tarball. Polled: the manifest each time (small); the layer only when its digest changed, and
// checked against that digest before anything reads it.
//
// Authentication: the configured credentials (an Authorization header, credentials in the URL, a
// token file) go with the first request; a 401 is answered as registries ask (oci-auth.ts: the
// token exchange with the challenge's realm, or Basic credentials), once per request.
import { createHash } from 'node:crypto';
import { deadline } from './deadline.js';
import { BundleError } from './errors.js';
import { describeThrown } from '../shared/errors.js';
import type { HttpClientOptions } from './http-client-options.js';
import type { BundleLimits } from './limits.js';
import { RegistryAuth, type Sent } from './oci-auth.js';
import { Poller } from './poller.js';
import { redactUrl } from './source-http.js';
import type { BundleSource, SourceHandlers } from './source.js';

export const OCI_LAYER_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar+gzip';
const MANIFEST_ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
/** An image manifest is a few hundred bytes; anything this large is not one. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface OciSourceOptions {
  /** http(s)://registry[:port]/repository[:tag|@sha256:…] */
  ref: string;
  pollIntervalMs?: number;
  timeoutMs?: number;
  maxBackoffMs?: number;
  headers?: Record<string, string>;
  /** TLS towards the registry (and its token realm) and a per-request token file. */
  client?: HttpClientOptions;
}

export interface OciReference {
  /** scheme://host */
  registry: string;
  repository: string;
  /** a tag or a digest */
  reference: string;
  /** credentials written into the URL, as a Basic Authorization value */
  basic?: string;
}

export function parseOciRef(ref: string): OciReference {
  let u: URL;
  try {
    u = new URL(ref);
  } catch {
    // Not quoted: a malformed reference may still hold credentials.
    throw config('the OCI reference is not a URL (http(s)://registry/repository:tag)');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw config(`${redactUrl(ref)}: an OCI reference is http(s)://registry/repository:tag`);
  if (u.search || u.hash) throw config(`${redactUrl(ref)}: an OCI reference has no query or fragment`);
  let path = decodeURIComponent(u.pathname.replace(/^\/+/, ''));
  let reference = 'latest';
  const at = path.indexOf('@');
  if (at >= 0) {
    reference = path.slice(at + 1);
    path = path.slice(0, at);
  } else {
    const colon = path.lastIndexOf(':');
    if (colon > path.lastIndexOf('/')) {
      reference = path.slice(colon + 1);
      path = path.slice(0, colon);
    }
  }
  // The distribution spec's grammar for repository names, tags and digests.
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(path)) {
    throw config(`${redactUrl(ref)}: ${JSON.stringify(path)} is not a valid repository name`);
  }
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(reference) && !/^sha256:[a-f0-9]{64}$/.test(reference)) {
    throw config(`${redactUrl(ref)}: ${JSON.stringify(reference)} is not a valid tag or sha256 digest`);
  }
  const basic =
    u.username || u.password ? `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}` : undefined;
  return { registry: `${u.protocol}//${u.host}`, repository: path, reference, ...(basic ? { basic } : {}) };
}

export class OciSource implements BundleSource {
  private readonly opts: OciSourceOptions;
  private readonly limits: BundleLimits;
  private readonly ref: OciReference;
  /** configured headers, without Authorization (that is `credentials`) */
  private readonly headers: Record<string, string>;
  private readonly credentials: string | undefined;
  private readonly auth: RegistryAuth;
  private readonly shown: string;
  /** digest of the layer behind the active bundle */
  private activeDigest: string | null = null;
  private readonly poller: Poller;

  constructor(opts: OciSourceOptions, limits: BundleLimits) {
    this.opts = opts;
    this.limits = limits;
    this.ref = parseOciRef(opts.ref);
    // URL.host never holds credentials, so this is safe to show.
    this.shown = `${this.ref.registry}/${this.ref.repository}${this.ref.reference.startsWith('sha256:') ? '@' : ':'}${this.ref.reference}`;
    this.poller = new Poller((h) => this.poll(h), { pollIntervalMs: opts.pollIntervalMs, maxBackoffMs: opts.maxBackoffMs, label: this.shown });
    const headers = Object.fromEntries(Object.entries(opts.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    // Configured headers win (an explicit bearer token over URL credentials).
    this.credentials = headers.authorization ?? this.ref.basic;
    delete headers.authorization;
    this.headers = headers;
    this.auth = new RegistryAuth({
      registry: this.ref.registry,
      repository: this.ref.repository,
      shown: this.shown,
      timeoutMs: opts.timeoutMs ?? 10_000,
      maxBytes: limits.maxCompressedBytes,
      stop: this.poller.signal,
      ...(opts.client?.dispatcher ? { dispatcher: opts.client.dispatcher } : {}),
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
    const layer = await this.layerOf(await this.manifest());
    if (layer.digest === this.activeDigest) {
      h.onUnchanged();
      return;
    }
    const bytes = await this.blob(layer);
    // OPA uses the layer digest as the bundle's ETag.
    if (await h.onPayload({ kind: 'tarball', bytes, etag: layer.digest.slice('sha256:'.length) })) this.activeDigest = layer.digest;
  }

  private async manifest(): Promise<unknown> {
    const url = `${this.ref.registry}/v2/${this.ref.repository}/manifests/${this.ref.reference}`;
    const bytes = await this.get(url, MANIFEST_ACCEPT, MAX_MANIFEST_BYTES);
    try {
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw new BundleError('BUNDLE_FETCH_FAILED', `${this.shown}: the image manifest is not JSON`);
    }
  }

  private layerOf(manifest: unknown): { digest: string; size: number } {
    const layers = (manifest as { layers?: unknown } | null)?.layers;
    if (!Array.isArray(layers) || layers.length === 0) throw new BundleError('BUNDLE_FETCH_FAILED', `${this.shown}: no layers in manifest`);
    const layer = layers.find(
      (l): l is { mediaType: string; digest: unknown; size: unknown } => (l as { mediaType?: unknown })?.mediaType === OCI_LAYER_MEDIA_TYPE,
    );
    if (!layer)
      throw new BundleError('BUNDLE_FETCH_FAILED', `${this.shown}: no layer of media type ${OCI_LAYER_MEDIA_TYPE} (the bundle tarball) in the manifest`);
    if (typeof layer.digest !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(layer.digest)) {
      throw new BundleError('BUNDLE_FETCH_FAILED', `${this.shown}: the bundle layer has no sha256 digest`);
    }
    const size = typeof layer.size === 'number' ? layer.size : -1;
    if (size > this.limits.maxCompressedBytes) {
      throw new BundleError('BUNDLE_TOO_LARGE', `${this.shown}: bundle layer is ${size} bytes, limit is ${this.limits.maxCompressedBytes}`);
    }
    return { digest: layer.digest, size };
  }

  private async blob(layer: { digest: string }): Promise<Uint8Array> {
    const bytes = await this.get(`${this.ref.registry}/v2/${this.ref.repository}/blobs/${layer.digest}`, '*/*', this.limits.maxCompressedBytes);
    const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (actual !== layer.digest)
      throw new BundleError('BUNDLE_FETCH_FAILED', `${this.shown}: the bundle layer does not match its digest ${layer.digest} (got ${actual})`);
    return bytes;
  }

  /** The body of a 200 answer; a 401 is answered (token exchange or Basic) and asked once more. */
  private async get(url: string, accept: string, limit: number): Promise<Uint8Array> {
    const path = new URL(url).pathname;
    // The token file is read for every request (rotation); it wins over a configured header.
    const credentials = this.opts.client?.requestHeaders?.().authorization ?? this.credentials;
    let answer = await this.getOnce(url, accept, limit, await this.auth.authorization(credentials));
    if (answer.kind === 'unauthorized') {
      await this.auth.unauthorized(answer.challenge, answer.sent, credentials, `${this.shown}: GET ${path}`);
      answer = await this.getOnce(url, accept, limit, await this.auth.authorization(credentials));
    }
    if (answer.kind === 'unauthorized') {
      throw new BundleError(
        'BUNDLE_AUTH_FAILED',
        `${this.shown}: GET ${path}: HTTP 401 ${answer.sent === 'token' ? 'with a fresh token from the realm' : answer.sent === 'credentials' ? 'with the configured credentials' : 'without credentials'}`,
      );
    }
    return answer.bytes;
  }

  private async getOnce(
    url: string,
    accept: string,
    limit: number,
    auth: { value?: string; sent: Sent },
  ): Promise<{ kind: 'ok'; bytes: Uint8Array } | { kind: 'unauthorized'; challenge: string | null; sent: Sent }> {
    const timeoutMs = this.opts.timeoutMs ?? 10_000;
    const dl = deadline(this.poller.signal, timeoutMs);
    const signal = dl.signal;
    const path = new URL(url).pathname;
    try {
      const headers = { accept, ...this.headers, ...(auth.value !== undefined ? { authorization: auth.value } : {}) };
      // Redirects (blobs are often served from a CDN) are followed; fetch drops Authorization when the origin changes.
      const init: RequestInit & { dispatcher?: unknown } = { headers, signal, redirect: 'follow' };
      if (this.opts.client?.dispatcher) init.dispatcher = this.opts.client.dispatcher;
      const res = await fetch(url, init);
      if (res.status === 401) {
        await res.body?.cancel();
        return { kind: 'unauthorized', challenge: res.headers.get('www-authenticate'), sent: auth.sent };
      }
      if (res.status !== 200) {
        await res.body?.cancel();
        throw new BundleError('BUNDLE_FETCH_FAILED', `${this.shown}: GET ${path}: HTTP ${res.status}`);
      }
      if (Number(res.headers.get('content-length') ?? NaN) > limit) {
        await res.body?.cancel();
        throw new BundleError('BUNDLE_TOO_LARGE', `${this.shown}: ${path} is over ${limit} bytes`);
      }
      const chunks: Uint8Array[] = [];
      let total = 0;
      if (res.body) {
        for await (const c of res.body) {
          total += c.byteLength;
          if (total > limit) throw new BundleError('BUNDLE_TOO_LARGE', `${this.shown}: ${path} is over ${limit} bytes`);
          chunks.push(c);
        }
      }
      return { kind: 'ok', bytes: new Uint8Array(Buffer.concat(chunks)) };
    } catch (e) {
      if (e instanceof BundleError) throw e;
      if (dl.expired()) {
        throw new BundleError('BUNDLE_FETCH_TIMEOUT', `${this.shown}: no complete answer within ${timeoutMs} ms`, { cause: e });
      }
      const cause = (e as { cause?: unknown }).cause;
      throw new BundleError('BUNDLE_FETCH_FAILED', `${this.shown}: ${cause ? `${describeThrown(e)} (${describeThrown(cause)})` : describeThrown(e)}`, {
        cause: e,
      });
    } finally {
      dl.done();
    }
  }
}

function config(msg: string): BundleError {
  return new BundleError('BUNDLE_CONFIG_INVALID', msg);
}
