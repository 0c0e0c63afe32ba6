import t from 'tap';
import { ObjectV, SetV, fromJSON, stringify, type Value } from '../../src/rego/value.js';
import { call, err, show } from '../helpers/builtin-harness.js';

const obj = new ObjectV([
  ['a', 5],
  ['b', fromJSON({ c: 8 })],
  ['c', 7],
  [new SetV([1]), 8],
  [fromJSON({ a: 5 }), 9],
]);

t.test('object.get with keys and paths', async (t) => {
  t.equal(call('object.get', obj, 'a', 'default'), 5);
  t.equal(call('object.get', obj, ['b', 'c'], 'default'), 8);
  t.equal(call('object.get', obj, ['a', 'b'], 'default'), 'default');
  t.equal(call('object.get', obj, fromJSON({ a: 5 }), 'default'), 9, 'composite keys');
  t.equal(call('object.get', obj, [], 'default'), obj, 'empty path is the object');
  t.equal(call('object.get', fromJSON({ a: [10, 20] }), ['a', 1], 0), 20);
  t.equal(call('object.get', fromJSON({ a: [10, 20] }), ['a', 2], 0), 0);
  t.equal(call('object.get', new ObjectV([['s', new SetV(['x'])]]), ['s', 'x'], 0), 'x');
  t.equal(err('object.get', [], 'a', 1).detail, 'object.get: operand 1 must be object but got array');
});

t.test('object.keys / remove / filter', async (t) => {
  t.equal(show(call('object.keys', fromJSON({ b: 1, a: 2 }))), '["a","b"]');
  const removed = call('object.remove', obj, ['a', 'b', new SetV([1])]) as ObjectV;
  t.same(removed.keys().map(stringify).sort(), ['"c"', '{"a":5}']);
  t.ok(stringify(call('object.remove', obj, new SetV(['a', 'b', new SetV([1])])) as Value) === stringify(removed));
  t.ok(
    stringify(
      call(
        'object.remove',
        obj,
        new ObjectV([
          ['a', 1],
          ['b', 1],
          [new SetV([1]), 1],
        ]),
      ) as Value,
    ) === stringify(removed),
  );
  t.equal(show(call('object.filter', obj, fromJSON({ a: 1, c: 0 }))), '{"a":5,"c":7}');
  t.equal(show(call('object.filter', obj, new SetV(['a', 'c']))), '{"a":5,"c":7}');
  t.equal(err('object.remove', obj, 'a').detail, 'object.remove: operand 2 must be one of {object, set, array} but got string');
});

t.test('object.union / union_n merge recursively, right wins', async (t) => {
  t.equal(show(call('object.union', fromJSON({ a: { b: 1, c: 2 }, d: 1 }), fromJSON({ a: { b: 3 }, d: { x: 1 } }))), '{"a":{"b":3,"c":2},"d":{"x":1}}');
  t.equal(show(call('object.union_n', fromJSON([{ a: { b: 2 } }, { a: 4 }, { a: { c: 3 } }]))), '{"a":{"c":3}}');
  t.equal(show(call('object.union_n', [])), '{}');
  t.equal(err('object.union_n', [1]).detail, 'object.union_n: operand 1 must be array of objects but got array containing number');
});

t.test('object.subset', async (t) => {
  t.equal(call('object.subset', fromJSON({ a: 'b', c: { x: [10, 15, 20, 25], y: 'z' } }), fromJSON({ c: { x: [15, 20] } })), true);
  t.equal(call('object.subset', fromJSON({ a: 1 }), fromJSON({ a: 2 })), false);
  t.equal(call('object.subset', new SetV([1, 2, 3]), new SetV([1, 3])), true);
  t.equal(call('object.subset', [1, 2, 3, 4], [2, 3]), true);
  t.equal(call('object.subset', [1, 2, 3, 4], [2, 4]), false, 'arrays must be contiguous');
  t.equal(call('object.subset', [1, 2, 3], new SetV([3, 1])), true);
  t.equal(err('object.subset', 1, 2).detail, 'object.subset: both arguments object.subset must be of the same type or array and set');
});

t.test('json.filter and json.remove with JSON pointers and path arrays', async (t) => {
  const doc = fromJSON({ a: 5, b: { c: { d: 6 }, d: 7 }, c: 8 });
  t.equal(show(call('json.filter', doc, ['a', 'b/c'])), '{"a":5,"b":{"c":{"d":6}}}');
  t.equal(show(call('json.filter', doc, new SetV(['c', ['b', 'd']]))), '{"b":{"d":7},"c":8}');
  const s = fromJSON({ a: [[1, [7, 8, 9], 2], { a: 1, b: 2, c: 3 }] });
  t.equal(show(call('json.filter', s, [['a', 1]])), '{"a":[]}', 'array positions are string keys');
  t.equal(show(call('json.filter', s, ['a/0/1/2', ['a', '0', '2'], 'a/0/1/1'])), '{"a":[[[8,9],2]]}');
  const ts = new ObjectV([['a', new SetV([1, 2, new SetV(['x']), new SetV([8, 9, 10])])]]);
  t.equal(show(call('json.filter', ts, [['a', new SetV([8, 9, 10]), 9]])), '{"a":[[9]]}');
  t.equal(show(call('json.remove', doc, ['a', 'b/c'])), '{"b":{"d":7},"c":8}');
  t.equal(show(call('json.remove', fromJSON({ a: [1, 2, 3] }), ['a/1'])), '{"a":[1,3]}');
  t.equal(show(call('json.filter', fromJSON({ 'x/y': 1, 'x~': 2 }), ['x~1y'])), '{"x/y":1}', '~1 and ~0 escapes');
  t.equal(err('json.filter', doc, 'a').detail, 'json.filter: operand 2 must be one of {set, array} but got string');
});

