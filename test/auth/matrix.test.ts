// Caller authentication and the scope table, through a real listening server with API keys:
// every route × {no credentials, an unknown key, a valid key without the route's scope, a valid
// key with it}; /health, /ready and /openapi.json open; the data scopes' path rules; refusals in
// the one error shape, with RFC 6750 challenges, counted, logged without any credential, and never
// recorded as decisions; hostile headers answered with a 4xx and the server unharmed.
import t, { type Test } from 'tap';
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { startServer, type RunningServer } from '../../src/server.js';
import { testConfig } from '../helpers/config.js';
import { writeBundle } from '../helpers/real-server.js';
import { call, makeApiKeys, bearer, type HttpResult } from '../helpers/auth.js';

const bundleDir = writeBundle({
  '.manifest': JSON.stringify({ revision: 'r1', roots: ['ai'] }),
  'ai/tools/policy.rego': 'package ai.tools\n\ndecision := {"allow": true, "reasons": [], "obligations": [], "exceptions_applied": []}\n',
  'ai/tools/config/catalog/data.json': JSON.stringify({ tools: ['send_email'] }),
  'ai/deployment/policy.rego': 'package ai.deployment\n\ndecision := {"allow": true, "reasons": [], "obligations": [], "exceptions_applied": []}\n',
  'ai/deployment/config/exceptions/data.json': JSON.stringify({ entries: [{ id: 'EXC-SECRET-1' }] }),
});

const TOOL_CALL = { agent: { id: 'support-bot' }, tool: { name: 'send_email' }, arguments: { to: 'a@example.com' } };
const AUTHZEN = { subject: { type: 'user', id: 'alice' }, action: { name: 'read' }, resource: { type: 'record', id: 'r-1' } };
const DEPLOYMENT = { model: { name: 'fraud-scorer', version: '3.2.0' }, deployment: { environment: 'prod' } };

interface Row {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  scope: string;
  /** An OPA REST API route: refusals in OPA's error shape ({"code":"unauthorized"}). */
  opa?: boolean;
}

const ROWS: Row[] = [
  { name: 'tool-call decision', method: 'POST', path: '/v1/decisions/tool-call', body: TOOL_CALL, scope: 'decide:tool-call' },
  { name: 'model-deployment decision', method: 'POST', path: '/v1/decisions/model-deployment', body: DEPLOYMENT, scope: 'decide:model-deployment' },
  {
    name: 'admission webhook',
    method: 'POST',
    path: '/v1/admission/model-deployment',
    body: {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: 'u-matrix',
        kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
        resource: { group: 'apps', version: 'v1', resource: 'deployments' },
        operation: 'CREATE',
        userInfo: { username: 'ci' },
        object: { metadata: { name: 'x' } },
      },
    },
    scope: 'decide:model-deployment',
  },
  { name: 'data GET under ai/tools', method: 'GET', path: '/v1/data/ai/tools/config/catalog', scope: 'data:read:ai/tools', opa: true },
  {
    name: 'data POST under ai/deployment',
    method: 'POST',
    path: '/v1/data/ai/deployment/decision',
    body: { input: {} },
    scope: 'data:read:ai/deployment',
    opa: true,
  },
  { name: 'data GET of the whole document', method: 'GET', path: '/v1/data', scope: 'data:read:*', opa: true },
  { name: 'decision record', method: 'GET', path: '/v1/decisions/{id}', scope: 'decisions:read' },
  { name: 'status', method: 'GET', path: '/v1/pdp/status', scope: 'status:read' },
  { name: 'metrics', method: 'GET', path: '/metrics', scope: 'metrics:read' },
  { name: 'config', method: 'GET', path: '/v1/pdp/config', scope: 'config:read' },
  { name: 'OPA config', method: 'GET', path: '/v1/config', scope: 'config:read', opa: true },
  { name: 'OPA status', method: 'GET', path: '/v1/status', scope: 'status:read', opa: true },
  { name: 'OPA query', method: 'GET', path: '/v1/query?q=x%20%3A%3D%201', scope: 'query:adhoc', opa: true },
  { name: 'OPA query POST', method: 'POST', path: '/v1/query', body: { query: 'x := 1' }, scope: 'query:adhoc', opa: true },
  { name: 'OPA policies', method: 'GET', path: '/v1/policies', scope: 'policies:read', opa: true },
  { name: 'OPA webhook data', method: 'POST', path: '/v0/data/ai/tools/config/catalog', body: {}, scope: 'data:read:ai/tools', opa: true },
  { name: 'AuthZEN evaluation', method: 'POST', path: '/access/v1/evaluation', body: AUTHZEN, scope: 'decide:authzen' },
  { name: 'AuthZEN evaluations', method: 'POST', path: '/access/v1/evaluations', body: { ...AUTHZEN, evaluations: [{}] }, scope: 'decide:authzen' },
  { name: 'AuthZEN subject search', method: 'POST', path: '/access/v1/search/subject', body: AUTHZEN, scope: 'search:authzen' },
  { name: 'AuthZEN resource search', method: 'POST', path: '/access/v1/search/resource', body: AUTHZEN, scope: 'search:authzen' },
  { name: 'AuthZEN action search', method: 'POST', path: '/access/v1/search/action', body: AUTHZEN, scope: 'search:authzen' },
];
const ALL_SCOPES = [...new Set(ROWS.map((r) => r.scope))];

