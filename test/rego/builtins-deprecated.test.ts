// OPA's deprecated builtins (cast_*, set_diff, re_match), still on OPA's capabilities list and
// usable from Rego v0 modules; each is flagged deprecated.
import t from 'tap';
import { BUILTINS } from '../../src/rego/builtins/index.js';
import { compile, RegoCompileErrors, toJSON } from '../../src/rego/index.js';
import { fromJSON, SetV } from '../../src/rego/value.js';
import { call, err, show } from '../helpers/builtin-harness.js';

t.test('cast_*', async (t) => {
  t.equal(show(call('cast_array', new SetV([2, 1]))), '[1,2]');
  t.equal(show(call('cast_array', [3])), '[3]');
  t.equal(show(call('cast_set', [1, 1, 2])), '[1,2]');
  t.equal(call('cast_boolean', true), true);
  t.equal(call('cast_null', null), null);
  t.equal(call('cast_string', 'x'), 'x');
  t.equal(show(call('cast_object', fromJSON({ a: 1 }))), '{"a":1}');
  t.equal(err('cast_array', 1).detail, 'cast_array: operand 1 must be one of {array, set} but got number');
  t.equal(err('cast_set', 'x').detail, 'cast_set: operand 1 must be one of {set, array} but got string');
  t.equal(err('cast_boolean', 'x').detail, 'cast_boolean: operand 1 must be boolean but got string');
  t.equal(err('cast_null', 1).detail, 'cast_null: operand 1 must be null but got number');
  t.equal(err('cast_object', []).detail, 'cast_object: operand 1 must be object but got array');
  t.equal(err('cast_string', 1).detail, 'cast_string: operand 1 must be string but got number');
});

t.test('set_diff and re_match', async (t) => {
  t.equal(show(call('set_diff', new SetV([1, 2, 3]), new SetV([2]))), '[1,3]');
  t.equal(err('set_diff', [1], new SetV()).detail, 'set_diff: operand 1 must be set but got array');
  t.equal(call('re_match', '^a+$', 'aaa'), true);
  t.equal(call('re_match', '^a+$', 'b'), false);
  t.match(err('re_match', '(', 'x').detail, /^re_match: /, 'errors carry the old name');
});

t.test('flagged deprecated, and callable from a v0 module', async (t) => {
  for (const n of ['cast_array', 'cast_set', 'cast_boolean', 'cast_null', 'cast_object', 'cast_string', 'set_diff', 're_match', 'net.cidr_overlap']) {
    t.equal(BUILTINS.get(n)?.deprecated, true, n);
  }
  const p = compile([{ file: 'x.rego', source: 'package p\nr { re_match("^x", "xy") }\ns = cast_array({1})\n', regoVersion: 0 }]);
  t.equal(toJSON(p.evaluate('p.r').value!), true);
  t.same(toJSON(p.evaluate('p.s').value!), [1]);
});

t.test('refused in Rego v1 modules, as OPA does', async (t) => {
  try {
    compile([{ file: 'x.rego', source: 'package p\nr if re_match("^x", "xy")\n' }]);
    t.fail('compiled');
  } catch (e) {
    t.equal((e as RegoCompileErrors).errors[0].detail, 'deprecated built-in function calls in expression: re_match');
  }
});
