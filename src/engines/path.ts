// Query paths arrive as "ai/tools/decision" (HTTP) or "ai.tools.decision" (config, CLI).

/** Splits a slash- or dot-separated path under `data` into segments; "" is the whole document. */
export function splitQueryPath(path: string): string[] {
  const p = path.trim();
  const sep = p.includes('/') ? '/' : '.';
  return p.split(sep).filter((s) => s !== '');
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
