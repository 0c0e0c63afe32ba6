// The `pdp` command, run in-process through main() with captured output, on the small
// policies under test/cli/fixtures.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import t from 'tap';
import { extract } from 'tar-stream';
import { runCli } from '../helpers/cli.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');

const run = (argv: string[], cwd = fixtures) => runCli(argv, cwd);

async function untar(file: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const ex = extract();
  const done = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      files.set(entry.header.name, Buffer.concat(chunks).toString('utf8'));
    }
  })();
  ex.end(gunzipSync(await readFile(file)));
  await done;
  return files;
}

t.test('help', async (t) => {
  const top = await run(['--help']);
  t.equal(top.code, 0);
  t.match(top.out, /Commands:[\s\S]*conformance/);
  const sub = await run(['test', '--help']);
  t.equal(sub.code, 0);
  t.match(sub.out, /^Usage: pdp test/);
  t.match((await run(['help', 'eval'])).out, /^Usage: pdp eval/);
  const bad = await run(['frobnicate']);
  t.equal(bad.code, 2);
  t.match(bad.err, /unknown command "frobnicate"/);
  const badOpt = await run(['eval', '--nope', 'x']);
  t.equal(badOpt.code, 2);
  t.match(badOpt.err, /pdp eval: .*--nope/);
});

t.test('pdp test: passing suite, verbose and quiet', async (t) => {
  const quiet = await run(['test', 'pass', '-z']);
  t.equal(quiet.code, 0, quiet.err);
  t.equal(quiet.out, 'PASS: 3/4\nSKIPPED: 1/4\n3 passed, 0 failed\n', "only the summary (OPA's, then ours) when everything passes");
  const verbose = await run(['test', 'pass', '-v']);
  t.match(verbose.out, /^data\.authz\.test_admin_allowed: PASS \(\d+(\.\d+)?(µs|ms)\)$/m);
  t.match(verbose.out, /^data\.authz\.todo_test_later: SKIPPED$/m);
  t.match(verbose.out, /3 passed, 0 failed\n$/);
});

t.test('pdp test: failures, errors, prints, --run, json', async (t) => {
  const r = await run(['test', 'mixed']);
  t.equal(r.code, 2);
  t.match(r.out, /^data\.mixed\.test_fails: FAIL/m);
  t.match(r.out, /^data\.mixed\.test_errors: ERROR[^\n]*\n  [^\n]*eval_conflict_error/m);
  t.match(r.out, /^data\.mixed\.test_prints: FAIL[^\n]*\n  [^\n]*hello from test/m, 'print output shown for a failing test');
  t.notMatch(r.out, /test_passes/, 'passing tests are not listed without -v');
  t.match(r.out, /\n1 passed, 3 failed\n$/, 'errors count as failed');

  const only = await run(['test', 'mixed', '--run', 'test_pass']);
  t.equal(only.code, 0);
  t.equal(only.out, 'PASS: 1/1\n1 passed, 0 failed\n');

  const none = await run(['test', 'mixed', '--run', 'no_such_test']);
  t.equal(none.code, 0, 'no test ran: exit 0, as opa test without --fail-on-empty');
  t.match(none.err, /no tests match/);

  // OPA's `opa test --format json` shape (tester.Result): omitempty fail/error/skip, duration in ns.
  const json = await run(['test', 'mixed', '--format', 'json']);
  const rows = JSON.parse(json.out) as {
    name: string;
    fail?: boolean;
    error?: { code: string };
    location: { file: string; row: number; col: number };
    package: string;
    duration: number;
    output?: string;
  }[];
  t.same(
    rows.map((x) => [x.name, x.fail ?? false, x.error?.code ?? null]),
    [
      ['test_passes', false, null],
      ['test_fails', true, null],
      ['test_errors', false, 'eval_conflict_error'],
      ['test_prints', true, null],
    ],
  );
  t.equal(rows[0].package, 'data.mixed');
  t.same(rows[0].location.row, 8);
  t.match(rows[0].location.file, /m\.rego$/);
  t.ok(Number.isInteger(rows[0].duration) && rows[0].duration > 0, 'duration in nanoseconds');
  t.equal(Buffer.from(rows[3].output ?? '', 'base64').toString(), 'hello from test\n', 'print output, base64 as Go encodes []byte');
});

t.test('pdp test: compile errors are printed with file:line', async (t) => {
  const r = await run(['test', 'broken']);
  t.equal(r.code, 1, 'a compile error exits 1, as opa test');
  t.match(r.err, /broken\/b\.rego:\d+:\d+: rego_parse_error/);
});

t.test('pdp eval: json and pretty, bindings, undefined, input, data mounting', async (t) => {
  const input = path.join(await mkdtemp(path.join(os.tmpdir(), 'pdp-eval-')), 'input.json');
  await writeFile(input, '{"user": "alice"}');

  const simple = await run(['eval', '-d', 'pass', '-i', input, 'data.authz.allow']);
  t.equal(simple.code, 0, simple.err);
  t.same(JSON.parse(simple.out), {
    result: [{ expressions: [{ value: true, text: 'data.authz.allow', location: { row: 1, col: 1 } }] }],
  });

  const bound = await run(['eval', '-d', 'pass', 'x := data.authz.roles[name]; count(x) > 0']);
  const parsed = JSON.parse(bound.out) as { result: { expressions: { value: unknown }[]; bindings: Record<string, unknown> }[] };
  t.equal(parsed.result.length, 2);
  t.same(parsed.result.map((r) => r.bindings.name).sort(), ['alice', 'bob']);
  t.same(
    parsed.result[0].expressions.map((e) => e.value),
    [true, true],
  );

  const undef = await run(['eval', '-d', 'pass', 'data.authz.nope']);
  t.equal(undef.out, '{}\n');
  t.equal((await run(['eval', '-d', 'pass', '--fail', 'data.authz.nope'])).code, 1);

  const cmp = await run(['eval', '1 == 2']);
  t.same(JSON.parse(cmp.out).result[0].expressions[0].value, false, 'a lone comparison reports its value, as opa eval does');

  const big = await run(['eval', '-d', 'pass', 'data.authz.big']);
  t.match(big.out, /"value": 12345678901234567890,/, 'integers past 2^53 printed exactly');

  const pretty = await run(['eval', '-d', 'pass', '--format', 'pretty', 'data.authz.roles.alice']);
  t.equal(pretty.out, '[\n  "admin"\n]\n');
  const table = await run(['eval', '-d', 'pass', '-f', 'pretty', 'data.authz.roles[name]']);
  t.match(table.out, /\| name +\|/);
  t.equal((await run(['eval', '-f', 'pretty', 'data.x'])).out, 'undefined\n');
});

