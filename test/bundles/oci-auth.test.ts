// Registry authentication for OCI bundle sources, against a registry and a token realm running on
// loopback in this test (test/helpers/oci-token-registry.ts): the token exchange of Docker's token
// authentication specification (anonymous, and with Basic credentials), tokens renewed when they
// expire or the registry refuses them, Basic challenges, and a hostile realm — a foreign
// plain-http origin, answers that are not JSON, tokenless, huge, slow, redirect loops — refused
// with a typed error while the active bundle keeps serving. No token or credential ever reaches a
// log line or the status. Before this change a 401 from the registry ended the pull.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { BundleManager, type BundleLogger } from '../../src/bundles/manager.js';
import { httpClientOptions, type HttpClientOptions } from '../../src/bundles/http-client-options.js';
import { isLoopback } from '../../src/bundles/oci-auth.js';
import { parseChallenges } from '../../src/bundles/oci-challenge.js';
import { startBundleServer, tarball, waitFor, type FileSpec } from '../helpers/bundle-files.js';
import { startTokenRegistry, type TokenRegistry } from '../helpers/oci-token-registry.js';

const bundle = (revision: string): FileSpec => ({
  '.manifest': JSON.stringify({ revision, roots: ['authz'] }),
  'authz/policy.rego': `package authz\n\nallow := true\n`,
});
const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const REPO = 'policies/authz';

interface Pull {
  m: BundleManager;
  /** every log line, serialised */
  logs: string[];
}

async function pull(
  t: Test,
  reg: TokenRegistry,
  opts: { headers?: Record<string, string>; userinfo?: string; timeoutMs?: number; pollIntervalMs?: number; client?: HttpClientOptions } = {},
): Promise<Pull> {
  const logs: string[] = [];
  const rec = (o: object, msg?: string): void => void logs.push(JSON.stringify({ ...o, msg }));
  const logger: BundleLogger = { info: rec, warn: rec, error: rec };
  const m = new BundleManager({
    sources: [
      {
        name: 'authz',
        kind: 'oci',
        location: `${opts.userinfo ? reg.url.replace('http://', `http://${opts.userinfo}@`) : reg.url}/${REPO}:v1`,
        pollIntervalMs: opts.pollIntervalMs ?? 60_000,
        maxBackoffMs: 100,
        timeoutMs: opts.timeoutMs ?? 2000,
        ...(opts.headers ? { headers: opts.headers } : {}),
        ...(opts.client ? { client: opts.client } : {}),
      },
    ],
    logger,
  });
  t.teardown(() => m.stop());
  await m.start();
  return { m, logs };
}

async function registryWith(t: Test, rev = 'v1'): Promise<TokenRegistry> {
  const reg = await startTokenRegistry();
  t.teardown(() => reg.close());
  reg.push(REPO, 'v1', await tarball(bundle(rev)));
  return reg;
}

/** A server on every interface, reached through this host's first non-loopback IPv4 address. */
async function foreignServer(
  t: Test,
): Promise<{ url: string; requests: (string | undefined)[]; handler: (req: IncomingMessage, res: ServerResponse) => void } | null> {
  const ip = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  if (ip === undefined) return null;
  const state = {
    url: '',
    requests: [] as (string | undefined)[],
    handler: (_req: IncomingMessage, res: ServerResponse): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: 'never-used' }));
    },
  };
  const server = createServer((req, res) => {
    state.requests.push(req.headers.authorization);
    state.handler(req, res);
  });
  server.listen(0, '0.0.0.0');
  await once(server, 'listening');
  state.url = `http://${ip}:${(server.address() as AddressInfo).port}`;
  t.teardown(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });
  return state;
}

const leaks = (p: Pull, secrets: string[]): string[] => {
  const text = JSON.stringify(p.m.status()) + p.logs.join('\n');
  return secrets.filter((s) => text.includes(s));
};

