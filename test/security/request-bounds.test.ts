// Attacks on the cost of a request before evaluation (issue "Trust II"): bodies built to make
// schema validation expensive, numbers beyond the double range, the Data API on paths nobody
// owns. Each was an event-loop stall or a 500 before; each must now be a cheap, clear answer.
import { readFileSync } from 'node:fs';
import t from 'tap';
import type { Test } from 'tap';
import { buildApp } from '../../src/server.js';
import { testConfig } from '../helpers/config.js';
import { injectJson, inject } from '../helpers/http.js';

const example = JSON.parse(readFileSync(new URL('../../examples/tool-call/analytics-select.allow.json', import.meta.url), 'utf8')) as Record<string, unknown>;

async function app(t: Test, env: Record<string, string> = {}) {
  const a = buildApp(testConfig(env));
  await a.ready();
  t.teardown(() => a.close());
  return a;
}

interface ErrorJson {
  error: { code: string; message: string; details: { path: string; message: string }[] };
}

t.test('1 MB of wrong values is refused by counting, before it is parsed or validated', async (t) => {
  const a = await app(t);
  const body = JSON.stringify({ ...example, user: { id: 'u', roles: new Array(500_000).fill(1) } });
  t.ok(body.length > 1_000_000 - 100 && body.length < 1024 * 1024, 'under the body limit');
  const r = await injectJson(a, '/v1/decisions/tool-call', body);
  t.equal(r.status, 413);
  t.equal((r.json as ErrorJson).error.code, 'PAYLOAD_TOO_LARGE');
  t.match((r.json as ErrorJson).error.message, /more than 100000 JSON values/);
});

t.test('a large invalid body below the value bound lists at most max_validation_errors problems', async (t) => {
  const a = await app(t, { PDP_MAX_VALIDATION_ERRORS: '3' });
  const body = { ...example, user: { id: 'u', roles: new Array(90_000).fill(1) } };
  const r = await injectJson(a, '/v1/decisions/tool-call', body);
  t.equal(r.status, 400);
  const e = (r.json as ErrorJson).error;
  t.equal(e.code, 'INVALID_REQUEST');
  // Above 2,000 values only the first error is looked for: validation stopped there.
  t.same(e.details, [{ path: '/user/roles/0', message: 'must be string' }]);
});

t.test('a small invalid body gets several errors, up to the bound', async (t) => {
  const a = await app(t, { PDP_MAX_VALIDATION_ERRORS: '3' });
  const r = await injectJson(a, '/v1/decisions/tool-call', { user: { roles: [1, 2, 3, 4, 5] } });
  t.equal(r.status, 400);
  const details = (r.json as ErrorJson).error.details;
  t.equal(details.length, 3, 'three of the many problems');
  t.ok(
    details.some((d) => d.path === '/agent'),
    'the missing fields are among them',
  );
});

t.test('numbers beyond the double range are a 400 naming the field, never a 500', async (t) => {
  const a = await app(t);
  for (const [url, text, path] of [
    ['/v1/data/ai/tools/decision', '{"input":{"x":1e400}}', '/input/x'],
    ['/v1/data/ai/tools/decision', '{"input":{"a":[1,{"y/z":-2E+999}]}}', '/input/a/1/y~1z'],
    ['/v1/decisions/tool-call', JSON.stringify({ ...example, arguments: { n: 1 } }).replace('"n":1', `"n":1${'0'.repeat(400)}`), '/arguments/n'],
  ] as const) {
    const r = await injectJson(a, url, text);
    t.equal(r.status, 400, `${url} ${text.slice(0, 40)}`);
    if (url.startsWith('/v1/data')) {
      // OPA's error shape on the Data API, the field named all the same.
      t.match(r.json, { code: 'invalid_parameter', errors: [{ code: 'invalid_parameter', message: `${path}: number out of range` }] });
      continue;
    }
    t.equal((r.json as ErrorJson).error.code, 'INVALID_JSON');
    t.same((r.json as ErrorJson).error.details, [{ path, message: 'number out of range' }]);
  }
  // Exponents that stay in range, and "e" in true/false and in strings, are not refused.
  const ok = await injectJson(a, '/v1/data/ai/tools/decision', '{"input":{"x":1e300,"t":true,"f":false,"s":"1e999"}}');
  t.equal(ok.status, 200);
});

t.test('the Data API answers a path no bundle owns as OPA does: 200 without a result', async (t) => {
  const a = await app(t);
  for (const url of ['/v1/data/foo', `/v1/data/${'a'.repeat(900)}`, '/v1/data/foo/bar/baz']) {
    const r = await inject(a, url);
    t.equal(r.status, 200, url.slice(0, 30));
    t.notOk('result' in (r.json as object), 'undefined document');
    const p = await injectJson(a, url, { input: { x: 1 } });
    t.equal(p.status, 200);
  }
});
