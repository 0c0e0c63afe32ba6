// The masking copies: deep, independent, exact for JSON data — bigints kept, an own "__proto__"
// key kept as a key (never the copy's prototype), fields outside the maskable ones shared.
import t from 'tap';
import { cloneJson, copyMaskableFields } from '../../src/decisionlog/mask/clone.js';

t.test('cloneJson: a deep, independent copy of JSON data', async (t) => {
  const src = { a: [1, { b: 'x' }], n: null, big: 12345678901234567890n, t: true };
  const c = cloneJson(src);
  t.same(c, src);
  t.not(c.a, src.a);
  t.not(c.a[1], src.a[1]);
  (c.a[1] as { b: string }).b = 'changed';
  t.equal((src.a[1] as { b: string }).b, 'x', 'the source is untouched');
  t.equal(c.big, 12345678901234567890n, 'bigints kept exactly');
});

t.test('cloneJson: a "__proto__" key stays an own key', async (t) => {
  const src = JSON.parse('{"__proto__": {"polluted": true}, "k": 1}') as Record<string, unknown>;
  const c = cloneJson(src);
  t.equal(Object.getPrototypeOf(c), Object.prototype, 'the prototype is not replaced');
  t.ok(Object.prototype.hasOwnProperty.call(c, '__proto__'), 'kept as an own key');
  t.equal((c as { polluted?: boolean }).polluted, undefined, 'nothing inherited from it');
  t.equal(({} as { polluted?: boolean }).polluted, undefined, 'Object.prototype untouched');
});

t.test('copyMaskableFields: only the maskable fields are copied, in place', async (t) => {
  const rec = { input: { a: 1 }, result: { r: [1] }, reasons: [{ code: 'X' }], labels: { id: 'i' }, decision_id: 'd' };
  const was = { ...rec };
  const c = copyMaskableFields(rec);
  t.equal(c, rec, 'the record itself');
  t.same(c, was);
  t.not(c.input, was.input);
  t.not(c.result, was.result);
  t.not(c.reasons, was.reasons);
  t.equal(c.labels, was.labels, 'not maskable: shared, not copied');
  t.notOk('nd_builtin_cache' in c, 'an absent maskable field is not added');
});

t.test('cloneJson: what is not JSON data throws (a hostile mask value fails closed)', async (t) => {
  t.throws(() => cloneJson({ a: [() => 1] }), TypeError);
  t.throws(() => cloneJson({ s: Symbol('x') }), TypeError);
});
