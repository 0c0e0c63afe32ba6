// Every error class the HTTP layer promises: one error shape, field-level details, the right
// 4xx — never a 500. Route contracts through app.inject(); the body-limit checks over a real
// socket (see there).
import t, { type Test } from 'tap';
import { inject, injectApp, injectJson, postJson, send, startApp } from '../helpers/http.js';
import { jsPolicies } from '../helpers/js-engine.js';

const policies = jsPolicies({
  'ai/tools/decision': () => ({ allow: true }),
  'ai/deployment/decision': () => ({ allow: true }),
});
const BODY_LIMIT = 8 * 1024;
const ENV = { PDP_BODY_LIMIT_BYTES: String(BODY_LIMIT), PDP_MAX_JSON_DEPTH: '64' };
const app = await injectApp({ policies, env: ENV });
t.teardown(() => app.close());

const TOOL = '/v1/decisions/tool-call';
const DEPLOY = '/v1/decisions/model-deployment';

interface ErrorShape {
  error: { code: string; message: string; details: { path: string; message: string }[] };
}

function assertErrorShape(t: Test, json: unknown, code: string): ErrorShape {
  const body = json as ErrorShape;
  t.type(body?.error?.message, 'string', 'has a message');
  t.equal(body?.error?.code, code);
  t.ok(Array.isArray(body?.error?.details), 'details is an array');
  t.same(Object.keys(body).sort(), ['error'], 'nothing but the error');
  return body;
}

t.test('schema violations → 400 INVALID_REQUEST with every bad field as a JSON pointer', async (t) => {
  const r = await injectJson(app, TOOL, { agent: { id: 7 }, tool: {}, session: { untrusted_content_seen: 'yes' }, signals: { prompt_injection_score: 3 } });
  t.equal(r.status, 400);
  const body = assertErrorShape(t, r.json, 'INVALID_REQUEST');
  const paths = body.error.details.map((d) => d.path).sort();
  t.same(paths, ['/agent/id', '/session/untrusted_content_seen', '/signals/prompt_injection_score', '/tool/name']);
  t.match(body.error.details.find((d) => d.path === '/tool/name')?.message, /required/);
  t.match(body.error.details.find((d) => d.path === '/agent/id')?.message, /string/);
});

t.test('model deployment: only name, version and environment are required', async (t) => {
  const missing = await injectJson(app, DEPLOY, { model: {}, deployment: {} });
  t.equal(missing.status, 400);
  const body = assertErrorShape(t, missing.json, 'INVALID_REQUEST');
  t.same(body.error.details.map((d) => d.path).sort(), ['/deployment/environment', '/model/name', '/model/version']);

  // Missing registry metadata is the policy's finding (MISSING_METADATA), not a bad request.
  const minimal = await injectJson(app, DEPLOY, { model: { name: 'm', version: '1' }, deployment: { environment: 'prod' } });
  t.equal(minimal.status, 200);

  // Present fields are type-checked; unknown extra fields are allowed.
  const typed = await injectJson(app, DEPLOY, {
    model: { name: 'm', version: '1', risk_tier: 'high', artifact: { signed: 'true' }, evaluation: { metrics: { safety: 98 } }, custom: { x: 1 } },
    deployment: { environment: 'prod', extra: true },
    approvals: [{ role: 5 }],
  });
  t.equal(typed.status, 400);
  t.same((typed.json as ErrorShape).error.details.map((d) => d.path).sort(), [
    '/approvals/0/role',
    '/model/artifact/signed',
    '/model/evaluation/metrics/safety',
    '/model/risk_tier',
  ]);
});

t.test('a body that is not an object, or no body at all → 400 at path ""', async (t) => {
  for (const body of ['[]', '"x"', '42', 'null', '']) {
    const r = await injectJson(app, TOOL, body);
    t.equal(r.status, 400, `body ${JSON.stringify(body)}`);
    const e = assertErrorShape(t, r.json, 'INVALID_REQUEST');
    t.equal(e.error.details[0]?.path, '');
  }
});

t.test('invalid JSON → 400 INVALID_JSON with the parser message', async (t) => {
  for (const body of ['{"agent":', '{agent: 1}', '{"a":1}}', '\u0000']) {
    const r = await injectJson(app, TOOL, body);
    t.equal(r.status, 400, `body ${JSON.stringify(body)}`);
    const e = assertErrorShape(t, r.json, 'INVALID_JSON');
    t.equal(e.error.details.length, 1);
  }
});

