// JWT bearer tokens through a real server: verified with jose against a JWKS served on loopback
// by the test (and against a static key file): claims, algorithms, keys and signatures that must
// be refused; key rotation through the JWKS; a JWKS that is down, failing, slow or huge refuses
// (fail closed, 503) without hurting the server; scopes and the caller from the claims.
import t from 'tap';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { createHmac, createPublicKey } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import type { RunningServer } from '../../src/server.js';
import { writeBundle } from '../helpers/real-server.js';
import {
  AUDIENCE,
  bearer,
  call,
  ISSUER,
  JwksServer,
  signingKey,
  signToken,
  startOnBundle,
  refusalReason,
  type HttpResult,
  type SigningKey,
} from '../helpers/auth.js';

const bundleDir = writeBundle({
  '.manifest': JSON.stringify({ revision: 'r1', roots: ['ai'] }),
  'ai/tools/policy.rego': 'package ai.tools\n\ndecision := {"allow": true, "reasons": [], "obligations": [], "exceptions_applied": []}\n',
});
const TOOL_CALL = { agent: { id: 'support-bot' }, tool: { name: 'send_email' } };

const start = (env: Record<string, string>): Promise<RunningServer> =>
  startOnBundle(t, bundleDir, {
    PDP_AUTH_JWT_ISSUER: ISSUER,
    PDP_AUTH_JWT_AUDIENCE: AUDIENCE,
    ...env,
  });

const reason = refusalReason;
const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');

const k1 = await signingKey('k1');
const k2 = await signingKey('k2');
const jwks = await new JwksServer().start();
t.teardown(() => jwks.close());
jwks.keys = [k1.publicJwk];

const pdp = await start({ PDP_AUTH_JWT_JWKS_URL: jwks.url, PDP_AUTH_JWT_JWKS_COOLDOWN_MS: '1500' });
const get = (token: string, path = '/v1/pdp/status'): Promise<HttpResult> => call(`${pdp.url}${path}`, { headers: bearer(token) });
const status = (claims: Record<string, unknown> = {}, opts: Parameters<typeof signToken>[2] = {}, key: SigningKey = k1): Promise<string> =>
  signToken(key, { scope: 'status:read decisions:read decide:tool-call', ...claims }, opts);

t.test('a valid token: the caller is its sub, the scopes its scope claim', async (t) => {
  const token = await status();
  t.equal((await get(token)).status, 200);
  const d = await call(`${pdp.url}/v1/decisions/tool-call`, {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/json' },
    body: JSON.stringify(TOOL_CALL),
  });
  t.equal(d.status, 200);
  await new Promise((r) => setTimeout(r, 50));
  const rec = (await get(token, `/v1/decisions/${(d.json as { decision_id: string }).decision_id}`)).json as Record<string, unknown>;
  t.equal(rec.caller, 'agent-runtime', 'the verified sub is the recorded caller');
  t.equal(rec.caller_auth, 'jwt');
  t.equal(rec.peer_address, '127.0.0.1');
});

t.test('claims: exp, nbf (with the clock tolerance), iss, aud, required exp and caller', async (t) => {
  const cases: [string, Promise<string>, number, string?][] = [
    ['expired', status({}, { expiresIn: -120 }), 401, 'expired'],
    ['expired within the 30 s tolerance', status({}, { expiresIn: -10 }), 200],
    ['not yet valid', status({}, { notBefore: 120 }), 401, 'not_yet_valid'],
    ['nbf within the tolerance', status({}, { notBefore: 10 }), 200],
    ['wrong issuer', status({}, { issuer: 'https://evil.example' }), 401, 'wrong_issuer'],
    ['wrong audience', status({}, { audience: 'another-service' }), 401, 'wrong_audience'],
    ['no exp: would never expire', status({ exp: undefined }), 401, 'invalid_claims'],
    ['no caller claim', status({ sub: undefined }), 401, 'no_caller_claim'],
    ['a caller claim that is not a string', status({ sub: 42 }), 401, 'no_caller_claim'],
  ];
  for (const [name, token, code, why] of cases) {
    const r = await get(await token);
    t.equal(r.status, code, name);
    if (why) {
      t.equal(reason(r), why, `${name}: ${why}`);
      t.equal(r.headers['www-authenticate'], 'Bearer realm="pdp", error="invalid_token"', `${name}: challenge`);
    }
  }
});

