import t from 'tap';
import { ObjectV, SetV, type Value } from '../../src/rego/value.js';
import { call, err, show } from '../helpers/builtin-harness.js';

t.test('and / or / intersection / union', async (t) => {
  t.equal(show(call('and', new SetV([1, 2, 3]), new SetV([2, 3, 4]))), '[2,3]');
  t.equal(show(call('or', new SetV([1, 2]), new SetV([2, 3]))), '[1,2,3]');
  t.equal(show(call('intersection', new SetV())), '[]');
  t.equal(show(call('intersection', new SetV([new SetV(), new SetV([1, 2])]))), '[]');
  t.equal(show(call('intersection', new SetV([new SetV([1, 2, 3]), new SetV([2])]))), '[2]');
  t.equal(show(call('intersection', new SetV([new SetV(['a', 'b', 'c', 'd']), new SetV(['b', 'c', 'd']), new SetV(['c', 'd']), new SetV(['d'])]))), '["d"]');
  t.equal(show(call('union', new SetV())), '[]');
  t.equal(show(call('union', new SetV([new SetV([1, 2, 3]), new SetV([2, 3, 4]), new SetV([4, 5, 6])]))), '[1,2,3,4,5,6]');
  t.equal(err('and', [1], new SetV()).detail, 'and: operand 1 must be set but got array');
  t.equal(err('or', new SetV(), 1).detail, 'or: operand 2 must be set but got number');
  t.equal(err('union', new SetV([1])).detail, 'union: operand 1 must be set but got number');
  t.equal(err('intersection', [new SetV()]).detail, 'intersection: operand 1 must be set but got array');
});

t.test('is_* and type_name', async (t) => {
  const items: Value[] = [[], true, null, 0, new ObjectV(), new SetV(), 'abc', 2n ** 70n];
  const names = ['array', 'boolean', 'null', 'number', 'object', 'set', 'string', 'number'];
  t.same(
    items.map((x) => call('type_name', x)),
    names,
  );
  for (const [fn, ty] of [
    ['is_array', 'array'],
    ['is_boolean', 'boolean'],
    ['is_null', 'null'],
    ['is_number', 'number'],
    ['is_object', 'object'],
    ['is_set', 'set'],
    ['is_string', 'string'],
  ]) {
    t.same(
      items.map((x) => call(fn, x)),
      names.map((n) => n === ty),
      fn,
    );
  }
});

t.test('array.concat / array.slice / array.reverse', async (t) => {
  t.equal(show(call('array.concat', [1, 2, 3], [4, 5, 6])), '[1,2,3,4,5,6]');
  t.equal(show(call('array.concat', [], [])), '[]');
  const slices: [number, number, string][] = [
    [0, 1, '[1]'],
    [0, 2, '[1,2]'],
    [2, 3, '[3]'],
    [0, 5, '[1,2,3]'],
    [5, 5, '[]'],
    [-5, 5, '[1,2,3]'],
    [-5, 0, '[]'],
    [2, 1, '[]'],
  ];
  for (const [a, b, want] of slices) t.equal(show(call('array.slice', [1, 2, 3], a, b)), want, `slice ${a} ${b}`);
  t.equal(err('array.slice', [5], 1.1, 2).detail, 'array.slice: operand 2 must be integer number but got floating-point number');
  t.equal(show(call('array.reverse', [1, 2, 3])), '[3,2,1]');
  const orig: Value[] = [1, 2];
  call('array.reverse', orig);
  t.same(orig, [1, 2], 'input not mutated');
  t.equal(err('array.concat', 1, [2]).detail, 'array.concat: operand 1 must be array but got number');
  t.equal(err('array.reverse', 'x').detail, 'array.reverse: operand 1 must be array but got string');
});
