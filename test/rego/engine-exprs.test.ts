// Expressions of the built-in Rego engine, checked against OPA's documented semantics:
// some / some-in / every / not, unification and assignment, operators, membership,
// comprehensions, `with`, strings, big integers, ordering, print and time dependency.
import t, { type Test } from 'tap';
import { RegoError, toJSON, type CompiledPolicy } from '../../src/rego/index.js';
import { pol, table, type Case } from '../helpers/engine-harness.js';

/** Each `[rule source, expected]` pair becomes rule `r<i>`; checks all of them. */
function exprTable(tt: Test, rules: [src: string, expected: unknown][], input?: unknown): void {
  const src = rules.map(([s], i) => `r${i} := ${s}`).join('\n');
  const p = pol(src);
  table(
    tt,
    p,
    rules.map(([s, expected], i) => [s, `t.r${i}`, input, expected] as Case),
  );
}

/** Rows of a query as plain JSON. */
const rows = (p: CompiledPolicy, q: string, input?: unknown): unknown[] =>
  p.query(q, input === undefined ? {} : { input }).rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toJSON(v)])));

const empty = pol('');

t.test('some (declared variables)', async (t) => {
  const p = pol(`
x := 5
idx := i if { some i; input.xs[i] == "b" }
all_idx contains i if { some i; input.xs[i] }
shadow contains x if { some x; [10, 20][x] }
pairs contains [i, j] if { some i, j; input.m[i][j] == 1 }
`);
  table(t, p, [
    ['index bound by a lookup', 't.idx', { xs: ['a', 'b'] }, 1],
    ['no match: undefined', 't.idx', { xs: ['a'] }, undefined],
    ['iterates every index with a truthy element', 't.all_idx', { xs: [true, false, true] }, [0, 2]],
    ['some shadows a rule of the same name', 't.shadow', undefined, [0, 1]],
    [
      'two declared variables',
      't.pairs',
      { m: { a: { x: 1, y: 2 }, b: { z: 1 } } },
      [
        ['a', 'x'],
        ['b', 'z'],
      ],
    ],
  ]);
});

t.test('some ... in (arrays, objects, sets, key/value)', async (t) => {
  const p = pol(`
arr_vals contains x if { some x in ["a", "b", "a"] }
arr_kv contains [i, x] if { some i, x in ["a", "b"] }
obj_vals contains v if { some v in {"k1": 1, "k2": 2} }
obj_kv contains [k, v] if { some k, v in {"k1": 1, "k2": 2} }
set_vals contains x if { some x in {3, 1, 2} }
set_kv contains [k, v] if { some k, v in {"p", "q"} }
pattern contains a if { some [a, 2] in [[1, 2], [3, 4], [5, 2]] }
key_of_value contains i if { some i, "b" in ["b", "a", "b"] }
scalar contains x if { some x in 5 }
missing contains x if { some x in input.nope }
from_input contains x * 10 if { some x in input.xs; x > 1 }
nested contains [x, y] if { some x in [1, 2]; some y in [x, 3]; y != 3 }
`);
  table(t, p, [
    ['array values (duplicates collapse in a set)', 't.arr_vals', undefined, ['a', 'b']],
    [
      'array index and value',
      't.arr_kv',
      undefined,
      [
        [0, 'a'],
        [1, 'b'],
      ],
    ],
    ['object values', 't.obj_vals', undefined, [1, 2]],
    [
      'object key and value',
      't.obj_kv',
      undefined,
      [
        ['k1', 1],
        ['k2', 2],
      ],
    ],
    ['set elements', 't.set_vals', undefined, [1, 2, 3]],
    [
      'set key and value are the element',
      't.set_kv',
      undefined,
      [
        ['p', 'p'],
        ['q', 'q'],
      ],
    ],
    ['pattern as the value', 't.pattern', undefined, [1, 5]],
    ['constant value selects keys', 't.key_of_value', undefined, [0, 2]],
    ['a scalar has no members', 't.scalar', undefined, []],
    ['undefined collection yields nothing', 't.missing', {}, []],
    ['input collection with a filter', 't.from_input', { xs: [1, 2, 3] }, [20, 30]],
    [
      'nested iteration using the outer variable',
      't.nested',
      undefined,
      [
        [1, 1],
        [2, 2],
      ],
    ],
  ]);
});

