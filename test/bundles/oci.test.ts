// OCI registry sources against a real registry (CNCF distribution, `docker-registry`) on
// 127.0.0.1: an OPA bundle pushed as an image whose layer of media type
// application/vnd.oci.image.layer.v1.tar+gzip is the bundle tarball (OPA's format) is pulled,
// activated, updated when the tag moves, and refused (the active bundle keeps serving) when the
// image is not a bundle. Before this change there were no OCI sources.
import { createHash } from 'node:crypto';
import t from 'tap';
import { BundleManager } from '../../src/bundles/manager.js';
import { parseOciRef } from '../../src/bundles/source-oci.js';
import { startBundleServer, tarball, waitFor, type FileSpec } from '../helpers/bundle-files.js';
import { OCI_LAYER, pushImage, registryBinary, startRegistry, type Registry } from '../helpers/oci-registry.js';

const bundle = (revision: string, allow: boolean): FileSpec => ({
  '.manifest': JSON.stringify({ revision, roots: ['authz'] }),
  'authz/policy.rego': `package authz\n\nallow := ${allow}\n\nrev := data.system.bundles.authz.manifest.revision\n`,
});

t.test('OCI references are parsed as OPA/registries write them', async (t) => {
  t.same(parseOciRef('https://ghcr.io/org/policy:1.0.0'), { registry: 'https://ghcr.io', repository: 'org/policy', reference: '1.0.0' });
  t.same(parseOciRef('http://127.0.0.1:5000/a/b/c'), { registry: 'http://127.0.0.1:5000', repository: 'a/b/c', reference: 'latest' });
  const digest = `sha256:${'a'.repeat(64)}`;
  t.same(parseOciRef(`https://r.example/p@${digest}`), { registry: 'https://r.example', repository: 'p', reference: digest });
  t.match(parseOciRef('https://u:p%40ss@r.example/p:v1'), { basic: `Basic ${Buffer.from('u:p@ss').toString('base64')}` });
  for (const bad of ['not a url', 'ftp://r/p:1', 'https://r/Upper:1', 'https://r/p:bad tag', 'https://r/p?x=1', 'https://r/', `https://r/p@sha256:zz`]) {
    t.throws(() => parseOciRef(bad), { code: 'BUNDLE_CONFIG_INVALID' }, bad);
  }
});

