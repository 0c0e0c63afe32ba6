// OPA's REST API at the HTTP level (what curl sees), against a real listening service: each
// endpoint and query parameter OPA documents, each answer in OPA's documented shape.
import t, { type Test } from 'tap';
import { startReal } from '../helpers/real-server.js';
import { compatBundleDir } from '../helpers/opa-compat.js';
import { send } from '../helpers/http.js';

const server = await startReal({ bundleDir: compatBundleDir(), env: { PDP_LOG_LEVEL: 'silent' } });
t.teardown(() => server.close());

interface Res {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

async function http(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const r = await fetch(`${server.url}${path}`, init);
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json };
}

const enc = (v: unknown): string => encodeURIComponent(JSON.stringify(v));

/** OPA's error body: {code, message, errors?}, and nothing of this service's own shape. */
function opaError(t: Test, r: Res, status: number, code: string): void {
  t.equal(r.status, status, `status ${status}`);
  t.match(r.json, { code, message: String }, `OPA error shape with code ${code}`);
  t.notOk((r.json as Record<string, unknown>).error, 'not the service\'s own {"error": …} shape');
}

t.test('Data API: GET with ?input=, array indexes, undefined', async (t) => {
  t.match((await http('GET', `/v1/data/authz/allow?input=${enc({ user: 'alice' })}`)).json, { result: true, decision_id: String }, '?input= is the input');
  t.match((await http('GET', `/v1/data/authz/allow?input=${enc({ user: 'mallory' })}`)).json, { result: false });
  t.match((await http('GET', '/v1/data/roles/admin/0')).json, { result: 'alice' }, 'index 0');
  t.match((await http('GET', '/v1/data/roles/admin/1')).json, { result: 'bob' }, 'index 1');
  const out = (await http('GET', '/v1/data/roles/admin/7')).json as Record<string, unknown>;
  t.notOk('result' in out, 'an index past the end is undefined');
  t.notOk('result' in ((await http('GET', '/v1/data/roles/admin/x')).json as object), 'a non-integer segment on an array is undefined');
  t.notOk('result' in ((await http('GET', '/v1/data/roles/admin/01')).json as object), 'a leading zero is not an index');
  const undef = await http('GET', '/v1/data/no/such/doc');
  t.equal(undef.status, 200);
  t.notOk('result' in (undef.json as object), 'undefined: 200 without result');
});

t.test('Data API: bad ?input= and bad parameters are 400 invalid_parameter', async (t) => {
  opaError(t, await http('GET', '/v1/data/authz/allow?input=%7Bnot-json'), 400, 'invalid_parameter');
  opaError(t, await http('GET', `/v1/data/authz/allow?input=${encodeURIComponent('['.repeat(500) + ']'.repeat(500))}`), 400, 'invalid_parameter');
  opaError(
    t,
    await http('GET', `/v1/data/authz/allow?input=${enc({ __proto__: 1 }).replace('%7B%7D', encodeURIComponent('{"__proto__":{"x":1}}'))}`),
    400,
    'invalid_parameter',
  );
  opaError(t, await http('POST', '/v1/data/authz/allow?explain=everything', { input: {} }), 400, 'invalid_parameter');
  opaError(t, await http('POST', '/v1/data/authz/allow', '{"input": '), 400, 'invalid_parameter');
  opaError(
    t,
    await http('POST', '/v1/data/authz/allow', { input: {}, extra: 1, deep: JSON.parse('['.repeat(100) + ']'.repeat(100)) as unknown }),
    400,
    'invalid_parameter',
  );
});

t.test('Data API: errors in OPA shape; conflicts are 500 internal_error with the engine error', async (t) => {
  const r = await http('POST', '/v1/data/authz/conflict', { input: { a: true, b: true } });
  opaError(t, r, 500, 'internal_error');
  t.match(r.json, { errors: [{ code: 'eval_conflict_error', message: String, location: { file: /policy\.rego$/, row: 8, col: Number } }] });
  // As OPA writes it: a fixed message, the engine's code once and its own message in errors[].
  t.equal((r.json as { message: string }).message, 'error(s) occurred while evaluating query');
  t.notMatch(
    (r.json as { errors: { message: string }[] }).errors[0]?.message,
    /eval_conflict_error|policy\.rego/,
    'no code or location repeated in the message',
  );
});

