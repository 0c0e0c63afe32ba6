// Rule kinds of the built-in Rego engine, checked against OPA's documented semantics:
// complete rules, default, else chains, conflicts, partial sets and objects, ref heads,
// functions, and the difference between undefined and false.
import t, { type Test } from 'tap';
import { RegoError, toJSON, type CompiledPolicy } from '../../src/rego/index.js';
import { pol, table } from '../helpers/engine-harness.js';

/** Plain-JSON value of a document, or undefined when the document is undefined. */
function val(p: CompiledPolicy, path: string, input?: unknown): unknown {
  const r = p.evaluate(path, input === undefined ? {} : { input });
  return r.defined ? toJSON(r.value!) : undefined;
}

/** Asserts evaluation throws a RegoError with the given code. */
function evalError(tt: Test, p: CompiledPolicy, path: string, input: unknown, code: string, msg?: RegExp): void {
  let err: unknown;
  try {
    p.evaluate(path, input === undefined ? {} : { input });
  } catch (e) {
    err = e;
  }
  tt.ok(err instanceof RegoError, `${path} with ${JSON.stringify(input)} throws a RegoError`);
  tt.equal((err as RegoError).code, code, `${path}: error code`);
  if (msg) tt.match((err as RegoError).message, msg, `${path}: message`);
}

t.test('complete rules', async (t) => {
  const p = pol(`
p := 1 if input.x == 1
b if input.x == 1
v := input.y if input.x == 1
same := 7 if input.x > 0
same := 7 if input.x > 1
obj := {"a": [1, {"b": null}]}
unbound := y if { y := input.missing }
`);
  table(t, p, [
    ['value when the body holds', 't.p', { x: 1 }, 1],
    ['undefined when the body fails', 't.p', { x: 2 }, undefined],
    ['undefined without input', 't.p', undefined, undefined],
    ['value-less rule is true', 't.b', { x: 1 }, true],
    ['value-less rule is undefined, not false', 't.b', { x: 0 }, undefined],
    ['head value from input', 't.v', { x: 1, y: 'why' }, 'why'],
    ['head value undefined makes the rule undefined', 't.v', { x: 1 }, undefined],
    ['two definitions with the same value do not conflict', 't.same', { x: 5 }, 7],
    ['one of two definitions holds', 't.same', { x: 1 }, 7],
    ['composite constant value', 't.obj', undefined, { a: [1, { b: null }] }],
    ['assigned from an undefined ref', 't.unbound', { x: 1 }, undefined],
  ]);
});

t.test('default rules', async (t) => {
  const p = pol(`
default allow := false
allow if input.user == "admin"

default level := {"n": 0}
level := {"n": input.n} if input.n > 0

default s := "d"
s := "a" if input.k == "a"
else := "b" if input.k == "b"

default f := 1
default g(_) := "dflt"
g(x) := "big" if x > 10
`);
  table(t, p, [
    ['default used when no rule holds', 't.allow', { user: 'bob' }, false],
    ['rule wins over default', 't.allow', { user: 'admin' }, true],
    ['default without input', 't.allow', undefined, false],
    ['composite default', 't.level', { n: -1 }, { n: 0 }],
    ['composite rule value', 't.level', { n: 3 }, { n: 3 }],
    ['default with else chain: first branch', 't.s', { k: 'a' }, 'a'],
    ['default with else chain: else branch', 't.s', { k: 'b' }, 'b'],
    ['default with else chain: neither', 't.s', { k: 'c' }, 'd'],
    ['default-only rule', 't.f', undefined, 1],
  ]);
  const q = pol(`
default g(_) := "dflt"
g(x) := "big" if x > 10
small := g(3)
big := g(30)
str := g("x")
nul := g(null)
`);
  table(t, q, [
    ['default function used when no definition matches', 't.small', undefined, 'dflt'],
    ['function definition wins over the default', 't.big', undefined, 'big'],
    ['strings sort after numbers, so "x" > 10 holds', 't.str', undefined, 'big'],
    ['null sorts before numbers: default used', 't.nul', undefined, 'dflt'],
  ]);
});

