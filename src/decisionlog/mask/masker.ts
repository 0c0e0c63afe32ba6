// Masks a record before it reaches the store or any sink: configured pointers first, then
// the bundle's policy mask (`data.system.log.mask`, evaluated by the caller-supplied function
// with the unmasked record as input — OPA's convention).
//
// Privacy by default, failing closed:
//  - no mask policy to evaluate (the bundle has none, none is active yet, or policy_mask is
//    off): the input is left out of the record (`erased: ["/input"]`), and so is the result of
//    a query that is not a decision (the Data API, an AuthZEN search's candidates: any document,
//    which may echo its input); a decision endpoint's result
//    is the decision document, whose reasons and obligations the record carries anyway;
//  - the policy mask errors, returns a malformed rule, or applying the rules throws: the whole
//    input and result are erased and the record says why (`mask_error`, counted);
//  - raw logging (decision_log.raw) is the one way to log requests unmasked: the policy mask is
//    not evaluated, only the configured pointers apply, and every record says `"raw": true`.
// Outside raw logging, quoted text in error messages is redacted (a builtin error can quote the
// request value it failed on, e.g. a timestamp that does not parse).
import type { LogRecord } from '../types.js';
import { AnchoredMemo } from '../../shared/anchored-memo.js';
import { markSharedField } from '../record-json.js';
import { applyMaskRules, type MaskReport } from './apply.js';
import { copyMaskableFields, shallowCopy } from './clone.js';
import { MASKABLE_ROOTS, MaskRuleError, parseMaskRule, type MaskRule } from './rules.js';

export type PolicyMaskOutcome =
  | { kind: 'absent' }
  | { kind: 'none' }
  // `applied`: the record's input and result with these rules applied, when the mask computed
  // them itself (the default mask program, natively): used as they are unless configured
  // pointers must apply first.
  | { kind: 'rules'; rules: unknown; applied?: AppliedMask }
  | { kind: 'error'; message: string };

/** A mask's rules already applied: the masked input and result (where the record has them) and
 * the pointers of the rules, in order. */
export interface AppliedMask {
  input?: unknown;
  result?: unknown;
  masked: readonly string[];
}

/** Says that another record with the same key and the same anchor (the decision's result object,
 * which a cache hit shares) holds equal input and result: see DecisionRecord.input_key. */
export interface MaskHint {
  anchor: object;
  key: string;
}

/** How records are masked now: the default mask program computed natively, a mask policy
 * evaluated, or no mask policy (the input is left out). */
export type PolicyMaskMode = 'native' | 'policy' | 'none';

export type PolicyMaskFn = ((record: Readonly<LogRecord>, hint?: MaskHint) => PolicyMaskOutcome) & {
  /** For the status (absent: 'policy'). */
  mode?: () => PolicyMaskMode;
};

/** The maskable fields of a masked record, kept for the next record with the same hint. */
interface Applied {
  key: string;
  rules: unknown;
  fields: Record<string, unknown>;
  /** The records' `erased` and `masked` arrays, made once and shared by them (never modified). */
  lists: MaskLists;
  /** Whether the fields and lists are marked shared yet (markSharedField): at their first reuse,
   * not when made — a result most often logged once (a Redis-tier hit whose entry leaves the
   * in-process tier before it is asked again) would pay for the marks and for writing each field's
   * text apart (withKeptTail) and gain nothing. */
  marked: boolean;
}

interface MaskLists {
  erased?: string[];
  masked?: string[];
}

export interface MaskerOptions {
  /** Pointers to erase from every record, e.g. "/input/arguments/password", "/input/*\/token". */
  paths?: readonly string[];
  /** The bundle's mask; without one (and not raw) the input is not logged. */
  policyMask?: PolicyMaskFn;
  /** Log requests unmasked (only `paths` apply); every record then says `"raw": true`. */
  raw?: boolean;
}

type MutableRecord = LogRecord & Record<string, unknown>;

/** The marks an earlier masking left on a record (finish sets them anew). */
const MARKS = ['erased', 'masked', 'mask_error'] as const;

