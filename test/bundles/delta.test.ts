// Delta bundles (OPA's patch.json) served by a real HTTP bundle server to a BundleManager:
// applied to the active snapshot's data as OPA applies them, refused where OPA refuses, and
// hostile patches (prototype keys, deep paths, oversized) never touch anything but the refused
// delta. Before this change a delta was taken as a snapshot and wiped the data it meant to patch.
import { generateKeyPairSync } from 'node:crypto';
import t, { type Test } from 'tap';
import { buildWasmFixture, FIXTURE_ENTRYPOINTS } from '../../scripts/build-wasm-fixture.mjs';
import { activate, prepareBundle } from '../../src/bundles/activate.js';
import { prepareDelta } from '../../src/bundles/prepare-delta.js';
import { BundleManager, type BundleManagerOptions } from '../../src/bundles/manager.js';
import { applyPatches, parsePatchPath, readPatch, type PatchOperation } from '../../src/bundles/delta.js';
import { BundleError } from '../../src/bundles/errors.js';
import { serveBundle, signBundle, startBundleServer, tarball, toMap, waitFor, type BundleServer, type FileSpec } from '../helpers/bundle-files.js';

const POLICY = `package authz

allow if input.user in data.authz.admins

revision := data.system.bundles.authz.manifest.revision

owner := data.system.bundles.authz.manifest.metadata.owner
`;

const snapshot = (revision = 's1'): FileSpec => ({
  '.manifest': JSON.stringify({ revision, roots: ['authz'], metadata: { owner: 'team-a' } }),
  'authz/policy.rego': POLICY,
  'authz/data.json': JSON.stringify({ admins: ['alice', 'bob'], limits: { max: 3, min: 1 }, tags: ['x', 'y'] }),
});

const delta = (
  revision: string,
  ops: unknown[],
  manifest: Record<string, unknown> = { revision, roots: ['authz'], metadata: { owner: 'team-b' } },
): FileSpec => ({
  '.manifest': JSON.stringify(manifest),
  'patch.json': JSON.stringify({ data: ops }),
});

const other: FileSpec = {
  '.manifest': JSON.stringify({ revision: 'o1', roots: ['other'] }),
  'other/policy.rego': 'package other\n\nok := data.other.flag\n',
  'other/data.json': JSON.stringify({ flag: true }),
};

interface Rig {
  m: BundleManager;
  srv: BundleServer;
  serve(files: FileSpec, etag: string): Promise<void>;
  value(path: string): unknown;
  lastError(): { code: string; message: string } | null;
}

async function rig(t: Test, extra: Partial<BundleManagerOptions> = {}, first: FileSpec = snapshot(), dataOnly = false): Promise<Rig> {
  const srv = await startBundleServer();
  t.teardown(() => srv.close());
  srv.handler = serveBundle(await tarball(first), '"e0"');
  const m = new BundleManager({
    sources: [{ name: 'authz', kind: 'http', location: `${srv.url}/authz.tar.gz`, pollIntervalMs: 30, dataOnly }],
    ...extra,
  });
  t.teardown(() => m.stop());
  await m.start();
  return {
    m,
    srv,
    async serve(files, etag) {
      const before = srv.requests.length;
      srv.handler = serveBundle(await tarball(files), etag);
      // Two answers after the swap: the bundle has been fetched and handled at least once.
      await waitFor(`poll with ${etag}`, () => srv.requests.slice(before).filter((r) => r.status === 200).length >= 1 && srv.requests.length >= before + 2);
    },
    value(path) {
      const o = m.current()?.evaluate(path, {});
      return o?.ok && o.defined ? o.result : o?.ok ? undefined : o;
    },
    lastError: () => m.status()[0].last_error,
  };
}

