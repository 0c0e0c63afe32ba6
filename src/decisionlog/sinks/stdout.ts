// Sink: one JSON object per line on stdout (or any writable stream), for log shippers.
// Each line is the record plus `"level":"info","msg":"Decision Log"` — the marker OPA's console
// decision logger uses — so shippers can tell decisions from the service's own log lines.
import type { Writable } from 'node:stream';
import { recordJson } from '../record-json.js';
import type { LogRecord, LogSink } from '../types.js';

const LINE_PREFIX = '{"level":"info","msg":"Decision Log",';

export class StdoutSink implements LogSink {
  readonly name = 'stdout';
  private readonly stream: Writable;

  constructor(opts: { stream?: Writable } = {}) {
    this.stream = opts.stream ?? process.stdout;
  }

  send(batch: readonly LogRecord[]): Promise<void> {
    let text = '';
    // The marker fields first, then the record's own (a record is a non-empty JSON object, so
    // its text starts with '{' followed by a field) — without copying every record to add them.
    for (const r of batch) text += `${LINE_PREFIX}${recordJson(r).slice(1)}\n`;
    return new Promise<void>((resolve, reject) => {
      // The callback fires once the chunk is handed to the OS (or failed); while the pipe is
      // full it waits, and the dispatcher's bounded buffer absorbs what arrives meanwhile.
      this.stream.write(text, (err) => (err ? reject(err) : resolve()));
    });
  }
}