/** The record without one top-level field: a copy by rest destructuring, not `delete` — deleting
 * a field turns the object into a V8 dictionary-mode object, and every later read of the record,
 * its JSON above all, then took the slow path (~1 µs more per record where no mask policy drops
 * the input). Deleting the object's last property would undo its last map transition instead,
 * but not reliably: with the input set last, a process that had made records of other shapes
 * first still ended up with dictionary-mode records (session 27). */
function without(record: MutableRecord, field: string): MutableRecord {
  const { [field]: _dropped, ...rest } = record;
  return rest as MutableRecord;
}

const ABSENT: PolicyMaskOutcome = { kind: 'absent' };

/** What a caller may leave out of a record when the masker leaves the input out (leavesInputOut). */
export type LeftOutField = 'input' | 'nd_builtin_cache';
const NOTHING_LEFT_OUT: readonly LeftOutField[] = [];

export class Masker {
  readonly raw: boolean;
  private readonly configured: MaskRule[];
  private readonly policyMask: PolicyMaskFn | undefined;
  private errorCount = 0;
  private readonly applied = new AnchoredMemo<Applied>('pdp.mask.applied');

  /** Throws MaskRuleError for a bad configured path (a startup error). */
  constructor(opts: MaskerOptions = {}) {
    this.configured = (opts.paths ?? []).map((p) => parseMaskRule(p));
    this.policyMask = opts.policyMask;
    this.raw = opts.raw === true;
  }

  get maskErrors(): number {
    return this.errorCount;
  }

  /** How the next record would be masked ('raw': only the configured pointers). */
  get mode(): PolicyMaskMode | 'raw' {
    if (this.raw) return 'raw';
    if (this.policyMask === undefined) return 'none';
    return this.policyMask.mode?.() ?? 'policy';
  }

  /** Whether every record's input (and nd_builtin_cache) is left out now, whatever it holds: not
   * raw, and no mask policy to evaluate. A caller may then make the record without them and say
   * so (mask's `leftOut`): leaving a field out of a made record is a copy of it (see without). */
  get leavesInputOut(): boolean {
    return !this.raw && (this.policyMask === undefined || this.policyMask.mode?.() === 'none');
  }

