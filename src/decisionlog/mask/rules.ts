// Masking rules, OPA's `system.log.mask` convention:
//   "/input/password"                                   erase the field
//   {"op": "remove", "path": "/input/password"}         the same, spelled out
//   {"op": "upsert", "path": "/input/password", "value": "**REDACTED**"}   replace (or add)
// Pointers address the decision log record, so they start with /input, /result or
// /nd_builtin_cache (OPA's rule); we also allow /reasons, /obligations and /exceptions_applied,
// which repeat parts of the result. `*` segments match every key/element (our extension, configured paths only
// need it, but policy rules may use it too).
import { parsePointer, PointerError, type Pointer } from './pointer.js';

export type MaskRule = { op: 'remove'; path: Pointer; raw: string } | { op: 'upsert'; path: Pointer; raw: string; value: unknown };

export const MASKABLE_ROOTS: readonly string[] = ['input', 'result', 'nd_builtin_cache', 'reasons', 'obligations', 'exceptions_applied'];
/** Roots a rule may remove or replace whole (OPA's: input, result, nd_builtin_cache). */
const WHOLE_ROOTS: readonly string[] = ['input', 'result', 'nd_builtin_cache'];

export class MaskRuleError extends Error {
  readonly code = 'MASK_RULE_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'MaskRuleError';
  }
}

function checkedPointer(raw: string): Pointer {
  let ptr: Pointer;
  try {
    ptr = parsePointer(raw);
  } catch (e) {
    throw new MaskRuleError(e instanceof PointerError ? e.message : String(e));
  }
  const root = ptr[0];
  if (root === undefined || !MASKABLE_ROOTS.includes(root)) {
    throw new MaskRuleError(`mask path "${raw}" must start with ${MASKABLE_ROOTS.map((r) => '/' + r).join(', ')}`);
  }
  if (ptr.length === 1 && !WHOLE_ROOTS.includes(root)) {
    throw new MaskRuleError(`mask path "${raw}" would remove a whole record field; name a field below it`);
  }
  return ptr;
}

/** One rule from a configured string or a policy-produced value. Throws MaskRuleError. */
export function parseMaskRule(v: unknown): MaskRule {
  if (typeof v === 'string') return { op: 'remove', path: checkedPointer(v), raw: v };
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o.path !== 'string') throw new MaskRuleError('mask rule object needs a string "path"');
    if (o.op === 'remove') return { op: 'remove', path: checkedPointer(o.path), raw: o.path };
    if (o.op === 'upsert') {
      if (!Object.prototype.hasOwnProperty.call(o, 'value')) throw new MaskRuleError(`upsert of "${o.path}" needs a "value"`);
      return { op: 'upsert', path: checkedPointer(o.path), raw: o.path, value: o.value };
    }
    throw new MaskRuleError(`unknown mask op ${JSON.stringify(o.op)} (remove or upsert)`);
  }
  throw new MaskRuleError('a mask rule is a JSON pointer string or an {op, path, value} object');
}
