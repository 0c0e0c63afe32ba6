import t from 'tap';
import { BUILTINS } from '../../src/rego/builtins/index.js';
import { ObjectV, SetV, type Value } from '../../src/rego/value.js';
import { budget, call, err, show } from '../helpers/builtin-harness.js';

t.test('count: arrays, objects, sets, and strings by code point', async (t) => {
  t.equal(call('count', []), 0);
  t.equal(call('count', [1, 2, 3]), 3);
  t.equal(
    call(
      'count',
      new ObjectV([
        ['a', 1],
        ['b', 2],
      ]),
    ),
    2,
  );
  t.equal(call('count', new SetV([1, 1, 2])), 2);
  t.equal(call('count', 'abc'), 3);
  t.equal(call('count', 'åäö'), 3);
  t.equal(call('count', '😀x'), 2, 'astral characters count once');
  const e = err('count', null);
  t.equal(e.code, 'eval_type_error');
  t.equal(e.detail, 'count: operand 1 must be one of {array, object, set, string} but got null');
  t.equal(err('count', 5).detail, 'count: operand 1 must be one of {array, object, set, string} but got number');
});

t.test('sum and product stay exact past 2^53 and use floats for non-integers', async (t) => {
  t.equal(call('sum', [1, 2, 3, 4]), 10);
  t.equal(call('sum', new SetV([1, 2, 3, 4])), 10);
  t.equal(call('sum', []), 0);
  t.equal(call('sum', [49649733057, 1]), 49649733058);
  t.equal(call('sum', [9007199254740991, 9007199254740991]), 18014398509481982n);
  t.equal(call('sum', [2n ** 70n, -(2n ** 70n), 5]), 5, 'bigint results normalise back to numbers');
  t.equal(call('sum', [1, 2.5]), 3.5);
  t.equal(call('product', [1, 2, 3, 4]), 24);
  t.equal(call('product', []), 1);
  t.equal(call('product', [-1, 3, 2]), -6);
  t.equal(call('product', [2 ** 40, 2 ** 40]), 2n ** 80n);
  t.equal(call('product', [0.5, 4]), 2);
  t.equal(err('sum', ['a']).detail, 'sum: operand 1 must be array of numbers but got array containing string');
  t.equal(err('sum', 5).detail, 'sum: operand 1 must be one of {set, array} but got number');
  t.equal(err('product', new SetV(['x'])).detail, 'product: operand 1 must be set of numbers but got set containing string');
});

t.test('max, min and sort use the cross-type order; empty max/min is undefined', async (t) => {
  t.equal(call('max', [-1, 3, 2]), 3);
  t.equal(call('max', new SetV([1, 2, -1])), 2);
  t.equal(call('min', [3, 2, 1, 4, 6, -7, 10]), -7);
  t.equal(call('min', new SetV([1, 2, -1])), -1);
  t.equal(call('max', []), undefined);
  t.equal(call('min', new SetV()), undefined);
  t.same(call('max', [1, 'a', null, [0]]), [0], 'arrays sort after strings');
  t.equal(call('min', [1, 'a', null]), null);
  t.equal(show(call('sort', [4, 3, 2, 1])), '[1,2,3,4]');
  t.equal(show(call('sort', new SetV([3, 1, 2]))), '[1,2,3]');
  t.equal(show(call('sort', [1, 'b', 'a', null, true])), '[null,true,1,"a","b"]');
  t.equal(err('sort', new ObjectV()).code, 'eval_type_error');
  t.equal(err('max', 'abc').detail, 'max: operand 1 must be one of {set, array} but got string');
});

t.test('all and any (deprecated, but the conformance folders use them)', async (t) => {
  t.equal(call('all', []), true);
  t.equal(call('all', new SetV()), true);
  t.equal(call('all', [true, true]), true);
  t.equal(call('all', [new ObjectV(), '', true, 123]), false);
  t.equal(call('any', new SetV()), false);
  t.equal(call('any', [false, true]), true);
  t.equal(call('any', [true, new ObjectV(), 'false']), true);
  t.equal(call('any', new SetV([false])), false);
  t.equal(BUILTINS.get('all')?.deprecated, true);
  t.equal(err('any', 1).detail, 'any: operand 1 must be one of {array, set} but got number');
});

t.test('membership helpers behind `in`', async (t) => {
  t.equal(call('internal.member_2', 1, new SetV([1])), true);
  t.equal(call('internal.member_2', 1, [1]), true);
  t.equal(call('internal.member_2', 1, new ObjectV([['foo', 1]])), true);
  t.equal(call('internal.member_2', 1, 'foo'), false);
  t.equal(call('internal.member_3', 'foo', 1, new ObjectV([['foo', 1]])), true);
  t.equal(call('internal.member_3', 1, 'two', ['one', 'two']), true);
  t.equal(call('internal.member_3', 5, 'two', ['one', 'two']), false);
  t.equal(call('internal.member_3', 'x', 'x', new SetV(['x'])), true);
});

t.test('work proportional to input size is charged to the budget', async (t) => {
  budget.length = 0;
  call('sum', new Array<Value>(1000).fill(1));
  t.ok(budget.some((c) => c >= 1000));
});