t.test('WWW-Authenticate challenges are parsed as registries write them; hostile headers do not break the parser', async (t) => {
  t.same(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"'), [
    { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:samalba/my-app:pull,push' } },
  ]);
  t.same(parseChallenges('Basic realm="a, b", BEARER Realm=x, error="invalid_token" , Other'), [
    { scheme: 'basic', params: { realm: 'a, b' } },
    { scheme: 'bearer', params: { realm: 'x', error: 'invalid_token' } },
    { scheme: 'other', params: {} },
  ]);
  t.same(
    parseChallenges('Bearer realm="q\\"uo\\\\te",realm="second"'),
    [{ scheme: 'bearer', params: { realm: 'q"uo\\te' } }],
    'escapes; the first of a repeated param wins',
  );
  t.same(parseChallenges(null), []);
  t.same(parseChallenges(''), []);
  t.same(parseChallenges('"garbage'), []);
  t.same(parseChallenges('Bearer realm="unterminated'), [{ scheme: 'bearer', params: { realm: 'unterminated' } }]);
  t.same(parseChallenges('Bearer __proto__="x"')[0].params.__proto__, 'x', 'no prototype pollution');
  const start = Date.now();
  const huge = parseChallenges(`Bearer ${'a=b,'.repeat(1_000_000)}`);
  t.ok(Date.now() - start < 1000, 'a huge header is cut, not parsed for long');
  t.equal(huge[0].scheme, 'bearer');
  t.ok(huge.length <= 2, 'the cut may leave one stray token, read as a scheme');
  t.ok(isLoopback('127.0.0.1') && isLoopback('127.9.8.7') && isLoopback('[::1]') && isLoopback('localhost'));
  t.notOk(isLoopback('10.0.0.1') || isLoopback('127.0.0.1.evil.example') || isLoopback('example.com'));
});

t.test('anonymous token: the realm is asked with service and scope, the token goes to the registry', async (t) => {
  const reg = await registryWith(t);
  const p = await pull(t, reg);
  t.equal(p.m.current()?.revisions.authz, 'v1');
  t.equal(p.m.status()[0].last_error, null);
  t.equal(reg.realmRequests.length, 1, 'one exchange serves the manifest and the blob');
  t.equal(reg.realmRequests[0].authorization, undefined, 'anonymous: no credentials configured, none sent');
  t.equal(reg.realmRequests[0].query.get('service'), 'test-registry');
  t.equal(reg.realmRequests[0].query.get('scope'), `repository:${REPO}:pull`);
  t.same(
    reg.registryRequests.map((r) => [r.path.split('/').at(-2), r.authorization?.split('-')[0]]),
    [
      ['manifests', undefined],
      ['manifests', 'Bearer tok'],
      ['blobs', 'Bearer tok'],
    ],
  );
  t.same(leaks(p, ['tok-']), [], 'the token is in no log line and not in the status');
});

t.test('Basic credentials → token: the configured credentials go to the realm; refused ones are a typed error', async (t) => {
  const reg = await registryWith(t);
  reg.basic = basic('robot', 'pa:ss');
  const viaUrl = await pull(t, reg, { userinfo: 'robot:pa%3Ass' });
  t.equal(viaUrl.m.current()?.revisions.authz, 'v1');
  t.equal(reg.realmRequests.at(-1)?.authorization, basic('robot', 'pa:ss'), 'credentials in the reference go to the realm');

  const viaHeader = await pull(t, reg, { headers: { Authorization: basic('robot', 'pa:ss') } });
  t.equal(viaHeader.m.current()?.revisions.authz, 'v1', 'a configured Authorization header does too');

  const wrong = await pull(t, reg, { headers: { Authorization: basic('robot', 'wrong') } });
  t.equal(wrong.m.current(), null);
  t.match(wrong.m.status()[0].last_error, {
    code: 'BUNDLE_AUTH_FAILED',
    message: /token realm http:\/\/127\.0\.0\.1:\d+\/token\?…: HTTP 401 \(credentials refused\)/,
  });
  t.same(leaks(wrong, [Buffer.from('robot:wrong').toString('base64'), 'tok-']), []);

  const none = await pull(t, reg);
  t.match(none.m.status()[0].last_error, { code: 'BUNDLE_AUTH_FAILED', message: /HTTP 401 \(anonymous access refused\)/ });
});

