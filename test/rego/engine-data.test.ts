// The data document of the built-in Rego engine: base documents merged with rules,
// virtual documents at any depth, imports, packages spread over modules, and queries
// with several solutions — checked against OPA's documented semantics.
import t from 'tap';
import { compile, toJSON, type CompiledPolicy, type ModuleSource } from '../../src/rego/index.js';
import { table } from '../helpers/engine-harness.js';

const mods = (...sources: string[]): ModuleSource[] => sources.map((source, i) => ({ file: `m${i}.rego`, source }));

/** Rows of a query as plain JSON. */
const rows = (p: CompiledPolicy, q: string, input?: unknown): unknown[] =>
  p.query(q, input === undefined ? {} : { input }).rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toJSON(v)])));

t.test('data is the merge of base documents and rules', async (t) => {
  const p = compile(
    mods(
      `package a
b.rule := 2
top := data.a.b.base + 1
`,
      `package a.c
x := "vx"
`,
    ),
    { a: { b: { base: 1, arr: [10, 20] }, other: true }, z: 'zz' },
  );
  table(t, p, [
    ['whole data tree', 'data', undefined, { a: { b: { base: 1, arr: [10, 20], rule: 2 }, c: { x: 'vx' }, other: true, top: 2 }, z: 'zz' }],
    ['empty path is the whole data tree', [], undefined, { a: { b: { base: 1, arr: [10, 20], rule: 2 }, c: { x: 'vx' }, other: true, top: 2 }, z: 'zz' }],
    ['a base object extended by a ref-head rule', 'a.b', undefined, { arr: [10, 20], base: 1, rule: 2 }],
    ['a base leaf', 'a.b.base', undefined, 1],
    ['a rule beside base data', 'a.b.rule', undefined, 2],
    ['a rule reading base data', 'a.top', undefined, 2],
    ['a sub-package', ['a', 'c'], undefined, { x: 'vx' }],
    ['base data outside any package', 'z', undefined, 'zz'],
    ['a missing key', 'a.missing', undefined, undefined],
    ['below a string leaf', 'z.deeper', undefined, undefined],
  ]);
});

t.test('base data wins over a rule at the same path (as OPA topdown does)', async (t) => {
  // OPA conformance case baseandvirtualdocs/base/virtual: conflicts
  const p = compile(mods('package topdown.conflicts\nk := "bar"\nother := 1\n'), { topdown: { conflicts: { k: 'foo' } } });
  table(t, p, [['the base value is kept', 'topdown.conflicts', undefined, { k: 'foo', other: 1 }]]);
});

t.test('virtual documents are queried at any depth', async (t) => {
  const p = compile(
    mods(`package t
obj := {"a": [1, {"b": "deep"}], "c": null}
s contains x if { some x in ["p", "q"] }
o[k] := {"n": k} if { some k in ["k1", "k2"] }
f(x) := x
b if input.on
`),
  );
  table(t, p, [
    [
      'package document lists rules (not functions); undefined rules are absent',
      't',
      { on: false },
      {
        obj: { a: [1, { b: 'deep' }], c: null },
        o: { k1: { n: 'k1' }, k2: { n: 'k2' } },
        s: ['p', 'q'],
      },
    ],
    [
      'a defined boolean rule appears in the package document',
      't',
      { on: true },
      {
        b: true,
        obj: { a: [1, { b: 'deep' }], c: null },
        o: { k1: { n: 'k1' }, k2: { n: 'k2' } },
        s: ['p', 'q'],
      },
    ],
    ['into a complete rule value', 't.obj.a', undefined, [1, { b: 'deep' }]],
    ['a null leaf is defined', 't.obj.c', undefined, null],
    ['into a partial object', 't.o.k2.n', undefined, 'k2'],
    ['a partial set member by key', 't.s.p', undefined, 'p'],
    ['a missing partial set member', 't.s.z', undefined, undefined],
    ['a function is not a document', 't.f', undefined, undefined],
  ]);
  // queries reach into virtual documents with non-string keys and variables
  t.strictSame(rows(p, 'x := data.t.obj.a[1].b'), [{ x: 'deep' }]);
  t.strictSame(rows(p, 'data.t.o[k].n = "k1"'), [{ k: 'k1' }]);
  t.strictSame(rows(p, 'x := data.t'), [{ x: { obj: { a: [1, { b: 'deep' }], c: null }, o: { k1: { n: 'k1' }, k2: { n: 'k2' } }, s: ['p', 'q'] } }]);
});

t.test('an empty package is an empty object; undefined rules are omitted', async (t) => {
  const p = compile(mods('package e\n', 'package f\nx if false\n'));
  table(t, p, [
    ['empty package', 'e', undefined, {}],
    ['package whose only rule is undefined', 'f', undefined, {}],
    ['the root shows both', 'data', undefined, { e: {}, f: {} }],
  ]);
});