t.test('Data API: strict-builtin-errors, pretty', async (t) => {
  t.notOk('result' in ((await http('POST', '/v1/data/authz/number', { input: { text: 'x' } })).json as object), 'a builtin error is undefined by default');
  const strict = await http('POST', '/v1/data/authz/number?strict-builtin-errors=true', { input: { text: 'x' } });
  opaError(t, strict, 500, 'internal_error');
  t.match(strict.json, { errors: [{ code: 'eval_builtin_error' }] });
  t.notMatch((strict.json as { errors: { message: string }[] }).errors[0]?.message, /^eval_builtin_error/, 'the code once, not again in the message');
  const pretty = await http('GET', '/v1/data/roles?pretty=true');
  t.match(pretty.text, /\n {2}"decision_id"/, 'indented');
  t.notMatch((await http('GET', '/v1/data/roles')).text, /\n/, 'compact by default');
});

t.test('Data API: provenance, metrics, instrument in OPA shape', async (t) => {
  const r = (await http('POST', '/v1/data/authz/allow?provenance&metrics', { input: { user: 'alice' } })).json as Record<string, unknown>;
  t.match(r.provenance, { version: String, bundles: { test: { revision: 'compat-1' } } }, 'provenance: version and bundle revisions');
  // OPA's ProvenanceV1 fields; the build fields are always present (no omitempty in OPA).
  // This test runs the sources, which carry no build stamp: "" rather than this machine's name.
  t.same(Object.keys(r.provenance as object).sort(), ['build_commit', 'build_hostname', 'build_timestamp', 'bundles', 'version']);
  t.match(r.provenance, { build_commit: '', build_timestamp: '', build_hostname: '' }, 'no stamp when run from src/');
  const m = r.metrics as Record<string, number>;
  t.ok(m.timer_rego_query_eval_ns! > 0, 'timer_rego_query_eval_ns');
  t.ok(m.timer_server_handler_ns! >= m.timer_rego_query_eval_ns!, 'timer_server_handler_ns');
  const get = (await http('GET', `/v1/data/authz/allow?metrics=true&input=${enc({ user: 'bob' })}`)).json as {
    metrics: Record<string, number>;
    result: boolean;
  };
  t.equal(get.result, true);
  t.type(get.metrics.timer_rego_input_parse_ns, 'number', 'timer_rego_input_parse_ns for ?input=');
  t.type(((await http('GET', '/v1/data/roles?instrument')).json as { metrics: unknown }).metrics, 'object', 'instrument gives metrics');
  const plain = (await http('GET', '/v1/data/roles')).json as Record<string, unknown>;
  t.notOk('metrics' in plain || 'provenance' in plain, 'nothing unless asked');
  t.equal((await http('GET', '/v1/data/roles?explain=full')).status, 200, 'explain accepted (trace events come from the engine)');
  // OPA's event sequence for the Data API query data.authz.allow: the query is query 0, the rule
  // body query 1 (parent 0); Index before the rule; Exit "early"; the rule's Redo after the query's
  type Ev = { op: string; query_id: number; parent_id: number; type: string; message?: string };
  const ex = (await http('GET', `/v1/data/authz/allow?explain=full&input=${enc({ user: 'alice' })}`)).json as { result: boolean; explanation: Ev[] };
  t.equal(ex.result, true);
  t.same(
    ex.explanation.map((e) => [e.op, e.query_id, e.parent_id, e.type, e.message ?? '']),
    [
      ['enter', 0, 0, 'body', ''],
      ['eval', 0, 0, 'expr', ''],
      ['index', 0, 0, 'expr', '(matched 1 rule, early exit)'],
      ['enter', 1, 0, 'rule', ''],
      ['eval', 1, 0, 'expr', ''],
      ['exit', 1, 0, 'rule', 'early'],
      ['exit', 0, 0, 'body', ''],
      ['redo', 0, 0, 'body', ''],
      ['redo', 0, 0, 'expr', ''],
      ['redo', 1, 0, 'rule', ''],
      ['redo', 1, 0, 'expr', ''],
    ],
  );
});

