// BundleManager with bundles on the local filesystem: real directories and tarballs, real
// fs.watch, the real Rego engine and the real opa-wasm package (with the ABI fixture module).
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { BundleManager, type BundleManagerOptions } from '../../src/bundles/manager.js';
import type { ActivePolicySet } from '../../src/bundles/types.js';
import { buildWasmFixture, FIXTURE_ENTRYPOINTS } from '../../scripts/build-wasm-fixture.mjs';
import { tarball, waitFor, writeTree } from '../helpers/bundle-files.js';

const toolsPolicy = (maxAmount: number) => `package ai.tools

default allow := false

allow if {
  input.tool == "make_payment"
  input.amount <= ${maxAmount}
}

allowed_roles := data.ai.tools.roles
`;

function manager(t: Test, opts: BundleManagerOptions): BundleManager {
  const m = new BundleManager(opts);
  t.teardown(() => m.stop());
  return m;
}

function activations(m: BundleManager): { name: string; revision: string; at: number }[] {
  const seen: { name: string; revision: string; at: number }[] = [];
  m.on('activated', (e: { name: string; revision: string }) => seen.push({ ...e, at: Date.now() }));
  return seen;
}

const evalResult = (set: ActivePolicySet | null, path: string, input: unknown): unknown => {
  const o = set?.evaluate(path, input);
  return o?.ok && o.defined ? o.result : o;
};

t.test('a directory bundle activates, reloads on change within 2 s, and keeps the last good on a broken module', async (t) => {
  const dir = t.testdir();
  await writeTree(dir, {
    '.manifest': JSON.stringify({ revision: 'r1', roots: ['ai/tools'] }),
    'ai/tools/policy.rego': toolsPolicy(100),
    'ai/tools/data.json': JSON.stringify({ roles: ['agent'] }),
  });
  const m = manager(t, { sources: [{ name: 'tools', kind: 'file', location: dir }] });
  const seen = activations(m);
  const errors: { name: string; error: { code: string } }[] = [];
  m.on('error', (e: { name: string; error: { code: string } }) => errors.push(e));

  t.equal(m.current(), null, 'nothing active before start');
  t.equal(m.ready(), false);
  await m.start();
  t.equal(m.ready(), true);
  const first = m.current();
  t.same(first?.revisions, { tools: 'r1' });
  t.equal(first?.engineFor('ai/tools/allow'), 'rego');
  t.equal(evalResult(first, 'ai/tools/allow', { tool: 'make_payment', amount: 50 }), true);
  t.same(evalResult(first, 'ai/tools/allowed_roles', {}), ['agent']);
  const s1 = m.status()[0];
  t.match(s1, { name: 'tools', source: dir, revision: 'r1', engine: 'rego', roots: ['ai/tools'], last_error: null, loaded_from: 'source', signed: false });
  t.ok(Date.parse(s1.activated_at ?? '') > 0, 'activated_at is a timestamp');

  // A change goes live within 2 s.
  const written = Date.now();
  await writeTree(dir, { '.manifest': JSON.stringify({ revision: 'r2', roots: ['ai/tools'] }), 'ai/tools/policy.rego': toolsPolicy(10) });
  await waitFor('r2', () => m.current()?.revisions.tools === 'r2', 5000);
  const r2 = seen.find((s) => s.revision === 'r2');
  t.ok(r2 && r2.at - written < 2000, `change live after ${r2 ? r2.at - written : '?'} ms (< 2000)`);
  t.equal(evalResult(m.current(), 'ai/tools/allow', { tool: 'make_payment', amount: 50 }), false);
  t.equal(evalResult(first, 'ai/tools/allow', { tool: 'make_payment', amount: 50 }), true, 'a snapshot taken earlier still answers with its policy');

  // A broken module is rejected; r2 keeps serving and status says why.
  const brokenAt = Date.now();
  await writeTree(dir, {
    '.manifest': JSON.stringify({ revision: 'r3', roots: ['ai/tools'] }),
    'ai/tools/policy.rego': 'package ai.tools\n\nallow if {\n  input.tool ==\n}\n',
  });
  await waitFor('compile error in status', () => m.status()[0].last_error !== null, 5000);
  const s3 = m.status()[0];
  t.equal(s3.revision, 'r2', 'last good revision still active');
  t.equal(s3.last_error?.code, 'BUNDLE_COMPILE_ERROR');
  t.match(s3.last_error?.message, /tools\/ai\/tools\/policy\.rego:\d+:\d+: rego_parse_error/, 'message names file and line');
  t.ok(Date.parse(s3.last_error?.at ?? '') >= brokenAt - 1000, 'last_error.at is when it failed');
  t.equal(evalResult(m.current(), 'ai/tools/allow', { tool: 'make_payment', amount: 5 }), true, 'still serving r2');
  t.equal(errors.at(-1)?.error.code, 'BUNDLE_COMPILE_ERROR', "'error' event emitted");

  // The fix activates a new revision and clears the error.
  await writeTree(dir, { '.manifest': JSON.stringify({ revision: 'r4', roots: ['ai/tools'] }), 'ai/tools/policy.rego': toolsPolicy(1000) });
  await waitFor('r4', () => m.current()?.revisions.tools === 'r4', 5000);
  t.equal(m.status()[0].last_error, null);
  t.equal(evalResult(m.current(), 'ai/tools/allow', { tool: 'make_payment', amount: 500 }), true);
});

