// Enterprise OPA's batch query API (POST /v1/batch/data/{path}), the endpoint the OPA SDKs'
// evaluateBatch call, at the HTTP level against a real listening service: the 200 / 207 / 500
// forms, common_input, the bound on inputs, hostile bodies, and one decision record per input.
import t from 'tap';
import { startReal, writeBundle } from '../helpers/real-server.js';
import { compatBundleDir } from '../helpers/opa-compat.js';

const server = await startReal({ bundleDir: compatBundleDir(), env: { PDP_LOG_LEVEL: 'silent', PDP_OPA_BATCH_MAX_INPUTS: '5' } });
t.teardown(() => server.close());

interface Res {
  status: number;
  json: Record<string, unknown>;
  text: string;
}

async function batch(path: string, body: unknown): Promise<Res> {
  const r = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, text, json: JSON.parse(text) as Record<string, unknown> };
}

const responses = (r: Res): Record<string, Record<string, unknown>> => r.json.responses as Record<string, Record<string, unknown>>;

t.test('every input answered: 200, one decision per input, no status on the entries', async (t) => {
  const r = await batch('/v1/batch/data/authz/allow', { inputs: { a: { user: 'alice' }, m: { user: 'mallory' } } });
  t.equal(r.status, 200);
  t.match(r.json, { batch_decision_id: /^[0-9a-f-]{36}$/ });
  const rs = responses(r);
  t.match(rs.a, { decision_id: String, result: true });
  t.match(rs.m, { decision_id: String, result: false });
  t.not(rs.a!.decision_id, rs.m!.decision_id, 'each input is its own decision');
  t.notOk('http_status_code' in rs.a!, 'no status when nothing failed');
  const undef = responses(await batch('/v1/batch/data/no/such', { inputs: { x: {} } }));
  t.same(Object.keys(undef.x!), ['decision_id'], 'undefined: no result');
  t.same(responses(await batch('/v1/batch/data/authz/allow', { inputs: {} })), {}, 'no inputs, no responses');
  // ids are the caller's strings: none may reach an object's prototype or clash with another
  const odd = responses(
    await batch('/v1/batch/data/authz/allow', { inputs: { '': { user: 'alice' }, constructor: { user: 'mallory' }, toString: { user: 'bob' } } }),
  );
  t.same(Object.keys(odd).sort(), ['', 'constructor', 'toString'], 'each id answered under its own key');
  t.match(odd, { '': { result: true }, constructor: { result: false }, toString: { result: true } });
});

t.test('some failed: 207, each entry with its status; all failed: 500', async (t) => {
  const r = await batch('/v1/batch/data/authz/conflict', { inputs: { ok: { a: true }, bad: { a: true, b: true } } });
  t.equal(r.status, 207);
  t.match(responses(r).ok, { http_status_code: '200', result: 1, decision_id: String });
  t.match(responses(r).bad, {
    http_status_code: '500',
    code: 'internal_error',
    message: 'error(s) occurred while evaluating query',
    errors: [{ code: 'eval_conflict_error', location: { file: /authz\/policy\.rego$/, row: 8 } }],
    decision_id: String,
  });
  const all = await batch('/v1/batch/data/authz/conflict', { inputs: { x: { a: true, b: true } } });
  t.equal(all.status, 500);
  t.match(responses(all).x, { code: 'internal_error', errors: [{ code: 'eval_conflict_error' }] });
});

t.test('common_input is deep-merged under each input; the input wins', async (t) => {
  const bundle = writeBundle({ 'echo/policy.rego': 'package echo\n\ninput_seen := input\n' });
  const echo = await startReal({ bundleDir: bundle, env: { PDP_LOG_LEVEL: 'silent' } });
  t.teardown(() => echo.close());
  const r = await fetch(`${echo.url}/v1/batch/data/echo/input_seen`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      common_input: { action: 'read', user: { role: 'viewer', org: 'acme' }, list: [1, 2] },
      inputs: { a: { user: { name: 'alice' } }, b: { user: { role: 'admin' }, list: [3] }, c: 'scalar', d: { user: 'not-an-object' } },
    }),
  });
  const rs = ((await r.json()) as { responses: Record<string, { result: unknown }> }).responses;
  t.same(rs.a!.result, { action: 'read', user: { role: 'viewer', org: 'acme', name: 'alice' }, list: [1, 2] }, 'objects merge key by key');
  t.same(rs.b!.result, { action: 'read', user: { role: 'admin', org: 'acme' }, list: [3] }, "the input's value wins, arrays are not merged");
  t.equal(rs.c!.result, 'scalar', 'a non-object input is taken as it is');
  t.same(rs.d!.result, { action: 'read', user: 'not-an-object', list: [1, 2] }, 'an input scalar replaces a common object');
});