  /** Returns a masked copy (or, when nothing is to be changed, the record itself); the argument
   * is not modified — unless `owned` says the caller made it for this call and reads it no
   * more: its top-level fields are then set in place (never the values below them), which
   * spares a copy of every record — but a field left out is left out of a copy (see without).
   * `leftOut`: the fields the decision had that the caller left out of the record because
   * leavesInputOut said so; they are reported erased as if masking had removed them.
   * Never throws. */
  mask(record: LogRecord, hint?: MaskHint, owned = false, leftOut: readonly LeftOutField[] = NOTHING_LEFT_OUT): LogRecord {
    let policyRules: MaskRule[] = [];
    let dropInput = false;
    let dropResult = false;
    let reuse: { hint: MaskHint; rules: unknown } | undefined;
    let precomputed: AppliedMask | undefined;
    if (!this.raw) {
      let out: PolicyMaskOutcome;
      try {
        out = this.policyMask ? this.policyMask(record, hint) : ABSENT;
        if (out.kind === 'rules') {
          // The same rules for an equal record (the policy mask reused its outcome): the masked
          // fields are equal too. Only policy rules: configured pointers may address any field.
          if (hint !== undefined && this.configured.length === 0 && !('nd_builtin_cache' in record) && leftOut.length === 0) {
            const a = this.applied.get(hint.anchor);
            if (a !== undefined && a.key === hint.key && a.rules === out.rules) return this.reapply(record, a, owned);
            reuse = { hint, rules: out.rules };
          }
          if (out.applied !== undefined && this.configured.length === 0) precomputed = out.applied;
          else policyRules = toRules(out.rules);
        }
      } catch (e) {
        return this.failClosed(record, owned, e instanceof MaskRuleError ? `policy mask: ${e.message}` : `policy mask failed: ${describe(e)}`);
      }
      if (out.kind === 'error') return this.failClosed(record, owned, `policy mask failed: ${out.message}`);
      if (out.kind === 'absent') {
        // Non-deterministic builtin results (http.send responses, …) may carry request data too.
        dropInput = 'input' in record || 'nd_builtin_cache' in record;
        // Not a decision endpoint's answer (allow null: a Data API query, an AuthZEN search's
        // candidates): the result is any document, which may echo the input.
        dropResult = (record.kind === 'data' || record.allow === null) && 'result' in record;
      }
    }
    if (leftOut.length > 0) dropInput = true;
    const redactError = !this.raw && record.error !== undefined && hasQuoted(record.error.message);
    const rules = this.configured.length > 0 || policyRules.length > 0 || precomputed !== undefined;
    // Nothing to change (raw logging without paths, or a policy that masks nothing here): the
    // record is returned as it is — the contract (the argument is not modified) holds without a
    // copy. Deep-copying every record (structuredClone) was the largest cost of a cached decision.
    if (
      !rules &&
      !dropInput &&
      !dropResult &&
      !redactError &&
      record.raw === this.raw &&
      record.erased === undefined &&
      record.masked === undefined &&
      record.mask_error === undefined
    ) {
      return record;
    }
    const report: MaskReport = { erased: new Set(), masked: new Set() };
    let copy = this.writable(record, owned);
    // Left out before copying: what is dropped is never cloned.
    if (dropInput) {
      for (const field of ['input', 'nd_builtin_cache'] as const) {
        if (field in copy) {
          copy = without(copy, field);
          report.erased.add(`/${field}`);
        } else if (leftOut.includes(field)) report.erased.add(`/${field}`);
      }
    }
    if (dropResult) {
      copy = without(copy, 'result');
      report.erased.add('/result');
    }
    if (rules) {
      try {
        if (precomputed !== undefined) {
          // No configured pointers (else the rules are applied below): nothing else to copy.
          if ('input' in copy && 'input' in precomputed) copy.input = precomputed.input;
          if ('result' in copy && 'result' in precomputed) copy.result = precomputed.result as LogRecord['result'];
          for (const p of precomputed.masked) report.masked.add(p);
        } else {
          // `copy` is this call's own (a copy, or the owned record): its fields are copied in place.
          copyMaskableFields(copy);
          applyMaskRules(copy, this.configured, report);
          applyMaskRules(copy, policyRules, report);
        }
      } catch (e) {
        // A hostile or broken rule set must not cost the record, nor let it through unmasked.
        // (An owned record may hold precomputed fields by now: failClosed erases those.)
        return this.failClosed(record, owned, `mask rules failed: ${describe(e)}`);
      }
      if (reuse !== undefined) {
        const fields: Record<string, unknown> = {};
        for (const f of MASKABLE_ROOTS) if (f in copy) fields[f] = copy[f];
        const lists = listsOf(report);
        this.applied.set(reuse.hint.anchor, { key: reuse.hint.key, rules: reuse.rules, fields, lists, marked: false });
        return this.finish(copy, lists);
      }
    }
    return this.finish(copy, listsOf(report));
  }

  /** An equal record's masked fields on this record (they are shared, never modified: records
   * are serialized, not changed). */
  private reapply(record: LogRecord, a: Applied, owned: boolean): LogRecord {
    if (!a.marked) markApplied(a);
    let copy = this.writable(record, owned);
    // Field by field, by name (a loop over MASKABLE_ROOTS made megamorphic keyed accesses); no
    // nd_builtin_cache (its records are not reapplied).
    const f = a.fields;
    if (f.input !== undefined) copy.input = f.input;
    else if ('input' in copy) copy = without(copy, 'input');
    if (f.result !== undefined) copy.result = f.result as LogRecord['result'];
    else if ('result' in copy) copy = without(copy, 'result');
    if (f.reasons !== undefined) copy.reasons = f.reasons as unknown[];
    else if ('reasons' in copy) copy = without(copy, 'reasons');
    if (f.obligations !== undefined) copy.obligations = f.obligations as unknown[];
    else if ('obligations' in copy) copy = without(copy, 'obligations');
    if (f.exceptions_applied !== undefined) copy.exceptions_applied = f.exceptions_applied as unknown[];
    else if ('exceptions_applied' in copy) copy = without(copy, 'exceptions_applied');
    return this.finish(copy, a.lists);
  }

