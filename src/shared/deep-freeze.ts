/** Freezes a JSON value and everything in it, so that it can be shared: nobody can change it for
 * the others. Depth is the caller's bound (parsed bodies are depth-checked first). */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  if (Array.isArray(value)) for (const v of value as unknown[]) deepFreeze(v);
  else for (const k of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[k]);
  return value;
}
