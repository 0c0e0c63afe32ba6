// Must hold: `pdp serve --config opa-config.yaml` (OPA's file, as an OPA user writes it) starts
// the service with the same effective settings as the hand-written native file — compared on
// the running service's GET /v1/pdp/config — and the service then behaves as configured: the bundle
// is downloaded from the OPA service with its bearer token, decisions are uploaded to the
// decision-log service with the labels. Same for a `type: oci` service: the native bundles[].oci
// settings, and the bundle pulled from a registry (test/helpers/oci-token-registry.ts) through
// its token exchange with the configured Basic credentials.
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { redactConfig } from '../../src/config/redact.js';
import { packageRoot } from '../../src/shared/package-root.js';
import { serveBundle, startBundleServer, tarball } from '../helpers/bundle-files.js';
import { startCollector } from '../helpers/collector.js';
import { startTokenRegistry } from '../helpers/oci-token-registry.js';
import { jsonObjectLines, listeningUrl } from '../helpers/json-lines.js';
import { until } from '../helpers/until.js';

/** `pdp serve --config <file>` in a child process, until it listens. */
async function serve(t: Test, configFile: string, env: Record<string, string>): Promise<{ url: string; stdout: () => string; stderr: () => string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(PDP_|REDIS_|OTEL_)/.test(k)));
  const child = spawn(process.execPath, ['--import', 'tsx', join(packageRoot, 'test/helpers/pdp-serve.ts'), '--config', configFile], {
    // tsx is resolved from the working directory.
    cwd: packageRoot,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  t.teardown(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
  if (!(await until(() => listeningUrl(stdout) !== undefined, 60_000, 50))) throw new Error(`the service did not start:\n${stdout}\n${stderr}`);
  return { url: String(listeningUrl(stdout)), stdout: () => stdout, stderr: () => stderr };
}

t.test('pdp serve --config <OPA file> runs with the native equivalent, and behaves so', async (t) => {
  const bundles = await startBundleServer();
  bundles.handler = serveBundle(await tarball({ 'http/authz/policy.rego': 'package http.authz\n\nallow if input.user == "alice"\n' }), '"rev-1"');
  const logs = await startCollector();
  t.teardown(async () => {
    await bundles.close();
    await logs.stop();
  });
  const dir = mkdtempSync(join(tmpdir(), 'pdp-opa-serve-'));
  const opaFile = join(dir, 'opa-config.yaml');
  writeFileSync(
    opaFile,
    `services:
  acmecorp:
    url: ${bundles.url}/control-plane-api/v1
    credentials:
      bearer:
        token: "\${ACME_TOKEN}"
  logs:
    url: http://127.0.0.1:${logs.port}
labels:
  app: myapp
  region: west
bundles:
  authz:
    service: acmecorp
    resource: bundles/authz.tar.gz
    polling:
      min_delay_seconds: 60
      max_delay_seconds: 120
decision_logs:
  service: logs
  resource: /logs/opa
  reporting:
    min_delay_seconds: 1
    max_delay_seconds: 2
  console: true
default_decision: /http/authz/allow
server:
  encoding:
    gzip:
      min_length: 512
      compression_level: 6
`,
  );
  const nativeFile = join(dir, 'native.yaml');
  writeFileSync(
    nativeFile,
    toYaml({
      labels: { app: 'myapp', region: 'west' },
      opa: { default_decision: '/http/authz/allow' },
      server: { gzip: { min_length: 512, compression_level: 6 } },
      bundles: [
        {
          name: 'authz',
          url: `${bundles.url}/control-plane-api/v1/bundles/authz.tar.gz`,
          poll_interval_ms: 60000,
          headers: { Authorization: 'Bearer acme-s3cr3t' },
        },
      ],
      decision_log: { stdout: true, url: `http://127.0.0.1:${logs.port}/logs/opa`, upload_interval_ms: 1000, upload_max_bytes: 32768 },
    }),
  );
  // One process (PDP_WORKERS=1): the cluster has its own tests (test/cluster/).
  const env = { PDP_HOST: '127.0.0.1', PDP_PORT: '0', PDP_WORKERS: '1', PDP_EVAL_TIMEOUT_MS: '10000', OTEL_SDK_DISABLED: 'true' };
  const native = loadConfig({ env: { ...env, PDP_CONFIG: nativeFile }, cwd: dir }).config;

  const { url, stdout, stderr } = await serve(t, opaFile, { ...env, ACME_TOKEN: 'acme-s3cr3t' });
  t.notMatch(stderr(), /warning/, 'no warnings at start');

  // The running service's effective configuration (secrets redacted) is the native file's.
  const effective = (await (await fetch(`${url}/v1/pdp/config`)).json()) as { result: unknown };
  t.strictSame(effective.result, JSON.parse(JSON.stringify(redactConfig(native))), 'same effective settings as the native file');

  // And it behaves so: the bundle came with the bearer token; a decision is uploaded with the labels.
  t.ok(await until(() => bundles.requests.some((r) => r.status === 200), 20_000), 'bundle downloaded');
  t.equal(bundles.requests[0]?.headers.authorization, 'Bearer acme-s3cr3t', '${ACME_TOKEN} was sent as the bearer token');
  const r = await fetch(`${url}/v1/data/http/authz/allow`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"input":{"user":"alice"}}',
  });
  const answer = (await r.json()) as { result: unknown; decision_id: string };
  t.equal(answer.result, true);
  t.ok(await until(() => logs.events().some((e) => e.decision_id === answer.decision_id), 20_000), 'uploaded to the decision-log service');
  const event = logs.events().find((e) => e.decision_id === answer.decision_id);
  t.equal(logs.uploads[0]?.path, '/logs/opa');
  t.match(event?.labels, { app: 'myapp', region: 'west' });
  t.ok(
    jsonObjectLines(stdout()).some((l) => l.msg === 'Decision Log' && l.decision_id === answer.decision_id),
    'console: true logs the decision on stdout',
  );
});

