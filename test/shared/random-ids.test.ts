// The decision ids and trace ids (src/shared/random-ids.ts): well-formed, and not repeated across
// the batches their text is cut from.
import t from 'tap';
import { randomHexId, randomUuid } from '../../src/shared/random-ids.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

t.test('UUIDs: version 4, the RFC 4122 variant, unique over many batches, every variant digit seen', async (t) => {
  const seen = new Set<string>();
  const variants = new Set<string>();
  let bad = '';
  for (let i = 0; i < 20_000; i++) {
    const id = randomUuid();
    if (!UUID_V4.test(id)) bad ||= id;
    seen.add(id);
    variants.add(id[19] as string);
  }
  t.equal(bad, '', 'every id is a v4 UUID');
  t.equal(seen.size, 20_000, 'no id repeats');
  t.same([...variants].sort(), ['8', '9', 'a', 'b']);
  // Random: each hex digit position (but the fixed ones) takes many values.
  const firsts = new Set([...seen].map((id) => id[0]));
  t.equal(firsts.size, 16);
});

t.test('hex ids: 16 and 8 bytes, lowercase, unique, never all zeros', async (t) => {
  const seen = new Set<string>();
  let bad = '';
  for (let i = 0; i < 5_000; i++) {
    const trace = randomHexId(16);
    const span = randomHexId(8);
    if (!/^[0-9a-f]{32}$/.test(trace) || !/^[0-9a-f]{16}$/.test(span) || /^0+$/.test(trace) || /^0+$/.test(span)) bad ||= `${trace} ${span}`;
    seen.add(trace);
    seen.add(span);
  }
  t.equal(bad, '', 'every id well formed, none all zeros');
  t.equal(seen.size, 10_000, 'no id repeats');
});
