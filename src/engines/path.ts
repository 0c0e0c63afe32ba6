// Query paths arrive as "ai/tools/decision" (HTTP) or "ai.tools.decision" (config, CLI).

// A decision splits its path a few times on the way to the engine: each path is split once. The
// Data API lets callers choose paths, so the memo is bounded (and starts over when full).
const MAX_KEPT = 1024;
const split = new Map<string, readonly string[]>();

/** Splits a slash- or dot-separated path under `data` into segments; "" is the whole document.
 * The array is shared by every caller of the same path: frozen. */
export function splitQueryPath(path: string): readonly string[] {
  let segs = split.get(path);
  if (segs === undefined) {
    const p = path.trim();
    const sep = p.includes('/') ? '/' : '.';
    segs = Object.freeze(p.split(sep).filter((s) => s !== ''));
    if (split.size >= MAX_KEPT) split.clear();
    split.set(path, segs);
  }
  return segs;
}

/** The value at `segments` below `value`, OPA's way: object keys by name, array elements by
 * integer index. Undefined when a step is missing. */
export function resolveRemaining(value: unknown, segments: readonly string[]): { value: unknown } | undefined {
  let v = value;
  for (const s of segments) {
    if (Array.isArray(v)) {
      if (!/^(0|[1-9][0-9]*)$/.test(s)) return undefined;
      const i = Number(s);
      if (i >= v.length) return undefined;
      v = v[i];
    } else if (typeof v === 'object' && v !== null && Object.hasOwn(v, s)) {
      v = (v as Record<string, unknown>)[s];
    } else return undefined;
  }
  return { value: v };
}