t.test('a delta patches the active data: upsert, remove, replace, array inserts; policies and metadata follow', async (t) => {
  const r = await rig(t);
  t.equal(r.value('authz/revision'), 's1', 'data.system.bundles.authz.manifest.revision');
  const before = r.m.status()[0];
  const seen: string[] = [];
  r.m.on('activated', (e: { revision: string }) => seen.push(e.revision));

  await r.serve(
    delta('d1', [
      { op: 'upsert', path: '/authz/admins/-', value: 'carol' },
      { op: 'remove', path: '/authz/admins/0' },
      { op: 'replace', path: '/authz/limits/max', value: 10 },
      { op: 'upsert', path: '/authz/new/deep/key', value: { a: 1 } },
      { op: 'upsert', path: '/authz/tags/1', value: 'inserted' },
      { op: 'remove', path: '/authz/limits/min' },
    ]),
    '"e1"',
  );
  await waitFor('d1', () => r.m.current()?.revisions.authz === 'd1');
  t.same(r.value('authz/admins'), ['bob', 'carol'], 'upsert "-" appended, remove 0 spliced');
  t.same(r.value('authz/limits'), { max: 10 }, 'replace and remove on object members');
  t.same(r.value('authz/new'), { deep: { key: { a: 1 } } }, 'upsert creates missing parents');
  t.same(r.value('authz/tags'), ['x', 'inserted', 'y'], 'upsert at an index inserts');
  t.match(
    r.m.current()?.evaluate('authz/allow', { user: 'carol' }),
    { ok: true, defined: true, result: true },
    'the policy (kept from the snapshot) sees patched data',
  );
  t.equal(r.value('authz/revision'), 'd1', 'data.system.bundles.authz.manifest.revision is the delta revision');
  t.equal(r.value('authz/owner'), 'team-b', 'and its metadata');
  const after = r.m.status()[0];
  t.equal(after.revision, 'd1');
  t.not(after.digest, before.digest, 'the digest changes with the patch');
  t.equal(after.last_error, null);
  t.same(seen, ['d1']);

  // The same delta served again (a server ignoring If-None-Match) is not applied twice.
  r.srv.handler = serveBundle(await tarball(delta('d1', [{ op: 'upsert', path: '/authz/admins/-', value: 'carol' }])), '"e1-again"');
  await waitFor('three more polls', () => r.srv.requests.filter((q) => q.status === 200).length >= 3);
  const n = r.srv.requests.length;
  await waitFor('more polls', () => r.srv.requests.length >= n + 3);
  const admins = r.value('authz/admins') as string[];
  t.equal(admins.filter((a) => a === 'carol').length, 2, 'a different delta applies (once)');
  t.same(seen, ['d1', 'd1'], 'and only once however often it is served');

  // A snapshot replaces everything again.
  await r.serve(snapshot('s2'), '"e3"');
  await waitFor('s2', () => r.m.current()?.revisions.authz === 's2');
  t.same(r.value('authz/admins'), ['alice', 'bob']);
});

t.test('other bundles and their data are untouched; system.bundles lists every bundle', async (t) => {
  const srv = await startBundleServer();
  t.teardown(() => srv.close());
  const otherSrv = await startBundleServer();
  t.teardown(() => otherSrv.close());
  srv.handler = serveBundle(await tarball(snapshot()), '"a"');
  otherSrv.handler = serveBundle(await tarball(other), '"o"');
  const m = new BundleManager({
    sources: [
      { name: 'authz', kind: 'http', location: `${srv.url}/a`, pollIntervalMs: 30 },
      { name: 'other', kind: 'http', location: `${otherSrv.url}/o`, pollIntervalMs: 30 },
    ],
  });
  t.teardown(() => m.stop());
  await m.start();
  srv.handler = serveBundle(await tarball(delta('d1', [{ op: 'upsert', path: '/authz/admins', value: [] }])), '"d"');
  await waitFor('d1', () => m.current()?.revisions.authz === 'd1');
  t.match(m.current()?.evaluate('other/ok', {}), { ok: true, defined: true, result: true }, 'the other bundle still answers');
  t.same(m.current()?.revisions, { authz: 'd1', other: 'o1' });
  t.match(m.current()?.evaluate('authz/admins', {}), { ok: true, defined: true, result: [] });
});

