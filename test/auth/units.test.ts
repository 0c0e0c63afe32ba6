// The auth parts on their own: loopback addresses, the scope grammar and grants, the route
// rules (a plugin's own route declares its scope; an undeclared route is closed), the
// Authorization header reader, token scopes, the bounded JWKS fetch, challenges and the
// policy-authorization edge cases.
import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { looksLikeJwt } from '../../src/auth/bearer.js';
import { AuthFailure } from '../../src/auth/failures.js';
import { boundedFetch, scopesOf } from '../../src/auth/jwt.js';
import { isLoopbackHost } from '../../src/auth/loopback.js';
import { CertificateAuthenticator } from '../../src/auth/mtls.js';
import { decideByPolicy } from '../../src/auth/policy.js';
import { ALL_GRANTS, grantsOf, invalidScope, missingScope, ruleFor } from '../../src/auth/scopes.js';
import { inject, injectApp } from '../helpers/http.js';
import { jsPolicies } from '../helpers/js-engine.js';
import { bearer, makeApiKeys } from '../helpers/auth.js';

t.test('loopback', async (t) => {
  for (const h of ['127.0.0.1', '127.255.255.254', 'LOCALHOST', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.9']) t.ok(isLoopbackHost(h), h);
  for (const h of ['0.0.0.0', '::', '', '127.0.0.1.nip.io', '127.1', '1.2.3.4', 'localhost.example', '[::]']) t.notOk(isLoopbackHost(h), h);
});

t.test('scopes: grammar and grants', async (t) => {
  for (const s of ['decide:tool-call', 'status:read', 'assert:on-behalf-of', 'data:read:*', 'data:read:ai', 'data:read:ai/tools/config'])
    t.equal(invalidScope(s), undefined, s);
  for (const s of ['data:read:', 'data:read:/ai', 'data:read:ai/', 'data:read:ai//x', 'data:read:a b', 'decide:*', '*', 'DECIDE:TOOL-CALL'])
    t.type(invalidScope(s), 'string', s);
  const g = grantsOf(['data:read:ai/tools', 'data:read:bad//path', 'status:read', 'status:read']);
  t.same(g.scopes, ['data:read:ai/tools', 'data:read:bad//path', 'status:read'], 'deduplicated');
  t.ok(g.mayReadData(['ai', 'tools']));
  t.ok(g.mayReadData(['ai', 'tools', 'config', 'x']));
  t.notOk(g.mayReadData(['ai']));
  t.notOk(g.mayReadData(['ai', 'toolsX']));
  t.notOk(g.mayReadData([]));
  t.notOk(g.mayReadData(['bad', '', 'path']), 'a malformed token scope grants nothing');
  t.ok(grantsOf(['data:read:*']).mayReadData([]));
  t.ok(ALL_GRANTS.has('anything') && ALL_GRANTS.mayReadData(['x']));
  t.equal(missingScope(ruleFor('/v1/data/*', undefined), ALL_GRANTS, { '*': 'x' }), undefined, 'authentication off: everything');
  t.equal(missingScope(ruleFor('/v1/data', undefined), g, {}), 'data:read:*');
  t.equal(missingScope(ruleFor('/v1/data/*', undefined), g, { '*': 'ai/deployment/x' }), 'data:read:ai/deployment/x');
  t.equal(missingScope(ruleFor(undefined, undefined), g, {}), undefined, 'no route: 404 after authentication');
  t.equal(missingScope(ruleFor('/v1/new-thing', undefined), g, {}), '(no scope grants this route)');
  t.equal(missingScope(ruleFor('/v1/new-thing', { scope: 'status:read' }), g, {}), undefined, 'a route may declare its scope');
  t.same(ruleFor('/v1/new-thing', { scope: 'x:y' }), ruleFor('/v1/other', { scope: 'x:y' }), 'declared rules are shared');
});

t.test("a plugin's route: closed unless it declares a scope", async (t) => {
  const { keys, env } = makeApiKeys({ ops: ['status:read'] });
  const app = await injectApp({
    policies: jsPolicies({}),
    env: { PDP_AUTH_API_KEYS: env },
    setup: (a: FastifyInstance) => {
      a.get('/v1/undeclared', async () => ({ ok: true }));
      a.get('/v1/declared', { config: { scope: 'status:read' } }, async () => ({ ok: true }));
    },
  });
  t.teardown(() => app.close());
  t.equal((await inject(app, '/v1/undeclared')).status, 401);
  const closed = await inject(app, '/v1/undeclared', { headers: bearer(keys.ops!) });
  t.equal(closed.status, 403, 'no scope grants an undeclared route');
  t.equal(closed.headers['www-authenticate'], 'Bearer realm="pdp", error="insufficient_scope"', 'no scope= when there is none to name');
  t.equal((await inject(app, '/v1/declared', { headers: bearer(keys.ops!) })).status, 200);
  const st = (await inject(app, '/v1/pdp/status', { headers: bearer(keys.ops!) })).json as { auth: unknown };
  t.same(st.auth, { mode: 'authenticated', methods: ['api_key'], authorization: 'scopes', api_keys: 1, jwks: null });
  const jwtLike = await inject(app, '/v1/pdp/status', { headers: bearer('aaa.bbb.ccc') });
  t.equal(jwtLike.status, 401, 'a JWT where no JWT verification is configured');
  t.match(jwtLike.json, { error: { details: [{ message: 'jwt_not_accepted' }] } });
});

t.test('bearer and token helpers', async (t) => {
  t.ok(looksLikeJwt('a.b.c'));
  for (const s of ['abc', 'a.b', 'a.b.c.d', 'a..', '..']) t.equal(looksLikeJwt(s), s === 'a..' || s === '..', s);
  t.same(scopesOf({ scope: 'a  b c' }, 'scope'), ['a', 'b', 'c']);
  t.same(scopesOf({ scp: ['a', 7, 'b'] }, 'scope'), ['a', 'b'], 'scp when scope is absent; non-strings dropped');
  t.same(scopesOf({ scp: 'a' }, 'roles'), [], 'scp is read only for the default claim');
  t.same(scopesOf({ roles: ['x'] }, 'roles'), ['x']);
  t.equal(scopesOf({ scope: Array.from({ length: 1000 }, (_, i) => `s${i}`) }, 'scope').length, 256, 'bounded count');
  t.same(scopesOf({ scope: ['x'.repeat(300), 'ok'] }, 'scope'), ['ok'], 'bounded length');
});

t.test('boundedFetch refuses a declared or streamed body over the bound', async (t) => {
  const server = createServer((req, res) => {
    if (req.url === '/declared') res.writeHead(200, { 'content-length': '5000' }).end('x'.repeat(5000));
    else if (req.url === '/streamed') {
      res.writeHead(200);
      res.write('x'.repeat(3000));
      res.end('y'.repeat(3000));
    } else res.writeHead(200).end('{"keys":[]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const f = boundedFetch(4096);
  const opts = { headers: new Headers(), method: 'GET' as const, redirect: 'manual' as const, signal: AbortSignal.timeout(2000) };
  await t.rejects(f(`${base}/declared`, opts), /exceeds 4096/);
  await t.rejects(f(`${base}/streamed`, opts), /exceeds 4096/);
  t.same(await (await f(`${base}/ok`, opts)).json(), { keys: [] });
});

t.test('challenges and statuses', async (t) => {
  t.equal(
    new AuthFailure('insufficient_scope', 'x', 'data:read:a"b').toApiError().headers?.['www-authenticate'],
    'Bearer realm="pdp", error="insufficient_scope"',
    'a scope with a quote is not put in the header',
  );
  t.equal(new AuthFailure('untrusted_certificate', 'x').toApiError().headers?.['www-authenticate'], 'Bearer realm="pdp"');
  t.equal(new AuthFailure('policy_unavailable', 'x').status, 503);
});

t.test('policy authorization: only exactly true allows; a throwing engine refuses', async (t) => {
  const policies = jsPolicies({ 'system/authz/allow': (input) => (input as { v: unknown }).v });
  for (const [v, ok] of [
    [true, true],
    [false, false],
    ['true', false],
    [1, false],
    [undefined, false],
  ] as const) {
    t.equal(decideByPolicy(policies, 'system/authz/allow', { v }, {}) === true, ok, JSON.stringify(v));
  }
  const throwing = {
    current: () => ({
      revisions: {},
      engineFor: () => null,
      evaluate: () => {
        throw new Error('bug');
      },
    }),
  };
  const r = decideByPolicy(throwing, 'system/authz/allow', {}, {});
  t.ok(r instanceof AuthFailure && r.reason === 'policy_denied');
});

t.test('client-certificate identities: listed name, else CN, else first SAN, else the fingerprint; once per connection', async (t) => {
  const certs = new CertificateAuthenticator([{ name: 'spiffe://x/gw', scopes: ['assert:on-behalf-of'] }]);
  const socket = (cert: Record<string, unknown>, authorized = true): Record<string, unknown> => {
    let calls = 0;
    return {
      authorized,
      getPeerCertificate: () => {
        calls++;
        return cert;
      },
      calls: () => calls,
    };
  };
  t.equal(certs.identify({}), null, 'not a TLS socket');
  t.equal(certs.identify(socket({})), null, 'no certificate presented');
  t.match(certs.identify(socket({ subject: { CN: 'x' } }, false)), { reason: 'untrusted_certificate' });
  const listed = certs.identify(socket({ subject: { CN: 'gateway' }, subjectaltname: 'DNS:gw.example, URI:spiffe://x/gw', fingerprint256: 'AA' }));
  t.match(listed, {
    id: 'spiffe://x/gw',
    method: 'mtls',
    mayAssertOnBehalfOf: true,
    certificate: { subject: { CN: 'gateway' }, san: ['DNS:gw.example', 'URI:spiffe://x/gw'] },
  });
  t.match(
    certs.identify(socket({ subject: { CN: ['first', 'second'], O: 'org' } })),
    { id: 'first', mayAssertOnBehalfOf: false },
    'multi-valued CN: the first',
  );
  t.match(certs.identify(socket({ subject: { O: 'org' }, subjectaltname: 'DNS:only.example' })), { id: 'only.example' }, 'no CN: the first SAN');
  t.match(certs.identify(socket({ subject: { O: 'org' }, fingerprint256: 'AB:CD' })), { id: 'sha256:AB:CD' }, 'neither: the fingerprint');
  const s = socket({ subject: { CN: 'once' } });
  certs.identify(s);
  certs.identify(s);
  t.equal((s.calls as () => number)(), 1, 'the certificate is read once per connection');
});