t.test('POST / answers the default decision with the whole body as input', async (t) => {
  const r = await http('POST', '/', { user: 'alice' });
  t.equal(r.status, 200);
  t.same(r.json, { allowed: true }, 'the bare result, no envelope');
  opaError(t, await http('POST', '/', {}), 404, 'undefined_document');
});

t.test('/v0/data: the webhook form', async (t) => {
  const r = await http('POST', '/v0/data/authz/allow', { user: 'bob' });
  t.equal(r.status, 200);
  t.equal(r.json, true, 'the bare document');
  t.same((await http('POST', '/v0/data/roles/admin/0', {})).json, 'alice');
  const undef = await http('POST', '/v0/data/authz/nothing', {});
  opaError(t, undef, 404, 'undefined_document');
  t.match((undef.json as { message: string }).message, /data\.authz\.nothing/);
  opaError(t, await http('POST', '/v0/data/authz/conflict', { a: true, b: true }), 500, 'internal_error');
});

t.test('/v1/query: GET ?q= and POST {query, input}', async (t) => {
  t.same((await http('GET', `/v1/query?q=${encodeURIComponent('x := data.roles.admin[_]')}`)).json, { result: [{ x: 'alice' }, { x: 'bob' }] });
  t.same((await http('POST', '/v1/query', { query: 'y := input.n + 1', input: { n: 41 } })).json, { result: [{ y: 42 }] });
  t.same((await http('GET', `/v1/query?q=${encodeURIComponent('x := input.n')}&input=${enc({ n: 'via-get' })}`)).json, { result: [{ x: 'via-get' }] });
  t.same((await http('GET', `/v1/query?q=${encodeURIComponent('1 == 2')}`)).json, {}, 'no solutions: no result');
  const parse = await http('GET', `/v1/query?q=${encodeURIComponent('x := [')}`);
  opaError(t, parse, 400, 'invalid_parameter');
  t.match(parse.json, { errors: [{ code: 'rego_parse_error' }] });
  opaError(t, await http('GET', '/v1/query'), 400, 'invalid_parameter');
  opaError(t, await http('POST', '/v1/query', { query: `x := ${'1 + '.repeat(20_000)}1` }), 400, 'invalid_parameter');
  opaError(t, await http('POST', '/v1/query', { input: {} }), 400, 'invalid_parameter');
  // A runaway query spends the same budget as a decision, then fails.
  const runaway = 'x := count([1 | some i, j, k; numbers.range(1, 1000)[i]; numbers.range(1, 1000)[j]; numbers.range(1, 1000)[k]])';
  const slow = await http('GET', `/v1/query?q=${encodeURIComponent(runaway)}`);
  opaError(t, slow, 500, 'internal_error');
  t.match(slow.json, { errors: [{ code: 'eval_budget_exceeded' }] }, 'stopped by the evaluation budget');
});

