// Request-schema validators with a bounded cost. ajv with allErrors builds one error object per
// bad value, so a 1 MB body of wrong values costs about a second of event-loop time; a
// first-error validator stops at the first. So: the first-error validator decides; only a body
// small enough to be cheap is validated again to list up to `maxErrors` problems at once.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isDeeplyFrozen } from '../shared/deep-freeze.js';

/** Above this many values, a failing body is reported with its first error only. */
const ALL_ERRORS_MAX_VALUES = 2_000;

export interface BoundedValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export function boundedValidator(firstError: ValidateFunction, allErrors: ValidateFunction, maxErrors: number): BoundedValidator {
  // A deeply frozen value cannot change (a repeated body's shared parse, src/api/repeated-bodies.ts):
  // once this schema accepted it, it accepts it again without another pass over it.
  const accepted = new WeakSet<object>();
  const validate: BoundedValidator = (data: unknown): boolean => {
    const frozen = isDeeplyFrozen(data);
    if (frozen && accepted.has(data)) {
      validate.errors = null;
      return true;
    }
    if (firstError(data)) {
      validate.errors = null;
      if (frozen) accepted.add(data);
      return true;
    }
    let errors = firstError.errors ?? [];
    if (maxErrors > 1 && !hasMoreValues(data, ALL_ERRORS_MAX_VALUES) && !allErrors(data)) errors = allErrors.errors ?? errors;
    validate.errors = errors.slice(0, maxErrors);
    return false;
  };
  return validate;
}

/** True when `data` holds more than `max` values (stops counting there). */
function hasMoreValues(data: unknown, max: number): boolean {
  let count = 1;
  const stack: unknown[] = [data];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    for (const x of Array.isArray(v) ? v : Object.values(v)) {
      if (++count > max) return true;
      stack.push(x);
    }
  }
  return false;
}
