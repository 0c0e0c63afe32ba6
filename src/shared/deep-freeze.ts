// Deeply frozen JSON values: frozen all the way down, and known to be (Object.isFrozen says only
// that the top level is: a shallow-frozen object may still change below it). What is computed
// from such a value once (a cache key, a policy input) stays true for as long as it lives.

/** Values deepFreeze() froze, roots only: everything below them is frozen too. */
const deeplyFrozen = new WeakSet<object>();

/** Freezes a JSON value and everything in it, so that it can be shared: nobody can change it for
 * the others. Depth is the caller's bound (parsed bodies are depth-checked first). */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || deeplyFrozen.has(value)) return value;
  freezeAll(value);
  deeplyFrozen.add(value);
  return value;
}

/** True for a value deepFreeze() froze: it cannot change, at any depth. */
export function isDeeplyFrozen(value: unknown): value is object {
  return typeof value === 'object' && value !== null && deeplyFrozen.has(value);
}

function freezeAll(value: object): void {
  Object.freeze(value);
  const children: unknown[] = Array.isArray(value) ? value : Object.values(value);
  for (const c of children) if (typeof c === 'object' && c !== null && !deeplyFrozen.has(c)) freezeAll(c);
}
