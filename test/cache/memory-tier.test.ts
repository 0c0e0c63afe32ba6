// The in-process tier is bounded by the size of the results it holds, not only by their number:
// a Data API result can be a whole document, and 10 000 large results would exhaust the heap.
import t from 'tap';
import { MemoryTier } from '../../src/cache/memory-tier.js';
import type { CacheEntry } from '../../src/decisions/types.js';
import { approximateJsonSize } from '../../src/cache/value-size.js';
import { timersCreatedBy } from '../helpers/timers-created.js';

const outcome = (result: unknown): CacheEntry => ({ defined: true, result, engine: 'rego', expiresAt: Date.now() + 60_000 });

t.test('the size estimate follows the JSON length and stops early past the limit', async (t) => {
  const doc = { a: 'x'.repeat(1000), list: [1, 2, 'three'], nested: { ok: true, none: null } };
  const exact = JSON.stringify(doc).length;
  const est = approximateJsonSize(doc, Infinity);
  t.ok(est >= exact * 0.8 && est <= exact * 1.5, `estimate ${est} near the JSON length ${exact}`);
  t.ok(approximateJsonSize({ big: 'y'.repeat(10_000), more: ['z'.repeat(10_000)] }, 100) > 100, 'known to exceed the limit');
  t.equal(approximateJsonSize(2n ** 70n, Infinity), 8, 'bigints are sized, not refused');
});

t.test('the oldest entries go when the results would exceed the byte bound; an oversized result is not cached', async (t) => {
  const tier = new MemoryTier({ maxEntries: 1000, maxBytes: 50_000 });
  for (let i = 0; i < 10; i++) tier.set(`k${i}`, outcome({ blob: `${i}`.repeat(10_000) }));
  t.ok(tier.bytes <= 50_000, `holds ${tier.bytes} bytes`);
  t.ok(tier.size >= 3 && tier.size < 10, `only the newest ${tier.size} entries`);
  t.ok(tier.get('k9'), 'the newest is there');
  t.equal(tier.get('k0'), undefined, 'the oldest was evicted for size');
  tier.set('huge', outcome({ blob: 'h'.repeat(60_000) }));
  t.equal(tier.get('huge'), undefined, 'larger than the whole tier: not cached');
  t.ok(tier.get('k9'), 'and nothing was evicted for it');
  tier.set('small', { defined: false, engine: 'rego', expiresAt: Date.now() + 60_000 });
  t.ok(tier.get('small'), 'an undefined result is cached too');
});

t.test("an entry lasts until its expiresAt, read from the tier's clock; no timer is made for it", async (t) => {
  let now = 1_000_000;
  const tier = new MemoryTier({ maxEntries: 100, now: () => now });
  const entry = (expiresAt: number): CacheEntry => ({ defined: true, result: { allow: true }, engine: 'rego', expiresAt });
  tier.set('a', entry(now + 1000));
  tier.set('gone', entry(now));
  t.equal(tier.size, 1, 'an entry already expired when set is not kept');
  now += 999;
  t.ok(tier.get('a'), 'there 1 ms before it expires');
  now += 1;
  t.equal(tier.get('a'), undefined, 'gone once its expiresAt is reached');
  t.equal(tier.size, 0, 'and removed when found expired');
  // lru-cache's own TTLs would read the clock through a 1 ms timer re-armed whenever it lapsed: a
  // timer (and an event-loop wake-up) per decision at moderate rates.
  const real = new MemoryTier({ maxEntries: 100 });
  const made = timersCreatedBy(() => {
    for (let i = 0; i < 50; i++) {
      real.set(`k${i}`, outcome({ i }));
      real.get(`k${i}`);
      real.get('missing');
    }
  });
  t.equal(made, 0, 'sets and gets make no timer');
});
