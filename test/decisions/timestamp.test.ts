// A record's timestamp is formatted once per millisecond (src/decisions/pipeline.ts,
// isoTimestamp): it must always equal new Date(ms).toISOString(), whatever order the
// milliseconds come in (a clock stepped back, repeats, jumps).
import t from 'tap';
import { isoTimestamp } from '../../src/decisions/pipeline.js';
import { rng } from '../helpers/rng.js';

t.test('equal to Date#toISOString for every sequence of milliseconds', async (t) => {
  const now = Date.UTC(2026, 11, 6, 4, 59, 59, 999);
  const fixed = [now, now, now + 1, now, now - 1000, 0, 0, -1, 8.64e15, -8.64e15, now + 1, now + 1, 951782400000 /* 2000-02-29 */];
  const random = rng(18);
  const seq = [...fixed, ...Array.from({ length: 2000 }, () => now + Math.floor(random() * 50) - 25)];
  let wrong = 0;
  for (const ms of seq) if (isoTimestamp(ms) !== new Date(ms).toISOString()) wrong++;
  t.equal(wrong, 0, `${seq.length} milliseconds, repeats and steps back included`);
});

t.test('an invalid time still throws, as Date does, and is not remembered', async (t) => {
  t.throws(() => isoTimestamp(Number.NaN), RangeError);
  t.throws(() => isoTimestamp(8.64e15 + 1), RangeError);
  t.equal(isoTimestamp(0), '1970-01-01T00:00:00.000Z');
  t.throws(() => isoTimestamp(Number.NaN), RangeError, 'NaN never equals the kept millisecond');
});
