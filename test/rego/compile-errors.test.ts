// Compile-time errors of the built-in Rego engine: each with OPA's error code, the file and
// line it names, and the `file:row:col: code: ` prefix; several errors reported at once.
// Codes and locations follow OPA's compiler (v1/ast/compile.go): head-variable safety is
// reported at the rule, body safety at the expression, type errors at the call.
import t, { type Test } from 'tap';
import { compile, RegoCompileErrors, RegoError, type ModuleSource } from '../../src/rego/index.js';

/** Compiles and returns the errors it throws (fails the test if it compiles). */
function errorsOf(tt: Test, sources: ModuleSource[]): RegoError[] {
  try {
    compile(sources);
  } catch (e) {
    tt.ok(e instanceof RegoCompileErrors, 'throws RegoCompileErrors');
    const errs = (e as RegoCompileErrors).errors;
    tt.ok(errs.length > 0, 'at least one error');
    for (const err of errs) tt.ok(err instanceof RegoError, 'each error is a RegoError');
    return errs;
  }
  tt.fail('expected a compile error');
  return [];
}

/** Asserts one error's code, file, row, message prefix and message text. */
function checkError(tt: Test, err: RegoError | undefined, code: string, file: string, row: number, msg: RegExp): void {
  tt.ok(err, 'error present');
  if (!err) return;
  tt.equal(err.code, code, 'code');
  tt.equal(err.location?.file, file, 'file');
  tt.equal(err.location?.row, row, 'row');
  tt.match(err.message, new RegExp(`^${file.replace(/\./g, '\\.')}:${row}:${err.location?.col}: ${code}: `), 'message prefix file:row:col: code:');
  tt.match(err.message, msg, 'message text');
}

type Case = [name: string, source: string, code: string, row: number, msg: RegExp];

/** Each case is `package t` + source in e.rego; the first error must match. */
function cases(tt: Test, list: Case[]): Promise<void> {
  return (async () => {
    for (const [name, source, code, row, msg] of list) {
      await tt.test(name, async (t) => {
        const errs = errorsOf(t, [{ file: 'e.rego', source: `package t\n${source}` }]);
        checkError(t, errs[0], code, 'e.rego', row, msg);
      });
    }
  })();
}

t.test('rego_parse_error', async (t) => {
  await cases(t, [
    ['missing `if` before a rule body (v1)', 'p { true }', 'rego_parse_error', 2, /if/],
    ['missing `if`, later line', 'a := 1\n\nb { a == 1 }', 'rego_parse_error', 4, /if/],
    ['unterminated body', 'p if {', 'rego_parse_error', 2, /unexpected end of input/],
    ['dangling operator', 'p := 1 +', 'rego_parse_error', 2, /expected a term/],
    ['unterminated string', 'p := "abc', 'rego_parse_error', 2, /string/],
    ['comprehension head must be a single term (as in OPA)', 'p := [x * 2 | some x in [1]]', 'rego_parse_error', 2, /some/],
  ]);
  await t.test('a module without a package', async (t) => {
    const errs = errorsOf(t, [{ file: 'nopkg.rego', source: 'p := 1\n' }]);
    checkError(t, errs[0], 'rego_parse_error', 'nopkg.rego', 1, /package/);
  });
});

t.test('rego_unsafe_var_error', async (t) => {
  await cases(t, [
    ['var only in the head (complete rule)', 'p := x if true', 'rego_unsafe_var_error', 2, /var x is unsafe/],
    ['var only in the head (partial set)', 'a := 1\ns contains y if { a == 1 }', 'rego_unsafe_var_error', 3, /var y is unsafe/],
    ['var only in the head (function)', 'f(x) := y if x > 1', 'rego_unsafe_var_error', 2, /var y is unsafe/],
    ['var only in a negation', 'p if {\n  not x == 1\n}', 'rego_unsafe_var_error', 3, /var x is unsafe/],
    ['var only in a builtin input', 'p if { count(xs) > 0 }', 'rego_unsafe_var_error', 2, /var xs is unsafe/],
    ['var only in an every body', 'p if { every v in [1] { v > lim } }', 'rego_unsafe_var_error', 2, /var lim is unsafe/],
    ['comprehension head var not bound in its body', 'p := [x | true]', 'rego_unsafe_var_error', 2, /var x is unsafe/],
    ['`some x` declares but does not bind', 'p := x if { some x; true }', 'rego_unsafe_var_error', 2, /var x is unsafe/],
  ]);
});

