// How print() renders values: strings bare, everything else as Rego term text.
import { formatNumber, ObjectV, SetV, type Value } from '../value.js';

export function formatTerm(v: Value): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
    case 'bigint':
      return formatNumber(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      if (v === null) return 'null';
      if (Array.isArray(v)) return '[' + v.map(formatTerm).join(', ') + ']';
      if (v instanceof ObjectV) return '{' + v.sorted().map(([k, x]) => formatTerm(k) + ': ' + formatTerm(x)).join(', ') + '}';
      if (v instanceof SetV) return v.size === 0 ? 'set()' : '{' + v.sorted().map(formatTerm).join(', ') + '}';
      return String(v);
  }
}

export function formatForPrint(v: Value): string {
  return typeof v === 'string' ? v : formatTerm(v);
}
