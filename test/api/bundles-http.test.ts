// Bundle handling seen through a real listening service (startServer, configured from the
// environment like `pdp serve`): an HTTP bundle server polled with ETags, its 500s and a
// truncated tarball (the last good bundle keeps answering, /v1/pdp/status and /metrics say what
// failed), required signatures (a tampered bundle is refused), and a watched directory where a
// broken module is refused and its fix goes live.
import t, { type Test } from 'tap';
import { loadConfig } from '../../src/config/load.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { serveBundle, signBundle, startBundleServer, tarball, waitFor, writeTree, type FileSpec } from '../helpers/bundle-files.js';
import { TEST_ENV } from '../helpers/config.js';
import { until } from '../helpers/until.js';

const bundle = (revision: string, allow: boolean, extra: FileSpec = {}): FileSpec => ({
  '.manifest': JSON.stringify({ revision, roots: ['authz'] }),
  'authz/policy.rego': `package authz\n\nallow := ${allow}\n`,
  ...extra,
});

async function serve(t: Test, env: Record<string, string>): Promise<RunningServer> {
  // Every plugin (cache, decision log, metrics, ...) from the one configuration; no decision-log
  // lines on stdout (tap's).
  const { config, warnings } = loadConfig({
    env: { ...TEST_ENV, PDP_BUNDLE_NAME: 'authz', ...env },
  });
  t.same(warnings, []);
  const s = await startServer(config);
  t.teardown(() => s.close());
  return s;
}

async function get(url: string): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
  const res = await fetch(url);
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // /metrics is text
  }
  return { status: res.status, json, text };
}

const allow = async (s: RunningServer): Promise<unknown> => (await get(`${s.url}/v1/data/authz/allow`)).json.result;
const bundleStatus = async (s: RunningServer): Promise<Record<string, unknown>> =>
  ((await get(`${s.url}/v1/pdp/status`)).json.bundles as Record<string, unknown>[])[0] ?? {};

t.test('HTTP bundle server: ETag/304, 500s and a truncated tarball never replace the last good bundle', async (t) => {
  const srv = await startBundleServer();
  t.teardown(() => srv.close());
  const v1 = await tarball(bundle('v1', true));
  srv.handler = serveBundle(v1, '"v1"');
  const s = await serve(t, { PDP_BUNDLE_URL: `${srv.url}/b.tar.gz`, PDP_BUNDLE_POLL_INTERVAL_MS: '100' });
  t.equal((await get(`${s.url}/ready`)).status, 200, 'ready once the first bundle is active');
  t.equal(await allow(s), true);
  await waitFor('conditional polls', () => srv.requests.filter((r) => r.status === 304).length >= 2);
  t.ok(
    srv.requests.slice(1).every((r) => r.headers['if-none-match'] === '"v1"'),
    'later polls send If-None-Match',
  );

  // The server fails: the service keeps answering from v1 and says so.
  srv.handler = (_req, res) => {
    res.statusCode = 500;
    res.end('boom');
  };
  t.ok(await until(async () => (await bundleStatus(s)).last_error !== null), 'the failure in /v1/pdp/status');
  t.match(await bundleStatus(s), { revision: 'v1', last_error: { message: /500/, at: String } }, 'the error and when it happened');
  t.equal(await allow(s), true, 'still v1');

  // A truncated tarball: refused, counted, v1 still answers.
  srv.handler = serveBundle(v1.subarray(0, Math.floor(v1.length / 2)), '"broken"');
  t.ok(
    await until(async () => /pdp_bundle_activation_failures_total\{bundle="authz"\} [1-9]/.test((await get(`${s.url}/metrics`)).text)),
    'the truncated bundle to be refused',
  );
  t.equal(await allow(s), true, 'still v1 after a truncated tarball');
  t.equal((await bundleStatus(s)).revision, 'v1');

  // A good new bundle goes live.
  srv.handler = serveBundle(await tarball(bundle('v2', false)), '"v2"');
  t.ok(await until(async () => (await bundleStatus(s)).revision === 'v2'), 'v2');
  t.equal(await allow(s), false);
});

t.test('required signatures: an unsigned or tampered bundle is refused, the signed one keeps serving', async (t) => {
  const secret = 'test-signing-secret-with-enough-bytes!';
  const key = new TextEncoder().encode(secret);
  const srv = await startBundleServer();
  t.teardown(() => srv.close());
  srv.handler = serveBundle(await tarball(await signBundle(bundle('s1', true), { alg: 'HS256', key, kid: 'default' })), '"s1"');
  const s = await serve(t, {
    PDP_BUNDLE_URL: `${srv.url}/b.tar.gz`,
    PDP_BUNDLE_POLL_INTERVAL_MS: '100',
    PDP_BUNDLE_REQUIRE_SIGNATURE: 'true',
    PDP_BUNDLE_SIGNING_ALG: 'HS256',
    PDP_BUNDLE_SIGNING_KEY: secret,
  });
  t.equal(await allow(s), true, 'the signed bundle is active');

  // Signed, then a file changed after signing.
  const signed = await signBundle(bundle('s2', false), { alg: 'HS256', key, kid: 'default' });
  srv.handler = serveBundle(await tarball({ ...signed, 'authz/policy.rego': 'package authz\n\nallow := "tampered"\n' }), '"s2-tampered"');
  t.ok(await until(async () => (await bundleStatus(s)).last_error !== null), 'the tampered bundle to be refused');
  t.equal(await allow(s), true, 'still the signed s1');

  srv.handler = serveBundle(await tarball(bundle('s3', false)), '"s3-unsigned"');
  t.ok(await until(async () => /s3-unsigned|signature/i.test(JSON.stringify((await bundleStatus(s)).last_error))), 'the unsigned bundle to be refused');
  t.equal(await allow(s), true, 'still the signed s1');
  t.equal((await bundleStatus(s)).revision, 's1');
});

t.test('watched directory: a broken module is refused (old revision serves, status says why); the fix goes live', async (t) => {
  const dir = t.testdir();
  await writeTree(dir, bundle('w1', true));
  const s = await serve(t, { PDP_BUNDLE_PATH: dir, PDP_BUNDLE_WATCH: 'true' });
  t.equal(await allow(s), true);

  await writeTree(dir, { '.manifest': JSON.stringify({ revision: 'w2', roots: ['authz'] }), 'authz/policy.rego': 'package authz\n\nallow := \n' });
  t.ok(await until(async () => (await bundleStatus(s)).last_error !== null), 'the broken module in /v1/pdp/status');
  t.match(await bundleStatus(s), { revision: 'w1', last_error: { message: /policy\.rego/ } }, 'names the file');
  t.equal(await allow(s), true, 'w1 keeps answering');

  const fixedAt = Date.now();
  await writeTree(dir, { 'authz/policy.rego': 'package authz\n\nallow := false\n' });
  t.ok(await until(async () => (await allow(s)) === false, 2000), 'the fixed revision');
  t.ok(Date.now() - fixedAt <= 2000, 'live within 2 s');
  t.match(await bundleStatus(s), { revision: 'w2', last_error: null });
});
