// Small JSON bodies are parsed before their text is measured (src/api/body-parser.ts,
// parsedWithin in src/api/json-shape.ts); larger ones are measured first. Both orders must give
// the same answer: every generated text is sent as it is (≤ 8 KB: parsed first) and again
// padded with trailing whitespace past 8 KB (the same JSON, measured first), through the real
// HTTP app (its parser, error handler and error shape), and the two answers compared — status,
// error code and the parsed value echoed back.
import t, { type Test } from 'tap';
import { createHttpApp } from '../../src/api/http.js';
import { parsedWithin } from '../../src/api/json-shape.js';
import { DEFAULT_SERVER } from '../../src/config/defaults.js';
import { rng } from '../helpers/rng.js';

const MAX_DEPTH = 6;
/** Past PARSE_FIRST_MAX (8192): the same JSON, measured before it is parsed. */
const PAD = ' '.repeat(8300);

async function echoApp(t: Test, maxValues = 100_000) {
  const app = createHttpApp({ ...DEFAULT_SERVER, log_level: 'silent', max_json_depth: MAX_DEPTH, max_json_nodes: maxValues });
  // The value as parsed, with a marker for what JSON cannot carry back (-0 and the prototype).
  app.post('/echo', async (request) => ({ body: JSON.stringify(request.body), proto: Object.getPrototypeOf(request.body ?? {}) === Object.prototype }));
  await app.ready();
  t.teardown(() => app.close());
  return app;
}

/** Printable ASCII (a U+2028 or byte-order mark in an assertion's message breaks the TAP output). */
const ascii = (s: string): string => s.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

type Answer = { status: number; code?: string; paths?: string[]; body?: unknown };

async function answer(app: Awaited<ReturnType<typeof echoApp>>, text: string): Promise<Answer> {
  const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: text });
  if (res.statusCode === 200) return { status: 200, body: res.json() };
  const { error } = res.json() as { error: { code: string; details?: { path: string }[] } };
  return { status: res.statusCode, code: error.code, paths: error.details?.map((d) => d.path) };
}

const KEYS = ['a', 'b', 'agent', 'tool', '__proto__', 'constructor', 'prototype', '', 'é', '\u2028'];
const NUMBERS = ['0', '-0', '1.5', '1e3', '1E-2', '1e400', '-1e400', '12345678901234567890', '9007199254740993', '1.0', '2e308'];

/** JSON text (not always valid): values nested up to a little past MAX_DEPTH, keys that poisoning
 * checks look for, numbers past the double range, escapes, repeated keys. */
function text(r: () => number, depth: number): string {
  const k = Math.floor(r() * (depth > MAX_DEPTH + 1 ? 5 : 8));
  switch (k) {
    case 0:
      return ['null', 'true', 'false'][Math.floor(r() * 3)] as string;
    case 1:
      return NUMBERS[Math.floor(r() * NUMBERS.length)] as string;
    case 2:
      return ['""', '"x"', '"\\u005f_proto__"', '"a\\"b"', '"\\\\"', '"é"', '"[{"'][Math.floor(r() * 7)] as string;
    case 3:
      return r() < 0.5 ? '[]' : '{}';
    case 4:
      // a rare broken piece: the whole text is then invalid JSON
      return r() < 0.03 ? (['[', '{"a"', '01', '"\\x"', ','][Math.floor(r() * 5)] as string) : '7';
    case 5:
    case 6: {
      const n = Math.floor(r() * 4);
      return `[${Array.from({ length: n }, () => text(r, depth + 1)).join(',')}]`;
    }
    default: {
      const n = Math.floor(r() * 4);
      // Keys not repeated: a repeated key's discarded value is the one known difference (below).
      const keys = [...new Set(Array.from({ length: n }, () => KEYS[Math.floor(r() * KEYS.length)] as string))];
      return `{${keys.map((key) => `${JSON.stringify(key)}:${text(r, depth + 1)}`).join(',')}}`;
    }
  }
}