t.test('/v1/policies: list and get in OPA shape; writes refused', async (t) => {
  const list = (await http('GET', '/v1/policies')).json as { result: { id: string; raw: string; ast: { package: unknown; rules: unknown[] } }[] };
  const ids = list.result.map((p) => p.id).sort();
  t.same(ids, ['test/authz/policy.rego', 'test/system/health/health.rego', 'test/system/main.rego']);
  const authz = list.result.find((p) => p.id === 'test/authz/policy.rego');
  t.match(authz?.raw, /^package authz/);
  t.match(
    authz?.ast.package,
    {
      path: [
        { type: 'var', value: 'data' },
        { type: 'string', value: 'authz' },
      ],
    },
    "OPA's AST JSON",
  );
  t.match((await http('GET', '/v1/policies/test/authz/policy.rego')).json, { result: { id: 'test/authz/policy.rego', raw: String, ast: Object } });
  opaError(t, await http('GET', '/v1/policies/nope.rego'), 404, 'resource_not_found');
  for (const m of ['PUT', 'DELETE']) {
    const r = await http(m, '/v1/policies/x.rego');
    t.equal(r.status, 405, `${m} refused`);
    t.match(r.json, { code: 'invalid_operation', message: /bundles/ }, `${m}: says policies come from bundles`);
  }
  // As OPA's docs send a policy (curl -X PUT --data-binary @example.rego): a Rego text, with
  // curl's default form type, text/plain, or no type at all — the refusal, not a media-type error.
  for (const type of ['application/x-www-form-urlencoded', 'text/plain', undefined]) {
    const r = await rawPut('/v1/policies/example.rego', 'package example\n\nallow := true\n', type);
    t.equal(r.status, 405, `PUT with a Rego body (${type ?? 'no type'}) is the 405 refusal`);
    t.match(r.json, { code: 'invalid_operation', message: /policies are loaded from bundles only/ });
    t.equal(r.allow, 'GET');
  }
  t.equal((await http('GET', '/v1/policies/example.rego')).status, 404, 'nothing was stored');
});

t.test('a write announcing a huge body, sent slowly, is refused at once and its connection closed', async (t) => {
  const { connect } = await import('node:net');
  const u = new URL(server.url);
  const socket = connect(Number(u.port), u.hostname);
  t.teardown(() => socket.destroy());
  let text = '';
  const answered = new Promise<void>((resolve) => {
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (text += c));
    socket.on('close', () => resolve());
  });
  // 2 GB announced (over the body limit), 10 bytes sent, the rest never comes.
  socket.write('PUT /v1/policies/x.rego HTTP/1.1\r\nhost: x\r\ncontent-type: text/plain\r\ncontent-length: 2000000000\r\n\r\npackage x\n');
  const started = Date.now();
  await answered;
  t.match(text, /^HTTP\/1\.1 405 /, 'the 405, not a 413 or a wait for the body');
  t.match(text, /\r\nconnection: close\r\n/i, 'the unread body is not read: the connection is closed');
  t.match(text, /"code":"invalid_operation"/);
  t.ok(Date.now() - started < 5000, `answered without the body (${Date.now() - started} ms)`);
  t.equal((await http('GET', '/v1/policies/x.rego')).status, 404, 'nothing was stored');
});

/** A PUT with a body of any media type, or none (fetch always adds one for a string). */
async function rawPut(path: string, body: string, type: string | undefined): Promise<{ status: number; json: unknown; allow: unknown }> {
  const r = await send(`${server.url}${path}`, { method: 'PUT', body, headers: type === undefined ? {} : { 'content-type': type } });
  return { status: r.status, json: r.json, allow: r.headers.allow };
}

t.test('Data API writes are refused clearly', async (t) => {
  for (const m of ['PUT', 'PATCH', 'DELETE']) {
    const r = await http(m, '/v1/data/roles', m === 'DELETE' ? undefined : []);
    t.equal(r.status, 405, m);
    t.match(r.json, { code: 'invalid_operation', message: /bundles/ });
  }
  for (const type of ['application/x-www-form-urlencoded', undefined]) {
    const r = await rawPut('/v1/data/roles', '{"admin": ["mallory"]}', type);
    t.equal(r.status, 405, `PUT /v1/data with ${type ?? 'no type'} is the 405 refusal`);
    t.match(r.json, { code: 'invalid_operation', message: /data is loaded from bundles only/ });
  }
  t.match((await http('GET', '/v1/data/roles/admin')).json, { result: ['alice', 'bob'] }, 'data unchanged');
});

