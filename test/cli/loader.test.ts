// `pdp test` and `pdp eval` load paths as OPA's loader does (issue 14): every .json/.yaml file
// under a directory is data mounted at its directory (library tests read data.tests.inputs.*),
// .tar.gz bundles, --ignore, --v0-compatible, durations in Go's syntax, numbers kept exact.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { writeTarGz } from '../../src/cli/tarball.js';
import { parseDuration } from '../../src/cli/duration.js';
import { globToRegExp } from '../../src/cli/sources.js';
import { runCli } from '../helpers/cli.js';

/** Writes `files` (relative path → text) under a fresh temporary directory. */
async function tree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pdp-loader-'));
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
  return dir;
}

const LIB = {
  'lib/policy.rego': 'package lib\n\ndeny contains msg if {\n\tinput.kind == "Pod"\n\tmsg := "no pods"\n}\n',
  'lib/policy_test.rego':
    'package lib\n\ntest_pod_denied if {\n\tcount(deny) == 1 with input as data.tests.inputs.pod\n}\n\ntest_svc_allowed if {\n\tcount(deny) == 0 with input as data.tests.inputs.svc\n}\n',
  'lib/tests/inputs.json': '{"inputs": {"pod": {"kind": "Pod"}}}',
  'lib/tests/more.yaml': 'inputs:\n  svc:\n    kind: Service\n',
};

t.test('pdp test mounts every .json/.yaml file at its directory, as opa test does', async (t) => {
  const dir = await tree(LIB);
  const r = await runCli(['test', 'lib', '-v'], dir);
  t.equal(r.code, 0, r.out + r.err);
  t.match(r.out, /2 passed, 0 failed/);
});

t.test('--ignore skips files and directories by name', async (t) => {
  const dir = await tree({ ...LIB, 'lib/broken.rego': 'package lib\nthis is not rego\n' });
  t.equal((await runCli(['test', 'lib'], dir)).code, 1, 'the broken module is loaded without --ignore');
  const r = await runCli(['test', 'lib', '--ignore', 'broken*'], dir);
  t.equal(r.code, 0, r.out + r.err);
  const noTests = await runCli(['test', 'lib', '--ignore', 'tests', '--ignore', 'broken.rego'], dir);
  t.equal(noTests.code, 2, 'without the tests directory the inputs are missing');
  t.equal(globToRegExp('[a-c]?.rego').test('b1.rego'), true);
  t.equal(globToRegExp('*.rego').test('x.json'), false);
  t.equal(globToRegExp('a.b').test('axb'), false, 'dots are literal');
});

t.test('--v0-compatible parses Rego v0 (rules without if, p[x] { } partial sets)', async (t) => {
  const dir = await tree({
    'v0/p.rego': 'package p\n\nf("a", _)\nallow { f("a", 1) }\nnames[n] { n := "x" }\ntest_v0 { allow; names["x"] }\n',
  });
  const v1 = await runCli(['test', 'v0'], dir);
  t.equal(v1.code, 1, 'v0 syntax is refused as v1 (a compile error: exit 1)');
  const r = await runCli(['test', 'v0', '--v0-compatible'], dir);
  t.equal(r.code, 0, r.out + r.err);
  t.match(r.out, /1 passed, 0 failed/);
});

t.test('.tar.gz bundles and -b directories: only data.json/data.yaml are data; manifest rego_version', async (t) => {
  const dir = await tree({
    'b/.manifest': '{"rego_version": 0}',
    'b/a/p.rego': 'package a\nv := data.a.x\ntest_x { v == 1 }\n',
    'b/a/data.json': '{"x": 1}',
    'b/a/other.json': '{"y": 2}',
  });
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  await writeFile(
    path.join(dir, 'b.tar.gz'),
    await writeTarGz([
      { name: '/.manifest', body: enc('{"rego_version": 0}') },
      { name: '/a/p.rego', body: enc('package a\nv := data.a.x\ntest_x { v == 1 }\n') },
      { name: '/a/data.json', body: enc('{"x": 1}') },
    ]),
  );
  const tgz = await runCli(['test', 'b.tar.gz', '-v'], dir);
  t.equal(tgz.code, 0, tgz.out + tgz.err);
  const ev = await runCli(['eval', '-b', 'b', '-f', 'pretty', 'data.a'], dir);
  t.equal(ev.code, 0, ev.err);
  t.strictSame(JSON.parse(ev.out), { test_x: true, v: 1, x: 1 }, 'other.json is not bundle data');
  const plain = await runCli(['eval', '-d', 'b', '-f', 'pretty', 'data.a.y'], dir);
  t.equal(plain.out.trim(), '2', 'as -d, every .json file is data');
});

t.test('--timeout takes Go durations', async (t) => {
  t.equal(parseDuration('5s', '--timeout'), 5000);
  t.equal(parseDuration('1m30s', '--timeout'), 90_000);
  t.equal(parseDuration('250ms', '--timeout'), 250);
  t.equal(parseDuration('1.5h', '--timeout'), 5_400_000);
  t.equal(parseDuration('5000', '--timeout'), 5000, 'a bare number is milliseconds');
  for (const bad of ['5x', '', 's', '-1s', '0s', '0']) t.throws(() => parseDuration(bad, '--timeout'), { message: /invalid duration/ }, bad);
  const dir = await tree(LIB);
  t.equal((await runCli(['test', 'lib', '--timeout', '5s'], dir)).code, 0);
  const bad = await runCli(['test', 'lib', '--timeout', 'soon'], dir);
  t.equal(bad.code, 2);
  t.match(bad.err, /--timeout: invalid duration "soon"/);
});

t.test('numbers in JSON data and input and in policies stay exact', async (t) => {
  const dir = await tree({
    'n/p.rego': 'package p\nz := {"z": 123456789012345678901234567890e0}\nx := 1e1000\nd := data.big\ni := input.v\n',
    'n/n.json': '{"big": 123456789012345678901234567890e0}',
    'in.json': '{"v": 1e40}',
  });
  const r = await runCli(['eval', '-d', 'n', '-i', 'in.json', '-f', 'pretty', 'data.p'], dir);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /"d": 123456789012345678901234567890,\n/);
  t.match(r.out, /"i": 10000000000000000000000000000000000000000,\n/);
  t.match(r.out, /"x": 10{1000},\n/);
  t.match(r.out, /"z": 123456789012345678901234567890\n/);
});
