// Typed errors of the Rego engine. Codes follow OPA's error codes so that tooling
// (and the conformance suite's `want_error_code`) can match on them.

export interface Location {
  file: string;
  row: number;
  col: number;
}

export type RegoErrorCode =
  | 'rego_parse_error'
  | 'rego_compile_error'
  | 'rego_unsafe_var_error'
  | 'rego_recursion_error'
  | 'rego_type_error'
  | 'rego_unsupported_error'
  | 'eval_conflict_error'
  | 'eval_type_error'
  | 'eval_builtin_error'
  | 'eval_with_merge_error'
  | 'eval_budget_exceeded'
  | 'eval_output_too_large'
  | 'eval_cancel_error';

export class RegoError extends Error {
  readonly code: RegoErrorCode;
  readonly location?: Location;

  constructor(code: RegoErrorCode, message: string, location?: Location) {
    super(location ? `${location.file}:${location.row}:${location.col}: ${code}: ${message}` : `${code}: ${message}`);
    this.name = 'RegoError';
    this.code = code;
    this.location = location;
  }

  /** The message without the location/code prefix. */
  get detail(): string {
    const prefix = this.location ? `${this.location.file}:${this.location.row}:${this.location.col}: ${this.code}: ` : `${this.code}: `;
    return this.message.startsWith(prefix) ? this.message.slice(prefix.length) : this.message;
  }
}

/** Several compile-time errors reported together (OPA reports all it finds, up to a limit). */
export class RegoCompileErrors extends Error {
  readonly errors: RegoError[];
  readonly code: RegoErrorCode;

  constructor(errors: RegoError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'RegoCompileErrors';
    this.errors = errors;
    this.code = errors[0]?.code ?? 'rego_compile_error';
  }
}

export function isRegoError(e: unknown): e is RegoError | RegoCompileErrors {
  return e instanceof RegoError || e instanceof RegoCompileErrors;
}

/** Message of anything thrown (a builtin's dependency may throw a non-Error). */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
