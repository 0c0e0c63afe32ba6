// The AuthZEN 1.0 certification scenario (../shared/authzen/certification-scenario-1_0.md) as
// tests, against a real server over HTTPS loaded with examples/authzen-certification/: every
// check of the Basic (Core, Properties), Batch (Core, Properties), Search (Core, Properties) and
// Discovery levels, and the transport requirements (§5). Test names carry the scenario's ids.
// The requests are the scenario's own, written out here so the checks run without ../shared.
// Over plain HTTP (no openssl to make a certificate) the HTTPS-URL checks of Discovery skip.
import t, { type Test } from 'tap';
import { makePki, hasOpenssl, call, type HttpResult } from '../helpers/auth.js';
import { EVALUATION, EVALUATIONS, SEARCH_ACTION, SEARCH_RESOURCE, SEARCH_SUBJECT, WELL_KNOWN, startAuthzen } from '../helpers/authzen.js';

const pki = hasOpenssl() ? makePki([]) : undefined;
const noHttps = pki ? false : 'openssl is not installed: no certificate for an HTTPS server, so the HTTPS-URL checks cannot run';
const pdp = await startAuthzen({ env: pki ? { PDP_TLS_CERT_FILE: pki.server.certFile, PDP_TLS_KEY_FILE: pki.server.keyFile } : {} });
t.teardown(() => pdp.close());
const tls = pki ? { ca: pki.ca.cert } : undefined;

function post(path: string, body: unknown, headers: Record<string, string> = {}, contentType = 'application/json'): Promise<HttpResult> {
  return call(pdp.url + path, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': contentType, ...headers },
    ...(tls ? { tls } : {}),
  });
}

const alice = { type: 'user', id: 'alice' };
const bob = { type: 'user', id: 'bob' };
const bobAdmin = { type: 'user', id: 'bob', properties: { role: 'admin' } };
const record1 = { type: 'record', id: 'record-1' };
const record2 = { type: 'record', id: 'record-2' };
const archived2 = { ...record2, properties: { status: 'archived' } };
const read = { name: 'read' };
const write = { name: 'write' };
const ctx = { time: '2025-06-27T18:03-07:00', ip: '192.168.1.1' };

/** §2.3 / §5: 200, application/json, a boolean decision, a context object if any. */
function decision(t: Test, r: HttpResult, expected?: boolean): void {
  t.equal(r.status, 200, 'HTTP 200');
  t.match(r.headers['content-type'], /^application\/json/, 'application/json');
  const body = r.json as { decision?: unknown; context?: unknown };
  t.type(body?.decision, 'boolean', 'decision is a boolean');
  if (body?.context !== undefined) t.ok(typeof body.context === 'object' && body.context !== null && !Array.isArray(body.context), 'context is an object');
  if (expected !== undefined) t.equal(body?.decision, expected, `decision ${expected}`);
}

function batch(t: Test, r: HttpResult, n: number, expected?: boolean[]): void {
  t.equal(r.status, 200, 'HTTP 200');
  const items = (r.json as { evaluations?: { decision?: unknown; context?: unknown }[] }).evaluations;
  t.ok(Array.isArray(items) && items.length === n, `evaluations has ${n} items (§3.3.1)`);
  for (const d of items ?? []) t.type(d.decision, 'boolean', 'each item has a boolean decision (§3.3.3)');
  if (expected)
    t.same(
      items?.map((d) => d.decision),
      expected,
      `decisions ${JSON.stringify(expected)} in request order (§3.3.2)`,
    );
}

function results(t: Test, r: HttpResult, type: string | undefined, mustInclude: string[]): void {
  t.equal(r.status, 200, 'HTTP 200');
  const list = (r.json as { results?: Record<string, unknown>[] }).results;
  t.ok(Array.isArray(list), 'results is an array');
  for (const e of list ?? []) {
    if (type !== undefined) {
      t.equal(e.type, type, `each result is a ${type}`);
      t.type(e.id, 'string', 'each result has an id');
    } else t.type(e.name, 'string', 'each result has a name');
  }
  const ids = (list ?? []).map((e) => (type !== undefined ? e.id : e.name));
  for (const id of mustInclude) t.ok(ids.includes(id), `${id} is in the results`);
}

