// `pdp eval --partial`: OPA's {"partial": {"queries": [...]}} for the supported subset (boolean
// rules whose bodies compare input with constants), checked for soundness against the engine
// (each residual, run with a concrete input, agrees with the full evaluation), and a refusal
// with code partial_eval_unsupported for everything else — never a wrong residual.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { compile, exprText } from '../../src/rego/index.js';
import { partialEval } from '../../src/cli/partial-eval.js';
import { writeTree } from '../helpers/bundle-files.js';
import { runCli } from '../helpers/cli.js';

/** A temporary directory holding these files, removed after the test. */
async function policyDir(t: Test, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pdp-partial-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeTree(dir, files);
  return dir;
}

const POLICY = `package authz

allow if input.role == "admin"

allow if {
	input.method = "GET"
	input.path[0] == "public"
	true
}

allow if {
	input.user
	false
}

allow if {
	input.level >= 3
	input.owner == input.user
}
`;

t.test("OPA's partial output: one query per body, expressions indexed from 0, support modules none", async (t) => {
  const dir = await policyDir(t, { 'p/policy.rego': POLICY });
  const r = await runCli(['eval', '--partial', '-d', 'p', 'data.authz.allow'], dir);
  t.equal(r.code, 0, r.err + r.out);
  const j = JSON.parse(r.out) as { partial: { queries: { index: number; terms: unknown }[][] } };
  t.same(Object.keys(j), ['partial']);
  t.same(Object.keys(j.partial), ['queries'], 'no "modules": nothing needs support rules');
  t.equal(j.partial.queries.length, 3, 'the false body is dropped');
  t.same(
    j.partial.queries.map((q) => q.map((e) => e.index)),
    [[0], [0, 1], [0, 1]],
  );
  t.same(
    j.partial.queries[0]?.[0],
    {
      index: 0,
      terms: [
        { type: 'ref', value: [{ type: 'var', value: 'equal' }] },
        {
          type: 'ref',
          value: [
            { type: 'var', value: 'input' },
            { type: 'string', value: 'role' },
          ],
        },
        { type: 'string', value: 'admin' },
      ],
    },
    'a comparison saved as OPA saves a call: [operator ref, args...]',
  );
  t.same((j.partial.queries[1]?.[0]?.terms as { value: { value: string }[] }[])[0]?.value[0]?.value, 'eq', '= is eq');

  const u = await runCli(['eval', '--partial', '--unknowns', 'input', '-d', 'p', 'data.authz.allow', '-f', 'pretty'], dir);
  t.equal(u.code, 0, u.err);
  t.match(u.out, /^\+-+\+-+\+\n\| Query 1 \| input\.role == "admin" +\|\n\+/);
  t.match(u.out, /\| Query 2 \| input\.method = "GET" +\|\n\| +\| input\.path\[0\] == "public" \|/);

  await writeTree(dir, { 'q/policy.rego': 'package q\n\nallow if false\n', 'r/policy.rego': 'package r\n\nallow := true\n' });
  t.same(JSON.parse((await runCli(['eval', '--partial', '-d', 'q', 'data.q.allow'], dir)).out), { partial: {} }, 'no body can hold: no queries');
  t.same(JSON.parse((await runCli(['eval', '--partial', '-d', 'r', 'data.r.allow'], dir)).out), { partial: { queries: [[]] } }, 'always true: one empty query');
  t.equal((await runCli(['eval', '--partial', '-f', 'pretty', '-d', 'q', 'data.q.allow'], dir)).out, 'undefined\n');
});

