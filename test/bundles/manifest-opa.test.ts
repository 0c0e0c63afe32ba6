// OPA manifest features: file_rego_versions (per-file Rego versions with globs; before this change
// the whole bundle was refused) and data.system.bundles[name] = {manifest, etag} (before: absent).
import t, { type Test } from 'tap';
import { activate, prepareBundle } from '../../src/bundles/activate.js';
import { BundleManager } from '../../src/bundles/manager.js';
import { globToRegExp } from '../../src/bundles/rego-versions.js';
import { startReal } from '../helpers/real-server.js';
import { serveBundle, startBundleServer, tarball, toMap, writeTree, type FileSpec } from '../helpers/bundle-files.js';

const V0 = 'package app.legacy\n\nallow { input.x == 1 }\n';
const V1 = 'package app.modern\n\nallow if input.x == 1\n';

async function activated(files: FileSpec) {
  const prepared = await prepareBundle('app', toMap(files), null, undefined, { etag: '"t"' });
  return activate(null, prepared);
}

t.test('file_rego_versions: a v0 file in a v1 bundle compiles with its own version', async (t) => {
  const snap = await activated({
    '.manifest': JSON.stringify({ revision: 'r', roots: ['app'], rego_version: 1, file_rego_versions: { '/app/legacy/*.rego': 0 } }),
    'app/legacy/policy.rego': V0,
    'app/modern/policy.rego': V1,
  });
  t.match(snap.set.evaluate('app/legacy/allow', { x: 1 }), { ok: true, defined: true, result: true });
  t.match(snap.set.evaluate('app/modern/allow', { x: 1 }), { ok: true, defined: true, result: true });
});

t.test('file_rego_versions: the bundle default is v0 and one file opts into v1; paths without a leading "/" match too', async (t) => {
  const snap = await activated({
    '.manifest': JSON.stringify({ roots: ['app'], rego_version: 0, file_rego_versions: { 'app/modern/policy.rego': 1 } }),
    'app/legacy/policy.rego': V0,
    'app/modern/policy.rego': V1,
  });
  t.match(snap.set.evaluate('app/modern/allow', { x: 1 }), { ok: true, defined: true, result: true });
  t.match(snap.set.evaluate('app/legacy/allow', { x: 1 }), { ok: true, defined: true, result: true });
});

t.test('file_rego_versions: without the override the v0 file does not compile as v1', async (t) => {
  await t.rejects(
    activated({ '.manifest': JSON.stringify({ roots: ['app'], rego_version: 1 }), 'app/legacy/policy.rego': V0 }),
    { code: 'BUNDLE_COMPILE_ERROR' },
    'so the override above is what made it work',
  );
});

t.test('file_rego_versions: exact beats glob; disagreeing globs, bad values and bad globs are refused by name', async (t) => {
  const exact = await activated({
    '.manifest': JSON.stringify({ roots: ['app'], file_rego_versions: { '*.rego': 0, '/app/modern/policy.rego': 1 } }),
    'app/legacy/policy.rego': V0,
    'app/modern/policy.rego': V1,
  });
  t.match(exact.set.evaluate('app/modern/allow', { x: 1 }), { ok: true, result: true });
  await t.rejects(
    activated({ '.manifest': JSON.stringify({ roots: ['app'], file_rego_versions: { '*.rego': 0, 'app/*': 1 } }), 'app/modern/policy.rego': V1 }),
    { code: 'BUNDLE_INVALID_MANIFEST', message: /give different versions/ },
  );
  for (const bad of [{ '*.rego': 2 }, { '*.rego': '1' }, ['*.rego'], { 'a[b': 0 }, { 'a{b': 0 }, { 'a\\': 0 }]) {
    await t.rejects(
      activated({ '.manifest': JSON.stringify({ roots: ['app'], file_rego_versions: bad }), 'app/modern/policy.rego': V1 }),
      { code: 'BUNDLE_INVALID_MANIFEST', message: /file_rego_versions/ },
      JSON.stringify(bad),
    );
  }
});

t.test('glob syntax as OPA compiles it (gobwas/glob, no separators)', async (t) => {
  const m = (p: string, s: string): boolean => globToRegExp(p).test(s);
  t.ok(m('*.rego', 'a/b/c.rego'), '* crosses "/"');
  t.ok(m('/a/**', '/a/b/c.rego'));
  t.ok(m('?.rego', 'x.rego'));
  t.notOk(m('?.rego', 'xy.rego'));
  t.ok(m('[ab].rego', 'b.rego'));
  t.notOk(m('[!ab].rego', 'b.rego'));
  t.ok(m('[a-c].rego', 'c.rego'));
  t.ok(m('{x,y}/p.rego', 'y/p.rego'));
  t.notOk(m('{x,y}/p.rego', 'z/p.rego'));
  t.ok(m('a\\*b', 'a*b'));
  t.notOk(m('a\\*b', 'axb'));
  t.ok(m('a.b', 'a.b'));
  t.notOk(m('a.b', 'axb'), 'regex characters are literal');
});