t.test('a registry asking for Basic credentials gets the configured ones; none or wrong ones are a typed error', async (t) => {
  const reg = await registryWith(t);
  reg.mode = 'basic';
  reg.basic = basic('u', 'p');
  const ok = await pull(t, reg, { userinfo: 'u:p' });
  t.equal(ok.m.current()?.revisions.authz, 'v1');
  t.equal(reg.realmRequests.length, 0, 'no realm for Basic');
  const none = await pull(t, reg);
  t.match(none.m.status()[0].last_error, { code: 'BUNDLE_AUTH_FAILED', message: /asks for Basic credentials and none are configured/ });
  const wrong = await pull(t, reg, { userinfo: 'u:nope' });
  t.match(wrong.m.status()[0].last_error, { code: 'BUNDLE_AUTH_FAILED', message: /refused the configured credentials/ });
  t.same(leaks(wrong, [Buffer.from('u:nope').toString('base64')]), []);

  // A token file (OPA's credentials.bearer.token_path) is read for every request.
  const file = join(mkdtempSync(join(tmpdir(), 'pdp-oci-auth-')), 'token');
  writeFileSync(file, `${Buffer.from('u:p').toString('base64')}\n`);
  const fromFile = await pull(t, reg, { client: httpClientOptions({ token_file: file, token_scheme: 'Basic' }) });
  t.equal(fromFile.m.current()?.revisions.authz, 'v1', 'credentials from a token file');
  t.equal(reg.registryRequests.at(-1)?.authorization, basic('u', 'p'));
});

t.test('tokens are cached until expires_in, renewed after, and exchanged again when the registry refuses one', async (t) => {
  const reg = await registryWith(t);
  reg.ttlSeconds = 1;
  const p = await pull(t, reg, { pollIntervalMs: 100 });
  t.equal(p.m.current()?.revisions.authz, 'v1');
  await new Promise((r) => setTimeout(r, 500));
  t.equal(reg.realmRequests.length, 1, 'within expires_in the cached token serves every poll');
  const polled = reg.registryRequests.length;
  t.ok(polled >= 4, 'the registry was polled meanwhile');
  await waitFor('renewal', () => reg.realmRequests.length >= 2, 5000);
  reg.push(REPO, 'v1', await tarball(bundle('v2')));
  await waitFor('v2 with the renewed token', () => p.m.current()?.revisions.authz === 'v2', 5000);
  t.equal(p.m.status()[0].last_error, null, 'no poll failed across the renewal');
  t.equal(reg.unauthorized, 1, 'renewed before expiry: the registry never saw an expired token (its one 401 was the first, anonymous request)');

  // The registry revokes every token before its expiry: the next 401 triggers a new exchange.
  reg.ttlSeconds = 60;
  await waitFor('a 60 s token', () => [...reg.tokens.values()].some((e) => e > Date.now() + 30_000), 5000);
  const before = reg.realmRequests.length;
  reg.tokens.clear();
  reg.push(REPO, 'v1', await tarball(bundle('v3')));
  await waitFor('v3 after a new exchange', () => p.m.current()?.revisions.authz === 'v3', 5000);
  t.equal(reg.realmRequests.length, before + 1, 'exactly one new exchange');
  t.equal(p.m.status()[0].last_error, null);
  t.same(leaks(p, ['tok-']), []);
});