t.test('/v1/config and /v1/status in OPA shape; the service views moved to /v1/pdp/*', async (t) => {
  const cfg = (await http('GET', '/v1/config')).json as { result: Record<string, unknown> };
  t.match(cfg.result, { default_decision: '/system/main', labels: { version: String }, bundles: { test: { resource: /^file:\/\// } } });
  t.match((await http('GET', '/v1/pdp/config')).json, { result: { server: Object, bundles: Array } }, 'the native configuration');
  const st = (await http('GET', '/v1/status')).json as { result: Record<string, unknown> };
  t.match(st.result, {
    labels: { id: String, version: String },
    bundles: { test: { name: 'test', active_revision: 'compat-1', last_successful_activation: String } },
    plugins: { bundle: { state: 'OK' } },
  });
  t.match((await http('GET', '/v1/pdp/status')).json, { ready: true, bundles: [{ name: 'test', engine: 'rego' }] }, 'the richer view');
});

t.test('one instance: the same labels (id included) in /v1/status, /v1/config and decision records', async (t) => {
  const status = ((await http('GET', '/v1/status')).json as { result: { labels: Record<string, string> } }).result.labels;
  const config = ((await http('GET', '/v1/config')).json as { result: { labels: Record<string, string> } }).result.labels;
  t.match(status.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a UUID');
  t.same(config, status, '/v1/config shows the labels /v1/status shows');
  const id = ((await http('POST', '/v1/data/authz/allow', { input: { user: 'alice' } })).json as { decision_id: string }).decision_id;
  const record = (await http('GET', `/v1/decisions/${id}`)).json as { labels?: Record<string, string> };
  t.same(record.labels, status, "the decision record's labels are the instance's");
});

t.test('?pretty on every OPA route that answers a document', async (t) => {
  for (const [method, path, body] of [
    ['GET', '/v1/config?pretty'],
    ['GET', '/v1/status?pretty=true'],
    ['GET', '/v1/policies?pretty'],
    ['GET', '/v1/policies/test/authz/policy.rego?pretty'],
    ['POST', '/?pretty', { user: 'alice' }],
    ['POST', '/v0/data/roles?pretty', {}],
    ['GET', '/v1/data/roles?pretty'],
    ['GET', '/v1/query?q=data.roles.admin[i]&pretty'],
  ] as [string, string, unknown?][]) {
    const r = await http(method, path, body);
    t.equal(r.status, 200, `${method} ${path}`);
    t.match(r.text, /^[{[]\n {2}"/, `${method} ${path}: indented`);
    const compact = await http(method, path.replace(/[?&]pretty(=true)?$/, ''), body);
    t.notMatch(compact.text, /\n/, `${method} ${path} without ?pretty: compact`);
    const same = (text: string): unknown => JSON.parse(text.replace(/"decision_id": ?"[^"]*"/, '"decision_id":""')) as unknown;
    t.same(same(r.text), same(compact.text), `${method} ${path}: the same document`);
  }
});

t.test('/health and its forms', async (t) => {
  for (const q of ['', '?bundles', '?bundles=true&plugins', '?plugins&exclude-plugin=bundle&exclude-plugin=cache']) {
    const r = await http('GET', `/health${q}`);
    t.equal(r.status, 200, `/health${q}`);
    t.same(r.json, {});
  }
  t.equal((await http('GET', '/health/live')).status, 200, '/health/live');
  t.equal((await http('GET', '/health/ready')).status, 200, '/health/ready: system.health.ready (plugins ready)');
  for (const p of ['/health/custom', '/health/not/defined']) {
    const r = await http('GET', p);
    t.equal(r.status, 500, p);
    // OPA's health API answers {"error": …} (HealthResponseV1); the SDKs read {code, message}: both.
    t.match(r.json, { code: 'internal_error', message: /data\.system\.health/, error: /data\.system\.health/ }, `${p}: OPA's health body and error shape`);
  }
});

t.test('unknown OPA-looking routes and the service routes keep the service error shape', async (t) => {
  const own = await http('POST', '/v1/decisions/tool-call', '{bad');
  t.equal(own.status, 400);
  t.match(own.json, { error: { code: 'INVALID_JSON' } }, 'a service route keeps its own shape');
});