t.test('default on one key of an object document (`default p[true] := x`): holds when no rule defines that key', async (t) => {
  // OPA's rule tree takes any ground head key; regorus's default/basic.yaml expects this document.
  const p = pol(`
default complex[true] := "bool_true"
default complex[false] := "bool_false"
default complex[7] := "seven"
complex.hello := "world"
complex[false] := "defined" if input.x
`);
  const c = val(p, 't.complex', {}) as Record<string, unknown>;
  t.strictSame(c, { false: 'bool_false', true: 'bool_true', 7: 'seven', hello: 'world' });
  t.equal((val(p, 't.complex', { x: 1 }) as Record<string, unknown>).false, 'defined', 'a rule for the key wins over its default');
  t.equal(val(p, 't.complex.hello', {}), 'world');
  t.equal(p.mayDefine(['t', 'complex']), true);
  const only = pol('default d[null] := 0\n');
  t.strictSame(val(only, 't.d'), { null: 0 }, 'defaults alone make the document');
  for (const [src, msg] of [
    ['default p[x] := 1\n', /default rules must not have variables in the head reference/],
    ['default p[[1]] := 1\n', /default rules must not have variables in the head reference/],
    ['default p[1] := 1\ndefault p[1] := 2\n', /multiple default rules data\.t\.p found/],
  ] as const) {
    t.throws(() => pol(src), msg, src);
  }
});

t.test('else chains', async (t) => {
  const p = pol(`
grade := "A" if input.score >= 90
else := "B" if input.score >= 80
else := "C" if input.score >= 70
else := "F"

nv if input.x == 1
else if input.x == 2

fv := "first" if input.x == 1
else := input.y

f(x) := "pos" if x > 0
else := "zero" if x == 0
else := "neg"
fp := f(5)
fz := f(0)
fn := f(-2)
`);
  table(t, p, [
    ['first branch', 't.grade', { score: 95 }, 'A'],
    ['second branch', 't.grade', { score: 85 }, 'B'],
    ['third branch', 't.grade', { score: 70 }, 'C'],
    ['final else without condition', 't.grade', { score: 10 }, 'F'],
    ['first body true even when a later one also holds', 't.grade', { score: 100 }, 'A'],
    ['else without a value is true', 't.nv', { x: 2 }, true],
    ['no branch holds: undefined', 't.nv', { x: 3 }, undefined],
    ['else value undefined makes the rule undefined', 't.fv', { x: 2 }, undefined],
    ['else value from input', 't.fv', { x: 2, y: 'yy' }, 'yy'],
    ['function else: first', 't.fp', undefined, 'pos'],
    ['function else: middle', 't.fz', undefined, 'zero'],
    ['function else: last', 't.fn', undefined, 'neg'],
  ]);
});

t.test('conflicts: eval_conflict_error for complete rules, functions and partial objects', async (t) => {
  const p = pol(`
p := 1 if input.a
p := 2 if input.b

f(x) := 1 if x > 0
f(x) := 2 if x > 1
callf := f(input.n)

o[k] := v if { some k, v in input.o1 }
o[k] := v if { some k, v in input.o2 }

a.b.c := 1 if input.a
a.b.c := 2 if input.b
`);
  table(t, p, [
    ['only the first definition holds', 't.p', { a: true }, 1],
    ['only the second definition holds', 't.p', { b: true }, 2],
    ['function: one definition matches', 't.callf', { n: 1 }, 1],
    ['partial object: same key, same value', 't.o', { o1: { k: 1 }, o2: { k: 1, j: 2 } }, { k: 1, j: 2 }],
    ['ref head: single definition', 't.a.b.c', { a: true }, 1],
  ]);
  evalError(t, p, 't.p', { a: true, b: true }, 'eval_conflict_error', /complete rules must not produce multiple outputs/);
  evalError(t, p, 't.callf', { n: 2 }, 'eval_conflict_error', /functions must not produce multiple outputs/);
  evalError(t, p, 't.o', { o1: { k: 1 }, o2: { k: 2 } }, 'eval_conflict_error', /object keys must be unique/);
  evalError(t, p, 't.a.b.c', { a: true, b: true }, 'eval_conflict_error');
  evalError(t, p, 't.a', { a: true, b: true }, 'eval_conflict_error');
  // a conflict in a document that is only referenced is raised too
  const q = pol('p := 1 if input.a\np := 2 if input.b\nq if p > 0\n');
  evalError(t, q, 't.q', { a: true, b: true }, 'eval_conflict_error');
  t.equal(val(q, 't.q', { a: true }), true);
});

