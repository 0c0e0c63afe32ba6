// The policy-driven mask: evaluates `data.system.log.mask` in the active policy set with the
// (unmasked) record as input, as OPA does. The result is a set of JSON pointers to erase
// and/or {"op": "upsert", "path", "value"} objects (see rules.ts).
import type { ActivePolicySet } from '../../bundles/types.js';
import { AnchoredMemo } from '../../shared/anchored-memo.js';
import { hasPolicyDocument } from '../policy-document.js';
import type { LogRecord } from '../types.js';
import { defaultMask, type DefaultMaskLists } from './default-mask.js';
import type { MaskHint, PolicyMaskFn, PolicyMaskMode, PolicyMaskOutcome } from './masker.js';
import { recognizeDefaultMask } from './recognize-default-mask.js';

export const DEFAULT_MASK_PATH = 'system/log/mask';

/** The mask's time budget (wall clock). Generous against a loaded, descheduled process — a
 * timeout costs the record its input and result — and still a bound: the mask runs on the event
 * loop, after the answer. The default bundle's mask takes well under a millisecond for a
 * typical request. */
export const DEFAULT_MASK_TIMEOUT_MS = 250;

/** The record fields a reusable mask outcome may depend on: a hint's key stands for equal input
 * and result (and names the path and kind). */
const HINTED_FIELDS: ReadonlySet<string> = new Set(['input', 'result', 'path', 'kind']);

export interface PolicyMaskOptions {
  path?: string;
  timeoutMs?: number;
  /** Run the default bundle's mask program natively where it is recognized (default true). */
  native?: boolean;
}

export function policyMaskFrom(current: () => ActivePolicySet | null, opts: PolicyMaskOptions = {}): PolicyMaskFn {
  const path = opts.path ?? DEFAULT_MASK_PATH;
  const budget = { timeoutMs: opts.timeoutMs ?? DEFAULT_MASK_TIMEOUT_MS };
  // Per policy snapshot: the default mask program's lists where default-mask.ts may stand in for
  // the Rego (null: evaluate the Rego).
  const nativeIn = new WeakMap<ActivePolicySet, DefaultMaskLists | null>();
  const native = (set: ActivePolicySet): DefaultMaskLists | null => {
    if (opts.native === false) return null;
    let lists = nativeIn.get(set);
    if (lists === undefined) {
      lists = recognizeDefaultMask(set, path);
      nativeIn.set(set, lists);
    }
    return lists;
  };
  // Per policy snapshot: may a hinted record reuse the outcome of an equal one? Only when the
  // mask reads nothing of the record but the hinted fields (decided once, from the compiled rules).
  const reusableIn = new WeakMap<ActivePolicySet, boolean>();
  // Per policy snapshot: the record fields the mask can read (null: any). Only those are handed
  // to the engine — converting the rest of the record (labels, metrics, the reasons the result
  // repeats) would be work for fields the mask never reads.
  const readsIn = new WeakMap<ActivePolicySet, readonly string[] | null>();
  const reads = (set: ActivePolicySet): readonly string[] | null => {
    let r = readsIn.get(set);
    if (r === undefined) {
      const keys = set.inputKeys?.(path) ?? null;
      r = keys === null ? null : [...keys];
      readsIn.set(set, r);
    }
    return r;
  };
  // A cache hit shares its result object: the outcome for that result, under that key and snapshot.
  const memo = new AnchoredMemo<{ key: string; set: ActivePolicySet; out: PolicyMaskOutcome }>('pdp.mask.policy');
  const reusable = (set: ActivePolicySet): boolean => {
    let r = reusableIn.get(set);
    if (r === undefined) {
      const keys = set.inputKeys?.(path) ?? null;
      r = keys !== null && [...keys].every((k) => HINTED_FIELDS.has(k));
      reusableIn.set(set, r);
    }
    return r;
  };
  const mask = (record: Readonly<LogRecord>, hint?: MaskHint): PolicyMaskOutcome => {
    const set = current();
    // No policy yet, no bundle owns the path, or the policy has nothing there: the record is not
    // handed to the engine at all, and the masker treats it as "no mask policy" (fail closed).
    if (!set || !hasPolicyDocument(set, path)) return { kind: 'absent' };
    const reuse = hint !== undefined && reusable(set);
    if (reuse) {
      const m = memo.get(hint.anchor);
      if (m !== undefined && m.key === hint.key && m.set === set) return m.out;
    }
    const lists = native(set);
    if (lists !== null) {
      const { rules, fields } = defaultMask(lists, record);
      const outcome: PolicyMaskOutcome = { kind: 'rules', rules, applied: { ...fields, masked: rules.map((r) => r.path) } };
      if (reuse) memo.set(hint.anchor, { key: hint.key, set, out: outcome });
      return outcome;
    }
    const out = set.evaluate(path, onlyFields(record, reads(set)), budget);
    if (!out.ok) return { kind: 'error', message: `${out.code}: ${out.message}` };
    // The policy exists and chose to mask nothing for this record.
    const outcome: PolicyMaskOutcome = out.defined ? { kind: 'rules', rules: out.result } : { kind: 'none' };
    const d = out.dependsOn;
    if (reuse && !d.time && !d.random && !d.external) memo.set(hint.anchor, { key: hint.key, set, out: outcome });
    return outcome;
  };
  const mode = (): PolicyMaskMode => {
    const set = current();
    if (!set || !hasPolicyDocument(set, path)) return 'none';
    return native(set) !== null ? 'native' : 'policy';
  };
  return Object.assign(mask, { mode });
}

/** The record with only the named fields (all of it for null). */
function onlyFields(record: Readonly<LogRecord>, fields: readonly string[] | null): unknown {
  if (fields === null) return record;
  const out: Record<string, unknown> = {};
  for (const f of fields) if (Object.prototype.hasOwnProperty.call(record, f)) out[f] = (record as unknown as Record<string, unknown>)[f];
  return out;
}