t.test('a tarball replaced atomically (write + rename) is reloaded; without a manifest revision the digest names it', async (t) => {
  const dir = t.testdir();
  const path = join(dir, 'bundle.tar.gz');
  await writeFile(path, await tarball({ 'ai/tools/policy.rego': toolsPolicy(1), 'ai/tools/data.json': '{"roles": []}' }));
  const m = manager(t, { sources: [{ name: 'tools', kind: 'file', location: path }] });
  await m.start();
  const rev1 = m.current()?.revisions.tools ?? '';
  t.match(rev1, /^sha256:[0-9a-f]{16}$/);
  t.same(m.status()[0].roots, [''], 'no manifest: the bundle owns all of data');

  await writeFile(`${path}.tmp`, await tarball({ 'ai/tools/policy.rego': toolsPolicy(2), 'ai/tools/data.json': '{"roles": []}' }));
  await rename(`${path}.tmp`, path);
  await waitFor('new digest', () => (m.current()?.revisions.tools ?? rev1) !== rev1, 5000);
  t.equal(evalResult(m.current(), 'ai/tools/allow', { tool: 'make_payment', amount: 2 }), true);

  // Same content again (a touch, a re-copy): nothing is re-activated.
  const seen = activations(m);
  await writeFile(path, await tarball({ 'ai/tools/policy.rego': toolsPolicy(2), 'ai/tools/data.json': '{"roles": []}' }));
  await new Promise((r) => setTimeout(r, 600));
  t.same(seen, [], 'identical content is not re-activated');
});

t.test('several bundles: disjoint roots compile together; overlaps are refused naming both', async (t) => {
  // One testdir per test (tap reuses it), so each bundle gets its own subdirectory.
  const base = t.testdir();
  const [tools, shared, rogue] = ['tools', 'shared', 'rogue'].map((n) => join(base, n));
  await writeTree(tools, {
    '.manifest': JSON.stringify({ revision: 't1', roots: ['ai/tools'] }),
    // Reads another bundle's data, as OPA allows: all Rego bundles share one data tree.
    'p.rego': 'package ai.tools\n\nlimit := data.shared.limits.payment_max\n',
  });
  await writeTree(shared, { '.manifest': JSON.stringify({ revision: 's1', roots: ['shared'] }), 'shared/limits/data.json': '{"payment_max": 250}' });
  await writeTree(rogue, { '.manifest': JSON.stringify({ revision: 'x1', roots: ['ai'] }), 'p.rego': 'package ai.tools\n\nlimit := 1\n' });

  const m = manager(t, {
    sources: [
      { name: 'tools', kind: 'file', location: tools },
      { name: 'shared', kind: 'file', location: shared, dataOnly: true },
      { name: 'rogue', kind: 'file', location: rogue },
    ],
  });
  await m.start();
  t.same(m.current()?.revisions, { shared: 's1', tools: 't1' });
  t.equal(evalResult(m.current(), 'ai/tools/limit', {}), 250, 'cross-bundle data reference');
  const rogueStatus = m.status().find((s) => s.name === 'rogue');
  t.equal(rogueStatus?.last_error?.code, 'BUNDLE_ROOTS_OVERLAP');
  t.match(rogueStatus?.last_error?.message, /bundle "rogue" root "ai" overlaps bundle "tools" root "ai\/tools"/);
  t.equal(m.ready(), false, 'not ready while a configured bundle has never activated');
  t.match(m.current()?.evaluate('nowhere/x', {}), { ok: true, defined: false }, 'a path no bundle owns is undefined, as in OPA');
});

