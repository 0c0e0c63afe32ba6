// array.flatten (OPA v1.13): one level of nesting spliced, other elements kept, so
// array.flatten([a, b]) equals array.concat(a, b).
import t from 'tap';
import { fromJSON } from '../../src/rego/value.js';
import { call, err, show } from '../helpers/builtin-harness.js';

t.test('array.flatten', async (t) => {
  t.equal(show(call('array.flatten', [[1, 2], [3], []])), '[1,2,3]');
  t.equal(show(call('array.flatten', ['x', [1, [2]]])), '["x",1,[2]]', 'one level only; non-arrays kept');
  t.equal(show(call('array.flatten', [fromJSON({ a: 1 })])), '[{"a":1}]');
  t.equal(show(call('array.flatten', [])), '[]');
  t.same(call('array.flatten', [[1], [2]]), call('array.concat', [1], [2]), 'as array.concat for two arrays');
  t.equal(err('array.flatten', 'x').detail, 'array.flatten: operand 1 must be array but got string');
});
