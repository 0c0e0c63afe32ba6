// graph.reachable_paths, checked against OPA's algorithm (topdown/reachable.go): from each
// initial node that is in the graph, every path until a node without edges, a neighbour that is
// not in the graph (the path stops before it), or a node already on the path (a cycle).
import t from 'tap';
import { compile, toJSON } from '../../src/rego/index.js';
import { fromJSON, SetV } from '../../src/rego/value.js';
import { call, err, show } from '../helpers/builtin-harness.js';

const J = (x: unknown) => fromJSON(x);

t.test('paths, cycles, leaves and missing nodes', async (t) => {
  const g = J({ a: ['b', 'c'], b: ['c'], c: ['a'], d: [] });
  t.equal(show(call('graph.reachable_paths', g, ['a'])), '[["a","b","c"],["a","c"]]', 'a cycle ends the path before repeating');
  t.equal(show(call('graph.reachable_paths', g, ['d'])), '[["d"]]', 'a node without edges is a path of one');
  t.equal(show(call('graph.reachable_paths', g, ['x'])), '[]', 'an initial node outside the graph yields nothing');
  t.equal(show(call('graph.reachable_paths', J({ a: ['z'] }), ['a'])), '[["a"]]', 'the path stops before a node outside the graph');
  t.equal(show(call('graph.reachable_paths', J({ a: ['b'] }), new SetV(['a']))), '[["a"]]', 'initial nodes as a set');
  const sets = new (await import('../../src/rego/value.js')).ObjectV([
    ['a', new SetV(['b'])],
    ['b', new SetV()],
  ]);
  t.equal(show(call('graph.reachable_paths', sets, ['a'])), '[["a","b"]]', 'edges as sets');
  t.equal(show(call('graph.reachable_paths', J({}), [])), '[]');
});

t.test('errors use OPA wording', async (t) => {
  t.equal(err('graph.reachable_paths', 1, []).detail, 'graph.reachable_paths: operand 1 must be object but got number');
  t.equal(err('graph.reachable_paths', J({}), 'a').detail, 'graph.reachable_paths: operand 2 must be one of {array, set} but got string');
});

t.test('through the engine (was "undefined function")', async (t) => {
  const p = compile([{ file: 'x.rego', source: 'package p\nr := graph.reachable_paths({"a": ["b"], "b": []}, {"a"})\n' }]);
  t.same(toJSON(p.evaluate('p.r').value!), [['a', 'b']]);
});

t.test('a wide graph is charged to the budget', async (t) => {
  const { budget } = await import('../helpers/builtin-harness.js');
  budget.length = 0;
  const edges: Record<string, string[]> = {};
  for (let i = 0; i < 10; i++) edges[`n${i}`] = [`n${i + 1}`];
  edges.n10 = [];
  call('graph.reachable_paths', J(edges), ['n0']);
  t.ok(budget.reduce((a, b) => a + b, 0) >= 10, 'one charge per step at least');
});
