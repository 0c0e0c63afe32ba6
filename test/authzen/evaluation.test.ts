// The Access Evaluation and Access Evaluations APIs against a real listening server with the
// certification fixture bundle: decisions, the transport rules of the specification (deny is
// 200 {"decision": false}, 400 naming the missing field, unknown fields ignored, X-Request-ID
// echoed), batch defaults overridden per item, the three evaluations_semantic values with the
// specification's short-circuit shapes, per-item errors, and an empty or missing evaluations array.
import t from 'tap';
import { send } from '../helpers/http.js';
import { EVALUATION, EVALUATIONS, startAuthzen, type Decision } from '../helpers/authzen.js';

const pdp = await startAuthzen();
t.teardown(() => pdp.close());

const alice = { type: 'user', id: 'alice' };
const bob = { type: 'user', id: 'bob' };
const record1 = { type: 'record', id: 'record-1' };
const record2 = { type: 'record', id: 'record-2' };
const read = { name: 'read' };
const write = { name: 'write' };

const decisions = (json: unknown): boolean[] => ((json as { evaluations: Decision[] }).evaluations ?? []).map((d) => d.decision);

t.test('evaluation: permit and deny are both 200, the deny says why in the context', async (t) => {
  const permit = await pdp.post(EVALUATION, { subject: alice, action: read, resource: record1 });
  t.equal(permit.status, 200);
  t.match(permit.headers['content-type'], /^application\/json/);
  t.equal((permit.json as Decision).decision, true);
  t.match((permit.json as Decision).context, { decision_id: /^[0-9a-f-]{36}$/ });

  const deny = await pdp.post(EVALUATION, { subject: bob, action: write, resource: record1 });
  t.equal(deny.status, 200, 'a deny is not an HTTP error');
  t.same(deny.json, {
    decision: false,
    context: { decision_id: (deny.json as Decision).context?.decision_id, reason_admin: { NOT_PERMITTED: 'bob may not write this record' } },
  });
});

t.test('evaluation: missing entities and sub-fields are 400 naming the field', async (t) => {
  const cases: [string, unknown, string][] = [
    ['subject', { action: read, resource: record1 }, '/subject'],
    ['action', { subject: alice, resource: record1 }, '/action'],
    ['resource', { subject: alice, action: read }, '/resource'],
    ['subject.type', { subject: { id: 'alice' }, action: read, resource: record1 }, '/subject/type'],
    ['subject.id', { subject: { type: 'user' }, action: read, resource: record1 }, '/subject/id'],
    ['action.name', { subject: alice, action: {}, resource: record1 }, '/action/name'],
    ['resource.type', { subject: alice, action: read, resource: { id: 'record-1' } }, '/resource/type'],
    ['resource.id', { subject: alice, action: read, resource: { type: 'record' } }, '/resource/id'],
  ];
  for (const [name, body, path] of cases) {
    const r = await pdp.post(EVALUATION, body);
    t.equal(r.status, 400, `missing ${name}: 400`);
    t.match(r.json, { error: { code: 'INVALID_REQUEST', details: [{ path, message: 'is required' }] } }, `missing ${name}: names ${path}`);
  }
});

