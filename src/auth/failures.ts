// Why a request was refused by authentication or authorization, as typed values: the reason is
// the metric label (pdp_auth_failures_total{reason}), the log field and the error detail; the
// status and the WWW-Authenticate challenge follow from it (RFC 6750). A credential never
// appears in any of them.
import { ApiError } from '../api/errors.js';

export type AuthFailureReason =
  // 401, nothing usable presented
  | 'missing_credentials'
  | 'malformed_authorization'
  | 'repeated_authorization'
  | 'token_too_large'
  // 401, a credential was presented and is not valid
  | 'unknown_api_key'
  | 'malformed_token'
  | 'bad_signature'
  | 'algorithm_not_allowed'
  | 'unknown_key'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'invalid_claims'
  | 'no_caller_claim'
  | 'jwt_not_accepted'
  | 'untrusted_certificate'
  // 403
  | 'insufficient_scope'
  | 'policy_denied'
  // 503: cannot tell right now; refused (fail closed)
  | 'jwks_unavailable'
  | 'policy_unavailable';

export const REALM = 'Bearer realm="pdp"';

export class AuthFailure {
  constructor(
    readonly reason: AuthFailureReason,
    /** For people: what went wrong, never the credential. */
    readonly message: string,
    /** For 403: the scope that was missing (shown in the challenge when it is plain text). */
    readonly scope?: string,
  ) {}

  get status(): 401 | 403 | 503 {
    switch (this.reason) {
      case 'insufficient_scope':
      case 'policy_denied':
        return 403;
      case 'jwks_unavailable':
      case 'policy_unavailable':
        return 503;
      default:
        return 401;
    }
  }

  toApiError(): ApiError {
    const status = this.status;
    const details = [{ path: '', message: this.reason }];
    if (status === 503) return new ApiError(503, 'AUTH_UNAVAILABLE', this.message, details, undefined, { 'retry-after': '5' });
    if (status === 403) {
      const scope = this.scope !== undefined && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(this.scope) ? `, scope="${this.scope}"` : '';
      return new ApiError(403, 'FORBIDDEN', this.message, details, undefined, { 'www-authenticate': `${REALM}, error="insufficient_scope"${scope}` });
    }
    let challenge = REALM;
    if (this.reason === 'malformed_authorization' || this.reason === 'repeated_authorization') challenge += ', error="invalid_request"';
    else if (this.reason !== 'missing_credentials' && this.reason !== 'untrusted_certificate') challenge += ', error="invalid_token"';
    return new ApiError(401, 'UNAUTHENTICATED', this.message, details, undefined, { 'www-authenticate': challenge });
  }
}
