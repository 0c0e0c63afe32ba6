// `pdp check`: the bundle-level "fail closed without a request" rule, run in-process through
// main() with captured output — on the repo's policies/ (passes), on a deliberately fail-open
// fixture (test/cli/fixtures/failopen: allow := count(reasons) == 0 with controls that read
// input), and on the usage and load errors.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { NO_REQUEST_INPUTS, servedDecisionPaths, type CheckResult } from '../../src/cli/commands/check.js';
import { packageRoot } from '../../src/shared/package-root.js';
import { runCli } from '../helpers/cli.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');

const run = (argv: string[], cwd = fixtures) => runCli(argv, cwd);

t.test('the served decisions are the decision endpoints and the allow beside each', async (t) => {
  t.same(servedDecisionPaths(), ['ai.deployment.decision', 'ai.deployment.allow', 'ai.tools.decision', 'ai.tools.allow']);
  t.same(
    NO_REQUEST_INPUTS.map((i) => i.label),
    ['no input', '{}', '[]', '""', '0', 'null', 'false', 'true'],
    'no input, then a value of every JSON type that is not a request',
  );
});

t.test("the repo's policies/ pass", async (t) => {
  const r = await run(['check', 'policies'], packageRoot);
  t.equal(r.code, 0, r.out + r.err);
  for (const p of servedDecisionPaths()) t.match(r.out, new RegExp(`^data\\.${p.replace(/\./g, '\\.')}: PASS denies without a request`, 'm'));
  t.match(r.out, /^4 passed, 0 failed$/m);
});

t.test('a bundle that allows without a request fails the command, naming the rule and the inputs', async (t) => {
  const r = await run(['check', 'failopen']);
  t.equal(r.code, 1);
  t.match(r.out, /^data\.ai\.tools\.decision: FAIL allows without a request, on input: no input, \{\}, /m);
  t.match(r.out, /^data\.ai\.tools\.allow: FAIL allows without a request, on input: no input, \{\}, /m);
  t.match(r.out, /^data\.ai\.deployment\.decision: PASS/m, 'the fail-closed domain beside it passes');
  t.match(r.out, /^data\.ai\.deployment\.allow: PASS/m);
  t.match(r.out, /^2 passed, 2 failed$/m);

  const json = await run(['check', 'failopen', '--format', 'json']);
  t.equal(json.code, 1);
  const results = JSON.parse(json.out) as CheckResult[];
  const tools = results.find((x) => x.path === 'data.ai.tools.allow');
  t.match(tools, { defined: true, pass: false, errors: [] });
  t.same(tools?.allows, ['no input', '{}', '[]', '""', '0', 'null', 'false', 'true']);
  t.match(
    results.find((x) => x.path === 'data.ai.deployment.decision'),
    { defined: true, pass: true, allows: [] },
  );
});

t.test('--entrypoint adds a document; an evaluation error is reported, not counted as an allow', async (t) => {
  const r = await run(['check', 'failopen', '-e', 'data/ai/errors/allow']);
  t.equal(r.code, 1, 'the tools documents still fail');
  t.match(r.out, /^data\.ai\.errors\.allow: PASS/m);
  t.match(r.out, /^ {2}input null: evaluation error \(the service denies\): .*eval_conflict_error/m);
  t.match(r.out, /^3 passed, 2 failed$/m);
});

t.test('documents the policies do not define are skipped; none defined under --fail-closed is an error', async (t) => {
  const none = await run(['check', 'pass', '--fail-closed']);
  t.equal(none.code, 2);
  t.match(none.out, /^data\.ai\.tools\.decision: not defined by these policies/m);
  t.match(none.err, /none of the checked documents is defined by these policies/);

  // authz.allow (test/cli/fixtures/pass) reads data.authz.roles[input.user]: no input, no allow.
  const authz = await run(['check', 'pass', '--entrypoint', 'authz.allow']);
  t.equal(authz.code, 0, authz.out + authz.err);
  t.match(authz.out, /^data\.authz\.allow: PASS/m);
  t.match(authz.out, /^1 passed, 0 failed$/m);
});