t.test('json.patch: RFC 6902 operations, sets by value, failures are undefined', async (t) => {
  const P = (target: Value, ops: unknown): string => show(call('json.patch', target, fromJSON(ops)));
  t.equal(P(fromJSON({ a: { foo: 1 } }), [{ op: 'add', path: '/a/bar', value: 2 }]), '{"a":{"bar":2,"foo":1}}');
  t.equal(P(fromJSON({ a: { foo: 1, bar: 2 } }), [{ op: 'remove', path: '/a/bar' }]), '{"a":{"foo":1}}');
  t.equal(P(fromJSON({ a: { foo: 1 } }), [{ op: 'replace', path: '/a/foo', value: 42 }]), '{"a":{"foo":42}}');
  t.equal(P(fromJSON({ a: { foo: 1 }, b: {} }), [{ op: 'move', from: '/a/foo', path: '/b/foo' }]), '{"a":{},"b":{"foo":1}}');
  t.equal(P(fromJSON({ a: { foo: 1 }, b: {} }), [{ op: 'copy', from: '/a/foo', path: '/b/foo' }]), '{"a":{"foo":1},"b":{"foo":1}}');
  t.equal(P(fromJSON({ a: { foo: 1 } }), [{ op: 'test', path: '/a/foo', value: 1 }]), '{"a":{"foo":1}}');
  t.equal(P(fromJSON({ a: { foo: 1 } }), [{ op: 'test', path: '/a/foo', value: 2 }]), 'undefined');
  t.equal(P(fromJSON({ arr: [1, 2, 3] }), [{ op: 'add', path: '/arr/1', value: 'x' }]), '{"arr":[1,"x",2,3]}');
  t.equal(P(fromJSON({ arr: [1, 2, 3] }), [{ op: 'add', path: '/arr/-', value: 4 }]), '{"arr":[1,2,3,4]}');
  t.equal(P(fromJSON({ 'foo/bar': { 'baz~': 1 } }), [{ op: 'add', path: '/foo~1bar/baz~0test', value: 2 }]), '{"foo/bar":{"baz~":1,"baz~test":2}}');
  t.equal(P(new SetV(['a', 'b', 'c']), [{ op: 'add', path: ['d'], value: 'd' }]), '["a","b","c","d"]');
  t.equal(P(new SetV(['a', 'b']), [{ op: 'replace', path: ['a'], value: 'c' }]), 'undefined');
  t.equal(P(fromJSON({ a: 1 }), [{ op: 'remove', path: '' }]), 'undefined', 'removing the root');
  t.equal(
    P(fromJSON({ a: 1 }), [
      { op: 'remove', path: '' },
      { op: 'add', path: '', value: { b: 2 } },
    ]),
    '{"b":2}',
  );
  for (const bad of [[{ op: 'remove', path: [-1] }], [{ op: 'remove', path: '/01' }], [{ op: 'remove', path: '/-' }]]) {
    t.equal(P(fromJSON([1, 2]), bad), 'undefined', JSON.stringify(bad));
  }
  for (const bad of [
    [{ path: '/a', value: 1 }],
    [{ op: 'add', value: 1 }],
    [{ op: 'add', path: '/a' }],
    [{ op: 'move', path: '/a' }],
    [{ op: 1, path: {}, value: 1 }],
    [{ op: 'nope', path: '/a' }],
  ]) {
    t.equal(P(fromJSON({}), bad), 'undefined', JSON.stringify(bad));
  }
  t.equal(P(fromJSON({ a: { b: 1 } }), [{ op: 'move', from: '/a', path: '/a/c' }]), 'undefined', 'no moving into own child');
  const member = fromJSON({ a: [1] });
  t.equal(
    show(
      call('json.patch', new SetV([member]), [
        new ObjectV([
          ['op', 'copy'],
          ['from', [member, 'a', 0]],
          ['path', [member, 'a', '-']],
        ]),
      ]),
    ),
    '[{"a":[1,1]}]',
  );
  const original = fromJSON({ a: [1, 2, 3] });
  call(
    'json.patch',
    original,
    fromJSON([
      { op: 'remove', path: '/a/0' },
      { op: 'remove', path: '/missing' },
    ]),
  );
  t.equal(show(original), '{"a":[1,2,3]}', 'a failed patch does not mutate its input');
  t.equal(err('json.patch', fromJSON({}), 'x').detail, 'json.patch: operand 2 must be array but got string');
});

t.test('graph.reachable', async (t) => {
  const g = fromJSON({ a: ['b'], b: ['c', 'a'], c: [], d: ['a'], x: ['y'] });
  t.equal(show(call('graph.reachable', g, ['a'])), '["a","b","c"]');
  t.equal(show(call('graph.reachable', g, new SetV(['d']))), '["a","b","c","d"]');
  t.equal(show(call('graph.reachable', g, ['x'])), '["x"]', 'nodes that are not keys of the graph are not reported');
  t.equal(show(call('graph.reachable', g, ['nope'])), '[]');
  t.equal(err('graph.reachable', [], ['a']).detail, 'graph.reachable: operand 1 must be object but got array');
});
