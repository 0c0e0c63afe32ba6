// Who is asking: one pass over the request's credentials, in a fixed order. A bearer credential
// (Authorization header) wins when present and must be valid: a JWT (three dot-separated parts)
// when JWT verification is configured, else an API key. Without one, a client certificate the
// client CA issued authenticates the connection. Nothing usable: 401.
import type { IncomingMessage } from 'node:http';
import type { AuthConfig, TlsConfig } from '../config/types.js';
import { ApiKeyStore } from './api-keys.js';
import { bearerCredential, looksLikeJwt } from './bearer.js';
import { AuthFailure } from './failures.js';
import type { AuthIdentity } from './identity.js';
import { JwtVerifier, type JwksStatus } from './jwt.js';
import { CertificateAuthenticator } from './mtls.js';

export type AuthMethodName = 'api_key' | 'jwt' | 'mtls';
export type AuthResult = AuthIdentity | AuthFailure;

// Shared instances: refusing costs no allocation.
const MISSING = new AuthFailure('missing_credentials', 'authentication required: send Authorization: Bearer <API key or token>');
const UNKNOWN_KEY = new AuthFailure('unknown_api_key', 'the bearer credential is not a known API key');
const JWT_OFF = new AuthFailure('jwt_not_accepted', 'JWT bearer tokens are not accepted here (no JWT verification configured)');

export interface AuthStatus {
  /** "none": no caller authentication (loopback default or auth.mode none). */
  mode: 'authenticated' | 'none';
  methods: AuthMethodName[];
  authorization: 'scopes' | 'policy';
  api_keys: number;
  jwks: JwksStatus | null;
}

export class Authenticator {
  /** False: authentication is off and every caller is anonymous with every scope. */
  readonly enabled: boolean;
  readonly methods: AuthMethodName[];
  readonly jwt: JwtVerifier | null;
  private readonly apiKeys: ApiKeyStore;
  private readonly certificates: CertificateAuthenticator | null;
  private readonly maxCredentialBytes: number;
  private readonly authorization: 'scopes' | 'policy';

  constructor(config: AuthConfig, tls: TlsConfig | undefined) {
    this.apiKeys = new ApiKeyStore(config.api_keys);
    this.jwt = config.jwt ? new JwtVerifier(config.jwt) : null;
    this.certificates = tls?.client_ca_file !== undefined ? new CertificateAuthenticator(config.mtls_identities) : null;
    this.methods = [
      ...(this.apiKeys.size > 0 ? (['api_key'] as const) : []),
      ...(this.jwt ? (['jwt'] as const) : []),
      ...(this.certificates ? (['mtls'] as const) : []),
    ];
    this.enabled = config.mode !== 'none' && this.methods.length > 0;
    this.maxCredentialBytes = config.max_credential_bytes;
    this.authorization = config.authorization;
  }

  /** Synchronous for API keys and certificates; a promise only when a JWT is verified. */
  authenticate(req: IncomingMessage): AuthResult | Promise<AuthResult> {
    const bearer = bearerCredential(req, this.maxCredentialBytes);
    if (bearer instanceof AuthFailure) return bearer;
    if (bearer !== null) {
      if (looksLikeJwt(bearer)) return this.jwt ? this.jwt.verify(bearer) : JWT_OFF;
      return this.apiKeys.lookup(bearer) ?? UNKNOWN_KEY;
    }
    return this.certificates?.identify(req.socket) ?? MISSING;
  }

  status(): AuthStatus {
    return {
      mode: this.enabled ? 'authenticated' : 'none',
      methods: this.methods,
      authorization: this.authorization,
      api_keys: this.apiKeys.size,
      jwks: this.jwt?.status() ?? null,
    };
  }
}
