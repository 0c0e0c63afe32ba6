// A record's timestamp has its date and time of day formatted once per second (src/decisions/
// pipeline.ts, isoTimestamp): it must always equal new Date(ms).toISOString(), whatever order the
// milliseconds come in (a clock stepped back, repeats, jumps), at the edges of a second and of
// the four-digit years, and for fractional milliseconds.
import t from 'tap';
import { isoTimestamp } from '../../src/decisions/pipeline.js';
import { rng } from '../helpers/rng.js';

t.test('equal to Date#toISOString for every sequence of milliseconds', async (t) => {
  const now = Date.UTC(2026, 11, 6, 4, 59, 59, 999);
  const lastFourDigitYear = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
  const fixed = [
    now,
    now,
    now + 1,
    now,
    now - 1000,
    0,
    0,
    -1,
    8.64e15,
    -8.64e15,
    now + 1,
    now + 1,
    951782400000 /* 2000-02-29 */,
    now - 999,
    now + 0.5,
    now + 1.999,
    -0.5,
    7,
    7.9,
    99,
    100,
    1000,
    999.999,
    lastFourDigitYear,
    lastFourDigitYear + 1,
    lastFourDigitYear - 1000,
    -62167219200000 /* year 0 */,
    -62167219200001,
  ];
  const random = rng(18);
  const seq = [
    ...fixed,
    ...Array.from({ length: 2000 }, () => now + Math.floor(random() * 50) - 25),
    // across second boundaries, with fractions
    ...Array.from({ length: 2000 }, () => now + random() * 5000 - 2500),
  ];
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
