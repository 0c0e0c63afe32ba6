// OPA's configuration file, written as an OPA user writes it, gives the same effective
// configuration as a hand-written native file; OPA keys without an equivalent are named; hostile
// values are refused with the key named.
import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { isOpaConfig } from '../../src/config/opa-config.js';
import { ConfigError, type ConfigIssue, type LoadedConfig } from '../../src/config/types.js';

const PEM_CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n';
const publicKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pdp-opa-config-'));
  writeFileSync(join(dir, 'ca.crt'), PEM_CERT);
  writeFileSync(join(dir, 'client.crt'), PEM_CERT);
  writeFileSync(join(dir, 'client.key'), PEM_KEY);
  writeFileSync(join(dir, 'token.txt'), 'rotating-token\n');
  mkdirSync(join(dir, 'opa-data'));
  return dir;
}

/** What an OPA user writes: every key the issue lists (services with headers, bearer token and
 * token_path, client TLS and a CA; bundles with polling, long polling, signing and persist; keys;
 * decision_logs with service, resource, reporting, mask/drop decisions and console; labels;
 * default_decision; persistence_directory; server.encoding.gzip), with ${VAR} references. */
function opaConfigYaml(): string {
  return `
services:
  acmecorp:
    url: https://bundles.example.com/control-plane-api/v1
    headers:
      X-Tenant: acme
    credentials:
      bearer:
        token: "\${BUNDLE_TOKEN}"
  rotating:
    url: https://other.example.com/
    credentials:
      bearer:
        token_path: token.txt
        scheme: Token
  logsvc:
    url: \${LOG_URL}
    response_header_timeout_seconds: 8
    tls:
      ca_cert: ca.crt
    credentials:
      client_tls:
        cert: client.crt
        private_key: client.key

labels:
  app: myapp
  region: west
  environment: production

bundles:
  authz:
    service: acmecorp
    resource: bundles/http/example/authz.tar.gz
    persist: true
    polling:
      min_delay_seconds: \${MIN_DELAY}
      max_delay_seconds: 120
      long_polling_timeout_seconds: 30
    signing:
      keyid: global_key
      scope: write
  extra:
    service: rotating
    persist: true
    signing:
      keyid: global_key

keys:
  global_key:
    algorithm: RS256
    key: |
${publicKey
  .trim()
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
    scope: write

decision_logs:
  service: logsvc
  resource: /logs/pdp
  reporting:
    min_delay_seconds: 5
    max_delay_seconds: 10
    upload_size_limit_bytes: 65536
    buffer_size_limit_bytes: 1048576
    buffer_size_limit_events: 5000
  mask_decision: /system/log/mask
  drop_decision: /system/log/drop
  console: true

default_decision: /http/example/authz/allow
default_authorization_decision: /system/authz/allow
persistence_directory: opa-data

server:
  encoding:
    gzip:
      min_length: 2048
      compression_level: 5
  decoding:
    max_length: 4194304
`;
}

const ENV = { BUNDLE_TOKEN: 's3cr3t', LOG_URL: 'https://logs.example.com', MIN_DELAY: '60' };

function load(dir: string, file: string, text: string, env: Record<string, string> = ENV): LoadedConfig {
  writeFileSync(join(dir, file), text);
  return loadConfig({ env: { ...env, PDP_CONFIG: join(dir, file) }, cwd: dir });
}

function issuesOf(dir: string, text: string, env: Record<string, string> = ENV): ConfigIssue[] {
  try {
    load(dir, 'opa-config.yaml', text, env);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.issues];
    throw e;
  }
  return [];
}

