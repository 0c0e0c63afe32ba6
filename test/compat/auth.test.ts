// The OPA routes behind caller authentication: refusals in OPA's error shape (401 unauthorized),
// /v1/query behind its own scope (an arbitrary query reads all of data: never implied by
// data:read), /v1/policies behind policies:read, POST / behind data:read of the default
// decision's path, and OPA's probes open.
import t from 'tap';
import { startServer } from '../../src/server.js';
import { bearer, call, makeApiKeys } from '../helpers/auth.js';
import { testConfig } from '../helpers/config.js';
import { compatBundleDir } from '../helpers/opa-compat.js';

const { keys, env } = makeApiKeys({
  reader: ['data:read:*'],
  authzOnly: ['data:read:authz'],
  mainOnly: ['data:read:system/main'],
  querier: ['query:adhoc'],
  policies: ['policies:read'],
});
const server = await startServer(testConfig({ PDP_BUNDLE_PATH: compatBundleDir(), PDP_BUNDLE_NAME: 'test', PDP_AUTH_API_KEYS: env, PDP_LOG_LEVEL: 'silent' }));
t.teardown(() => server.close());

const q = `/v1/query?q=${encodeURIComponent('x := data.roles')}`;
const post = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...headers },
});

t.test('unauthenticated callers get 401 in OPA shape on OPA routes', async (t) => {
  for (const [path, init] of [
    ['/v1/data/authz/allow', {}],
    [q, {}],
    ['/v1/policies', {}],
    ['/v1/status', {}],
    ['/v1/config', {}],
    ['/', post({ user: 'alice' })],
    ['/v0/data/authz/allow', post({ user: 'alice' })],
  ] as const) {
    const r = await call(`${server.url}${path}`, init);
    t.equal(r.status, 401, `${path}: 401`);
    t.match(r.json, { code: 'unauthorized', message: String }, `${path}: OPA's {"code":"unauthorized"}`);
  }
  const own = await call(`${server.url}/v1/decisions/tool-call`, post({}));
  t.match(own.json, { error: { code: 'UNAUTHENTICATED' } }, 'a service route keeps its own shape');
});

t.test('/v1/query needs query:adhoc; data:read:* is not enough', async (t) => {
  const denied = await call(`${server.url}${q}`, { headers: bearer(keys.reader!) });
  t.equal(denied.status, 403);
  t.match(denied.json, { code: 'unauthorized', message: /query:adhoc/ });
  const ok = await call(`${server.url}${q}`, { headers: bearer(keys.querier!) });
  t.equal(ok.status, 200);
  t.match(ok.json, { result: [{ x: { admin: ['alice', 'bob'] } }] });
  t.equal(
    (await call(`${server.url}/v1/query`, { ...post({ query: 'x := 1' }), headers: { ...post({}).headers, ...bearer(keys.reader!) } })).status,
    403,
    'POST too',
  );
});

t.test('/v1/policies needs policies:read', async (t) => {
  t.equal((await call(`${server.url}/v1/policies`, { headers: bearer(keys.reader!) })).status, 403);
  t.equal((await call(`${server.url}/v1/policies`, { headers: bearer(keys.policies!) })).status, 200);
  t.equal((await call(`${server.url}/v1/policies/test/authz/policy.rego`, { headers: bearer(keys.querier!) })).status, 403);
});

t.test("POST / needs data:read for the default decision's path; /v0/data for its path", async (t) => {
  const h = (k: string) => ({ ...post({ user: 'alice' }).headers, ...bearer(k) });
  t.equal(
    (await call(`${server.url}/`, { ...post({ user: 'alice' }), headers: h(keys.authzOnly!) })).status,
    403,
    'data:read:authz does not cover system/main',
  );
  const main = await call(`${server.url}/`, { ...post({ user: 'alice' }), headers: h(keys.mainOnly!) });
  t.equal(main.status, 200);
  t.same(main.json, { allowed: true });
  t.equal((await call(`${server.url}/v0/data/authz/allow`, { ...post({ user: 'alice' }), headers: h(keys.authzOnly!) })).status, 200);
  t.equal((await call(`${server.url}/v0/data/roles`, { ...post({}), headers: h(keys.authzOnly!) })).status, 403, 'outside its path');
});

t.test("OPA's probes are open", async (t) => {
  for (const p of ['/health', '/health?bundles', '/health/live', '/health/ready']) t.equal((await call(`${server.url}${p}`)).status, 200, p);
});

t.test('POST /v1/batch/data needs data:read for its path, like the Data API', async (t) => {
  const batch = (path: string, key?: string) =>
    call(`${server.url}${path}`, { ...post({ inputs: { a: { user: 'alice' } } }), headers: { ...post({}).headers, ...(key ? bearer(key) : {}) } });
  const anon = await batch('/v1/batch/data/authz/allow');
  t.equal(anon.status, 401);
  t.match(anon.json, { code: 'unauthorized' }, "OPA's shape");
  t.equal((await batch('/v1/batch/data/authz/allow', keys.authzOnly!)).status, 200, 'data:read:authz reads authz/allow');
  const other = await batch('/v1/batch/data/roles', keys.authzOnly!);
  t.equal(other.status, 403, 'not roles');
  t.match(other.json, { code: 'unauthorized', message: /data:read/ });
  t.equal((await batch('/v1/batch/data', keys.authzOnly!)).status, 403, 'nor the whole document');
  t.equal((await batch('/v1/batch/data', keys.reader!)).status, 200, 'data:read:* reads the whole document');
});
