// Engines may hand back values JSON.stringify cannot write (bigints for integers past 2^53) or
// nesting deep enough to overflow a recursive serializer. Decision documents are small, so they
// are copied into plain, bounded JSON before shaping; anything else is reported, not thrown.

export type JsonSafeResult = { ok: true; value: unknown } | { ok: false; message: string };

export function toJsonSafe(value: unknown, maxDepth: number): JsonSafeResult {
  try {
    return { ok: true, value: copy(value, 0, maxDepth) };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

function copy(v: unknown, depth: number, maxDepth: number): unknown {
  if (depth > maxDepth) throw new Error(`nested deeper than ${maxDepth} levels`);
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      if (!Number.isFinite(v)) throw new Error('non-finite number');
      return v;
    case 'bigint':
      // Never round silently: an integer past 2^53 cannot travel exactly in this JSON answer,
      // so the decision is reported as malformed (a deny) instead of altered.
      throw new Error(`integer ${v} is beyond 2^53 and cannot be answered exactly`);
    case 'object': {
      if (v === null) return null;
      if (Array.isArray(v)) return v.map((x) => copy(x, depth + 1, maxDepth));
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        Object.defineProperty(out, k, { value: copy(x, depth + 1, maxDepth), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    default:
      throw new Error(`not a JSON value (${typeof v})`);
  }
}