t.test('a real OPA config file gives the same effective configuration as the native one', async (t) => {
  const dir = workspace();
  const opa = load(dir, 'opa-config.yaml', opaConfigYaml());
  const native = load(
    dir,
    'native.yaml',
    toYaml({
      labels: { app: 'myapp', region: 'west', environment: 'production' },
      opa: { default_decision: '/http/example/authz/allow' },
      server: { gzip: { min_length: 2048, compression_level: 5 }, body_limit_bytes: 4194304 },
      auth: { authorization_decision: 'system/authz/allow' },
      persist_dir: 'opa-data',
      bundles: [
        {
          name: 'authz',
          url: 'https://bundles.example.com/control-plane-api/v1/bundles/http/example/authz.tar.gz',
          poll_interval_ms: 60000,
          long_polling_timeout_seconds: 30,
          headers: { 'X-Tenant': 'acme', Authorization: 'Bearer s3cr3t' },
          signing_key_id: 'global_key',
        },
        {
          name: 'extra',
          url: 'https://other.example.com/bundles/extra',
          poll_interval_ms: 60000,
          token_file: 'token.txt',
          token_scheme: 'Token',
          signing_key_id: 'global_key',
        },
      ],
      signing: { required: true, scope: 'write', keys: [{ key_id: 'global_key', algorithm: 'RS256', key: publicKey }] },
      decision_log: {
        stdout: true,
        url: 'https://logs.example.com/logs/pdp',
        tls: { ca_file: 'ca.crt', cert_file: 'client.crt', key_file: 'client.key' },
        upload_timeout_ms: 8000,
        upload_interval_ms: 5000,
        upload_max_bytes: 65536,
        buffer_max_bytes: 1048576,
        buffer_size: 5000,
        mask_decision: 'system/log/mask',
        drop_decision: '/system/log/drop',
      },
    }),
  );
  t.strictSame(opa.config, native.config, 'deep-equal effective configuration');
  t.same(opa.warnings, [], 'nothing to warn about');
  // Spot checks that the comparison is about something.
  t.equal(opa.config.bundles[0]?.headers?.Authorization, 'Bearer s3cr3t', '${BUNDLE_TOKEN} substituted');
  t.equal(opa.config.bundles[0]?.poll_interval_ms, 60000, '${MIN_DELAY} substituted as a number');
  t.equal(opa.config.bundles[1]?.token_file, join(dir, 'token.txt'), 'token_path resolved against the file');
  t.equal(opa.config.persist_dir, 'opa-data');
});

t.test('type: oci services map onto bundles[].oci with the same credentials, TLS and polling', async (t) => {
  const dir = workspace();
  const opa = load(
    dir,
    'opa-config.yaml',
    `
services:
  ghcr:
    url: https://ghcr.io
    type: oci
    credentials:
      bearer:
        scheme: Bearer
        token: "\${BUNDLE_TOKEN}"
  private:
    url: https://registry.example.com:5000
    type: OCI
    tls:
      ca_cert: ca.crt
    credentials:
      bearer:
        scheme: Basic
        token_path: token.txt
bundles:
  authz:
    service: ghcr
    resource: ghcr.io/org/policy:1.0.0
    polling:
      min_delay_seconds: 30
      max_delay_seconds: 60
  pinned:
    service: private
    resource: registry.example.com:5000/team/rules@sha256:${'a'.repeat(64)}
`,
  );
  const native = load(
    dir,
    'native.yaml',
    toYaml({
      decision_log: { stdout: false },
      bundles: [
        { name: 'authz', oci: 'https://ghcr.io/org/policy:1.0.0', poll_interval_ms: 30000, headers: { Authorization: 'Bearer s3cr3t' } },
        {
          name: 'pinned',
          oci: `https://registry.example.com:5000/team/rules@sha256:${'a'.repeat(64)}`,
          poll_interval_ms: 60000,
          token_file: 'token.txt',
          token_scheme: 'Basic',
          tls: { ca_file: 'ca.crt' },
        },
      ],
    }),
  );
  t.strictSame(opa.config, native.config, 'deep-equal effective configuration');
  t.same(opa.warnings, []);
  t.equal(opa.config.bundles[0]?.oci, 'https://ghcr.io/org/policy:1.0.0');

  // The registry contacted is the service url's, as OPA: a resource naming another one is warned.
  const other = load(
    dir,
    'other.yaml',
    'services: { r: { url: "http://127.0.0.1:5000/ignored", type: oci } }\nbundles: { b: { service: r, resource: "docker.io/org/p" } }\n',
  );
  t.equal(other.config.bundles[0]?.oci, 'http://127.0.0.1:5000/org/p');
  t.match(other.warnings.join('\n'), /bundles\.b\.resource: names the registry docker\.io, but services\.r\.url is 127\.0\.0\.1:5000/);
  t.match(other.warnings.join('\n'), /services\.r\.url: the path \/ignored is not used for an oci service/);
});

