// `pdp inspect`: a bundle's manifest, namespaces and annotations, in OPA's JSON shape and as tables.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCli } from '../helpers/cli.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const run = (argv: string[], cwd = fixtures) => runCli(argv, cwd);

t.test("--format json: {manifest, namespaces, annotations} (namespaces as OPA's NamespaceInfo: file, title, organizations)", async (t) => {
  const r = await run(['inspect', 'inspect', '--format', 'json']);
  t.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as {
    manifest: unknown;
    namespaces: Record<string, { file: string; title?: string; organizations?: string[] }[]>;
    annotations: { location: { row: number }; path: { value: string }[]; annotations: { title?: string; scope?: string; entrypoint?: boolean } }[];
  };
  t.same(j.manifest, { revision: 'r7', roots: ['authz'] });
  t.same(Object.keys(j.namespaces), ['data.authz']);
  t.match(j.namespaces['data.authz'][0], { file: /authz\/policy\.rego$/, title: 'Authorization' }, "the package annotation's title");
  t.same(
    j.annotations.map((a) => [a.path.map((p) => p.value).join('.'), a.annotations.title, a.annotations.scope, a.location.row]),
    [
      ['data.authz', 'Authorization', 'package', 1],
      ['data.authz.allow', 'Allow', 'rule', 6],
    ],
  );
  t.equal(j.annotations[1].annotations.entrypoint, true);
});

t.test('pretty tables; a .tar.gz bundle; errors', async (t) => {
  const r = await run(['inspect', 'inspect']);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /^MANIFEST:\n\+-+/);
  t.match(r.out, /\| Revision +\| r7 +\|/);
  t.match(r.out, /NAMESPACES:\n[^]*\| data\.authz +\| inspect\/authz\/policy\.rego +\|/);
  t.match(r.out, /ANNOTATIONS:\n[^]*\| data\.authz\.allow +\| [^|]*policy\.rego:6 +\| \{"entrypoint":true,"scope":"rule","title":"Allow"\}/);

  const dir = await mkdtemp(path.join(tmpdir(), 'pdp-inspect-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const built = await run(['bundle', 'build', 'inspect', '-o', path.join(dir, 'b.tar.gz')]);
  t.equal(built.code, 0, built.err);
  const tar = await run(['inspect', path.join(dir, 'b.tar.gz'), '-f', 'json']);
  t.equal(tar.code, 0, tar.err);
  t.same((JSON.parse(tar.out) as { manifest: { revision: string } }).manifest.revision, 'r7');

  const broken = await run(['inspect', 'broken']);
  t.equal(broken.code, 2);
  t.match(broken.err, /rego_parse_error/);
  t.equal((await run(['inspect'])).code, 2);
  t.equal((await run(['inspect', 'inspect', '-f', 'xml'])).code, 2);
});

t.test("data files, signatures_config and wasm_modules as OPA's inspect lists them (internal/bundle/inspect)", async (t) => {
  const { writeTree, tarball } = await import('../helpers/bundle-files.js');
  const { writeFile } = await import('node:fs/promises');
  const dir = await mkdtemp(path.join(tmpdir(), 'pdp-inspect-extras-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const files = {
    '.manifest': JSON.stringify({
      revision: 'quickbrownfaux',
      wasm: [
        { entrypoint: 'http/example/authz/allow', module: '/policy.wasm' },
        { entrypoint: 'http/example/foo/allow', module: '/example/policy.wasm' },
      ],
    }),
    '.signatures.json': JSON.stringify({ signatures: ['eyJhbGciOiJIUzI1NiJ9.e30.sig'] }),
    'a/b/c/data.json': '[1,2,3]',
    'a/b/y/data.yaml': 'foo: 1\n',
    'a/b/y/foo.rego': 'package a.b.y\n\np := 1\n',
    'example/example.rego': 'package example\n\nq := 1\n',
    'example/policy.wasm': 'modules-compiled-as-wasm-binary',
    'policy.wasm': 'modules-compiled-as-wasm-binary',
    'data.json': '{"x": {"y": true}}',
  };
  await writeTree(path.join(dir, 'b'), files);
  await writeFile(path.join(dir, 'b.tar.gz'), await tarball(files));

  const d = await run(['inspect', 'b', '--format', 'json'], dir);
  t.equal(d.code, 0, d.err);
  const j = JSON.parse(d.out) as Record<string, unknown>;
  t.same(Object.keys(j), ['manifest', 'signatures_config', 'wasm_modules', 'namespaces'], "inspect.Info's field order");
  t.same(j.signatures_config, { signatures: ['eyJhbGciOiJIUzI1NiJ9.e30.sig'] });
  t.same(j.wasm_modules, [
    { entrypoints: ['data.http.example.foo.allow'], path: '/example/policy.wasm', url: 'b/example/policy.wasm' },
    { entrypoints: ['data.http.example.authz.allow'], path: '/policy.wasm', url: 'b/policy.wasm' },
  ]);
  t.same(j.namespaces, {
    data: [{ file: 'b/data.json' }],
    'data.a.b.c': [{ file: 'b/a/b/c/data.json' }],
    'data.a.b.y': [{ file: 'b/a/b/y/foo.rego' }, { file: 'b/a/b/y/data.yaml' }],
    'data.example': [{ file: 'b/example/example.rego' }],
    'data.http.example.authz.allow': [{ file: '/policy.wasm' }],
    'data.http.example.foo.allow': [{ file: '/example/policy.wasm' }],
  });

  const tar = await run(['inspect', 'b.tar.gz', '--format', 'json'], dir);
  t.equal(tar.code, 0, tar.err);
  const tj = JSON.parse(tar.out) as { namespaces: Record<string, { file: string }[]>; wasm_modules: { url: string }[] };
  t.same(tj.namespaces['data.a.b.y'], [{ file: '/a/b/y/foo.rego' }, { file: '/a/b/y/data.yaml' }], "a tarball's files as /path, as OPA");
  t.same(tj.namespaces.data, [{ file: '/data.json' }]);
  t.equal(tj.wasm_modules[1]?.url, 'b.tar.gz/policy.wasm');

  const pretty = await run(['inspect', 'b'], dir);
  t.match(pretty.out, /\| data\.a\.b\.y +\| b\/a\/b\/y\/foo\.rego +\|\n\| +\| b\/a\/b\/y\/data\.yaml +\|/, 'the data file in the namespaces table');
  t.match(pretty.out, /\| data\.http\.example\.authz\.allow +\| \/policy\.wasm +\|/);

  const plain = await run(['inspect', 'inspect', '--format', 'json']);
  t.same((JSON.parse(plain.out) as { signatures_config: unknown }).signatures_config, {}, 'no signatures: {} (Go does not omit an empty struct)');
  t.notOk('wasm_modules' in (JSON.parse(plain.out) as object), 'no wasm modules: left out');

  // Hostile: a signatures file that is not JSON, or of the wrong shape, is a load error.
  await writeTree(path.join(dir, 'bad'), { 'p.rego': 'package p\n', '.signatures.json': '{nope' });
  const bad = await run(['inspect', 'bad'], dir);
  t.not(bad.code, 0);
  t.match(bad.err, /signatures decode/);
  await writeTree(path.join(dir, 'bad2'), { 'p.rego': 'package p\n', '.signatures.json': '{"signatures": [1]}' });
  t.match((await run(['inspect', 'bad2'], dir)).err, /signatures must be a list of strings/);
});