t.test('algorithms, keys and signatures that must not verify', async (t) => {
  const good = await status();
  const [h, p, s] = good.split('.') as [string, string, string];
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  // alg none: an unsigned token.
  const none = `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`;
  // HS256 "signed" with the RSA public key as the HMAC secret (the classic key-confusion attack).
  const pem = await exportSPKI(createPublicKey({ key: k1.publicJwk as import('node:crypto').JsonWebKey, format: 'jwk' }));
  const hsInput = `${b64({ alg: 'HS256', typ: 'JWT', kid: 'k1' })}.${p}`;
  const confused = `${hsInput}.${createHmac('sha256', pem).update(hsInput).digest('base64url')}`;
  // A real key the JWKS does not have.
  const unknownKid = await status({}, {}, k2);
  const noKid = await status({}, { kid: null }, k2);
  // Signature bytes changed; claims changed under the old signature.
  const flipped = `${h}.${p}.${s.slice(0, -4)}${s.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
  const forged = `${h}.${b64({ ...payload, sub: 'admin', scope: 'config:read' })}.${s}`;
  const cases: [string, string, string][] = [
    ['alg none', none, 'malformed_token|algorithm_not_allowed'],
    ['HS256 keyed with the RSA public key', confused, 'algorithm_not_allowed'],
    ['unknown kid', unknownKid, 'unknown_key'],
    ['no kid, signed by an unknown key', noKid, 'bad_signature|unknown_key'],
    ['tampered signature', flipped, 'bad_signature'],
    ['tampered claims', forged, 'bad_signature'],
    ['not a JWT at all', 'aaa.bbb.ccc', 'malformed_token'],
  ];
  for (const [name, token, why] of cases) {
    const r = await get(token);
    t.equal(r.status, 401, name);
    t.match(reason(r), new RegExp(`^(${why})$`), `${name}: ${reason(r)}`);
  }
});

t.test('scopes: a string or a list in scope, or scp; a token without the scope gets 403', async (t) => {
  t.equal((await get(await signToken(k1, { scope: ['status:read'] }))).status, 200, 'scope as a list');
  t.equal((await get(await signToken(k1, { scp: 'status:read' }))).status, 200, 'scp as a string');
  t.equal((await get(await signToken(k1, { scp: ['other', 'status:read'] }))).status, 200, 'scp as a list');
  const none = await get(await signToken(k1, { scope: 'decide:tool-call' }));
  t.equal(none.status, 403);
  t.match(none.headers['www-authenticate'], 'error="insufficient_scope", scope="status:read"');
  t.equal((await get(await signToken(k1, { scope: 42 }))).status, 403, 'a scope claim of the wrong type grants nothing');
});

t.test('hostile tokens: 10k claims, non-ASCII claims, huge values', async (t) => {
  const claims: Record<string, number> = {};
  for (let i = 0; i < 10_000; i++) claims[`c${i}`] = i;
  const big = await status(claims);
  const r = await get(big).catch(() => ({ status: 431 }) as HttpResult);
  t.ok(r.status === 401 || r.status === 431, `10k claims: ${r.status} (refused before verification)`);
  if (r.status === 401) t.equal(reason(r), 'token_too_large');
  const unicode = await status({ sub: 'agent-\u00e9\u4e2d\u{1F600}', note: '\u0000\u202e' });
  t.equal((await get(unicode)).status, 200, 'non-ASCII claims are data, not a problem');
  t.equal((await get(await status({ sub: 'x'.repeat(300) }))).status, 401, 'a caller id longer than 256 is refused');
});

t.test('JWKS rotation: a new kid is fetched (at most once per cooldown); a removed key is refused', async (t) => {
  const before = jwks.fetches;
  const byK2 = await status({}, {}, k2);
  t.equal((await get(byK2)).status, 401, 'k2 is not published yet');
  // A burst of unknown kids within the cooldown costs no more fetches.
  const burst = await Promise.all(Array.from({ length: 20 }, () => get(byK2)));
  t.ok(burst.every((r) => r.status === 401));
  t.ok(jwks.fetches - before <= 1, `fetches during the burst: ${jwks.fetches - before}`);
  jwks.keys = [k2.publicJwk];
  await new Promise((r) => setTimeout(r, 1600));
  t.equal((await get(byK2)).status, 200, 'after the cooldown the unknown kid makes one refetch: k2 accepted');
  const byK1 = await status();
  const r = await get(byK1);
  t.equal(r.status, 401, 'k1 was removed from the JWKS: refused');
  t.equal(reason(r), 'unknown_key');
  const st = (await get(byK2)).json as { auth: { jwks: { fresh: boolean; keys: number } } };
  t.match(st.auth, { mode: 'authenticated', methods: ['jwt'], jwks: { fresh: true, keys: 1 } }, '/v1/pdp/status shows the key set');
});

t.test('JWKS down, failing, slow or huge: 503 AUTH_UNAVAILABLE (fail closed), bounded, and the server keeps serving', async (t) => {
  const key = await signingKey('kd');
  const bad = await new JwksServer().start();
  t.teardown(() => bad.close());
  bad.keys = [key.publicJwk];
  const s = await start({
    PDP_AUTH_JWT_JWKS_URL: bad.url,
    PDP_AUTH_JWT_JWKS_TIMEOUT_MS: '500',
    PDP_AUTH_JWT_JWKS_COOLDOWN_MS: '0',
    PDP_AUTH_JWT_JWKS_CACHE_MAX_AGE_MS: '1000',
  });
  const token = await signToken(key, { scope: 'status:read' });
  for (const mode of ['down', 'error', 'slow', 'huge'] as const) {
    bad.mode = mode;
    await new Promise((r) => setTimeout(r, 1100)); // past the cache's max age: a fetch is needed
    const t0 = Date.now();
    const r = await call(`${s.url}/v1/pdp/status`, { headers: bearer(token) });
    const ms = Date.now() - t0;
    t.equal(r.status, 503, `${mode}: 503`);
    t.equal((r.json as { error: { code: string } }).error.code, 'AUTH_UNAVAILABLE', `${mode}: AUTH_UNAVAILABLE`);
    t.equal(r.headers['retry-after'], '5');
    t.ok(ms < 5000, `${mode}: answered in ${ms} ms (the fetch is bounded)`);
    t.equal((await call(`${s.url}/health`)).status, 200, `${mode}: still serving`);
  }
  bad.mode = 'ok';
  t.equal((await call(`${s.url}/v1/pdp/status`, { headers: bearer(token) })).status, 200, 'recovers once the JWKS answers again');
  const st = (await call(`${s.url}/v1/pdp/status`, { headers: bearer(token) })).json as { auth: { jwks: { last_error: unknown } } };
  t.ok(st.auth.jwks.last_error, 'the last JWKS error is shown');
});

t.test('a static key file (PEM): valid tokens pass; other keys, algorithms and key confusion are refused with 401', async (t) => {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const dir = mkdtempSync(join(tmpdir(), 'pdp-jwt-'));
  const pem = await exportSPKI(publicKey);
  writeFileSync(join(dir, 'key.pem'), pem);
  const s = await start({ PDP_AUTH_JWT_KEY_FILE: join(dir, 'key.pem'), PDP_AUTH_JWT_ALGORITHMS: 'RS256,ES256' });
  const sign = (alg: string, key: Parameters<SignJWT['sign']>[0], claims: Record<string, unknown> = {}): Promise<string> =>
    new SignJWT({ sub: 'ci', scope: 'status:read', ...claims })
      .setProtectedHeader({ alg })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(key);
  const at = (token: string): Promise<HttpResult> => call(`${s.url}/v1/pdp/status`, { headers: bearer(token) });
  t.equal((await at(await sign('RS256', privateKey))).status, 200, 'signed by the key');
  const other = await generateKeyPair('RS256');
  t.equal(reason(await at(await sign('RS256', other.privateKey))), 'bad_signature', 'another RSA key');
  const ec = await generateKeyPair('ES256');
  const wrongType = await at(await sign('ES256', ec.privateKey));
  t.equal(wrongType.status, 401, 'an allowed algorithm the key cannot verify: 401, not 503');
  t.equal(reason(wrongType), 'unknown_key', JSON.stringify(wrongType.json));
  const hsInput = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'ci', scope: 'status:read', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300 })}`;
  const confused = `${hsInput}.${createHmac('sha256', pem).update(hsInput).digest('base64url')}`;
  t.equal(reason(await at(confused)), 'algorithm_not_allowed', 'HS256 with the public key as secret');
  const ps = await sign('PS256', (await generateKeyPair('PS256')).privateKey);
  t.equal(reason(await at(ps)), 'algorithm_not_allowed', 'PS256 is not in PDP_AUTH_JWT_ALGORITHMS');
});