t.test('Basic Core', async (t) => {
  t.test('2.2.1 fixture permit', async (t) => decision(t, await post(EVALUATION, { subject: alice, action: read, resource: record1 }), true));
  t.test('2.2.2 fixture deny', async (t) => decision(t, await post(EVALUATION, { subject: bob, action: write, resource: record1 }), false));
  t.test('2.2.3 optional context', async (t) => decision(t, await post(EVALUATION, { subject: alice, action: read, resource: record1, context: ctx }), true));
  t.test('2.2.8 additional properties', async (t) =>
    decision(
      t,
      await post(EVALUATION, {
        subject: { ...alice, properties: { department: 'Sales', role: 'manager' } },
        action: { name: 'read', properties: { method: 'GET' } },
        resource: { ...record1, properties: { status: 'active', owner: 'bob' } },
      }),
      true,
    ),
  );
  t.test('2.2.9 unknown fields', async (t) =>
    decision(t, await post(EVALUATION, { subject: alice, action: read, resource: record1, foo: 'bar', futureField: { nested: true } }), true),
  );
  t.test('2.4.1 missing required fields → 400', async (t) => {
    t.equal((await post(EVALUATION, { action: read, resource: record1 })).status, 400, 'no subject');
    t.equal((await post(EVALUATION, { subject: alice, resource: record1 })).status, 400, 'no action');
    t.equal((await post(EVALUATION, { subject: alice, action: read })).status, 400, 'no resource');
  });
  t.test('2.4.2 missing required sub-fields → 400', async (t) => {
    t.equal((await post(EVALUATION, { subject: { id: 'alice' }, action: read, resource: record1 })).status, 400, 'subject.type');
    t.equal((await post(EVALUATION, { subject: { type: 'user' }, action: read, resource: record1 })).status, 400, 'subject.id');
    t.equal((await post(EVALUATION, { subject: alice, action: {}, resource: record1 })).status, 400, 'action.name');
    t.equal((await post(EVALUATION, { subject: alice, action: read, resource: { id: 'record-1' } })).status, 400, 'resource.type');
    t.equal((await post(EVALUATION, { subject: alice, action: read, resource: { type: 'record' } })).status, 400, 'resource.id');
  });
  t.test('2.4.3 invalid content type → 400', async (t) => {
    t.equal((await post(EVALUATION, { subject: alice, action: read, resource: record1 }, {}, 'text/plain')).status, 400);
  });
  t.test('2.4.4 malformed JSON → 400', async (t) => t.equal((await post(EVALUATION, '{"subject": {')).status, 400));
  t.test('2.4.5 empty body → 400', async (t) => t.equal((await post(EVALUATION, '')).status, 400));
  t.test('2.4.6 invalid field types → 400', async (t) => {
    t.equal((await post(EVALUATION, { subject: 'alice', action: read, resource: record1 })).status, 400, 'subject a string');
    t.equal((await post(EVALUATION, { subject: alice, action: { name: 123 }, resource: record1 })).status, 400, 'action.name a number');
  });
  t.test('2.5.1 X-Request-ID echo', async (t) => {
    const id = 'bfe9eb29-ab87-4ca3-be83-a1d5d8305716';
    t.equal((await post(EVALUATION, { subject: alice, action: read, resource: record1 }, { 'x-request-id': id })).headers['x-request-id'], id);
  });
  t.test('2.5.2 X-Request-ID absent', async (t) => decision(t, await post(EVALUATION, { subject: alice, action: read, resource: record1 }), true));
  t.test('2.6 idempotency', async (t) => {
    for (let i = 0; i < 5; i++)
      t.equal(((await post(EVALUATION, { subject: bob, action: write, resource: record1 })).json as { decision: boolean }).decision, false);
  });
});

