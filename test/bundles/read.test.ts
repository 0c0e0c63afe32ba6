// Reading bundles from directories and tarballs: layout, data mounting, roots, and the limits
// that stop hostile archives. Real files on disk and real gzip/tar archives throughout.
import { link, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { assembleBundle } from '../../src/bundles/assemble.js';
import { BundleError } from '../../src/bundles/errors.js';
import { resolveLimits } from '../../src/bundles/limits.js';
import { readDirectory } from '../../src/bundles/read-dir.js';
import { readTarball } from '../../src/bundles/read-tarball.js';
import { rawTarball, tarball, toMap, writeTree } from '../helpers/bundle-files.js';

const limits = resolveLimits();

const BUNDLE = {
  '.manifest': JSON.stringify({ revision: 'r1', roots: ['ai', 'registry'], metadata: { owner: 'gov' } }),
  'ai/tools/policy.rego': 'package ai.tools\n\nallow := true\n',
  'ai/tools/policy_test.rego': 'package ai.tools\n\ntest_allow if allow\n',
  'ai/tools/data.json': '{"catalog": {"send_email": {"side_effects": true}}}',
  'ai/tools/limits/data.yaml': 'payment_max: 500\nroles: [admin, ops]\n',
  'registry/data.json': '{"approved": ["registry.internal"]}',
  'README.md': 'ignored by the engine, but still a file of the bundle',
};

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BundleError) return e.code;
    throw e;
  }
  return 'no error';
}
const syncCode = (f: () => unknown): Promise<string> => codeOf(Promise.resolve().then(f));

t.test('a directory and the same files as a tarball read to the same bundle', async (t) => {
  const dir = t.testdir();
  await writeTree(dir, BUNDLE);
  const fromDir = assembleBundle('b', (await readDirectory(dir, limits)).files);
  const fromTar = assembleBundle('b', await readTarball(await tarball(BUNDLE), limits));
  for (const b of [fromDir, fromTar]) {
    t.equal(b.manifest.revision, 'r1');
    t.same(b.manifest.roots, ['ai', 'registry']);
    t.same(b.manifest.metadata, { owner: 'gov' });
    t.same(
      b.modules.map((m) => m.path),
      ['ai/tools/policy.rego', 'ai/tools/policy_test.rego'],
      'test modules are kept, as OPA loads them',
    );
    t.same(b.data, {
      ai: { tools: { catalog: { send_email: { side_effects: true } }, limits: { payment_max: 500, roles: ['admin', 'ops'] } } },
      registry: { approved: ['registry.internal'] },
    });
    t.ok(b.files.has('README.md'), 'every file is kept for signature checks');
  }
  t.same([...fromDir.files.keys()].sort(), [...fromTar.files.keys()].sort());
});

t.test('tarball entry names written by OPA ("/policy.wasm", "./x") are bundle-rooted', async (t) => {
  const files = await readTarball(
    await rawTarball([
      { name: '/.manifest', body: '{"roots":["x"]}' },
      { name: './x/data.json', body: '{"a":1}' },
      { name: 'x/', type: 'directory' },
    ]),
    limits,
  );
  t.same([...files.keys()].sort(), ['.manifest', 'x/data.json']);
});

t.test('data mounting: root data must be an object, overlapping writes conflict', async (t) => {
  t.equal(await syncCode(() => assembleBundle('b', toMap({ 'data.json': '[1,2]' }))), 'BUNDLE_INVALID_DATA');
  t.equal(await syncCode(() => assembleBundle('b', toMap({ 'a/data.json': '{"b": 1}', 'a/b/data.json': '{"c": 1}' }))), 'BUNDLE_DATA_CONFLICT');
  t.equal(await syncCode(() => assembleBundle('b', toMap({ 'a/data.json': '{"b": 1}', 'a/data.yaml': 'b: 2' }))), 'BUNDLE_DATA_CONFLICT');
  const merged = assembleBundle('b', toMap({ 'a/data.json': '{"b": {"x": 1}}', 'a/b/data.json': '{"y": 2}' }));
  t.same(merged.data, { a: { b: { x: 1, y: 2 } } }, 'objects from two files merge');
  t.equal(await syncCode(() => assembleBundle('b', toMap({ 'a/data.json': '{"b": ' }))), 'BUNDLE_INVALID_DATA');
  t.equal(await syncCode(() => assembleBundle('b', toMap({ 'a/data.yaml': 'x: .inf' }))), 'BUNDLE_INVALID_DATA', 'YAML infinity is not JSON');
  const proto = assembleBundle('b', toMap({ 'a/data.json': '{"__proto__": {"polluted": true}}' }));
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
  t.same(Object.keys(proto.data.a as object), ['__proto__'], '"__proto__" stays an ordinary key');
});