t.test('rego_recursion_error', async (t) => {
  await cases(t, [
    ['direct recursion', 'p if p', 'rego_recursion_error', 2, /data\.t\.p is recursive: data\.t\.p -> data\.t\.p/],
    ['mutual recursion', 'p if q\nq if p', 'rego_recursion_error', 2, /data\.t\.p -> data\.t\.q -> data\.t\.p/],
    ['recursion through functions', 'f(x) := g(x)\ng(x) := f(x)', 'rego_recursion_error', 2, /data\.t\.f is recursive/],
    ['recursion through a comprehension', 'p := [x | some x in q]\nq := [y | some y in p]', 'rego_recursion_error', 2, /recursive/],
    ['recursion through the package document', 'p := count(data.t)', 'rego_recursion_error', 2, /data\.t\.p is recursive/],
  ]);
  await t.test('recursion across modules names the rule in its own file', async (t) => {
    const errs = errorsOf(t, [
      { file: 'a.rego', source: 'package a\n\np if data.b.q\n' },
      { file: 'b.rego', source: 'package b\nq if data.a.p\n' },
    ]);
    t.equal(errs[0].code, 'rego_recursion_error');
    t.ok(
      (errs[0].location?.file === 'a.rego' && errs[0].location.row === 3) || (errs[0].location?.file === 'b.rego' && errs[0].location.row === 2),
      `located at one of the rules in the cycle (${errs[0].message})`,
    );
  });
});

t.test('rego_type_error', async (t) => {
  await cases(t, [
    ['undefined function', 'p if { foo(1) }', 'rego_type_error', 2, /undefined function foo/],
    ['undefined dotted function', 'p := x.y.z(1)', 'rego_type_error', 2, /undefined function x\.y\.z/],
    ['a rule called as a function', 'q := 1\np if { q(1) }', 'rego_type_error', 3, /undefined function q/],
    ['builtin with too many arguments', 'p := count(1, 2, 3)', 'rego_type_error', 2, /count: arity mismatch/],
    ['builtin with no arguments', 'p := count()', 'rego_type_error', 2, /count: arity mismatch/],
    ['user function with too many arguments', 'f(x) := x\np := f(1, 2, 3)', 'rego_type_error', 3, /arity/],
    ['complete rule and function with one name', 'f(x) := 1\nf := 2', 'rego_type_error', 3, /conflicting rules data\.t\.f found/],
    ['complete rule and partial set with one name', 'p := 1\np contains 2', 'rego_type_error', 3, /conflicting rules data\.t\.p found/],
    ['functions with different arities', 'f(x) := 1\nf(x, y) := 2', 'rego_type_error', 3, /conflicting rules data\.t\.f found/],
    ['static match error: array lengths', 'p if { [a, b] = [1] }', 'rego_type_error', 2, /match error/],
    ['static match error with :=', 'p if { [a, b] := [1, 2, 3] }', 'rego_type_error', 2, /match error/],
    ['static match error: object keys', 'p if { {"a": x} = {"b": 1} }', 'rego_type_error', 2, /match error/],
    ['static match error: array and scalar', 'p if { [x] = "s" }', 'rego_type_error', 2, /match error/],
    ['builtin argument of the wrong type', 'p := "a" + 1', 'rego_type_error', 2, /plus/],
  ]);
});

