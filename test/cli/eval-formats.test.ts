// `pdp eval` -f raw|values|bindings, -I/--stdin-input, --fail-defined (src/cli/eval-output.ts).
import t from 'tap';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { evalExitCode, opaFormat } from '../../src/cli/eval-output.js';
import { runCli } from '../helpers/cli.js';

const cwd = import.meta.dirname;
const run = (argv: string[]) => runCli(argv, cwd);

async function withStdin(argv: string[], stdin: string | undefined): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (s) => void (out += s), err: (s) => void (err += s), cwd };
  if (stdin !== undefined) io.readStdin = async () => stdin;
  const code = await main(argv, io);
  return { code, out, err };
}

t.test('-f values, bindings, raw: one document (or line) per result, as OPA prints them', async (t) => {
  let r = await run(['eval', '-f', 'values', '[1, 2][_]']);
  t.equal(r.code, 0, r.err);
  t.equal(r.out, '[\n  1\n]\n[\n  2\n]\n', 'each result: the array of its expression values');
  r = await run(['eval', '-f', 'values', '1 + 1; "a"']);
  t.equal(r.out, '[\n  2,\n  "a"\n]\n', 'several expressions: all in that array');
  r = await run(['eval', '-f', 'bindings', 'x := [1, 2][_]; y := "k"']);
  t.equal(r.out, '{\n  "x": 1,\n  "y": "k"\n}\n{\n  "x": 2,\n  "y": "k"\n}\n', 'each result: its bindings object');
  r = await run(['eval', '-f', 'raw', '"plain text"']);
  t.equal(r.out, 'plain text\n', 'strings without quotes');
  r = await run(['eval', '-f', 'raw', '{"a": [1]}']);
  t.equal(r.out, '{"a":[1]}\n', 'others as compact JSON');
  r = await run(['eval', '-f', 'raw', '"a"; 1 + 1; [1, 2][_]']);
  t.equal(r.out, 'a 2 1\na 2 2\n', 'a line per result, its expressions separated by spaces');
  r = await run(['eval', '-f', 'raw', 'input.nope']);
  t.equal(r.out, '', 'undefined prints nothing');
  t.equal(opaFormat('bindings', []), '', 'no result, no document');
  t.equal(opaFormat('values', []), '');
  r = await run(['eval', '-f', 'yaml', '1']);
  t.equal(r.code, 2);
  t.match(r.err, /--format must be one of json, pretty, raw, values, bindings/);
});

t.test('--fail and --fail-defined', async (t) => {
  t.equal((await run(['eval', '--fail-defined', '1 == 1'])).code, 1, 'defined → 1');
  t.equal((await run(['eval', '--fail-defined', 'input.nope'])).code, 0, 'undefined → 0');
  t.equal((await run(['eval', '--fail', 'input.nope'])).code, 1);
  t.equal((await run(['eval', '--fail', '1 == 1'])).code, 0);
  t.same([evalExitCode(true, false, false), evalExitCode(false, false, false)], [0, 0]);
});

t.test('-I reads the input from stdin (JSON or YAML)', async (t) => {
  let r = await withStdin(['eval', '-I', '-f', 'raw', 'input.user'], '{"user": "alice"}');
  t.equal(r.out, 'alice\n', r.err);
  r = await withStdin(['eval', '--stdin-input', '-f', 'raw', 'input.n'], 'n: 12345678901234567890\n');
  t.equal(r.out, '12345678901234567890\n', 'YAML, big integers exact');
  r = await withStdin(['eval', '-I', 'input'], '{"broken":');
  t.equal(r.code, 1);
  t.match(r.err, /stdin: cannot parse/);
  r = await withStdin(['eval', '-I', 'input'], undefined);
  t.equal(r.code, 2);
  t.match(r.err, /no standard input/);
  r = await withStdin(['eval', '-I', '-i', 'x.json', 'input'], '{}');
  t.equal(r.code, 2);
  t.match(r.err, /not both/);
});