t.test('a wasm bundle and a Rego bundle side by side, each path routed to its engine', async (t) => {
  const base = t.testdir({ wasm: {} });
  const regoDir = join(base, 'rego');
  const wasmPath = join(base, 'wasm', 'bundle.tar.gz');
  const wasmBundle = async (revision: string) =>
    tarball({
      '.manifest': JSON.stringify({
        revision,
        roots: ['fixture'],
        wasm: FIXTURE_ENTRYPOINTS.map((entrypoint) => ({ entrypoint, module: '/policy.wasm' })),
      }),
      'policy.wasm': await buildWasmFixture(),
      'fixture/settings/data.json': JSON.stringify({ revision }),
    });
  await writeFile(wasmPath, await wasmBundle('w1'));
  await writeTree(regoDir, {
    '.manifest': JSON.stringify({ revision: 'g1', roots: ['ai/tools'] }),
    'p.rego': toolsPolicy(100),
    'ai/tools/data.json': '{"roles": ["x"]}',
  });

  const m = manager(t, {
    sources: [
      { name: 'compiled', kind: 'file', location: wasmPath },
      { name: 'governance', kind: 'file', location: regoDir },
    ],
  });
  await m.start();
  const set = m.current();
  t.same(set?.revisions, { compiled: 'w1', governance: 'g1' });
  t.equal(set?.engineFor('fixture/allow'), 'wasm');
  t.equal(set?.engineFor('ai/tools/allow'), 'rego');
  t.equal(set?.engineFor(''), null, 'the whole data tree spans both engines');
  t.match(set?.evaluate('', {}), { ok: false, code: 'path_spans_engines' });
  t.equal(evalResult(set, 'fixture/allow', { allow: true }), true);
  t.same(evalResult(set, 'fixture/data/fixture/settings', {}), { revision: 'w1' }, 'bundle data reached the module');
  t.equal(evalResult(set, 'ai/tools/allow', { tool: 'make_payment', amount: 1 }), true);
  t.match(set?.evaluate('fixture/trap', {}), { ok: false, code: 'wasm_error' });
  t.equal(m.status().find((s) => s.name === 'compiled')?.engine, 'wasm');

  await writeFile(`${wasmPath}.tmp`, await wasmBundle('w2'));
  await rename(`${wasmPath}.tmp`, wasmPath);
  await waitFor('w2', () => m.current()?.revisions.compiled === 'w2', 5000);
  t.same(evalResult(m.current(), 'fixture/data/fixture/settings', {}), { revision: 'w2' });
  t.equal(evalResult(set, 'fixture/data/fixture/settings/revision', {}), 'w1', 'the earlier snapshot keeps its module');
  t.equal(m.current()?.revisions.governance, 'g1');
});

t.test('signing required: an unsigned directory never activates, and the process does not crash without error listeners', async (t) => {
  const dir = t.testdir();
  await writeTree(dir, { 'p.rego': 'package p\n\nallow := true\n' });
  const { publicKey } = await import('node:crypto').then((c) => c.generateKeyPairSync('ec', { namedCurve: 'P-256' }));
  const m = manager(t, {
    sources: [{ name: 'p', kind: 'file', location: dir, watch: false }],
    signing: { required: true, keys: [{ keyId: 'k', algorithm: 'ES256', key: publicKey.export({ type: 'spki', format: 'pem' }).toString() }] },
  });
  await m.start();
  t.equal(m.current(), null);
  t.equal(m.status()[0].last_error?.code, 'BUNDLE_SIGNATURE_MISSING');
});

