// Configuration: defaults, file, env precedence; every bad value reported by its name.
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPoliciesDir } from '../../src/shared/package-root.js';
import { loadConfig } from '../../src/config/load.js';
import { toBundleManagerOptions } from '../../src/config/manager-options.js';
import { redactConfig } from '../../src/config/redact.js';
import { ConfigError } from '../../src/config/types.js';
import { configIssues } from '../helpers/config.js';

const dir = mkdtempSync(join(tmpdir(), 'pdp-config-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const issuesOf = (env: Record<string, string>) => configIssues(env, dir);

t.test('no configuration: embedded policies/, watched; loopback, OPA port; 1 MiB body limit; no authentication', async (t) => {
  const { config, warnings } = loadConfig({ env: {} });
  t.same(config.bundles, [{ name: 'ai-governance', path: defaultPoliciesDir, watch: true }]);
  t.same(config.auth, {
    mode: 'auto',
    api_keys: [],
    mtls_identities: [],
    authorization: 'scopes',
    authorization_decision: 'system/authz/allow',
    max_credential_bytes: 8192,
  });
  t.equal(config.server.tls, undefined);
  t.match(config.server, { host: '127.0.0.1', port: 8181, body_limit_bytes: 1048576, max_json_depth: 64, log_level: 'info' });
  t.equal(config.signing, undefined);
  t.same(warnings, []);
  const opts = toBundleManagerOptions(config);
  t.same(opts.sources, [{ name: 'ai-governance', kind: 'file', location: defaultPoliciesDir, watch: true, settleMs: 1000 }]);
});

t.test('env vars are coerced and override the file, which overrides defaults', async (t) => {
  const cfg = file('pdp.yaml', 'server:\n  port: 9000\n  log_level: debug\nevaluation:\n  timeout_ms: 50\n');
  const { config, file: used } = loadConfig({ env: { PDP_CONFIG: cfg, PDP_PORT: '9100', PDP_REQUEST_LOGGING: 'yes', PDP_EVAL_MAX_STEPS: '500' }, cwd: dir });
  t.equal(used, cfg);
  t.equal(config.server.port, 9100, 'env beats file');
  t.equal(config.server.log_level, 'debug', 'file beats default');
  t.equal(config.server.request_logging, true);
  t.equal(config.evaluation.timeout_ms, 50);
  t.equal(config.evaluation.max_steps, 500);
});

t.test('JSON config files, several bundles, paths relative to the file', async (t) => {
  const cfg = file(
    'pdp.json',
    JSON.stringify({
      bundles: [
        { name: 'gov', path: './bundles/gov' },
        { name: 'remote', url: 'https://bundles.example/remote.tar.gz', poll_interval_ms: 5000, headers: { Authorization: 'Bearer x' } },
      ],
      persist_dir: '/var/lib/pdp',
    }),
  );
  const { config } = loadConfig({ env: { PDP_CONFIG: cfg }, cwd: '/' });
  t.same(
    config.bundles.map((b) => b.path ?? b.url),
    [join(dir, 'bundles/gov'), 'https://bundles.example/remote.tar.gz'],
  );
  const opts = toBundleManagerOptions(config);
  t.same(opts.sources[1], {
    name: 'remote',
    kind: 'http',
    location: 'https://bundles.example/remote.tar.gz',
    pollIntervalMs: 5000,
    headers: { Authorization: 'Bearer x' },
  });
  t.equal(opts.persistDir, '/var/lib/pdp');
});

t.test('PDP_BUNDLE_URL replaces the bundle list; the token becomes a bearer header', async (t) => {
  const { config } = loadConfig({
    env: { PDP_BUNDLE_URL: 'http://bundles:8080/b.tar.gz', PDP_BUNDLE_AUTH_TOKEN: 's3cret', PDP_BUNDLE_POLL_INTERVAL_MS: '1000' },
  });
  t.same(config.bundles, [{ name: 'main', url: 'http://bundles:8080/b.tar.gz', headers: { Authorization: 'Bearer s3cret' }, poll_interval_ms: 1000 }]);
});

t.test('long polling: PDP_BUNDLE_LONG_POLLING_TIMEOUT_SECONDS reaches the HTTP source; bounded; only with a url', async (t) => {
  const { config } = loadConfig({ env: { PDP_BUNDLE_URL: 'http://bundles:8080/b.tar.gz', PDP_BUNDLE_LONG_POLLING_TIMEOUT_SECONDS: '30' } });
  t.equal(config.bundles[0].long_polling_timeout_seconds, 30);
  t.match(toBundleManagerOptions(config).sources[0], { kind: 'http', longPollingTimeoutSeconds: 30 });
  t.notOk('longPollingTimeoutSeconds' in toBundleManagerOptions(loadConfig({ env: { PDP_BUNDLE_URL: 'http://b/x' } }).config).sources[0]);
  for (const bad of ['0', '86401', '1.5', 'soon']) {
    t.match(
      issuesOf({ PDP_BUNDLE_URL: 'http://b/x', PDP_BUNDLE_LONG_POLLING_TIMEOUT_SECONDS: bad }),
      [{ source: 'PDP_BUNDLE_LONG_POLLING_TIMEOUT_SECONDS' }],
      bad,
    );
  }
  const onPath = file('lp.yaml', 'bundles:\n  - name: local\n    path: /tmp/x\n    long_polling_timeout_seconds: 5\n');
  t.throws(() => loadConfig({ env: { PDP_CONFIG: onPath }, cwd: dir }), /long_polling_timeout_seconds: applies only to a bundle url/);
});

t.test('OCI sources: PDP_BUNDLE_OCI replaces the bundle list; the token is a bearer header; one source kind per bundle', async (t) => {
  const { config } = loadConfig({ env: { PDP_BUNDLE_OCI: 'https://ghcr.io/org/policy:1.0', PDP_BUNDLE_AUTH_TOKEN: 'tok' } });
  t.same(config.bundles, [{ name: 'main', oci: 'https://ghcr.io/org/policy:1.0', headers: { Authorization: 'Bearer tok' } }]);
  t.same(toBundleManagerOptions(config).sources, [
    { name: 'main', kind: 'oci', location: 'https://ghcr.io/org/policy:1.0', pollIntervalMs: 30000, headers: { Authorization: 'Bearer tok' } },
  ]);
  t.match(issuesOf({ PDP_BUNDLE_OCI: 'ghcr.io/org/policy:1.0' }), [{ source: 'PDP_BUNDLE_OCI' }], 'a scheme is required');
  const both = file('both.yaml', 'bundles:\n  - name: b\n    url: http://x/b.tar.gz\n    oci: http://r/p:1\n');
  t.throws(() => loadConfig({ env: { PDP_CONFIG: both }, cwd: dir }), /exactly one of path, url or oci/);
  const lp = file('lp-oci.yaml', 'bundles:\n  - name: b\n    oci: http://r/p:1\n    long_polling_timeout_seconds: 5\n');
  t.throws(() => loadConfig({ env: { PDP_CONFIG: lp }, cwd: dir }), /long_polling_timeout_seconds: applies only to a bundle url/);

  // A token file and TLS apply to a registry too (OPA's token_path, tls.ca_cert on an oci service).
  const token = file('oci-token', 'dXNlcjpwdw==\n');
  const ca = file('oci-ca.crt', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  const withFile = loadConfig({
    env: { PDP_BUNDLE_OCI: 'https://r.example/p:1', PDP_BUNDLE_BEARER_FILE: token, PDP_BUNDLE_BEARER_SCHEME: 'Basic', PDP_BUNDLE_TLS_CA_FILE: ca },
  }).config;
  t.match(withFile.bundles[0], { oci: 'https://r.example/p:1', token_file: token, token_scheme: 'Basic', tls: { ca_file: ca } });
  const source = toBundleManagerOptions(withFile).sources[0];
  t.same(source.client?.requestHeaders?.(), { authorization: 'Basic dXNlcjpwdw==' });
  t.ok(source.client?.dispatcher, 'the CA makes a dispatcher');
  await source.client?.close();
  const onPath2 = file('tf-path.yaml', `bundles:\n  - name: local\n    path: /tmp/x\n    token_file: ${token}\n`);
  t.throws(() => loadConfig({ env: { PDP_CONFIG: onPath2 }, cwd: dir }), /token_file: applies only to a bundle url or oci reference/);

  // Credentials in the reference are not shown.
  const shown = redactConfig(loadConfig({ env: { PDP_BUNDLE_OCI: 'https://robot:s3cret@r.example/p:1' } }).config);
  t.equal(shown.bundles[0].oci, 'https://robot:REDACTED@r.example/p:1');
});

t.test('PDP_BUNDLE_WATCH alone adjusts the embedded default', async (t) => {
  const { config } = loadConfig({ env: { PDP_BUNDLE_WATCH: 'false' } });
  t.same(config.bundles, [{ name: 'ai-governance', path: defaultPoliciesDir, watch: false }]);
});

t.test('signing from env: key file read at start; require-signature', async (t) => {
  const pem = file('pub.pem', '-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----\n');
  const { config } = loadConfig({
    env: { PDP_BUNDLE_REQUIRE_SIGNATURE: 'true', PDP_BUNDLE_SIGNING_KEY_FILE: 'pub.pem', PDP_BUNDLE_SIGNING_ALG: 'ES256' },
    cwd: dir,
  });
  t.match(config.signing, { required: true, keys: [{ key_id: 'default', algorithm: 'ES256', key: /BEGIN PUBLIC KEY/ }] });
  t.same(toBundleManagerOptions(config).signing?.keys, [{ keyId: 'default', algorithm: 'ES256', key: config.signing?.keys[0]?.key }]);
  t.ok(pem);
});

t.test('every bad variable is reported, by name, in one error', async (t) => {
  const issues = issuesOf({
    PDP_PORT: 'eighty',
    PDP_BODY_LIMIT_BYTES: '-5',
    PDP_LOG_LEVEL: 'loud',
    PDP_REQUEST_LOGGING: 'maybe',
    PDP_EVAL_TIMEOUT_MS: '0',
    PDP_BUNDLE_URL: 'ftp://x',
  });
  const by = Object.fromEntries(issues.map((i) => [i.source, i.message]));
  t.same(Object.keys(by).sort(), ['PDP_BODY_LIMIT_BYTES', 'PDP_BUNDLE_URL', 'PDP_EVAL_TIMEOUT_MS', 'PDP_LOG_LEVEL', 'PDP_PORT', 'PDP_REQUEST_LOGGING']);
  t.match(by.PDP_PORT, /integer.*"eighty"/);
  t.match(by.PDP_LOG_LEVEL, /one of "fatal".*"silent".*"loud"/);
  t.match(by.PDP_REQUEST_LOGGING, /boolean/);
  t.match(by.PDP_BODY_LIMIT_BYTES, />= 1024/);
  try {
    loadConfig({ env: { PDP_PORT: '70000', PDP_MAX_JSON_DEPTH: 'deep' } });
    t.fail('should throw');
  } catch (err) {
    t.ok(err instanceof ConfigError);
    t.equal((err as ConfigError).code, 'CONFIG_INVALID');
    t.match((err as Error).message, /2 problems[\s\S]*PDP_PORT: must be <= 65535 \(got "70000"\)[\s\S]*PDP_MAX_JSON_DEPTH/);
  }
});

t.test('secrets are never echoed back', async (t) => {
  const issues = issuesOf({ PDP_BUNDLE_PATH: '/p', PDP_BUNDLE_AUTH_TOKEN: 'tok-SECRET-123' });
  t.equal(issues.length, 1);
  t.equal(issues[0]?.source, 'PDP_BUNDLE_AUTH_TOKEN');
  t.notMatch(JSON.stringify(issues), /SECRET/);
});

t.test('bad values in the config file are named by file and key; unknown keys are refused', async (t) => {
  const cfg = file(
    'bad.yaml',
    'server:\n  port: "x"\n  prot: 1\nbundles:\n  - name: a\n    path: p\n    url: http://x\n  - name: a\n    path: q\nsigning:\n  required: true\n  keys: []\n',
  );
  const issues = issuesOf({ PDP_CONFIG: cfg });
  const text = issues.map((i) => `${i.source}: ${i.message}`);
  t.match(text.join('\n'), /bad\.yaml: server\.port: must be integer/);
  t.match(text.join('\n'), /bad\.yaml: server\.prot: unknown setting/);
  // Semantic checks run once the shape is right.
  const cfg2 = file('bad2.yaml', 'bundles:\n  - name: a\n    path: p\n    url: http://x\n  - name: a\n    path: q\nsigning:\n  required: true\n  keys: []\n');
  const text2 = issuesOf({ PDP_CONFIG: cfg2 })
    .map((i) => `${i.source}: ${i.message}`)
    .join('\n');
  t.match(text2, /bundles\[0\]: a bundle needs exactly one of path, url or oci/);
  t.match(text2, /bundles\[1\]\.name: duplicate bundle name "a"/);
  t.match(text2, /signing\.required: signatures are required but no verification key/);
});

t.test('unreadable or unparsable config files', async (t) => {
  t.match(issuesOf({ PDP_CONFIG: join(dir, 'missing.yaml') }), [{ source: 'PDP_CONFIG', message: /cannot read.*ENOENT/ }]);
  t.match(issuesOf({ PDP_CONFIG: file('broken.json', '{"server": ') }), [{ source: 'PDP_CONFIG', message: /does not parse/ }]);
  t.match(issuesOf({ PDP_CONFIG: file('list.yaml', '- 1\n- 2\n') }), [{ source: 'PDP_CONFIG', message: /object at the top level/ }]);
  t.match(
    issuesOf({ PDP_CONFIG: file('proto.json', '{"__proto__": {"port": 1}}') }),
    [{ message: /unknown setting/ }],
    'a __proto__ key is just an unknown key',
  );
});

t.test('bundle modifiers without a bundle, when the file defines bundles, are an error', async (t) => {
  const cfg = file('two.yaml', 'bundles:\n  - name: a\n    path: p\n');
  t.match(issuesOf({ PDP_CONFIG: cfg, PDP_BUNDLE_WATCH: 'false' }), [
    { source: 'PDP_BUNDLE_WATCH', message: /PDP_BUNDLE_PATH, PDP_BUNDLE_URL or PDP_BUNDLE_OCI/ },
  ]);
});

t.test('unknown PDP_* variables are warnings; empty values are unset', async (t) => {
  const { config, warnings } = loadConfig({ env: { PDP_PROT: '1', PDP_PORT: '', OTHER: 'x', PDP_CACHE_ENABLED: 'true', PDP_DECISION_LOG_STDOUT: 'false' } });
  t.equal(config.server.port, 8181);
  t.same(warnings, ['unknown environment variable PDP_PROT (ignored; a typo?)']);
});

t.test('a bundle bound to a signing key names a configured key', async (t) => {
  const bound = (keyId: string) =>
    file(
      `bound-${keyId}.json`,
      JSON.stringify({
        bundles: [{ name: 'gov', url: 'https://bundles.example/gov.tar.gz', signing_key_id: keyId }],
        signing: { required: true, keys: [{ key_id: 'gov-key', algorithm: 'HS256', key: 'a-shared-secret-of-enough-length' }] },
      }),
    );
  t.same(configIssues({ PDP_CONFIG: bound('gov-key') }), []);
  t.match(configIssues({ PDP_CONFIG: bound('team-tools') }), [
    { source: /bundles\[0\]\.signing_key_id$/, message: /"team-tools", which signing.keys does not configure/ },
  ]);
  const opts = toBundleManagerOptions(loadConfig({ env: { PDP_CONFIG: bound('gov-key') } }).config);
  t.match(opts.sources[0], { name: 'gov', signingKeyId: 'gov-key' }, 'handed to the bundle manager');
});

t.test('decision_log.native_mask: on by default, off by env or file, anything but a boolean refused by name', async (t) => {
  t.equal(loadConfig({ env: {} }).config.decision_log.native_mask, true);
  t.equal(loadConfig({ env: { PDP_DECISION_LOG_NATIVE_MASK: 'false' } }).config.decision_log.native_mask, false);
  const off = file('native-off.yaml', 'decision_log:\n  native_mask: false\n');
  t.equal(loadConfig({ env: { PDP_CONFIG: off }, cwd: dir }).config.decision_log.native_mask, false);
  for (const bad of ['maybe', '', '1e3', 'true; rm -rf /']) {
    const by = Object.fromEntries(issuesOf({ PDP_DECISION_LOG_NATIVE_MASK: bad }).map((i) => [i.source, i.message]));
    if (bad === '') t.same(by, {}, 'an empty variable is unset (the default)');
    else t.match(by.PDP_DECISION_LOG_NATIVE_MASK, /boolean/, JSON.stringify(bad));
  }
  const str = file('native-str.yaml', 'decision_log:\n  native_mask: "yes"\n');
  t.throws(() => loadConfig({ env: { PDP_CONFIG: str }, cwd: dir }), /native_mask/);
});

t.test('evaluation.compile_js: on by default (the decision paths compiled), off by env or file, anything but a boolean refused by name', async (t) => {
  const on = loadConfig({ env: {} }).config;
  t.equal(on.evaluation.compile_js, true);
  t.same(toBundleManagerOptions(on).compiledPaths, ['ai/deployment/decision', 'ai/tools/decision'], 'the decision endpoints');
  const offEnv = loadConfig({ env: { PDP_EVAL_COMPILE_JS: 'false' } }).config;
  t.equal(offEnv.evaluation.compile_js, false);
  t.equal(toBundleManagerOptions(offEnv).compiledPaths, undefined, 'nothing compiled');
  const off = file('compile-off.yaml', 'evaluation:\n  timeout_ms: 100\n  max_steps: 1000\n  max_output_size: 1000\n  compile_js: false\n');
  t.equal(loadConfig({ env: { PDP_CONFIG: off }, cwd: dir }).config.evaluation.compile_js, false);
  const partial = file('compile-default.yaml', 'evaluation:\n  timeout_ms: 100\n  max_steps: 1000\n  max_output_size: 1000\n');
  t.equal(loadConfig({ env: { PDP_CONFIG: partial }, cwd: dir }).config.evaluation.compile_js, true, 'a file that does not name it keeps the default');
  for (const bad of ['maybe', '1e3', 'true; rm -rf /']) {
    const by = Object.fromEntries(issuesOf({ PDP_EVAL_COMPILE_JS: bad }).map((i) => [i.source, i.message]));
    t.match(by.PDP_EVAL_COMPILE_JS, /boolean/, JSON.stringify(bad));
  }
  const str = file('compile-str.yaml', 'evaluation:\n  timeout_ms: 100\n  max_steps: 1000\n  max_output_size: 1000\n  compile_js: "yes"\n');
  t.throws(() => loadConfig({ env: { PDP_CONFIG: str }, cwd: dir }), /compile_js/);
});

t.test('Redis Cluster: a custom stream key must share the id keys’ hash tag while id keys are written', async (t) => {
  const cluster = { REDIS_CLUSTER_NODES: '10.0.0.1:6379,10.0.0.2:6379' };
  const bad = issuesOf({ ...cluster, PDP_DECISION_LOG_REDIS_STREAM_KEY: 'audit-stream' });
  t.equal(bad.length, 1);
  t.match(bad[0], { source: 'PDP_DECISION_LOG_REDIS_STREAM_KEY', message: /hash tag \{decisions\}.*"audit:\{decisions\}:stream"/ });
  t.match(
    issuesOf({ ...cluster, PDP_DECISION_LOG_REDIS_STREAM_KEY: 'audit:{other}:stream' }),
    [{ source: 'PDP_DECISION_LOG_REDIS_STREAM_KEY' }],
    'another tag',
  );
  t.match(
    issuesOf({ ...cluster, PDP_DECISION_LOG_REDIS_STREAM_KEY: 'audit:{}:{decisions}' }),
    [{ source: 'PDP_DECISION_LOG_REDIS_STREAM_KEY' }],
    'an empty first tag hashes the whole key',
  );
  t.same(issuesOf({ ...cluster, PDP_DECISION_LOG_REDIS_STREAM_KEY: 'audit:{decisions}:stream' }), [], 'the same tag');
  t.same(issuesOf({ ...cluster, PDP_DECISION_LOG_REDIS_STREAM_KEY: 'audit-stream', PDP_DECISION_LOG_RETENTION_SECONDS: '0' }), [], 'no id keys: any key');
  t.same(issuesOf({ ...cluster, PDP_DECISION_LOG_REDIS_STREAM_KEY: 'audit-stream', PDP_DECISION_LOG_REDIS_STREAM: 'false' }), [], 'no stream');
  t.same(issuesOf({ REDIS_URL: 'redis://r:6379', PDP_DECISION_LOG_REDIS_STREAM_KEY: 'audit-stream' }), [], 'standalone: any key');
  // A prefix with its own tag gives the id keys that tag: the stream must carry it.
  const tagged = { ...cluster, REDIS_KEY_PREFIX: 'pdp:{tenant-1}:' };
  t.match(issuesOf({ ...tagged, PDP_DECISION_LOG_REDIS_STREAM_KEY: 'audit:{decisions}:stream' }), [{ message: /\{tenant-1\}/ }]);
  t.same(issuesOf({ ...tagged, PDP_DECISION_LOG_REDIS_STREAM_KEY: 'audit:{tenant-1}:stream' }), []);
  t.same(issuesOf(tagged), [], 'the default stream key carries the prefix');
});
