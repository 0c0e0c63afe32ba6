// `pdp bench`: OPA's bench result (N, T, ns/op) as a table or JSON; --count; input and load errors.
import path from 'node:path';
import t from 'tap';
import { runCli } from '../helpers/cli.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const run = (argv: string[]) => runCli(argv, fixtures);

t.test('table and JSON results', async (t) => {
  const r = await run(['bench', '-d', 'pass', '--benchtime', '20ms', 'data.authz.allow']);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /^\| samples +\| +\d+ \|$/m);
  t.match(r.out, /^\| ns\/op +\| +\d+ \|$/m);
  const j = await run(['bench', '-d', 'pass', '--benchtime', '20ms', '--count', '2', '-f', 'json', 'data.authz.allow']);
  const results = j.out
    .trim()
    .split(/\n(?=\{)/)
    .map((s) => JSON.parse(s) as { N: number; T: number; Extra: { 'ns/op': number } });
  t.equal(results.length, 2, '--count 2: two results');
  for (const x of results) {
    t.ok(x.N >= 1 && x.T >= 20e6, `N ${x.N}, T ${x.T}`);
    t.equal(x.Extra['ns/op'], Math.round(x.T / x.N));
  }
});

t.test('errors', async (t) => {
  let r = await run(['bench', '-d', 'pass', 'data.authz[']);
  t.equal(r.code, 2, 'a query that does not parse');
  t.match(r.err, /rego_parse_error/);
  r = await run(['bench', '-d', 'broken', 'data.x']);
  t.equal(r.code, 2);
  r = await run(['bench', '-d', 'mixed', '--benchtime', '5ms', 'data.mixed.test_errors']);
  t.equal(r.code, 1, 'an evaluation error stops before timing');
  t.match(r.err, /eval_conflict_error/);
  r = await run(['bench', '-d', 'pass', '-i', 'nope.json', 'input']);
  t.equal(r.code, 1);
  t.match(r.err, /cannot read input file/);
  for (const argv of [['bench'], ['bench', '--count', '0', 'x'], ['bench', '-f', 'csv', 'x'], ['bench', '--benchtime', 'soon', 'x']]) {
    t.equal((await run(argv)).code, 2, argv.join(' '));
  }
});
