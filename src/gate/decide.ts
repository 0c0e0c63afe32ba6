// Where `pdp gate` gets its decision: the service's own decision pipeline, either in this
// process on a bundle (-b: the app built exactly as `pdp serve` builds it, asked through
// POST /v1/decisions/model-deployment without a socket) or a running service (--url). Either way
// the answer is the decision endpoint's, so the gate, the webhook and the endpoint agree.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { loadConfig } from '../config/load.js';
import type { DecisionAnswerBody } from '../decisions/types.js';
import { describeThrown } from '../shared/errors.js';

export type GateOutcome =
  | { kind: 'decided'; body: DecisionAnswerBody; validUntil?: string }
  /** No decision: the service refused the request, is unreachable, or has no policy. */
  | { kind: 'undecided'; message: string };

const PATH = '/v1/decisions/model-deployment';

/** Decides on a bundle directory or .tar.gz, in this process. */
export async function decideWithBundle(bundle: string, request: unknown, timeoutMs: number): Promise<GateOutcome> {
  // The composition root, loaded lazily: `pdp gate --url` does not need the engine.
  const { buildApp } = await import('../server.js');
  const { config } = loadConfig({
    env: {
      PDP_BUNDLE_PATH: bundle,
      PDP_BUNDLE_WATCH: 'false',
      PDP_HOST: '127.0.0.1',
      PDP_LOG_LEVEL: 'silent',
      PDP_DECISION_LOG_STDOUT: 'false',
      PDP_CACHE_ENABLED: 'false',
      PDP_AUTH_MODE: 'none',
      PDP_EVAL_TIMEOUT_MS: String(timeoutMs),
      OTEL_SDK_DISABLED: 'true',
    },
  });
  const app = buildApp(config);
  // The raw policy document of each decision (valid_until is in it; the audit record keeps it
  // only when the mask allows), from a recorder like the decision log's.
  const results = new Map<string, unknown>();
  app.register(
    fp(async (inner: FastifyInstance) => inner.pipeline.addRecorder({ log: (r) => void results.set(r.decision_id, r.result) }), {
      dependencies: ['pdp-pipeline'],
    }),
  );
  try {
    await app.ready();
    if (!app.policies.ready()) {
      const err = app.policies.status().find((b) => b.last_error)?.last_error;
      return { kind: 'undecided', message: `bundle ${bundle} did not load${err ? `: ${JSON.stringify(err)}` : ''}` };
    }
    const r = await app.inject({ method: 'POST', url: PATH, payload: request as object });
    const outcome = toOutcome(r.statusCode, r.body);
    if (outcome.kind === 'decided') {
      // Records are handed to recorders after the answer: have the pipeline hand this one over now.
      app.pipeline.flushRecords();
      const vu = (results.get(outcome.body.decision_id) as { valid_until?: unknown } | undefined)?.valid_until;
      if (typeof vu === 'string') outcome.validUntil = vu;
    }
    return outcome;
  } catch (err) {
    return { kind: 'undecided', message: describeThrown(err) };
  } finally {
    await app.close().catch(() => undefined);
  }
}

export interface RemoteOptions {
  url: string;
  token?: string;
  /** PEM CA bundle for an https URL with a private CA. */
  ca?: string;
  timeoutMs: number;
}

/** Decides with a running service. */
export async function decideWithService(request: unknown, opts: RemoteOptions): Promise<GateOutcome> {
  const base = opts.url.replace(/\/+$/, '');
  const headers: Record<string, string> = { accept: 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) };
  const r = await send(`${base}${PATH}`, 'POST', headers, JSON.stringify(request), opts);
  if ('error' in r) return { kind: 'undecided', message: `${base}: ${r.error}` };
  const outcome = toOutcome(r.status, r.body);
  if (outcome.kind === 'decided') {
    // valid_until is in the audit record's result when the bundle's mask keeps it; read it when
    // the credential may (decisions:read).
    const rec = await send(`${base}/v1/decisions/${encodeURIComponent(outcome.body.decision_id)}`, 'GET', headers, undefined, opts);
    if (!('error' in rec)) {
      const vu = validUntilOf(rec.status, rec.body);
      if (vu !== undefined) outcome.validUntil = vu;
    }
  }
  return outcome;
}

function toOutcome(status: number, text: string): GateOutcome {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { kind: 'undecided', message: `HTTP ${status}: the answer is not JSON` };
  }
  const b = body as Partial<DecisionAnswerBody> & { error?: { code?: string; message?: string; details?: { path: string; message: string }[] } };
  if (status === 200 && typeof b.allow === 'boolean' && typeof b.decision_id === 'string' && Array.isArray(b.reasons)) {
    return { kind: 'decided', body: b as DecisionAnswerBody };
  }
  if (b.error) {
    const details = (b.error.details ?? []).map((d) => `${d.path || '(body)'}: ${d.message}`).join('; ');
    return { kind: 'undecided', message: `HTTP ${status} ${b.error.code ?? ''}: ${b.error.message ?? ''}${details ? ` (${details})` : ''}` };
  }
  const reasons = Array.isArray(b.reasons) ? b.reasons.map((r) => r.code).join(', ') : '';
  return { kind: 'undecided', message: `HTTP ${status}${reasons ? `: ${reasons}` : ''}` };
}

function validUntilOf(status: number, text: string): string | undefined {
  if (status !== 200) return undefined;
  try {
    const rec = JSON.parse(text) as { result?: { valid_until?: unknown } };
    return typeof rec.result?.valid_until === 'string' ? rec.result.valid_until : undefined;
  } catch {
    return undefined;
  }
}

/** Largest answer read from the service. */
const MAX_ANSWER = 4 * 1024 * 1024;

function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  opts: RemoteOptions,
): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return resolve({ error: 'not a valid URL' });
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return resolve({ error: 'the URL must be http:// or https://' });
    const h = body !== undefined ? { ...headers, 'content-type': 'application/json' } : headers;
    const options = { method, headers: h, timeout: opts.timeoutMs, ...(opts.ca ? { ca: opts.ca } : {}) };
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_ANSWER) {
          req.destroy();
          resolve({ error: `answer larger than ${MAX_ANSWER} bytes` });
        } else chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => resolve({ error: describeThrown(e) }));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ error: `no answer within ${opts.timeoutMs} ms` });
    });
    req.on('error', (e) => resolve({ error: describeThrown(e) }));
    req.end(body);
  });
}