t.test('every', async (t) => {
  const p = pol(`
all_pos if { every x in input.xs { x > 0 } }
all_kv if { every k, v in input.o { startswith(k, "a"); v == 1 } }
all_set if { every x in {1, 2} { x < 3 } }
closure if { lim := input.lim; every x in input.xs { x < lim } }
nonIter if { every x in 42 { x > 0 } }
undefined_domain if { every x in input.nope { x > 0 } }
body_undefined if { every x in [1] { input.nope == x } }
`);
  table(t, p, [
    ['all elements satisfy the body', 't.all_pos', { xs: [1, 2, 3] }, true],
    ['one element fails: undefined', 't.all_pos', { xs: [1, -2, 3] }, undefined],
    ['empty domain is vacuously true', 't.all_pos', { xs: [] }, true],
    ['key/value over an object', 't.all_kv', { o: { ab: 1, ac: 1 } }, true],
    ['key/value over an object: one key fails', 't.all_kv', { o: { ab: 1, b: 1 } }, undefined],
    ['key/value over an object: one value fails', 't.all_kv', { o: { ab: 1, ac: 2 } }, undefined],
    ['over a set', 't.all_set', undefined, true],
    ['closure over an outer variable', 't.closure', { lim: 5, xs: [1, 4] }, true],
    ['closure over an outer variable: fails', 't.closure', { lim: 3, xs: [1, 4] }, undefined],
    ['non-iterable domain fails', 't.nonIter', undefined, undefined],
    ['undefined domain fails', 't.undefined_domain', {}, undefined],
    ['undefined body fails', 't.body_undefined', {}, undefined],
  ]);
});

t.test('not', async (t) => {
  const p = pol(`
n_input if not input.flag
f(x) if x > 10
n_call if not f(input.n)
n_cmp if { x := input.n; not x == 3 }
none_is_3 if not input.xs[_] == 3
n_set if not {1, 2}[input.n]
`);
  table(t, p, [
    ['not false', 't.n_input', { flag: false }, true],
    ['not true fails', 't.n_input', { flag: true }, undefined],
    ['not undefined', 't.n_input', {}, true],
    ['not of a non-boolean value fails', 't.n_input', { flag: 'yes' }, undefined],
    ['not of a function call that is undefined', 't.n_call', { n: 1 }, true],
    ['not of a function call that holds', 't.n_call', { n: 20 }, undefined],
    ['not with a comparison', 't.n_cmp', { n: 4 }, true],
    ['not with a comparison that holds', 't.n_cmp', { n: 3 }, undefined],
    ['not over iteration: no element matches', 't.none_is_3', { xs: [1, 2] }, true],
    ['not over iteration: one element matches', 't.none_is_3', { xs: [1, 3] }, undefined],
    ['not of a set lookup', 't.n_set', { n: 5 }, true],
    ['not of a set lookup that exists', 't.n_set', { n: 2 }, undefined],
  ]);
});

