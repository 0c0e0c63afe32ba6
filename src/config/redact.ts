// The effective configuration with every secret replaced, for `pdp config` and anything else that
// shows the configuration to a person.
import type { PdpConfig } from './types.js';

export const REDACTED = '[REDACTED]';

/** A deep copy with secrets replaced: passwords, tokens, signing keys, the cache secret, header
 * values, API key hashes, and the password part of URLs (redis://user:pw@host keeps the user and host). */
export function redactConfig(config: PdpConfig): PdpConfig {
  const c = structuredClone(config);
  const secret = (v: string | undefined): string | undefined => (v === undefined ? undefined : REDACTED);
  c.bundles = c.bundles.map((b) => ({
    ...b,
    ...(b.url !== undefined ? { url: redactUrl(b.url) } : {}),
    // An OCI reference may carry registry credentials (https://user:pw@registry/repo:tag).
    ...(b.oci !== undefined ? { oci: redactUrl(b.oci) } : {}),
    ...(b.headers !== undefined ? { headers: Object.fromEntries(Object.keys(b.headers).map((k) => [k, REDACTED])) } : {}),
  }));
  if (c.signing) c.signing.keys = c.signing.keys.map((k) => ({ ...k, key: REDACTED }));
  if (c.cache.secret !== undefined) c.cache.secret = REDACTED;
  const r = c.redis;
  if (r.url !== undefined) r.url = redactUrl(r.url);
  if (r.password !== undefined) r.password = secret(r.password);
  if (r.sentinel_password !== undefined) r.sentinel_password = secret(r.sentinel_password);
  const d = c.decision_log;
  if (d.url !== undefined) d.url = redactUrl(d.url);
  if (d.auth_token !== undefined) d.auth_token = secret(d.auth_token);
  if (d.headers !== undefined) d.headers = Object.fromEntries(Object.keys(d.headers).map((k) => [k, REDACTED]));
  // Key hashes cannot be reversed into keys, but they are credentials' fingerprints: not shown.
  c.auth.api_keys = c.auth.api_keys.map((k) => ({ ...k, sha256: REDACTED }));
  if (c.authzen.page_token_secret !== undefined) c.authzen.page_token_secret = REDACTED;
  for (const k of ['endpoint', 'traces_endpoint'] as const) {
    const v = c.tracing[k];
    if (v !== undefined) c.tracing[k] = redactUrl(v);
  }
  return c;
}

function redactUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    // Not a URL the service would accept either; show nothing of it.
    return REDACTED;
  }
  if (u.password === '') return raw;
  u.password = 'REDACTED';
  return u.toString();
}
