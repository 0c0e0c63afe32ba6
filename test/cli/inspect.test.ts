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