t.test('unification with =', async (t) => {
  t.same(rows(empty, '[x, 2] = [1, y]'), [{ x: 1, y: 2 }], 'patterns on both sides');
  t.same(rows(empty, '{"a": x, "b": [y]} = {"a": 1, "b": [true]}'), [{ x: 1, y: true }], 'object pattern');
  t.same(rows(empty, 'x = y; y = [1, z]; z = 2'), [{ x: [1, 2], y: [1, 2], z: 2 }], 'variables unified with each other');
  t.same(rows(empty, '[x, x] = [1, 2]'), [], 'repeated variable cannot take two values');
  t.same(rows(empty, '[x, x] = [3, 3]'), [{ x: 3 }], 'repeated variable with equal values');
  t.same(rows(empty, '{"a": x} = input.o', { o: { a: 1, b: 2 } }), [], 'objects with different key sets do not unify');
  t.same(rows(empty, '{"a": x, "b": y} = input.o', { o: { a: 1, b: 2 } }), [{ x: 1, y: 2 }], 'object pattern against input');
  t.same(rows(empty, 'x = input.arr; [a, _] = x', { arr: ['p', 'q'] }), [{ x: ['p', 'q'], a: 'p' }], 'unify with input then destructure');
  t.same(rows(empty, '[a, b] = input.arr', { arr: [1, 2, 3] }), [], 'array length mismatch with input');
  t.same(rows(empty, '1 = 1'), [{}], 'ground terms that are equal');
  t.same(rows(empty, '1 = 1.0'), [{}], 'numbers unify by value');
  t.same(rows(empty, '"1" = 1'), [], 'different types do not unify');
  t.same(rows(empty, 'x = {1, 2}'), [{ x: [1, 2] }], 'a set value binds whole');
});

t.test(':= assignment', async (t) => {
  const p = pol(`
p := 1
simple := x if { x := 5 }
arr := a + b if { [a, b] := [1, 2] }
obj := v if { {"k": v} := {"k": 3} }
mismatch := a if { [a, b] := input.pair }
undef := x if { x := input.nope }
shadow := p if { p := 2 }
nested := [a, c] if { [a, [_, c]] := [1, [2, 3]] }
`);
  table(t, p, [
    ['scalar', 't.simple', undefined, 5],
    ['array destructuring', 't.arr', undefined, 3],
    ['object destructuring', 't.obj', undefined, 3],
    ['destructuring matches', 't.mismatch', { pair: ['x', 'y'] }, 'x'],
    ['destructuring length mismatch is undefined', 't.mismatch', { pair: [1, 2, 3] }, undefined],
    ['assignment from undefined is undefined', 't.undef', {}, undefined],
    [':= shadows a rule name locally', 't.shadow', undefined, 2],
    ['nested destructuring with a wildcard', 't.nested', undefined, [1, 3]],
  ]);
});

t.test('comparison operators', async (t) => {
  exprTable(t, [
    ['1 == 1.0', true],
    ['1 != "1"', true],
    ['"a" < "b"', true],
    ['"B" < "a"', true],
    ['[1, 2] < [1, 3]', true],
    ['[1, 2] < [1, 2, 0]', true],
    ['null < false', true],
    ['false < 0', true],
    ['0 < ""', true],
    ['"z" < []', true],
    ['[] < {}', true],
    ['{} < set()', true],
    ['2 >= 2', true],
    ['2 <= 1', false],
    ['{"a": 1} == {"a": 1.0}', true],
    ['{1, 2} == {2, 1}', true],
    ['[1, 2] == [2, 1]', false],
  ]);
});

t.test('arithmetic operators', async (t) => {
  exprTable(t, [
    ['1 + 2', 3],
    ['7 - 10', -3],
    ['6 * 7', 42],
    ['7 / 2', 3.5],
    ['6 / 2', 3],
    ['-7 / 2', -3.5],
    ['7 % 3', 1],
    ['-7 % 3', -1],
    ['1.5 * 2', 3],
    ['2 - 0.5', 1.5],
    ['(1 + 2) * 3', 9],
    ['1 + 2 * 3', 7],
    ['10 - 2 - 3', 5],
    ['1 / 0', undefined],
    ['7.5 % 2', undefined],
  ]);
  // builtin errors are undefined by default and raised in strict mode
  const p = pol('p := input.a / input.b\nq := input.a + 1\n');
  t.equal(p.evaluate('t.p', { input: { a: 1, b: 0 } }).defined, false, 'division by zero is undefined');
  t.equal(p.evaluate('t.q', { input: { a: 'str' } }).defined, false, 'string + number at run time is undefined');
  t.throws(() => p.evaluate('t.q', { input: { a: 'str' }, strict: true }), { code: 'eval_type_error' }, 'string + number in strict mode: eval_type_error');
  let err: unknown;
  try {
    p.evaluate('t.p', { input: { a: 1, b: 0 }, strict: true });
  } catch (e) {
    err = e;
  }
  t.ok(err instanceof RegoError, 'strict mode raises');
  t.equal((err as RegoError).code, 'eval_builtin_error');
  t.match((err as RegoError).message, /divide by zero/);
});

