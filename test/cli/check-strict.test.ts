// `pdp check --strict`: OPA's strict-mode errors found from the AST (src/cli/strict.ts).
import path from 'node:path';
import t from 'tap';
import { packageRoot } from '../../src/shared/package-root.js';
import { runCli } from '../helpers/cli.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');

t.test('strict errors: unused imports, arguments shadowing data', async (t) => {
  // (Duplicate imports, deprecated builtins and `input := ...` the engine refuses in every mode.)
  const r = await runCli(['check', '--strict', 'strict'], fixtures);
  t.equal(r.code, 1, r.out);
  t.match(r.err, /^2 errors occurred:/);
  t.match(r.err, /s\.rego:3:1: rego_compile_error: import data\.lib\.unused unused/);
  t.match(r.err, /s\.rego:6:3: rego_compile_error: args must not shadow data/);
  t.notMatch(r.err, /import data\.lib\.helpers unused/, 'a used import is not reported');
  const lax = await runCli(['check', 'strict'], fixtures);
  t.equal(lax.code, 0, 'without --strict the same bundle passes the fail-closed rule');
});

t.test('strictErrors on ASTs the compiler would refuse first', async (t) => {
  const { parseModule } = await import('../../src/rego/parser.js');
  const { strictErrors } = await import('../../src/cli/strict.js');
  const m = parseModule('d.rego', 'package p\nimport data.a\nimport data.a\nx if { any([true]); input := 1; a }\n', { regoVersion: 1 });
  const msgs = strictErrors([m]).map((e) => e.message);
  t.match(msgs.join('\n'), /import data\.a is a duplicate/);
  t.match(msgs.join('\n'), /deprecated built-in function calls in expression: any/);
  t.match(msgs.join('\n'), /variables must not shadow input/);
});

