// Decision-log uploads as OPA's logs plugin makes them when an OPA config file names a service
// for decision_logs (checked against OPA's v1/plugins/logs/plugin.go and v1/plugins/rest): one
// POST to <service url><resource> (default /logs) with Content-Type: application/json and
// Content-Encoding: gzip, the body a gzipped JSON array of events; the service's `headers` go with
// every upload, then its bearer credential (`scheme`, `token_path` read again for every upload);
// reporting.min_delay_seconds / upload_size_limit_bytes map to the native upload settings.
// Against a real listening receiver.
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config/load.js';
import type { ConfigIssue, LoadedConfig } from '../../src/config/types.js';
import { redactConfig } from '../../src/config/redact.js';
import { startServer } from '../../src/server.js';
import { postJson } from '../helpers/http.js';
import { waitFor } from '../helpers/bundle-files.js';

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A receiver that keeps every request as sent (the body not decoded). */
async function receiver(): Promise<{ url: string; got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    got,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const baseEnv = { PDP_HOST: '127.0.0.1', PDP_PORT: '0', PDP_LOG_LEVEL: 'silent', PDP_EVAL_TIMEOUT_MS: '10000' };

function load(dir: string, yaml: string): LoadedConfig | ConfigIssue[] {
  const file = join(dir, `opa-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  try {
    return loadConfig({ env: { ...baseEnv, PDP_CONFIG: file } });
  } catch (e) {
    const issues = (e as { issues?: ConfigIssue[] }).issues;
    if (issues) return issues;
    throw e;
  }
}

t.test("an OPA service's headers, bearer scheme and rotating token_path go with every upload, as OPA sends them", async (t) => {
  const rx = await receiver();
  t.teardown(() => rx.close());
  const dir = mkdtempSync(join(tmpdir(), 'pdp-opa-dl-'));
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, 'first-token\n');
  const loaded = load(
    dir,
    `services:
  logsvc:
    url: ${rx.url}/tenants/acme/
    headers:
      X-Tenant: acme
      Content-Encoding: identity
    credentials:
      bearer: { token_path: token, scheme: Token }
decision_logs:
  service: logsvc
  reporting: { min_delay_seconds: 1, max_delay_seconds: 3, upload_size_limit_bytes: 65536 }
`,
  );
  if (Array.isArray(loaded)) {
    t.fail(`refused: ${loaded.map((i) => `${i.source}: ${i.message}`).join('; ')}`);
    return;
  }
  const dl = loaded.config.decision_log;
  t.equal(dl.url, `${rx.url}/tenants/acme/logs`, "service url + OPA's default resource /logs");
  t.equal(dl.upload_interval_ms, 1000, 'reporting.min_delay_seconds');
  t.equal(dl.upload_max_bytes, 65536, 'reporting.upload_size_limit_bytes');
  t.equal(dl.token_file, tokenFile, 'token_path, resolved against the file');
  t.equal(dl.token_scheme, 'Token');
  t.same(redactConfig(loaded.config).decision_log.headers, { 'X-Tenant': '[REDACTED]', 'Content-Encoding': '[REDACTED]' }, 'pdp config redacts header values');
  t.notOk(
    loaded.warnings.some((w) => /token/.test(w)),
    'no warning about the token: it is read per upload',
  );

  const s = await startServer(loaded.config);
  t.teardown(() => s.close());
  const first = await postJson(`${s.url}/v1/data/system/nothing`, { input: { n: 1 } });
  t.equal(first.status, 200);
  await waitFor('the first upload', () => rx.got.length > 0, 8000);
  writeFileSync(tokenFile, 'second-token\n');
  const second = await postJson(`${s.url}/v1/data/system/nothing`, { input: { n: 2 } });
  t.equal(second.status, 200);
  await waitFor('the upload after the rotation', () => rx.got.some((g) => g.headers.authorization === 'Token second-token'), 8000);

  const up = rx.got[0];
  if (!up) throw new Error('an upload');
  t.equal(up.method, 'POST');
  t.equal(up.path, '/tenants/acme/logs');
  t.equal(up.headers['content-type'], 'application/json');
  t.equal(up.headers['content-encoding'], 'gzip', "the body's encoding wins over a configured header");
  t.equal(up.headers['x-tenant'], 'acme', "the service's header");
  t.equal(up.headers.authorization, 'Token first-token', 'scheme + the token read from token_path');
  t.same([up.body[0], up.body[1]], [0x1f, 0x8b], 'a gzip stream');
  const events = JSON.parse(gunzipSync(up.body).toString('utf8')) as unknown;
  if (!Array.isArray(events)) throw new Error('a JSON array');
  const ids = rx.got.flatMap((g) => (JSON.parse(gunzipSync(g.body).toString('utf8')) as { decision_id: string }[]).map((e) => e.decision_id));
  t.ok(ids.includes((first.json as { decision_id: string }).decision_id), 'the first decision uploaded');
  t.ok(ids.includes((second.json as { decision_id: string }).decision_id), 'the second decision uploaded');
  const after = rx.got.find((g) => g.headers.authorization === 'Token second-token');
  t.equal(after?.headers['x-tenant'], 'acme', 'headers on every upload');
});

t.test('a static bearer token with its scheme; hostile and inconsistent settings are refused at load', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pdp-opa-dl-'));
  const ok = load(
    dir,
    'services: { s: { url: "https://logs.example", credentials: { bearer: { token: abc, scheme: Splunk } } } }\ndecision_logs: { service: s }\n',
  );
  if (Array.isArray(ok)) throw new Error(ok.map((i) => i.message).join('; '));
  t.equal(ok.config.decision_log.auth_token, 'abc');
  t.equal(ok.config.decision_log.token_scheme, 'Splunk');
  t.equal(ok.config.decision_log.upload_interval_ms, 300_000, "OPA's default min_delay_seconds");
  t.equal(ok.config.decision_log.upload_max_bytes, 32768, "OPA's default upload_size_limit_bytes");

  const cases: [string, string, RegExp][] = [
    [
      'a header value with a line break',
      'services: { s: { url: "https://l", headers: { X-A: "a\\r\\nX-Injected: 1" } } }\ndecision_logs: { service: s }\n',
      /headers/,
    ],
    ['a header name that is not a token', 'services: { s: { url: "https://l", headers: { "X A": "v" } } }\ndecision_logs: { service: s }\n', /headers/],
    [
      'a missing token_path file',
      'services: { s: { url: "https://l", credentials: { bearer: { token_path: nope } } } }\ndecision_logs: { service: s }\n',
      /token_path.*cannot read/,
    ],
    [
      'an empty token_path file',
      'services: { s: { url: "https://l", credentials: { bearer: { token_path: empty } } } }\ndecision_logs: { service: s }\n',
      /is empty/,
    ],
    [
      'a scheme with a space',
      'services: { s: { url: "https://l", credentials: { bearer: { token: x, scheme: "A B" } } } }\ndecision_logs: { service: s }\n',
      /scheme/,
    ],
    [
      'only min_delay_seconds',
      'services: { s: { url: "https://l" } }\ndecision_logs: { service: s, reporting: { min_delay_seconds: 5 } }\n',
      /both min_delay_seconds and max_delay_seconds/,
    ],
    [
      'max below min',
      'services: { s: { url: "https://l" } }\ndecision_logs: { service: s, reporting: { min_delay_seconds: 5, max_delay_seconds: 2 } }\n',
      /at least min_delay_seconds/,
    ],
  ];
  writeFileSync(join(dir, 'empty'), '\n');
  for (const [name, yaml, expected] of cases) {
    const r = load(dir, yaml);
    if (!t.ok(Array.isArray(r), `${name}: refused`)) continue;
    t.match((r as ConfigIssue[]).map((i) => `${i.source}: ${i.message}`).join('\n'), expected, name);
  }

  const huge = load(dir, `services: { s: { url: "https://l", headers: { X-Big: "${'x'.repeat(100_000)}" } } }\ndecision_logs: { service: s }\n`);
  t.notOk(Array.isArray(huge), 'a long header value is not refused by the config (the receiver decides)');

  // Native settings directly: token_file without a url, both token forms at once.
  const native = (env: Record<string, string>): string => {
    try {
      loadConfig({ env: { ...baseEnv, ...env } });
      return '';
    } catch (e) {
      return ((e as { issues?: ConfigIssue[] }).issues ?? []).map((i) => `${i.source}: ${i.message}`).join('\n');
    }
  };
  writeFileSync(join(dir, 'tok'), 'x\n');
  t.match(native({ PDP_DECISION_LOG_BEARER_FILE: join(dir, 'tok') }), /applies only with a decision log url/);
  t.match(
    native({ PDP_DECISION_LOG_URL: 'https://l/logs', PDP_DECISION_LOG_BEARER_FILE: join(dir, 'tok'), PDP_DECISION_LOG_AUTH_TOKEN: 'y' }),
    /set only one of auth_token or token_file/,
  );
  t.match(native({ PDP_DECISION_LOG_URL: 'https://l/logs', PDP_DECISION_LOG_BEARER_SCHEME: 'Token' }), /applies only with auth_token or token_file/);
});