t.test('Basic Properties', async (t) => {
  t.test('2.2.4 deny based on resource properties', async (t) =>
    decision(t, await post(EVALUATION, { subject: alice, action: write, resource: archived2 }), false),
  );
  t.test('2.2.5 permit based on subject properties', async (t) =>
    decision(t, await post(EVALUATION, { subject: bobAdmin, action: write, resource: archived2 }), true),
  );
  t.test('2.2.6 permit based on action properties', async (t) =>
    decision(t, await post(EVALUATION, { subject: alice, action: { name: 'delete', properties: { soft: true } }, resource: record1 }), true),
  );
  t.test('2.2.7 deny based on action properties', async (t) =>
    decision(t, await post(EVALUATION, { subject: alice, action: { name: 'delete', properties: { soft: false } }, resource: record1 }), false),
  );
});

t.test('Batch Core', async (t) => {
  t.test('3.2.1 evaluations array', async (t) => {
    const r = await post(EVALUATIONS, { subject: alice, action: read, evaluations: [{ resource: record1 }, { resource: record2 }] });
    batch(t, r, 2);
    t.notOk('decision' in (r.json as object), '3.3.4: no top-level decision');
  });
  t.test('3.2.2 fixture decisions validated', async (t) =>
    batch(t, await post(EVALUATIONS, { subject: bob, resource: record1, evaluations: [{ action: read }, { action: write }] }), 2, [true, false]),
  );
  t.test('3.2.5 fully specified evaluations', async (t) =>
    batch(
      t,
      await post(EVALUATIONS, {
        evaluations: [
          { subject: alice, action: read, resource: record1 },
          { subject: bob, action: write, resource: record1 },
        ],
      }),
      2,
      [true, false],
    ),
  );
  t.test('3.2.6 context inheritance', async (t) =>
    batch(
      t,
      await post(EVALUATIONS, {
        subject: alice,
        action: read,
        context: { time: '2025-06-27T18:03-07:00' },
        evaluations: [{ resource: record1 }, { resource: record2, context: { time: '2025-06-27T19:00-07:00', source: 'batch-override' } }],
      }),
      2,
    ),
  );
  t.test('3.4.1 evaluation-level errors (execute_all)', async (t) => {
    const r = await post(EVALUATIONS, {
      subject: alice,
      action: read,
      options: { evaluations_semantic: 'execute_all' },
      evaluations: [{ resource: record1 }, {}],
    });
    batch(t, r, 2, [true, false]);
    t.type((r.json as { evaluations: { context?: unknown }[] }).evaluations[1]?.context, 'object', 'the failed item says why in its context');
  });
  t.test('3.4.2 missing evaluations array', async (t) => decision(t, await post(EVALUATIONS, { subject: alice, action: read, resource: record1 }), true));
  t.test('3.4.3 empty evaluations array', async (t) =>
    decision(t, await post(EVALUATIONS, { subject: alice, action: read, resource: record1, evaluations: [] }), true),
  );
});

t.test('Batch Properties', async (t) => {
  t.test('3.2.3 properties validated', async (t) =>
    batch(
      t,
      await post(EVALUATIONS, {
        subject: alice,
        action: write,
        evaluations: [{ resource: { ...record1, properties: { status: 'active' } } }, { resource: archived2 }],
      }),
      2,
      [true, false],
    ),
  );
  t.test('3.2.4 subject properties validated', async (t) =>
    batch(t, await post(EVALUATIONS, { action: write, resource: archived2, evaluations: [{ subject: alice }, { subject: bobAdmin }] }), 2, [false, true]),
  );
  t.test('3.2.7 top-level default inheritance', async (t) =>
    batch(
      t,
      await post(EVALUATIONS, {
        subject: alice,
        action: write,
        resource: { ...record1, properties: { status: 'active' } },
        evaluations: [{}, { resource: archived2 }],
      }),
      2,
      [true, false],
    ),
  );
});

