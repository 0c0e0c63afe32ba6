// The in-memory store behind GET /v1/decisions/{id}: bounded by count (oldest out first) and by age.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import t from 'tap';
import { RecordStore } from '../../src/decisionlog/record-store.js';
import type { LogRecord } from '../../src/decisionlog/types.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

const rec = (id: string, note = ''): LogRecord => ({ decision_id: id, path: note }) as unknown as LogRecord;

t.test('past maxEntries the oldest records go first', async (t) => {
  const s = new RecordStore({ maxEntries: 3, retentionMs: 60_000 });
  for (const id of ['a', 'b', 'c', 'd', 'e']) s.put(rec(id));
  t.equal(s.size, 3);
  t.same(
    ['a', 'b', 'c', 'd', 'e'].map((id) => s.get(id)?.decision_id ?? null),
    [null, null, 'c', 'd', 'e'],
  );
  // Many more puts than slots: still exactly the newest three.
  for (let i = 0; i < 1000; i++) s.put(rec(`x${i}`));
  t.equal(s.size, 3);
  t.same([s.get('x997')?.decision_id, s.get('x998')?.decision_id, s.get('x999')?.decision_id, s.get('x996')], ['x997', 'x998', 'x999', undefined]);
});

t.test('records older than the retention are not returned', async (t) => {
  let now = 1000;
  const s = new RecordStore({ maxEntries: 10, retentionMs: 500, now: () => now });
  s.put(rec('old'));
  now += 400;
  s.put(rec('new'));
  now += 200;
  t.equal(s.get('old'), undefined, 'expired');
  t.equal(s.get('new')?.decision_id, 'new', 'within retention');
});

t.test('a repeated id keeps the latest record and eviction of the old slot does not remove it', async (t) => {
  const s = new RecordStore({ maxEntries: 2, retentionMs: 60_000 });
  s.put(rec('a', 'first'));
  s.put(rec('a', 'second'));
  t.equal(s.get('a')?.path, 'second');
  s.put(rec('b'));
  t.equal(s.get('a')?.path, 'second', 'the first slot of "a" was evicted, the newer record stays');
  t.equal(s.get('b')?.decision_id, 'b');
});

t.test('maxEntries 0 keeps nothing', async (t) => {
  const s = new RecordStore({ maxEntries: 0, retentionMs: 60_000 });
  s.put(rec('a'));
  t.equal(s.size, 0);
  t.equal(s.get('a'), undefined);
});

t.test("bounded by the records' JSON size: the oldest go first, and a record over the whole bound is not kept", async (t) => {
  const big = (id: string, n: number): LogRecord => ({ decision_id: id, path: 'x'.repeat(n) }) as unknown as LogRecord;
  const s = new RecordStore({ maxEntries: 100, maxBytes: 2500, retentionMs: 60_000 });
  for (const id of ['a', 'b', 'c']) s.put(big(id, 1000));
  t.same(
    ['a', 'b', 'c'].map((id) => s.get(id) !== undefined),
    [false, true, true],
    'two ~1 KB records fit in 2.5 KB',
  );
  t.ok(s.bytes <= 2500, `bytes ${s.bytes} within the bound`);
  s.put(big('huge', 5000));
  t.equal(s.get('huge'), undefined, 'larger than the whole store: not kept');
  t.ok(s.get('c'), 'and nothing was evicted for it');
  for (let i = 0; i < 200; i++) s.put(big(`m${i}`, 300 + (i % 7) * 100));
  t.ok(s.bytes <= 2500 && s.bytes > 0, `after many puts still within the bound (${s.bytes})`);
  t.ok(s.get('m199'), 'the newest is there');
});

