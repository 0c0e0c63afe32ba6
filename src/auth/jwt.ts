// JWT bearer tokens, verified with jose against a JWKS URL (createRemoteJWKSet: cached, refetched
// for an unknown kid at most once per cooldown, each fetch bounded in time and size) or static
// keys. iss, aud, exp (required) and nbf are checked with a small clock tolerance; only the
// configured public-key algorithms are accepted (never "none", never HMAC — so a token "signed"
// with the RSA public key as an HMAC secret is refused before any key is used).
import { createRemoteJWKSet, customFetch, errors, jwtVerify, type FetchImplementation, type JWTPayload, type JWTVerifyGetKey, type RemoteJWKSet } from 'jose';
import type { KeyObject } from 'node:crypto';
import type { JwtConfig } from '../config/types.js';
import { readSecretFile } from '../config/secret-file.js';
import { AuthFailure } from './failures.js';
import type { AuthIdentity } from './identity.js';
import { parseJwtKeys } from './jwt-keys.js';
import { readBounded } from '../shared/read-bounded.js';
import { grantsOf, SCOPE } from './scopes.js';

/** Bounds on what a token may make us keep: caller ids and scope lists come from the token. */
const MAX_CALLER_LENGTH = 256;
const MAX_SCOPES = 256;
const MAX_SCOPE_LENGTH = 256;

export interface JwksStatus {
  url: string;
  /** Keys fetched and within jwks_cache_max_age_ms. */
  fresh: boolean;
  keys: number | null;
  last_error: { message: string; at: string } | null;
}

export class JwtVerifier {
  private readonly cfg: JwtConfig;
  private readonly key: KeyObject | JWTVerifyGetKey;
  private readonly remote: RemoteJWKSet | null;
  private lastError: { message: string; at: string } | null = null;

  constructor(cfg: JwtConfig) {
    this.cfg = cfg;
    if (cfg.jwks_url !== undefined) {
      this.remote = createRemoteJWKSet(new URL(cfg.jwks_url), {
        timeoutDuration: cfg.jwks_timeout_ms,
        cooldownDuration: cfg.jwks_cooldown_ms,
        cacheMaxAge: cfg.jwks_cache_max_age_ms,
        [customFetch]: boundedFetch(cfg.jwks_max_bytes),
      });
      this.key = this.remote;
    } else {
      this.remote = null;
      // Checked by the loader already; read again here so the plugin stands on its own.
      const text = readSecretFile(cfg.key_file ?? '');
      if (typeof text !== 'string') throw new Error(`auth.jwt.key_file: cannot read ${cfg.key_file}: ${text.problem}`);
      const keys = parseJwtKeys(text);
      this.key = keys.kind === 'key' ? keys.key : keys.resolve;
    }
  }

  /** Fetch the JWKS ahead of the first request; a failure is reported, not fatal (the next
   * token triggers another attempt). */
  async prefetch(): Promise<void> {
    if (!this.remote) return;
    try {
      await this.remote.reload();
      this.lastError = null;
    } catch (err) {
      this.noteError(err);
      throw err;
    }
  }