t.test('what a type: oci service cannot be is refused, each named', async (t) => {
  const dir = workspace();
  const issues = issuesOf(
    dir,
    `services:
  r: { url: "https://ghcr.io", type: oci }
  bad: { url: "ftp://ghcr.io", type: oci }
  q: { url: "https://ghcr.io?x=1", type: oci }
bundles:
  noresource: { service: r }
  nohost: { service: r, resource: "policy:1" }
  upper: { service: r, resource: "ghcr.io/Org/Policy:1" }
  badtag: { service: r, resource: "ghcr.io/org/p:bad tag" }
  long: { service: r, resource: "ghcr.io/org/p:1", polling: { long_polling_timeout_seconds: 10 } }
  ftp: { service: bad, resource: "ghcr.io/org/p:1" }
  query: { service: q, resource: "ghcr.io/org/p:1" }
decision_logs: { service: r }
`,
  );
  const text = issues.map((i) => `${i.source.split(': ').slice(1).join(': ')} — ${i.message}`).join('\n');
  for (const expected of [
    /bundles\.noresource\.resource — is required for a bundle of an oci service .*services\.r has type oci/,
    /bundles\.nohost\.resource — must be registry\/repository\[:tag\]/,
    /bundles\.upper\.resource — .*"Org\/Policy" is not a valid repository name/,
    /bundles\.badtag\.resource — .*"bad tag" is not a valid tag/,
    /bundles\.long\.polling\.long_polling_timeout_seconds — does not apply to an oci service/,
    /services\.bad\.url — must be an http\(s\) URL/,
    /services\.q\.url — an oci service url is the registry alone/,
    /decision_logs\.service — names service "r", an OCI registry/,
  ]) {
    t.match(text, expected);
  }
  const first = issuesOf(
    dir,
    'services: { r: { url: "https://ghcr.io", type: oci } }\ndecision_logs: { reporting: { min_delay_seconds: 1, max_delay_seconds: 2 } }\n',
  );
  t.match(first, [{ message: /defaults to the first service, "r", an OCI registry/ }]);
  const creds = issuesOf(
    dir,
    'services: { r: { url: "https://u:Zq9-not-shown@ghcr.io", type: oci } }\nbundles: { b: { service: r, resource: "ghcr.io/Bad" } }\n',
  );
  t.notMatch(JSON.stringify(creds), /Zq9-not-shown/, 'credentials in the service url are not shown');
});

t.test('--config (configFile) takes the file instead of PDP_CONFIG, and a JSON OPA file works too', async (t) => {
  const dir = workspace();
  const file = join(dir, 'opa.json');
  writeFileSync(file, JSON.stringify({ labels: { a: 'b' }, default_decision: '/x/y', services: [] }));
  const { config } = loadConfig({ env: {}, cwd: dir, configFile: 'opa.json' });
  t.same(config.labels, { a: 'b' });
  t.equal(config.opa?.default_decision, '/x/y');
  t.equal(config.decision_log.stdout, false, 'no decision_logs section: OPA logs nothing');
});

t.test('format detection', async (t) => {
  t.ok(isOpaConfig({ services: {} }));
  t.ok(isOpaConfig({ bundles: { authz: {} } }), 'bundles as a map');
  t.ok(isOpaConfig({ server: { encoding: {} } }));
  t.notOk(isOpaConfig({ bundles: [{ name: 'x', path: '.' }] }), 'native bundles list');
  t.notOk(isOpaConfig({ labels: { a: 'b' }, server: { port: 1 } }), 'labels alone are native too');
});

t.test('OPA keys without an equivalent are each named, never ignored', async (t) => {
  const dir = workspace();
  const issues = issuesOf(
    dir,
    `
services:
  s: { url: "https://s.example.com", credentials: { oauth2: { token_url: "https://idp" } } }
bundles:
  b: { service: s, trigger: manual, signing: { keyid: k, exclude_files: [x] } }
keys:
  k: { key: secret, algorithm: HS256 }
discovery: { resource: /configuration/discovery.tar.gz }
status: { service: s }
plugins: { envoy_ext_authz_grpc: {} }
storage: { disk: { directory: /tmp } }
distributed_tracing: { type: grpc }
decision_logs: { plugin: my_logger, request_context: { http: { headers: [x] } }, reporting: { max_decisions_per_second: 10 } }
redis: { url: "redis://x" }
bundels: {}
`,
  );
  const named = issues.map((i) => i.source.split(': ').at(-1));
  for (const key of [
    'services.s.credentials.oauth2',
    'bundles.b.trigger',
    'bundles.b.signing.exclude_files',
    'discovery',
    'status',
    'plugins',
    'storage',
    'distributed_tracing',
    'decision_logs.plugin',
    'decision_logs.request_context',
    'decision_logs.reporting.max_decisions_per_second',
    'redis',
    'bundels',
  ]) {
    t.ok(named.includes(key), `${key} is named`, { named });
  }
  t.ok(
    issues.every((i) => i.source.startsWith(join(dir, 'opa-config.yaml'))),
    'each names the file',
  );
  t.match(issues.find((i) => i.source.endsWith(': redis'))?.message, /not an OPA configuration key/);
  t.match(issues.find((i) => i.source.endsWith(': bundels'))?.message, /not an OPA configuration key/);
});

