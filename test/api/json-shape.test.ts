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
  let noProtoKeys = !text.includes('\\');
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
      const open = i;
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
      const content = i < n ? text.slice(open + 1, i) : undefined;
      if (content === '__proto__' || content === 'constructor') noProtoKeys = false;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return { problem: { kind: 'depth' }, mayOverflow, mayBeInexact, noProtoKeys };
      if (++values > maxValues) return { problem: { kind: 'values' }, mayOverflow, mayBeInexact, noProtoKeys };
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    } else if (c === 0x2c) {
      if (++values > maxValues) return { problem: { kind: 'values' }, mayOverflow, mayBeInexact, noProtoKeys };
    }
  }
  return { mayOverflow, mayBeInexact, noProtoKeys };
}

t.test('measureJson agrees with a character scan on 20,000 generated texts', async (t) => {
  const seed = 20261205;
  const r = rng(seed);
  const alphabet = [
    '"',
    '\\',
    '\\\\',
    '\\"',
    '{',
    '}',
    '[',
    ']',
    ',',
    '1',
    '7',
    'e',
    '.',
    'a',
    ' ',
    ':',
    '1234567890123456',
    'é',
    '\n',
    '\t',
    '\r',
    '\u0001',
    '__proto__',
    'constructor',
    '"__proto__"',
    '"constructor"',
    '"constructo"',
  ];
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
  t.same(measureJson(body, 2, 100), { mayOverflow: false, mayBeInexact: true, noProtoKeys: false }, 'brackets inside strings do not count');
  t.same(measureJson(body, 1, 100).problem, { kind: 'depth' });
  t.same(measureJson('"never closed [[[[', 1, 100), { mayOverflow: false, mayBeInexact: false, noProtoKeys: true });
});

t.test('noProtoKeys: only text in which no string can be "__proto__" or "constructor"', async (t) => {
  const no = (text: string): boolean => measureJson(text, 10, 100).noProtoKeys;
  t.equal(no('{"a":{"b":["__proto_","constructors","proto"]}}'), true, 'near misses');
  t.equal(no('{"__proto__":{}}'), false, 'the key');
  t.equal(no('{"a":"__proto__"}'), false, 'a value too (secure-json-parse then decides)');
  t.equal(no('{"constructor":{"prototype":{}}}'), false);
  t.equal(no('{"a":[1,{"constructor":1}]}'), false, 'nested');
  t.equal(no('{"\\u005f_proto__":{}}'), false, 'an escape anywhere');
  t.equal(no('{"a":"line\\nbreak"}'), false, 'even one that spells nothing');
});
