// OPA's CLI error JSON (internal/presentation: Output{Errors} written by pr.JSON with a two-space
// indent): {"errors": [{"location"?: {"file","row","col"}, "message", "code"?}]}, the fields in
// OPA's struct order. OPA adds "details" for parse errors (the source line); this engine has none.
import { RegoError } from '../rego/index.js';

export interface OpaOutputError {
  location?: { file: string; row: number; col: number };
  message: string;
  code?: string;
}

export function opaOutputErrors(errors: readonly (RegoError | { message: string; code?: string })[]): { errors: OpaOutputError[] } {
  return {
    errors: errors.map((e) => {
      if (e instanceof RegoError) {
        const loc = e.location;
        return { ...(loc ? { location: { file: loc.file, row: loc.row, col: loc.col } } : {}), message: e.detail, code: e.code };
      }
      return { message: e.message, ...(e.code !== undefined ? { code: e.code } : {}) };
    }),
  };
}

/** As OPA's pr.JSON: indented two spaces, one trailing newline. */
export function opaErrorsText(errors: readonly (RegoError | { message: string; code?: string })[]): string {
  return `${JSON.stringify(opaOutputErrors(errors), null, 2)}\n`;
}
