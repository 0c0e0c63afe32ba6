// Bodies as OPA's users send them: `curl -d` (application/x-www-form-urlencoded), text/plain, no
// Content-Type at all. OPA reads every body as JSON. Here that is opa.any_content_type (off by
// default: a browser sends those types cross-site without a preflight); on, only OPA's routes read
// them — the service's own routes still refuse them. Real listening servers, raw HTTP.
import t from 'tap';
import { gzipSync } from 'node:zlib';
import { send, type HttpResult } from '../helpers/http.js';
import { startReal } from '../helpers/real-server.js';
import { compatBundleDir } from '../helpers/opa-compat.js';

const strict = await startReal({ bundleDir: compatBundleDir(), env: { PDP_LOG_LEVEL: 'silent' } });
const lenient = await startReal({
  bundleDir: compatBundleDir(),
  env: { PDP_LOG_LEVEL: 'silent', PDP_OPA_ANY_CONTENT_TYPE: 'true', PDP_BODY_LIMIT_BYTES: '4096' },
});
t.teardown(async () => {
  await strict.close();
  await lenient.close();
});

const TYPES = ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', undefined] as const;

function post(url: string, path: string, body: string | Buffer, type: string | undefined, headers: Record<string, string> = {}): Promise<HttpResult> {
  return send(`${url}${path}`, { method: 'POST', body, headers: { ...(type === undefined ? {} : { 'content-type': type }), ...headers } });
}

t.test('off (the default): 415 on OPA routes, naming the setting', async (t) => {
  for (const type of TYPES) {
    const r = await post(strict.url, '/v1/data/authz/allow', '{"input":{"user":"alice"}}', type);
    t.equal(r.status, 415, `${type ?? 'no type'}: refused`);
    t.match(r.json, { code: 'invalid_parameter', message: /opa\.any_content_type/ }, `${type ?? 'no type'}: OPA's shape, names the setting`);
  }
  const own = await post(strict.url, '/v1/decisions/tool-call', '{}', 'text/plain');
  t.equal(own.status, 415);
  t.notMatch(own.text, /any_content_type/, "a service route does not offer OPA's setting");
});

t.test('on: every OPA route reads any body as JSON, as OPA does', async (t) => {
  for (const type of TYPES) {
    const label = type ?? 'no type';
    t.match((await post(lenient.url, '/v1/data/authz/allow', '{"input":{"user":"alice"}}', type)).json, { result: true }, `${label}: Data API`);
    t.same((await post(lenient.url, '/', '{"user":"alice"}', type)).json, { allowed: true }, `${label}: POST /`);
    t.same((await post(lenient.url, '/v0/data/authz/allow', '{"user":"alice"}', type)).json, true, `${label}: /v0/data`);
    t.match((await post(lenient.url, '/v1/query', '{"query":"x := 1 + 2"}', type)).json, { result: [{ x: 3 }] }, `${label}: /v1/query`);
    const batch = await post(lenient.url, '/v1/batch/data/authz/allow', '{"inputs":{"a":{"user":"alice"}}}', type);
    t.match(batch.json, { responses: { a: { result: true } } }, `${label}: /v1/batch/data`);
  }
  t.match((await post(lenient.url, '/v1/data/authz/allow', '', 'text/plain')).json, { result: false, decision_id: String }, 'an empty body is no input');
});

t.test('on: the same bounds and refusals as a JSON body', async (t) => {
  const form = 'application/x-www-form-urlencoded';
  const bad = await post(lenient.url, '/v1/data/authz/allow', 'input=%7B%7D', form);
  t.equal(bad.status, 400, 'a real form body is not JSON: 400');
  t.match(bad.json, { code: 'invalid_parameter' });
  t.equal((await post(lenient.url, '/v1/data/authz/allow', '{"input":' + '['.repeat(200) + ']'.repeat(200) + '}', form)).status, 400, 'too deep');
  t.equal((await post(lenient.url, '/v1/data/authz/allow', JSON.stringify({ input: { pad: 'x'.repeat(5000) } }), form)).status, 413, 'over the body limit');
  const poisoned = await post(lenient.url, '/v1/data/authz/allow', '{"input":{"__proto__":{"admin":true}}}', form);
  t.equal(poisoned.status, 400, 'prototype keys refused');
  const gz = await post(lenient.url, '/v1/data/authz/allow', gzipSync('{"input":{"user":"alice"}}'), undefined, { 'content-encoding': 'gzip' });
  t.match(gz.json, { result: true }, 'gzip without a type');
  t.equal(
    (await post(lenient.url, '/v1/data/authz/allow', gzipSync('x'.repeat(100_000)), form, { 'content-encoding': 'gzip' })).status,
    413,
    'a gzip bomb is still 413',
  );
});

t.test("on: the service's own routes still take JSON only", async (t) => {
  for (const path of ['/v1/decisions/tool-call', '/v1/decisions/model-deployment', '/access/v1/evaluation']) {
    const r = await post(lenient.url, path, '{}', 'text/plain');
    t.ok(r.status === 415 || r.status === 400, `${path}: ${r.status}, not read`);
    t.notMatch(r.text, /"allow":true|"decision":true/, `${path}: no decision`);
  }
  t.equal((await post(lenient.url, '/v1/decisions/tool-call', '{}', 'text/plain')).status, 415, 'a decision route answers 415');
});