t.test('keys accepted without effect are warnings naming them', async (t) => {
  const dir = workspace();
  const { warnings } = load(
    dir,
    'opa-config.yaml',
    'caching: { inter_query_builtin_cache: { max_size_bytes: 1 } }\nserver: { metrics: {} }\npersistence_directory: /x\n',
  );
  t.match(warnings.join('\n'), /caching:/);
  t.match(warnings.join('\n'), /server\.metrics:/);
  t.match(warnings.join('\n'), /persistence_directory: no bundle has persist/);
});

t.test('hostile and wrong values: a clear error naming the OPA key', async (t) => {
  const dir = workspace();
  const base = (extra: string) => `services:\n  s:\n    url: https://s.example.com\n${extra}`;
  const cases: [string, string, string | RegExp, RegExp][] = [
    [
      'token_path to a directory',
      base('    credentials: { bearer: { token_path: opa-data } }\nbundles:\n  b: { service: s }\n'),
      'services.s.credentials.bearer.token_path',
      /not a regular file/,
    ],
    [
      'token_path missing',
      base('    credentials: { bearer: { token_path: nope.txt } }\nbundles:\n  b: { service: s }\n'),
      'services.s.credentials.bearer.token_path',
      /ENOENT/,
    ],
    ['${VAR} unset', base('    headers: { X-Key: "${NOT_SET_ANYWHERE}" }\n'), 'services.s.headers.X-Key', /NOT_SET_ANYWHERE.*not set/],
    [
      'polling as a string',
      base('bundles:\n  b: { service: s, polling: { min_delay_seconds: "60s", max_delay_seconds: 120 } }\n'),
      'bundles.b.polling.min_delay_seconds',
      /must be an integer \(got "60s"\)/,
    ],
    [
      'only min_delay',
      base('bundles:\n  b: { service: s, polling: { min_delay_seconds: 60 } }\n'),
      'bundles.b.polling',
      /both min_delay_seconds and max_delay_seconds/,
    ],
    [
      'max < min',
      base('bundles:\n  b: { service: s, polling: { min_delay_seconds: 60, max_delay_seconds: 10 } }\n'),
      'bundles.b.polling.max_delay_seconds',
      /at least/,
    ],
    ['unknown service', base('bundles:\n  b: { service: nope }\n'), 'bundles.b.service', /does not define/],
    ['labels not strings', 'labels: { a: 1 }\n', 'labels.a', /must be string/],
    ['labels a list', 'labels: [a]\n', 'labels', /must be object/],
    [
      'url not http',
      'services:\n  s: { url: "file:///etc/passwd" }\nbundles:\n  b: { service: s }\n',
      /services\.s\.url, bundles\.b\.resource/,
      /http\(s\) URL/,
    ],
    ['service without url', 'services:\n  s: { headers: {} }\n', 'services.s.url', /is required/],
    ['services a string', 'services: nope\n', 'services', /object or a list/],
    ['insecure TLS', base('    allow_insecure_tls: true\n'), 'services.s.allow_insecure_tls', /always verified/],
    ['compression 0', 'server: { encoding: { gzip: { compression_level: 0 } } }\n', 'server.encoding.gzip.compression_level', /1 to 9/],
    ['compression 99', 'server: { encoding: { gzip: { compression_level: 99 } } }\n', 'server.encoding.gzip.compression_level', /must be <= 9/],
    [
      'mixed signing',
      base('bundles:\n  a: { service: s, signing: { keyid: k } }\n  b: { service: s }\nkeys: { k: { key: x, algorithm: HS256 } }\n'),
      'bundles.b',
      /one setting for all bundles/,
    ],
    [
      'different scopes',
      base(
        'bundles:\n  a: { service: s, signing: { keyid: k, scope: r } }\n  b: { service: s, signing: { keyid: k, scope: w } }\nkeys: { k: { key: x, algorithm: HS256 } }\n',
      ),
      /bundles\.a\.signing, bundles\.b\.signing/,
      /different scopes/,
    ],
    ['key without key', 'keys: { k: { algorithm: RS256 } }\n', 'keys.k.key', /is required/],
    ['bad algorithm', 'keys: { k: { key: x, algorithm: none } }\n', 'keys.k.algorithm', /must be one of/],
    [
      'decision log header with a line break',
      base('    headers: { X-A: "b\\r\\nX-B: c" }\ndecision_logs: { service: s }\n'),
      'services.s.headers',
      /must match pattern/,
    ],
    ['cert without key', base('    credentials: { client_tls: { cert: client.crt } }\n'), 'services.s.credentials.client_tls', /both cert and private_key/],
    [
      'CA not PEM',
      base('    tls: { ca_cert: token.txt }\nbundles:\n  b: { service: s }\n'),
      /services\.s\.credentials\.client_tls, services\.s\.tls/,
      /not PEM/,
    ],
  ];
  for (const [name, text, key, message] of cases) {
    const issues = issuesOf(dir, text);
    const hit = issues.find((i) => (typeof key === 'string' ? i.source === `${join(dir, 'opa-config.yaml')}: ${key}` : key.test(i.source)));
    t.ok(hit, `${name}: names ${String(key)}`, { issues });
    if (hit) t.match(hit.message, message, `${name}: says why`);
  }
});