t.test('manifest validation and roots, like OPA', async (t) => {
  const bad = (m: string) => syncCode(() => assembleBundle('b', toMap({ '.manifest': m })));
  t.equal(await bad('not json'), 'BUNDLE_INVALID_MANIFEST');
  t.equal(await bad('[]'), 'BUNDLE_INVALID_MANIFEST');
  t.equal(await bad('{"revision": 7}'), 'BUNDLE_INVALID_MANIFEST');
  t.equal(await bad('{"roots": "a"}'), 'BUNDLE_INVALID_MANIFEST');
  t.equal(await bad('{"rego_version": 2}'), 'BUNDLE_INVALID_MANIFEST');
  t.equal(await bad('{"roots": ["a/b", "a"]}'), 'BUNDLE_ROOTS_OVERLAP');
  t.equal(await bad('{"roots": ["a/b", "a/bc"]}'), 'no error', 'a/b and a/bc do not overlap');
  t.equal(await bad('{"wasm": [{"entrypoint": "a/allow", "module": "/policy.wasm"}]}'), 'BUNDLE_INVALID_MANIFEST', 'named module missing');

  const roots = JSON.stringify({ roots: ['ai/tools'] });
  t.equal(await syncCode(() => assembleBundle('b', toMap({ '.manifest': roots, 'other/data.json': '{"x":1}' }))), 'BUNDLE_OUTSIDE_ROOTS');
  t.equal(
    await syncCode(() => assembleBundle('b', toMap({ '.manifest': roots, 'ai/data.json': '{"models": 1}' }))),
    'BUNDLE_OUTSIDE_ROOTS',
    'data.ai.models is above the root, not under it',
  );
  t.equal(
    await syncCode(() => assembleBundle('b', toMap({ '.manifest': roots, 'ai/data.json': '{"tools": {"x": 1}}' }))),
    'no error',
    'data.ai.tools.x is under the root even when written from ai/data.json',
  );
  t.equal(
    await syncCode(() => assembleBundle('b', toMap({ '.manifest': roots, 'p.rego': '# METADATA\n# title: x\npackage ai.models\n' }))),
    'BUNDLE_OUTSIDE_ROOTS',
  );
  t.equal(await syncCode(() => assembleBundle('b', toMap({ '.manifest': roots, 'p.rego': 'package ai.tools["send-email"]\n' }))), 'no error');
  t.equal(
    await syncCode(() => assembleBundle('b', toMap({ '.manifest': roots, 'p.rego': 'package ai[`models`]\n\nx := 1\n' }))),
    'BUNDLE_OUTSIDE_ROOTS',
    'a package line the quick reader cannot read goes through the full parser',
  );
  t.equal(
    await syncCode(() => assembleBundle('b', toMap({ '.manifest': roots, 'policy.wasm': new Uint8Array([0, 97, 115, 109]) }))),
    'BUNDLE_INVALID_MANIFEST',
    'a policy.wasm no manifest entry points at',
  );
});

