// The evaluator's continuation-free paths (issue 18): `some [k,] x in coll`, `walk(x, [p, v])`,
// straight-line rule, else and function bodies, bound comprehension heads, set elements and
// object terms. Each must give what the general path gives: every solution in order, early
// stops, undefined parts, conflicts. Traced evaluation takes the general path and must agree.
import t from 'tap';
import { Tracer, toJSON, type CompiledPolicy } from '../../src/rego/index.js';
import { pol, table } from '../helpers/engine-harness.js';

/** The value at path with and without a tracer (which disables the direct paths): must agree. */
function both(p: CompiledPolicy, path: string, input: unknown): { plain: unknown; traced: unknown } {
  const a = p.evaluate(path, { input });
  const b = p.evaluate(path, { input, tracer: new Tracer() });
  return { plain: a.defined ? toJSON(a.value!) : undefined, traced: b.defined ? toJSON(b.value!) : undefined };
}

const doc = { b: [1, { c: 3 }], a: 'x' };

t.test('some [k,] x in coll: every element, keys, early stop, nothing to iterate', async (t) => {
  const p = pol(`
idx contains [i, x] if { some i, x in input.xs }
pairs contains [k, v] if { some k, v in input.o }
members contains x if { some x in {"b", "a"} }
nested contains [a, b] if { some a in input.xs; some b in input.xs; a < b }
found if { some x in input.xs; x == 3 }
two := x if { some x in input.xs; x == 2 }
none contains x if { some x in input.missing }
scalar contains x if { some x in input.n }
objs contains {"k": k, "v": v} if { some k, v in input.o }
`);
  const input = { xs: [1, 2, 3], o: { q: 1, p: 2 }, n: 5 };
  table(t, p, [
    [
      'array: index and element',
      't.idx',
      input,
      [
        [0, 1],
        [1, 2],
        [2, 3],
      ],
    ],
    [
      'object: key and value',
      't.pairs',
      input,
      [
        ['p', 2],
        ['q', 1],
      ],
    ],
    ['set', 't.members', input, ['a', 'b']],
    [
      'nested loops',
      't.nested',
      input,
      [
        [1, 2],
        [1, 3],
        [2, 3],
      ],
    ],
    ['a match stops a boolean rule', 't.found', input, true],
    ['no match: undefined', 't.found', { xs: [1] }, undefined],
    ['complete rule from one element', 't.two', input, 2],
    ['undefined collection: no element', 't.none', input, []],
    ['a number is not iterated', 't.scalar', input, []],
    [
      'object element built per solution',
      't.objs',
      input,
      [
        { k: 'p', v: 2 },
        { k: 'q', v: 1 },
      ],
    ],
  ]);
  for (const path of ['t.idx', 't.pairs', 't.nested', 't.objs']) {
    const r = both(p, path, input);
    t.strictSame(r.plain, r.traced, `${path}: traced evaluation agrees`);
  }
});

t.test('walk(x, [path, value]): pre-order, sorted keys, early stop, patterns', async (t) => {
  const p = pol(`
ordered := [q | walk(input.doc, [q, _])]
leaves contains [q, v] if { walk(input.doc, [q, v]); not is_object(v); not is_array(v) }
nodes := count([1 | walk(input.doc, [_, _])])
deep if { walk(input.doc, [q, v]); count(q) == 3 }
path_of_three := q if { walk(input.doc, [q, 3]) }
missing contains q if { walk(input.missing, [q, v]) }
`);
  const input = { doc };
  table(t, p, [
    ['pre-order, object keys sorted', 't.ordered', input, [[], ['a'], ['b'], ['b', 0], ['b', 1], ['b', 1, 'c']]],
    [
      'the rest of the body runs at every node',
      't.leaves',
      input,
      [
        [['a'], 'x'],
        [['b', 0], 1],
        [['b', 1, 'c'], 3],
      ],
    ],
    ['wildcards', 't.nodes', input, 6],
    ['a boolean rule stops at the first match', 't.deep', input, true],
    ['a constant in the pattern (general path)', 't.path_of_three', input, ['b', 1, 'c']],
    ['undefined document: no node', 't.missing', input, []],
  ]);
  for (const path of ['t.ordered', 't.leaves', 't.nodes']) {
    const r = both(p, path, input);
    t.strictSame(r.plain, r.traced, `${path}: traced evaluation agrees`);
  }
});

t.test('straight-line rule, else and function bodies', async (t) => {
  const p = pol(`
f([a, b]) := a + b if { a > 0 } else := 0
f(x) := -1 if { is_number(x) }
g(x) := 1 if { x > 0 }
g(x) := 2 if { x > 1 }
h(x) := "big" if { x > 10 } else := "mid" if { x > 5 } else := "small"
v1 := f([1, 2])
v2 := f([-1, 2])
v3 := f(5)
v4 := f("s")
g1 := g(1)
g2 := g(2)
h1 := [h(11), h(6), h(1)]
c := x if { x := input.n; x > 0 } else := "neg"
obj := o if { a := "k"; b := "k"; o := {a: 1, b: input.n} }
`);
  table(t, p, [
    ['argument pattern unified', 't.v1', {}, 3],
    ['else after the pattern matched and the body failed', 't.v2', {}, 0],
    ['second function rule', 't.v3', {}, -1],
    ['no rule applies: undefined', 't.v4', {}, undefined],
    ['one of two rules', 't.g1', {}, 1],
    ['else chain', 't.h1', {}, ['big', 'mid', 'small']],
    ['complete rule body', 't.c', { n: 3 }, 3],
    ['complete rule else', 't.c', { n: -3 }, 'neg'],
    ['object term with equal duplicate keys', 't.obj', { n: 1 }, { k: 1 }],
    ['object term with an undefined value: undefined', 't.obj', {}, undefined],
  ]);
  t.throws(() => p.evaluate('t.g2'), { code: 'eval_conflict_error' }, 'two function rules, two values: conflict');
  t.throws(() => p.evaluate('t.obj', { input: { n: 2 } }), { code: 'eval_conflict_error' }, 'duplicate keys, different values: conflict');
  for (const path of ['t.v1', 't.v2', 't.h1', 't.c']) {
    const r = both(p, path, { n: 3 });
    t.strictSame(r.plain, r.traced, `${path}: traced evaluation agrees`);
  }
});
