import t from 'tap';
import { ObjectV, SetV } from '../../src/rego/value.js';
import { call, err } from '../helpers/builtin-harness.js';

// internal.template_string as OPA's compiler calls it: literals, and each {expr} as a set of values.
t.test('internal.template_string formats parts like print', async (t) => {
  t.equal(call('internal.template_string', ['input: ', new SetV(['x'])]), 'input: x', 'strings bare');
  t.equal(
    call('internal.template_string', [new SetV([1]), ' ', new SetV([[true, 'a']]), ' ', new SetV([new ObjectV([['d', 'e']])])]),
    '1 [true, "a"] {"d": "e"}',
  );
  t.equal(call('internal.template_string', ['a', new SetV(), 'b']), 'a<undefined>b', 'an undefined expression');
  t.equal(call('internal.template_string', [new SetV([new SetV([new SetV()])])]), '{set()}', 'nested sets');
  t.equal(call('internal.template_string', []), '');
  const e = err('internal.template_string', ['x', new SetV([1, 2])]);
  t.equal(e.code, 'eval_conflict_error');
  t.equal(e.detail, 'template-strings must not produce multiple outputs');
  t.equal(err('internal.template_string', 'x').detail, 'internal.template_string: operand 1 must be array but got string');
});