const binary = registryBinary();
t.test('pull from a real registry', { skip: binary ? false : 'no registry binary (apt-get install docker-registry; .ci/run installs it)' }, async (t) => {
  const reg: Registry = await startRegistry(binary as string);
  t.teardown(() => reg.stop());
  await pushImage(reg.url, 'policies/authz', 'stable', [{ mediaType: OCI_LAYER, bytes: await tarball(bundle('v1', true)) }]);

  const m = new BundleManager({ sources: [{ name: 'authz', kind: 'oci', location: `${reg.url}/policies/authz:stable`, pollIntervalMs: 50 }] });
  t.teardown(() => m.stop());
  await m.start();
  t.equal(m.current()?.revisions.authz, 'v1');
  t.match(m.current()?.evaluate('authz/allow', {}), { ok: true, defined: true, result: true });
  t.match(m.status()[0], { source: `${reg.url}/policies/authz:stable`, revision: 'v1', last_error: null });

  // The tag moves to a new image: picked up at the next poll.
  await pushImage(reg.url, 'policies/authz', 'stable', [{ mediaType: OCI_LAYER, bytes: await tarball(bundle('v2', false)) }]);
  await waitFor('v2', () => m.current()?.revisions.authz === 'v2', 10_000);
  t.match(m.current()?.evaluate('authz/allow', {}), { ok: true, defined: true, result: false });
  t.match(m.current()?.evaluate('authz/rev', {}), { ok: true, result: 'v2' });

  // An image without a bundle layer (e.g. a container image) is refused; v2 keeps serving.
  await pushImage(reg.url, 'policies/authz', 'stable', [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', bytes: new Uint8Array([1, 2, 3]) }]);
  // Polled every 50 ms while the registry moves the tag, a poll can meet the registry's own HTTP
  // 500 first: wait for the refusal itself.
  await waitFor('refusal', () => /no layer of media type/.test(m.status()[0].last_error?.message ?? ''), 10_000);
  t.match(m.status()[0].last_error, { code: 'BUNDLE_FETCH_FAILED', message: /no layer of media type application\/vnd\.oci\.image\.layer\.v1\.tar\+gzip/ });
  t.equal(m.current()?.revisions.authz, 'v2');

  // A layer that is not a bundle tarball: refused as an archive.
  await pushImage(reg.url, 'policies/authz', 'stable', [{ mediaType: OCI_LAYER, bytes: new TextEncoder().encode('not gzip') }]);
  await waitFor('bad archive', () => m.status()[0].last_error?.code === 'BUNDLE_INVALID_ARCHIVE', 10_000);
  t.equal(m.current()?.revisions.authz, 'v2');
});

t.test('registry errors and limits', { skip: binary ? false : 'no registry binary (apt-get install docker-registry; .ci/run installs it)' }, async (t) => {
  const reg: Registry = await startRegistry(binary as string);
  t.teardown(() => reg.stop());
  const missing = new BundleManager({ sources: [{ name: 'authz', kind: 'oci', location: `${reg.url}/nothing/here:v1`, pollIntervalMs: 60_000 }] });
  t.teardown(() => missing.stop());
  await missing.start();
  t.equal(missing.current(), null);
  t.match(missing.status()[0].last_error, { code: 'BUNDLE_FETCH_FAILED', message: /HTTP 404/ });

  await pushImage(reg.url, 'big/bundle', 'v1', [
    { mediaType: OCI_LAYER, bytes: await tarball({ ...bundle('v1', true), 'authz/data.json': JSON.stringify({ pad: 'x'.repeat(20_000) }) }) },
  ]);
  const small = new BundleManager({
    sources: [{ name: 'authz', kind: 'oci', location: `${reg.url}/big/bundle:v1`, pollIntervalMs: 60_000 }],
    limits: { maxCompressedBytes: 100 },
  });
  t.teardown(() => small.stop());
  await small.start();
  t.match(small.status()[0].last_error, { code: 'BUNDLE_TOO_LARGE' }, 'the layer size in the manifest is checked before downloading');
  t.throws(() => new BundleManager({ sources: [{ name: 'x', kind: 'oci', location: 'https://r/Bad:1' }] }), { code: 'BUNDLE_CONFIG_INVALID' });
});

t.test('a hostile or broken registry: every answer is checked, nothing is activated', async (t) => {
  const srv = await startBundleServer();
  t.teardown(() => srv.close());
  const good = await tarball(bundle('v1', true));
  const digestOf = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
  let manifest: string | null = null;
  const blob: Uint8Array = good;
  let chunked = false;
  srv.handler = (req, res) => {
    if (req.url?.includes('/manifests/')) {
      if (manifest === null) return; // never answers
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      res.end(manifest);
      return;
    }
    if (chunked) {
      res.writeHead(200);
      res.write(blob.subarray(0, 10));
      res.end(blob.subarray(10));
      return;
    }
    res.writeHead(200, { 'content-length': blob.byteLength });
    res.end(blob);
  };
  const pull = async (limits?: { maxCompressedBytes: number }, timeoutMs = 2000, headers?: Record<string, string>): Promise<BundleManager> => {
    const m = new BundleManager({
      sources: [
        {
          name: 'authz',
          kind: 'oci',
          location: `${srv.url.replace('http://', 'http://user:pa%3Ass@')}/p/b:v1`,
          pollIntervalMs: 60_000,
          timeoutMs,
          ...(headers ? { headers } : {}),
        },
      ],
      ...(limits ? { limits } : {}),
    });
    t.teardown(() => m.stop());
    await m.start();
    return m;
  };
  const layer = (digest: string, size?: number): string =>
    JSON.stringify({ layers: [{ mediaType: OCI_LAYER, digest, ...(size !== undefined ? { size } : {}) }] });

  const slow = await pull(undefined, 200);
  t.match(slow.status()[0].last_error, { code: 'BUNDLE_FETCH_TIMEOUT' });

  const cases: [string, string, RegExp][] = [
    ['not JSON', '{"layers": [', /not JSON/],
    ['no layers', '{"layers": []}', /no layers in manifest/],
    ['a manifest that is JSON null', 'null', /no layers in manifest/],
    ['a digest that is not sha256', layer('md5:abc'), /no sha256 digest/],
    ['a blob that does not match its digest', layer(digestOf(new Uint8Array([9]))), /does not match its digest/],
  ];
  for (const [what, body, message] of cases) {
    manifest = body;
    const m = await pull();
    t.equal(m.current(), null, what);
    t.match(m.status()[0].last_error, { code: 'BUNDLE_FETCH_FAILED', message }, what);
  }

  manifest = layer(digestOf(good), 10);
  chunked = true;
  const over = await pull({ maxCompressedBytes: 64 });
  t.match(over.status()[0].last_error, { code: 'BUNDLE_TOO_LARGE' }, 'a layer bigger than it claimed is cut off at the limit');
  chunked = false;
  const declared = await pull({ maxCompressedBytes: 64 });
  t.match(declared.status()[0].last_error, { code: 'BUNDLE_TOO_LARGE' }, 'a content-length over the limit is refused unread');

  manifest = layer(digestOf(good));
  const ok = await pull();
  t.equal(ok.current()?.revisions.authz, 'v1');
  t.equal(ok.status()[0].source, `${srv.url}/p/b:v1`, 'credentials in the reference are not shown');
  const sent = srv.requests.at(-1)?.headers.authorization;
  t.equal(sent, `Basic ${Buffer.from('user:pa:ss').toString('base64')}`, 'credentials in the reference become Basic auth');
  await pull(undefined, 2000, { Authorization: 'Bearer tok' });
  t.equal(srv.requests.at(-1)?.headers.authorization, 'Bearer tok', 'configured headers win');

  await srv.close();
  const down = await pull();
  t.match(down.status()[0].last_error, { code: 'BUNDLE_FETCH_FAILED', message: /p\/b:v1/ });
});