t.test('rego_compile_error', async (t) => {
  await cases(t, [
    ['var assigned above', 'p if {\n  x := 1\n  x := 2\n}', 'rego_compile_error', 4, /var x assigned above/],
    ['var assigned above in a function', 'f(a) := b if { b := a; b := 2 }', 'rego_compile_error', 2, /var b assigned above/],
    ['some after :=', 'p if { x := 1; some x in [1] }', 'rego_compile_error', 2, /var x (assigned|declared) above/],
    [':= to a number', 'p if { 1 := 2 }', 'rego_compile_error', 2, /cannot assign to number/],
    [':= to a string', 'p if { "s" := input.x }', 'rego_compile_error', 2, /cannot assign to string/],
    [':= to a ref', 'p if { input.x := 2 }', 'rego_compile_error', 2, /cannot assign to ref/],
    ['a rule named input', 'input := 1', 'rego_compile_error', 2, /input/],
  ]);
});

t.test('compile reports several errors at once', async (t) => {
  await t.test('errors in two files', async (t) => {
    const errs = errorsOf(t, [
      { file: 'one.rego', source: 'package one\np if { nope1(1) }\n' },
      { file: 'two.rego', source: 'package two\n\nq if { nope2(2) }\n' },
    ]);
    t.equal(errs.length, 2, 'both errors reported');
    checkError(
      t,
      errs.find((e) => e.location?.file === 'one.rego'),
      'rego_type_error',
      'one.rego',
      2,
      /undefined function nope1/,
    );
    checkError(
      t,
      errs.find((e) => e.location?.file === 'two.rego'),
      'rego_type_error',
      'two.rego',
      3,
      /undefined function nope2/,
    );
  });
  // OPA stops after the first compiler stage that fails, so these cases keep all errors in one stage
  await t.test('several unsafe head variables in one file', async (t) => {
    const errs = errorsOf(t, [{ file: 'u.rego', source: 'package u\na := x if true\nb := y if true\nc contains z if true\n' }]);
    t.equal(errs.length, 3, 'three errors');
    t.strictSame(
      errs.map((e) => [e.code, e.location?.row]),
      [
        ['rego_unsafe_var_error', 2],
        ['rego_unsafe_var_error', 3],
        ['rego_unsafe_var_error', 4],
      ],
    );
    t.match(errs[0].message, /var x is unsafe/);
    t.match(errs[1].message, /var y is unsafe/);
    t.match(errs[2].message, /var z is unsafe/);
  });
  await t.test('parse errors in two files', async (t) => {
    const errs = errorsOf(t, [
      { file: 'p1.rego', source: 'package p1\np { true }\n' },
      { file: 'p2.rego', source: 'package p2\nq := \n' },
    ]);
    t.equal(errs.length, 2, 'one per file');
    t.strictSame(errs.map((e) => [e.code, e.location?.file]).sort(), [
      ['rego_parse_error', 'p1.rego'],
      ['rego_parse_error', 'p2.rego'],
    ]);
  });
  await t.test('the combined message lists every error', async (t) => {
    let thrown: unknown;
    try {
      compile([{ file: 'm.rego', source: 'package m\na := nope1(1)\nb if { nope2(1) }\n' }]);
    } catch (e) {
      thrown = e;
    }
    t.ok(thrown instanceof RegoCompileErrors);
    const e = thrown as RegoCompileErrors;
    t.equal(e.message.split('\n').filter((l) => /^m\.rego:\d+:\d+: rego_/.test(l)).length, e.errors.length, 'one line per error');
    t.ok(e.errors.length >= 2, 'both problems reported');
  });
});

t.test('queries are checked like modules', async (t) => {
  const p = compile([{ file: 'q.rego', source: 'package q\nr := 1\n' }]);
  t.throws(() => p.query('x := nope(1)'), { code: 'rego_type_error' }, 'undefined function in a query');
  t.throws(() => p.query('not y == 1'), { code: 'rego_unsafe_var_error' }, 'unsafe variable in a query');
  t.throws(() => p.query('x := 1; x := 2'), { code: 'rego_compile_error' }, 'assigned above in a query');
  t.strictSame(p.query('x := data.q.r').rows.length, 1, 'the policy still answers after failed queries');
});