t.test('set operators', async (t) => {
  exprTable(t, [
    ['{1, 2} | {2, 3}', [1, 2, 3]],
    ['{1, 2} & {2, 3}', [2]],
    ['{1, 2} - {2}', [1]],
    ['{1} & {2}', []],
    ['set() | set()', []],
    ['{[1], "a"} - {"a"}', [[1]]],
    ['{1, 2, 3} - {2} | {9}', [1, 3, 9]],
  ]);
});

t.test('membership with in (2 and 3 operand forms)', async (t) => {
  exprTable(t, [
    ['1 in [1, 2]', true],
    ['3 in [1, 2]', false],
    ['"a" in {"a", "b"}', true],
    ['1 in {"k": 1}', true],
    ['"k" in {"k": 1}', false],
    ['0, "a" in ["a"]', true],
    ['1, "a" in ["a"]', false],
    ['"k", 1 in {"k": 1}', true],
    ['"k", 2 in {"k": 1}', false],
    ['[1] in [[1], [2]]', true],
    ['1.0 in [1]', true],
  ]);
  const p = pol(`
body_in if input.x in input.xs
not_in if not input.x in input.xs
`);
  table(t, p, [
    ['in as a body expression', 't.body_in', { x: 2, xs: [1, 2] }, true],
    ['in as a body expression fails when false', 't.body_in', { x: 3, xs: [1, 2] }, undefined],
    ['not in', 't.not_in', { x: 3, xs: [1, 2] }, true],
    ['not in, member present', 't.not_in', { x: 2, xs: [1, 2] }, undefined],
  ]);
});

t.test('comprehensions (array, set, object; closures)', async (t) => {
  const p = pol(`
arr := [y | some x in [1, 2, 1]; y := x * 2]
set := {y | some x in [1, 2, 3]; y := x % 2}
call_head := [count(x) | some x in [[1], [1, 2]]]
ambiguous := {1 | 1}
obj := {k: v | some k, v in {"a": 1, "b": -1}; v > 0}
empty_arr := [x | some x in []]
empty_obj := {k: 1 | some k in []}
closure := [x | some x in input.xs; x > input.min]
fn(lim) := [x | some x in [1, 5, 10]; x > lim]
fn_closure := fn(4)
nested := [[y | some y in [1, 2]; y <= x] | some x in [1, 2]]
outer_var := s if { m := 2; s := {y | some x in [1, 2]; y := x * m} }
inverse := {v: k | some k, v in {"a": "x", "b": "y"}}
conflict := {k: v | some v in [1, 2]; k := "same"}
`);
  table(t, p, [
    ['array comprehension keeps order and duplicates', 't.arr', undefined, [2, 4, 2]],
    ['set comprehension collapses duplicates', 't.set', undefined, [0, 1]],
    ['call as the comprehension head', 't.call_head', undefined, [1, 2]],
    ['{1 | 1} is a set comprehension, not a set holding 1 | 1', 't.ambiguous', undefined, [1]],
    ['object comprehension with a filter', 't.obj', undefined, { a: 1 }],
    ['empty array comprehension is [] (defined)', 't.empty_arr', undefined, []],
    ['empty object comprehension is {} (defined)', 't.empty_obj', undefined, {}],
    ['closure over input', 't.closure', { xs: [1, 5, 9], min: 4 }, [5, 9]],
    ['closure over a function argument', 't.fn_closure', undefined, [5, 10]],
    ['nested comprehensions', 't.nested', undefined, [[1], [1, 2]]],
    ['closure over a local assigned before', 't.outer_var', undefined, [2, 4]],
    ['object comprehension swapping keys and values', 't.inverse', undefined, { x: 'a', y: 'b' }],
  ]);
  let err: unknown;
  try {
    p.evaluate('t.conflict');
  } catch (e) {
    err = e;
  }
  t.ok(err instanceof RegoError, 'object comprehension with two values for one key raises');
  t.equal((err as RegoError).code, 'eval_conflict_error');
});

