// A worker's stdout: whole chunks (a pino line, a decision-log batch of lines) handed to the
// primary over IPC, which alone writes the real stdout — so a line longer than PIPE_BUF (4 KiB)
// can never be torn by another worker's write landing in its middle. The write callback fires
// once the message is handed to the channel: the decision log's flush at shutdown waits for it.
//
// A message costs far more than its bytes (two workers on two CPUs, a message per turn's batch:
// ~20 µs per decision record between the worker's send and the primary's write; with the wait
// below ~15 µs less: docs/benchmarks.md, session 36). So a chunk waits up to BATCH_MS for the ones
// written after it, and they go as one message: the stream holds what is written while a message
// is pending and hands it over together (writev).
import { Writable } from 'node:stream';
import type { FromWorker } from './messages.js';

export type Send = (message: FromWorker, callback: (err: Error | null) => void) => boolean;

/** How long a chunk waits for more before it is sent (a line reaches stdout at most this much
 * later), and the size that is sent at once. */
export const BATCH_MS = 2;
export const BATCH_CHARS = 64 * 1024;

export function ipcStdout(send: Send, connected: () => boolean, fallback: NodeJS.WritableStream = process.stdout, batchMs = BATCH_MS): Writable {
  const forward = (text: string, callback: () => void): void => {
    // Without a primary (it died; the worker is on its way out) the lines still go out.
    if (!connected()) {
      fallback.write(text, () => callback());
      return;
    }
    // A failed send (the channel closed meanwhile) writes directly: late, never lost.
    send({ pdp: 'out', text }, (err) => (err ? fallback.write(text, () => callback()) : callback()));
  };
  // The callback comes once the text is sent: until then the stream keeps what is written next.
  const later = (text: string, callback: () => void): void => {
    if (batchMs <= 0 || text.length >= BATCH_CHARS) forward(text, callback);
    else setTimeout(() => forward(text, callback), batchMs);
  };
  const textOf = (chunk: string | Buffer): string => (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
  const out = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      later(textOf(chunk), callback);
    },
    writev(chunks, callback) {
      let text = '';
      for (const c of chunks) text += textOf(c.chunk as string | Buffer);
      later(text, callback);
    },
  });
  // Only a write after end() (a log line racing the worker's exit) errors here; the process is
  // ending, and an unhandled 'error' would turn a clean exit into a crash.
  out.on('error', () => undefined);
  return out;
}