t.test('pdp eval: errors', async (t) => {
  const compileErr = await run(['eval', '-d', 'broken', 'data.broken']);
  t.equal(compileErr.code, 1);
  t.match(JSON.parse(compileErr.out).errors[0], { code: 'rego_parse_error', location: { row: 5 } });
  const evalErr = await run(['eval', '-d', 'mixed', 'data.mixed.conflict with input.x as true']);
  t.equal(evalErr.code, 1);
  t.equal(JSON.parse(evalErr.out).errors[0].code, 'eval_conflict_error');
  const badQuery = await run(['eval', 'x :=']);
  t.equal(badQuery.code, 1);
  t.equal(JSON.parse(badQuery.out).errors[0].code, 'rego_parse_error');
  const missing = await run(['eval', '-d', 'does-not-exist', 'data']);
  t.equal(missing.code, 1);
  t.match(missing.err, /does-not-exist: no such file or directory/);
});

t.test('pdp bundle build', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pdp-bundle-'));
  const out = path.join(dir, 'b.tar.gz');
  const r = await run(['bundle', 'build', 'pass', '-o', out, '--revision', 'rev-7']);
  t.equal(r.code, 0, r.err);
  const files = await untar(out);
  t.same([...files.keys()], ['/.manifest', '/authz/data.json', '/authz/policy.rego', '/authz/policy_test.rego']);
  t.same(JSON.parse(files.get('/.manifest') ?? ''), { revision: 'rev-7', roots: ['authz'] });
  t.equal(files.get('/authz/policy.rego'), await readFile(path.join(fixtures, 'pass/authz/policy.rego'), 'utf8'));

  const again = path.join(dir, 'again.tar.gz');
  await run(['bundle', 'build', 'pass', '-o', again, '--revision', 'rev-7']);
  t.same(await readFile(again), await readFile(out), 'the same sources give the same bytes');

  const withManifest = path.join(dir, 'm.tar.gz');
  t.equal((await run(['bundle', 'build', 'manifest', '-o', withManifest])).code, 0);
  const m = JSON.parse((await untar(withManifest)).get('/.manifest') ?? '');
  t.same(m, { revision: 'from-manifest', roots: ['acme'], metadata: { team: 'gov' } }, 'existing manifest kept');

  const broken = await run(['bundle', 'build', 'broken', '-o', path.join(dir, 'x.tar.gz')]);
  t.equal(broken.code, 1);
  t.match(broken.err, /broken\/b\.rego:\d+:\d+: rego_parse_error/);
  t.match(broken.err, /no bundle written/);
  await t.rejects(readFile(path.join(dir, 'x.tar.gz')), 'nothing written for a broken directory');

  const outside = await run(['bundle', 'build', 'outside', '-o', path.join(dir, 'y.tar.gz')]);
  t.equal(outside.code, 1);
  t.match(outside.err, /package other is outside the manifest roots \["acme"\]/);

  t.equal((await run(['bundle', 'build', 'pass'])).code, 2, '-o is required');
});

t.test('pdp conformance on small fixture folders', async (t) => {
  const dir = path.join(import.meta.dirname, '..', 'conformance', 'fixtures');
  const r = await run(['conformance', '-q', path.join(dir, 'regorus-mini')]);
  t.equal(r.code, 0);
  t.match(r.out, /^regorus-mini: \d+\/\d+ passed/m);
  t.match(r.out, /^TOTAL: /m);
  const json = await run(['conformance', '--format', 'json', path.join(dir, 'regorus-mini')]);
  const rep = JSON.parse(json.out) as { totals: { total: number }; folders: { folder: string }[] };
  t.equal(rep.folders[0].folder, 'regorus-mini');
  t.equal(rep.totals.total, 9);

  const tmp = await mkdtemp(path.join(os.tmpdir(), 'pdp-conf-'));
  const known = path.join(tmp, 'known.json');
  const w = await run(['conformance', '-q', '--write-known-failures', known, path.join(dir, 'regorus-mini')]);
  t.equal(w.code, 0);
  const list = JSON.parse(await readFile(known, 'utf8')) as Record<string, { reason: string }>;
  t.ok(Object.keys(list).every((k) => k.startsWith('regorus-mini/q/tests.yaml#')));
  const strict = await run(['conformance', '-q', '--known-failures', known, '--fail-on-new', path.join(dir, 'regorus-mini')]);
  t.equal(strict.code, 0, 'no new failures against the list just written');
  const empty = path.join(tmp, 'empty.json');
  await writeFile(empty, '{}');
  const fresh = await run(['conformance', '-q', '--known-failures', empty, '--fail-on-new', path.join(dir, 'regorus-mini')]);
  t.equal(fresh.code, Object.keys(list).length > 0 ? 1 : 0);
});