t.test('prototype-poisoning keys → 400', async (t) => {
  const r = await injectJson(app, TOOL, '{"agent":{"id":"a"},"tool":{"name":"t"},"__proto__":{"admin":true}}');
  t.equal(r.status, 400);
  const e = assertErrorShape(t, r.json, 'INVALID_JSON');
  t.match(e.error.details[0]?.message, /__proto__/);
  // Spelled with escapes, nested, and the constructor.prototype form: refused alike.
  for (const body of [
    '{"agent":{"id":"a"},"tool":{"name":"t"},"\\u005f_proto__":{"admin":true}}',
    '{"agent":{"id":"a"},"tool":{"name":"t"},"arguments":{"x":[{"__proto__":{"admin":true}}]}}',
    '{"agent":{"id":"a"},"tool":{"name":"t"},"arguments":{"constructor":{"prototype":{"admin":true}}}}',
    '{"agent":{"id":"a"},"tool":{"name":"t"},"arguments":{"constructor":{"\\u0070rototype":{"admin":true}}}}',
  ]) {
    const r2 = await injectJson(app, TOOL, body);
    t.equal(r2.status, 400, body);
    assertErrorShape(t, r2.json, 'INVALID_JSON');
  }
  // The words as values, or a constructor key alone, are not poisoning: decided as usual.
  for (const args of ['{"note":"__proto__"}', '{"constructor":"x"}', '{"constructor":{"name":"x"}}']) {
    const ok = await injectJson(app, TOOL, `{"agent":{"id":"a"},"tool":{"name":"t"},"arguments":${args}}`);
    t.equal(ok.status, 200, args);
  }
  // A byte-order mark before the text is read past, as fastify's parser does.
  const bom = await injectJson(app, TOOL, '\ufeff{"agent":{"id":"a"},"tool":{"name":"t"}}');
  t.equal(bom.status, 200, 'a leading byte-order mark');
});

t.test('nesting deeper than the limit → 400 JSON_TOO_DEEP; at the limit is parsed', async (t) => {
  const nest = (n: number): string => '{"a":'.repeat(n - 1) + '[]' + '}'.repeat(n - 1);
  const deep = await injectJson(app, TOOL, `{"agent":{"id":"a"},"tool":{"name":"t"},"arguments":${nest(100)}}`);
  t.equal(deep.status, 400);
  assertErrorShape(t, deep.json, 'JSON_TOO_DEEP');

  // 64 levels in total, counting the body object itself.
  const atLimit = await injectJson(app, TOOL, `{"agent":{"id":"a"},"tool":{"name":"t"},"arguments":${nest(63)}}`);
  t.equal(atLimit.status, 200);

  // Brackets inside strings do not count.
  const inString = await injectJson(app, TOOL, { agent: { id: 'a' }, tool: { name: 't' }, arguments: { text: '[[[['.repeat(100) } });
  t.equal(inString.status, 200);

  // Far deeper than any recursive parser could take: still a clean 400, no crash.
  const hostile = await injectJson(app, TOOL, '['.repeat(BODY_LIMIT - 100));
  t.equal(hostile.status, 400);
  assertErrorShape(t, hostile.json, 'JSON_TOO_DEEP');
});

// The body limit (this test and the next) over a real socket: the server answers 413 while the
// client may still be sending (and may close the connection before reading the rest), and a
// chunked body is only measured as it streams in — app.inject(), handing the whole payload over
// at once, exercises neither.
t.test('body over the limit → 413 PAYLOAD_TOO_LARGE', async (t) => {
  const server = await startApp({ policies, env: ENV });
  t.teardown(() => server.close());
  const big = JSON.stringify({ agent: { id: 'a' }, tool: { name: 't' }, arguments: { blob: 'x'.repeat(BODY_LIMIT) } });
  const r = await postJson(`${server.url}${TOOL}`, big);
  t.equal(r.status, 413);
  const e = assertErrorShape(t, r.json, 'PAYLOAD_TOO_LARGE');
  t.match(e.error.message, String(BODY_LIMIT));
  // A Content-Length over the limit is refused the same way.
  const r2 = await send(`${server.url}${DEPLOY}`, {
    method: 'POST',
    body: big,
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(big)) },
  });
  t.equal(r2.status, 413);
  // Without a Content-Length (chunked), the limit is enforced while the body streams in.
  const r3 = await send(`${server.url}${TOOL}`, { method: 'POST', body: big, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
  t.equal(r3.status, 413);
  assertErrorShape(t, r3.json, 'PAYLOAD_TOO_LARGE');
});

