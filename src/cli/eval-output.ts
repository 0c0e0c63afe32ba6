// `pdp eval -f raw|values|bindings` output, as `opa eval` prints those formats, and the
// --fail / --fail-defined exit rule. Kept apart from eval.ts, which evaluates.
import { jsonText } from './json.js';

export interface EvalEntry {
  expressions: { value: unknown; text: string; location: { row: number; col: number } }[];
  bindings?: Record<string, unknown>;
}

export const EVAL_FORMATS = ['json', 'pretty', 'raw', 'values', 'bindings'] as const;
export type EvalFormat = (typeof EVAL_FORMATS)[number];

/** Text for raw/values/bindings (json and pretty are eval.ts's own), as OPA's presentation
 * package writes them: one document (or line) per result, nothing when the query is undefined. */
export function opaFormat(format: 'raw' | 'values' | 'bindings', result: readonly EvalEntry[]): string {
  switch (format) {
    case 'bindings':
      // Each result's bindings, an indented JSON object of its own.
      return result.map((r) => jsonText(r.bindings ?? {}) + '\n').join('');
    case 'values':
      // Each result's expression values, an indented JSON array of its own (one per expression).
      return result.map((r) => jsonText(r.expressions.map((e) => e.value)) + '\n').join('');
    case 'raw':
      // Each result on a line, its expressions separated by spaces: strings as they are, anything
      // else as compact JSON.
      return result.map((r) => r.expressions.map((e) => (typeof e.value === 'string' ? e.value : jsonText(e.value, 0))).join(' ') + '\n').join('');
  }
}

/** The exit status: --fail exits 1 when undefined, --fail-defined when defined. */
export function evalExitCode(defined: boolean, fail: boolean, failDefined: boolean): number {
  if (fail && !defined) return 1;
  if (failDefined && defined) return 1;
  return 0;
}
