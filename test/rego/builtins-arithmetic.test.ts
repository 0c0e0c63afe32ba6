import t from 'tap';
import { SetV } from '../../src/rego/value.js';
import { budget, call, err, show } from '../helpers/builtin-harness.js';

t.test('plus minus mul on numbers', async (t) => {
  t.equal(call('plus', 3, -1), 2);
  t.equal(call('plus', 1.5, 5), 6.5);
  t.equal(call('minus', 3, 4.5), -1.5);
  t.equal(call('mul', 3, -4.5), -13.5);
  t.equal(call('plus', 0.1, 0.2), 0.30000000000000004, 'doubles, not decimals');
});

t.test('integers leave the safe range exactly (bigint) and come back', async (t) => {
  t.equal(call('plus', 9007199254740991, 2), 9007199254740993n);
  t.equal(call('minus', -9007199254740991, 2), -9007199254740993n);
  t.equal(call('mul', 2 ** 40, 2 ** 40), 1208925819614629174706176n);
  t.equal(call('minus', 9007199254740993n, 2), 9007199254740991, 'result back in range is a plain number');
  t.equal(call('plus', 2n ** 64n, 0.5), 2n ** 64n, 'a float operand makes the sum a (rounded) float; integral results stay integers');
  t.equal(call('mul', 2n ** 64n, 0.5), 2n ** 63n);
  t.equal(call('div', 2n ** 70n, 2), 2n ** 69n);
  t.equal(call('rem', 2n ** 70n + 5n, 2n ** 64n), 5);
});

t.test('div: exact integer quotients, floats otherwise, errors on zero', async (t) => {
  t.equal(call('div', 13, 4), 3.25);
  t.equal(call('div', 12, 4), 3);
  t.equal(call('div', 15.3, 3), 5.1000000000000005);
  t.equal(call('div', 0, 5), 0);
  const e = err('div', 1, 0);
  t.equal(e.code, 'eval_builtin_error');
  t.equal(e.detail, 'div: divide by zero');
  t.equal(err('div', 1, 0.0).detail, 'div: divide by zero');
});

t.test('rem: integers only', async (t) => {
  t.equal(call('rem', 10, 3), 1);
  t.equal(call('rem', -10, 3), -1, 'sign follows the dividend, as in Go');
  t.equal(call('rem', 4.0, 3), 1, 'integral floats are integers');
  t.equal(err('rem', 1, 0).detail, 'rem: modulo by zero');
  t.equal(err('rem', 1.1, 1).detail, 'rem: modulo on floating-point number');
  t.equal(err('rem', 1, 1.1).detail, 'rem: modulo on floating-point number');
});

t.test('operand type errors', async (t) => {
  const e = err('plus', 1, 'a');
  t.equal(e.code, 'eval_type_error');
  t.equal(e.detail, 'plus: operand 2 must be number but got string');
  t.equal(err('mul', '1', 9).detail, 'mul: operand 1 must be number but got string');
  t.equal(err('minus', 'a', 1).detail, 'minus: operand 1 must be one of {number, set} but got string');
  t.equal(err('minus', 1, new SetV()).detail, 'minus: operand 2 must be number but got set');
  t.equal(err('minus', new SetV(), 1).detail, 'minus: operand 2 must be set but got number');
  t.equal(err('abs', '-9').detail, 'abs: operand 1 must be number but got string');
});

t.test('minus is also set difference', async (t) => {
  t.equal(show(call('minus', new SetV([1, 2, 3, 4]), new SetV([1, 3]))), '[2,4]');
  t.equal(show(call('minus', new SetV([1]), new SetV([1]))), '[]');
});

t.test('abs round ceil floor', async (t) => {
  t.same([call('abs', -9), call('abs', 9), call('abs', -9.1), call('abs', -(2n ** 60n))], [9, 9, 9.1, 2n ** 60n]);
  t.same(
    [-9.4, -9.5, -9.6, 9.4, 9.5, 9.6, 8, -8, 2.5, -2.5].map((x) => call('round', x)),
    [-9, -10, -10, 9, 10, 10, 8, -8, 3, -3],
    'round half away from zero',
  );
  t.same(
    [9.1, -9.1, 9, -9].map((x) => call('ceil', x)),
    [10, -9, 9, -9],
  );
  t.same(
    [9.1, -9.1, 9, -9].map((x) => call('floor', x)),
    [9, -10, 9, -9],
  );
});

t.test('numbers.range and numbers.range_step', async (t) => {
  t.equal(show(call('numbers.range', 1, 5)), '[1,2,3,4,5]');
  t.equal(show(call('numbers.range', 5, 1)), '[5,4,3,2,1]');
  t.equal(show(call('numbers.range', -1, -5)), '[-1,-2,-3,-4,-5]');
  t.equal(show(call('numbers.range', 8, 8)), '[8]');
  t.equal(show(call('numbers.range', 2n ** 60n, 2n ** 60n + 2n)), '[1152921504606846976,1152921504606846977,1152921504606846978]');
  t.equal(show(call('numbers.range_step', 0, 10, 3)), '[0,3,6,9]');
  t.equal(show(call('numbers.range_step', 10, 0, 3)), '[10,7,4,1]');
  t.equal(err('numbers.range', 1.01, 5).detail, 'numbers.range: operand 1 must be integer number but got floating-point number');
  t.equal(err('numbers.range', 1, '2').detail, 'numbers.range: operand 2 must be integer but got string');
  t.equal(err('numbers.range_step', 1, 2, 0).code, 'eval_builtin_error');
  t.match(err('numbers.range', 0, 1e12).detail, /exceeds the limit/, 'hostile ranges are refused, not allocated');
  budget.length = 0;
  call('numbers.range', 1, 1000);
  t.ok(budget.includes(1000), 'the range length is charged to the budget');
});