t.test('decision_logs defaults as OPA: the first service, 300 s interval, 32 KiB uploads', async (t) => {
  const dir = workspace();
  const { config } = load(
    dir,
    'opa-config.yaml',
    'services:\n  s: { url: "https://s.example.com/api", credentials: { bearer: { token: t0k } } }\ndecision_logs: {}\n',
  );
  t.equal(config.decision_log.url, 'https://s.example.com/api/logs');
  t.equal(config.decision_log.auth_token, 't0k');
  t.equal(config.decision_log.upload_interval_ms, 300000);
  t.equal(config.decision_log.upload_max_bytes, 32768);
  t.equal(config.decision_log.stdout, false);
  const consoleOnly = load(dir, 'opa-config.yaml', 'services:\n  s: { url: "https://s.example.com" }\ndecision_logs: { console: true }\n').config;
  t.equal(consoleOnly.decision_log.url, undefined, 'console on: no default service (as OPA)');
  t.equal(consoleOnly.decision_log.stdout, true);
});

t.test('services as a list, partition_name and environment variables still override the file', async (t) => {
  const dir = workspace();
  const { config } = load(
    dir,
    'opa-config.yaml',
    'services:\n  - name: s\n    url: https://s.example.com\ndecision_logs: { service: s, partition_name: p1 }\nlabels: { a: b }\n',
    { PDP_LABELS: '{"a":"from-env"}' },
  );
  t.equal(config.decision_log.url, 'https://s.example.com/logs/p1');
  t.same(config.labels, { a: 'from-env' });
});