t.test('policies that define no served decision get opa check: compile only, exit 0, nothing printed', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pdp-check-'));
  await mkdir(path.join(dir, 'ok'));
  await writeFile(path.join(dir, 'ok', 'p.rego'), 'package ok\n\nallow if input.user == "alice"\n');
  const r = await run(['check', 'ok'], dir);
  t.same(r, { code: 0, out: '', err: '' });
  const json = await run(['check', 'ok', '--format', 'json'], dir);
  t.same(json, { code: 0, out: '', err: '' }, 'json: nothing either, as OPA');
  // an -e document is checked (and only it: the service's decisions are not listed)
  const e = await run(['check', 'ok', '-e', 'ok.allow'], dir);
  t.equal(e.code, 0, e.out + e.err);
  t.equal(e.out, 'data.ok.allow: PASS denies without a request (no input, {}, [], "", 0, null, false, true)\n1 passed, 0 failed\n');
  // a type error is an error, exit 1 as opa check
  await writeFile(path.join(dir, 'ok', 'q.rego'), 'package ok\n\nn := count(1)\n');
  const bad = await run(['check', 'ok'], dir);
  t.equal(bad.code, 1);
  t.match(bad.err, /ok\/q\.rego:3:\d+: rego_type_error: /);
});

t.test('usage and load errors', async (t) => {
  const broken = await run(['check', 'broken']);
  t.equal(broken.code, 1, 'a parse error: exit 1, as opa check');
  t.match(broken.err, /error/);
  t.equal((await run(['check'])).code, 2, 'no path');
  t.match((await run(['check', 'pass', '--format', 'yaml'])).err, /--format must be pretty or json/);
  t.match((await run(['check', 'pass', '--timeout', '0'])).err, /--timeout must be a positive number/);
  t.match((await run(['check', 'pass', '-e', 'data'])).err, /--entrypoint must name a document under data/);
  t.equal((await run(['check', 'no-such-dir'])).code, 1, 'a missing path is a load error');
  const help = await run(['check', '--help']);
  t.equal(help.code, 0);
  t.match(help.out, /^Usage: pdp check/);
  t.match((await run(['--help'])).out, /^ {2}check {10}check policies compile \(opa check\)/m);
});

t.test("--format json: errors in OPA's check shape (stderr, {errors: [{location, message, code}]}, two-space indent)", async (t) => {
  const broken = await run(['check', 'broken', '--format', 'json']);
  t.equal(broken.code, 1);
  t.equal(broken.out, '', 'nothing on stdout, as OPA');
  const parsed = JSON.parse(broken.err) as { errors: Record<string, unknown>[] };
  t.same(Object.keys(parsed), ['errors']);
  const [first] = parsed.errors;
  t.same(Object.keys(first ?? {}), ['location', 'message', 'code'], "OPA's OutputError field order, no details");
  t.match(first, { location: { file: 'broken/b.rego', row: 5, col: 1 }, code: 'rego_parse_error', message: /expected/ });
  t.same(Object.keys((first?.location as object) ?? {}), ['file', 'row', 'col']);
  t.match(broken.err, /^\{\n {2}"errors": \[\n {4}\{\n {6}"location"/, "pr.JSON's two-space indent");
  t.ok(broken.err.endsWith('}\n'));

  const strict = await run(['check', 'strict', '--strict', '--format', 'json']);
  t.equal(strict.code, 1);
  const strictErrors = (JSON.parse(strict.err) as { errors: { code: string; location: { file: string } }[] }).errors;
  t.ok(strictErrors.length >= 2, 'every strict error');
  t.ok(
    strictErrors.every((e) => e.code === 'rego_compile_error' && e.location.file === 'strict/s.rego'),
    'each with its code and file',
  );

  const missing = await run(['check', 'no-such-dir', '--format', 'json']);
  t.not(missing.code, 0);
  t.same(JSON.parse(missing.err), { errors: [{ message: 'no-such-dir: no such file or directory' }] }, 'a load error: message only, as OPA');

  const pretty = await run(['check', 'broken']);
  t.match(pretty.err, /^1 error occurred:\nbroken\/b\.rego:5:1: rego_parse_error: /, 'the pretty form is unchanged');
});
