// randomUuid (src/shared/random-uuid.ts): version-4 UUIDs as crypto.randomUUID writes them, from
// batches of 64 — every one well formed, none repeated across batches, every random hex position
// taking every digit, and the version and variant bits set.
import t from 'tap';
import { writeHex } from '../../src/shared/random-text-batch.js';
import { randomUuid } from '../../src/shared/random-uuid.js';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

t.test('20,000 ids: well formed, distinct, each random position takes every digit', async (t) => {
  const ids = Array.from({ length: 20_000 }, () => randomUuid());
  const bad = ids.filter((id) => !V4.test(id));
  t.same(bad.slice(0, 3), [], 'every id is a version-4 UUID in lowercase hex');
  t.equal(new Set(ids).size, ids.length, 'no id repeats (across 313 batches)');
  const digits = Array.from({ length: 36 }, () => new Set<string>());
  for (const id of ids) for (let i = 0; i < 36; i++) digits[i]!.add(id[i]!);
  const fixed = new Map([
    [8, '-'],
    [13, '-'],
    [14, '4'],
    [18, '-'],
    [23, '-'],
  ]);
  for (let i = 0; i < 36; i++) {
    if (fixed.has(i)) t.same([...digits[i]!], [fixed.get(i)], `position ${i} is always ${fixed.get(i)}`);
    else if (i === 19) t.same([...digits[i]!].sort(), ['8', '9', 'a', 'b'], 'the variant position: 8, 9, a or b');
    else t.equal(digits[i]!.size, 16, `position ${i} takes all 16 digits`);
  }
});

t.test('writeHex writes each byte as two lowercase digits in place', async (t) => {
  const out = Buffer.from('..........', 'latin1');
  writeHex(Buffer.from([0xab, 0x01, 0xf0, 0x00]), 0, 4, out, 1);
  t.equal(out.toString('latin1'), '.ab01f000.');
});
