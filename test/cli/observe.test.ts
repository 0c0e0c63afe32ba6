// `pdp eval --explain/--profile/--metrics` and `pdp test --coverage/--threshold/--var-values/
// --explain`, run in-process on a policy written to a temporary directory.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCli } from '../helpers/cli.js';

const POLICY = `package example

default allow := false

allow if {
	input.user == "alice"
	trace("checking items")
	some x in input.items
	x > 2
}
`;
const TESTS = `package example_test

import data.example

test_allow if {
	example.allow with input as {"user": "alice", "items": [1, 3]}
}

test_fails if {
	n := count([1, 2])
	m := {"k": n}
	n == 3
}
`;

async function workdir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pdp-observe-'));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

t.test('eval --explain: OPA text trace (pretty) and event objects (json)', async (t) => {
  const dir = await workdir({ 'example.rego': POLICY, 'input.json': '{"user":"alice","items":[1,3]}' });
  const pretty = await runCli(['eval', '-d', 'example.rego', '-i', 'input.json', '--explain', 'full', '-f', 'pretty', 'data.example.allow'], dir);
  t.equal(pretty.code, 0, pretty.err);
  t.equal(
    pretty.out,
    [
      'query:1            Enter data.example.allow',
      'query:1            | Eval data.example.allow',
      'query:1            | Index data.example.allow (matched 1 rule, early exit)',
      'example.rego:5     | Enter data.example.allow',
      'example.rego:6     | | Eval equal(input.user, "alice")',
      'example.rego:7     | | Eval trace("checking items")',
      'example.rego:7     | | Note "checking items"',
      'example.rego:8     | | Eval some x in input.items',
      'example.rego:9     | | Eval gt(x, 2)',
      'example.rego:9     | | Fail gt(x, 2)',
      'example.rego:8     | | Redo some x in input.items',
      'example.rego:9     | | Eval gt(x, 2)',
      'example.rego:5     | | Exit data.example.allow early',
      'query:1            | Exit data.example.allow',
      'query:1            Redo data.example.allow',
      'query:1            | Redo data.example.allow',
      'example.rego:5     | Redo data.example.allow',
      'example.rego:9     | | Redo gt(x, 2)',
      'example.rego:8     | | Redo some x in input.items',
      'example.rego:7     | | Redo trace("checking items")',
      'example.rego:6     | | Redo equal(input.user, "alice")',
      'true',
      '',
    ].join('\n'),
  );
  const json = await runCli(['eval', '-d', 'example.rego', '-i', 'input.json', '--explain', 'notes', 'data.example.allow'], dir);
  t.equal(json.code, 0);
  const body = JSON.parse(json.out) as { result: unknown[]; explanation: { op: string; message?: string }[] };
  t.equal(body.result.length, 1);
  t.same(
    body.explanation.map((e) => e.op),
    ['enter', 'enter', 'note'],
  );
  t.equal(body.explanation[2].message, 'checking items');
});

