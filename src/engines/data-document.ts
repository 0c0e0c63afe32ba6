// What a compiled (opa-wasm) bundle without Rego source can still answer outside its entrypoints:
// the base documents of its data files. A path at or above an entrypoint would need the virtual
// documents the compiled module computes only for its entrypoints, so it is undefined — never
// an error (OPA answers every Data API path; a 500 for a path is wrong).
import { isPrefix } from '../bundles/paths.js';
import { splitQueryPath } from './path.js';
import type { Engine, EvaluationOutcome } from './types.js';

const NO_DEPENDENCIES = Object.freeze({ time: false, random: false, external: false });

export class DataDocumentEngine implements Engine {
  readonly kind = 'wasm' as const;

  /** `entrypoints` as segment lists; `data` is the bundle's mounted data (never mutated). */
  constructor(
    private readonly data: unknown,
    private readonly entrypoints: readonly (readonly string[])[],
  ) {}

  mayDefine(path: string): boolean {
    return this.lookup(splitQueryPath(path)) !== undefined;
  }

  evaluate(path: string): EvaluationOutcome {
    const value = this.lookup(splitQueryPath(path));
    if (value === undefined) return { ok: true, defined: false, dependsOn: NO_DEPENDENCIES, engine: 'wasm' };
    return { ok: true, defined: true, result: value, dependsOn: NO_DEPENDENCIES, engine: 'wasm' };
  }

  private lookup(segs: readonly string[]): unknown {
    // At or above an entrypoint: part of the document is computed by the module → not answerable.
    if (this.entrypoints.some((ep) => isPrefix(segs, ep))) return undefined;
    let v: unknown = this.data;
    for (const seg of segs) {
      if (Array.isArray(v)) {
        v = /^(0|[1-9]\d*)$/.test(seg) ? v[Number(seg)] : undefined;
      } else if (typeof v === 'object' && v !== null && Object.hasOwn(v, seg)) {
        v = (v as Record<string, unknown>)[seg];
      } else {
        return undefined;
      }
      if (v === undefined) return undefined;
    }
    return v;
  }
}
