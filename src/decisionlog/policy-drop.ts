// The drop policy: evaluates `data.system.log.drop` (decision_log.drop_decision) in the active
// policy set with the unmasked record as input, as OPA does. Exactly `true` drops the record: it
// is not stored, not sent to any sink, and counted. A bundle without the rule drops nothing.
import type { ActivePolicySet } from '../bundles/types.js';
import { hasPolicyDocument } from './policy-document.js';
import type { LogRecord } from './types.js';

export const DEFAULT_DROP_PATH = '/system/log/drop';

/** Same budget as the mask: a bound, never on the request's path (records are made after the answer). */
export const DEFAULT_DROP_TIMEOUT_MS = 250;

/** drop: the policy said true; keep: it did not (undefined, false, anything else, or no rule);
 * error: it failed — the record is kept (an audit gap is worse than an unwanted record). */
export type DropVerdict = 'drop' | 'keep' | 'error';

export type PolicyDropFn = ((record: Readonly<LogRecord>) => DropVerdict) & {
  /** Whether there is a drop rule to evaluate now (absent: assume there is). */
  present?: () => boolean;
};

/** OPA writes data paths with a leading slash ("/system/log/drop"); the engine's paths have none. */
export function dataPath(p: string): string {
  return p
    .split('/')
    .filter((s) => s !== '')
    .join('/');
}

export function policyDropFrom(current: () => ActivePolicySet | null, opts: { path?: string; timeoutMs?: number } = {}): PolicyDropFn {
  const path = dataPath(opts.path ?? DEFAULT_DROP_PATH);
  const budget = { timeoutMs: opts.timeoutMs ?? DEFAULT_DROP_TIMEOUT_MS };
  const ruleIn = (set: ActivePolicySet | null): set is ActivePolicySet => path !== '' && set !== null && hasPolicyDocument(set, path);
  const drop = (record: Readonly<LogRecord>): DropVerdict => {
    const set = current();
    // No policy, no bundle owns the path, or nothing is defined there: the record is not handed
    // to the engine at all (the common case costs one lookup).
    if (!ruleIn(set)) return 'keep';
    const out = set.evaluate(path, record, budget);
    if (!out.ok) return 'error';
    return out.defined && out.result === true ? 'drop' : 'keep';
  };
  return Object.assign(drop, { present: () => ruleIn(current()) });
}
