// Compiling loaded sources, and printing compile errors with file:line.
import { compile, RegoCompileErrors, RegoError, type CompiledPolicy } from '../rego/index.js';
import type { CliIO } from './io.js';
import type { LoadedSources } from './sources.js';

export type CompileOutcome = { ok: true; policy: CompiledPolicy } | { ok: false; errors: RegoError[] };

/**
 * Compiles loaded sources. Modules whose bundle manifest sets `rego_version` carry it; the
 * others are Rego v1, or v0 with `v0Compatible` (`--v0-compatible`, as OPA's flag).
 */
export function compileSources(s: LoadedSources, v0Compatible = false): CompileOutcome {
  try {
    return { ok: true, policy: compile(s.modules, s.data, { regoVersion: v0Compatible ? 0 : 1 }) };
  } catch (e) {
    if (e instanceof RegoCompileErrors) return { ok: false, errors: e.errors };
    if (e instanceof RegoError) return { ok: false, errors: [e] };
    throw e;
  }
}

/** `file:row:col: code: message`, one per line (RegoError messages already carry the location). */
export function printCompileErrors(io: CliIO, errors: RegoError[]): void {
  io.err(`${errors.length} error${errors.length === 1 ? '' : 's'} occurred:\n`);
  for (const e of errors) io.err(`${e.message}\n`);
}
