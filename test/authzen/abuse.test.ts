// Hostile input on every AuthZEN route: huge, deep, mistyped, poisoned, too many items, forged
// page tokens. Each gets a clear 4xx naming the field, never a 500, and the server keeps serving.
import t, { type Test } from 'tap';
import { send } from '../helpers/http.js';
import { EVALUATION, EVALUATIONS, SEARCH_ACTION, SEARCH_RESOURCE, SEARCH_SUBJECT, WELL_KNOWN, startAuthzen, type Decision } from '../helpers/authzen.js';

const pdp = await startAuthzen({ env: { PDP_BODY_LIMIT_BYTES: '65536', PDP_AUTHZEN_MAX_EVALUATIONS: '10', PDP_MAX_JSON_DEPTH: '20' } });
t.teardown(() => pdp.close());

const alice = { type: 'user', id: 'alice' };
const record1 = { type: 'record', id: 'record-1' };
const read = { name: 'read' };
const ROUTES = [EVALUATION, EVALUATIONS, SEARCH_SUBJECT, SEARCH_RESOURCE, SEARCH_ACTION];

async function stillServes(t: Test): Promise<void> {
  const r = await pdp.post(EVALUATION, { subject: alice, action: read, resource: record1 });
  t.equal((r.json as Decision).decision, true, 'still serving');
}

