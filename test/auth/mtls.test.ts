// mTLS through a real HTTPS listener with a PKI made in the test (openssl): client certificates
// from the configured CA authenticate (caller = the listed identity matched by CN or SAN, else the
// CN); no certificate or one from another CA is refused — at the handshake with client_auth
// "require", with 401 (and open probes) with "optional"; renewed certificate files are picked up
// without a restart.
import t from 'tap';
import { copyFileSync, writeFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import type { RunningServer } from '../../src/server.js';
import { writeBundle } from '../helpers/real-server.js';
import { bearer, call, hasOpenssl, makeApiKeys, makePki, startOnBundle, refusalReason, type HttpResult, type Pki } from '../helpers/auth.js';

// Without the openssl CLI no certificates can be made here: every test is skipped, saying why.
const skip = hasOpenssl() ? false : 'the openssl CLI is needed to make the test CA and certificates, and is not installed';

const bundleDir = writeBundle({
  '.manifest': JSON.stringify({ revision: 'r1', roots: ['ai'] }),
  'ai/deployment/policy.rego': 'package ai.deployment\n\ndecision := {"allow": true, "reasons": [], "obligations": [], "exceptions_applied": []}\n',
});
const DEPLOYMENT = { model: { name: 'fraud-scorer', version: '3.2.0' }, deployment: { environment: 'prod' } };
const pki = skip ? (undefined as unknown as Pki) : makePki(['release-pipeline', 'auditor', 'unlisted']);
const identities = JSON.stringify([
  { name: 'release-pipeline', scopes: ['decide:model-deployment', 'status:read'] },
  // Matched by the certificate's SAN (a SPIFFE id), not its CN.
  { name: 'spiffe://test.example/auditor', scopes: ['decisions:read', 'status:read'] },
]);

const start = (env: Record<string, string>): Promise<RunningServer> =>
  startOnBundle(t, bundleDir, {
    PDP_TLS_CERT_FILE: pki.server.certFile,
    PDP_TLS_KEY_FILE: pki.server.keyFile,
    PDP_TLS_CLIENT_CA_FILE: pki.ca.certFile,
    PDP_AUTH_MTLS_IDENTITIES: identities,
    ...env,
  });

const as = (name: keyof typeof pki.clients | 'stranger' | null) => ({
  ca: pki.ca.cert,
  ...(name === null ? {} : name === 'stranger' ? pki.stranger : pki.clients[name]!),
});
const reason = refusalReason;

t.test('client_auth require: the handshake refuses no certificate and certificates from another CA', { skip }, async (t) => {
  const s = await start({ PDP_TLS_RELOAD_INTERVAL_MS: '200' });
  t.match(s.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  await t.rejects(call(`${s.url}/health`, { tls: as(null) }), 'no client certificate: no connection (not even /health)');
  await t.rejects(call(`${s.url}/v1/pdp/status`, { tls: as('stranger') }), 'a certificate from another CA: no connection');

  const status = await call(`${s.url}/v1/pdp/status`, { tls: as('release-pipeline') });
  t.equal(status.status, 200, 'a listed certificate with status:read');
  t.match(status.json, { auth: { mode: 'authenticated', methods: ['mtls'] } });
  const d = await call(`${s.url}/v1/decisions/model-deployment`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-pdp-caller': 'someone-else' },
    body: JSON.stringify(DEPLOYMENT),
    tls: as('release-pipeline'),
  });
  t.equal(d.status, 200);
  t.equal(
    (
      await call(`${s.url}/v1/decisions/tool-call`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        tls: as('release-pipeline'),
      })
    ).status,
    403,
    'no decide:tool-call',
  );
  await new Promise((r) => setTimeout(r, 50));
  const rec = await call(`${s.url}/v1/decisions/${(d.json as { decision_id: string }).decision_id}`, { tls: as('auditor') });
  t.equal(rec.status, 200, 'the auditor (matched by its SAN) reads the record');
  t.match(
    rec.json,
    { caller: 'release-pipeline', caller_auth: 'mtls', peer_address: '127.0.0.1', ignored_on_behalf_of: 'someone-else' },
    'caller = the certificate subject',
  );
  t.notOk((rec.json as Record<string, unknown>).on_behalf_of, 'the header is not an identity');

  const unlisted = await call(`${s.url}/v1/pdp/status`, { tls: as('unlisted') });
  t.equal(unlisted.status, 403, 'a valid certificate that is not listed authenticates, with no scopes');
  t.equal((await call(`${s.url}/health`, { tls: as('unlisted') })).status, 200);

  // Renewal (cert-manager rewrites the files): the next connection gets the new certificate.
  const renewed = pki.issueServer('renewed.test');
  const before = await serverCn(s.port);
  t.equal(before, 'localhost');
  writeFileSync(`${pki.server.certFile}.new`, renewed.cert);
  writeFileSync(`${pki.server.keyFile}.new`, renewed.key);
  copyFileSync(`${pki.server.keyFile}.new`, pki.server.keyFile);
  copyFileSync(`${pki.server.certFile}.new`, pki.server.certFile);
  let after = before;
  for (let i = 0; i < 40 && after === before; i++) {
    await new Promise((r) => setTimeout(r, 100));
    after = await serverCn(s.port);
  }
  t.equal(after, 'renewed.test', 'the renewed certificate is served without a restart');

  // A half-done rotation (a certificate whose key is not there yet) keeps the current one.
  const next = pki.issueServer('next.test');
  writeFileSync(pki.server.certFile, next.cert);
  await new Promise((r) => setTimeout(r, 600));
  t.equal(await serverCn(s.port), 'renewed.test', 'a certificate without its key is not loaded; the previous one keeps serving');
  writeFileSync(pki.server.keyFile, next.key);
  let done = 'renewed.test';
  for (let i = 0; i < 40 && done === 'renewed.test'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    done = await serverCn(s.port);
  }
  t.equal(done, 'next.test', 'once the key arrives, the pair is loaded');
});