t.test('the default limit is 1 MiB', async (t) => {
  const dflt = await startApp({ policies });
  t.teardown(() => dflt.close());
  const justUnder = JSON.stringify({ agent: { id: 'a' }, tool: { name: 't' }, arguments: { blob: 'x'.repeat(1024 * 1024 - 200) } });
  t.equal((await postJson(`${dflt.url}/v1/decisions/tool-call`, justUnder)).status, 200);
  const over = JSON.stringify({ agent: { id: 'a' }, tool: { name: 't' }, arguments: { blob: 'x'.repeat(1024 * 1024) } });
  t.equal((await postJson(`${dflt.url}/v1/decisions/tool-call`, over)).status, 413);
});

t.test('content types: JSON and +json with parameters are read; no type, form types and others → 415 before the body is read', async (t) => {
  const body = JSON.stringify({ agent: { id: 'a' }, tool: { name: 't' } });
  for (const type of [
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON',
    'application/vnd.pdp+json',
    'application/merge-patch+json; charset=utf-8',
  ]) {
    t.equal((await inject(app, TOOL, { method: 'POST', body, headers: { 'content-type': type } })).status, 200, type);
  }
  // The types a browser sends cross-site without a preflight never reach a decision.
  for (const type of [
    undefined,
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'text/plain',
    'text/plain; charset=utf-8',
    'application/xml',
    'application/jsonx',
    'text/json',
  ]) {
    const r = await inject(app, TOOL, { method: 'POST', body, headers: type === undefined ? {} : { 'content-type': type } });
    t.equal(r.status, 415, type ?? 'no Content-Type');
    assertErrorShape(t, r.json, 'UNSUPPORTED_MEDIA_TYPE');
  }
  // A form-encoded body is refused for what it is, not parsed and then found invalid.
  const form = await inject(app, TOOL, { method: 'POST', body: 'a=1&b=2', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.equal(form.status, 415);
  t.match((form.json as { error: { message: string } }).error.message, /application\/x-www-form-urlencoded/);
  // No body needs no type (the Data API's POST without input).
  t.equal((await inject(app, '/v1/data/a', { method: 'POST' })).status, 200, 'POST without a body and without a type');
});

t.test('415 through a real server: the connection closes instead of reading the unwanted body', async (t) => {
  const server = await startApp({ policies });
  t.teardown(() => server.close());
  const r = await send(`${server.url}${TOOL}`, { method: 'POST', body: 'x'.repeat(64 * 1024), headers: { 'content-type': 'text/plain' } });
  t.equal(r.status, 415);
  t.equal(r.headers.connection, 'close');
  assertErrorShape(t, r.json, 'UNSUPPORTED_MEDIA_TYPE');
});

t.test('unknown route → 404; known path, wrong method → 405 with Allow', async (t) => {
  const r = await inject(app, '/v1/nope');
  t.equal(r.status, 404);
  assertErrorShape(t, r.json, 'NOT_FOUND');

  const wrong = await inject(app, TOOL);
  t.equal(wrong.status, 405);
  assertErrorShape(t, wrong.json, 'METHOD_NOT_ALLOWED');
  t.equal(wrong.headers.allow, 'POST');

  const del = await inject(app, '/v1/pdp/status', { method: 'DELETE' });
  t.equal(del.status, 405);
  t.equal(del.headers.allow, 'GET, HEAD');

  // OPA's data writes: refused by a route of their own, in OPA's shape, saying why.
  const dataPut = await inject(app, '/v1/data/a/b', { method: 'PUT', body: '{}', headers: { 'content-type': 'application/json' } });
  t.equal(dataPut.status, 405);
  t.equal(dataPut.headers.allow, 'GET, POST');
  t.match(dataPut.json, { code: 'invalid_operation', message: /bundles/ });
});

t.test('trailing slashes and unknown query parameters are tolerated', async (t) => {
  t.equal((await inject(app, '/v1/pdp/status/')).status, 200);
  t.equal((await inject(app, '/health?verbose=1&x')).status, 200);
  t.equal((await injectJson(app, `${TOOL}?foo=bar`, { agent: { id: 'a' }, tool: { name: 't' } })).status, 200);
});
