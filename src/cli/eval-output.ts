// `pdp eval -f raw|values|bindings` output, as `opa eval` prints those formats, and the
// --fail / --fail-defined exit rule. Kept apart from eval.ts, which evaluates.
import { jsonText } from './json.js';

export interface EvalEntry {
  expressions: { value: unknown; text: string; location: { row: number; col: number } }[];
  bindings?: Record<string, unknown>;
}

export const EVAL_FORMATS = ['json', 'pretty', 'raw', 'values', 'bindings'] as const;
export type EvalFormat = (typeof EVAL_FORMATS)[number];

/** Text for raw/values/bindings (json and pretty are eval.ts's own). */
export function opaFormat(format: 'raw' | 'values' | 'bindings', result: readonly EvalEntry[]): string {
  switch (format) {
    case 'bindings':
      // Each result's bindings object; [] when the query is undefined.
      return jsonText(result.map((r) => r.bindings ?? {})) + '\n';
    case 'values':
      // Each result's expression value (an array of them when the query has several expressions).
      return jsonText(result.map((r) => (r.expressions.length === 1 ? r.expressions[0].value : r.expressions.map((e) => e.value)))) + '\n';
    case 'raw':
      // Each expression value on a line: strings as they are, anything else as compact JSON; nothing when undefined.
      return result
        .flatMap((r) => r.expressions.map((e) => (typeof e.value === 'string' ? e.value : jsonText(e.value, 0))))
        .map((l) => l + '\n')
        .join('');
  }
}

/** The exit status: --fail exits 1 when undefined, --fail-defined when defined. */
export function evalExitCode(defined: boolean, fail: boolean, failDefined: boolean): number {
  if (fail && !defined) return 1;
  if (failDefined && defined) return 1;
  return 0;
}
