// The auth and TLS settings: defaults, the start-up refusal (any address but loopback needs
// authentication, unless auth.mode is explicitly none — then a warning), and every bad value
// reported by name, without echoing a secret.
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { loadConfig } from '../../src/config/load.js';
import { makeApiKeys } from '../helpers/auth.js';
import { configIssues } from '../helpers/config.js';

const dir = mkdtempSync(join(tmpdir(), 'pdp-auth-config-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const issuesOf = (env: Record<string, string>) => configIssues(env, dir);
const one = (env: Record<string, string>): string =>
  issuesOf(env)
    .map((i) => `${i.source}: ${i.message}`)
    .join('\n');

const { env: keysEnv } = makeApiKeys({ ci: ['decide:tool-call'] });
const rsa = await generateKeyPair('RS256', { extractable: true });
const publicPem = file('public.pem', await exportSPKI(rsa.publicKey));
const jwtEnv = { PDP_AUTH_JWT_KEY_FILE: publicPem, PDP_AUTH_JWT_ISSUER: 'https://idp', PDP_AUTH_JWT_AUDIENCE: 'pdp' };

t.test('loopback needs no authentication; any other address refuses to start without it', async (t) => {
  for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) t.same(issuesOf({ PDP_HOST: host }), [], `${host}: loopback`);
  for (const host of ['0.0.0.0', '::', '10.0.0.7', 'pdp.example.internal', '127.0.0.256', '128.0.0.1']) {
    const text = one({ PDP_HOST: host });
    t.match(text, new RegExp(`^PDP_HOST: listening on ${host.replace(/[.*]/g, '\\$&')} \\(not loopback\\) needs caller authentication`), host);
    t.match(text, /PDP_AUTH_MODE=none/, `${host}: says how to opt out`);
  }
  t.match(one({ PDP_CONFIG: file('host.yaml', 'server: { host: 0.0.0.0 }\n') }), /host\.yaml: server\.host: listening on 0\.0\.0\.0/, 'named by file key');
  for (const env of [{ PDP_AUTH_API_KEYS: keysEnv }, jwtEnv]) t.same(issuesOf({ PDP_HOST: '0.0.0.0', ...env }), [], `0.0.0.0 with ${Object.keys(env)[0]}`);
});

t.test('auth.mode none: any address, a warning at every start; contradicting methods refused', async (t) => {
  const { config, warnings } = loadConfig({ env: { PDP_HOST: '0.0.0.0', PDP_AUTH_MODE: 'none' } });
  t.equal(config.auth.mode, 'none');
  t.match(warnings, [/caller authentication is off \(PDP_AUTH_MODE = none\): every route answers anyone who can reach 0\.0\.0\.0:8181/]);
  t.match(one({ PDP_AUTH_MODE: 'none', PDP_AUTH_API_KEYS: keysEnv }), /PDP_AUTH_MODE: is none, but API keys, JWT or client certificates are configured/);
  t.match(one({ PDP_AUTH_MODE: 'off' }), /PDP_AUTH_MODE: must be one of "auto", "none"/);
});

t.test('API keys: JSON or YAML, from the variable or a file; bad entries named by position, never echoed', async (t) => {
  const { config } = loadConfig({ env: { PDP_AUTH_API_KEYS: keysEnv } });
  t.match(config.auth.api_keys, [{ name: 'ci', sha256: /^[0-9a-f]{64}$/, scopes: ['decide:tool-call'] }]);
  const yaml = file('keys.yaml', `- name: ci\n  sha256: ${'a'.repeat(64)}\n  scopes: [status:read, "data:read:ai/tools"]\n`);
  t.same(loadConfig({ env: { PDP_AUTH_API_KEYS_FILE: yaml } }).config.auth.api_keys, [
    { name: 'ci', sha256: 'a'.repeat(64), scopes: ['status:read', 'data:read:ai/tools'] },
  ]);
  const entry = (e: Record<string, unknown>): string => JSON.stringify([{ name: 'ci', sha256: 'b'.repeat(64), scopes: [], ...e }]);
  t.match(one({ PDP_AUTH_API_KEYS: entry({ sha256: 'NOT-A-HASH' }) }), /^PDP_AUTH_API_KEYS\[0\]\.sha256: must be 64 lower-case hex digits/);
  t.notMatch(one({ PDP_AUTH_API_KEYS: entry({ sha256: 'NOT-A-HASH' }) }), 'NOT-A-HASH', 'the secret is not echoed');
  t.match(one({ PDP_AUTH_API_KEYS: entry({ name: 'has space' }) }), /PDP_AUTH_API_KEYS\[0\]\.name: must be letters, digits/);
  t.match(one({ PDP_AUTH_API_KEYS: entry({ scopes: ['decide:everything'] }) }), /PDP_AUTH_API_KEYS\[0\]\.scopes\[0\]: unknown scope "decide:everything"/);
  t.match(one({ PDP_AUTH_API_KEYS: entry({ scopes: ['data:read:/ai'] }) }), /data:read: takes \* or a slash-separated document path/);
  t.match(one({ PDP_AUTH_API_KEYS: entry({ extra: 1 }) }), /PDP_AUTH_API_KEYS\[0\]\.extra: unknown setting/);
  const dup = JSON.stringify([
    { name: 'a', sha256: 'c'.repeat(64), scopes: [] },
    { name: 'a', sha256: 'c'.repeat(64), scopes: [] },
  ]);
  t.match(one({ PDP_AUTH_API_KEYS: dup }), /duplicate API key name "a"[\s\S]*the same key is listed twice/);
  t.match(one({ PDP_AUTH_API_KEYS: 'not json {' }), /PDP_AUTH_API_KEYS: must be array/);
});

t.test('JWT: one key source, issuer and audience required, public-key algorithms only, key files checked', async (t) => {
  const { config } = loadConfig({ env: jwtEnv });
  t.match(config.auth.jwt, {
    issuer: 'https://idp',
    audience: 'pdp',
    algorithms: ['RS256', 'ES256'],
    clock_tolerance_seconds: 30,
    caller_claim: 'sub',
    scopes_claim: 'scope',
  });
  t.match(one({ PDP_AUTH_JWT_ISSUER: 'https://idp', PDP_AUTH_JWT_AUDIENCE: 'pdp' }), /needs exactly one of a JWKS URL or a key file/);
  t.match(one({ ...jwtEnv, PDP_AUTH_JWT_JWKS_URL: 'https://idp/jwks' }), /needs exactly one of a JWKS URL or a key file/);
  t.match(one({ PDP_AUTH_JWT_KEY_FILE: publicPem, PDP_AUTH_JWT_AUDIENCE: 'pdp' }), /PDP_AUTH_JWT_ISSUER: is required/);
  t.match(one({ PDP_AUTH_JWT_KEY_FILE: publicPem, PDP_AUTH_JWT_ISSUER: 'i' }), /PDP_AUTH_JWT_AUDIENCE: is required/);
  for (const alg of ['HS256', 'none']) t.match(one({ ...jwtEnv, PDP_AUTH_JWT_ALGORITHMS: alg }), /PDP_AUTH_JWT_ALGORITHMS: must be one of/, alg);
  t.match(one({ ...jwtEnv, PDP_AUTH_JWT_JWKS_URL: 'ftp://x', PDP_AUTH_JWT_KEY_FILE: '' }), /PDP_AUTH_JWT_JWKS_URL: must be an http\(s\) URL/);
  const priv = file('private.pem', await exportPKCS8(rsa.privateKey));
  t.match(one({ ...jwtEnv, PDP_AUTH_JWT_KEY_FILE: priv }), /PDP_AUTH_JWT_KEY_FILE: holds a private key/);
  t.match(one({ ...jwtEnv, PDP_AUTH_JWT_KEY_FILE: file('oct.json', JSON.stringify({ kty: 'oct', k: 'c2VjcmV0' })) }), /symmetric \(oct\) key/);
  t.match(one({ ...jwtEnv, PDP_AUTH_JWT_KEY_FILE: file('privjwk.json', JSON.stringify(await exportJWK(rsa.privateKey))) }), /private JWK/);
  t.match(one({ ...jwtEnv, PDP_AUTH_JWT_KEY_FILE: file('junk.txt', 'hello') }), /neither PEM nor JSON/);
  t.match(
    one({ ...jwtEnv, PDP_AUTH_JWT_KEY_FILE: file('badpem.pem', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n') }),
    /not a readable PEM public key/,
  );
  t.match(one({ ...jwtEnv, PDP_AUTH_JWT_KEY_FILE: join(dir, 'missing.pem') }), /PDP_AUTH_JWT_KEY_FILE: cannot read .*ENOENT/);
  const jwks = file('jwks.json', JSON.stringify({ keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'a' }] }));
  t.same(issuesOf({ ...jwtEnv, PDP_AUTH_JWT_KEY_FILE: jwks }), [], 'a JWKS file');
  t.same(issuesOf({ ...jwtEnv, PDP_AUTH_JWT_KEY_FILE: file('jwk.json', JSON.stringify(await exportJWK(rsa.publicKey))) }), [], 'a single JWK file');
});

t.test('TLS: certificate and key together, client CA and client_auth only with TLS, files readable PEM', async (t) => {
  const pem = file('c.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  t.match(one({ PDP_TLS_CERT_FILE: pem }), /TLS needs both a certificate file and a key file/);
  t.match(one({ PDP_TLS_CLIENT_CA_FILE: pem }), /client certificates need TLS/);
  t.match(one({ PDP_TLS_CERT_FILE: pem, PDP_TLS_KEY_FILE: pem, PDP_TLS_CLIENT_AUTH: 'optional' }), /PDP_TLS_CLIENT_AUTH: applies only with a client CA file/);
  t.match(one({ PDP_TLS_CERT_FILE: pem, PDP_TLS_KEY_FILE: file('k.txt', 'not pem') }), /PDP_TLS_KEY_FILE: .*is not PEM/);
  t.match(one({ PDP_TLS_CERT_FILE: pem, PDP_TLS_KEY_FILE: '/dev/zero' }), /PDP_TLS_KEY_FILE: cannot read \/dev\/zero: not a regular file/);
  t.match(one({ PDP_AUTH_MTLS_IDENTITIES: '[{"name":"x","scopes":[]}]' }), /PDP_AUTH_MTLS_IDENTITIES: client-certificate identities need a client CA file/);
  const { config } = loadConfig({
    env: { PDP_TLS_CERT_FILE: 'c.pem', PDP_TLS_KEY_FILE: 'c.pem', PDP_TLS_CLIENT_CA_FILE: 'c.pem', PDP_HOST: '0.0.0.0' },
    cwd: dir,
  });
  t.same(
    config.server.tls,
    { cert_file: pem, key_file: pem, client_ca_file: pem, client_auth: 'require', reload_interval_ms: 60000 },
    'paths resolved, defaults filled',
  );
  t.same(
    issuesOf({ PDP_TLS_CERT_FILE: pem, PDP_TLS_KEY_FILE: pem, PDP_TLS_CLIENT_CA_FILE: pem, PDP_HOST: '0.0.0.0' }),
    [],
    'a client CA counts as authentication',
  );
  t.match(one({ PDP_TLS_CERT_FILE: pem, PDP_TLS_KEY_FILE: pem, PDP_HOST: '0.0.0.0' }), /PDP_HOST: listening on 0\.0\.0\.0/, 'TLS alone authenticates nobody');
});

t.test('authorization settings', async (t) => {
  t.match(one({ PDP_AUTH_AUTHORIZATION: 'opa' }), /PDP_AUTH_AUTHORIZATION: must be one of "scopes", "policy"/);
  t.match(one({ PDP_AUTH_AUTHORIZATION_DECISION: 'system.authz.allow' }), /PDP_AUTH_AUTHORIZATION_DECISION: must match pattern/);
  t.equal(loadConfig({ env: { PDP_AUTH_AUTHORIZATION: 'policy' } }).config.auth.authorization, 'policy');
});
