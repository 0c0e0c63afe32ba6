// A record's JSON text, written once: the in-memory store keeps its bytes, and the stdout and
// Redis sinks send it. Records are never modified after masking, so the text stays true.
import { configure } from 'safe-stable-stringify';
import type { LogRecord } from './types.js';

// The text is kept on the record under a symbol (JSON.stringify skips symbol keys), not in a
// WeakMap: a weak entry per decision is extra work for every garbage collection.
const TEXT = Symbol('pdp.record.json');
type WithText = LogRecord & { [TEXT]?: string };

// JSON.stringify refuses bigints (integers past 2^53 in an input or a result). A record must
// still be written, exactly: the fallback writes them as the integers they are.
const exactJSON = configure({ bigint: true, deterministic: false, circularValue: '[Circular]' });

/** JSON text of any record-like value; integers past 2^53 are written exactly. */
export function toJsonText(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return exactJSON(value) ?? 'null';
  }
}

export function recordJson(record: LogRecord): string {
  const r = record as WithText;
  if (r[TEXT] !== undefined) return r[TEXT];
  const json = toJsonText(record);
  // A frozen record (none of ours are) simply is not memoized.
  if (Object.isExtensible(r)) r[TEXT] = json;
  return json;
}
