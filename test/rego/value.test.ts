import t from 'tap';
import { compare, equal, fromJSON, keyOf, ObjectV, SetV, stringify, toJSON, normNum, quote, type Value } from '../../src/rego/value.js';

t.test('cross-type order: null < boolean < number < string < array < object < set', async (t) => {
  const vals = [new SetV([1]), new ObjectV([['a', 1]]), [1], 'a', 1, true, false, null];
  const sorted = [...vals].sort(compare);
  t.same(
    sorted.map((v) => stringify(v)),
    ['null', 'false', 'true', '1', '"a"', '[1]', '{"a":1}', '[1]'],
  );
  t.equal(compare(sorted[5], sorted[7]) < 0, true, 'array sorts before set');
});

t.test('integers past 2^53 stay exact', async (t) => {
  t.equal(normNum(9007199254740993n), 9007199254740993n);
  t.equal(normNum(5n), 5);
  t.equal(stringify(fromJSON(9007199254740993n)), '9007199254740993');
});

t.test('objects with composite keys and NUL-prefixed strings do not collide', async (t) => {
  const o = new ObjectV();
  o.set([1], 'array');
  o.set('\u0000[1]', 'string');
  t.equal(o.size, 2);
  t.equal(o.get([1]), 'array');
  t.equal(o.get('\u0000[1]'), 'string');
  t.not(keyOf('1'), keyOf(1));
});

t.test('equality is structural', async (t) => {
  t.ok(equal(fromJSON({ a: [1, { b: 2 }] }), fromJSON({ a: [1, { b: 2 }] })));
  t.notOk(equal(fromJSON({ a: 1 }), fromJSON({ a: '1' })));
  t.ok(equal(new SetV([1, 2]), new SetV([2, 1])));
  t.same(toJSON(new SetV([3, 1, 2])), [1, 2, 3]);
});

t.test('quote is JSON.stringify for every UTF-16 code unit', async (t) => {
  let mismatches = 0;
  for (let c = 0; c < 0x10000; c++) {
    const s = 'a' + String.fromCharCode(c) + 'b';
    if (quote(s) !== JSON.stringify(s)) mismatches++;
  }
  t.equal(mismatches, 0);
  const samples = ['', 'plain', '\ud83d\ude00', 'x\ud83dy', '\u2028', '\u007f', '\\', '"', '\u0000'];
  t.same(
    samples.map(quote),
    samples.map((s) => JSON.stringify(s)),
    'pairs, lone surrogates, separators, escapes',
  );
});

t.test('object keys sort by code point (Go compares UTF-8 bytes), not by UTF-16 unit', async (t) => {
  const keys = ['b', '\uffff', 'a', '\u{1F600}', '', 'ab', '\ue000', 'B'];
  const o = fromJSON(Object.fromEntries(keys.map((k) => [k, 1]))) as ObjectV;
  t.strictSame(
    o.sorted().map(([k]) => k),
    ['', 'B', 'a', 'ab', 'b', '\ue000', '\uffff', '\u{1F600}'],
  );
  t.equal(compare('\u{1F600}', '\ue000'), 1, 'an astral character after any BMP unit');
  t.equal(compare('\ue000', '\u{1F600}'), -1);
  t.equal(compare('a', 'b'), -1);
  t.equal(compare('', 'a'), -1);
  t.equal(compare('ab', 'a'), 1);
});

t.test('toJSON keeps a "__proto__" key as an own property (never the prototype), keys sorted', async (t) => {
  const o = new ObjectV([
    ['__proto__', new ObjectV([['polluted', true]])],
    ['b', 1],
    ['a', [new ObjectV([['constructor', 'x']])]],
    [2, 'two'],
  ]);
  const j = toJSON(o) as Record<string, unknown>;
  t.equal(Object.getPrototypeOf(j), Object.prototype, 'the prototype is untouched');
  t.ok(Object.hasOwn(j, '__proto__'), 'an own key');
  t.same(Object.getOwnPropertyDescriptor(j, '__proto__')?.value, { polluted: true });
  t.equal((j as { polluted?: unknown }).polluted, undefined);
  t.equal(JSON.stringify(j), '{"2":"two","__proto__":{"polluted":true},"a":[{"constructor":"x"}],"b":1}');
});

