// JSON text for CLI output: like JSON.stringify with indentation, but bigints (integers past
// 2^53, kept exact by the engine) are printed as exact numbers instead of throwing.
export function jsonText(x: unknown, indent = 2): string {
  const nl = indent > 0 ? '\n' : '';
  const sep = indent > 0 ? ': ' : ':';
  const write = (v: unknown, depth: number): string => {
    const pad = ' '.repeat(indent * (depth + 1));
    const end = ' '.repeat(indent * depth);
    switch (typeof v) {
      case 'bigint':
        return v.toString();
      case 'number':
        return Number.isFinite(v) ? JSON.stringify(v) : 'null';
      case 'string':
      case 'boolean':
        return JSON.stringify(v);
      case 'undefined':
        return 'null';
      case 'object': {
        if (v === null) return 'null';
        if (Array.isArray(v)) {
          if (v.length === 0) return '[]';
          return '[' + nl + v.map((y) => pad + write(y, depth + 1)).join(',' + nl) + nl + end + ']';
        }
        const entries = Object.entries(v as Record<string, unknown>).filter(([, y]) => y !== undefined);
        if (entries.length === 0) return '{}';
        return '{' + nl + entries.map(([k, y]) => pad + JSON.stringify(k) + sep + write(y, depth + 1)).join(',' + nl) + nl + end + '}';
      }
      default:
        return JSON.stringify(String(v));
    }
  };
  return write(x, 0);
}
