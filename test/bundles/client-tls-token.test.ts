// Bundle downloads and decision-log uploads over real TLS with a test-made CA: the server's CA
// from a file, a client certificate (mTLS), and a bearer token read from a file for every request
// (OPA's credentials.bearer.token_path), so a rotated token is used without a restart. Reached
// the way an OPA user configures it: an OPA config file.
import t from 'tap';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadConfig } from '../../src/config/load.js';
import { startServer } from '../../src/server.js';
import { HttpSink } from '../../src/decisionlog/sinks/http.js';
import { httpClientOptions } from '../../src/bundles/http-client-options.js';
import { hasOpenssl, makePki } from '../helpers/auth.js';
import { tarball, waitFor } from '../helpers/bundle-files.js';
import { postJson } from '../helpers/http.js';
import { decidedRecord } from '../helpers/decision-record.js';
import { toLogRecord } from '../../src/decisionlog/record.js';

if (!hasOpenssl()) {
  t.comment('skipped: the openssl CLI is needed to make the test CA and certificates, and is not installed');
} else {
  const pki = makePki(['pdp']);
  const dir = mkdtempSync(join(tmpdir(), 'pdp-client-tls-'));
  writeFileSync(join(dir, 'client.crt'), pki.clients.pdp?.cert ?? '');
  writeFileSync(join(dir, 'client.key'), pki.clients.pdp?.key ?? '');
  const tokenFile = join(dir, 'token');

  interface Seen {
    path: string;
    authorization: string | undefined;
    clientCn: string | undefined;
    body: Buffer;
  }

  /** An HTTPS server that requires a client certificate from the test CA. */
  async function mtlsServer(handler: (path: string, res: import('node:http').ServerResponse) => void): Promise<{ url: string; seen: Seen[]; server: Server }> {
    const seen: Seen[] = [];
    const { readFileSync } = await import('node:fs');
    const server = createServer(
      { cert: readFileSync(pki.server.certFile), key: readFileSync(pki.server.keyFile), ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
          seen.push({ path: req.url ?? '', authorization: req.headers.authorization, clientCn: [peer.subject?.CN].flat()[0], body: Buffer.concat(chunks) });
          handler(req.url ?? '', res);
        });
      },
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
  }

  t.test('an OPA config file: bundle over mTLS with a rotating token_path token; decision logs over mTLS', async (t) => {
    const bundle = await tarball({ 'app/policy.rego': 'package app\n\nallow if input.user == "alice"\n' });
    const bundles = await mtlsServer((_path, res) => {
      res.writeHead(200, { 'content-type': 'application/gzip', etag: '"r1"' }).end(bundle);
    });
    const logs = await mtlsServer((_path, res) => res.writeHead(200).end('{}'));
    t.teardown(() => {
      bundles.server.close();
      logs.server.close();
    });
    writeFileSync(tokenFile, 'token-one\n');
    writeFileSync(
      join(dir, 'opa-config.yaml'),
      `services:
  bundlesvc:
    url: ${bundles.url}
    tls: { ca_cert: ${pki.ca.certFile} }
    credentials:
      bearer: { token_path: token }
  logsvc:
    url: ${logs.url}
    tls: { ca_cert: ${pki.ca.certFile} }
    credentials:
      client_tls: { cert: client.crt, private_key: client.key }
bundles:
  app:
    service: bundlesvc
    resource: /bundles/app.tar.gz
decision_logs:
  service: logsvc
  reporting: { min_delay_seconds: 1, max_delay_seconds: 2 }
labels: { team: platform }
`,
    );
    // The bundle service also needs the client certificate: given natively on top (env), as the
    // OPA file gives it to logsvc only.
    const loaded = loadConfig({
      env: {
        PDP_CONFIG: join(dir, 'opa-config.yaml'),
        PDP_HOST: '127.0.0.1',
        PDP_PORT: '0',
        PDP_LOG_LEVEL: 'silent',
        PDP_EVAL_TIMEOUT_MS: '10000',
      },
    });
    const config = loaded.config;
    const b = config.bundles[0];
    if (!b) throw new Error('one bundle');
    b.tls = { ...b.tls, cert_file: join(dir, 'client.crt'), key_file: join(dir, 'client.key') };
    b.poll_interval_ms = 200;
    const s = await startServer(config);
    t.teardown(() => s.close());

    const r = await postJson(`${s.url}/v1/data/app/allow`, { input: { user: 'alice' } });
    t.equal(r.status, 200);
    t.same((r.json as { result: unknown }).result, true, 'the bundle came over mTLS and decides');
    t.equal(bundles.seen[0]?.path, '/bundles/app.tar.gz');
    t.equal(bundles.seen[0]?.authorization, 'Bearer token-one', 'token read from token_path');
    t.equal(bundles.seen[0]?.clientCn, 'pdp', 'client certificate presented');

    writeFileSync(tokenFile, 'token-two\n');
    await waitFor('a poll with the rotated token', () => bundles.seen.some((x) => x.authorization === 'Bearer token-two'), 5000);
    t.ok(
      bundles.seen.some((x) => x.authorization === 'Bearer token-two'),
      'the rotated token is used without a restart',
    );

    await waitFor('a decision-log upload', () => logs.seen.length > 0, 8000);
    const upload = logs.seen[0];
    t.equal(upload?.path, '/logs', "OPA's default resource");
    t.equal(upload?.clientCn, 'pdp', 'decision-log upload presents the client certificate');
    const events = JSON.parse(gunzipSync(upload?.body ?? Buffer.alloc(0)).toString('utf8')) as Record<string, unknown>[];
    t.equal(events[0]?.decision_id, (r.json as { decision_id: string }).decision_id);
    t.match(events[0]?.labels, { team: 'platform' });
  });

  t.test('without the client certificate the bundle server refuses the handshake; an unreadable token fails the poll', async (t) => {
    const bundles = await mtlsServer((_p, res) => res.writeHead(404).end());
    t.teardown(() => bundles.server.close());
    const noCert = httpClientOptions({ tls: { ca_file: pki.ca.certFile } });
    const err = await fetch(`${bundles.url}/x`, { dispatcher: noCert?.dispatcher } as RequestInit).then(
      () => null,
      (e: unknown) => e,
    );
    t.ok(err, 'refused without a client certificate');
    await noCert?.close();
    const missing = httpClientOptions({ token_file: join(dir, 'missing-token') });
    t.throws(() => missing?.requestHeaders?.(), /cannot read the token file .*ENOENT/);
    writeFileSync(join(dir, 'two-lines'), 'a\nb\n');
    t.throws(() => httpClientOptions({ token_file: join(dir, 'two-lines') })?.requestHeaders?.(), /more than one line/);
    writeFileSync(join(dir, 'empty'), '\n');
    t.throws(() => httpClientOptions({ token_file: join(dir, 'empty'), token_scheme: 'Token' })?.requestHeaders?.(), /is empty/);
    writeFileSync(join(dir, 'ok'), 'abc\n');
    t.same(httpClientOptions({ token_file: join(dir, 'ok'), token_scheme: 'Token' })?.requestHeaders?.(), { authorization: 'Token abc' });
    t.equal(httpClientOptions({}), undefined, 'nothing configured: plain fetch');
  });
}

