// What the webhook reads from the active bundles' data besides the decision itself: a
// namespace's replicated labels and a model's registry record. Read from the snapshot active at
// the time of the review, by path segments the caller has already checked (no segment holds a
// "/"), bounded in size and time like an evaluation. Not a decision: no record, no span.
import type { ActivePolicySet } from '../bundles/types.js';
import type { PolicySnapshotSource } from '../decisions/types.js';
import { describeThrown } from '../shared/errors.js';

export type DataRead =
  | { kind: 'defined'; value: unknown }
  | { kind: 'undefined' }
  /** No bundle is active yet. */
  | { kind: 'no_policy' }
  | { kind: 'error'; message: string };

export interface BundleData {
  read(segments: readonly string[]): Promise<DataRead>;
}

export interface BundleDataLimits {
  timeoutMs: number;
  /** Largest document read, in JSON nodes: a replicated namespace or a registry record is small. */
  maxOutputSize: number;
}

/** Answers remembered per snapshot: enough for every namespace and registry record of a cluster. */
const MAX_REMEMBERED = 10_000;

/** Reads base documents through the active policy set, as GET /v1/data/<path> would. A snapshot's
 * data does not change, so each path is evaluated once per snapshot and remembered (a cache hit
 * on the decision must not pay for two data evaluations); a new snapshot starts afresh. */
export function snapshotData(policies: PolicySnapshotSource, limits: BundleDataLimits): BundleData {
  const remembered = new WeakMap<object, Map<string, DataRead>>();
  return {
    async read(segments) {
      if (segments.some((s) => s === '' || s.includes('/'))) return { kind: 'error', message: `not a data path: ${JSON.stringify(segments)}` };
      const path = segments.join('/');
      const snapshot = policies.current();
      if (!snapshot) return { kind: 'no_policy' };
      let known = remembered.get(snapshot);
      const hit = known?.get(path);
      if (hit) return hit;
      const r = await readOnce(snapshot, path, segments, limits);
      // Errors (a deadline, a policy failure) are not remembered: the next review tries again.
      if (r.kind === 'defined' || r.kind === 'undefined') {
        if (!known) remembered.set(snapshot, (known = new Map()));
        if (known.size < MAX_REMEMBERED) known.set(path, r);
      }
      return r;
    },
  };
}

async function readOnce(snapshot: ActivePolicySet, path: string, segments: readonly string[], limits: BundleDataLimits): Promise<DataRead> {
  try {
    // Nothing can be there (no bundle owns the path, or a compiled bundle has no entrypoint
    // for it): undefined, without asking an engine that would call it an error.
    if (snapshot.mayDefine?.(path) === false) return { kind: 'undefined' };
    const opts = { timeoutMs: limits.timeoutMs, maxOutputSize: limits.maxOutputSize, strict: false };
    const outcome =
      snapshot.offThread && snapshot.evaluateAsync && snapshot.engineFor(path) === 'wasm'
        ? await snapshot.evaluateAsync(path, undefined, opts)
        : snapshot.evaluate(path, undefined, opts);
    if (!outcome.ok) return { kind: 'error', message: `data.${segments.join('.')}: ${outcome.code}: ${outcome.message}` };
    return outcome.defined ? { kind: 'defined', value: outcome.result } : { kind: 'undefined' };
  } catch (err) {
    return { kind: 'error', message: `data.${segments.join('.')}: ${describeThrown(err)}` };
  }
}

/** No bundle data at all (a controller built without a policy source, e.g. in unit tests). */
export const noBundleData: BundleData = { read: () => Promise.resolve({ kind: 'undefined' }) };