t.test('imports', async (t) => {
  const lib = `package lib.util
double(x) := x * 2
limit := 10
`;
  const p = compile(
    mods(
      lib,
      `package app
import rego.v1
import data.lib.util
import data.lib.util as u
import data.cfg.settings as s
import input.user
import input.request.path as reqpath

d := util.double(4)
da := u.double(5)
lim := u.limit
mode := s.mode
who := user.name
p := reqpath
admin if "admin" in user.roles
`,
    ),
    { cfg: { settings: { mode: 'strict' } } },
  );
  const input = { user: { name: 'ann', roles: ['admin'] }, request: { path: '/x' } };
  table(t, p, [
    ['import data.x (last segment as name), function call', 'app.d', undefined, 8],
    ['import data.x as y, function call', 'app.da', undefined, 10],
    ['import data.x as y, rule', 'app.lim', undefined, 10],
    ['import of base data with alias', 'app.mode', undefined, 'strict'],
    ['import input.z', 'app.who', input, 'ann'],
    ['import input.a.b as c', 'app.p', input, '/x'],
    ['import rego.v1 with in', 'app.admin', input, true],
    ['imported input missing: undefined', 'app.who', {}, undefined],
  ]);
  // an import is local to its module: another module of the same package cannot use its alias
  t.throws(
    () => compile(mods(lib, 'package app\nimport data.lib.util as u\n', 'package app\nq := u.limit\n')),
    { code: 'rego_unsafe_var_error' },
    'import aliases do not leak into other modules of the package',
  );
});

t.test('packages across modules', async (t) => {
  const p = compile(
    mods(
      `package shared
s contains "from-m0"
o.a := 1
default d := "dflt"
fn(1) := "one"
`,
      `package shared
s contains "from-m1"
o.b := 2
d := "set" if input.set
fn(2) := "two"
use := [fn(1), fn(2)]
`,
      `package shared.sub
v := count(data.shared.s)
`,
    ),
  );
  table(t, p, [
    ['partial set definitions in two modules merge', 'shared.s', undefined, ['from-m0', 'from-m1']],
    ['ref-head rules in two modules merge', 'shared.o', undefined, { a: 1, b: 2 }],
    ['default in one module, rule in another: default', 'shared.d', {}, 'dflt'],
    ['default in one module, rule in another: rule', 'shared.d', { set: true }, 'set'],
    ['function definitions in two modules', 'shared.use', undefined, ['one', 'two']],
    ['a sub-package reads its parent', 'shared.sub.v', undefined, 2],
  ]);
  t.strictSame(Object.keys(toJSON(p.evaluate('shared').value!) as object).sort(), ['d', 'o', 's', 'sub', 'use']);
  // conflicting complete definitions in two modules
  const c = compile(mods('package k\np := 1\n', 'package k\np := 2\n'));
  t.throws(() => c.evaluate('k.p'), { code: 'eval_conflict_error' }, 'complete rules from two modules conflict');
});

t.test('queries with multiple solutions', async (t) => {
  const p = compile(
    mods(`package t
s contains x if { some x in ["b", "a", "c"] }
arr := ["x", "y"]
o := {"k1": 1, "k2": 2}
`),
    {
      users: [
        { name: 'a', admin: true },
        { name: 'b', admin: false },
        { name: 'c', admin: true },
      ],
    },
  );
  // OPA does not promise an order for the rows of a set iteration: compare them sorted
  const sorted = (r: unknown[]) => r.map((x) => JSON.stringify(x)).sort();
  t.strictSame(sorted(rows(p, 'data.t.s[x]')), sorted([{ x: 'a' }, { x: 'b' }, { x: 'c' }]), 'one row per set member');
  t.strictSame(
    rows(p, 'data.t.arr[i] = v'),
    [
      { i: 0, v: 'x' },
      { i: 1, v: 'y' },
    ],
    'index and value',
  );
  t.strictSame(rows(p, 'data.t.o[k] = v; v > 1'), [{ k: 'k2', v: 2 }], 'filtered object iteration');
  t.strictSame(
    rows(p, 'some u in data.users; u.admin; n := u.name'),
    [
      { u: { admin: true, name: 'a' }, n: 'a' },
      { u: { admin: true, name: 'c' }, n: 'c' },
    ],
    'some-declared and assigned query variables are both reported',
  );
  t.strictSame(rows(p, 'data.users[_].name = n'), [{ n: 'a' }, { n: 'b' }, { n: 'c' }], 'wildcards are not reported');
  t.strictSame(
    rows(p, 'x := data.t.arr[_]; y := data.t.arr[_]; x != y'),
    [
      { x: 'x', y: 'y' },
      { x: 'y', y: 'x' },
    ],
    'cross product',
  );
  t.strictSame(rows(p, 'data.t.nope[x]'), [], 'no solution: no rows');
  t.strictSame(rows(p, 'data.t.arr[0] = "x"'), [{}], 'one solution without variables: one empty row');
  t.strictSame(rows(p, 'x := input.a', { a: [1] }), [{ x: [1] }], 'input in a query');
  t.strictSame(rows(p, 'data.t.s = x'), [{ x: ['a', 'b', 'c'] }], 'whole partial set');
});