t.test('refusals: the active snapshot keeps serving and status names the code', async (t) => {
  const cases: { name: string; files: FileSpec; code: string; message?: RegExp }[] = [
    {
      name: 'a delta carrying a policy file',
      files: { ...delta('x', [{ op: 'upsert', path: '/authz/a', value: 1 }]), 'authz/extra.rego': 'package authz\n\nz := 1\n' },
      code: 'BUNDLE_DELTA_INVALID',
      message: /policy file authz\/extra.rego/,
    },
    {
      name: 'a delta carrying a data file',
      files: { ...delta('x', [{ op: 'upsert', path: '/authz/a', value: 1 }]), 'authz/data.json': '{}' },
      code: 'BUNDLE_DELTA_INVALID',
    },
    {
      name: 'a delta changing the roots',
      files: delta('x', [{ op: 'upsert', path: '/authz/a', value: 1 }], { revision: 'x', roots: ['authz', 'more'] }),
      code: 'BUNDLE_DELTA_MANIFEST_MISMATCH',
    },
    {
      name: 'a delta without a manifest (roots default to the whole tree)',
      files: { 'patch.json': JSON.stringify({ data: [{ op: 'upsert', path: '/authz/a', value: 1 }] }) },
      code: 'BUNDLE_DELTA_MANIFEST_MISMATCH',
    },
    {
      name: 'a patch path outside the roots',
      files: delta('x', [{ op: 'upsert', path: '/elsewhere/a', value: 1 }]),
      code: 'BUNDLE_OUTSIDE_ROOTS',
      message: /\/elsewhere\/a/,
    },
    {
      name: 'a patch at the data root of a scoped bundle',
      files: delta('x', [{ op: 'replace', path: '/', value: {} }]),
      code: 'BUNDLE_OUTSIDE_ROOTS',
    },
    { name: 'an unknown op', files: delta('x', [{ op: 'move', path: '/authz/a', from: '/authz/b' }]), code: 'BUNDLE_DELTA_INVALID', message: /move/ },
    { name: 'RFC 6902 "add" (not an OPA op)', files: delta('x', [{ op: 'add', path: '/authz/a', value: 1 }]), code: 'BUNDLE_DELTA_INVALID' },
    { name: 'remove of a missing key', files: delta('x', [{ op: 'remove', path: '/authz/nope' }]), code: 'BUNDLE_PATCH_FAILED', message: /does not exist/ },
    { name: 'replace under a missing parent', files: delta('x', [{ op: 'replace', path: '/authz/nope/x', value: 1 }]), code: 'BUNDLE_PATCH_FAILED' },
    { name: 'upsert through a scalar', files: delta('x', [{ op: 'upsert', path: '/authz/limits/max/deeper', value: 1 }]), code: 'BUNDLE_PATCH_FAILED' },
    {
      name: 'an array index out of range',
      files: delta('x', [{ op: 'replace', path: '/authz/admins/2', value: 'z' }]),
      code: 'BUNDLE_PATCH_FAILED',
      message: /out of range/,
    },
    { name: 'a non-numeric array index', files: delta('x', [{ op: 'remove', path: '/authz/admins/first' }]), code: 'BUNDLE_PATCH_FAILED' },
    {
      name: 'a later op failing after earlier ones applied',
      files: delta('x', [
        { op: 'upsert', path: '/authz/admins', value: [] },
        { op: 'remove', path: '/authz/gone' },
      ]),
      code: 'BUNDLE_PATCH_FAILED',
    },
    { name: 'replace without a value', files: delta('x', [{ op: 'replace', path: '/authz/limits/max' }]), code: 'BUNDLE_DELTA_INVALID' },
    {
      name: 'patch.json that is not JSON',
      files: { '.manifest': JSON.stringify({ roots: ['authz'] }), 'patch.json': '{"data": [' },
      code: 'BUNDLE_DELTA_INVALID',
    },
    {
      name: 'data that is not an array',
      files: { '.manifest': JSON.stringify({ roots: ['authz'] }), 'patch.json': '{"data": {"op": "upsert"}}' },
      code: 'BUNDLE_DELTA_INVALID',
    },
    { name: 'a path with a bad escape', files: delta('x', [{ op: 'upsert', path: '/authz/%zz', value: 1 }]), code: 'BUNDLE_DELTA_INVALID' },
  ];
  const r = await rig(t);
  let n = 0;
  for (const c of cases) {
    await r.serve(c.files, `"bad${n++}"`);
    await waitFor(c.name, () => r.lastError()?.code === c.code);
    t.match(r.lastError(), { code: c.code, message: c.message ?? /./ }, c.name);
    t.equal(r.m.current()?.revisions.authz, 's1', `${c.name}: the snapshot keeps serving`);
    t.same(r.value('authz/admins'), ['alice', 'bob'], `${c.name}: its data is untouched`);
  }
});