t.test('with on input, data, functions and builtins', async (t) => {
  const p = pol(
    `
allow if input.user == "admin"
w_input if allow with input as {"user": "admin"}
w_input_path if allow with input.user as "admin"
w_scoped if { allow with input as {"user": "admin"}; not allow }
val := input.x
w_val := v if { v := val with input.x as 7 }

cfg := data.base.limit
w_data := v if { v := cfg with data.base.limit as 99 }
w_rule := v if { v := allow with data.t.allow as "mocked" }

double(x) := x * 2
triple(x) := x * 3
uses := double(5)
w_func := v if { v := uses with double as triple }
w_func_value := v if { v := uses with double as 100 }

mock_count(_) := 42
w_builtin := v if { v := count([1, 2]) with count as mock_count }
w_builtin_value := v if { v := count([1]) with count as 7 }
`,
    { base: { limit: 10 } },
  );
  table(t, p, [
    ['baseline: input decides', 't.allow', { user: 'bob' }, undefined],
    ['with input as an object', 't.w_input', { user: 'bob' }, true],
    ['with input.path', 't.w_input_path', { user: 'bob' }, true],
    ['with is scoped to its expression', 't.w_scoped', { user: 'bob' }, true],
    ['with input.x on a rule reading input.x', 't.w_val', { x: 1 }, 7],
    ['baseline: base data', 't.cfg', undefined, 10],
    ['with on base data', 't.w_data', undefined, 99],
    ['with on a rule', 't.w_rule', undefined, 'mocked'],
    ['baseline: function', 't.uses', undefined, 10],
    ['with replacing a function by a function', 't.w_func', undefined, 15],
    ['with replacing a function by a value', 't.w_func_value', undefined, 100],
    ['with replacing a builtin by a function', 't.w_builtin', undefined, 42],
    ['with replacing a builtin by a value', 't.w_builtin_value', undefined, 7],
  ]);
});

t.test('time.now_ns: dependsOn.time, nowNs option and with', async (t) => {
  const p = pol(`
now := time.now_ns()
plain := 1
mocked := v if { v := now with time.now_ns as 1700000000000000000 }
after if time.now_ns() > input.deadline
`);
  const r1 = p.evaluate('t.now', { nowNs: 1234567890123456789n });
  t.strictSame(toJSON(r1.value!), 1234567890123456789n, 'nowNs fixes the clock (exact past 2^53)');
  t.strictSame(r1.dependsOn, { time: true, random: false, external: false }, 'time.now_ns marks the result time-dependent');
  const r2 = p.evaluate('t.plain');
  t.strictSame(r2.dependsOn, { time: false, random: false, external: false }, 'no clock use: not time-dependent');
  const r3 = p.evaluate('t.now');
  t.equal(typeof toJSON(r3.value!), 'bigint', 'the real clock in ns is past 2^53 and stays exact');
  t.ok(Math.abs(Number(toJSON(r3.value!) as bigint) / 1e6 - Date.now()) < 60_000, 'the real clock is close to Date.now()');
  // Documented behaviour: when time.now_ns is replaced with `with`, the clock is never read,
  // so the result is reported as not time-dependent (it is the mocked constant).
  const r4 = p.evaluate('t.mocked', { nowNs: 5n });
  t.strictSame(toJSON(r4.value!), 1700000000000000000n, 'with time.now_ns as <constant> replaces the clock');
  t.strictSame(r4.dependsOn, { time: false, random: false, external: false }, 'mocked clock: not reported as time-dependent');
  const r5 = p.evaluate('t.after', { input: { deadline: 10 }, nowNs: 11n });
  t.equal(r5.defined, true);
  t.equal(r5.dependsOn.time, true, 'time dependency is reported for body use');
  const r6 = p.evaluate('t.after', { input: { deadline: 10 }, nowNs: 9n });
  t.equal(r6.defined, false, 'undefined result');
  t.equal(r6.dependsOn.time, true, 'an undefined result that read the clock is time-dependent too');
});