async function systemBundles(t: Test, m: BundleManager): Promise<unknown> {
  const o = m.current()?.evaluate('app/bundles', {});
  t.ok(o?.ok);
  return o?.ok && o.defined ? o.result : undefined;
}

t.test('data.system.bundles holds every active bundle manifest and ETag, as OPA stores them', async (t) => {
  const srv = await startBundleServer();
  t.teardown(() => srv.close());
  const served: FileSpec = {
    '.manifest': JSON.stringify({ revision: 'v7', roots: ['app'], metadata: { owner: 'ops', n: 1 }, rego_version: 1, file_rego_versions: { 'x/*.rego': 0 } }),
    'app/policy.rego': 'package app\n\nbundles := data.system.bundles\n\nmy_rev := data.system.bundles.app.manifest.revision\n',
  };
  srv.handler = serveBundle(await tarball(served), '"etag-7"');
  const dir = t.testdir();
  await writeTree(dir, { 'other/policy.rego': 'package other\n\nok := true\n', '.manifest': JSON.stringify({ roots: ['other'] }) });
  const m = new BundleManager({
    sources: [
      { name: 'app', kind: 'http', location: `${srv.url}/app.tar.gz`, pollIntervalMs: 60_000 },
      { name: 'other', kind: 'file', location: dir, watch: false, settleMs: 0 },
    ],
  });
  t.teardown(() => m.stop());
  await m.start();
  t.same(await systemBundles(t, m), {
    app: {
      manifest: { revision: 'v7', roots: ['app'], rego_version: 1, file_rego_versions: { 'x/*.rego': 0 }, metadata: { owner: 'ops', n: 1 } },
      etag: '"etag-7"',
    },
    other: { manifest: { revision: '', roots: ['other'] }, etag: '' },
  });
  t.match(m.current()?.evaluate('app/my_rev', {}), { ok: true, defined: true, result: 'v7' });
  // No bundle owns data.system here, yet the Data API path answers, as in OPA.
  t.match(m.current()?.evaluate('system/bundles/app/manifest/revision', {}), { ok: true, defined: true, result: 'v7' });
  t.match(m.current()?.evaluate('system/bundles/app/manifest/roots/0', {}), { ok: true, defined: true, result: 'app' });
  t.match(m.current()?.evaluate('system/bundles/other', {}), { ok: true, defined: true, result: { etag: '' } });
  t.match(m.current()?.evaluate('system/bundles/nope', {}), { ok: true, defined: false });
  t.match(m.current()?.evaluate('system/bundles/app/manifest/roots/9', {}), { ok: true, defined: false });
  t.match(m.current()?.evaluate('system/bundles/app/etag/x', {}), { ok: true, defined: false });
  t.match(m.current()?.evaluate('system/other', {}), { ok: true, defined: false });
  t.equal(m.current()?.mayDefine?.('system/bundles/app'), true);
  t.equal(m.current()?.mayDefine?.('system/bundles/nope'), false);
});

t.test('a bundle without a manifest is recorded with OPA defaults (revision "", roots [""])', async (t) => {
  const snap = await activated({ 'app/policy.rego': 'package app\n\nbundles := data.system.bundles\n' });
  t.match(snap.set.evaluate('app/bundles', {}), { ok: true, result: { app: { manifest: { revision: '', roots: [''] }, etag: '"t"' } } });
  t.match(snap.set.evaluate('system/bundles/app/manifest/roots', {}), { ok: true, result: [''] }, 'and a root-less bundle serves it at its data path');
});

t.test('end to end: the Data API of a listening service serves data.system.bundles (embedded bundle)', async (t) => {
  const server = await startReal();
  t.teardown(() => server.close());
  const res = await fetch(`${server.url}/v1/data/system/bundles`);
  t.equal(res.status, 200);
  const body = (await res.json()) as { result: Record<string, { manifest: { revision: string; roots: string[]; metadata: { name: string } }; etag: string }> };
  const b = body.result['ai-governance'];
  t.match(b, { manifest: { roots: ['ai', 'system/log'], metadata: { name: 'ai-governance' } }, etag: '' });
  t.match(b.manifest.revision, /^ai-governance-/);
});
