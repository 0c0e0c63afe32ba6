// Test support: a small OCI registry on 127.0.0.1 (the manifest and blob GETs of the distribution
// spec, images held in memory) that demands authentication as registries do, and a token realm on
// another port (another origin) answering as Docker's token authentication specification says.
// Both record every request; the realm's behaviour can be swapped per test.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startBundleServer, type BundleServer } from './bundle-files.js';
import { OCI_CONFIG, OCI_LAYER, OCI_MANIFEST } from './oci-registry.js';

export interface SeenRequest {
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
}

export interface TokenRegistry {
  /** http://127.0.0.1:port — the registry */
  url: string;
  /** the realm server (another origin) */
  realm: BundleServer;
  /** what the registry's Bearer challenge names as realm (default `${realm.url}/token`) */
  realmUrl: string;
  /** 'bearer': tokens from the realm; 'basic': the Basic credentials below; 'none': open */
  mode: 'bearer' | 'basic' | 'none';
  /** Basic credentials the registry (mode basic) or the realm (when set) demands */
  basic: string | null;
  /** replaces the registry's Bearer challenge (null: a 401 without WWW-Authenticate) */
  challenge?: string | null;
  /** blobs are redirected here (a CDN on another origin), as many registries do */
  blobRedirect?: string;
  /** lifetime of the realm's tokens (expires_in), and how long the registry honours them */
  ttlSeconds: number;
  /** tokens the registry accepts, with their expiry */
  readonly tokens: Map<string, number>;
  readonly registryRequests: SeenRequest[];
  /** 401 answers the registry gave */
  unauthorized: number;
  readonly realmRequests: SeenRequest[];
  /** The realm's default behaviour; assign realm.handler to replace it. */
  issueToken(req: IncomingMessage, res: ServerResponse): void;
  push(repo: string, tag: string, layer: Uint8Array): void;
  /** a stored blob, for a CDN the test runs */
  blob(digest: string): Uint8Array | undefined;
  close(): Promise<void>;
}

const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export async function startTokenRegistry(): Promise<TokenRegistry> {
  const registry = await startBundleServer();
  const realm = await startBundleServer();
  const manifests = new Map<string, string>();
  const blobs = new Map<string, Uint8Array>();
  let issued = 0;
  const seen = (req: IncomingMessage): SeenRequest => {
    const u = new URL(req.url ?? '/', 'http://x');
    return { path: u.pathname, query: u.searchParams, authorization: req.headers.authorization };
  };
  const reg: TokenRegistry = {
    url: registry.url,
    realm,
    realmUrl: `${realm.url}/token`,
    mode: 'bearer',
    basic: null,
    ttlSeconds: 60,
    tokens: new Map(),
    registryRequests: [],
    unauthorized: 0,
    realmRequests: [],
    issueToken(req, res) {
      const q = new URL(req.url ?? '/', 'http://x').searchParams;
      if (reg.basic !== null && req.headers.authorization !== reg.basic) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="token service"' });
        res.end();
        return;
      }
      if (q.get('service') !== 'test-registry' || !/^repository:[a-z0-9/._-]+:pull$/.test(q.get('scope') ?? '')) {
        res.writeHead(400);
        res.end();
        return;
      }
      const token = `tok-${++issued}-${q.get('scope')}`;
      reg.tokens.set(token, Date.now() + reg.ttlSeconds * 1000);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token, expires_in: reg.ttlSeconds, issued_at: new Date().toISOString() }));
    },
    push(repo, tag, layer) {
      const config = new TextEncoder().encode('{}');
      blobs.set(sha256(config), config);
      blobs.set(sha256(layer), layer);
      manifests.set(
        `${repo}:${tag}`,
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: { mediaType: OCI_CONFIG, digest: sha256(config), size: config.byteLength },
          layers: [{ mediaType: OCI_LAYER, digest: sha256(layer), size: layer.byteLength }],
        }),
      );
    },
    blob: (digest) => blobs.get(digest),
    close: async () => {
      await registry.close();
      await realm.close();
    },
  };
  realm.handler = (req, res) => {
    reg.realmRequests.push(seen(req));
    reg.issueToken(req, res);
  };
  const authorized = (req: IncomingMessage, repo: string, res: ServerResponse): boolean => {
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
    const expires = token !== undefined ? reg.tokens.get(token) : undefined;
    const ok =
      reg.mode === 'none' ||
      (reg.mode === 'basic' && auth === reg.basic) ||
      (reg.mode === 'bearer' && expires !== undefined && expires > Date.now() && token?.endsWith(`repository:${repo}:pull`) === true);
    if (ok) return true;
    reg.unauthorized++;
    const challenge =
      reg.challenge !== undefined
        ? reg.challenge
        : reg.mode === 'basic'
          ? 'Basic realm="test-registry"'
          : `Bearer realm="${reg.realmUrl}",service="test-registry",scope="repository:${repo}:pull"`;
    res.writeHead(401, challenge === null ? {} : { 'www-authenticate': challenge });
    res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    return false;
  };
  registry.handler = (req, res) => {
    reg.registryRequests.push(seen(req));
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!m) {
      res.writeHead(404);
      res.end();
      return;
    }
    const [, repo, kind, ref] = m;
    if (!authorized(req, repo, res)) return;
    if (kind === 'blobs' && reg.blobRedirect !== undefined) {
      res.writeHead(307, { location: `${reg.blobRedirect}/blobs/${ref}` });
      res.end();
      return;
    }
    const body = kind === 'manifests' ? manifests.get(`${repo}:${ref}`) : blobs.get(ref);
    if (body === undefined) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': kind === 'manifests' ? OCI_MANIFEST : 'application/octet-stream' });
    res.end(body);
  };
  return reg;
}