t.test('blobs redirected to another origin (a CDN) are fetched without the token', async (t) => {
  const reg = await registryWith(t);
  const cdn = await startBundleServer();
  t.teardown(() => cdn.close());
  cdn.handler = (req, res) => {
    const blob = reg.blob(req.url?.split('/').at(-1) ?? '');
    res.writeHead(blob ? 200 : 404);
    res.end(blob);
  };
  reg.blobRedirect = cdn.url;
  const p = await pull(t, reg);
  t.equal(p.m.current()?.revisions.authz, 'v1');
  t.equal(cdn.requests.length, 1);
  t.equal(cdn.requests[0].headers.authorization, undefined, 'the token stayed with the registry');
});

t.test('a 401 the client cannot answer is a typed error naming why', async (t) => {
  const reg = await registryWith(t);
  const cases: [string | null, RegExp][] = [
    [null, /GET \/v2\/policies\/authz\/manifests\/v1: HTTP 401 without a WWW-Authenticate challenge/],
    ['Negotiate', /HTTP 401: unsupported authentication scheme "negotiate" \(Bearer and Basic are supported\)/],
    [`X${'y'.repeat(10_000)}`, /unsupported authentication scheme "xy{39}"/],
  ];
  for (const [challenge, message] of cases) {
    reg.challenge = challenge;
    const p = await pull(t, reg);
    t.match(p.m.status()[0].last_error, { code: 'BUNDLE_AUTH_FAILED', message }, String(challenge).slice(0, 20));
    t.equal(reg.realmRequests.length, 0);
  }
});

t.test('a realm on a foreign plain-http origin never gets the configured credentials', async (t) => {
  const reg = await registryWith(t);
  const foreign = await foreignServer(t);
  // Without a non-loopback interface, an unroutable documentation address: the refusal happens
  // before any connection, so the error is the refusal either way.
  reg.realmUrl = `${foreign?.url ?? 'http://192.0.2.1:9'}/token`;
  const creds = basic('robot', 's3cret');
  const p = await pull(t, reg, { headers: { Authorization: creds } });
  t.equal(p.m.current(), null);
  t.match(p.m.status()[0].last_error, {
    code: 'BUNDLE_AUTH_FAILED',
    message:
      /refusing to send the configured credentials to token realm http:\/\/[\d.]+:\d+\/token\?… over plain http \(another origin than the registry http:\/\/127\.0\.0\.1:\d+, not loopback\)/,
  });
  if (foreign) t.same(foreign.requests, [], 'the foreign realm was never contacted');
  t.same(leaks(p, [Buffer.from('robot:s3cret').toString('base64')]), []);

  if (!foreign) return;
  // Anonymous: nothing to leak, so a plain-http realm elsewhere may hand out a token.
  foreign.handler = (req, res) => reg.issueToken(req, res);
  const anon = await pull(t, reg);
  t.equal(anon.m.current()?.revisions.authz, 'v1', 'anonymous exchange with a foreign plain-http realm');
  t.same(foreign.requests, [undefined]);

  // A loopback realm that redirects to the foreign origin: the credentials stay behind.
  reg.realmUrl = `${reg.realm.url}/token`;
  reg.realm.handler = (req, res) => {
    res.writeHead(302, { location: `${foreign.url}${req.url ?? ''}` });
    res.end();
  };
  const redirected = await pull(t, reg, { headers: { Authorization: creds } });
  t.equal(redirected.m.current()?.revisions.authz, 'v1');
  t.same(foreign.requests, [undefined, undefined], 'the redirected request carried no credentials');
});

