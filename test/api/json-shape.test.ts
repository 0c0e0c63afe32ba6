// measureJson skips strings with indexOf; it must measure exactly what a character-by-character
// scan measures (a backslash escapes the next character), on text full of quotes, escapes,
// backslash runs, brackets, commas, digits and exponents — including unterminated strings.
import t from 'tap';
import { measureJson, type JsonShape } from '../../src/api/json-shape.js';
import { rng } from '../helpers/rng.js';

/** The scan measureJson replaced, as the oracle. */
function reference(text: string, maxDepth: number, maxValues: number): JsonShape {
  let depth = 0;
  let values = 1;
  let digits = 0;
  let mayOverflow = false;
  let mayBeInexact = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (++digits > 15) {
        mayBeInexact = true;
        if (digits > 300) mayOverflow = true;
      }
      continue;
    }
    if ((c === 0x65 || c === 0x45) && digits > 0) mayOverflow = mayBeInexact = true;
    if (c !== 0x2e) digits = 0;
    if (c === 0x22) {
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return { problem: { kind: 'depth' }, mayOverflow, mayBeInexact };
      if (++values > maxValues) return { problem: { kind: 'values' }, mayOverflow, mayBeInexact };
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    } else if (c === 0x2c) {
      if (++values > maxValues) return { problem: { kind: 'values' }, mayOverflow, mayBeInexact };
    }
  }
  return { mayOverflow, mayBeInexact };
}

t.test('measureJson agrees with a character scan on 20,000 generated texts', async (t) => {
  const seed = 20261205;
  const r = rng(seed);
  const alphabet = ['"', '\\', '\\\\', '\\"', '{', '}', '[', ']', ',', '1', '7', 'e', '.', 'a', ' ', ':', '1234567890123456', 'é', '\n', '\t', '\r', '\u0001'];
  let differ = 0;
  let first = '';
  for (let k = 0; k < 20_000; k++) {
    const len = Math.floor(r() * 60);
    let s = '';
    for (let i = 0; i < len; i++) s += alphabet[Math.floor(r() * alphabet.length)];
    const maxDepth = 1 + Math.floor(r() * 6);
    const maxValues = 1 + Math.floor(r() * 12);
    const a = JSON.stringify(measureJson(s, maxDepth, maxValues));
    const b = JSON.stringify(reference(s, maxDepth, maxValues));
    if (a !== b) {
      differ++;
      first ||= `${JSON.stringify(s)} depth ${maxDepth} values ${maxValues}: ${a} vs ${b}`;
    }
  }
  t.equal(differ, 0, first || `seed ${seed}: all agree`);
});

t.test('real JSON: strings with escaped quotes and backslash runs are skipped whole', async (t) => {
  const body = JSON.stringify({ a: 'x"y\\', b: ['[', '{', '\\"', '\\\\'], c: { d: 'e\\\\"f' } }).slice(0, -1) + ',"n":12345678901234567}';
  t.same(measureJson(body, 2, 100), { mayOverflow: false, mayBeInexact: true }, 'brackets inside strings do not count');
  t.same(measureJson(body, 1, 100).problem, { kind: 'depth' });
  t.same(measureJson('"never closed [[[[', 1, 100), { mayOverflow: false, mayBeInexact: false });
});
