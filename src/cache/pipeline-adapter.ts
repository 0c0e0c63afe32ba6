// Plugs the two-tier cache into the decision pipeline (its DecisionCache extension point).
import type { Dependencies } from '../engines/types.js';
import type { CachedEvaluation, CacheLookup as PipelineKey, DecisionCache, MaybePromise } from '../decisions/types.js';
import type { TieredDecisionCache } from './decision-cache.js';
import { decisionCacheKey } from './key.js';
import type { CacheLookup } from './types.js';

export class PipelineDecisionCache implements DecisionCache {
  private readonly cache: TieredDecisionCache;

  constructor(cache: TieredDecisionCache) {
    this.cache = cache;
  }

  get(key: PipelineKey): MaybePromise<CachedEvaluation | undefined> {
    const r = this.cache.get(this.keyOf(key));
    return isPromise(r) ? r.then(toEvaluation) : toEvaluation(r);
  }

  set(key: PipelineKey, value: CachedEvaluation, dependsOn: Dependencies): void {
    // The pipeline always names the engine; 'rego' only satisfies the type for a value that did not.
    const engine = value.engine ?? 'rego';
    this.cache.remember(
      this.keyOf(key),
      value.defined ? { ok: true, defined: true, result: value.result, dependsOn, engine } : { ok: true, defined: false, dependsOn, engine },
    );
  }

  /** The pipeline passes the same lookup to get() and set(): hash the input once. */
  private keyOf(key: PipelineKey): string {
    return (key.cacheKey ??= decisionCacheKey({ revisions: key.revisions, digests: key.digests, path: key.path, input: key.input, strict: key.strict }));
  }
}

function toEvaluation(r: CacheLookup): CachedEvaluation | undefined {
  if (!r.hit) return undefined;
  const { entry, tier } = r;
  // The in-process tier returns its stored entry itself; a Redis hit is parsed afresh.
  const shared = tier === 'memory';
  return entry.defined
    ? { defined: true, result: entry.result, tier, engine: entry.engine, shared }
    : { defined: false, tier, engine: entry.engine, shared };
}

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | null | undefined)?.then === 'function';
}
