// The in-memory store behind GET /v1/decisions/{id}: bounded by count (oldest out first) and by age.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import t, { type Test } from 'tap';
import { markPlainIds } from '../../src/decisionlog/record-json.js';
import { RecordStore } from '../../src/decisionlog/record-store.js';
import type { LogRecord } from '../../src/decisionlog/types.js';
import { rng } from '../helpers/rng.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Runs a measuring script (TypeScript, `gc` exposed) in a process of its own, with `STORE` the
 * store module's URL; returns the JSON object its last line prints. */
function measureInProcess<T>(t: Test, body: string): T {
  const dir = mkdtempSync(join(tmpdir(), 'pdp-store-measure-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'measure.ts');
  writeFileSync(script, body.replace('STORE', JSON.stringify(pathToFileURL(join(REPO, 'src/decisionlog/record-store.ts')).href)));
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script], { cwd: REPO, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop() as string) as T;
}

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

// GET /v1/decisions/{id} hands the caller's text to get(): no id but the stored one finds a record.
t.test('hostile lookups find nothing: lone surrogates, the UTF-8 twin of a stored id, long and empty ids', async (t) => {
  const s = new RecordStore({ maxEntries: 100, retentionMs: 60_000 });
  s.put(rec('a\uFFFD', 'replacement character'));
  s.put(rec('d-1', 'plain'));
  for (const id of ['a\uD800', 'a\uDC00', 'a', 'a\uFFFD\u0000', '', 'd-1 ', 'D-1', 'x'.repeat(128), '\uD83D\uDE00'.repeat(64)]) {
    t.equal(s.get(id), undefined, `nothing for ${JSON.stringify(id)}`);
  }
  t.equal(s.get('a\uFFFD')?.path, 'replacement character', 'the stored id itself still finds its record');
  t.equal(s.get('d-1')?.path, 'plain');
});

t.test('ids the JSON writes otherwise are kept apart from it and found: escaped, non-ASCII, bytes that look like characters', async (t) => {
  const s = new RecordStore({ maxEntries: 100, retentionMs: 60_000 });
  // U+00C3 U+0083: its first UTF-8 byte is 0xC3, its own code; DEL is written as is by JSON but is not printable ASCII.
  const ids = ['d292c503-082d-4b30-b01d-906b47ae95c5', 'q"uote', 'back\\slash', 'tab\there', '\u00c3\u0083x', '\u007f', 'é', ''];
  ids.forEach((id, i) => s.put(rec(id, `note-${i}`)));
  ids.forEach((id, i) => t.equal(s.get(id)?.path, `note-${i}`, `id ${JSON.stringify(id)}`));
  // The same bytes read as Latin-1 are another id.
  t.equal(s.get(Buffer.from('\u00c3\u0083x').toString('latin1')), undefined, 'the Latin-1 reading of a stored id finds nothing');
  t.equal(s.size, ids.length);
});

t.test("a record whose ids the pipeline made (marked plain) is found by its id's bytes in its JSON", async (t) => {
  const s = new RecordStore({ maxEntries: 100, retentionMs: 60_000 });
  const ids = ['95c07048-1819-410a-8a12-79ae20073797', 'd292c503-082d-4b30-b01d-906b47ae95c5'];
  for (const [i, id] of ids.entries()) {
    const r = rec(id, `note-${i}`);
    markPlainIds(r, true);
    s.put(r);
  }
  ids.forEach((id, i) => t.equal(s.get(id)?.path, `note-${i}`, id));
  t.equal(s.get('95c07048-1819-410a-8a12-79ae2007379'), undefined, 'a prefix of a stored id finds nothing');
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

// The store against a plain model of what it promises (count bound, byte bound, retention, a
// repeated id answering with its newest record), over random operations: ids from a small pool
// (repeats, and eviction of a replaced row), random sizes, time moving on, lookups of present,
// evicted, expired and never-seen ids. Sizes past 1,024 rows exercise the growth of the index.
t.test('random puts, lookups and expiry agree with a model of the store', async (t) => {
  for (const [seed, maxEntries, pool] of [
    [1, 7, 12],
    [2, 64, 100],
    [3, 1500, 2500],
    [4, 3000, 1_000_000],
  ] as const) {
    const random = rng(seed);
    let now = 0;
    const maxBytes = maxEntries * 120;
    const s = new RecordStore({ maxEntries, maxBytes, retentionMs: 5_000, now: () => now });
    type Row = { id: string; note: string; at: number; bytes: number };
    const ring: Row[] = [];
    const latest = new Map<string, Row>();
    let bytes = 0;
    const modelGet = (id: string): string | undefined => {
      const row = latest.get(id);
      if (row === undefined) return undefined;
      if (now - row.at > 5_000) {
        latest.delete(id);
        return undefined;
      }
      return row.note;
    };
    let mismatches = 0;
    let found = 0;
    const ops = maxEntries * 12;
    for (let i = 0; i < ops; i++) {
      const r = random();
      // Half the lookups ask for an id the ring holds or held (present, replaced, evicted or expired).
      const recent = r >= 0.6 && r < 0.8 && ring.length > 0;
      // Ids as the service makes them, and some the record's JSON writes otherwise: non-ASCII
      // (its bytes are not its characters), escaped (a quote).
      const n = Math.floor(random() * pool);
      const id = recent ? (ring[Math.floor(random() * ring.length)] as Row).id : n % 7 === 1 ? `é-${n}` : n % 7 === 2 ? `q"${n}` : `d-${n}`;
      if (r < 0.6) {
        const note = 'n'.repeat(Math.floor(random() * 150)) + i;
        // Some records with another field first (their id is then stored on its own).
        const record = i % 5 === 0 ? ({ path: note, decision_id: id } as unknown as LogRecord) : rec(id, note);
        const row: Row = { id, note, at: now, bytes: Buffer.byteLength(JSON.stringify(record)) };
        if (row.bytes <= maxBytes) {
          while (ring.length === maxEntries || (ring.length > 0 && bytes + row.bytes > maxBytes)) {
            const old = ring.shift() as Row;
            bytes -= old.bytes;
            if (latest.get(old.id) === old) latest.delete(old.id);
          }
          ring.push(row);
          bytes += row.bytes;
          latest.set(id, row);
        }
        s.put(record);
      } else if (r < 0.97) {
        const want = modelGet(id);
        const got = s.get(id)?.path;
        if (got !== want) mismatches++;
        if (want !== undefined) found++;
      } else {
        // Scaled so that records expire at about half of their life in the ring.
        now += Math.floor((random() * 400_000) / maxEntries);
      }
      if (s.size !== latest.size || s.bytes !== bytes) mismatches++;
    }
    t.equal(mismatches, 0, `seed ${seed}, ${maxEntries} rows, ${ops} operations: every lookup, size and byte count as the model says`);
    t.ok(found > ops / 20, `seed ${seed}: the lookups found records (${found})`);
  }
});

// In a process of its own: array buffers that earlier tests (in this file or the folder's
// aggregate) let go of are released lazily after a collection, which made the buffer growth
// measured here come out short of what the store holds (once in CI: 42 of 50 MB).
t.test("the stored JSON lives outside the V8 heap (what keeps it out of every garbage collection's work)", async (t) => {
  const m = measureInProcess<{ bytes: number; heapGrowth: number; bufferGrowth: number; last: boolean }>(
    t,
    `import v8 from 'node:v8';
import { RecordStore } from STORE;
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
  t.ok(m.bytes > 50_000_000, `50 MB of records held (${m.bytes})`);
  t.ok(m.bufferGrowth >= m.bytes, `in buffers: ${m.bufferGrowth} bytes`);
  t.ok(m.heapGrowth < 5_000_000, `the V8 heap grew by ${m.heapGrowth} bytes, not by the records' size`);
  t.ok(m.last, 'the last record reads back');
});

// The index (id → where the bytes are) is off the heap too: a Map of entry objects promoted an
// entry, an id string and rehashed tables per record into the old generation (~100 bytes a
// record, ~2 MB here), and mark-compacts followed.
t.test('storing 20,000 records leaves the V8 heap where it was: the index is typed arrays', async (t) => {
  const m = measureInProcess<{ size: number; heapGrowth: number; all: boolean }>(
    t,
    `import v8 from 'node:v8';
import { randomUUID } from 'node:crypto';
import { RecordStore } from STORE;
const gc = globalThis.gc as () => void;
const s = new RecordStore({ maxEntries: 20_000, maxBytes: 256 * 1024 * 1024, retentionMs: 60_000 });
// Flat strings: randomUUID() returns a rope that the store's first look at it flattens, which
// would free more heap than the store takes.
const ids = Array.from({ length: 20_000 }, () => Buffer.from(randomUUID()).toString());
const record = { decision_id: '', path: 'x'.repeat(500) };
// The store's code compiled before the heap is measured.
const warm = new RecordStore({ maxEntries: 2000, retentionMs: 60_000 });
for (let i = 0; i < 3000; i++) { warm.put({ ...record, decision_id: 'w' + i } as never); warm.get('w' + i); }
gc();
gc();
const heap0 = v8.getHeapStatistics().used_heap_size;
for (const id of ids) { record.decision_id = id; s.put({ ...record } as never); }
gc();
gc();
const heapGrowth = v8.getHeapStatistics().used_heap_size - heap0;
console.log(JSON.stringify({ size: s.size, heapGrowth, all: ids.every((id) => s.get(id)?.decision_id === id) }));
`,
  );
  t.equal(m.size, 20_000);
  t.ok(m.all, 'every record reads back by its id');
  t.ok(m.heapGrowth < 300_000, `the heap grew by ${m.heapGrowth} bytes for 20,000 records`);
});

t.test('a store allowed millions of records allocates its index as it fills, not up front', async (t) => {
  const before = process.memoryUsage().arrayBuffers;
  const s = new RecordStore({ maxEntries: 10_000_000, retentionMs: 60_000 });
  t.ok(process.memoryUsage().arrayBuffers - before < 1_000_000, 'under 1 MB for an empty store');
  for (let i = 0; i < 5000; i++) s.put(rec(`g${i}`));
  t.equal(s.size, 5000);
  t.equal(s.get('g0')?.decision_id, 'g0', 'rows kept across the growth of the index');
  t.equal(s.get('g4999')?.decision_id, 'g4999');
});
