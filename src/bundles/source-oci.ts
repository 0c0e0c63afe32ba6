// A bundle pulled from an OCI registry, as OPA pulls one: the image manifest at a tag (or digest),
// its first layer of media type application/vnd.oci.image.layer.v1.tar+gzip is the bundle
// tarball. Polled: the manifest each time (small); the layer only when its digest changed, and
// checked against that digest before anything reads it.
//
// Authentication: the configured headers (e.g. a bearer or basic Authorization) go with every
// request; the registry token exchange (WWW-Authenticate: Bearer realm=…) is not performed.
import { createHash } from 'node:crypto';
import { deadline } from './deadline.js';
import { BundleError } from './errors.js';
import { describeThrown } from '../shared/errors.js';
import type { BundleLimits } from './limits.js';
import { pollDelayMs, redactUrl } from './source-http.js';
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
    throw config(`${ref} is not an OCI reference URL (http(s)://registry/repository:tag)`);
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
  private readonly headers: Record<string, string>;
  private readonly shown: string;
  private failures = 0;
  /** digest of the layer behind the active bundle */
  private activeDigest: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private inflight: Promise<void> | null = null;
  private readonly stopper = new AbortController();

  constructor(opts: OciSourceOptions, limits: BundleLimits) {
    this.opts = opts;
    this.limits = limits;
    this.ref = parseOciRef(opts.ref);
    // URL.host never holds credentials, so this is safe to show.
    this.shown = `${this.ref.registry}/${this.ref.repository}${this.ref.reference.startsWith('sha256:') ? '@' : ':'}${this.ref.reference}`;
    this.headers = {
      ...(this.ref.basic ? { authorization: this.ref.basic } : {}),
      // Configured headers win (an explicit bearer token over URL credentials).
      ...Object.fromEntries(Object.entries(opts.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    };
  }

  async start(h: SourceHandlers): Promise<void> {
    await this.tick(h);
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inflight;
  }

  private async tick(h: SourceHandlers): Promise<void> {
    if (this.stopper.signal.aborted) return;
    this.inflight = this.poll(h);
    await this.inflight;
    this.inflight = null;
    if (this.stopper.signal.aborted) return;
    this.timer = setTimeout(() => void this.tick(h), pollDelayMs(this.failures, this.opts.pollIntervalMs ?? 30_000, this.opts.maxBackoffMs ?? 60_000));
  }

  private async poll(h: SourceHandlers): Promise<void> {
    try {
      const layer = await this.layerOf(await this.manifest());
      this.failures = 0;
      if (layer.digest === this.activeDigest) {
        h.onUnchanged();
        return;
      }
      const bytes = await this.blob(layer);
      // OPA uses the layer digest as the bundle's ETag.
      if (await h.onPayload({ kind: 'tarball', bytes, etag: layer.digest.slice('sha256:'.length) })) this.activeDigest = layer.digest;
    } catch (e) {
      if (this.stopper.signal.aborted) return;
      const err = e instanceof BundleError ? e : new BundleError('BUNDLE_FETCH_FAILED', `${this.shown}: ${describeThrown(e)}`, { cause: e });
      if (err.code !== 'BUNDLE_TOO_LARGE') this.failures++;
      h.onError(err);
    }
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

  private async get(url: string, accept: string, limit: number): Promise<Uint8Array> {
    const timeoutMs = this.opts.timeoutMs ?? 10_000;
    const dl = deadline(this.stopper.signal, timeoutMs);
    const signal = dl.signal;
    try {
      const res = await fetch(url, { headers: { accept, ...this.headers }, signal, redirect: 'follow' });
      if (res.status !== 200) {
        await res.body?.cancel();
        throw new BundleError('BUNDLE_FETCH_FAILED', `${this.shown}: GET ${new URL(url).pathname}: HTTP ${res.status}`);
      }
      if (Number(res.headers.get('content-length') ?? NaN) > limit) {
        await res.body?.cancel();
        throw new BundleError('BUNDLE_TOO_LARGE', `${this.shown}: ${new URL(url).pathname} is over ${limit} bytes`);
      }
      const chunks: Uint8Array[] = [];
      let total = 0;
      if (res.body) {
        for await (const c of res.body) {
          total += c.byteLength;
          if (total > limit) throw new BundleError('BUNDLE_TOO_LARGE', `${this.shown}: ${new URL(url).pathname} is over ${limit} bytes`);
          chunks.push(c);
        }
      }
      return new Uint8Array(Buffer.concat(chunks));
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
