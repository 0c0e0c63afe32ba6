// Numbers a double cannot hold travel exactly, as OPA keeps them (json.Number): in a Data API
// input, in a bundle's data.json, through the policy and back in the answer — whether written in
// full or with an exponent. The double range still bounds them (a 1e29999 is refused, not grown
// into a 30,000-digit integer), and the decision routes keep their doubles.
import t from 'tap';
import { startServer } from '../../src/server.js';
import { writeTree } from '../helpers/bundle-files.js';
import { testConfig } from '../helpers/config.js';

const BIG = '123456789012345678901234567890';

t.test('big integers in Data API input and bundle data come back exactly', async (t) => {
  const dir = t.testdir();
  await writeTree(dir, {
    '.manifest': JSON.stringify({ revision: 'n1', roots: ['nums'] }),
    'nums/policy.rego': 'package nums\n\necho := input\n\nplus_one := input.z + 1\n\nis_big if input.z > 123456789012345678901234567889\n',
    // Written by hand: JSON.stringify would round these.
    'nums/stored/data.json': `{"exp": ${BIG}e0, "full": ${BIG}, "scaled": 1.5e20, "neg": -98765432109876543210E+2, "small": 2.5, "tiny": 1e-7}`,
  });
  const s = await startServer(testConfig({ PDP_BUNDLE_PATH: dir, PDP_BUNDLE_WATCH: 'false' }));
  t.teardown(() => s.close());
  const call = async (path: string, body?: string): Promise<{ status: number; text: string }> => {
    const res =
      body === undefined
        ? await fetch(`${s.url}/v1/data/${path}`)
        : await fetch(`${s.url}/v1/data/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return { status: res.status, text: await res.text() };
  };
  const resultText = (text: string): string => /"result":(.*)}$/.exec(text)?.[1] ?? `(no result in ${text})`;

  const echoed = await call('nums/echo', `{"input": {"z": ${BIG}e0, "w": ${BIG}, "f": 0.1, "i": 42}}`);
  t.equal(echoed.status, 200);
  t.equal(resultText(echoed.text), `{"f":0.1,"i":42,"w":${BIG},"z":${BIG}}`, 'exponent and full forms both exact');
  t.equal(resultText((await call('nums/plus_one', `{"input": {"z": ${BIG}e0}}`)).text), '123456789012345678901234567891', 'exact arithmetic on it');
  t.equal(resultText((await call('nums/is_big', `{"input": {"z": ${BIG}E-0}}`)).text), 'true');
  t.equal(resultText((await call('nums/echo', '{"input": 9007199254740993}')).text), '9007199254740993', '2^53 + 1, a plain 16-digit integer');

  // OPA's GET form: the input in the query string is read with the same reader (it once threw here).
  const viaQuery = await call(`nums/echo?input=${encodeURIComponent(`{"z": ${BIG}e0}`)}`);
  t.equal(viaQuery.status, 200, '?input= with a big number');
  t.equal(resultText(viaQuery.text), `{"z":${BIG}}`, '?input= keeps it exact too');

  const stored = await call('nums/stored');
  t.equal(stored.status, 200);
  t.equal(
    resultText(stored.text),
    `{"exp":${BIG},"full":${BIG},"neg":-9876543210987654321000,"scaled":150000000000000000000,"small":2.5,"tiny":1e-7}`,
    'bundle data.json numbers exact',
  );

  // Hostile and edge forms.
  const huge = await call('nums/echo', '{"input": [1e29999]}');
  t.equal(huge.status, 400, 'beyond the double range: refused as before, never expanded');
  t.match(JSON.parse(huge.text), { code: 'invalid_parameter', errors: [{ message: /^\/input\/0: / }] }, "OPA's error shape, naming the value");
  t.equal((await call('nums/echo', `{"input": [${'9'.repeat(400)}]}`)).status, 400, '400 digits: beyond the range');
  t.equal(resultText((await call('nums/echo', '{"input": [1e-400, 0e999, 1.25e2]}')).text), '[0,0,125]');
  const many = (n: number): string => `{"input": [${Array.from({ length: n }, () => '1e308').join(',')}]}`;
  t.equal((await call('nums/echo', many(1000))).status, 200, '1,000 × 1e308: 309,000 exact digits');
  const tooMany = await call('nums/echo', many(4000));
  t.equal(tooMany.status, 413, '4,000 × 1e308: more exact digits than a body may buy');
  t.match(JSON.parse(tooMany.text), { code: 'invalid_parameter', message: /more than 1000000 digits/ }, "OPA's error shape");
  t.equal(
    resultText((await call('nums/echo', `{"input": {"a": 1, "a": ${BIG}e0}}`)).text),
    '{"a":123456789012345677877719597056}',
    'a repeated key (lossless-json refuses those): the first parse stands, as before',
  );
  t.equal((await call('nums/echo', `{"input": {"__proto__": ${BIG}e0}}`)).status, 400, 'poisoned keys still refused');
});

t.test('the exact-number reader on its own: the pre-scan, the forms, the digit budget', async (t) => {
  const { mayHoldInexactNumber, parseJsonExact, ExactDigitsExceeded, stringifyExact } = await import('../../src/shared/exact-json.js');
  t.equal(mayHoldInexactNumber('{"a": 123456789012345, "b": "1234567890123456789", "c": "x\\"1e5"}'), false, 'digits in strings (escapes too) do not count');
  t.equal(mayHoldInexactNumber('[1234567890123456]'), true, '16 digits');
  t.equal(mayHoldInexactNumber('[1e5]'), true, 'an exponent');
  t.equal(mayHoldInexactNumber('[true, false, 1.5]'), false, 'the e of true/false is no exponent');
  t.strictSame(parseJsonExact('[12345678901234567.5, 1.5e20, -0, 1E+2]', 1e6), [12345678901234568n, 150000000000000000000n, -0, 100]);
  t.strictSame(parseJsonExact('{"ok": true}', 1e6), { ok: true });
  let thrown: unknown;
  try {
    parseJsonExact(`[${Array.from({ length: 10 }, () => '1e100').join(',')}]`, 500);
  } catch (e) {
    thrown = e;
  }
  t.ok(thrown instanceof ExactDigitsExceeded, 'past the digit budget');
  t.match(thrown, { message: 'more than 500 digits of integers beyond 2^53' });
  t.throws(() => parseJsonExact('[1', 10), SyntaxError);
  t.equal(stringifyExact({ z: 123456789012345678901234567890n, n: 1 }), '{"z":123456789012345678901234567890,"n":1}');
  t.equal(stringifyExact({ n: 1 }), '{"n":1}');
});
