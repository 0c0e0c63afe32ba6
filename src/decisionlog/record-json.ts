// A record's JSON text, written once: the in-memory store keeps it (a flat string, cheap to
// retain, instead of the record's object graph with the request's input), and the stdout and
// Redis sinks send it. Records are never modified after masking, so the text stays true.
import { configure } from 'safe-stable-stringify';
import type { LogRecord } from './types.js';

const texts = new WeakMap<LogRecord, string>();

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
  let json = texts.get(record);
  if (json === undefined) {
    json = toJsonText(record);
    texts.set(record, json);
  }
  return json;
}