t.test('eval --profile and --metrics: OPA columns and timers', async (t) => {
  const dir = await workdir({ 'example.rego': POLICY, 'input.json': '{"user":"alice","items":[1,3]}' });
  const json = await runCli(['eval', '-d', 'example.rego', '-i', 'input.json', '--profile', '--profile-sort', 'line', 'data.example.allow'], dir);
  t.equal(json.code, 0, json.err);
  const body = JSON.parse(json.out) as { profile: Record<string, unknown>[]; metrics: Record<string, number> };
  t.same(
    body.profile.map((r) => [(r.location as { row: number }).row, r.num_eval, r.num_redo, r.num_gen_expr]),
    [
      // each expression is redone once more as the early exit unwinds (OPA emits those Redo events too)
      [6, 1, 1, 1],
      [7, 1, 1, 1],
      [8, 1, 2, 1],
      [9, 2, 1, 1],
    ],
  );
  t.same(Object.keys(body.profile[0]).sort(), ['location', 'num_eval', 'num_gen_expr', 'num_redo', 'total_time_ns']);
  t.same(Object.keys(body.metrics).sort(), ['timer_rego_load_files_ns', 'timer_rego_module_compile_ns', 'timer_rego_query_eval_ns']);
  const limited = JSON.parse(
    (await runCli(['eval', '-d', 'example.rego', '-i', 'input.json', '--profile', '--profile-limit', '2', 'data.example.allow'], dir)).out,
  ) as {
    profile: unknown[];
  };
  t.equal(limited.profile.length, 2);

  const pretty = await runCli(['eval', '-d', 'example.rego', '-i', 'input.json', '--metrics', '--profile', '-f', 'pretty', 'data.example.allow'], dir);
  t.match(pretty.out, /^true\n\+-+\+-+\+\n\| +METRIC +\| +VALUE +\|\n/);
  t.match(pretty.out, /\| timer_rego_query_eval_ns +\| \d+ +\|/);
  t.match(pretty.out, /\| +TIME +\| NUM EVAL \| NUM REDO \| NUM GEN EXPR \| +LOCATION +\|/);
  t.match(pretty.out, /\| [\d.]+(ns|µs|ms|s) +\| 2 +\| 1 +\| 1 +\| example\.rego:9 +\|/);

  const metricsOnly = JSON.parse((await runCli(['eval', '-d', 'example.rego', '--metrics', 'data.example.allow'], dir)).out) as Record<string, unknown>;
  t.ok(metricsOnly.metrics);
  t.notOk('profile' in metricsOnly || 'explanation' in metricsOnly);
  const plain = JSON.parse((await runCli(['eval', '-d', 'example.rego', 'data.example.allow'], dir)).out) as Record<string, unknown>;
  t.same(Object.keys(plain), ['result'], 'nothing extra unless asked');
});

t.test('eval: bad observation flags are usage errors naming the flag', async (t) => {
  const dir = await workdir({ 'example.rego': POLICY });
  for (const [args, msg] of [
    [['--explain', 'verbose'], /--explain must be notes, fails, full or debug/],
    [['--explain', ''], /--explain must be/],
    [['--profile', '--profile-limit=-1'], /--profile-limit must be a non-negative integer/],
    [['--profile', '--profile-limit', 'ten'], /--profile-limit/],
    [['--profile', '--profile-sort', 'rank'], /--profile-sort must be one of total_time_ns, num_eval/],
  ] as [string[], RegExp][]) {
    const r = await runCli(['eval', '-d', 'example.rego', ...args, 'data.example.allow'], dir);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.err, msg);
  }
});

t.test('eval --explain does not hide an evaluation error', async (t) => {
  const dir = await workdir({ 'c.rego': 'package c\nx := 1 if input.a\nx := 2 if input.a\n', 'in.json': '{"a": true}' });
  const r = await runCli(['eval', '-d', 'c.rego', '-i', 'in.json', '--explain', 'full', '-f', 'json', 'data.c.x'], dir);
  t.equal(r.code, 1);
  t.match(r.out, /eval_conflict_error/);
});

t.test('test --var-values and --explain under a failed test', async (t) => {
  const dir = await workdir({ 'example.rego': POLICY, 'example_test.rego': TESTS });
  const r = await runCli(['test', '.', '--var-values'], dir);
  t.equal(r.code, 2);
  t.match(r.out, /data\.example_test\.test_fails: FAIL/);
  t.match(r.out, /\n  example_test\.rego:12:\n    n == 3\n    m = \{"k": 2\}\n    n = 2\n/);
  t.notMatch(r.out, /test_allow/, 'passing tests stay quiet');
  const ex = await runCli(['test', '.', '--explain', 'fails'], dir);
  t.equal(ex.code, 2);
  t.match(ex.out, /  example_test\.rego:9 +\| Enter data\.example_test\.test_fails\n  example_test\.rego:12 +\| \| Fail equal\(n, 3\)\n/);
  const notes = await runCli(['test', '.', '--explain', 'notes', '-v'], dir);
  t.match(notes.out, /data\.example_test\.test_allow: PASS[^\n]*\n(  [^\n]*\n)*  example\.rego:7 +\| \| \| Note "checking items"/);
  const bad = await runCli(['test', '.', '--explain', 'everything'], dir);
  t.equal(bad.code, 2);
  t.match(bad.err, /--explain must be notes, fails, full or debug/);
});

