// Test support for caller authentication, all real parts: API keys made the way `pdp auth
// new-key` makes them, JWTs signed with jose by keys made here, a JWKS server on loopback whose
// keys and behaviour (down, slow, huge, failing) a test changes, a PKI (CA, server and client
// certificates) made with the openssl CLI, and HTTP(S) requests with full control of headers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import type { Test } from 'tap';
import { newApiKey, sha256Hex } from '../../src/auth/api-keys.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { testConfig } from './config.js';

/** name → scopes in, name → key out, plus the PDP_AUTH_API_KEYS value configuring them. */
export function makeApiKeys(specs: Record<string, string[]>): { keys: Record<string, string>; env: string } {
  const keys: Record<string, string> = {};
  const entries = Object.entries(specs).map(([name, scopes]) => {
    const key = newApiKey();
    keys[name] = key;
    return { name, sha256: sha256Hex(key), scopes };
  });
  return { keys, env: JSON.stringify(entries) };
}

export interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function signingKey(kid: string, alg: 'RS256' | 'ES256' = 'RS256'): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk };
}

export const ISSUER = 'https://idp.test.example';
export const AUDIENCE = 'pdp';

/** A token with sensible defaults (iss, aud, sub, exp in 5 minutes); `claims` and `opts` override. */
export async function signToken(
  key: SigningKey,
  claims: JWTPayload = {},
  opts: { expiresIn?: number; notBefore?: number; issuer?: string; audience?: string; kid?: string | null } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: JWTPayload = {
    iss: opts.issuer ?? ISSUER,
    aud: opts.audience ?? AUDIENCE,
    sub: 'agent-runtime',
    iat: now,
    exp: now + (opts.expiresIn ?? 300),
    ...(opts.notBefore !== undefined ? { nbf: now + opts.notBefore } : {}),
    ...claims,
  };
  const kid = opts.kid === undefined ? key.kid : opts.kid;
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, ...(kid !== null ? { kid } : {}), typ: 'JWT' }).sign(key.privateKey);
}

/** A JWKS endpoint on 127.0.0.1 whose keys and failure mode the test sets. */
export class JwksServer {
  keys: JWK[] = [];
  mode: 'ok' | 'down' | 'error' | 'slow' | 'huge' = 'ok';
  fetches = 0;
  url = '';
  private server: Server | undefined;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.fetches++;
      switch (this.mode) {
        case 'down':
          req.socket.destroy();
          return;
        case 'error':
          res.writeHead(500).end('boom');
          return;
        case 'slow':
          // Headers now, the body never: only a deadline on the whole response ends this.
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"keys":[');
          return;
        case 'huge': {
          // Chunked (no Content-Length), so only counting bytes while reading catches it.
          res.writeHead(200, { 'content-type': 'application/json' });
          const filler = JSON.stringify({ kty: 'oct', k: 'A'.repeat(60_000) });
          let sent = 0;
          res.write('{"keys":[');
          const more = (): void => {
            while (sent < 400) {
              sent++;
              if (!res.write(`${filler},`)) return void res.once('drain', more);
            }
            res.end(`${JSON.stringify(this.keys[0] ?? {})}]}`);
          };
          res.on('error', () => undefined);
          more();
          return;
        }
        default:
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: this.keys }));
      }
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }
}

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

/** One request on a fresh connection; `rawHeaders` lets a test send repeated or odd headers. */
export function call(
  url: string,
  opts: {
    method?: string;
    headers?: Record<string, string>;
    rawHeaders?: [string, string][];
    body?: string;
    tls?: { ca?: string; cert?: string; key?: string; servername?: string };
  } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const headers: Record<string, string | string[]> = { ...(opts.headers ?? {}) };
    for (const [k, v] of opts.rawHeaders ?? []) {
      const prev = headers[k];
      headers[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
    }
    const common = { method: opts.method ?? 'GET', headers, agent: false as const, host: u.hostname, port: u.port, path: u.pathname + u.search };
    const onResponse = (res: import('node:http').IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    };
    const req = u.protocol === 'https:' ? httpsRequest({ ...common, ...(opts.tls ?? {}) }, onResponse) : httpRequest(common, onResponse);
    req.on('error', reject);
    req.end(opts.body);
  });
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** The openssl CLI, if installed (the mTLS tests need it to make certificates). */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface Pki {
  dir: string;
  ca: { cert: string; certFile: string };
  server: { certFile: string; keyFile: string };
  /** Client certificates issued by the CA, by name. */
  clients: Record<string, { cert: string; key: string }>;
  /** A client certificate from another CA. */
  stranger: { cert: string; key: string };
  /** Issues another server certificate (for reload tests); returns its files' text. */
  issueServer(cn: string): { cert: string; key: string };
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '2',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

function issue(dir: string, ca: string, name: string, subject: string, ext: string): void {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    `${name}.crt`,
    '-extfile',
    `${name}.ext`,
  ]);
}

/** A CA, a server certificate for 127.0.0.1/localhost, client certificates (one per name, CN =
 * name, plus a SPIFFE URI SAN) and a client certificate from an unrelated CA. */
export function makePki(clientNames: string[]): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'pdp-pki-'));
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  const serverExt = 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n';
  issue(dir, 'ca', 'server', '/CN=localhost', serverExt);
  const clients: Pki['clients'] = {};
  for (const n of clientNames) {
    issue(
      dir,
      'ca',
      `client-${n}`,
      `/O=test/CN=${n}`,
      `subjectAltName=URI:spiffe://test.example/${n}\nextendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n`,
    );
    clients[n] = { cert: read(`client-${n}.crt`), key: read(`client-${n}.key`) };
  }
  issue(dir, 'other-ca', 'stranger', `/CN=${clientNames[0] ?? 'stranger'}`, 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n');
  let serial = 0;
  return {
    dir,
    ca: { cert: read('ca.crt'), certFile: join(dir, 'ca.crt') },
    server: { certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') },
    clients,
    stranger: { cert: read('stranger.crt'), key: read('stranger.key') },
    issueServer(cn: string) {
      const name = `server-${++serial}`;
      issue(dir, 'ca', name, `/CN=${cn}`, serverExt);
      return { cert: read(`${name}.crt`), key: read(`${name}.key`) };
    },
  };
}

/** A real listening server on the given bundle directory (not watched) with these settings;
 * closed when the test `t` ends. */
export async function startOnBundle(t: Test, bundleDir: string, env: Record<string, string>): Promise<RunningServer> {
  const s = await startServer(testConfig({ PDP_BUNDLE_PATH: bundleDir, PDP_BUNDLE_NAME: 'test', PDP_BUNDLE_WATCH: 'false', ...env }));
  t.teardown(() => s.close());
  return s;
}

/** The first detail message of a refusal (the one error shape). */
export const refusalReason = (r: HttpResult): string | undefined => (r.json as { error?: { details?: { message: string }[] } })?.error?.details?.[0]?.message;