t.test('a hostile realm: a typed error for each answer, the active bundle keeps serving, nothing leaks', async (t) => {
  const reg = await registryWith(t);
  const good = reg.realm.handler;
  const secretBody = 'sEcReT-in-body';
  const cases: [string, (req: IncomingMessage, res: ServerResponse) => void, object][] = [
    [
      'not JSON',
      (_req, res) => {
        res.writeHead(200);
        res.end(`<html>${secretBody}</html>`);
      },
      { code: 'BUNDLE_AUTH_FAILED', message: /the token answer is not JSON/ },
    ],
    [
      'JSON without a token',
      (_req, res) => res.end(JSON.stringify({ access: secretBody, token: '' })),
      { code: 'BUNDLE_AUTH_FAILED', message: /has no token \(nor access_token\)/ },
    ],
    ['a JSON array', (_req, res) => res.end('["x"]'), { code: 'BUNDLE_AUTH_FAILED', message: /not a JSON object/ }],
    [
      'a token that would inject a header',
      (_req, res) => res.end(JSON.stringify({ token: `${secretBody}\r\nX-Evil: 1` })),
      { code: 'BUNDLE_AUTH_FAILED', message: /the token is not a valid header value/ },
    ],
    [
      'a huge answer, declared',
      (_req, res) => {
        res.writeHead(200, { 'content-length': 10_000_000 });
        res.end();
      },
      { code: 'BUNDLE_AUTH_FAILED', message: /the token answer is over 65536 bytes/ },
    ],
    [
      'a huge answer, streamed',
      (_req, res) => {
        res.writeHead(200);
        const chunk = `{"token":"${'x'.repeat(16 * 1024)}`;
        for (let i = 0; i < 100; i++) res.write(chunk);
        res.end('"}');
      },
      { code: 'BUNDLE_AUTH_FAILED', message: /the token answer is over 65536 bytes/ },
    ],
    ['a realm that never answers', () => undefined, { code: 'BUNDLE_FETCH_TIMEOUT', message: /token realm .*: no complete answer within 300 ms/ }],
    [
      'a redirect loop',
      (req, res) => {
        res.writeHead(302, { location: req.url ?? '/' });
        res.end();
      },
      { code: 'BUNDLE_AUTH_FAILED', message: /more than 5 redirects/ },
    ],
    [
      'a redirect to another scheme',
      (_req, res) => {
        res.writeHead(302, { location: 'file:///etc/passwd' });
        res.end();
      },
      { code: 'BUNDLE_AUTH_FAILED', message: /a redirect to a non-http\(s\) URL/ },
    ],
    [
      'an HTTP error',
      (_req, res) => {
        res.writeHead(500);
        res.end(secretBody);
      },
      { code: 'BUNDLE_AUTH_FAILED', message: /HTTP 500$/ },
    ],
    [
      'a token the registry does not accept',
      (_req, res) => res.end(JSON.stringify({ access_token: 'bogus-token' })),
      { code: 'BUNDLE_AUTH_FAILED', message: /GET \/v2\/policies\/authz\/manifests\/v1: HTTP 401 with a fresh token from the realm/ },
    ],
  ];
  for (const [what, handler, error] of cases) {
    reg.realm.handler = good;
    reg.realmUrl = `${reg.realm.url}/token`;
    const p = await pull(t, reg, { timeoutMs: 300, pollIntervalMs: 50 });
    t.equal(p.m.current()?.revisions.authz, 'v1', `${what}: v1 active first`);
    reg.realm.handler = handler;
    reg.tokens.clear(); // the next poll must exchange again
    await waitFor(what, () => p.m.status()[0].last_error !== null, 5000);
    t.match(p.m.status()[0].last_error, error, what);
    t.equal(p.m.current()?.revisions.authz, 'v1', `${what}: the active bundle keeps serving`);
    t.same(leaks(p, [secretBody, 'tok-', 'bogus-token']), [], `${what}: nothing secret in logs or status`);
    await p.m.stop();
  }

  reg.realm.handler = good;
  const realms: [string, RegExp][] = [
    ['', /the registry's Bearer challenge names no realm/],
    ['not a url', /the token realm "not a url" is not a URL/],
    ['ftp://127.0.0.1/token', /the token realm is not an http\(s\) URL/],
    [`${reg.realm.url.replace('http://', 'http://user:pw@')}/token`, /the token realm http:\/\/127\.0\.0\.1:\d+\/token carries credentials of its own/],
  ];
  for (const [realm, message] of realms) {
    reg.realmUrl = realm;
    const p = await pull(t, reg);
    t.match(p.m.status()[0].last_error, { code: 'BUNDLE_AUTH_FAILED', message }, realm);
  }
});
