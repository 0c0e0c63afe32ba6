// The OPA routes' error body (OPA's REST API "Errors" section): {"code", "message", "errors"}.
// OPA's codes are a small closed set; this service's own codes map onto them, and the few that
// OPA has no word for (rate limiting, overload, shutdown) keep their own name in lower case.
import type { ApiError, ApiErrorCode, OpaErrorBody } from './errors.js';

const OPA_CODE: Partial<Record<ApiErrorCode, string>> = {
  INVALID_REQUEST: 'invalid_parameter',
  INVALID_JSON: 'invalid_parameter',
  INVALID_PAGE_TOKEN: 'invalid_parameter',
  JSON_TOO_DEEP: 'invalid_parameter',
  PAYLOAD_TOO_LARGE: 'invalid_parameter',
  UNSUPPORTED_MEDIA_TYPE: 'invalid_parameter',
  BAD_REQUEST: 'invalid_parameter',
  NOT_FOUND: 'resource_not_found',
  DECISION_NOT_FOUND: 'resource_not_found',
  METHOD_NOT_ALLOWED: 'invalid_operation',
  UNAUTHENTICATED: 'unauthorized',
  FORBIDDEN: 'unauthorized',
  NO_ACTIVE_POLICY: 'internal_error',
  EVALUATION_ERROR: 'internal_error',
  RESULT_NOT_SERIALIZABLE: 'internal_error',
  INTERNAL_ERROR: 'internal_error',
  NOT_READY: 'internal_error',
};

export function opaCodeOf(err: ApiError): string {
  return err.opa?.code ?? OPA_CODE[err.code] ?? err.code.toLowerCase();
}

export function toOpaBody(err: ApiError): OpaErrorBody {
  const code = opaCodeOf(err);
  const errors = err.opa?.errors ?? err.details.map((d) => ({ code, message: d.path ? `${d.path}: ${d.message}` : d.message }));
  return {
    code,
    message: err.message,
    ...(errors.length > 0 ? { errors } : {}),
    ...(err.decisionId !== undefined ? { decision_id: err.decisionId } : {}),
    ...(err.opa?.health ? { error: err.message } : {}),
  };
}
