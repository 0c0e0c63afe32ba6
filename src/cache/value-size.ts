// Roughly how much memory a cached result holds: the length of its JSON text, estimated by a
// walk that stops once it passes `limit` (a result too large to cache costs no more to measure
// than the limit). Used to bound the in-process tier in bytes, not only in entries.

/** Estimated JSON length of `value`, or a number above `limit` once it is known to exceed it. */
export function approximateJsonSize(value: unknown, limit: number): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') size += v.length + 2;
    else if (v === null || typeof v !== 'object')
      size += 8; // numbers, booleans, bigints
    else if (Array.isArray(v)) {
      size += 2 + v.length;
      for (const x of v) stack.push(x);
    } else {
      size += 2;
      for (const k in v) {
        size += k.length + 4;
        stack.push((v as Record<string, unknown>)[k]);
      }
    }
    if (size > limit) return size;
  }
  return size;
}