// For every scope a key with exactly it and a key with every other (never data:read:*, which
// would grant every data row), plus purpose-shaped callers.
const specs: Record<string, string[]> = { nothing: [] };
const slug = (s: string): string => s.replace(/[^A-Za-z0-9:/-]/g, '_');
for (const s of ALL_SCOPES) {
  specs[`with-${slug(s)}`] = [s];
  specs[`without-${slug(s)}`] = ALL_SCOPES.filter((x) => x !== s && x !== 'data:read:*');
}
specs['release-pipeline'] = ['decide:model-deployment', 'data:read:ai/deployment'];
specs['agent-runtime'] = ['decide:tool-call', 'data:read:ai/tools'];
specs.prometheus = ['metrics:read'];
const { keys, env: apiKeysEnv } = makeApiKeys(specs);
const BAD_KEY = 'pdp_' + 'A'.repeat(43);

const logLines: string[] = [];
const logStream = new PassThrough();
logStream.on('data', (b: Buffer) => logLines.push(...b.toString('utf8').split('\n').filter(Boolean)));
const decisionLines: string[] = [];
const decisionOut = new PassThrough();
decisionOut.on('data', (b: Buffer) => decisionLines.push(...b.toString('utf8').split('\n').filter(Boolean)));

const config = testConfig({
  PDP_BUNDLE_PATH: bundleDir,
  PDP_BUNDLE_NAME: 'test',
  PDP_BUNDLE_WATCH: 'false',
  PDP_AUTH_API_KEYS: apiKeysEnv,
  PDP_LOG_LEVEL: 'info',
  PDP_DECISION_LOG_STDOUT: 'true',
});
const server: RunningServer = await startServer(config, { logStream, decisionLogStdout: decisionOut, labels: { app: 'pdp-test' } });
t.teardown(() => server.close());