t.test('every route: hostile bodies are 4xx in the one error shape, never 500', async (t) => {
  const hostile: [string, string][] = [
    ['a body over the limit', JSON.stringify({ subject: alice, action: read, resource: { ...record1, properties: { x: 'y'.repeat(70_000) } } })],
    ['JSON deeper than the limit', '{"subject":' + '{"a":'.repeat(40) + '1' + '}'.repeat(40) + '}'],
    [
      'a __proto__ key',
      '{"subject":{"type":"user","id":"alice","__proto__":{"admin":true}},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}',
    ],
    ['a constructor.prototype key', '{"subject":{"constructor":{"prototype":{"x":1}}}}'],
    ['null', 'null'],
    ['a string', '"subject"'],
    ['a number', '42'],
    ['truncated JSON', '{"subject": {"type": "user", "id": "ali'],
    ['entities of the wrong type', JSON.stringify({ subject: [], action: 'read', resource: 7, context: [] })],
    ['ids of the wrong type', JSON.stringify({ subject: { type: 1, id: {} }, action: { name: null }, resource: { type: true, id: [] } })],
    [
      'properties that are not objects',
      JSON.stringify({ subject: { ...alice, properties: 'x' }, action: { name: 'read', properties: [] }, resource: { ...record1, properties: 1 } }),
    ],
    ['a page that is not an object', JSON.stringify({ subject: alice, action: read, resource: record1, page: 'next' })],
    ['a negative page limit', JSON.stringify({ subject: alice, action: read, resource: record1, page: { limit: -1 } })],
    ['a fractional page limit', JSON.stringify({ subject: alice, action: read, resource: record1, page: { limit: 1.5 } })],
    ['a page token that is not a string', JSON.stringify({ subject: alice, action: read, resource: record1, page: { token: 1 } })],
  ];
  for (const route of ROUTES) {
    for (const [name, body] of hostile) {
      const r = await send(pdp.url + route, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      const ok =
        r.status === 200 &&
        (route !== EVALUATION ||
          name === 'a page that is not an object' ||
          name.startsWith('a negative') ||
          name.startsWith('a fractional') ||
          name.startsWith('a page token'));
      if (ok) continue; // unknown fields (page on an evaluation) are ignored
      t.ok(r.status >= 400 && r.status < 500, `${route}, ${name}: ${r.status}`);
      t.match(r.json, { error: { code: String, message: String } }, `${route}, ${name}: the one error shape`);
    }
  }
  await stillServes(t);
});

t.test('a body over the limit is 413; deep JSON and poisoned keys are 400', async (t) => {
  const big = await pdp.post(EVALUATION, { subject: alice, action: read, resource: { ...record1, properties: { x: 'y'.repeat(70_000) } } });
  t.equal(big.status, 413);
  t.match(
    (await send(pdp.url + EVALUATION, { method: 'POST', body: '{"a":'.repeat(30) + '1' + '}'.repeat(30), headers: { 'content-type': 'application/json' } }))
      .json,
    { error: { code: 'JSON_TOO_DEEP' } },
  );
  const poisoned = await send(pdp.url + EVALUATION, {
    method: 'POST',
    body: '{"subject":{"type":"user","id":"alice","__proto__":{"admin":true}},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}',
    headers: { 'content-type': 'application/json' },
  });
  t.equal(poisoned.status, 400);
});

t.test('evaluations: more items than PDP_AUTHZEN_MAX_EVALUATIONS is 400 naming the array', async (t) => {
  const r = await pdp.post(EVALUATIONS, { subject: alice, action: read, evaluations: Array.from({ length: 11 }, () => ({ resource: record1 })) });
  t.equal(r.status, 400);
  t.match(r.json, { error: { details: [{ path: '/evaluations', message: /has 11 items; at most 10/ }] } });
  const atLimit = await pdp.post(EVALUATIONS, { subject: alice, action: read, evaluations: Array.from({ length: 10 }, () => ({ resource: record1 })) });
  t.equal((atLimit.json as { evaluations: unknown[] }).evaluations.length, 10);
  const notObjects = await pdp.post(EVALUATIONS, { subject: alice, action: read, evaluations: [1, 'x', null] });
  t.equal(notObjects.status, 400);
  t.match(notObjects.json, { error: { details: [{ path: '/evaluations/0' }] } });
});

t.test('huge strings and odd identifiers are just values: evaluated and denied, not crashed', async (t) => {
  for (const id of ['', ' ', '\u0000', '../../etc/passwd', '${jndi:ldap://x}', 'a'.repeat(30_000), '💥'.repeat(1000), '__proto__', 'constructor']) {
    const r = await pdp.post(EVALUATION, { subject: { type: 'user', id }, action: read, resource: record1 });
    t.equal(r.status, 200, `id ${JSON.stringify(id.slice(0, 20))}`);
    t.equal((r.json as Decision).decision, false);
  }
});

t.test('a hostile X-Request-ID is echoed or dropped, never a failure', async (t) => {
  const long = 'r'.repeat(8000);
  t.equal((await pdp.post(EVALUATION, { subject: alice, action: read, resource: record1 }, { 'x-request-id': long })).headers['x-request-id'], long);
  const r = await send(pdp.url + EVALUATION, {
    method: 'POST',
    body: JSON.stringify({ subject: alice, action: read, resource: record1 }),
    headers: { 'content-type': 'application/json', 'x-request-id': 'caf\u00e9' },
  });
  t.equal(r.status, 200);
});

t.test('forged, tampered and reused page tokens are 400 INVALID_PAGE_TOKEN', async (t) => {
  const search = { subject: { type: 'user' }, action: read, resource: record1, page: { limit: 1 } };
  const first = await pdp.post(SEARCH_SUBJECT, search);
  const token = (first.json as { page: { next_token: string } }).page.next_token;
  t.ok(token.length > 0, 'a first page with more to come');
  const [payload, mac] = token.split('.') as [string, string];
  const forgedPayload = Buffer.from(JSON.stringify({ v: 1, t: 'subject', d: 'x', o: 0 })).toString('base64url');
  const bad: [string, unknown][] = [
    ['garbage', 'not-a-token'],
    ['an empty signature', `${payload}.`],
    ['another payload with the old signature', `${forgedPayload}.${mac}`],
    ['a flipped signature', `${payload}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`],
    ['three parts', `${payload}.${mac}.x`],
    ['a huge token', 'x'.repeat(4000)],
  ];
  for (const [name, tok] of bad) {
    const r = await pdp.post(SEARCH_SUBJECT, { ...search, page: { limit: 1, token: tok } });
    t.equal(r.status, 400, name);
    t.match(r.json, { error: { code: 'INVALID_PAGE_TOKEN', details: [{ path: '/page/token' }] } }, name);
  }
  const tooLong = await pdp.post(SEARCH_SUBJECT, { ...search, page: { limit: 1, token: 'x'.repeat(5000) } });
  t.equal(tooLong.status, 400, 'a token over 4096 characters is refused by the schema');

  const reused: [string, string, unknown][] = [
    ['another action', SEARCH_SUBJECT, { ...search, action: { name: 'write' }, page: { limit: 1, token } }],
    ['another resource', SEARCH_SUBJECT, { ...search, resource: { type: 'record', id: 'record-2' }, page: { limit: 1, token } }],
    ['another limit', SEARCH_SUBJECT, { ...search, page: { limit: 2, token } }],
    ['added context', SEARCH_SUBJECT, { ...search, context: { ip: '10.0.0.1' }, page: { limit: 1, token } }],
    ['another endpoint', SEARCH_RESOURCE, { subject: alice, action: read, resource: { type: 'record' }, page: { limit: 1, token } }],
  ];
  for (const [name, route, body] of reused) {
    const r = await pdp.post(route, body);
    t.equal(r.status, 400, `reused with ${name}`);
    t.match(r.json, { error: { code: 'INVALID_PAGE_TOKEN' } }, `reused with ${name}`);
  }
  const again = await pdp.post(SEARCH_SUBJECT, { ...search, page: { limit: 1, token } });
  t.equal(again.status, 200, 'the same request with its token is fine (and gives the same page)');
});

t.test('a token from another server (another key) is refused', async (t) => {
  const other = await startAuthzen();
  t.teardown(() => other.close());
  const search = { subject: { type: 'user' }, action: read, resource: record1, page: { limit: 1 } };
  const token = ((await other.post(SEARCH_SUBJECT, search)).json as { page: { next_token: string } }).page.next_token;
  const r = await pdp.post(SEARCH_SUBJECT, { ...search, page: { limit: 1, token } });
  t.equal(r.status, 400);
});

t.test('the metadata route takes no body and no other method', async (t) => {
  t.equal((await send(pdp.url + WELL_KNOWN, { method: 'DELETE' })).status, 405);
  t.equal((await pdp.get(`${WELL_KNOWN}?x=${'a'.repeat(1000)}`)).status, 200);
  await stillServes(t);
});
