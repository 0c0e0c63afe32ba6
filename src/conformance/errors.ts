// Classifies what an engine threw: a typed Rego error (with code) or a crash.
import { RegoCompileErrors, RegoError } from '../rego/errors.js';
import { short } from './compare.js';

export interface ThrownInfo {
  /** True for RegoError / RegoCompileErrors; false for anything else (a crash). */
  typed: boolean;
  /** Error codes carried (one per compile error). */
  codes: string[];
  /** One line: `<code>: <message>` for typed errors, `<Name>: <message>` for crashes. */
  line: string;
}

export function classifyThrown(e: unknown): ThrownInfo {
  if (e instanceof RegoCompileErrors) {
    const first = e.errors[0];
    const more = e.errors.length > 1 ? ` (+${e.errors.length - 1} more)` : '';
    return {
      typed: true,
      codes: e.errors.length > 0 ? e.errors.map((x) => x.code) : [e.code],
      line: short((first ? first.message : e.message) + more),
    };
  }
  if (e instanceof RegoError) return { typed: true, codes: [e.code], line: short(e.message) };
  if (e instanceof Error) return { typed: false, codes: [], line: short(`${e.name}: ${e.message}`) };
  return { typed: false, codes: [], line: short(`thrown: ${String(e)}`) };
}