  /** The record without input and result, saying why; the configured pointers still apply to
   * what is left (e.g. /reasons/*\/message). */
  private failClosed(record: LogRecord, owned: boolean, why: string): LogRecord {
    this.errorCount++;
    let copy = this.writable(record, owned);
    const report: MaskReport = { erased: new Set(), masked: new Set() };
    for (const field of ['input', 'result', 'nd_builtin_cache'] as const) {
      if (field in copy) {
        copy = without(copy, field);
        report.erased.add(`/${field}`);
      }
    }
    if (this.configured.length > 0) {
      try {
        applyMaskRules(copyMaskableFields(copy), this.configured, report);
      } catch {
        // Cannot apply the operator's pointers either: keep none of what they could address.
        for (const field of ['reasons', 'obligations', 'exceptions_applied'] as const) {
          copy[field] = [];
          report.erased.add(`/${field}`);
        }
      }
    }
    copy.mask_error = this.raw ? why : redactQuoted(why);
    return this.finish(copy, listsOf(report));
  }

  /** The record to set masked fields on — itself when owned, else a copy — without the marks of
   * an earlier masking (finish sets them anew). */
  private writable(record: LogRecord, owned: boolean): MutableRecord {
    let copy = (owned ? record : shallowCopy(record)) as MutableRecord;
    // Marks are rare (a record masked again): looked for by name first.
    if (copy.erased !== undefined || copy.masked !== undefined || copy.mask_error !== undefined) {
      for (const f of MARKS) if (f in copy) copy = without(copy, f);
    }
    return copy;
  }

  /** `lists`: the pointers that erased and masked something (listsOf a MaskReport). */
  private finish(copy: MutableRecord, lists: MaskLists): LogRecord {
    copy.raw = this.raw;
    if (!this.raw && copy.error !== undefined && hasQuoted(copy.error.message)) {
      copy.error = { ...copy.error, message: redactQuoted(copy.error.message) };
    }
    if (lists.erased !== undefined) copy.erased = lists.erased;
    if (lists.masked !== undefined) copy.masked = lists.masked;
    return copy;
  }
}

/** The records' lists when only the input was erased — the common case without a mask policy:
 * one list shared by those records (never modified, like every record's), its JSON written once. */
const INPUT_ERASED: MaskLists = { erased: ['/input'] };
markSharedField(INPUT_ERASED.erased);

function listsOf(report: MaskReport): MaskLists {
  if (report.masked.size === 0 && report.erased.size === 1 && report.erased.has('/input')) return INPUT_ERASED;
  return {
    ...(report.erased.size > 0 ? { erased: [...report.erased] } : {}),
    ...(report.masked.size > 0 ? { masked: [...report.masked] } : {}),
  };
}

/** An equal decision's masked fields and lists, reused from now on: marked shared, so that their
 * JSON is written once for all the records that carry them. */
function markApplied(a: Applied): void {
  for (const v of Object.values(a.fields)) markSharedField(v);
  markSharedField(a.lists.erased);
  markSharedField(a.lists.masked);
  a.marked = true;
}

/** A policy mask is a set of rules: JSON arrives as an array (a lone rule is tolerated). */
function toRules(v: unknown): MaskRule[] {
  if (v === undefined || v === null) return [];
  const items = Array.isArray(v) ? v : [v];
  return items.map((x) => parseMaskRule(x));
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// A double-quoted span, with backslash escapes (Go's %q and JSON both write values this way).
const QUOTED = /"(?:[^"\\]|\\.)*"/g;

function hasQuoted(message: string): boolean {
  return message.includes('"');
}

/** `parsing time "2026-13-01" as …` → `parsing time "…" as …`. */
export function redactQuoted(message: string): string {
  return message.replace(QUOTED, '"…"');
}