t.test('hostile and malformed bodies: 400 in OPA shape naming the field', async (t) => {
  for (const [name, body] of [
    ['no inputs', {}],
    ['inputs not an object', { inputs: [{ user: 'alice' }] }],
    ['common_input not an object', { inputs: {}, common_input: 'x' }],
    ['not JSON', '{"inputs": '],
  ] as const) {
    const r = await batch('/v1/batch/data/authz/allow', body);
    t.equal(r.status, 400, `${name}: 400`);
    t.match(r.json, { code: String, message: String }, `${name}: OPA's error shape`);
    t.notOk('error' in r.json, `${name}: not the service's own shape`);
  }
  const many = await batch('/v1/batch/data/authz/allow', { inputs: Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`i${i}`, { user: 'alice' }])) });
  t.equal(many.status, 400, 'over opa.batch_max_inputs (5 here)');
  t.match(many.json, { code: 'invalid_parameter', message: /6 entries.*at most 5.*opa\.batch_max_inputs/ });
  const viaQuery = await batch(`/v1/batch/data/authz/allow?input=${encodeURIComponent('{}')}`, { inputs: {} });
  t.equal(viaQuery.status, 400, '?input= is refused: inputs come from the body');
  t.match(viaQuery.json, { code: 'invalid_parameter' });
  const proto = await fetch(`${server.url}/v1/batch/data/authz/allow`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"inputs": {"__proto__": {"user": "alice"}}}',
  });
  t.equal(proto.status, 400, 'a __proto__ key is refused by the body parser, as on every route');
});

t.test('query parameters apply to every input; integers stay exact', async (t) => {
  const r = await batch('/v1/batch/data/authz/allow?metrics&provenance', { inputs: { a: { user: 'alice' } } });
  t.match(r.json, { metrics: { timer_server_handler_ns: Number } });
  t.match(responses(r).a, { result: true, metrics: Object, provenance: { bundles: { test: { revision: 'compat-1' } } } });
  const strict = await batch('/v1/batch/data/authz/number?strict-builtin-errors', { inputs: { n: { text: 'x' } } });
  t.equal(strict.status, 500, 'strict-builtin-errors: the builtin error fails the input');
  const lax = await batch('/v1/batch/data/authz/number', { inputs: { n: { text: 'x' }, ok: { text: '12345678901234567890123' } } });
  t.equal(lax.status, 200);
  t.notOk('result' in responses(lax).n!, 'without it: undefined');
  t.match(lax.text, /"result":12345678901234567890123\b/, 'an integer past 2^53 written exactly');
});

t.test('each input is recorded: its decision id finds its record', async (t) => {
  const r = await batch('/v1/batch/data/authz/allow', { inputs: { a: { user: 'alice' }, m: { user: 'mallory' } } });
  for (const [id, want] of [
    ['a', true],
    ['m', false],
  ] as const) {
    const rec = await fetch(`${server.url}/v1/decisions/${String(responses(r)[id]!.decision_id)}`);
    t.equal(rec.status, 200, `${id}: recorded`);
    // (no mask policy in this bundle: a Data API record leaves its input and result out)
    t.match(
      await rec.json(),
      { path: 'authz/allow', decision_id: responses(r)[id]!.decision_id, outcome: 'decided' },
      `${id} (${String(want)}): its own record`,
    );
  }
});

t.test('no policy active yet: 503 for the whole batch, as for one Data API request', async (t) => {
  const bad = await startReal({ bundleDir: writeBundle({ 'p.rego': 'package p\n\nallow if {' }), env: { PDP_LOG_LEVEL: 'silent' } });
  t.teardown(() => bad.close());
  const r = await fetch(`${bad.url}/v1/batch/data/p/allow`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"inputs":{"a":{}}}' });
  t.equal(r.status, 503);
  t.match(await r.json(), { code: 'internal_error', message: /no policy bundle is active/ });
});