t.test('client_auth optional: probes without a certificate, bearer keys beside certificates, other CAs refused', { skip }, async (t) => {
  const { keys, env } = makeApiKeys({ ci: ['status:read'] });
  const s = await start({ PDP_TLS_CLIENT_AUTH: 'optional', PDP_AUTH_API_KEYS: env, PDP_TLS_RELOAD_INTERVAL_MS: '0' });
  t.equal((await call(`${s.url}/health`, { tls: as(null) })).status, 200, 'kubelet-style probe without a certificate');
  const none = await call(`${s.url}/v1/pdp/status`, { tls: as(null) });
  t.equal(none.status, 401);
  t.equal(reason(none), 'missing_credentials');
  const stranger = await call(`${s.url}/v1/pdp/status`, { tls: as('stranger') });
  t.equal(stranger.status, 401, 'a certificate from another CA does not authenticate');
  t.equal(reason(stranger), 'untrusted_certificate');
  t.equal((await call(`${s.url}/v1/pdp/status`, { tls: as('release-pipeline') })).status, 200, 'a valid certificate');
  t.equal((await call(`${s.url}/v1/pdp/status`, { tls: as(null), headers: bearer(keys.ci!) })).status, 200, 'an API key without a certificate');
  t.equal(
    (await call(`${s.url}/v1/pdp/status`, { tls: as('unlisted'), headers: bearer('pdp_unknown') })).status,
    401,
    'a presented bearer credential must be valid, certificate or not',
  );
});

t.test('plain HTTP to the TLS port gets no answer from the service', { skip }, async (t) => {
  const s = await start({ PDP_TLS_CLIENT_AUTH: 'optional', PDP_TLS_RELOAD_INTERVAL_MS: '0' });
  const r = await call(s.url.replace('https:', 'http:') + '/health').catch((e: Error) => e);
  t.ok(r instanceof Error || (r as HttpResult).status >= 400, 'not served over plain HTTP');
});

function serverCn(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = pki.clients['release-pipeline']!;
    const sock = tlsConnect({ host: '127.0.0.1', port, ca: pki.ca.cert, cert: c.cert, key: c.key }, () => {
      const cn = sock.getPeerCertificate().subject?.CN;
      sock.end();
      resolve(Array.isArray(cn) ? (cn[0] ?? '') : (cn ?? ''));
    });
    sock.on('error', reject);
  });
}
