/** True for a promise (or any thenable): lets a caller skip the microtask for synchronous values. */
export function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | null | undefined)?.then === 'function';
}