t.test('evaluation: wrong types, no body, bad JSON and other media types are 400', async (t) => {
  t.match(await pdp.post(EVALUATION, { subject: 'alice', action: read, resource: record1 }), {
    status: 400,
    json: { error: { details: [{ path: '/subject' }] } },
  });
  t.match(await pdp.post(EVALUATION, { subject: alice, action: { name: 123 }, resource: record1 }), {
    status: 400,
    json: { error: { details: [{ path: '/action/name' }] } },
  });
  t.match(await pdp.post(EVALUATION, { subject: alice, action: read, resource: record1, context: 'now' }), { status: 400 });
  t.match(await pdp.post(EVALUATION, ''), { status: 400 }, 'empty body');
  t.match(await pdp.post(EVALUATION, '{"subject":'), { status: 400, json: { error: { code: 'INVALID_JSON' } } }, 'malformed JSON');
  t.match(await pdp.post(EVALUATION, '[]'), { status: 400 }, 'an array is not a request');
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    const r = await send(pdp.url + EVALUATION, {
      method: 'POST',
      body: JSON.stringify({ subject: alice, action: read, resource: record1 }),
      headers: { 'content-type': type },
    });
    t.equal(r.status, 400, `${type}: 400 (the certification scenario's status, not 415)`);
    t.match(r.json, { error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
  }
  const none = await send(pdp.url + EVALUATION, { method: 'POST', body: '{}', headers: {} });
  t.equal(none.status, 400, 'no Content-Type');
});

t.test('evaluation: unknown fields are ignored, properties and context are accepted', async (t) => {
  const r = await pdp.post(EVALUATION, { subject: alice, action: read, resource: record1, foo: 'bar', futureField: { nested: true } });
  t.equal((r.json as Decision).decision, true);
  const withProps = await pdp.post(EVALUATION, {
    subject: { ...alice, properties: { department: 'Sales', role: 'manager' }, extra: 1 },
    action: { name: 'read', properties: { method: 'GET' } },
    resource: { ...record1, properties: { status: 'active', owner: 'bob' } },
    context: { time: '2025-06-27T18:03-07:00', ip: '192.168.1.1' },
  });
  t.equal((withProps.json as Decision).decision, true);
});

t.test('X-Request-ID is echoed on answers and errors, and its absence is fine', async (t) => {
  const id = 'bfe9eb29-ab87-4ca3-be83-a1d5d8305716';
  t.equal((await pdp.post(EVALUATION, { subject: alice, action: read, resource: record1 }, { 'x-request-id': id })).headers['x-request-id'], id);
  t.equal((await pdp.post(EVALUATION, { subject: alice }, { 'x-request-id': id })).headers['x-request-id'], id, 'on a 400');
  t.equal((await pdp.post(EVALUATIONS, { evaluations: [] }, { 'x-request-id': 'batch-1' })).headers['x-request-id'], 'batch-1');
  t.equal((await pdp.get('/.well-known/authzen-configuration', { 'x-request-id': 'meta-1' })).headers['x-request-id'], 'meta-1');
  const none = await pdp.post(EVALUATION, { subject: alice, action: read, resource: record1 });
  t.equal(none.status, 200);
  t.equal(none.headers['x-request-id'], undefined);
});

t.test('the same request gives the same decision every time', async (t) => {
  const body = { subject: bob, action: read, resource: record1 };
  for (let i = 0; i < 5; i++) t.equal(((await pdp.post(EVALUATION, body)).json as Decision).decision, true);
});

t.test('evaluations: defaults at the top level, overridden per item as whole entities', async (t) => {
  const r = await pdp.post(EVALUATIONS, {
    subject: alice,
    action: write,
    resource: { ...record1, properties: { status: 'active' } },
    evaluations: [{}, { resource: { ...record2, properties: { status: 'archived' } } }, { subject: bob }, { action: read, subject: bob }],
  });
  t.equal(r.status, 200);
  t.same(decisions(r.json), [true, false, false, true]);
  t.notOk('decision' in (r.json as object), 'no top-level decision next to evaluations');

  const inherited = await pdp.post(EVALUATIONS, {
    action: write,
    resource: { ...record2, properties: { status: 'archived' } },
    evaluations: [{ subject: alice }, { subject: { ...bob, properties: { role: 'admin' } } }],
  });
  t.same(decisions(inherited.json), [false, true]);

  const noDefaults = await pdp.post(EVALUATIONS, {
    evaluations: [
      { subject: alice, action: read, resource: record1 },
      { subject: bob, action: write, resource: record1 },
    ],
  });
  t.same(decisions(noDefaults.json), [true, false]);
});

t.test('evaluations: a partial top-level default is fine when every item completes it', async (t) => {
  const r = await pdp.post(EVALUATIONS, { subject: alice, action: read, resource: {}, context: {}, evaluations: [{ resource: record1 }] });
  t.equal(r.status, 200);
  t.same(decisions(r.json), [true]);
});

t.test('evaluations: an empty or missing array is one evaluation', async (t) => {
  for (const extra of [{}, { evaluations: [] }]) {
    const r = await pdp.post(EVALUATIONS, { subject: alice, action: read, resource: record1, ...extra });
    t.equal(r.status, 200);
    t.equal((r.json as Decision).decision, true);
    t.notOk('evaluations' in (r.json as object));
  }
  const missing = await pdp.post(EVALUATIONS, { subject: alice, action: read, evaluations: [] });
  t.equal(missing.status, 400, 'then the top level must be a complete request');
  t.match(missing.json, { error: { details: [{ path: '/resource', message: 'is required' }] } });
});

t.test('evaluations: an invalid item is a deny with its error; the others are answered (execute_all)', async (t) => {
  const r = await pdp.post(EVALUATIONS, {
    subject: alice,
    action: read,
    options: { evaluations_semantic: 'execute_all' },
    evaluations: [{ resource: record1 }, {}, { resource: { type: 'record' } }, { resource: record2 }],
  });
  t.equal(r.status, 200);
  const items = (r.json as { evaluations: Decision[] }).evaluations;
  t.same(
    items.map((d) => d.decision),
    [true, false, false, true],
  );
  t.same(items[1]?.context, { error: { status: 400, message: 'evaluations[1]: /resource is required' } });
  t.same(items[2]?.context, { error: { status: 400, message: 'evaluations[2]: /resource/id is required' } });
});

t.test('evaluations_semantic: execute_all (the default), deny_on_first_deny, permit_on_first_permit', async (t) => {
  const base = { subject: bob, resource: record1, evaluations: [{ action: read }, { action: write }, { action: read }] };
  t.same(decisions((await pdp.post(EVALUATIONS, base)).json), [true, false, true], 'default: every item');
  t.same(decisions((await pdp.post(EVALUATIONS, { ...base, options: { evaluations_semantic: 'execute_all' } })).json), [true, false, true]);

  const deny = await pdp.post(EVALUATIONS, { ...base, options: { evaluations_semantic: 'deny_on_first_deny', another_option: 'value' } });
  const denyItems = (deny.json as { evaluations: Decision[] }).evaluations;
  t.same(
    denyItems.map((d) => d.decision),
    [true, false],
    'stops after the first deny',
  );
  t.match(denyItems[1]?.context, { code: '200', reason: 'deny_on_first_deny' }, "the specification's short-circuit context");

  const permit = await pdp.post(EVALUATIONS, {
    subject: bob,
    resource: record1,
    options: { evaluations_semantic: 'permit_on_first_permit' },
    evaluations: [{ action: write }, { action: read }, { action: write }],
  });
  t.same(decisions(permit.json), [false, true], 'stops after the first permit');
  const none = await pdp.post(EVALUATIONS, {
    subject: bob,
    resource: record1,
    options: { evaluations_semantic: 'permit_on_first_permit' },
    evaluations: [{ action: write }, { action: write }],
  });
  t.same(decisions(none.json), [false, false], 'no permit: every item answered');

  const errFirst = await pdp.post(EVALUATIONS, {
    subject: bob,
    options: { evaluations_semantic: 'deny_on_first_deny' },
    evaluations: [{ action: read }, { action: read, resource: record1 }],
  });
  const errItems = (errFirst.json as { evaluations: Decision[] }).evaluations;
  t.equal(errItems.length, 1, 'an item error counts as a deny');
  t.match(errItems[0]?.context, { error: { status: 400 }, reason: 'deny_on_first_deny' });

  const bad = await pdp.post(EVALUATIONS, { ...base, options: { evaluations_semantic: 'sometimes' } });
  t.equal(bad.status, 400);
  t.match(bad.json, { error: { details: [{ path: '/options/evaluations_semantic' }] } });
});