t.test('pdp serve --config <OPA file> with a type: oci service: the native oci settings, and the registry token exchange', async (t) => {
  const reg = await startTokenRegistry();
  t.teardown(() => reg.close());
  reg.push('http/authz', 'v1', await tarball({ 'http/authz/policy.rego': 'package http.authz\n\nallow if input.user == "alice"\n' }));
  const creds = Buffer.from('robot:pa55').toString('base64');
  reg.basic = `Basic ${creds}`; // the realm hands out tokens for these credentials only
  const dir = mkdtempSync(join(tmpdir(), 'pdp-opa-oci-'));
  const host = new URL(reg.url).host;
  const opaFile = join(dir, 'opa-config.yaml');
  writeFileSync(
    opaFile,
    `services:
  registry:
    url: ${reg.url}
    type: oci
    credentials:
      bearer:
        scheme: Basic
        token: "\${REGISTRY_CREDENTIALS}"
bundles:
  authz:
    service: registry
    resource: ${host}/http/authz:v1
    polling:
      min_delay_seconds: 60
      max_delay_seconds: 120
`,
  );
  const nativeFile = join(dir, 'native.yaml');
  writeFileSync(
    nativeFile,
    toYaml({
      decision_log: { stdout: false },
      bundles: [{ name: 'authz', oci: `${reg.url}/http/authz:v1`, poll_interval_ms: 60000, headers: { Authorization: `Basic ${creds}` } }],
    }),
  );
  const env = { PDP_HOST: '127.0.0.1', PDP_PORT: '0', PDP_WORKERS: '1', PDP_EVAL_TIMEOUT_MS: '10000', OTEL_SDK_DISABLED: 'true' };
  const native = loadConfig({ env: { ...env, PDP_CONFIG: nativeFile }, cwd: dir }).config;
  const { url, stdout, stderr } = await serve(t, opaFile, { ...env, REGISTRY_CREDENTIALS: creds });
  t.notMatch(stderr(), /warning/, 'no warnings at start');
  const effective = (await (await fetch(`${url}/v1/pdp/config`)).json()) as { result: unknown };
  t.strictSame(effective.result, JSON.parse(JSON.stringify(redactConfig(native))), 'same effective settings as the native file');
  const opaView = (await (await fetch(`${url}/v1/config`)).json()) as { result: { bundles: Record<string, { resource?: string }> } };
  t.equal(opaView.result.bundles.authz?.resource, `${reg.url}/http/authz:v1`, 'GET /v1/config names the registry reference');

  const decide = async (): Promise<unknown> => {
    const r = await fetch(`${url}/v1/data/http/authz/allow`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"input":{"user":"alice"}}',
    });
    return ((await r.json()) as { result?: unknown }).result;
  };
  t.ok(await until(async () => (await decide()) === true, 20_000), 'the bundle was pulled from the registry');
  t.equal(reg.realmRequests[0]?.authorization, `Basic ${creds}`, 'the configured credentials went to the realm');
  t.match(reg.registryRequests.at(-1)?.authorization, /^Bearer tok-/, 'the registry got the exchanged token');
  t.notMatch(stdout() + stderr(), /tok-|cm9ib3Q6cGE1NQ/, 'neither the token nor the credentials are logged');
});