t.test('small bodies parsed first get the answer the same JSON gets when measured first', async (t) => {
  t.plan(4);
  const app = await echoApp(t);
  const seed = 20261207;
  const r = rng(seed);
  let differ = 0;
  let first = '';
  const seen = new Map<string, number>();
  for (let i = 0; i < 1500; i++) {
    // A third inside a chain of containers around the depth bound.
    let body = text(r, 0);
    if (r() < 0.33) for (let d = MAX_DEPTH - 2 + Math.floor(r() * 4); d > 0; d--) body = r() < 0.5 ? `[${body}]` : `{"k":${body}}`;
    if (r() < 0.1) body = `\ufeff${body}`;
    const a = await answer(app, body);
    const b = await answer(app, body + PAD);
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      differ++;
      first ||= ascii(`${JSON.stringify(body)}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
    const outcome = a.code ?? String(a.status);
    seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
  }
  t.equal(differ, 0, first || `seed ${seed}: all agree`);
  // The generator must reach every outcome often, or the comparison proves little.
  for (const outcome of ['200', 'JSON_TOO_DEEP', 'INVALID_JSON']) t.ok((seen.get(outcome) ?? 0) >= 100, `${outcome}: ${seen.get(outcome) ?? 0} of 1500`);
});

t.test('each kind of refusal, parsed first', async (t) => {
  const app = await echoApp(t);
  const deep = '['.repeat(MAX_DEPTH + 1) + ']'.repeat(MAX_DEPTH + 1);
  t.same(
    await answer(app, '['.repeat(MAX_DEPTH) + ']'.repeat(MAX_DEPTH)),
    { status: 200, body: { body: JSON.stringify(JSON.parse('['.repeat(MAX_DEPTH) + ']'.repeat(MAX_DEPTH))), proto: false } },
    'at the depth bound',
  );
  t.same(await answer(app, deep), { status: 400, code: 'JSON_TOO_DEEP', paths: [''] }, 'one level more');
  t.same(await answer(app, '{"a":1e400}'), { status: 400, code: 'INVALID_JSON', paths: ['/a'] }, 'a number beyond the double range');
  t.same(await answer(app, '{"a":{"__proto__":{"x":1}}}'), { status: 400, code: 'INVALID_JSON', paths: [''] }, 'a __proto__ key');
  t.same(await answer(app, '[{"constructor":{"prototype":{"x":1}}}]'), { status: 400, code: 'INVALID_JSON', paths: [''] }, 'constructor.prototype');
  const ctor = await answer(app, '{"constructor":{"name":"x"}}');
  t.equal(ctor.status, 200, 'a constructor key without prototype is data (secure-json-parse keeps it too)');
  t.same(await answer(app, '{"a":'), { status: 400, code: 'INVALID_JSON', paths: [''] }, 'a syntax error');
});

t.test('a small body over a small values bound is measured, not parsed first', async (t) => {
  // 5 values by the text's count ([ plus 3 commas plus one): over a bound of 4. The text is 9
  // characters, not fewer than the bound: parsed first only when it is shorter than the bound.
  const app = await echoApp(t, 4);
  t.same(await answer(app, '[1,2,3,4]'), { status: 413, code: 'PAYLOAD_TOO_LARGE', paths: [''] });
  // Repeated keys: 1 object value parsed, 4 by the text — still refused by the text's count.
  t.same(await answer(app, '{"a":1,"a":2,"a":3,"a":4}'), { status: 413, code: 'PAYLOAD_TOO_LARGE', paths: [''] });
});

t.test('parsedWithin: depth, finiteness, keys', async (t) => {
  t.equal(parsedWithin({ a: [{ b: [] }] }, 4), true);
  t.equal(parsedWithin({ a: [{ b: [] }] }, 3), false, 'four containers deep');
  t.equal(parsedWithin([1, 'x', null, true, { y: -0 }], 2), true);
  t.equal(parsedWithin([1, Infinity], 2), false);
  t.equal(parsedWithin({ a: { b: Number.NaN } }, 5), false);
  t.equal(parsedWithin(JSON.parse('{"__proto__":1}'), 5), false);
  t.equal(parsedWithin({ constructor: 1 }, 5), false, 'constructor: measured and parsed as before');
  t.equal(parsedWithin('text', 0), true, 'a scalar has no depth');
  t.equal(parsedWithin([], 0), false);
});

t.test('a deep subtree a repeated key discarded is not held against the body', async (t) => {
  // Documented difference of the parse-first order: the bound is on what was parsed.
  const app = await echoApp(t);
  const deep = '['.repeat(MAX_DEPTH + 2) + ']'.repeat(MAX_DEPTH + 2);
  const body = `{"a":${deep},"a":1}`;
  t.same(await answer(app, body), { status: 200, body: { body: '{"a":1}', proto: true } }, 'parsed first: the value is shallow');
  t.same(await answer(app, body + PAD), { status: 400, code: 'JSON_TOO_DEEP', paths: [''] }, 'measured first: the text is deep');
});
