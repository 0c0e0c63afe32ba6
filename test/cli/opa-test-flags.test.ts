// `pdp test` in OPA's shapes: the PASS/FAIL summary, --count, --bench (src/cli/test-output.ts).
import path from 'node:path';
import t from 'tap';
import { benchmark, opaSummary } from '../../src/cli/test-output.js';
import { runCli } from '../helpers/cli.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const run = (argv: string[]) => runCli(argv, fixtures);

t.test('summary: PASS/FAIL/ERROR/SKIPPED counts of all tests, after a rule when details were printed', async (t) => {
  const r = await run(['test', 'mixed']);
  t.match(r.out, /\n-{80}\nPASS: 1\/4\nFAIL: 2\/4\nERROR: 1\/4\n1 passed, 3 failed\n$/);
  const v = await run(['test', 'pass', '-v']);
  t.match(v.out, /\n-{80}\nPASS: 3\/4\nSKIPPED: 1\/4\n/);
  t.equal(opaSummary([], false), '');
});

t.test("exit status as opa test's (cmd/test.go): 2 when a test does not pass, 1 for errors outside the tests", async (t) => {
  t.equal((await run(['test', 'mixed'])).code, 2, 'a failed or errored test');
  t.equal((await run(['test', 'mixed', '--run', 'test_errors'])).code, 2, 'an errored test alone');
  t.equal((await run(['test', 'mixed', '--run', 'test_fails'])).code, 2, 'a failed test alone');
  t.equal((await run(['test', 'pass'])).code, 2, 'a skipped (todo_) test does not pass either');
  t.equal((await run(['test', 'pass', '-z'])).code, 0, '-z, --exit-zero-on-skipped');
  t.equal((await run(['test', 'pass', '--exit-zero-on-skipped'])).code, 0);
  t.equal((await run(['test', 'mixed', '-z'])).code, 2, '-z does not excuse a failure');
  t.equal((await run(['test', 'pass', '--run', 'test_admin'])).code, 0, 'every test passes');
  t.equal((await run(['test', 'broken'])).code, 1, 'a compile error');
  t.equal((await run(['test', 'no-such-dir'])).code, 1, 'a load error');
  const none = await run(['test', 'pass', '--run', 'nothing_matches']);
  t.equal(none.code, 0, 'no test ran');
  const empty = await run(['test', 'pass', '--run', 'nothing_matches', '--fail-on-empty']);
  t.equal(empty.code, 1, '--fail-on-empty');
  t.match(empty.err, /no tests were run/);
});

t.test('--count N runs every test N times', async (t) => {
  const r = await run(['test', 'pass', '--count', '3', '--format', 'json']);
  const rows = JSON.parse(r.out) as { name: string }[];
  t.equal(rows.length, 12);
  t.equal(rows.filter((x) => x.name === 'test_admin_allowed').length, 3);
  const pretty = await run(['test', 'pass', '--count', '2']);
  t.match(pretty.out, /^PASS: 6\/8$/m);
  for (const bad of ['0', 'x', '1.5', '10001']) {
    const b = await run(['test', 'pass', '--count', bad]);
    t.equal(b.code, 2, bad);
    t.match(b.err, /--count must be an integer/);
  }
});

t.test('--bench: ns/op per passing test, bench in the JSON', async (t) => {
  const r = await run(['test', 'pass', '--bench', '--run', 'test_viewer']);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /^data\.authz\.test_viewer_denied\t +\d+\t +\d+ ns\/op$/m);
  const j = await run(['test', 'pass', '--bench', '--run', 'test_viewer', '--format', 'json']);
  const rows = JSON.parse(j.out) as Record<string, unknown>[];
  const b = rows[0]?.benchmark_result as { N: number; T: number } | undefined;
  t.ok(b && b.N >= 1 && b.T > 0, JSON.stringify(b));
  t.same(Object.keys(b ?? {}), ['N', 'T', 'Bytes', 'MemAllocs', 'MemBytes', 'Extra'], "Go's testing.BenchmarkResult field names (OPA's benchmark_result)");
  t.notOk('bench' in (rows[0] ?? {}), 'no field of our own');
  const failing = await run(['test', 'mixed', '--bench']);
  t.match(failing.out, /^data\.mixed\.test_fails: FAIL$/m, 'a failing test is not benchmarked');
  t.equal(failing.code, 2);
});

t.test('benchmark grows N until the run lasts the target time, capped', async (t) => {
  let calls = 0;
  const b = benchmark(() => void calls++, 5, 1000);
  t.equal(b.n, 1000, 'a trivial body reaches the cap');
  t.ok(calls >= 1000);
  const slow = benchmark(() => {
    const end = performance.now() + 2;
    while (performance.now() < end);
  }, 5);
  t.ok(slow.totalNs >= 5e6 && slow.n >= 1, `${slow.n} runs, ${slow.totalNs} ns`);
});

t.test("--format json: each field as OPA's tester.Result encodes it (v1/tester/runner.go, reporter.go)", async (t) => {
  const r = await run(['test', 'mixed', '--format', 'json']);
  t.equal(r.code, 2);
  t.match(r.out, /^\[\n {2}\{\n {4}"location": \{/, "json.MarshalIndent's two-space indent");
  const rows = JSON.parse(r.out) as Record<string, unknown>[];
  const by = (name: string) => rows.find((x) => x.name === name) ?? {};
  const order = ['location', 'package', 'name', 'fail', 'error', 'skip', 'duration', 'trace', 'output', 'failed_at', 'benchmark_result', 'sub_results'];
  for (const row of rows) {
    const keys = Object.keys(row);
    t.same(
      keys,
      order.filter((k) => keys.includes(k)),
      `${String(row.name)}: OPA's field order`,
    );
    t.ok(
      keys.every((k) => order.includes(k)),
      `${String(row.name)}: only OPA's fields`,
    );
  }
  t.same(Object.keys(by('test_passes')), ['location', 'package', 'name', 'duration'], 'a pass: omitempty fields left out');
  t.same(Object.keys(by('test_passes').location as object), ['file', 'row', 'col']);
  t.match(by('test_passes'), { package: 'data.mixed', location: { file: 'mixed/m.rego', row: 8, col: 1 } });
  t.equal(by('test_fails').fail, true);
  const err = by('test_errors').error as { code: string; message: string; location?: { file: string; row: number } };
  t.same(Object.keys(err), ['code', 'message', 'location'], "topdown.Error's fields");
  t.equal(err.code, 'eval_conflict_error');
  t.notMatch(err.message, /^mixed\/m\.rego:|eval_conflict_error:/, 'the message without the location and code prefix');
  t.equal(err.location?.file, 'mixed/m.rego');
  t.equal(Buffer.from(String(by('test_prints').output), 'base64').toString('utf8'), 'hello from test\n', '[]byte output is base64');
  t.ok(Number.isInteger(by('test_passes').duration), 'duration in integer nanoseconds');
});