t.test('every residual agrees with the full evaluation on concrete inputs', async (t) => {
  const policy = compile([{ file: 'p.rego', source: POLICY }]);
  const { queries } = partialEval(policy.modules, 'data.authz.allow', ['input']);
  const inputs: unknown[] = [
    {},
    { role: 'admin' },
    { role: 'dev' },
    { method: 'GET', path: ['public', 'x'] },
    { method: 'GET', path: ['private'] },
    { method: 'POST', path: ['public'] },
    { user: 'u' },
    { level: 3, owner: 'a', user: 'a' },
    { level: 2, owner: 'a', user: 'a' },
    { level: 5, owner: 'a', user: 'b' },
    { level: '9', owner: 'a', user: 'a' },
    null,
    'admin',
  ];
  for (const input of inputs) {
    const full = policy.evaluate('authz.allow', { input });
    const want = full.defined && full.value === true;
    const got = queries.some((body) => body.length === 0 || policy.query(body.map((e) => exprText(e)).join('; '), { input }).rows.length > 0);
    t.equal(got, want, `input ${JSON.stringify(input)}`);
  }
});

const DEFAULTED = `package authz

default allow := false

allow if input.role == "admin"

allow if {
	input.method == "GET"
	input.user
}

allow if false
`;

t.test("a default rule: OPA's support module (package partial.<pkg>: each body's residual, then the default) and a query referring to it", async (t) => {
  const dir = await policyDir(t, { 'b1/p.rego': DEFAULTED });
  const r = await runCli(['eval', '-d', 'b1', '--partial', 'data.authz.allow'], dir);
  t.equal(r.code, 0, r.out + r.err);
  const j = JSON.parse(r.out) as { partial: { queries: unknown[][]; modules: { package: unknown; rules: Record<string, unknown>[] }[] } };
  t.same(Object.keys(j.partial), ['queries', 'modules'], 'rego.PartialQueries: queries, then the support modules as "modules"');
  const s = (value: string) => ({ type: 'string', value });
  t.same(j.partial.queries, [[{ index: 0, terms: { type: 'ref', value: [{ type: 'var', value: 'data' }, s('partial'), s('authz'), s('allow')] } }]]);
  t.equal(j.partial.modules.length, 1);
  const [mod] = j.partial.modules;
  t.same(mod?.package, { path: [{ type: 'var', value: 'data' }, s('partial'), s('authz')] });
  t.same(
    mod?.rules.map((x) => [(x.head as { value: { value: unknown } }).value.value, (x.body as unknown[]).length, x.default ?? false]),
    [
      [true, 1, false],
      [true, 2, false],
      [false, 1, true],
    ],
    'a rule per body that can hold (allow if false is dropped), the default last with body true',
  );
  const pretty = await runCli(['eval', '-d', 'b1', '--partial', '-f', 'pretty', 'data.authz.allow'], dir);
  t.equal(pretty.code, 0);
  t.match(pretty.out, /^\| Query 1 +\| data\.partial\.authz\.allow +\|$/m);
  t.match(pretty.out, /^\| Support 1 \| package partial\.authz +\|$/m);
  t.match(pretty.out, /^\| +\| allow = true if \{ input\.method == "GET"; input\.user \} \|$/m);
  t.match(pretty.out, /^\| +\| default allow = false +\|$/m);

  // sound: the support module, compiled as printed, answers as the policy on concrete inputs
  const support = pretty.out
    .split('\n')
    .filter((l) => /^\| (Support 1| {9}) \| /.test(l))
    .map((l) => l.replace(/^\| [^|]*\| (.*?) *\|$/, '$1'))
    .join('\n');
  const both = compile([
    { file: 'p.rego', source: DEFAULTED },
    { file: 'support.rego', source: support },
  ]);
  for (const input of [{}, { role: 'admin' }, { method: 'GET', user: 'u' }, { method: 'GET' }, { user: 'u' }, null, 'x']) {
    const want = both.evaluate('authz.allow', { input });
    const got = both.evaluate('partial.authz.allow', { input });
    t.same([got.defined, got.value], [want.defined, want.value], `input ${JSON.stringify(input)}`);
  }

  // no body can hold: the support module holds the default alone
  await writeTree(path.join(dir, 'never'), { 'p.rego': 'package t\n\ndefault allow := "no"\n\nallow if false\n' });
  const never = JSON.parse((await runCli(['eval', '-d', 'never', '--partial', 'data.t.allow'], dir)).out) as typeof j;
  t.same(
    never.partial.modules[0]?.rules.map((x) => [(x.head as { value: { value: unknown } }).value.value, x.default ?? false]),
    [['no', true]],
  );
});

