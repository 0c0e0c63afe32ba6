// Applies mask rules to a record in place and reports what was erased/masked (OPA's
// `erased` and `masked` event fields, as the patterns that matched).
import { cloneJson } from './clone.js';
import { expand, removeAt, upsertAt } from './pointer.js';
import type { MaskRule } from './rules.js';

/** Patterns that removed / replaced something, in first-match order (Sets: a policy mask can
 * produce one rule per request value, so the report must not cost a scan per rule). */
export interface MaskReport {
  erased: Set<string>;
  masked: Set<string>;
}

export function applyMaskRules(doc: Record<string, unknown>, rules: readonly MaskRule[], report: MaskReport): void {
  for (const rule of rules) {
    const hasWildcard = rule.path.includes('*');
    if (rule.op === 'remove') {
      const targets = expand(doc, rule.path);
      // Descending order: removing array element i must not shift the ones still to remove.
      targets.sort((a, b) => compareDesc(a, b));
      let removed = false;
      for (const ptr of targets) removed = removeAt(doc, ptr) || removed;
      if (removed) report.erased.add(rule.raw);
    } else {
      // Upsert creates the path when it is concrete; with wildcards it replaces what exists.
      const targets = hasWildcard ? expand(doc, rule.path) : [rule.path];
      let done = false;
      for (const ptr of targets) done = upsertAt(doc, ptr, cloneJson(rule.value)) || done;
      if (done) report.masked.add(rule.raw);
    }
  }
}

function compareDesc(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) continue;
    const nx = Number(x);
    const ny = Number(y);
    if (Number.isInteger(nx) && Number.isInteger(ny)) return ny - nx;
    return y < x ? -1 : 1;
  }
  return b.length - a.length;
}
