// `walk(x, [path, value])`, checked against OPA's semantics (topdown/walk.go and the builtin's
// documentation): one result per node of x, the root first with path [], arrays by index,
// objects by key, set elements with the element itself as the path segment; a partly ground
// output pattern filters the results by unification; only the call form with an output is
// accepted (a relation cannot stand inside an expression).
import t from 'tap';
import { compile, RegoError, toJSON } from '../../src/rego/index.js';
import { pol, table } from '../helpers/engine-harness.js';

t.test('walk yields every [path, value] pair, the root first with path []', async (t) => {
  const p = pol(`
issue14 := [v | walk({"x": ["y"]}, [p, v])]
pairs contains [p, v] if walk({"x": ["y"]}, [p, v])
scalar contains pair if walk(1, pair)
empty_object contains pair if walk({}, pair)
nulls contains pair if walk(null, pair)
paths := [p | walk({"b": 1, "a": {"c": 2}}, [p, _])]
array_paths := [p | walk([10, [20]], [p, _])]
set_pairs contains [p, v] if walk({"k", 1}, [p, v])
input_pairs contains [p, v] if walk(input, [p, v])
`);
  table(t, p, [
    // The example of issue 14 (was "undefined function walk").
    ['values in pre-order', 't.issue14', undefined, [{ x: ['y'] }, ['y'], 'y']],
    [
      'pairs',
      't.pairs',
      undefined,
      [
        [[], { x: ['y'] }],
        [['x'], ['y']],
        [['x', 0], 'y'],
      ],
    ],
    ['a scalar is its own root', 't.scalar', undefined, [[[], 1]]],
    ['an empty object has only the root', 't.empty_object', undefined, [[[], {}]]],
    ['null is a node too', 't.nulls', undefined, [[[], null]]],
    // OPA walks objects in key order, depth first.
    ['objects: sorted keys, depth first', 't.paths', undefined, [[], ['a'], ['a', 'c'], ['b']]],
    ['arrays: by index, depth first', 't.array_paths', undefined, [[], [0], [1], [1, 0]]],
    [
      'sets: the element is the path segment',
      't.set_pairs',
      undefined,
      [
        [[], [1, 'k']],
        [[1], 1],
        [['k'], 'k'],
      ],
    ],
    [
      'walks the input',
      't.input_pairs',
      { a: [true] },
      [
        [[], { a: [true] }],
        [['a'], [true]],
        [['a', 0], true],
      ],
    ],
  ]);
});

t.test('a partly ground output pattern filters by unification', async (t) => {
  const p = pol(`
doc := {"a": [{"b": {"foo": 1, "bar": 2}}, {"b": {"baz": 3}}], "c": {"b": {"foo": 9}}}
under_a contains [i, k, v] if walk(doc, [["a", i, "b", k], v])
members := [[section, role, m] | walk({"team": {"ops": {"members": ["alice"]}, "dev": {"members": ["bob"]}}}, [[section, role], {"members": m}])]
strings contains v if {
  walk(doc, [_, v])
  is_number(v)
  v > 2
}
no_five if not walk(doc, [_, 5])
has_nine if walk(doc, [_, 9])
`);
  table(t, p, [
    [
      'fixed segments select, variables bind',
      't.under_a',
      undefined,
      [
        [0, 'bar', 2],
        [0, 'foo', 1],
        [1, 'baz', 3],
      ],
    ],
    [
      'destructuring the value (regorus walk-loop-index-destructuring)',
      't.members',
      undefined,
      [
        ['team', 'dev', ['bob']],
        ['team', 'ops', ['alice']],
      ],
    ],
    ['values filtered in the body', 't.strings', undefined, [3, 9]],
    ['negation: no node equals 5', 't.no_five', undefined, true],
    ['a node deep down matches', 't.has_nine', undefined, true],
  ]);
});

t.test('deep documents: every level is reached, and the step budget still applies', async (t) => {
  const p = pol(`
leaves contains [p, v] if {
  walk(input, [p, v])
  is_string(v)
}
count_nodes := count([1 | walk(input, _)])
`);
  let deep: unknown = 'card 4111 1111 1111 1111';
  for (let i = 0; i < 50; i++) deep = { [`l${i}`]: deep };
  const r = p.evaluate('t.leaves', { input: deep });
  const leaves = toJSON(r.value!) as [string[], string][];
  t.equal(leaves.length, 1, 'one string leaf');
  t.equal(leaves[0][0].length, 50, 'its path has all 50 segments');
  t.equal(leaves[0][0][0], 'l49', 'outermost key first');
  t.equal(toJSON(p.evaluate('t.count_nodes', { input: deep }).value!), 51, 'root + 50 nested nodes');

  const wide = Array.from({ length: 5000 }, (_, i) => ({ i }));
  try {
    p.evaluate('t.count_nodes', { input: wide, maxSteps: 2000 });
    t.fail('expected the budget to be exceeded');
  } catch (e) {
    t.ok(e instanceof RegoError);
    t.equal((e as RegoError).code, 'eval_budget_exceeded', 'each node walked costs a step');
  }
});

t.test('walk is only callable with an output, and cannot be replaced by with', async (t) => {
  const bad = (src: string): RegoError => {
    try {
      compile([{ file: 'x.rego', source: `package t\n${src}` }]);
    } catch (e) {
      if (e instanceof RegoError) return e;
      const first = (e as { errors?: RegoError[] }).errors?.[0];
      if (first) return first;
      throw e;
    }
    throw new Error(`compiled: ${src}`);
  };
  const inTerm = bad('x := walk({"a": 1})');
  t.equal(inTerm.code, 'rego_type_error');
  t.match(inTerm.message, /walk is a relation: call it as walk\(x, \[path, value\]\)/);
  t.match(bad('x if walk({"a": 1}, y, z)').message, /arity mismatch/);
  t.match(bad('x if { walk([1], _) with walk as 1 }').message, /with keyword cannot replace the relation walk/);
  // A package's own function named walk is its own (resolved before the relation, as builtins are).
  const own = pol('walk(x) := [x, x]\nr := walk(1)');
  t.strictSame(toJSON(own.evaluate('t.r').value!), [1, 1]);
});
