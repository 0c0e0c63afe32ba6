// OCI registry sources against a real registry (CNCF distribution, `docker-registry`) on
// 127.0.0.1: an OPA bundle pushed as an image whose layer of media type
// application/vnd.oci.image.layer.v1.tar+gzip is the bundle tarball (OPA's format) is pulled,
// activated, updated when the tag moves, and refused (the active bundle keeps serving) when the
// image is not a bundle. Before this change there were no OCI sources.
import t from 'tap';
import { BundleManager } from '../../src/bundles/manager.js';
import { parseOciRef } from '../../src/bundles/source-oci.js';
import { tarball, waitFor, type FileSpec } from '../helpers/bundle-files.js';
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
  await waitFor('refusal', () => m.status()[0].last_error !== null, 10_000);
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