t.test('strings: raw strings and escapes', async (t) => {
  exprTable(t, [
    ['`a\\nb`', 'a\\nb'],
    ['`C:\\path`', 'C:\\path'],
    ['`say "hi"`', 'say "hi"'],
    ['"a\\nb"', 'a\nb'],
    ['"tab\\there"', 'tab\there'],
    ['"q\\"q"', 'q"q'],
    ['"back\\\\slash"', 'back\\slash'],
    ['"\\/"', '/'],
    ['"\\b\\f\\r"', '\b\f\r'],
    ['"\\u00e9"', 'é'],
    ['"\\ud83d\\ude00"', '😀'],
    ['count("\\ud83d\\ude00")', 1],
    ['count("héllo")', 5],
    ['"é" == "\\u00e9"', true],
  ]);
});

t.test('big integers stay exact', async (t) => {
  exprTable(t, [
    ['9007199254740993 + 0', 9007199254740993n],
    ['9007199254740992 + 1', 9007199254740993n],
    ['9007199254740993 * 1', 9007199254740993n],
    ['18446744073709551616 - 1', 18446744073709551615n],
    ['9007199254740993 == 9007199254740992', false],
    ['9007199254740993 > 9007199254740992', true],
    ['-9007199254740993 - 2', -9007199254740995n],
    ['123456789012345678901234567890 % 7', Number(123456789012345678901234567890n % 7n)],
    ['9007199254740993 - 9007199254740992', 1],
    ['[9007199254740993][0]', 9007199254740993n],
  ]);
  const p = pol('big := 12345678901234567890123\n');
  t.strictSame(toJSON(p.evaluate('t.big').value!), 12345678901234567890123n, 'a big literal is exact');
});

t.test('cross-type ordering via sort()', async (t) => {
  exprTable(t, [
    ['sort([{1}, {"a": 1}, [1], "s", 1, true, false, null])', [null, false, true, 1, 's', [1], { a: 1 }, [1]]],
    ['sort([3, 1.5, -2, 10])', [-2, 1.5, 3, 10]],
    ['sort(["b", "B", "a", "aa"])', ['B', 'a', 'aa', 'b']],
    ['sort([[1, 2], [1], [0, 9], []])', [[], [0, 9], [1], [1, 2]]],
    ['sort({3, 1, 2})', [1, 2, 3]],
    ['sort([9007199254740993, 9007199254740992])', [9007199254740992n, 9007199254740993n]],
    ['sort([])', []],
  ]);
  // set element order follows the same total order
  const p = pol('s := {"x", 2, null, [0], true}\n');
  t.strictSame(toJSON(p.evaluate('t.s').value!), [null, true, 2, 'x', [0]], 'sets iterate in the total order');
});

t.test('print output captured via the print option', async (t) => {
  const p = pol(`
p if {
  print("hello")
  print("x", 1, [1, "a"], {"k": true}, null)
  print("set", {2, 1}, set())
  print("undef:", input.nope)
}
q := x if { x := 5; print("x is", x) }
`);
  const out: string[] = [];
  const r = p.evaluate('t.p', { input: {}, print: (m) => out.push(m) });
  t.equal(r.defined, true, 'print does not fail the body, even with an undefined argument');
  t.strictSame(out, ['hello', 'x 1 [1, "a"] {"k": true} null', 'set {1, 2} set()', 'undef: <undefined>']);
  const out2: string[] = [];
  t.strictSame(toJSON(p.evaluate('t.q', { print: (m) => out2.push(m) }).value!), 5);
  t.strictSame(out2, ['x is 5']);
  t.doesNotThrow(() => p.evaluate('t.p', { input: {} }), 'print without a hook is discarded');
});
