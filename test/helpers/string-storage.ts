// Test support: how V8 stores a string, seen through its serializer (v8.serialize tags a
// one-byte string '"', a two-byte one 'c'), and every string of a JSON-like value.
import v8 from 'node:v8';

export const ONE_BYTE = 0x22;
export const TWO_BYTE = 0x63;

/** The serializer's tag for the string: ONE_BYTE or TWO_BYTE. */
export const storage = (s: string): number => v8.serialize(s)[2] as number;

/** Every string in a JSON-like value, object keys included. */
export function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (typeof v === 'object' && v !== null)
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      strings(x, out);
    }
  return out;
}