t.test('a delta before any snapshot: refused unless the bundle is data-only (then applied to empty data, as OPA does)', async (t) => {
  const first = delta('d0', [{ op: 'upsert', path: '/authz/admins', value: ['zed'] }]);
  const refused = await rig(t, {}, first);
  t.equal(refused.m.current(), null);
  t.match(refused.lastError(), { code: 'BUNDLE_DELTA_NO_SNAPSHOT', message: /before any snapshot/ });

  const dataOnly = await rig(t, {}, first, true);
  t.equal(dataOnly.m.current()?.revisions.authz, 'd0');
  t.same(dataOnly.value('authz/admins'), ['zed']);
});

t.test('persistence on: a delta is refused (OPA cannot persist one either)', async (t) => {
  const r = await rig(t, { persistDir: t.testdir() });
  await r.serve(delta('d1', [{ op: 'upsert', path: '/authz/x', value: 1 }]), '"p1"');
  await waitFor('refusal', () => r.lastError() !== null);
  t.match(r.lastError(), { code: 'BUNDLE_DELTA_UNSUPPORTED', message: /persist/ });
  t.equal(r.m.current()?.revisions.authz, 's1');
});

t.test('required signing is not bypassed by a delta: unsigned refused, signed applied', async (t) => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signing = { required: true, keys: [{ keyId: 'k1', algorithm: 'ES256', key: publicKey.export({ type: 'spki', format: 'pem' }).toString() }] };
  const r = await rig(t, { signing }, await signBundle(snapshot(), { alg: 'ES256', key: privateKey, kid: 'k1' }));
  t.equal(r.m.current()?.revisions.authz, 's1');
  const d = delta('d1', [{ op: 'upsert', path: '/authz/admins', value: ['mallory'] }]);
  await r.serve(d, '"u1"');
  await waitFor('refusal', () => r.lastError() !== null);
  t.match(r.lastError(), { code: 'BUNDLE_SIGNATURE_MISSING' });
  t.same(r.value('authz/admins'), ['alice', 'bob']);

  await r.serve(await signBundle(d, { alg: 'ES256', key: privateKey, kid: 'k1' }), '"s1"');
  await waitFor('signed delta', () => r.m.current()?.revisions.authz === 'd1');
  t.same(r.value('authz/admins'), ['mallory']);
  t.equal(r.m.status()[0].signed, true);
});

t.test('hostile patch paths: prototype keys stay data, nothing global changes', async (t) => {
  const r = await rig(t);
  await r.serve(
    delta('d1', [
      { op: 'upsert', path: '/authz/__proto__/polluted', value: true },
      { op: 'upsert', path: '/authz/constructor/prototype/polluted', value: true },
      { op: 'upsert', path: '/authz/limits/__proto__', value: { polluted: true } },
      { op: 'upsert', path: '/authz/a~1b/c~0d', value: 'escaped' },
    ]),
    '"h1"',
  );
  await waitFor('d1', () => r.m.current()?.revisions.authz === 'd1');
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is untouched');
  t.same(r.value('authz/__proto__'), { polluted: true }, '"__proto__" is an ordinary key of the data');
  t.same(r.value('authz/constructor'), { prototype: { polluted: true } });
  t.same(r.value('authz/limits/__proto__'), { polluted: true });
  t.same(r.value('authz/a~1b'.replace('~1', '/')), undefined, 'a "/" in a key is not a path separator');
  t.same((r.value('authz') as Record<string, unknown>)['a/b'], { 'c~d': 'escaped' }, '~1 and ~0 decode as JSON Pointer escapes');
});

