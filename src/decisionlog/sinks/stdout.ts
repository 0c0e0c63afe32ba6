// Sink: one JSON object per line on stdout (or any writable stream), for log shippers.
// Each line is the record plus `"level":"info","msg":"Decision Log"` — the marker OPA's console
// decision logger uses — so shippers can tell decisions from the service's own log lines.
import type { Writable } from 'node:stream';
import { recordJson } from '../record-json.js';
import type { LogRecord, LogSink } from '../types.js';

const LINE_PREFIX = '{"level":"info","msg":"Decision Log",';

/** The reused buffer grows to fit a batch up to this size; a larger batch is written as a string. */
const MAX_REUSED_BYTES = 4 * 1024 * 1024;

export class StdoutSink implements LogSink {
  readonly name = 'stdout';
  private readonly stream: Writable;
  /** process.stdout: a file, pipe or terminal, whose write calls back once the bytes are handed
   * to the OS (on Linux, before write returns). Its batches are encoded into one reused buffer
   * (see send), never while an earlier batch is still being written. */
  private readonly ownStdout: boolean;
  private buf: Buffer | undefined;
  private writing = false;

  constructor(opts: { stream?: Writable } = {}) {
    this.stream = opts.stream ?? process.stdout;
    this.ownStdout = opts.stream === undefined;
  }

  send(batch: readonly LogRecord[]): Promise<void> {
    const chunk = this.ownStdout && !this.writing ? this.encoded(batch) : undefined;
    let text: string | Buffer = chunk ?? '';
    if (chunk === undefined) {
      // Another stream (the cluster's IPC stdout, a test's) may keep what it was given after its
      // callback: it gets a string of its own. The marker fields first, then the record's own (a
      // record is a non-empty JSON object, so its text starts with '{' followed by a field).
      for (const r of batch) text += `${LINE_PREFIX}${recordJson(r).slice(1)}\n`;
    } else this.writing = true;
    return new Promise<void>((resolve, reject) => {
      // The callback fires once the chunk is handed to the OS (or failed); while the pipe is
      // full it waits, and the dispatcher's bounded buffer absorbs what arrives meanwhile. The
      // reused buffer is free again from then on.
      this.stream.write(text, (err) => {
        if (chunk !== undefined) this.writing = false;
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /** The batch's lines in the reused buffer: each record's text written where it goes, instead of
   * a string of the batch encoded again as a whole (~15,000 instructions per record less,
   * bench/http/instructions.mjs). Undefined when the batch could not fit MAX_REUSED_BYTES. */
  private encoded(batch: readonly LogRecord[]): Buffer | undefined {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    let bound = 0;
    for (const r of batch) bound += LINE_PREFIX.length + 3 * recordJson(r).length + 1;
    if (bound > MAX_REUSED_BYTES) return undefined;
    let buf = this.buf;
    if (buf === undefined || buf.length < bound) buf = this.buf = Buffer.allocUnsafe(Math.max(bound, 64 * 1024));
    let used = 0;
    for (const r of batch) {
      used += buf.write(LINE_PREFIX, used, 'latin1');
      used += buf.write(recordJson(r).slice(1), used, 'utf8');
      buf[used++] = 0x0a;
    }
    return buf.subarray(0, used);
  }
}
