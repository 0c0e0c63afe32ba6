// Typed API errors and the one error shape: {"error": {"code", "message", "details": [{path, message}]}}.
import type { ErrorObject } from 'ajv';

export type ApiErrorCode =
  | 'INVALID_REQUEST'
  | 'INVALID_JSON'
  | 'INVALID_PAGE_TOKEN'
  | 'JSON_TOO_DEEP'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'NOT_READY'
  | 'NO_ACTIVE_POLICY'
  | 'EVALUATION_ERROR'
  | 'RESULT_NOT_SERIALIZABLE'
  | 'DECISION_NOT_FOUND'
  | 'SHUTTING_DOWN'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'AUTH_UNAVAILABLE'
  | 'OVERLOADED'
  | 'RATE_LIMITED'
  | 'METRICS_UNAVAILABLE'
  | 'INTERNAL_ERROR';

export interface ErrorDetail {
  path: string;
  message: string;
}

export interface ErrorBody {
  error: { code: ApiErrorCode; message: string; details: ErrorDetail[] };
  decision_id?: string;
}

/** OPA's error body: {"code", "message", "errors": [{"code", "message", "location"}]}. */
export interface OpaErrorBody {
  code: string;
  message: string;
  errors?: OpaErrorDetail[];
  decision_id?: string;
  /** OPA's health API answers a failed check as {"error": message} (HealthResponseV1); its
   * failures carry that field next to the code and message the SDKs read. */
  error?: string;
}

export interface OpaErrorDetail {
  code: string;
  message: string;
  location?: { file: string; row: number; col: number };
}

export class ApiError extends Error {
  readonly statusCode: number;
  readonly code: ApiErrorCode;
  readonly details: ErrorDetail[];
  readonly decisionId?: string;
  /** Response headers that belong to the error (WWW-Authenticate, Retry-After). */
  readonly headers?: Readonly<Record<string, string>>;
  /** On an OPA route: OPA's code and errors for this failure, when the mapping in
   * src/api/opa-errors.ts would not know them (an engine's error code, undefined_document). */
  opa?: { code: string; errors?: OpaErrorDetail[]; health?: true };

  constructor(
    statusCode: number,
    code: ApiErrorCode,
    message: string,
    details: ErrorDetail[] = [],
    decisionId?: string,
    headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = statusCode;
    this.code = code;
    this.details = details;
    if (decisionId !== undefined) this.decisionId = decisionId;
    if (headers !== undefined) this.headers = headers;
  }

  toBody(): ErrorBody {
    return {
      error: { code: this.code, message: this.message, details: this.details },
      ...(this.decisionId !== undefined ? { decision_id: this.decisionId } : {}),
    };
  }
}

// A body with thousands of bad fields should not produce a thousand-line answer.
const MAX_DETAILS = 50;

/** ajv errors → field-level details, paths as JSON pointers into the body. */
export function validationDetails(errors: readonly ErrorObject[]): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const e of errors) {
    if (out.length >= MAX_DETAILS) break;
    const params = e.params as Record<string, unknown>;
    let path = e.instancePath;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required' && typeof params.missingProperty === 'string') {
      path = `${path}/${escapePointer(params.missingProperty)}`;
      message = 'is required';
    } else if (e.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      path = `${path}/${escapePointer(params.additionalProperty)}`;
      message = 'is not allowed';
    } else if (e.keyword === 'enum' && Array.isArray(params.allowedValues)) {
      message = `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    out.push({ path, message });
  }
  return out;
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}
