// The "Why" row end to end: a listening service polling a real HTTP bundle server. A delta bundle
// patches the data the policy reads (the Data API shows it, /v1/pdp/status shows the delta's
// revision); a refused delta leaves the data alone and /v1/pdp/status names the error. Before this
// change the delta was taken as a snapshot: the data it meant to patch was gone, with no error.
import t from 'tap';
import { serveBundle, startBundleServer, tarball, waitFor } from '../helpers/bundle-files.js';
import { startReal } from '../helpers/real-server.js';

interface Status {
  bundles: { name: string; revision: string | null; last_error: { code: string; message: string } | null }[];
}

t.test('a delta served to a running service patches its data; a bad one is refused visibly', async (t) => {
  const srv = await startBundleServer();
  t.teardown(() => srv.close());
  srv.handler = serveBundle(
    await tarball({
      '.manifest': JSON.stringify({ revision: 's1', roots: ['authz'] }),
      'authz/policy.rego': 'package authz\n\nallow if input.user in data.authz.admins\n',
      'authz/data.json': JSON.stringify({ admins: ['alice'], other: { keep: true } }),
    }),
    '"s1"',
  );
  const server = await startReal({ env: { PDP_BUNDLE_URL: `${srv.url}/authz.tar.gz`, PDP_BUNDLE_NAME: 'authz', PDP_BUNDLE_POLL_INTERVAL_MS: '100' } });
  t.teardown(() => server.close());
  const get = async (path: string): Promise<unknown> => (await (await fetch(`${server.url}${path}`)).json()) as unknown;
  const result = async (path: string): Promise<unknown> => ((await get(path)) as { result?: unknown }).result;
  const status = async (): Promise<Status['bundles'][number]> => ((await get('/v1/pdp/status')) as Status).bundles[0];

  srv.handler = serveBundle(
    await tarball({
      '.manifest': JSON.stringify({ revision: 'd1', roots: ['authz'] }),
      'patch.json': JSON.stringify({ data: [{ op: 'upsert', path: '/authz/admins/-', value: 'bob' }] }),
    }),
    '"d1"',
  );
  await waitFor('d1', () => server.policies.current()?.revisions.authz === 'd1', 5000);
  t.same(await result('/v1/data/authz/admins'), ['alice', 'bob'], 'patched, not replaced');
  t.same(await result('/v1/data/authz/other'), { keep: true }, 'the rest of the data is kept');
  const allow = (await (
    await fetch(`${server.url}/v1/data/authz/allow`, {
      method: 'POST',
      body: JSON.stringify({ input: { user: 'bob' } }),
      headers: { 'content-type': 'application/json' },
    })
  ).json()) as { result: unknown };
  t.equal(allow.result, true, 'the policy decides on the patched data');
  t.match(await status(), { name: 'authz', revision: 'd1', last_error: null });
  t.same(await result('/v1/data/system/bundles/authz/manifest/revision'), 'd1');

  srv.handler = serveBundle(
    await tarball({
      '.manifest': JSON.stringify({ revision: 'd2', roots: ['authz'] }),
      'patch.json': JSON.stringify({ data: [{ op: 'remove', path: '/authz/missing' }] }),
    }),
    '"d2"',
  );
  await waitFor('refusal in status', () => server.policies.status()[0]?.last_error !== null, 5000);
  t.match(await status(), { revision: 'd1', last_error: { code: 'BUNDLE_PATCH_FAILED', message: /\/authz\/missing/ } });
  t.same(await result('/v1/data/authz/admins'), ['alice', 'bob']);
});
