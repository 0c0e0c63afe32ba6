// OPA-style authorization (auth.authorization = "policy"): like OPA's --authorization=basic, each
// API request is decided by a rule of the loaded bundles (default data.system.authz.allow) with an
// input shaped like OPA's — method, path (array), params (each a list of strings), headers,
// identity, client_certificates, body — plus this service's own: auth (how the caller authenticated) and scopes. Differences from
// OPA: `identity` is the verified caller id, never the raw token; credential headers
// (Authorization, Proxy-Authorization, Cookie) are left out; header names are lower-case and
// repeated headers are joined (Node's view). Only a result of exactly `true` allows; undefined,
// false, anything else, an evaluation error or no active bundle refuse (fail closed).
import type { FastifyRequest } from 'fastify';
import type { EvaluationOptions } from '../engines/types.js';
import type { PolicySnapshotSource } from '../decisions/types.js';
import { AuthFailure } from './failures.js';
import type { AuthIdentity } from './identity.js';

const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

export function authzInput(request: FastifyRequest, identity: AuthIdentity | null): Record<string, unknown> {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(request.headers)) if (v !== undefined && !CREDENTIAL_HEADERS.has(k)) headers[k] = v;
  const input: Record<string, unknown> = {
    method: request.method,
    path: pathSegments(request.url),
    params: paramsOf(request.query),
    headers,
    auth: identity?.method ?? 'none',
    scopes: identity ? [...identity.grants.scopes] : [],
    client_certificates: identity?.certificate ? [identity.certificate] : [],
  };
  if (identity) input.identity = identity.id;
  if (request.body !== undefined) input.body = request.body;
  return input;
}

/** Query parameters as OPA gives them: every value a list of strings. */
function paramsOf(query: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (typeof query !== 'object' || query === null) return out;
  for (const [k, v] of Object.entries(query as Record<string, unknown>)) {
    out[k] = (Array.isArray(v) ? v : [v]).map((x) => String(x));
  }
  return out;
}

function pathSegments(url: string): string[] {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

export function decideByPolicy(policies: PolicySnapshotSource, path: string, input: unknown, opts: EvaluationOptions): true | AuthFailure {
  const snapshot = policies.current();
  if (!snapshot) return new AuthFailure('policy_unavailable', 'no policy bundle is active yet to authorize the request');
  try {
    const outcome = snapshot.evaluate(path, input, opts);
    if (!outcome.ok) return new AuthFailure('policy_denied', `the authorization policy failed (${outcome.code}); refused`);
    if (outcome.defined && outcome.result === true) return true;
    return new AuthFailure('policy_denied', 'refused by the authorization policy');
  } catch {
    return new AuthFailure('policy_denied', 'the authorization policy failed; refused');
  }
}