t.test('everything outside the subset is refused with partial_eval_unsupported, never answered', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'pdp-partial-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const cases: [string, string, RegExp][] = [
    ['not', 'allow if not input.a\n', /not is not supported/],
    ['with', 'allow if input.a with input as {}\n', /with is not supported/],
    ['some in', 'allow if { some x in input.xs; x == 1 }\n', /some is not supported/],
    ['every', 'allow if { every x in input.xs { x == 1 } }\n', /every is not supported/],
    ['data ref', 'allow if input.a == data.roles.admin\n', /only comparisons of input references with constants/],
    ['a variable', 'allow if { x := input.a; x == 1 }\n', /only comparisons/],
    ['a builtin', 'allow if startswith(input.a, "x")\n', /only comparisons/],
    ['another rule', 'allow if admin\nadmin if input.role == "admin"\n', /only comparisons/],
    ['a variable key', 'allow if input.a[input.i] == 1\n', /only comparisons/],
    ['a value', 'allow := "yes" if input.a == 1\n', /a value other than true/],
    ['else', 'allow if input.a == 1 else := false\n', /has else/],
    ['a function', 'allow(x) if x == input.a\n', /a function/],
    ['multi-value', 'allow contains 1 if input.a == 1\n', /multi-value/],
    ['an import', 'import data.lib\nallow if input.a == 1\n', /modules with imports/],
  ];
  for (const [name, body, expected] of cases) {
    await writeTree(path.join(dir, name), { 'p.rego': `package t\n\n${body}` });
    const r = await runCli(['eval', '--partial', '-d', name, 'data.t.allow'], dir);
    t.equal(r.code, 2, `${name}: refused`);
    const j = JSON.parse(r.out) as { errors: { code: string; message: string; location?: { file: string } }[] };
    t.equal(j.errors[0]?.code, 'partial_eval_unsupported', name);
    t.match(j.errors[0]?.message, expected, name);
    t.notOk('partial' in j, `${name}: no residual`);
  }
  await writeTree(path.join(dir, 'ok'), { 'p.rego': 'package t\n\nallow if input.a == 1\n', 't/data.json': '{"allow": true}' });
  const more: [string[], RegExp][] = [
    [['data.t.allow', '--unknowns', 'data.x'], /only input is supported as the unknown/],
    [['data.t.allow == true'], /one reference data/],
    [['input.a'], /one reference data/],
    [['data.t.nothing'], /not defined by a rule/],
    [['data.t.allow'], /data files define values/],
    [['data.t'], /package t defines documents under data\.t/],
  ];
  for (const [argv, expected] of more) {
    const r = await runCli(['eval', '--partial', '-d', 'ok', ...argv], dir);
    t.equal(r.code, 2, argv.join(' '));
    t.match(r.out, expected, argv.join(' '));
  }
  const pretty = await runCli(['eval', '--partial', '-f', 'pretty', '-d', 'not', 'data.t.allow'], dir);
  t.match(pretty.err, /^1 error occurred: not\/p\.rego:3: partial_eval_unsupported: not is not supported/);
  const usage: [string[], RegExp][] = [
    [['-f', 'values'], /--partial prints -f json or -f pretty/],
    [['-i', 'x.json'], /known input is not supported/],
    [['--metrics'], /cannot be combined/],
  ];
  for (const [argv, expected] of usage) {
    const r = await runCli(['eval', '--partial', '-d', 'not', 'data.t.allow', ...argv], dir);
    t.equal(r.code, 2);
    t.match(r.err, expected);
  }
  t.match((await runCli(['eval', '-u', 'input', '-d', 'not', 'data.t.allow'], dir)).err, /--unknowns applies only with --partial/);
});

t.test('eval --help lists --partial and --unknowns', async (t) => {
  const r = await runCli(['eval', '--help'], tmpdir());
  t.equal(r.code, 0);
  t.match(r.out, /^ {2}-p, --partial {12}partial evaluation/m);
  t.match(r.out, /^ {2}-u, --unknowns REF {7}the unknown of --partial/m);
});