const req = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<HttpResult> =>
  call(`${server.url}${path}`, {
    method,
    headers: body !== undefined ? { 'content-type': 'application/json', ...headers } : headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

const OPA_CODE: Record<string, string> = { UNAUTHENTICATED: 'unauthorized', FORBIDDEN: 'unauthorized' };

function errorShape(t: Test, r: HttpResult, code: string, status: number, opa = false): void {
  if (opa) {
    // OPA's shape: {"code", "message", "errors"} (OPA answers 401 {"code":"unauthorized"}).
    t.equal(r.status, status, `${status}`);
    const body = r.json as { code?: string; message?: string; errors?: { message: string }[] };
    t.equal(body?.code, OPA_CODE[code] ?? code, `OPA code for ${code}`);
    t.type(body?.message, 'string');
    t.same(Object.keys(body ?? {}).sort(), ['code', 'errors', 'message'], 'nothing but the error (no decision_id: not a decision)');
    return;
  }
  t.equal(r.status, status, `${status}`);
  const body = r.json as { error?: { code?: string; message?: string; details?: unknown[] } };
  t.equal(body?.error?.code, code, code);
  t.type(body?.error?.message, 'string');
  t.ok(Array.isArray(body?.error?.details), 'details');
  t.same(Object.keys(body ?? {}), ['error'], 'nothing but the error (no decision_id: not a decision)');
}

// One allowed decision first, so the decision-record row has an id to read.
const first = await req('POST', '/v1/decisions/tool-call', bearer(keys['with-decide:tool-call']!), TOOL_CALL);
const decisionId = (first.json as { decision_id: string }).decision_id;

t.test('every route × no credentials / unknown key / key without the scope / key with it', async (t) => {
  for (const row of ROWS) {
    const path = row.path.replace('{id}', decisionId);
    await t.test(`${row.method} ${row.path} (${row.scope})`, async (t) => {
      const none = await req(row.method, path, {}, row.body);
      errorShape(t, none, 'UNAUTHENTICATED', 401, row.opa);
      t.equal(none.headers['www-authenticate'], 'Bearer realm="pdp"', 'challenge without error: nothing was presented');
      if (row.opa) t.match((none.json as { errors: { message: string }[] }).errors, [{ message: 'missing_credentials' }]);
      else t.match((none.json as { error: { details: { message: string }[] } }).error.details, [{ message: 'missing_credentials' }]);

      const bad = await req(row.method, path, bearer(BAD_KEY), row.body);
      errorShape(t, bad, 'UNAUTHENTICATED', 401, row.opa);
      t.equal(bad.headers['www-authenticate'], 'Bearer realm="pdp", error="invalid_token"', 'a presented credential is invalid');

      for (const k of ['nothing', `without-${slug(row.scope)}`]) {
        const denied = await req(row.method, path, bearer(keys[k]!), row.body);
        errorShape(t, denied, 'FORBIDDEN', 403, row.opa);
        t.match(denied.headers['www-authenticate'], /^Bearer realm="pdp", error="insufficient_scope"/, `${k}: insufficient_scope`);
      }
      const ok = await req(row.method, path, bearer(keys[`with-${slug(row.scope)}`]!), row.body);
      t.equal(ok.status, 200, `with-${slug(row.scope)}: ${ok.text.slice(0, 200)}`);
    });
  }
});

t.test('GET /v1/pdp/config shows the configuration with the key hashes redacted', async (t) => {
  const r = await req('GET', '/v1/pdp/config', bearer(keys['with-config:read']!));
  const shown = (r.json as { result: { auth: { api_keys: { name: string; sha256: string }[] } } }).result;
  t.ok(shown.auth.api_keys.length > 10, 'the keys are listed by name');
  t.ok(
    shown.auth.api_keys.every((k) => k.sha256 === '[REDACTED]'),
    'no hash is shown',
  );
  t.notMatch(r.text, /[0-9a-f]{64}/, 'nothing that looks like a key hash');
});

t.test('/health, /ready, /openapi.json and the AuthZEN metadata stay open, whatever the credentials', async (t) => {
  for (const path of ['/health', '/ready', '/openapi.json', '/.well-known/authzen-configuration']) {
    for (const headers of [{}, bearer(BAD_KEY), bearer(keys.nothing!), { authorization: 'Basic Zm9vOmJhcg==' }]) {
      t.equal((await req('GET', path, headers)).status, 200, `${path} ${JSON.stringify(Object.keys(headers))}`);
    }
  }
});

t.test('unknown routes: authenticate first (no route discovery without a key), then 404/405', async (t) => {
  errorShape(t, await req('GET', '/v1/nope'), 'UNAUTHENTICATED', 401);
  errorShape(t, await req('GET', '/v1/nope', bearer(keys.nothing!)), 'NOT_FOUND', 404);
  errorShape(t, await req('DELETE', '/v1/pdp/status', bearer(keys.nothing!)), 'METHOD_NOT_ALLOWED', 405);
});

t.test('data scopes: a release pipeline cannot read the tool catalog, an agent runtime cannot read deployment exceptions', async (t) => {
  const pipeline = bearer(keys['release-pipeline']!);
  const agent = bearer(keys['agent-runtime']!);
  errorShape(t, await req('GET', '/v1/data/ai/tools/config/catalog', pipeline), 'FORBIDDEN', 403, true);
  errorShape(t, await req('POST', '/v1/data/ai/tools/decision', pipeline, { input: TOOL_CALL }), 'FORBIDDEN', 403, true);
  const own = await req('GET', '/v1/data/ai/deployment/config/exceptions', pipeline);
  t.equal(own.status, 200);
  t.match(own.text, 'EXC-SECRET-1', 'the pipeline reads its own subtree');

  errorShape(t, await req('GET', '/v1/data/ai/deployment/config/exceptions', agent), 'FORBIDDEN', 403, true);
  errorShape(t, await req('GET', '/v1/data', agent), 'FORBIDDEN', 403, true);
  errorShape(t, await req('GET', '/v1/data/ai', agent), 'FORBIDDEN', 403, true);
  errorShape(t, await req('GET', '/v1/data/ai/toolsX', agent), 'FORBIDDEN', 403, true);
  // The scope says which path: the route's own splitting and decoding decide, so the tricks that
  // name another subtree through encoding or empty segments are refused...
  errorShape(t, await req('GET', '/v1/data/ai%2Fdeployment/config/exceptions', agent), 'FORBIDDEN', 403, true);
  errorShape(t, await req('GET', '/v1/data//ai/deployment/config/exceptions', agent), 'FORBIDDEN', 403, true);
  errorShape(t, await req('GET', '/v1/data/ai/deployment/config/exceptions/', agent), 'FORBIDDEN', 403, true);
  // ...and a dot segment is a key, not a step up: it stays under ai/tools and finds nothing.
  for (const p of ['/v1/data/ai/tools/../deployment/config/exceptions', '/v1/data/ai/tools/%2e%2e/deployment/config/exceptions']) {
    const r = await req('GET', p, agent);
    t.notMatch(r.text, 'EXC-SECRET-1', `${p}: no exception leaks`);
    t.ok(r.status === 200 || r.status === 403 || r.status === 404, `${p}: ${r.status}`);
  }
  t.equal((await req('GET', '/v1/data/ai/tools/config/catalog', agent)).status, 200, 'the agent reads its own subtree');
});

t.test('refusals are not decisions: no decision record, no decision_id', async (t) => {
  await new Promise((r) => setTimeout(r, 50));
  const before = decisionLines.length;
  await req('POST', '/v1/decisions/tool-call', {}, TOOL_CALL);
  await req('POST', '/v1/decisions/tool-call', bearer(BAD_KEY), TOOL_CALL);
  await req('POST', '/v1/decisions/tool-call', bearer(keys.nothing!), TOOL_CALL);
  await req('POST', '/v1/data/ai/tools/decision', bearer(keys['release-pipeline']!), { input: TOOL_CALL });
  await new Promise((r) => setTimeout(r, 100));
  t.equal(decisionLines.length, before, 'the decision log got nothing');
});

t.test('refusals are counted by reason', async (t) => {
  const metrics = (await req('GET', '/metrics', bearer(keys.prometheus!))).text;
  const count = (reason: string): number => Number(new RegExp(`^pdp_auth_failures_total\\{reason="${reason}"\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? 0);
  t.ok(count('missing_credentials') >= ROWS.length, 'missing_credentials');
  t.ok(count('unknown_api_key') >= ROWS.length, 'unknown_api_key');
  t.ok(count('insufficient_scope') >= 2 * ROWS.length, 'insufficient_scope');
});

t.test('hostile Authorization headers: a 4xx, never a crash; the server keeps answering', async (t) => {
  const good = keys['with-status:read']!;
  // Longer than auth.max_credential_bytes (8 KiB) but within Node's header limit: refused unparsed.
  const long = await req('GET', '/v1/pdp/status', bearer('A'.repeat(10_000)));
  errorShape(t, long, 'UNAUTHENTICATED', 401);
  t.match((long.json as { error: { details: { message: string }[] } }).error.details, [{ message: 'token_too_large' }]);
  // Past Node's 16 KiB header limit: the HTTP parser itself answers 431.
  const huge = await req('GET', '/v1/pdp/status', bearer('A'.repeat(100_000))).catch(() => ({ status: 431 }) as HttpResult);
  t.ok(huge.status === 431 || huge.status === 401, `huge header: ${huge.status}`);
  // Two credentials: which one is the caller? Neither.
  const twice = await call(`${server.url}/v1/pdp/status`, {
    rawHeaders: [
      ['Authorization', `Bearer ${good}`],
      ['Authorization', `Bearer ${good}`],
    ],
  });
  errorShape(t, twice, 'UNAUTHENTICATED', 401);
  t.equal(twice.headers['www-authenticate'], 'Bearer realm="pdp", error="invalid_request"');
  const mixedCase = await call(`${server.url}/v1/pdp/status`, {
    rawHeaders: [
      ['authorization', `Bearer ${good}`],
      ['AUTHORIZATION', `Bearer ${BAD_KEY}`],
    ],
  });
  t.equal(mixedCase.status, 401, 'repeated under different cases too');
  for (const value of ['Basic Zm9vOmJhcg==', 'Bearer', 'Bearer ', `Bearer ${good} extra`, `Token ${good}`, 'Bearer a"b', `Bearer\t${good}`]) {
    const r = await req('GET', '/v1/pdp/status', { authorization: value });
    t.equal(r.status, 401, JSON.stringify(value));
  }
  t.equal((await req('GET', '/v1/pdp/status', { authorization: `bearer ${good}` })).status, 200, 'the scheme is case-insensitive');
  // Many headers, within Node's limits, plus a valid key: still just a request.
  const many: Record<string, string> = bearer(good);
  for (let i = 0; i < 300; i++) many[`x-filler-${i}`] = 'y'.repeat(20);
  t.equal((await req('GET', '/v1/pdp/status', many)).status, 200, '300 extra headers');
  // Non-ASCII bytes in the credential (raw socket: clients refuse to send them).
  const raw = await rawRequest(server.port, `GET /v1/pdp/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer pdp_\xe9\xe8\xff\r\nConnection: close\r\n\r\n`);
  t.match(raw, /^HTTP\/1\.1 (400|401) /, 'non-ASCII credential → 4xx');
  t.equal((await req('GET', '/v1/pdp/status', bearer(good))).status, 200, 'still serving');
});

t.test('the log names refusals by reason and never holds a credential', async (t) => {
  await new Promise((r) => setTimeout(r, 50));
  const refusals = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => typeof l.reason === 'string');
  t.ok(
    refusals.some((l) => l.reason === 'missing_credentials' && l.level === 30),
    '401s at info',
  );
  t.ok(
    refusals.some((l) => l.reason === 'insufficient_scope' && l.level === 40 && typeof l.caller === 'string'),
    '403s at warn, with the verified caller',
  );
  t.ok(
    refusals.every((l) => typeof l.route === 'string'),
    'the route pattern is named',
  );
  const all = logLines.join('\n');
  for (const [name, key] of Object.entries(keys)) t.notMatch(all, key, `${name}'s key is not logged`);
  t.notMatch(all, BAD_KEY, 'a presented bad key is not logged');
  t.notMatch(all, /Bearer |Basic /i, 'no Authorization header value is logged');
});

function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.end(Buffer.from(text, 'latin1')));
    let out = '';
    s.on('data', (b) => (out += b.toString('latin1')));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}