t.test('tarball limits and hostile entries', async (t) => {
  const good = await tarball(BUNDLE);
  t.equal(await codeOf(readTarball(good, resolveLimits({ maxCompressedBytes: good.byteLength - 1 }))), 'BUNDLE_TOO_LARGE');
  t.equal(await codeOf(readTarball(good, resolveLimits({ maxFiles: 3 }))), 'BUNDLE_TOO_MANY_FILES');

  // A real bomb: 64 MiB of zeros in one entry compresses to ~64 KiB.
  const bomb = await rawTarball([{ name: 'a/data.json', body: new Uint8Array(64 * 1024 * 1024) }]);
  t.ok(bomb.byteLength < 200_000, `bomb is small compressed (${bomb.byteLength} bytes)`);
  t.equal(await codeOf(readTarball(bomb, resolveLimits({ maxUncompressedBytes: 1024 * 1024 }))), 'BUNDLE_TOO_LARGE');
  // Padding without any entry is inflated output too.
  const padding = new Uint8Array(gzipSync(Buffer.alloc(8 * 1024 * 1024)));
  t.equal(await codeOf(readTarball(padding, resolveLimits({ maxUncompressedBytes: 1024 * 1024 }))), 'BUNDLE_TOO_LARGE');

  t.equal(await codeOf(readTarball(await rawTarball([{ name: '../etc/passwd', body: 'x' }]), limits)), 'BUNDLE_PATH_TRAVERSAL');
  t.equal(await codeOf(readTarball(await rawTarball([{ name: 'a/../../x.rego', body: 'x' }]), limits)), 'BUNDLE_PATH_TRAVERSAL');
  t.equal(await codeOf(readTarball(await rawTarball([{ name: '../up/', type: 'directory' }]), limits)), 'BUNDLE_PATH_TRAVERSAL');
  t.equal(await codeOf(readTarball(await rawTarball([{ name: 'C:/x.rego', body: 'x' }]), limits)), 'BUNDLE_PATH_TRAVERSAL');
  t.equal(await codeOf(readTarball(await rawTarball([{ name: 'a/data.json', type: 'symlink', linkname: '/etc/passwd' }]), limits)), 'BUNDLE_PATH_TRAVERSAL');
  t.equal(
    await codeOf(
      readTarball(
        await rawTarball([
          { name: 'x', body: '1' },
          { name: 'y', type: 'link', linkname: 'x' },
        ]),
        limits,
      ),
    ),
    'BUNDLE_PATH_TRAVERSAL',
  );
  t.equal(await codeOf(readTarball(await rawTarball([{ name: 'p', type: 'fifo' }]), limits)), 'BUNDLE_UNSUPPORTED_ENTRY');
  t.equal(
    await codeOf(
      readTarball(
        await rawTarball([
          { name: 'x.rego', body: 'a' },
          { name: './x.rego', body: 'b' },
        ]),
        limits,
      ),
    ),
    'BUNDLE_DUPLICATE_FILE',
  );

  t.equal(await codeOf(readTarball(good.slice(0, Math.floor(good.byteLength / 2)), limits)), 'BUNDLE_TRUNCATED');
  // Gzip intact, tar cut short: the tar parser notices.
  const tarOnly = await rawTarball([{ name: 'a.rego', body: 'x'.repeat(5000) }], false);
  t.equal(await codeOf(readTarball(new Uint8Array(gzipSync(tarOnly.slice(0, 1024))), limits)), 'BUNDLE_TRUNCATED');
  t.equal(await codeOf(readTarball(new TextEncoder().encode('<html>not a bundle</html>'), limits)), 'BUNDLE_INVALID_ARCHIVE');
  t.equal(await codeOf(readTarball(new Uint8Array(gzipSync(Buffer.from('garbage that is not tar'.repeat(40)))), limits)), 'BUNDLE_INVALID_ARCHIVE');
});

t.test('directory limits and links', async (t) => {
  const outside = t.testdir({ 'secret.rego': 'package secret\n' });
  const dir = t.testdir();
  await writeTree(dir, { 'a/data.json': '{"x": 1}', 'a/p.rego': 'package a\n' });
  t.equal(await codeOf(readDirectory(dir, resolveLimits({ maxFiles: 2 }))), 'BUNDLE_TOO_MANY_FILES');
  t.equal(await codeOf(readDirectory(dir, resolveLimits({ maxUncompressedBytes: 10 }))), 'BUNDLE_TOO_LARGE');
  t.equal(await codeOf(readDirectory(join(dir, 'missing'), limits)), 'BUNDLE_FETCH_FAILED');

  await symlink(join(outside, 'secret.rego'), join(dir, 'a', 'leak.rego'));
  t.equal(await codeOf(readDirectory(dir, limits)), 'BUNDLE_PATH_TRAVERSAL', 'a link out of the bundle is refused');

  // The layout of a Kubernetes ConfigMap volume: visible links into a hidden, swappable directory.
  const cm = t.testdir();
  await mkdir(join(cm, '..2026_01_01'));
  await writeFile(join(cm, '..2026_01_01', 'policy.rego'), 'package cm\n');
  await symlink('..2026_01_01', join(cm, '..data'));
  await symlink(join('..data', 'policy.rego'), join(cm, 'policy.rego'));
  const read = await readDirectory(cm, limits);
  t.same([...read.files.keys()], ['policy.rego'], 'read through ..data, "..x" entries skipped');
  t.equal(read.atomic, true, 'one consistent version: no settle reads needed');

  const hard = t.testdir({ 'a.rego': 'package a\n' });
  await link(join(hard, 'a.rego'), join(hard, 'b.rego'));
  t.same([...(await readDirectory(hard, limits)).files.keys()], ['a.rego', 'b.rego'], 'hard links are just files on disk');
});
