// A record's JSON text, written once: the in-memory store keeps it (a flat string, cheap to
// retain, instead of the record's object graph with the request's input), and the stdout and
// Redis sinks send it. Records are never modified after masking, so the text stays true.
import type { LogRecord } from './types.js';

const texts = new WeakMap<LogRecord, string>();

export function recordJson(record: LogRecord): string {
  let json = texts.get(record);
  if (json === undefined) {
    json = JSON.stringify(record);
    texts.set(record, json);
  }
  return json;
}
