// Whether the active policy set has a document the decision log evaluates per record (the mask,
// the drop rule). A set never changes once active, so the answer is worked out once per set and
// path, not per record (each asking split the path and resolved it again: a few allocations on
// every decision, cache hits included).
import type { ActivePolicySet } from '../bundles/types.js';

const known = new WeakMap<ActivePolicySet, Map<string, boolean>>();

/** False when no bundle owns `path` or nothing can be defined there: the record is then not
 * handed to the engine at all. */
export function hasPolicyDocument(set: ActivePolicySet, path: string): boolean {
  let byPath = known.get(set);
  if (byPath === undefined) known.set(set, (byPath = new Map()));
  let has = byPath.get(path);
  if (has === undefined) {
    has = set.engineFor(path) !== null && set.mayDefine?.(path) !== false;
    byPath.set(path, has);
  }
  return has;
}