t.test('huge and deep patches are bounded', async (t) => {
  const r = await rig(t, { limits: { maxUncompressedBytes: 64 * 1024 } });
  const many = Array.from({ length: 5000 }, (_, i) => ({ op: 'upsert', path: `/authz/k${i}`, value: 'x'.repeat(16) }));
  await r.serve(delta('big', many), '"big"');
  await waitFor('too large', () => r.lastError() !== null);
  t.match(r.lastError(), { code: 'BUNDLE_TOO_LARGE' }, 'a patch over the uncompressed limit is refused while reading');

  const deep = '/authz' + '/d'.repeat(600);
  await r.serve(delta('deep', [{ op: 'upsert', path: deep, value: 1 }]), '"deep"');
  await waitFor('deep refused', () => r.lastError()?.code === 'BUNDLE_DELTA_INVALID');
  t.match(r.lastError()?.message, /deeper than 512/);
  t.equal(r.m.current()?.revisions.authz, 's1');
});

t.test('applyPatches and readPatch directly', async (t) => {
  const ops = (x: unknown[]): PatchOperation[] => readPatch(toMap({ 'patch.json': JSON.stringify({ data: x }) })) ?? [];
  t.equal(readPatch(toMap({ 'patch.json': '{"data": []}' })), null, 'an empty patch is a snapshot, as in OPA (Type() == snapshot)');
  t.equal(readPatch(toMap({ 'patch.json': '{}' })), null);
  t.equal(readPatch(toMap({ 'data.json': '{}' })), null);
  t.throws(() => readPatch(toMap({ 'patch.json': '[]' })), { code: 'BUNDLE_DELTA_INVALID' });
  t.throws(() => readPatch(toMap({ 'patch.json': '{"data": [1]}' })), { code: 'BUNDLE_DELTA_INVALID' });
  t.throws(() => readPatch(toMap({ 'patch.json': '{"data": [{"op": "upsert", "path": 7, "value": 1}]}' })), { code: 'BUNDLE_DELTA_INVALID' });

  t.same(parsePatchPath('/a/b/'), ['a', 'b']);
  t.same(parsePatchPath('a%20b/~01'), ['a b', '~1'], 'URL-unescaped, then ~0 → "~" after ~1');
  t.same(parsePatchPath('/'), []);

  t.same(applyPatches({ a: 1 }, ops([{ op: 'replace', path: '/', value: { b: 2 } }])), { b: 2 }, 'the whole tree of a root-less bundle');
  t.throws(() => applyPatches({ a: 1 }, ops([{ op: 'upsert', path: '/', value: [1] }])), { code: 'BUNDLE_PATCH_FAILED' });
  t.throws(() => applyPatches({ a: 1 }, ops([{ op: 'remove', path: '/' }])), { code: 'BUNDLE_PATCH_FAILED' });
  t.same(applyPatches({ a: [1, 2] }, ops([{ op: 'upsert', path: '/a/2', value: 3 }])), { a: [1, 2, 3] }, 'upsert at length appends');
  t.throws(() => applyPatches({ a: [1, 2] }, ops([{ op: 'upsert', path: '/a/3', value: 3 }])), { code: 'BUNDLE_PATCH_FAILED' });
  t.throws(() => applyPatches({ a: [1, 2] }, ops([{ op: 'upsert', path: '/a/01', value: 3 }])), { code: 'BUNDLE_PATCH_FAILED' }, 'no leading zeros');
  t.throws(() => applyPatches({ a: [1, 2] }, ops([{ op: 'remove', path: '/a/-' }])), { code: 'BUNDLE_PATCH_FAILED' });
  t.same(applyPatches({ a: [{ b: 1 }] }, ops([{ op: 'replace', path: '/a/0/b', value: 2 }])), { a: [{ b: 2 }] }, 'paths through arrays');
  t.throws(
    () => applyPatches({ a: [] }, ops([{ op: 'upsert', path: '/a/0/b', value: 2 }])),
    { code: 'BUNDLE_PATCH_FAILED' },
    'no parent is made inside an array',
  );
  t.throws(() => applyPatches({ a: 'str' }, ops([{ op: 'upsert', path: '/a/b', value: 2 }])), BundleError);
  const e = (() => {
    try {
      applyPatches(
        {},
        ops([
          { op: 'upsert', path: '/x', value: 1 },
          { op: 'remove', path: '/y' },
        ]),
      );
    } catch (err) {
      return err as BundleError;
    }
    return null;
  })();
  t.match(e?.message, /data\[1\] \(remove "\/y"\)/, 'the message names the failing operation');
});

