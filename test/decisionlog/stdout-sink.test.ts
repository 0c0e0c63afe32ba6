// The stdout sink on the process's real stdout (a pipe, a file): batches are encoded into one
// reused buffer (src/decisionlog/sinks/stdout.ts), so what reaches the reader must be every line of
// every batch, intact — non-ASCII text, records larger than the buffer, batches past the reuse
// bound, and a send while another is still being written.
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/shared/package-root.js';

// The child: batches sent one after another as the dispatcher does (each awaited; the one of 100
// records, a fifth of them ~77 KB, is past the reuse bound), then two sent at once; every record's text is derived from (batch, index) so the parent can rebuild it.
const script = `
const { StdoutSink } = await import('./src/decisionlog/sinks/stdout.ts');
const sink = new StdoutSink();
const text = (b, i) => {
  const kinds = ['plain', 'é and 😀 and \\u2028', 'lone \\ud800 surrogate', 'quote " backslash \\\\', 'x'.repeat(70000 + b * 1000)];
  return kinds[(b + i) % kinds.length] + ' #' + b + '.' + i;
};
const record = (b, i) => ({ decision_id: b + '.' + i, note: text(b, i), n: [b, i] });
const sizes = [1, 3, 6, 1, 40, 2, 100, 1, 5];
let b = 0;
for (const n of sizes) {
  await sink.send(Array.from({ length: n }, (_, i) => record(b, i)));
  b++;
}
// The first is larger than the pipe holds. (Linux writes process.stdout to a pipe synchronously, so
// here it is done before the second starts; where such writes are asynchronous the sink's guard
// gives the second batch a string of its own.)
const many = (b, n) => Array.from({ length: n }, (_, i) => record(b, i));
await Promise.all([sink.send(many(b, 20)), sink.send(many(b + 1, 5))]);
`;

function expected(): Map<string, unknown> {
  const kinds = ['plain', 'é and 😀 and \u2028', 'lone \ud800 surrogate', 'quote " backslash \\', ''];
  const text = (b: number, i: number) => {
    const k = (b + i) % kinds.length;
    return (k === 4 ? 'x'.repeat(70000 + b * 1000) : kinds[k]) + ` #${b}.${i}`;
  };
  const want = new Map<string, unknown>();
  const sizes = [1, 3, 6, 1, 40, 2, 100, 1, 5];
  const add = (b: number, i: number) => want.set(`${b}.${i}`, { level: 'info', msg: 'Decision Log', decision_id: `${b}.${i}`, note: text(b, i), n: [b, i] });
  sizes.forEach((n, b) => {
    for (let i = 0; i < n; i++) add(b, i);
  });
  for (let i = 0; i < 20; i++) add(9, i);
  for (let i = 0; i < 5; i++) add(10, i);
  return want;
}

function check(t: Test, out: string, how: string): void {
  const want = expected();
  const lines = out.split('\n');
  t.equal(lines.pop(), '', `${how}: the output ends with a newline`);
  t.equal(lines.length, want.size, `${how}: one line per record`);
  const seen = new Set<string>();
  for (const line of lines) {
    const got = JSON.parse(line) as { decision_id: string };
    seen.add(got.decision_id);
    if (JSON.stringify(got) !== JSON.stringify(want.get(got.decision_id)))
      t.fail(`${how}: record ${got.decision_id} changed on the way: ${line.slice(0, 120)}`);
  }
  t.equal(seen.size, want.size, `${how}: every record, once`);
  // Lone surrogates are written as JSON escapes (JSON.stringify), so the bytes are valid UTF-8.
  t.equal(Buffer.from(out, 'utf8').toString('utf8'), out, `${how}: valid UTF-8`);
}

t.test('on a pipe: every line of every batch, intact', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  // A slow reader: the pipe fills, and writes wait for it.
  child.stdout.pause();
  setTimeout(() => child.stdout.resume(), 300);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  t.equal(code, 0, err);
  check(t, Buffer.concat(out).toString('utf8'), 'pipe');
});

t.test('on a file: every line of every batch, intact', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pdp-stdout-sink-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'out.log');
  const fd = openSync(file, 'w');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: packageRoot, stdio: ['ignore', fd, 'pipe'] });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  closeSync(fd);
  t.equal(code, 0, err);
  check(t, readFileSync(file, 'utf8'), 'file');
});
