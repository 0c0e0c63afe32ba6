// The webhook's HTTPS: certificate and key from files (a cert-manager Secret), a CA made in the
// test, and a rotation while the server runs — the next TLS connection sees the new certificate
// and the API server's next AdmissionReview is answered over it, without a restart.
import t from 'tap';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { startServer } from '../../src/server.js';
import { call, hasOpenssl, makePki } from '../helpers/auth.js';
import { ADMISSION_PATH, inferenceService, modelDeploymentExamples, responseProblems, review } from '../helpers/admission.js';
import { testConfig } from '../helpers/config.js';
import { repoRoot } from '../helpers/deploy.js';

const skip = hasOpenssl() ? false : 'the openssl CLI is needed to make the test CA and certificates, and is not installed';

/** The subject CN of the certificate the server presents on a new connection (verified against the CA). */
function servedCn(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      const cn = s.getPeerCertificate().subject?.CN;
      s.end();
      resolve(Array.isArray(cn) ? cn.join(',') : (cn ?? ''));
    });
    s.on('error', reject);
  });
}

t.test('a rotated certificate is served without a restart', { skip }, async (t) => {
  const pki = makePki([]);
  const ex = modelDeploymentExamples().find((e) => e.name === 'tier1-prod-fraud-scorer')!;
  const d = ex.body.deployment;
  const s = await startServer(
    testConfig({
      PDP_BUNDLE_PATH: join(repoRoot, 'policies'),
      PDP_BUNDLE_WATCH: 'false',
      PDP_TLS_CERT_FILE: pki.server.certFile,
      PDP_TLS_KEY_FILE: pki.server.keyFile,
      PDP_TLS_RELOAD_INTERVAL_MS: '100',
      PDP_AUTH_MODE: 'none',
      PDP_ADMISSION_NAMESPACES: JSON.stringify({ ml: { environment: d.environment, exposure: d.exposure, region: d.region, cluster: d.cluster } }),
    }),
  );
  t.teardown(() => s.close());
  t.match(s.url, /^https:/);
  const admit = async (): Promise<boolean> => {
    const body = review('InferenceService', 'CREATE', { object: inferenceService(ex.body, 'ml'), namespace: 'ml' });
    const r = await call(`${s.url}${ADMISSION_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      tls: { ca: pki.ca.cert },
    });
    t.equal(responseProblems(r.json), null, 'a valid AdmissionReview answer over HTTPS');
    return (r.json as { response: { allowed: boolean } }).response.allowed;
  };
  t.equal(await servedCn(s.port, pki.ca.cert), 'localhost');
  t.type(await admit(), 'boolean');

  // cert-manager renews: the Secret volume's files are replaced (key first, then certificate).
  const renewed = pki.issueServer('pdp-webhook.renewed');
  writeFileSync(`${pki.server.keyFile}.new`, renewed.key);
  writeFileSync(`${pki.server.certFile}.new`, renewed.cert);
  copyFileSync(`${pki.server.keyFile}.new`, pki.server.keyFile);
  copyFileSync(`${pki.server.certFile}.new`, pki.server.certFile);
  let cn = 'localhost';
  for (let i = 0; i < 100 && cn === 'localhost'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    cn = await servedCn(s.port, pki.ca.cert);
  }
  t.equal(cn, 'pdp-webhook.renewed', 'the new certificate is presented on the next connection');
  t.type(await admit(), 'boolean', 'and the webhook answers over it');
});
