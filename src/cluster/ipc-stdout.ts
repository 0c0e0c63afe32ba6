// A worker's stdout: whole chunks (a pino line, a decision-log batch of lines) handed to the
// primary over IPC, which alone writes the real stdout — so a line longer than PIPE_BUF (4 KiB)
// can never be torn by another worker's write landing in its middle. The write callback fires
// once the message is handed to the channel: the decision log's flush at shutdown waits for it.
import { Writable } from 'node:stream';
import type { FromWorker } from './messages.js';

export type Send = (message: FromWorker, callback: (err: Error | null) => void) => boolean;

export function ipcStdout(send: Send, connected: () => boolean, fallback: NodeJS.WritableStream = process.stdout): Writable {
  const out = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      // Without a primary (it died; the worker is on its way out) the lines still go out.
      if (!connected()) {
        fallback.write(text, () => callback());
        return;
      }
      // A failed send (the channel closed meanwhile) writes directly: late, never lost.
      send({ pdp: 'out', text }, (err) => (err ? fallback.write(text, () => callback()) : callback()));
    },
  });
  // Only a write after end() (a log line racing the worker's exit) errors here; the process is
  // ending, and an unhandled 'error' would turn a clean exit into a crash.
  out.on('error', () => undefined);
  return out;
}
