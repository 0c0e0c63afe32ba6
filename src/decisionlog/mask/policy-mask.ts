// The policy-driven mask: evaluates `data.system.log.mask` in the active policy set with the
// (unmasked) record as input, as OPA does. The result is a set of JSON pointers to erase
// and/or {"op": "upsert", "path", "value"} objects (see rules.ts).
import type { ActivePolicySet } from '../../bundles/types.js';
import type { PolicyMaskFn } from './masker.js';

export const DEFAULT_MASK_PATH = 'system/log/mask';

/** The mask's time budget (wall clock). Generous against a loaded, descheduled process — a
 * timeout costs the record its input and result — and still a bound: the mask runs on the event
 * loop, after the answer. The default bundle's mask takes well under a millisecond for a
 * typical request. */
export const DEFAULT_MASK_TIMEOUT_MS = 250;

export function policyMaskFrom(current: () => ActivePolicySet | null, opts: { path?: string; timeoutMs?: number } = {}): PolicyMaskFn {
  const path = opts.path ?? DEFAULT_MASK_PATH;
  const budget = { timeoutMs: opts.timeoutMs ?? DEFAULT_MASK_TIMEOUT_MS };
  return (record) => {
    const set = current();
    // No policy yet, no bundle owns the path, or the policy has nothing there: the record is not
    // handed to the engine at all, and the masker treats it as "no mask policy" (fail closed).
    if (!set || set.engineFor(path) === null || set.mayDefine?.(path) === false) return { kind: 'absent' };
    const out = set.evaluate(path, record, budget);
    if (!out.ok) return { kind: 'error', message: `${out.code}: ${out.message}` };
    // The policy exists and chose to mask nothing for this record.
    if (!out.defined) return { kind: 'none' };
    return { kind: 'rules', rules: out.result };
  };
}