t.test('records are read back exactly: non-ASCII text, the size bound in UTF-8 bytes', async (t) => {
  const text = 'é€😀 \u0000 "quoted" \\ ' + 'ü'.repeat(100);
  const s = new RecordStore({ maxEntries: 10, maxBytes: 1024, retentionMs: 60_000 });
  s.put(rec('u', text));
  t.equal(s.get('u')?.path, text);
  const bytes = Buffer.byteLength(JSON.stringify(rec('u', text)));
  t.equal(s.bytes, bytes, 'counted in UTF-8 bytes, not characters');
  // 'ü' is one character and two bytes: 400 of them are 800 bytes, and two such records do not fit in 1 KiB.
  s.put(rec('v', 'ü'.repeat(400)));
  s.put(rec('w', 'ü'.repeat(400)));
  t.equal(s.get('v'), undefined, 'evicted by the byte bound');
  t.equal(s.get('w')?.path, 'ü'.repeat(400));
  t.ok(s.bytes <= 1024, `bytes ${s.bytes} within the bound`);
});

t.test('across many buffer chunks and records larger than a chunk, every kept record reads back whole', async (t) => {
  const s = new RecordStore({ maxEntries: 50, maxBytes: 8 * 1024 * 1024, retentionMs: 60_000 });
  const sizes: Record<string, number> = {};
  for (let i = 0; i < 400; i++) {
    // Mostly ~50 KB records (20 per 1 MiB chunk), every 37th one of 1.5 MiB (a chunk of its own).
    const n = i % 37 === 0 ? 1_500_000 : 50_000 + i;
    sizes[`r${i}`] = n;
    s.put(rec(`r${i}`, String.fromCharCode(97 + (i % 26)).repeat(n)));
  }
  t.equal(s.size, 50);
  let whole = 0;
  for (let i = 350; i < 400; i++) {
    const got = s.get(`r${i}`);
    if (got?.path.length === sizes[`r${i}`] && got.path[0] === String.fromCharCode(97 + (i % 26)) && got.path.endsWith(got.path[0] as string)) whole++;
  }
  t.equal(whole, 50, 'the newest 50 records are intact');
  t.equal(s.get('r349'), undefined);
  t.ok(s.bytes <= 8 * 1024 * 1024);
});

// In a process of its own: array buffers that earlier tests (in this file or the folder's
// aggregate) let go of are released lazily after a collection, which made the buffer growth
// measured here come out short of what the store holds (once in CI: 42 of 50 MB).
t.test("the stored JSON lives outside the V8 heap (what keeps it out of every garbage collection's work)", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pdp-store-heap-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'measure.ts');
  writeFileSync(
    script,
    `import v8 from 'node:v8';
import { RecordStore } from ${JSON.stringify(pathToFileURL(join(REPO, 'src/decisionlog/record-store.ts')).href)};
const gc = globalThis.gc as () => void;
const s = new RecordStore({ maxEntries: 5000, maxBytes: 256 * 1024 * 1024, retentionMs: 60_000 });
const payload = 'x'.repeat(10_000);
gc();
const heap0 = v8.getHeapStatistics().used_heap_size;
const buffers0 = process.memoryUsage().arrayBuffers;
for (let i = 0; i < 5000; i++) s.put({ decision_id: 'id-' + i, path: payload + i } as never);
gc();
const heapGrowth = v8.getHeapStatistics().used_heap_size - heap0;
const bufferGrowth = process.memoryUsage().arrayBuffers - buffers0;
console.log(JSON.stringify({ bytes: s.bytes, heapGrowth, bufferGrowth, last: s.get('id-4999')?.path === payload + 4999 }));
`,
  );
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script], { cwd: REPO, encoding: 'utf8' });
  const m = JSON.parse(out.trim().split('\n').pop() as string) as { bytes: number; heapGrowth: number; bufferGrowth: number; last: boolean };
  t.ok(m.bytes > 50_000_000, `50 MB of records held (${m.bytes})`);
  t.ok(m.bufferGrowth >= m.bytes, `in buffers: ${m.bufferGrowth} bytes`);
  t.ok(m.heapGrowth < 5_000_000, `the V8 heap grew by ${m.heapGrowth} bytes, not by the records' size`);
  t.ok(m.last, 'the last record reads back');
});
