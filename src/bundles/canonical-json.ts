// The bytes OPA hashes for structured bundle files (data.json, data.yaml, .manifest) when it
// verifies a signature: objects with keys in byte order, no whitespace, and numbers exactly as
// written (OPA decodes them as json.Number), so `0.90` hashes as "0.90", not "0.9".
import { wellFormed } from '../shared/well-formed.js';
import { BundleError } from './errors.js';

const MAX_DEPTH = 1000;

/** Canonical form of JSON text (the text must already be valid JSON). */
export function canonicalFromJsonText(text: string): string {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (depth: number): string => {
    if (depth > MAX_DEPTH) throw tooDeep();
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const members = new Map<string, string>();
      ws();
      if (text[i] === '}') {
        i++;
        return '{}';
      }
      for (;;) {
        ws();
        const k = str();
        ws();
        i++; // colon
        members.set(k, value(depth + 1)); // duplicate keys: the last one wins, as in Go
        ws();
        if (text[i++] === '}') break;
      }
      return encodeObject(members);
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return '[]';
      }
      const items: string[] = [];
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[i++] === ']') break;
      }
      return `[${items.join(',')}]`;
    }
    if (c === '"') return encodeString(str());
    const m = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (!m) throw new BundleError('BUNDLE_INVALID_DATA', `unexpected character at offset ${i}`);
    i += m[0].length;
    return m[0];
  };
  return value(0);
}

/** Canonical form of an already parsed value (YAML data, which OPA converts to JSON first). */
export function canonicalFromValue(v: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) throw tooDeep();
  if (v === null || typeof v === 'boolean' || typeof v === 'number') return JSON.stringify(v);
  if (typeof v === 'string') return encodeString(v);
  if (Array.isArray(v)) return `[${v.map((x) => canonicalFromValue(x, depth + 1)).join(',')}]`;
  const members = new Map<string, string>();
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) members.set(k, canonicalFromValue(x, depth + 1));
  return encodeObject(members);
}

function encodeObject(members: Map<string, string>): string {
  // Go sorts keys as UTF-8 byte strings; JavaScript's default sort compares UTF-16 units.
  const keys = [...members.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return `{${keys.map((k) => `${encodeString(k)}:${members.get(k)}`).join(',')}}`;
}

/** Go's encoding/json with HTML escaping off: like JSON.stringify, plus U+2028/U+2029 escaped
 * and lone surrogates replaced (Go strings are UTF-8). */
function encodeString(s: string): string {
  return JSON.stringify(wellFormed(s))
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function tooDeep(): BundleError {
  return new BundleError('BUNDLE_INVALID_DATA', `structured file nested deeper than ${MAX_DEPTH} levels`);
}