t.test('test --coverage prints OPA coverage JSON, unrounded; --threshold compares unrounded and fails under it', async (t) => {
  const dir = await workdir({
    'example.rego': POLICY,
    't_test.rego': 'package t\nimport data.example\ntest_a if { example.allow with input as {"user": "alice", "items": [5]} }\n',
  });
  const r = await runCli(['test', '.', '--coverage'], dir);
  t.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out) as {
    files: Record<string, { covered?: unknown[]; not_covered?: unknown[]; covered_lines?: number; not_covered_lines?: number; coverage?: number }>;
    covered_lines: number;
    not_covered_lines: number;
    coverage: number;
  };
  t.same(Object.keys(report), ['files', 'covered_lines', 'not_covered_lines', 'coverage'], "OPA's cover.Report field order");
  t.same(Object.keys(report.files).sort(), ['example.rego', 't_test.rego']);
  // the policy's default (3) is not covered, allow (5-9) is
  t.same(report.files['example.rego'], {
    covered: [{ start: { row: 5 }, end: { row: 9 } }],
    not_covered: [{ start: { row: 3 }, end: { row: 3 } }],
    covered_lines: 5,
    not_covered_lines: 1,
    coverage: (100 * 5) / 6,
  });
  t.match(r.out, /"coverage": 83\.33333333333333\n/, 'as Go writes 100*5/6: no rounding (older OPA printed 83.35)');
  t.same([report.covered_lines, report.not_covered_lines], [6, 1]);
  t.equal(report.coverage, (100 * 6) / 7);

  const ok = await runCli(['test', '.', '--coverage', '--threshold', '85.71'], dir);
  t.equal(ok.code, 0, ok.err);
  t.equal(ok.err, '');
  // 85.714…% is below 85.72 (a rounding to 0.05 would have made it 85.70 or 85.75)
  const under = await runCli(['test', '.', '--threshold', '85.72'], dir);
  t.equal(under.code, 2, '--threshold alone turns coverage on, as opa test');
  t.equal(under.out, '', 'no report when the threshold is not met, as OPA');
  t.equal(under.err, 'Code coverage threshold not met: got 85.71 instead of 85.72\n');
  const v = await runCli(['test', '.', '--threshold', '100', '-v'], dir);
  t.equal(v.code, 2);
  t.equal(v.err, 'Code coverage threshold not met: got 85.71 instead of 100.00\nLines not covered:\n\texample.rego:3\n', '-v lists the lines');

  // a failing test: no report, the failures listed, exit 1 (tester.JSONCoverageReporter)
  const failing = await workdir({ 'example.rego': POLICY, 'example_test.rego': TESTS });
  const f = await runCli(['test', '.', '--coverage'], failing);
  t.equal(f.code, 1);
  t.match(f.out, /^data\.example_test\.test_fails: FAIL/m);
  t.notMatch(f.out, /"coverage"/);
  t.match(f.err, /^data\.example_test\.test_fails: FAIL/);

  for (const [args, msg] of [
    [['--coverage', '--threshold', '101'], /--threshold must be a number from 0 to 100/],
    [['--coverage', '--threshold', 'x'], /--threshold must be/],
    [['--coverage', '--threshold', ''], /--threshold must be/],
  ] as [string[], RegExp][]) {
    const bad = await runCli(['test', '.', ...args], dir);
    t.equal(bad.code, 2, args.join(' '));
    t.match(bad.err, msg);
  }
});