t.test('configuration errors throw at construction', async (t) => {
  t.throws(
    () =>
      new BundleManager({
        sources: [
          { name: 'a', kind: 'file', location: '.' },
          { name: 'a', kind: 'file', location: '.' },
        ],
      }),
    { code: 'BUNDLE_CONFIG_INVALID' },
  );
  t.throws(() => new BundleManager({ sources: [{ name: 'a', kind: 'http', location: 'ftp://x' }] }), { code: 'BUNDLE_CONFIG_INVALID' });
  t.throws(() => new BundleManager({ sources: [], limits: { maxFiles: 0 } }), { code: 'BUNDLE_CONFIG_INVALID' });
});

t.test('a missing path is a source error, and the bundle activates once it appears', async (t) => {
  const parent = t.testdir();
  const dir = join(parent, 'policies');
  const m = manager(t, { sources: [{ name: 'late', kind: 'file', location: dir }] });
  await m.start();
  t.equal(m.status()[0].last_error?.code, 'BUNDLE_FETCH_FAILED');
  await writeTree(dir, { 'late/p.rego': 'package late\n\nx := 1\n' });
  await waitFor('late bundle', () => m.ready(), 5000);
  t.equal(evalResult(m.current(), 'late/x', {}), 1);
});

t.test('rego_version from the manifest selects the language version', async (t) => {
  const base = t.testdir();
  await writeTree(join(base, 'v0'), {
    '.manifest': JSON.stringify({ roots: ['legacy'], rego_version: 0 }),
    'p.rego': 'package legacy\n\nallow { input.ok }\n',
  });
  await writeTree(join(base, 'v1'), { '.manifest': JSON.stringify({ roots: ['modern'] }), 'p.rego': 'package modern\n\nallow if input.ok\n' });
  const only0 = manager(t, { sources: [{ name: 'v0', kind: 'file', location: join(base, 'v0'), watch: false }] });
  await only0.start();
  t.equal(evalResult(only0.current(), 'legacy/allow', { ok: true }), true, 'v0 syntax compiles under rego_version 0');

  // Bundles of different language versions compile together, each module parsed as its bundle says.
  const mixed = manager(t, {
    sources: [
      { name: 'v0', kind: 'file', location: join(base, 'v0'), watch: false },
      { name: 'v1', kind: 'file', location: join(base, 'v1'), watch: false },
    ],
  });
  await mixed.start();
  t.equal(mixed.status()[1].last_error, null);
  t.equal(evalResult(mixed.current(), 'legacy/allow', { ok: true }), true, 'the v0 bundle is served');
  t.equal(evalResult(mixed.current(), 'modern/allow', { ok: true }), true, 'next to the v1 bundle');
});

t.test('a directory bundle is persisted as a tarball and used when the directory is gone', async (t) => {
  const base = t.testdir();
  const dir = join(base, 'policies');
  const persistDir = join(base, 'persist');
  await writeTree(dir, {
    '.manifest': JSON.stringify({ revision: 'd1', roots: ['ai/tools'] }),
    'p.rego': toolsPolicy(7),
    'ai/tools/data.json': '{"roles": ["a"]}',
  });
  const first = new BundleManager({ sources: [{ name: 'tools', kind: 'file', location: dir, watch: false }], persistDir });
  await first.start();
  await first.stop();
  await rm(dir, { recursive: true });

  const second = manager(t, { sources: [{ name: 'tools', kind: 'file', location: dir, watch: false }], persistDir });
  await second.start();
  t.match(second.status()[0], { revision: 'd1', loaded_from: 'persisted', last_error: { code: 'BUNDLE_FETCH_FAILED' } });
  t.equal(evalResult(second.current(), 'ai/tools/allow', { tool: 'make_payment', amount: 7 }), true);
  t.same(evalResult(second.current(), 'ai/tools/allowed_roles', {}), ['a']);
});