t.test('complete rules sharing one constant value stop at the first that holds (OPA early exit)', async (t) => {
  // OPA's index marks such rules EarlyExit: once one body holds, the others are not evaluated,
  // so an error only a later rule would raise does not surface.
  const p = pol(`
p if input.a
p if q
q := 1 if input.b
q := 2 if input.b
r := 1 if input.a
r := 2 if q
`);
  t.equal(val(p, 't.p', { a: true, b: true }), true, 'the first rule holds: the conflicting q is never read');
  evalError(t, p, 't.p', { b: true }, 'eval_conflict_error'); // the first fails: the second reads q
  evalError(t, p, 't.q', { b: true }, 'eval_conflict_error');
  // different values: every rule is evaluated, as before
  evalError(t, p, 't.r', { a: true, b: true }, 'eval_conflict_error');
});

t.test('partial set rules (contains)', async (t) => {
  const p = pol(`
s contains x if { some x in input.xs }
s contains "const"
dup contains x if { some x in [1, 1, 2, 2] }
empty contains x if { some x in []; x > 0 }
has_a if s["a"]
has_z if s["z"]
in_s if "const" in s
lookup := s["a"]
objs contains {"id": x} if { some x in [2, 1] }
`);
  table(t, p, [
    ['union of definitions, sorted', 't.s', { xs: ['b', 'a'] }, ['a', 'b', 'const']],
    ['constant member alone', 't.s', { xs: [] }, ['const']],
    ['no input: the iteration yields nothing', 't.s', undefined, ['const']],
    ['duplicates collapse', 't.dup', undefined, [1, 2]],
    ['partial set with no members is the empty set, not undefined', 't.empty', undefined, []],
    ['membership lookup s[x] defined', 't.has_a', { xs: ['a'] }, true],
    ['membership lookup s[x] undefined', 't.has_z', { xs: ['a'] }, undefined],
    ['`in` on a partial set', 't.in_s', undefined, true],
    ['s[x] yields x itself', 't.lookup', { xs: ['a'] }, 'a'],
    ['composite members', 't.objs', undefined, [{ id: 1 }, { id: 2 }]],
  ]);
});

t.test('partial object rules', async (t) => {
  const p = pol(`
o[k] := v if { some k, v in input.m }
o["fixed"] := 0
none[k] := 1 if { some k in []; k }
sq[x] := x * x if { some x in [1, 2, 3] }
get := o.fixed
by_var := sq[2]
missing := sq[9]
nested[k] := {"v": [k]} if { some k in ["a"] }
`);
  table(t, p, [
    ['object from input plus a constant key', 't.o', { m: { a: 1, b: 'two' } }, { a: 1, b: 'two', fixed: 0 }],
    ['empty partial object is {}', 't.none', undefined, {}],
    ['numeric keys', 't.sq', undefined, { '1': 1, '2': 4, '3': 9 }],
    ['dot lookup into a partial object', 't.get', { m: {} }, 0],
    ['bracket lookup with a number key', 't.by_var', undefined, 4],
    ['lookup of a missing key is undefined', 't.missing', undefined, undefined],
    ['composite values', 't.nested', undefined, { a: { v: ['a'] } }],
  ]);
  // evaluate with a non-string key segment through a query instead
  const r = p.query('x := data.t.sq[3]');
  t.same(
    r.rows.map((row) => toJSON(row.x)),
    [9],
  );
});

t.test('ref heads', async (t) => {
  const p = pol(`
a.b[x] := y if { some x, y in {"k": 1, "j": 2} }
c.d.e := 1
c.d.f := "two"
c.g := true
s[x] contains y if { some [x, y] in [["p", 1], ["p", 2], ["q", 3]] }
deep.r[x][y] := x + y if { some x in [1, 2]; some y in [10] }
`);
  table(t, p, [
    ['object ref head', 't.a', undefined, { b: { j: 2, k: 1 } }],
    ['object ref head: inner object', 't.a.b', undefined, { j: 2, k: 1 }],
    ['object ref head: one key', 't.a.b.k', undefined, 1],
    ['object ref head: missing key', 't.a.b.z', undefined, undefined],
    ['constant ref heads merge into one object', 't.c', undefined, { d: { e: 1, f: 'two' }, g: true }],
    ['constant ref head leaf', 't.c.d.f', undefined, 'two'],
    ['multi-value ref head: object of sets', 't.s', undefined, { p: [1, 2], q: [3] }],
    ['multi-value ref head: one set', 't.s.p', undefined, [1, 2]],
    ['two variables in the head ref', 't.deep', undefined, { r: { '1': { '10': 11 }, '2': { '10': 12 } } }],
  ]);
  const all = toJSON(p.evaluate('t').value!) as Record<string, unknown>;
  t.same(Object.keys(all).sort(), ['a', 'c', 'deep', 's'], 'package document lists each ref-head root once');
});