t.test('a delta on a wasm bundle reloads its module with the patched data; Rego policies see the new revision', async (t) => {
  const wasmFiles = toMap({
    '.manifest': JSON.stringify({
      revision: 'w1',
      roots: ['fixture'],
      wasm: FIXTURE_ENTRYPOINTS.map((entrypoint) => ({ entrypoint, module: '/policy.wasm' })),
    }),
    'policy.wasm': await buildWasmFixture(),
    'fixture/settings/data.json': JSON.stringify({ revision: 'w1' }),
  });
  const regoFiles = toMap({
    '.manifest': JSON.stringify({ roots: ['g'] }),
    'g/p.rego': 'package g\n\nwasm_rev := data.system.bundles.compiled.manifest.revision\n',
  });
  let snap = await activate(null, await prepareBundle('compiled', wasmFiles, null));
  snap = await activate(snap, await prepareBundle('governance', regoFiles, null));
  t.teardown(() => [...snap.wasm.values()].forEach((e) => e.close()));
  t.match(snap.set.evaluate('g/wasm_rev', {}), { ok: true, result: 'w1' });

  const deltaFiles = toMap(
    delta('w2', [{ op: 'replace', path: '/fixture/settings/revision', value: 'w2' }], {
      revision: 'w2',
      roots: ['fixture'],
      wasm: FIXTURE_ENTRYPOINTS.map((entrypoint) => ({ entrypoint, module: '/policy.wasm' })),
    }),
  );
  const ops = readPatch(deltaFiles) ?? [];
  const next = await prepareDelta('compiled', deltaFiles, ops, snap.bundles.get('compiled'), null, 'x');
  t.equal(next.kind, 'wasm');
  snap = await activate(snap, next);
  t.match(snap.set.evaluate('fixture/data/fixture/settings', {}), { ok: true, defined: true, result: { revision: 'w2' } }, 'the module got the patched data');
  t.match(snap.set.evaluate('g/wasm_rev', {}), { ok: true, result: 'w2' }, 'data.system.bundles follows the wasm bundle');

  const noWasm = toMap(delta('w3', [{ op: 'replace', path: '/fixture/settings/revision', value: 'w3' }], { revision: 'w3', roots: ['fixture'] }));
  await t.rejects(prepareDelta('compiled', noWasm, readPatch(noWasm) ?? [], snap.bundles.get('compiled'), null, 'y'), {
    code: 'BUNDLE_DELTA_MANIFEST_MISMATCH',
    message: /wasm/,
  });
  const withWasm = toMap({ ...delta('w3', [{ op: 'upsert', path: '/fixture/x', value: 1 }], { roots: ['fixture'] }), 'policy.wasm': new Uint8Array([0]) });
  await t.rejects(prepareDelta('compiled', withWasm, readPatch(withWasm) ?? [], snap.bundles.get('compiled'), null, 'z'), {
    code: 'BUNDLE_DELTA_INVALID',
    message: /wasm file/,
  });
});
