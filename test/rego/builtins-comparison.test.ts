import t from 'tap';
import { ObjectV, SetV, type Value } from '../../src/rego/value.js';
import { call } from '../helpers/builtin-harness.js';

t.test('equal / neq are structural; 1 and an exact big 1 agree', async (t) => {
  t.equal(call('equal', 1, 1), true);
  t.equal(call('equal', new SetV([1, 2]), new SetV([2, 1])), true);
  t.equal(call('equal', new ObjectV([['a', [1]]]), new ObjectV([['a', [1]]])), true);
  t.equal(call('equal', 'hello', 'hello'), true);
  t.equal(call('equal', 1, '1'), false);
  t.equal(call('neq', 1, '1'), true);
  t.equal(call('neq', [], []), false);
});

t.test('order across types: null < boolean < number < string < array < object < set', async (t) => {
  const order: Value[] = [null, false, true, 0, 1.5, '', 'a', [], [0], new ObjectV(), new ObjectV([['a', 1]]), new SetV(), new SetV([1])];
  for (let i = 0; i < order.length; i++) {
    for (let j = 0; j < order.length; j++) {
      t.equal(call('lt', order[i], order[j]), i < j, `lt #${i} #${j}`);
      t.equal(call('lte', order[i], order[j]), i <= j, `lte #${i} #${j}`);
      t.equal(call('gt', order[i], order[j]), i > j, `gt #${i} #${j}`);
      t.equal(call('gte', order[i], order[j]), i >= j, `gte #${i} #${j}`);
    }
  }
});

t.test('arrays compare element-wise, then by length', async (t) => {
  t.equal(call('lt', [0, 1, 2], [1, 2]), true);
  t.equal(call('lt', [1, 2], [1, 2, 3]), true);
  t.equal(
    call(
      'gt',
      new ObjectV([['b', 0]]),
      new ObjectV([
        ['a', 1],
        ['b', 0],
      ]),
    ),
    true,
  );
  t.equal(call('lt', new SetV([0, 1, 2]), new SetV([1, 2])), true);
  t.equal(call('lt', 2n ** 64n, 2n ** 64n + 1n), true);
  t.equal(call('lt', 1, 2n ** 64n), true);
});
