// The app with a test policy provider: in-process via inject (route contracts), or listening on
// 127.0.0.1:0 for tests that need real sockets. The cache is off unless `env` turns it on, so a
// provider swapped in place never serves an answer from before the swap.
import type { FastifyInstance } from 'fastify';
import { request as httpRequest } from 'node:http';
import type { PdpConfig } from '../../src/config/types.js';
import type { PolicyProvider } from '../../src/plugins/policies.js';
import { buildApp, serve } from '../../src/server.js';
import { testConfig } from './config.js';

export interface AppUnderTest {
  policies: PolicyProvider;
  /** PDP_* / REDIS_* variables on top of the test defaults. */
  env?: Record<string, string>;
  /** Runs on the built app before it is ready, after the built-in plugins were registered: the
   * place to register a test's own plugin (a status section, a recorder, another cache). */
  setup?: (app: FastifyInstance) => void;
}

function build(opts: AppUnderTest): { app: FastifyInstance; config: PdpConfig } {
  const config = testConfig({ PDP_CACHE_ENABLED: 'false', ...opts.env });
  const app = buildApp(config, { policies: opts.policies });
  opts.setup?.(app);
  return { app, config };
}

/** Built and ready (bundle sources started), not listening: talk to it with app.inject(). */
export async function injectApp(opts: AppUnderTest): Promise<FastifyInstance> {
  const { app } = build(opts);
  try {
    await app.ready();
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  return app;
}

export interface Running {
  url: string;
  port: number;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startApp(opts: AppUnderTest): Promise<Running> {
  const { app, config } = build(opts);
  const s = await serve(app, config);
  return { url: s.url, port: s.port, app: s.app, close: s.close };
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Parsed body, or undefined when it is not JSON. */
  json: unknown;
}

/** Raw HTTP (node:http, not fetch) so tests control bytes, headers and content types exactly. */
export function send(url: string, opts: { method?: string; body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: opts.method ?? 'GET', headers: opts.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parseJson(text) });
      });
      res.on('error', reject);
    });
    // The server may answer (413) and close before it has read a large body.
    req.on('error', reject);
    if (opts.body !== undefined) req.end(opts.body);
    else req.end();
  });
}

/** The same result shape from app.inject(). */
export async function inject(
  app: FastifyInstance,
  url: string,
  opts: { method?: string; body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const res = await app.inject({
    method: (opts.method ?? 'GET') as 'GET',
    url,
    headers: opts.headers ?? {},
    ...(opts.body !== undefined ? { payload: opts.body } : {}),
  });
  return { status: res.statusCode, headers: res.headers as HttpResult['headers'], text: res.body, json: parseJson(res.body) };
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
  return send(url, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** postJson through app.inject(). */
export function injectJson(app: FastifyInstance, url: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
  return inject(app, url, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
