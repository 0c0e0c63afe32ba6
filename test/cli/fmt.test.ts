// `pdp fmt` (src/cli/commands/fmt.ts, src/rego/format.ts): OPA's canonical layout.
// - Round trip: every .rego in policies/ and examples/, and every module of the conformance cases
//   in /work/shared/conformance (read at test time), formats to text that parses back to the same
//   AST (up to what `opa fmt` rewrites on purpose: `=` → `:=` in rule heads, import order,
//   future.keywords / rego.v1 imports dropped), keeps every comment, and formats to itself again
//   (idempotent). Comments in every position stay in place (fixtures/fmt/comments*.rego).
// - OPA's own fmt cases (its format/testfiles/v1 test_if and test_if_else inputs; the expected
//   .formatted files hold OPA's published outputs) print byte for byte as OPA prints them.
// - The flags: -l, -d, -w, --fail, --v0-compatible, --v0-v1, parse errors, missing paths.
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { loadFolder } from '../../src/conformance/load.js';
import { moduleJson } from '../../src/rego/ast-json.js';
import type { Module } from '../../src/rego/ast.js';
import { formatSource } from '../../src/rego/format.js';
import { tokenize, type Comment } from '../../src/rego/lexer.js';
import { parseModule } from '../../src/rego/parser.js';
import { packageRoot } from '../../src/shared/package-root.js';
import { runCli } from '../helpers/cli.js';

const fixtures = path.join(import.meta.dirname, 'fixtures', 'fmt');
const conformance = path.resolve(packageRoot, '..', 'shared', 'conformance');

/** The module's AST without locations, ignoring what fmt rewrites on purpose. */
function canonical(m: Module): string {
  const j = moduleJson(m) as { imports?: { path: { value: { value: string }[] } }[] };
  if (j.imports) {
    j.imports = j.imports.filter((i) => !['future', 'rego'].includes(i.path.value[0].value)).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    if (j.imports.length === 0) delete j.imports;
  }
  return JSON.stringify(j, (k, v: unknown) => (k === 'assign' ? undefined : typeof v === 'bigint' ? v.toString() : v));
}