  async verify(token: string): Promise<AuthIdentity | AuthFailure> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        issuer: this.cfg.issuer,
        audience: this.cfg.audience,
        algorithms: this.cfg.algorithms,
        clockTolerance: this.cfg.clock_tolerance_seconds,
        // A token without an expiry would be valid forever.
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      return this.failure(err);
    }
    const id = payload[this.cfg.caller_claim];
    if (typeof id !== 'string' || id === '' || id.length > MAX_CALLER_LENGTH) {
      return new AuthFailure('no_caller_claim', `the token's ${this.cfg.caller_claim} claim does not name the caller`);
    }
    const grants = grantsOf(scopesOf(payload, this.cfg.scopes_claim));
    return { id, method: 'jwt', mayAssertOnBehalfOf: grants.has(SCOPE.assertOnBehalfOf), grants };
  }

  status(): JwksStatus | null {
    if (!this.remote || this.cfg.jwks_url === undefined) return null;
    return { url: this.cfg.jwks_url, fresh: this.remote.fresh, keys: this.remote.jwks()?.keys.length ?? null, last_error: this.lastError };
  }

  private noteError(err: unknown): void {
    this.lastError = { message: err instanceof Error ? err.message : String(err), at: new Date().toISOString() };
  }

  private failure(err: unknown): AuthFailure {
    const code = err instanceof errors.JOSEError ? err.code : undefined;
    switch (code) {
      case 'ERR_JWT_EXPIRED':
        return new AuthFailure('expired', 'the token has expired');
      case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
        const claim = (err as errors.JWTClaimValidationFailed).claim;
        if (claim === 'nbf') return new AuthFailure('not_yet_valid', 'the token is not valid yet (nbf)');
        if (claim === 'iss') return new AuthFailure('wrong_issuer', 'the token has the wrong issuer');
        if (claim === 'aud') return new AuthFailure('wrong_audience', 'the token is not meant for this service (aud)');
        return new AuthFailure('invalid_claims', `the token's ${String(claim).slice(0, 32)} claim is missing or invalid`);
      }
      case 'ERR_JOSE_ALG_NOT_ALLOWED':
        return new AuthFailure('algorithm_not_allowed', 'the token is signed with an algorithm that is not accepted');
      case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
        return new AuthFailure('bad_signature', 'the token signature does not verify');
      case 'ERR_JWKS_NO_MATCHING_KEY':
      case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
        return new AuthFailure('unknown_key', 'no trusted key matches the token (kid/alg)');
      case 'ERR_JOSE_NOT_SUPPORTED':
        // With a static key: the key cannot verify this (allowed) algorithm — an RSA key and an
        // ES256 token — so no trusted key matches.
        if (!this.remote) return new AuthFailure('unknown_key', 'no trusted key matches the token (kid/alg)');
        return new AuthFailure('malformed_token', 'the token is not a well-formed signed JWT');
      case 'ERR_JWS_INVALID':
      case 'ERR_JWT_INVALID':
      case 'ERR_JWK_INVALID':
        return new AuthFailure('malformed_token', 'the token is not a well-formed signed JWT');
      default:
        // With static keys nothing is fetched: what is left is a key that cannot verify this
        // token's algorithm (an RSA key for an ES256 token), i.e. no matching key.
        if (!this.remote) return new AuthFailure('unknown_key', 'no trusted key matches the token (kid/alg)');
        // The key set could not be had (timeout, network, non-200, too large, not a JWKS) — or
        // something unexpected: either way the token cannot be verified now, so it is refused.
        this.noteError(err);
        return new AuthFailure('jwks_unavailable', 'the token cannot be verified right now (key set unavailable)');
    }
  }
}

/** The scopes a token grants: the claim as a space-separated string or a list of strings; with
 * the default "scope" claim absent, "scp" (Azure AD / Okta style) is read instead. */
export function scopesOf(payload: JWTPayload, claim: string): string[] {
  let v = payload[claim];
  if (v === undefined && claim === 'scope') v = payload.scp;
  const raw = typeof v === 'string' ? v.split(' ') : Array.isArray(v) ? v : [];
  const out: string[] = [];
  for (const s of raw) {
    if (out.length >= MAX_SCOPES) break;
    if (typeof s === 'string' && s !== '' && s.length <= MAX_SCOPE_LENGTH) out.push(s);
  }
  return out;
}

/** fetch for jose that refuses a JWKS response larger than maxBytes (read in chunks, cancelled
 * at the bound). jose's own deadline (AbortSignal.timeout) covers the body too: a slow drip
 * aborts the read. */
export function boundedFetch(maxBytes: number): FetchImplementation {
  return async (url, options) => {
    const res = await fetch(url, options);
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw new Error(`JWKS response of ${declared} bytes exceeds ${maxBytes}`);
    }
    const body = await readBounded(res, maxBytes);
    if (body === null) throw new Error(`JWKS response exceeds ${maxBytes} bytes`);
    return new Response(body, { status: res.status, headers: res.headers });
  };
}
