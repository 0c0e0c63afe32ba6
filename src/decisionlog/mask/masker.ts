// Masks a record before it reaches the store or any sink: configured pointers first, then
// the bundle's policy mask (`data.system.log.mask`, evaluated by the caller-supplied function
// with the unmasked record as input — OPA's convention).
//
// Fail closed: if the policy mask errors or returns a malformed rule, the whole input and
// result are erased and the record says why (`mask_error`). A secret is never logged because
// a masking policy was broken.
import type { LogRecord } from '../types.js';
import { applyMaskRules, type MaskReport } from './apply.js';
import { MaskRuleError, parseMaskRule, type MaskRule } from './rules.js';

export type PolicyMaskOutcome = { kind: 'none' } | { kind: 'rules'; rules: unknown } | { kind: 'error'; message: string };

export type PolicyMaskFn = (record: Readonly<LogRecord>) => PolicyMaskOutcome;

export interface MaskerOptions {
  /** Pointers to erase from every record, e.g. "/input/arguments/password", "/input/*\/token". */
  paths?: readonly string[];
  policyMask?: PolicyMaskFn;
}

export class Masker {
  private readonly configured: MaskRule[];
  private readonly policyMask: PolicyMaskFn | undefined;
  private errorCount = 0;

  /** Throws MaskRuleError for a bad configured path (a startup error). */
  constructor(opts: MaskerOptions = {}) {
    this.configured = (opts.paths ?? []).map((p) => parseMaskRule(p));
    this.policyMask = opts.policyMask;
  }

  get maskErrors(): number {
    return this.errorCount;
  }

  /** Returns a masked deep copy (or, when nothing is to be masked, the record itself); the
   * argument is not modified. */
  mask(record: LogRecord): LogRecord {
    let policyRules: MaskRule[] = [];
    let failure: string | undefined;
    if (this.policyMask) {
      try {
        const out = this.policyMask(record);
        if (out.kind === 'error') failure = `policy mask failed: ${out.message}`;
        else if (out.kind === 'rules') policyRules = toRules(out.rules);
      } catch (e) {
        failure = e instanceof MaskRuleError ? `policy mask: ${e.message}` : `policy mask failed: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    const deep = failure !== undefined || this.configured.length > 0 || policyRules.length > 0;
    // Nothing to erase (the common case): the record is returned as it is — unchanged, so the
    // contract (the argument is not modified) holds without a copy. Deep-copying every record
    // (structuredClone) was the largest cost of a cached decision.
    if (!deep && record.erased === undefined && record.masked === undefined && record.mask_error === undefined) return record;
    const copy = (deep ? structuredClone(record) : { ...record }) as LogRecord & Record<string, unknown>;
    delete copy.erased;
    delete copy.masked;
    const report: MaskReport = { erased: [], masked: [] };
    if (failure !== undefined) {
      this.errorCount++;
      for (const field of ['input', 'result'] as const) {
        if (field in copy) {
          delete copy[field];
          report.erased.push(`/${field}`);
        }
      }
      copy.mask_error = failure;
    } else {
      applyMaskRules(copy, this.configured, report);
      applyMaskRules(copy, policyRules, report);
    }
    if (report.erased.length > 0) copy.erased = report.erased;
    if (report.masked.length > 0) copy.masked = report.masked;
    return copy;
  }
}

/** A policy mask is a set of rules: JSON arrives as an array (a lone rule is tolerated). */
function toRules(v: unknown): MaskRule[] {
  if (v === undefined || v === null) return [];
  const items = Array.isArray(v) ? v : [v];
  return items.map((x) => parseMaskRule(x));
}