t.test('Search Core', async (t) => {
  const s1 = { subject: { type: 'user' }, action: read, resource: record1 };
  const ids = (r: HttpResult): unknown[] => ((r.json as { results: { id?: string; name?: string }[] }).results ?? []).map((e) => e.id ?? e.name);
  const base = await post(SEARCH_SUBJECT, s1);
  t.test('4.2.1 subject search', async (t) => results(t, base, 'user', ['alice', 'bob']));
  t.test('4.2.2 subject search with context', async (t) => {
    const r = await post(SEARCH_SUBJECT, { ...s1, context: ctx });
    results(t, r, 'user', ['alice', 'bob']);
    t.same(ids(r), ids(base), 'identical to 4.2.1');
  });
  t.test('4.2.3 subject id present is ignored', async (t) => {
    const r = await post(SEARCH_SUBJECT, { ...s1, subject: alice });
    results(t, r, 'user', ['alice', 'bob']);
    t.same(ids(r), ids(base), 'identical to 4.2.1');
  });
  const r1 = { subject: alice, action: read, resource: { type: 'record' } };
  const rbase = await post(SEARCH_RESOURCE, r1);
  t.test('4.3.1 resource search', async (t) => results(t, rbase, 'record', ['record-1']));
  t.test('4.3.2 resource search with context', async (t) => {
    const r = await post(SEARCH_RESOURCE, { ...r1, context: ctx });
    results(t, r, 'record', ['record-1']);
    t.same(ids(r), ids(rbase));
  });
  t.test('4.3.3 resource id present is ignored', async (t) => {
    const r = await post(SEARCH_RESOURCE, { ...r1, resource: record1 });
    results(t, r, 'record', ['record-1']);
    t.same(ids(r), ids(rbase));
  });
  const a1 = { subject: alice, resource: record1 };
  const abase = await post(SEARCH_ACTION, a1);
  t.test('4.4.1 action search', async (t) => results(t, abase, undefined, ['read', 'write']));
  t.test('4.4.2 action search with context', async (t) => {
    const r = await post(SEARCH_ACTION, { ...a1, context: ctx });
    results(t, r, undefined, ['read', 'write']);
    t.same(ids(r), ids(abase));
  });
  t.test('4.5.1 page limit', async (t) => {
    const r = await post(SEARCH_SUBJECT, { ...s1, page: { limit: 1 } });
    t.equal(r.status, 200);
    const page = (r.json as { page?: { next_token?: unknown } }).page;
    t.type(page, 'object', 'page is an object');
    t.type(page?.next_token, 'string', 'next_token is a string');
    t.equal((r.json as { results: unknown[] }).results.length, 1, 'one result');
  });
  t.test('4.5.2 / 4.5.3 page token, to the end', async (t) => {
    const first = await post(SEARCH_SUBJECT, { ...s1, page: { limit: 1 } });
    const token = (first.json as { page: { next_token: string } }).page.next_token;
    t.ok(token.length > 0, 'more results: a non-empty next_token');
    const second = await post(SEARCH_SUBJECT, { ...s1, page: { limit: 1, token } });
    t.equal(second.status, 200);
    const page = (second.json as { page: { next_token: string; count: number } }).page;
    t.equal(page.next_token, '', 'no more results: next_token ""');
    t.equal(page.count, 1, 'count is the number of results in this response');
    t.same([...ids(first), ...ids(second)], ids(base), 'the pages together are the whole result');
  });
  t.test('4.5.4 pagination is optional: a page object is accepted', async (t) =>
    results(t, await post(SEARCH_RESOURCE, { ...r1, page: { properties: { sort: 'id' } } }), 'record', ['record-1']),
  );
  t.test('4.6.1 unknown entity identifier → empty results', async (t) => {
    t.same((await post(SEARCH_ACTION, { subject: { type: 'user', id: 'nonexistent-user' }, resource: record1 })).json, { results: [] });
    t.same((await post(SEARCH_SUBJECT, { subject: { type: 'user' }, action: read, resource: { type: 'record', id: 'no-such-record' } })).json, { results: [] });
    t.same((await post(SEARCH_RESOURCE, { subject: { type: 'user', id: 'nonexistent-user' }, action: read, resource: { type: 'record' } })).json, {
      results: [],
    });
  });
  t.test('4.6.2 unknown entity type → empty results', async (t) => {
    t.same((await post(SEARCH_SUBJECT, { subject: { type: 'spaceship' }, action: read, resource: record1 })).json, { results: [] });
    t.same((await post(SEARCH_RESOURCE, { subject: alice, action: read, resource: { type: 'spaceship' } })).json, { results: [] });
    t.same((await post(SEARCH_ACTION, { subject: alice, resource: { type: 'spaceship', id: 'x' } })).json, { results: [] });
  });
  t.test('4.7.1 missing required fields → 400', async (t) => {
    t.equal((await post(SEARCH_SUBJECT, { subject: { type: 'user' }, resource: record1 })).status, 400, 'subject search without action');
    t.equal((await post(SEARCH_RESOURCE, { action: read, resource: { type: 'record' } })).status, 400, 'resource search without subject');
    t.equal((await post(SEARCH_ACTION, { subject: alice })).status, 400, 'action search without resource');
  });
  t.test('4.7.2 missing required sub-fields → 400', async (t) => {
    t.equal((await post(SEARCH_SUBJECT, { subject: { type: 'user' }, action: read, resource: { type: 'record' } })).status, 400, 'subject search: resource.id');
    t.equal(
      (await post(SEARCH_RESOURCE, { subject: { type: 'user' }, action: read, resource: { type: 'record' } })).status,
      400,
      'resource search: subject.id',
    );
    t.equal((await post(SEARCH_ACTION, { subject: { type: 'user' }, resource: record1 })).status, 400, 'action search: subject.id');
  });
});