t.test('unused locals, as OPA strict mode counts them (src/cli/strict-locals.ts)', async (t) => {
  const { parseModule } = await import('../../src/rego/parser.js');
  const { strictErrors } = await import('../../src/cli/strict.js');
  const errs = (body: string): string[] =>
    strictErrors([parseModule('u.rego', `package p\n\n${body}\n`, { regoVersion: 1 })]).map((e) => `${e.location?.row}:${e.location?.col} ${e.detail}`);

  // reported: never read again
  t.same(errs('a if {\n\tx := 1\n\ttrue\n}'), ['4:2 assigned var x unused']);
  t.same(errs('a if {\n\t[p, q] := [1, 2]\n\tp > 0\n}'), ['4:2 assigned var q unused'], 'each var of a pattern counts on its own');
  t.same(errs('a := [1 | x := 2]'), ['3:11 assigned var x unused'], 'in a head comprehension');
  t.same(errs('a if {\n\tys := [y | y := 1; z := y]\n\tcount(ys) > 0\n}'), ['4:21 assigned var z unused'], 'in a body comprehension');
  t.same(errs('a if {\n\tevery v in [1] {\n\t\tw := v\n\t}\n}'), ['5:3 assigned var w unused'], 'in an every body');
  t.same(
    errs('a if {\n\tx := 1\n\tys := [y | y := 1; z := y]\n\ttrue\n}'),
    ['5:21 assigned var z unused'],
    'OPA stops checking a rule after its first error (the comprehension is checked first)',
  );
  t.same(
    errs('a if {\n\tx := 1\n\ttrue\n} else := 2 if {\n\ty := 1\n\ttrue\n}'),
    ['4:2 assigned var x unused', '7:2 assigned var y unused'],
    'else bodies are checked too',
  );

  // not reported: a later use anywhere OPA counts one
  t.same(errs('a := x if {\n\tx := 1\n}'), [], 'in the head value');
  t.same(errs('a contains x if {\n\tx := 1\n}'), [], 'in the head key');
  t.same(errs('a[x] := 1 if {\n\tx := "k"\n}'), [], 'in the head ref');
  t.same(errs('a if {\n\tx := 1\n\tx > 0\n}'), [], 'in a later expression');
  t.same(errs('a if {\n\tx := 1\n\tys := [y | y := x]\n\tcount(ys) > 0\n}'), [], 'in a nested comprehension body');
  t.same(errs('a if {\n\tx := 1\n\tcount([x | true]) > 0\n}'), [], 'in a comprehension term');
  t.same(errs('a if {\n\tx := {"b": 1}\n\tdata.q.r with input as x\n}'), [], 'in a with value');
  t.same(errs('a if {\n\tx := [1]\n\tsome y in x\n\ty > 0\n}'), [], 'as a some-in collection');
  t.same(errs('a if {\n\tx := 1\n\tevery v in [1] {\n\t\tv >= x\n\t}\n}'), [], 'in an every body');
  t.same(errs('a if {\n\t_ := 1\n\t[_, b] := [1, 2]\n\tb > 0\n}'), [], '_ is never reported');
  t.same(errs('a if {\n\tx := 1\n\tnot x == 2\n}'), [], 'in a negated expression');
  t.same(errs('a := [y | y := 1]'), [], 'a comprehension var used in its term');

  // some / every declarations (OPA: "declared var x unused")
  t.same(errs('a if {\n\tsome x\n\ttrue\n}'), ['4:2 declared var x unused']);
  t.same(errs('a if {\n\tsome x\n\tinput.xs[x]\n}'), []);
  t.same(errs('a if {\n\tsome v in [1]\n}'), [], 'some-in vars are used by the membership itself');
  t.same(errs('a if {\n\tevery k, v in [1] {\n\t\tv > 0\n\t}\n}'), ['4:2 declared var k unused'], 'an every key nobody reads');
  t.same(errs('a if {\n\tevery _, v in [1] {\n\t\tv > 0\n\t}\n}'), []);

  // function arguments
  t.same(errs('f(x, y) := 1 if {\n\tx > 0\n}'), ['3:1 unused argument y. (hint: use _ (wildcard variable) instead)']);
  t.same(errs('f(x) := x'), [], 'used in the head value');
  t.same(errs('f(x) := 1 if {\n\tfalse\n} else := x'), [], 'used in an else value');
  t.same(errs('f(x) := 1 if {\n\tfalse\n} else := 2 if {\n\tx > 0\n}'), [], 'used in an else body');
  t.same(errs('f(x, x) := 1'), [], 'repeated in the arguments (a unification)');
  t.same(errs('f(_) := 1'), []);
  t.same(errs('f([a, b]) := a'), ['3:1 unused argument b. (hint: use _ (wildcard variable) instead)'], 'inside a pattern argument');
});

t.test('check --strict reports unused locals with their locations', async (t) => {
  const r = await runCli(['check', '--strict', 'strict-locals'], fixtures);
  t.equal(r.code, 1, r.out);
  t.match(r.err, /^3 errors occurred:/);
  t.match(r.err, /u\.rego:4:2: rego_compile_error: assigned var unused_total unused/);
  t.match(r.err, /u\.rego:9:1: rego_compile_error: unused argument b\. \(hint: use _ \(wildcard variable\) instead\)/);
  t.match(r.err, /u\.rego:13:2: rego_compile_error: declared var k unused/);
  const json = await runCli(['check', '--strict', '--format', 'json', 'strict-locals'], fixtures);
  t.equal(json.code, 1);
  const parsed = JSON.parse(json.err) as { errors: { code: string; message: string; location: { row: number } }[] };
  t.same(
    parsed.errors.map((e) => [e.code, e.message, e.location.row]),
    [
      ['rego_compile_error', 'assigned var unused_total unused', 4],
      ['rego_compile_error', 'unused argument b. (hint: use _ (wildcard variable) instead)', 9],
      ['rego_compile_error', 'declared var k unused', 13],
    ],
  );
  t.equal((await runCli(['check', 'strict-locals'], fixtures)).code, 0, 'without --strict the same files pass');
});

t.test("the repo's policies pass --strict", async (t) => {
  const r = await runCli(['check', '--strict', 'policies'], packageRoot);
  t.equal(r.code, 0, r.err);
});
