// Attacks on what the service serves (issue "Trust II"): a bundle directory caught half copied,
// an empty or wrong upload replacing a good bundle, signatures from another bundle's key, stale
// signatures replayed, and data whose signed form differs from what is served. Each of these
// went live before; each is now refused with a clear last_error while the good bundle serves.
import { gzipSync } from 'node:zlib';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { BundleManager, type BundleManagerOptions } from '../../src/bundles/manager.js';
import type { ActivePolicySet } from '../../src/bundles/types.js';
import { serveBundle, signBundle, startBundleServer, tarball, waitFor, type FileSpec } from '../helpers/bundle-files.js';

function manager(t: Test, opts: BundleManagerOptions): BundleManager {
  const m = new BundleManager(opts);
  t.teardown(() => m.stop());
  return m;
}

function result(set: ActivePolicySet | null, path: string, input: unknown = {}): unknown {
  const r = set?.evaluate(path, input);
  return r?.ok && r.defined ? r.result : undefined;
}

const DECISION = 'app/decision';

// allow unless a deny rule in the second module fires: without that module, everything is allowed.
const good = (revision: string): FileSpec => ({
  '.manifest': JSON.stringify({ revision, roots: ['app'] }),
  'app/allow.rego': 'package app\n\ndecision := {"allow": allow}\n\ndefault allow := false\n\nallow if not deny\n',
  'app/deny.rego': 'package app\n\ndeny if input.op == "DELETE"\n',
});

