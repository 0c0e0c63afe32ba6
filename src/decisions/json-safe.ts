// Engines may hand back values JSON.stringify cannot write (bigints for integers past 2^53) or
// nesting deep enough to overflow a recursive serializer. Decision documents are checked before
// shaping; anything else is reported, not thrown. Engines return plain JSON-shaped data (arrays
// and plain objects), so a check is enough — the value itself is passed on, not copied.

/** Why the value cannot be answered as JSON, or undefined when it can. */
export function jsonSafetyProblem(value: unknown, maxDepth: number): string | undefined {
  return check(value, 0, maxDepth);
}

function check(v: unknown, depth: number, maxDepth: number): string | undefined {
  if (depth > maxDepth) return `nested deeper than ${maxDepth} levels`;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(v) ? undefined : 'non-finite number';
    case 'bigint':
      // Never round silently: an integer past 2^53 cannot travel exactly in this JSON answer,
      // so the decision is reported as malformed (a deny) instead of altered.
      return `integer ${v} is beyond 2^53 and cannot be answered exactly`;
    case 'object': {
      if (v === null) return undefined;
      if (Array.isArray(v)) {
        for (const x of v) {
          const p = check(x, depth + 1, maxDepth);
          if (p !== undefined) return p;
        }
        return undefined;
      }
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return 'not a plain JSON object';
      for (const k of Object.keys(v)) {
        const p = check((v as Record<string, unknown>)[k], depth + 1, maxDepth);
        if (p !== undefined) return p;
      }
      return undefined;
    }
    default:
      return `not a JSON value (${typeof v})`;
  }
}