/** The comments of `src` that `out` does not have (as a multiset of their texts). */
function missingComments(src: string, out: string): string[] {
  const texts = (text: string): string[] => {
    const cs: Comment[] = [];
    tokenize('x.rego', text, cs);
    return cs.map((c) => c.text.trimEnd());
  };
  const left = texts(out);
  return texts(src).filter((c) => {
    const i = left.indexOf(c);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

/**
 * Each end-of-line comment with the code token before it on its line (`] # note`): formatting
 * keeps these pairs unless it joins the lines the comment sat between.
 */
function commentAnchors(text: string): string[] {
  const cs: Comment[] = [];
  const toks = tokenize('x.rego', text, cs);
  const out: string[] = [];
  for (const c of cs) {
    const before = toks.filter((k) => k.kind !== 'eof' && k.row === c.row && k.col < c.col).at(-1);
    if (before) out.push(`${before.text} #${c.text.trimEnd()}`);
  }
  return out.sort();
}

/** Parses src (v1, else v0), formats it, and says what is wrong, or null. */
function roundTrip(file: string, src: string): string | null | 'unparsable' {
  let m: Module;
  try {
    m = parseModule(file, src, { regoVersion: 1 });
  } catch {
    try {
      m = parseModule(file, src, { regoVersion: 0 });
    } catch {
      return 'unparsable';
    }
  }
  const out = formatSource(file, src, { regoVersion: m.regoVersion });
  let back: Module;
  try {
    back = parseModule(file, out, { regoVersion: m.regoVersion });
  } catch (e) {
    return `formatted text does not parse: ${(e as Error).message}\n${out}`;
  }
  if (canonical(back) !== canonical(m)) return `AST differs after formatting:\n${out}`;
  const lost = missingComments(src, out);
  if (lost.length > 0) return `comments lost: ${lost.join(' | ')}\n${out}`;
  const again = formatSource(file, out, { regoVersion: m.regoVersion });
  if (again !== out) return `not idempotent:\n${out}\n---\n${again}`;
  return null;
}

async function regoFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.rego')) out.push(path.join(e.parentPath, e.name));
  }
  return out.sort();
}

t.test('every .rego in policies/ and examples/ round-trips and is idempotent', async (t) => {
  const files = [...(await regoFiles(path.join(packageRoot, 'policies'))), ...(await regoFiles(path.join(packageRoot, 'examples')))];
  t.ok(files.length > 40, `${files.length} files`);
  const bad: string[] = [];
  for (const f of files) {
    const src = await readFile(f, 'utf8');
    const r = roundTrip(f, src);
    if (r !== null) bad.push(`${path.relative(packageRoot, f)}: ${r}`);
    // none of these files splits a term the formatter joins: every end-of-line comment keeps its code
    else t.same(commentAnchors(formatSource(f, src)), commentAnchors(src), `${path.relative(packageRoot, f)}: end-of-line comments stay on their code`);
  }
  t.same(bad, []);
});

const skipConformance = existsSync(conformance) ? false : `${conformance} is absent (shared reference material, not in the repository): skipped`;

t.test('every module of the conformance cases round-trips and is idempotent', { skip: skipConformance }, async (t) => {
  let checked = 0;
  let unparsable = 0;
  const bad: string[] = [];
  for (const folder of ['opa-v1', 'regorus']) {
    const loaded = await loadFolder(path.join(conformance, folder));
    for (const file of loaded.files) {
      for (const c of file.cases as { modules?: unknown; note?: unknown }[]) {
        if (!Array.isArray(c?.modules)) continue;
        for (const src of c.modules) {
          if (typeof src !== 'string') continue;
          const r = roundTrip(`${file.file}#${String(c.note)}`, src);
          if (r === 'unparsable') unparsable++;
          else if (r !== null) bad.push(`${folder}/${file.file} ${String(c.note)}: ${r}`);
          else checked++;
        }
      }
    }
  }
  t.ok(checked > 2000, `${checked} modules formatted (${unparsable} are parse-error cases, skipped)`);
  t.same(bad.slice(0, 5), [], `${bad.length} modules fail`);
});

t.test("OPA's own fmt cases print as OPA prints them", async (t) => {
  for (const name of ['if', 'if_else']) {
    const src = await readFile(path.join(fixtures, `${name}.rego`), 'utf8');
    const want = await readFile(path.join(fixtures, `${name}.rego.formatted`), 'utf8');
    t.equal(formatSource(`${name}.rego`, src), want, name);
  }
  const v0 = await readFile(path.join(fixtures, 'v0.rego'), 'utf8');
  t.equal(formatSource('v0.rego', v0, { regoVersion: 0, outputVersion: 1 }), await readFile(path.join(fixtures, 'v0.rego.v1-formatted'), 'utf8'));
});

t.test('comments stay where they were written, and none is dropped', async (t) => {
  // In place: after an open bracket, after a line of items, on their own lines between items and
  // before a closing bracket (arrays, objects, sets, call and function arguments, comprehensions,
  // every bodies, rule bodies), on a closing brace before a separate else, in a multi-line some.
  // The file is already in OPA's layout, so formatting must not change it.
  const inPlace = await readFile(path.join(fixtures, 'comments.rego'), 'utf8');
  t.equal(formatSource('comments.rego', inPlace), inPlace, 'comments.rego formats to itself');
  // Where the layout cannot keep the line (an infix or a ref split over lines, an object entry
  // split after its colon, a comment before a closing bracket that shares the last item's row),
  // the comment goes to the nearest line; it is never dropped.
  const src = await readFile(path.join(fixtures, 'comments_moved.rego'), 'utf8');
  const out = formatSource('comments_moved.rego', src);
  t.equal(out, await readFile(path.join(fixtures, 'comments_moved.rego.formatted'), 'utf8'));
  t.same(missingComments(src, out), [], 'every comment survives');
  t.same(commentAnchors(formatSource('comments.rego', inPlace)), commentAnchors(inPlace), 'end-of-line comments stay on their code');
  t.equal(roundTrip('comments_moved.rego', src), null, 'same AST, idempotent');
  t.equal(roundTrip('comments.rego', inPlace), null);
});

t.test('layout rules', async (t) => {
  const f = (src: string): string => formatSource('x.rego', src);
  t.equal(
    f('package p\nimport data.b\nimport data.a\nx:=1\ny:=2\n\nz:=3\n'),
    'package p\n\nimport data.a\nimport data.b\n\nx := 1\ny := 2\n\nz := 3\n',
    'imports sorted; adjacent one-line rules grouped',
  );
  t.equal(
    f('package p\nimport rego.v1\nimport future.keywords.in\ns contains x if { some x in [1] }\n'),
    'package p\n\ns contains x if some x in [1]\n',
    'v1 needs no keyword imports',
  );
  t.equal(
    f('package p\na := (1 + 2) * 3\nb := 1 + (2 * 3)\nc := -1.5\nd := 1 - (2 - 3)\n'),
    'package p\n\na := (1 + 2) * 3\nb := 1 + (2 * 3)\nc := -1.5\nd := 1 - (2 - 3)\n',
    'parentheses kept where written',
  );
  t.equal(
    f('package p\nx := {"a": 1,\n  "b": [1,\n 2]}\n'),
    'package p\n\nx := {\n\t"a": 1,\n\t"b": [\n\t\t1,\n\t\t2,\n\t],\n}\n',
    'multi-line composites one line each, trailing commas',
  );
  t.equal(
    f('package p\n# lead\nq if {\n  # inside\n  true # trail\n  # end\n}\n# eof\n'),
    'package p\n\n# lead\nq if {\n\t# inside\n\ttrue # trail\n\t# end\n}\n\n# eof\n',
    'comments kept in place',
  );
  t.equal(
    f('package p\nr := `raw\\n` if input.x[y] with input as {}\n'),
    'package p\n\nr := `raw\\n` if input.x[y] with input as {}\n',
    'raw strings stay raw',
  );
  t.equal(
    f('package p\nq if {\n  x := data.y\n    with input as 1\n}\n'),
    'package p\n\nq if {\n\tx := data.y\n\t\twith input as 1\n}\n',
    '`with` on its own line stays',
  );
  t.equal(f('package p\nq if every x in [1] { x > 0 }\n'), 'package p\n\nq if {\n\tevery x in [1] {\n\t\tx > 0\n\t}\n}\n');
  t.equal(f('package p\nv := [x | x := [1,2][_]; x > 1]\n'), 'package p\n\nv := [x | x := [1, 2][_]; x > 1]\n');
});

const run = (argv: string[], cwd = fixtures) => runCli(argv, cwd);

t.test('pdp fmt flags', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'pdp-fmt-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await copyFile(path.join(fixtures, 'if.rego'), path.join(dir, 'if.rego'));
  await copyFile(path.join(fixtures, 'if.rego.formatted'), path.join(dir, 'done.rego'));

  let r = await run(['fmt', 'if.rego'], dir);
  t.equal(r.code, 0);
  t.equal(r.out, await readFile(path.join(fixtures, 'if.rego.formatted'), 'utf8'), 'prints the formatted text');

  r = await run(['fmt', '-l', '.'], dir);
  t.equal(r.code, 0);
  t.equal(r.out, 'if.rego\n', '-l lists only the file that changes');
  r = await run(['fmt', '-l', '--fail', '.'], dir);
  t.equal(r.code, 1, '--fail: exit 1 when a file would change');
  r = await run(['fmt', '--fail', 'done.rego'], dir);
  t.equal(r.code, 0, '--fail: exit 0 when nothing changes');

  r = await run(['fmt', '-d', 'if.rego'], dir);
  t.match(r.out, /^--- a\/if\.rego\n\+\+\+ b\/if\.rego\n@@ /m, 'unified diff');
  t.match(r.out, /^-q\[x\] = y if \{$/m);
  t.match(r.out, /^\+q\[x\] := y if \{$/m);

  r = await run(['fmt', '-w', '.'], dir);
  t.equal(r.code, 0);
  t.equal(r.out, '');
  t.equal(await readFile(path.join(dir, 'if.rego'), 'utf8'), await readFile(path.join(fixtures, 'if.rego.formatted'), 'utf8'), '-w rewrote the file');
  r = await run(['fmt', '-l', '--fail', '.'], dir);
  t.same([r.code, r.out], [0, ''], 'nothing left to change');

  r = await run(['fmt', '--v0-compatible', 'v0.rego']);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /^deny\[msg\] \{$/m, 'v0 stays v0');
  t.match(r.out, /^import future\.keywords\.in$/m);
  r = await run(['fmt', 'v0.rego']);
  t.equal(r.code, 2, 'a v0 file read as v1 does not parse');
  t.match(r.err, /v0\.rego:7:\d+: rego_parse_error/);
  r = await run(['fmt', 'nope.rego']);
  t.equal(r.code, 1);
  t.match(r.err, /nope\.rego: no such file or directory/);
  r = await run(['fmt']);
  t.equal(r.code, 2);
  r = await run(['fmt', '--bogus', 'if.rego']);
  t.equal(r.code, 2);
  r = await run(['fmt', '--help']);
  t.match(r.out, /Usage: pdp fmt/);
});
