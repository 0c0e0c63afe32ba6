// `pdp check --strict`: OPA's strict-mode errors found from the AST (src/cli/strict.ts).
import path from 'node:path';
import t from 'tap';
import { packageRoot } from '../../src/shared/package-root.js';
import { runCli } from '../helpers/cli.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');

t.test('strict errors: unused imports, arguments shadowing data', async (t) => {
  // (Duplicate imports, deprecated builtins and `input := ...` the engine refuses in every mode.)
  const r = await runCli(['check', '--strict', 'strict'], fixtures);
  t.equal(r.code, 2, r.out);
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

t.test("the repo's policies pass --strict", async (t) => {
  const r = await runCli(['check', '--strict', 'policies'], packageRoot);
  t.equal(r.code, 0, r.err);
});