t.test('upload_size_limit_bytes: a batch larger than the limit is split; one large record is still sent', async (t) => {
  const bodies: Buffer[] = [];
  const { createServer: createHttp } = await import('node:http');
  const server = createHttp((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      res.writeHead(200).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/logs`;
  const record = (i: number, size: number) =>
    toLogRecord(
      decidedRecord(
        {
          decision_id: `d-${i}`,
          timestamp: new Date().toISOString(),
          path: 'p',
          kind: 'data',
          input: { blob: Array.from({ length: size }, (_, k) => (k * 7919 + i) % 1000).join(',') },
          outcome: 'decided',
          bundles: {},
          cached: false,
          engine: 'rego',
          duration_ms: 1,
        },
        true,
      ),
      {},
    );
  const batch = Array.from({ length: 8 }, (_, i) => record(i, 400));
  await new HttpSink({ url, timeoutMs: 5000, maxUploadBytes: 2048 }).send(batch);
  t.ok(bodies.length > 1, `split into ${bodies.length} uploads`);
  t.ok(
    bodies.every((b) => b.byteLength <= 2048),
    'each within the limit',
  );
  const ids = bodies.flatMap((b) => (JSON.parse(gunzipSync(b).toString('utf8')) as { decision_id: string }[]).map((e) => e.decision_id));
  t.same(
    ids,
    batch.map((r) => r.decision_id),
    'every record once, in order',
  );
  bodies.length = 0;
  await new HttpSink({ url, timeoutMs: 5000, maxUploadBytes: 64 }).send([record(99, 2000)]);
  t.equal(bodies.length, 1, 'a single record over the limit is still sent');
  bodies.length = 0;
  await new HttpSink({ url, timeoutMs: 5000 }).send(batch);
  t.equal(bodies.length, 1, 'no limit: one upload');
});