t.test('sets of composites: the same members, dedup and order before and after they are keyed', async (t) => {
  // sets compare their first 8 elements with equal() and key them (canonical text for composites) past 8
  const member = (i: number): Value => (i % 3 === 0 ? [i, 'x'] : i % 3 === 1 ? new ObjectV([['n', i]]) : new SetV([i, `s${i}`]));
  for (const n of [0, 1, 8, 9, 20]) {
    const s = new SetV();
    for (let i = 0; i < n; i++) {
      s.add(member(i));
      s.add(member(i)); // an equal value built again: not a second member
      s.add(`k${i}`);
    }
    t.equal(s.size, 2 * n, `${n}: size`);
    for (let i = 0; i < n; i++) t.ok(s.has(member(i)), `${n}: has member ${i}`);
    t.notOk(s.has(member(n)), `${n}: not a member`);
    t.notOk(s.has([n, 'y']), `${n}: array not a member`);
    const again = new SetV([...s.sorted()].reverse());
    t.ok(equal(s, again) && equal(again, s), `${n}: equal to itself rebuilt in another order`);
    t.equal(stringify(s), stringify(again), `${n}: same canonical text`);
    t.equal(keyOf(s), keyOf(again), `${n}: same key`);
    if (n > 0) {
      const fewer = new SetV([...s.sorted()].slice(1));
      t.notOk(equal(s, fewer) || equal(fewer, s), `${n}: not equal with one member less`);
    }
    t.same(
      s.sorted().map((v) => stringify(v)),
      [...s.sorted()].sort(compare).map((v) => stringify(v)),
      `${n}: sorted in OPA's order`,
    );
  }
  // a set whose composites are keyed still finds one built afresh
  const big = new SetV(Array.from({ length: 12 }, (_, i) => [i]));
  t.ok(big.has([11]) && !big.has([12]));
  t.ok(new SetV([new SetV([1, 2]), new SetV([2, 1])]).size === 1, 'sets as members compare by value');
});

t.test('values that live as long as the policy (owned) compare by canonical text, exactly as entry by entry', async (t) => {
  const own = <V extends ObjectV | SetV>(v: V): V => {
    v.owned = true;
    return v;
  };
  const samples: unknown[] = [
    { action: 'read', type: 'dog' },
    { type: 'dog', action: 'read' },
    { action: 'read', type: 'cat' },
    { action: 'read', type: 'dog', extra: null },
    { n: 1 },
    { n: 1.5 },
    { n: 9007199254740993n },
    { n: 1e21 },
    { n: 10n ** 21n },
    { n: 2 ** 60 },
    { n: 2n ** 60n },
    { nested: { a: [1, 2, { b: 'x' }] } },
    { nested: { a: [1, 2, { b: 'y' }] } },
    { '\u0000"a': 1 },
    { a: 1 },
  ];
  for (const x of samples)
    for (const y of samples) {
      const plain = equal(fromJSON(x), fromJSON(y));
      t.equal(equal(own(fromJSON(x) as ObjectV), own(fromJSON(y) as ObjectV)), plain, `objects ${stringify(fromJSON(x))} and ${stringify(fromJSON(y))}`);
      // mixed: one owned, one not — entry by entry
      t.equal(equal(own(fromJSON(x) as ObjectV), fromJSON(y)), plain);
      const sx = own(new SetV([fromJSON(x), 'k']));
      const sy = own(new SetV([fromJSON(y), 'k']));
      t.equal(equal(sx, sy), equal(new SetV([fromJSON(x), 'k']), new SetV([fromJSON(y), 'k'])), 'and as members of owned sets');
    }
  // Built without fromJSON's normalisation, an integer past 2^53 can be a float on one side and a
  // bigint on the other: still equal, owned or not.
  t.equal(equal(new ObjectV([['n', 1e21]]), new ObjectV([['n', 10n ** 21n]])), true);
  t.equal(equal(own(new ObjectV([['n', 1e21]])), own(new ObjectV([['n', 10n ** 21n]]))), true, 'owned: the same canonical text');
  t.equal(equal(own(new ObjectV([['n', 2 ** 60]])), own(new ObjectV([['n', 2n ** 60n + 1n]]))), false);
  // Only small flat values keep their text: a large or nested document's would be kept at each level.
  const big = (extra: number): ObjectV => own(fromJSON(Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, i + extra]))) as ObjectV);
  const [b1, b2] = [big(0), big(1)];
  t.equal(equal(b1, b2), false);
  t.equal(equal(b1, big(0)), true);
  t.equal(b1.mapKey ?? b1.canon, null, 'nine entries: compared entry by entry, no text kept');
  const deep = (leaf: string): ObjectV => own(fromJSON({ outer: { inner: [leaf] } }) as ObjectV);
  const [d1, d2] = [deep('x'), deep('y')];
  t.equal(equal(d1, d2), false);
  t.equal(d1.mapKey ?? d1.canon, null, 'nested: no text kept');
  const flat = own(fromJSON({ action: 'read', type: 'dog' }) as ObjectV);
  t.equal(equal(flat, own(fromJSON({ action: 'read', type: 'cat' }) as ObjectV)), false);
  t.not(flat.mapKey, null, 'small and flat: its text kept and compared');
  // A set built from owned data deduplicates equal objects that are distinct values.
  const a = own(fromJSON({ action: 'read', type: 'dog' }) as ObjectV);
  const b = own(fromJSON({ type: 'dog', action: 'read' }) as ObjectV);
  const s = new SetV([a, b, own(fromJSON({ action: 'adopt', type: 'dog' }) as ObjectV)]);
  t.equal(s.size, 2, 'two distinct grants, one duplicate');
});