t.test('a bundle directory copied file by file never goes live half copied', async (t) => {
  const dir = join(t.testdir(), 'bundle');
  await mkdir(dir);
  for (const [name, text] of Object.entries(good('v1'))) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  const m = manager(t, { sources: [{ name: 'app', kind: 'file', location: dir, settleMs: 1000 }], decisionPaths: [DECISION] });
  await m.start();
  t.same(result(m.current(), DECISION, { op: 'DELETE' }), { allow: false });

  // A slow copy of v2: everything removed, then one file every 400 ms.
  const seen = new Set<string>();
  const sample = (): void => void seen.add(JSON.stringify([m.current()?.revisions.app, result(m.current(), DECISION, { op: 'DELETE' })]));
  const probe = setInterval(sample, 20);
  t.teardown(() => clearInterval(probe));
  await rm(join(dir, 'app'), { recursive: true });
  await rm(join(dir, '.manifest'));
  for (const [name, text] of Object.entries(good('v2'))) {
    await new Promise((r) => setTimeout(r, 400));
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  await waitFor('v2 active', () => m.current()?.revisions.app === 'v2', 15_000);
  clearInterval(probe);
  sample();
  t.same(
    [...seen].sort(),
    [JSON.stringify(['v1', { allow: false }]), JSON.stringify(['v2', { allow: false }])],
    'only v1 and then the whole v2 ever answered: DELETE was denied throughout',
  );
});

t.test('an empty upload, a manifest alone, data alone, or the wrong bundle never replaces a good bundle', async (t) => {
  const srv = await startBundleServer();
  t.teardown(() => srv.close());
  srv.handler = serveBundle(await tarball(good('v1')), '"v1"');
  const m = manager(t, { sources: [{ name: 'app', kind: 'http', location: `${srv.url}/b`, pollIntervalMs: 40 }], decisionPaths: [DECISION] });
  await m.start();
  t.equal(m.current()?.revisions.app, 'v1');

  const attempts: [string, Uint8Array, string][] = [
    ['an empty gzip', new Uint8Array(gzipSync(Buffer.alloc(0))), 'BUNDLE_EMPTY'],
    ['a manifest alone', await tarball({ '.manifest': JSON.stringify({ revision: 'm', roots: ['app'] }) }), 'BUNDLE_EMPTY'],
    ['data alone', await tarball({ '.manifest': JSON.stringify({ revision: 'd', roots: ['app'] }), 'app/data.json': '{"x": 1}' }), 'BUNDLE_NO_POLICIES'],
    ['no manifest, another package', await tarball({ 'other.rego': 'package other\n\nx := 1\n' }), 'BUNDLE_DROPS_DECISION'],
    [
      'the decision cut out',
      await tarball({ '.manifest': JSON.stringify({ revision: 'v2', roots: ['app'] }), 'app/deny.rego': 'package app\n\ndeny := true\n' }),
      'BUNDLE_DROPS_DECISION',
    ],
  ];
  for (const [i, [what, bytes, code]] of attempts.entries()) {
    srv.handler = serveBundle(bytes, `"bad-${i}"`);
    await waitFor(`${what} refused`, () => m.status()[0]?.last_error?.code === code);
    t.equal(m.current()?.revisions.app, 'v1', `${what}: ${code}, v1 still serves`);
    t.same(result(m.current(), DECISION, { op: 'DELETE' }), { allow: false });
    srv.handler = serveBundle(await tarball(good('v1')), '"v1"');
    await waitFor('error cleared', () => m.status()[0]?.last_error === null);
  }
  t.match(m.status()[0]?.last_error, null);
});

t.test('a data-only bundle is served where the configuration says so', async (t) => {
  const srv = await startBundleServer();
  t.teardown(() => srv.close());
  srv.handler = serveBundle(await tarball({ '.manifest': JSON.stringify({ revision: 'd1', roots: ['ref'] }), 'ref/data.json': '{"x": 1}' }), '"d1"');
  const m = manager(t, { sources: [{ name: 'ref', kind: 'http', location: `${srv.url}/b`, pollIntervalMs: 60_000, dataOnly: true }] });
  await m.start();
  t.equal(result(m.current(), 'ref/x'), 1);
});

const secret = (s: string) => new TextEncoder().encode(`${s}-secret-with-enough-bytes-for-hs256`);

t.test('signatures: bound to the bundle key, fresh, not rolled back, over the bytes served', async (t) => {
  const srv = await startBundleServer();
  t.teardown(() => srv.close());
  const now = Math.floor(Date.now() / 1000);
  const sign = (files: FileSpec, kid: string, claims: Record<string, unknown> = {}) => signBundle(files, { alg: 'HS256', key: secret(kid), kid, claims });
  srv.handler = serveBundle(await tarball(await sign(good('v1'), 'app-key', { iat: now - 60 })), '"v1"');
  const m = manager(t, {
    sources: [{ name: 'app', kind: 'http', location: `${srv.url}/b`, pollIntervalMs: 40, signingKeyId: 'app-key' }],
    signing: {
      required: true,
      rejectRollback: true,
      keys: [
        { keyId: 'app-key', algorithm: 'HS256', key: new TextDecoder().decode(secret('app-key')) },
        { keyId: 'team-tools', algorithm: 'HS256', key: new TextDecoder().decode(secret('team-tools')) },
      ],
    },
    decisionPaths: [DECISION],
  });
  await m.start();
  t.equal(m.current()?.revisions.app, 'v1');

  const attempts: [string, FileSpec, string, RegExp][] = [
    ['signed with another bundle’s key', await sign(good('x1'), 'team-tools', { iat: now }), 'BUNDLE_SIGNATURE_INVALID', /verified only by key "app-key"/],
    [
      'a signature that expired in 2001',
      await sign(good('x2'), 'app-key', { iat: 978307200, exp: 978310800 }),
      'BUNDLE_SIGNATURE_EXPIRED',
      /expired at 2001-01-01/,
    ],
    ['not valid for another hour', await sign(good('x3'), 'app-key', { iat: now, nbf: now + 3600 }), 'BUNDLE_SIGNATURE_EXPIRED', /not valid before/],
    ['an older signed revision replayed', await sign(good('v0'), 'app-key', { iat: now - 3600 }), 'BUNDLE_ROLLBACK', /before the active revision/],
  ];
  for (const [i, [what, files, code, message]] of attempts.entries()) {
    srv.handler = serveBundle(await tarball(files), `"bad-${i}"`);
    await waitFor(`${what} refused`, () => m.status()[0]?.last_error?.code === code && message.test(m.status()[0]?.last_error?.message ?? ''));
    t.match(m.status()[0]?.last_error, { code, message }, what);
    t.equal(m.current()?.revisions.app, 'v1', `${what}: v1 still serves`);
  }

  // A lone surrogate is hashed as U+FFFD (as OPA's Go decoder reads it): it must be served so too.
  const data = { ...good('v2'), 'app/data.json': '{"s": "\\ud800"}' };
  srv.handler = serveBundle(await tarball(await sign(data, 'app-key', { iat: now })), '"v2"');
  await waitFor('v2 active', () => m.current()?.revisions.app === 'v2');
  t.equal(result(m.current(), 'app/s'), '\ufffd', 'the string served is the one that was signed');
});
