// A worker's stdout (src/cluster/ipc-stdout.ts): what is written within the batching window goes
// to the primary as one message, in order and whole; a write's callback fires only once its text
// is handed over; without a channel, or when a send fails, the text goes to the fallback stream.
import { Writable } from 'node:stream';
import t from 'tap';
import { BATCH_CHARS, ipcStdout, type Send } from '../../src/cluster/ipc-stdout.js';
import type { FromWorker } from '../../src/cluster/messages.js';

function recorder(fail = false) {
  const sent: string[] = [];
  const send: Send = (m: FromWorker, callback) => {
    if (m.pdp === 'out') sent.push(m.text);
    setImmediate(() => callback(fail ? new Error('channel closed') : null));
    return true;
  };
  return { sent, send };
}

function fallbackStream() {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _e, done) {
      written.push(chunk.toString());
      done();
    },
  });
  return { written, stream };
}

const wrote = (out: Writable, text: string): Promise<void> => new Promise((resolve) => out.write(text, () => resolve()));

t.test('lines written within the window go as one message, in order, after which the callbacks fire', async (t) => {
  const { sent, send } = recorder();
  const out = ipcStdout(send, () => true, fallbackStream().stream, 20);
  const lines = Array.from({ length: 50 }, (_, i) => `{"n":${i}}\n`);
  let called = 0;
  const done = lines.map((l) => new Promise<void>((resolve) => out.write(l, () => (called++, resolve()))));
  await new Promise((r) => setTimeout(r, 5));
  t.equal(sent.length, 0, 'nothing sent before the window ends');
  t.equal(called, 0, 'no callback before the text is sent');
  await Promise.all(done);
  t.equal(sent.join(''), lines.join(''), 'every line, in order, whole');
  t.ok(sent.length <= 2, `${sent.length} message(s) for 50 writes (the first alone, the rest together)`);
});

t.test('a large chunk goes at once; end() waits for what is pending', async (t) => {
  const { sent, send } = recorder();
  const out = ipcStdout(send, () => true, fallbackStream().stream, 300);
  const big = `${'x'.repeat(BATCH_CHARS)}\n`;
  const start = Date.now();
  await wrote(out, big);
  t.ok(Date.now() - start < 250, 'not held for the window');
  t.same(sent, [big]);
  out.write('tail\n');
  const ended = Date.now();
  await new Promise<void>((resolve) => out.end(() => resolve()));
  t.same(sent, [big, 'tail\n'], 'the pending line was sent before end() finished');
  t.ok(Date.now() - ended >= 250, 'end() waited for the window');
});

t.test('no channel, or a failed send: the fallback stream gets the text', async (t) => {
  const a = fallbackStream();
  const noChannel = ipcStdout(recorder().send, () => false, a.stream, 1);
  await wrote(noChannel, 'one\n');
  t.same(a.written, ['one\n']);
  const b = fallbackStream();
  const failing = recorder(true);
  const out = ipcStdout(failing.send, () => true, b.stream, 1);
  await wrote(out, 'two\n');
  t.same(failing.sent, ['two\n'], 'tried the channel first');
  t.same(b.written, ['two\n'], 'then wrote it directly: late, never lost');
});