t.test('more OPA shapes: each maps or is named', async (t) => {
  const dir = workspace();
  const file = join(dir, 'opa-config.yaml');
  const cases: [string, string, (l: LoadedConfig | ConfigIssue[]) => void][] = [
    [
      'key scope used when the bundle has none; private_key warned',
      'services: { s: { url: "https://s" } }\nbundles: { b: { service: s, signing: { keyid: k } } }\nkeys: { k: { key: x, algorithm: HS256, scope: deploy, private_key: y } }\n',
      (l) => {
        const c = l as LoadedConfig;
        t.equal(c.config.signing?.scope, 'deploy');
        t.equal(c.config.signing?.required, true);
        t.match(c.warnings.join('\n'), /keys\.k\.private_key/);
      },
    ],
    [
      'signing without keys',
      'services: { s: { url: "https://s" } }\nbundles: { b: { service: s, signing: { scope: w } } }\n',
      (l) => {
        const issues = l as ConfigIssue[];
        t.match(issues.map((i) => i.message).join('\n'), /signatures are required but no verification key/);
      },
    ],
    [
      'decision-log token_path read for every upload (token_file); timeout mapped',
      'services: { s: { url: "https://s", response_header_timeout_seconds: 3, credentials: { bearer: { token_path: token.txt } } } }\ndecision_logs: { service: s }\n',
      (l) => {
        const c = l as LoadedConfig;
        t.equal(c.config.decision_log.auth_token, undefined, 'not read once into a static token');
        t.equal(c.config.decision_log.token_file, join(dir, 'token.txt'));
        t.equal(c.config.decision_log.upload_timeout_ms, 3000);
        t.notMatch(c.warnings.join('\n'), /token_path/);
      },
    ],
    [
      'bundles response_header_timeout warned, persistence mixed warned, size limit mapped',
      'services: { s: { url: "https://s", response_header_timeout_seconds: 3 } }\nbundles: { a: { service: s, persist: true, size_limit_bytes: 2048 }, b: { service: s } }\n',
      (l) => {
        const c = l as LoadedConfig;
        t.equal(c.config.persist_dir, '.opa', "OPA's default directory");
        t.equal(c.config.limits.max_uncompressed_bytes, 2048);
        t.match(c.warnings.join('\n'), /response_header_timeout_seconds/);
        t.match(c.warnings.join('\n'), /bundles\.b: persist is not set/);
      },
    ],
    [
      'nd_builtin_cache (top level, as OPA has it) turns on decision_log.nd_builtin_cache',
      'nd_builtin_cache: true\n',
      (l) => t.equal((l as LoadedConfig).config.decision_log.nd_builtin_cache, true),
    ],
    [
      'reporting without a receiving service is warned',
      'decision_logs: { console: true, reporting: { min_delay_seconds: 1, max_delay_seconds: 2, buffer_type: event } }\n',
      (l) => t.match((l as LoadedConfig).warnings.join('\n'), /no service receives decision logs/),
    ],
    [
      'services without bundles: the embedded policies (warned)',
      'services: { s: { url: "https://s" } }\n',
      (l) => t.match((l as LoadedConfig).warnings.join('\n'), /no bundles are configured/),
    ],
    [
      'many wrong shapes at once',
      `services:
  - { url: "https://nameless" }
  - nope
  - { name: t, url: "https://t", type: grpc, tls: { system_ca_required: true, extra: 1 }, credentials: { bearer: { token: a, token_path: b } } }
  - { name: u, url: "https://u", credentials: { bearer: {}, client_tls: { cert: c, private_key: k, private_key_passphrase: p } } }
  - { name: v, url: "https://v", credentials: { bearer: { token: x, scheme: Token } } }
bundles:
  a: nope
  b: { resource: x }
  c: { service: t, polling: { long_polling_timeout_seconds: "x" } }
keys: { k: nope }
decision_logs: { service: v, reporting: { buffer_type: ring, trigger: manual }, nd_builtin_cache: true }
nd_builtin_cache: true
server: { encoding: { gzip: { level: 1 } }, decoding: { gzip: { max_length: 1 } }, extra: 1 }
default_decision: 5
`,
      (l) => {
        const issues = (l as ConfigIssue[]).map((i) => `${i.source.split(': ').slice(1).join(': ')} — ${i.message}`).join('\n');
        for (const expected of [
          /services\[0\]\.name — is required/,
          /services\[1\] — must be an object/,
          /services\[2\]\.type — service type "grpc" is not supported \(http, or oci for an OCI registry\)/,
          /services\[2\]\.tls\.system_ca_required — is not supported/,
          /services\[2\]\.tls\.extra — unknown OPA configuration key/,
          /services\[2\]\.credentials\.bearer — set only one of token or token_path/,
          /services\[3\]\.credentials\.bearer — needs token or token_path/,
          /services\[3\]\.credentials\.client_tls\.private_key_passphrase — encrypted private keys/,
          /bundles\.a — must be an object/,
          /bundles\.b\.service — is required/,
          /bundles\.c\.polling\.long_polling_timeout_seconds — must be an integer/,
          /keys\.k — must be an object/,
          /decision_logs\.reporting\.buffer_type — must be "size" or "event"/,
          /decision_logs\.reporting\.trigger — only "periodic"/,
          /server\.encoding\.gzip\.level — unknown/,
          /server\.decoding\.gzip — the decompressed size/,
          /server\.extra — unknown/,
          /default_decision — must be a string/,
        ]) {
          t.match(issues, expected, String(expected));
        }
      },
    ],
    [
      'decision_logs names an unknown service; bundles a list is refused',
      'services: { s: { url: "https://s" } }\ndecision_logs: { service: nope }\nkeys: { k: { key: x } }\nbundles: []\n',
      (l) => {
        const issues = (l as ConfigIssue[]).map((i) => `${i.source.split(': ').slice(1).join(': ')} — ${i.message}`).join('\n');
        t.match(issues, /decision_logs\.service — names service "nope"/);
        t.match(issues, /bundles — must be an object of bundles by name/);
      },
    ],
  ];
  for (const [name, text, check] of cases) {
    await t.test(name, async () => {
      writeFileSync(file, text);
      let result: LoadedConfig | ConfigIssue[];
      try {
        result = loadConfig({ env: { PDP_CONFIG: file }, cwd: dir });
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        result = [...e.issues];
      }
      check(result);
    });
  }
});