t.test('Search Properties', async (t) => {
  t.test('4.2.4 subject search with resource properties (S4)', async (t) =>
    results(t, await post(SEARCH_SUBJECT, { subject: { type: 'user' }, action: write, resource: archived2 }), 'user', ['bob']),
  );
  t.test('4.3.4 resource search with subject properties (S5)', async (t) =>
    results(t, await post(SEARCH_RESOURCE, { subject: bobAdmin, action: write, resource: { type: 'record' } }), 'record', ['record-2']),
  );
  t.test('4.4.3 action search with properties (S6)', async (t) =>
    results(t, await post(SEARCH_ACTION, { subject: bobAdmin, resource: archived2 }), undefined, ['write']),
  );
});

t.test('Discovery (§6)', async (t) => {
  const r = await call(pdp.url + WELL_KNOWN, tls ? { tls } : {});
  t.equal(r.status, 200, '6.2: HTTP 200');
  t.match(r.headers['content-type'], /^application\/json/, '6.2: application/json');
  const m = r.json as Record<string, unknown>;
  t.equal(m.policy_decision_point, pdp.url, '6.5: policy_decision_point is the base URL used for discovery');
  t.type(m.access_evaluation_endpoint, 'string', '6.3: access_evaluation_endpoint');
  for (const k of ['access_evaluations_endpoint', 'search_subject_endpoint', 'search_resource_endpoint', 'search_action_endpoint'])
    t.type(m[k], 'string', `6.4: ${k}`);
  t.notOk('capabilities' in m && !Array.isArray(m.capabilities), '6.5: capabilities, if present, is an array');
  t.notOk('signed_metadata' in m, 'no signed_metadata');
  t.test('6.5: every URL is a valid HTTPS URL, and it answers', { skip: noHttps }, async (t) => {
    for (const k of [
      'policy_decision_point',
      'access_evaluation_endpoint',
      'access_evaluations_endpoint',
      'search_subject_endpoint',
      'search_resource_endpoint',
      'search_action_endpoint',
    ]) {
      const u = new URL(String(m[k]));
      t.equal(u.protocol, 'https:', `${k} is https`);
      t.equal(u.search + u.hash, '', `${k} has no query or fragment`);
    }
    const viaMetadata = await call(String(m.access_evaluation_endpoint), {
      method: 'POST',
      body: JSON.stringify({ subject: alice, action: read, resource: record1 }),
      headers: { 'content-type': 'application/json' },
      ...(tls ? { tls } : {}),
    });
    decision(t, viaMetadata, true);
  });
});

t.test('Transport (§5)', async (t) => {
  t.equal(new URL(pdp.url).protocol, pki ? 'https:' : 'http:', pki ? 'served over HTTPS' : 'served over HTTP (no openssl)');
  const r = await post(SEARCH_RESOURCE, { subject: alice, action: read, resource: { type: 'record' }, unknown: 1 }, { 'x-request-id': 'transport-1' });
  t.equal(r.status, 200, 'unknown fields ignored on search too');
  t.match(r.headers['content-type'], /^application\/json/);
  t.equal(r.headers['x-request-id'], 'transport-1');
});