t.test('functions', async (t) => {
  const p = pol(`
name(1) := "one"
name(2) := "two"
name(x) := "many" if x > 2
n1 := name(1)
n3 := name(3)
n0 := name(0)

sum2([a, b]) := a + b
sumr := sum2([3, 4])
sum_bad := sum2([1, 2, 3])

getk({"k": v}) := v
gk := getk({"k": "val"})
gk_missing := getk({"j": 1})

pos(x) if x > 0
pt := pos(1)
pf := pos(-1)

zero() := 42
z := zero()

double(x) := y if y := x * 2
out if { double(4, y); y == 8 }
out_val := y if double(21, y)

add(a, b) := a + b
ad := add(1, add(2, 3))

eqs(x, x) := "same"
eqs(x, y) := "diff" if x != y
e1 := eqs(1, 1)
e2 := eqs(1, 2)
`);
  table(t, p, [
    ['literal argument pattern 1', 't.n1', undefined, 'one'],
    ['guarded definition', 't.n3', undefined, 'many'],
    ['no definition matches: undefined', 't.n0', undefined, undefined],
    ['array pattern in args', 't.sumr', undefined, 7],
    ['array pattern length mismatch: undefined', 't.sum_bad', undefined, undefined],
    ['object pattern in args', 't.gk', undefined, 'val'],
    ['object pattern missing key: undefined', 't.gk_missing', undefined, undefined],
    ['boolean function true', 't.pt', undefined, true],
    ['boolean function fails: undefined, not false', 't.pf', undefined, undefined],
    ['zero-argument function', 't.z', undefined, 42],
    ['output argument form f(x, y)', 't.out', undefined, true],
    ['output argument bound to head', 't.out_val', undefined, 42],
    ['nested calls', 't.ad', undefined, 6],
    ['repeated variable in args unifies', 't.e1', undefined, 'same'],
    ['repeated variable in args: no match', 't.e2', undefined, 'diff'],
  ]);
  // functions are not documents: the package document omits them
  const doc = toJSON(p.evaluate('t').value!) as Record<string, unknown>;
  t.notOk('name' in doc, 'functions do not appear in the package document');
  t.notOk('add' in doc, 'functions do not appear in the package document (2)');
  t.equal(doc.sumr, 7);
});

t.test('undefined vs false', async (t) => {
  const p = pol(`
gt if input.x > 5
gt_val := input.x > 5
f := false
uses_f if f
not_f if not f
not_undef if not input.nope
eq_false if gt == false
default d := false
d if input.x > 5
neg_d if not d
`);
  table(t, p, [
    ['failed comparison in a body: undefined', 't.gt', { x: 1 }, undefined],
    ['comparison as a head value: false', 't.gt_val', { x: 1 }, false],
    ['comparison as a head value: true', 't.gt_val', { x: 9 }, true],
    ['comparison on missing input: undefined', 't.gt_val', {}, undefined],
    ['rule with value false is defined', 't.f', undefined, false],
    ['expression false fails the body', 't.uses_f', undefined, undefined],
    ['not false is true', 't.not_f', undefined, true],
    ['not undefined is true', 't.not_undef', {}, true],
    ['comparing an undefined rule with false is undefined', 't.eq_false', { x: 1 }, undefined],
    ['default false', 't.d', { x: 1 }, false],
    ['not of a default-false rule', 't.neg_d', { x: 1 }, true],
    ['not of a true rule fails', 't.neg_d', { x: 9 }, undefined],
  ]);
  t.equal(p.evaluate('t.nothing_here').defined, false, 'a path with no rule or data is undefined');
  t.equal(p.evaluate('t.gt.deeper', { input: { x: 9 } }).defined, false, 'a path below a boolean is undefined');
});
