// Every AuthZEN evaluation is a decision of the decision pipeline: a decision id in the response
// context, one pdp.decision span, one audit record (kind "authzen", masked like the others), the
// decision cache, metrics by endpoint; and the mapping to policies is configurable by
// resource.type / action.name, with reasons and obligations in the response context.
import t from 'tap';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startServer } from '../../src/server.js';
import { testConfig } from '../helpers/config.js';
import { postJson, send } from '../helpers/http.js';
import { writeBundle } from '../helpers/real-server.js';
import { turnsDuring } from '../helpers/loop-turns.js';
import { EVALUATION, EVALUATIONS, startAuthzen, type Decision } from '../helpers/authzen.js';

// A bundle with a default decision document, a second one for resource type "invoice", and a
// plain boolean for type "flag": reasons with and without user messages, and obligations.
const bundleDir = writeBundle({
  '.manifest': JSON.stringify({ revision: 'az-1', roots: ['authzen', 'billing', 'system/log'] }),
  // The bundle's own decision-log mask (OPA's convention): AuthZEN records are masked by it too.
  'system/log/mask.rego': 'package system.log\n\nmask contains "/input/subject/properties/ssn"\n',
  'authzen/policy.rego': `package authzen

decision := {"allow": true, "obligations": [{"type": "log_access", "reason": "audit"}]} if input.subject.id == "alice"

decision := {"allow": false, "reasons": [
  {"code": "NOT_OWNER", "message": "subject u-2 is not the owner of doc-1", "user_message": "You cannot open this document."},
  {"code": "NOT_OWNER", "message": "and not a delegate"},
  {"code": "WEEKEND", "control": "C-7"}
]} if input.subject.id != "alice"
`,
  'billing/policy.rego': `package billing

decision := {"allow": input.action.name == "pay", "reasons": [{"code": "BILLING"}]}

flag := input.subject.id == "alice"
`,
});

const alice = { type: 'user', id: 'alice' };
const doc1 = { type: 'document', id: 'doc-1' };
const read = { name: 'read' };

t.test('reasons, user messages and obligations reach the response context', async (t) => {
  const pdp = await startAuthzen({ bundleDir });
  t.teardown(() => pdp.close());
  const allow = (await pdp.post(EVALUATION, { subject: alice, action: read, resource: doc1 })).json as Decision;
  t.same(allow, { decision: true, context: { decision_id: allow.context?.decision_id, obligations: [{ type: 'log_access', reason: 'audit' }] } });
  const deny = (await pdp.post(EVALUATION, { subject: { type: 'user', id: 'u-2' }, action: read, resource: doc1 })).json as Decision;
  t.same(deny.context, {
    decision_id: deny.context?.decision_id,
    reason_admin: { NOT_OWNER: 'subject u-2 is not the owner of doc-1; and not a delegate', WEEKEND: 'WEEKEND' },
    reason_user: { NOT_OWNER: 'You cannot open this document.' },
  });
});

t.test('PDP_AUTHZEN_RULES and PDP_AUTHZEN_DECISION choose the policy by resource.type / action.name', async (t) => {
  const rules = [
    { resource_type: 'invoice', decision: 'billing/decision' },
    { resource_type: 'flag', action_name: 'toggle', decision: 'billing/flag' },
  ];
  const pdp = await startAuthzen({ bundleDir, env: { PDP_AUTHZEN_RULES: JSON.stringify(rules) } });
  t.teardown(() => pdp.close());
  const invoice = { type: 'invoice', id: 'inv-9' };
  t.equal(((await pdp.post(EVALUATION, { subject: alice, action: { name: 'pay' }, resource: invoice })).json as Decision).decision, true);
  const refund = (await pdp.post(EVALUATION, { subject: alice, action: { name: 'refund' }, resource: invoice })).json as Decision;
  t.match(refund, { decision: false, context: { reason_admin: { BILLING: 'BILLING' } } }, 'answered by billing/decision, not data.authzen.decision');
  const flag = (await pdp.post(EVALUATION, { subject: alice, action: { name: 'toggle' }, resource: { type: 'flag', id: 'f' } })).json as Decision;
  t.match(
    flag,
    { decision: false, context: { reason_admin: { MALFORMED_DECISION: /not a decision document/ } } },
    'a bare boolean is not a decision document: fail closed',
  );
  const other = (await pdp.post(EVALUATION, { subject: alice, action: { name: 'read' }, resource: { type: 'flag', id: 'f' } })).json as Decision;
  t.equal(other.decision, true, 'action.name does not match the flag rule: the default decision document answers');

  const moved = await startAuthzen({ bundleDir, env: { PDP_AUTHZEN_DECISION: 'billing/decision' } });
  t.teardown(() => moved.close());
  t.match((await moved.post(EVALUATION, { subject: alice, action: read, resource: doc1 })).json, {
    decision: false,
    context: { reason_admin: { BILLING: 'BILLING' } },
  });

  const none = await startAuthzen({ bundleDir, env: { PDP_AUTHZEN_DECISION: 'authzen/nothing_here' } });
  t.teardown(() => none.close());
  t.match((await none.post(EVALUATION, { subject: alice, action: read, resource: doc1 })).json, {
    decision: false,
    context: { reason_admin: { POLICY_UNDEFINED: 'policy produced no decision at data.authzen.nothing_here' } },
  });
});

t.test('each evaluation: a decision record (kind authzen, masked), a span, the cache, metrics by endpoint', async (t) => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const config = testConfig({
    PDP_BUNDLE_PATH: bundleDir,
    PDP_BUNDLE_NAME: 'test',
    PDP_BUNDLE_WATCH: 'false',
    PDP_CACHE_ENABLED: 'true',
  });
  const server = await startServer(config, { tracer: provider.getTracer('test') });
  t.teardown(() => server.close());
  const body = { subject: { ...alice, properties: { ssn: '123-45-6789', team: 'blue' } }, action: read, resource: doc1 };

  const first = (await postJson(server.url + EVALUATION, body)).json as Decision;
  const second = (await postJson(server.url + EVALUATION, body)).json as Decision;
  t.not(first.context?.decision_id, second.context?.decision_id, 'a decision id per request, cached or not');

  const record = (await send(`${server.url}/v1/decisions/${String(first.context?.decision_id)}`)).json as Record<string, unknown>;
  t.match(record, {
    decision_id: first.context?.decision_id,
    kind: 'authzen',
    path: 'authzen/decision',
    outcome: 'decided',
    cached: false,
    allow: true,
    obligations: [{ type: 'log_access' }],
  });
  t.same((record.input as { subject: unknown }).subject, { type: 'user', id: 'alice', properties: { team: 'blue' } }, "the bundle's mask erased the ssn");
  t.notMatch(JSON.stringify(record), /123-45-6789/, 'the masked value is nowhere in the record');
  const again = (await send(`${server.url}/v1/decisions/${String(second.context?.decision_id)}`)).json as Record<string, unknown>;
  t.match(again, { cached: true, cache_tier: 'memory' }, 'the second one is answered by the decision cache');

  const spans = exporter.getFinishedSpans().filter((s) => s.name === 'pdp.decision');
  const ids = spans.map((s) => s.attributes['pdp.decision_id']);
  t.ok(ids.includes(first.context?.decision_id as string) && ids.includes(second.context?.decision_id as string), 'one pdp.decision span per evaluation');
  t.equal(spans.find((s) => s.attributes['pdp.decision_id'] === first.context?.decision_id)?.attributes['pdp.kind'], 'authzen');

  // A batch of three: three decisions, each its own record.
  const batch = (
    await postJson(server.url + EVALUATIONS, {
      subject: alice,
      action: read,
      evaluations: [{ resource: doc1 }, { resource: { type: 'document', id: 'doc-2' } }, { resource: doc1 }],
    })
  ).json as { evaluations: Decision[] };
  const batchIds = batch.evaluations.map((d) => d.context?.decision_id);
  t.equal(new Set(batchIds).size, 3, 'a decision id per item');
  for (const id of batchIds) t.equal((await send(`${server.url}/v1/decisions/${String(id)}`)).status, 200, `record ${String(id)}`);

  const metrics = (await send(`${server.url}/metrics`)).text;
  t.match(metrics, /pdp_authzen_requests_total\{endpoint="\/access\/v1\/evaluation",status="200"\} 2/);
  t.match(metrics, /pdp_authzen_requests_total\{endpoint="\/access\/v1\/evaluations",status="200"\} 1/);
  t.match(metrics, /pdp_decisions_total\{path="authzen\/decision",outcome="allow"\} 5/);
  await postJson(server.url + EVALUATION, { subject: alice });
  t.match(
    (await send(`${server.url}/metrics`)).text,
    /pdp_authzen_requests_total\{endpoint="\/access\/v1\/evaluation",status="400"\} 1/,
    'refusals are counted too',
  );
});

t.test('no active policy: 503 NO_ACTIVE_POLICY, not a decision', async (t) => {
  const empty = writeBundle({ '.manifest': JSON.stringify({ revision: 'x', roots: ['authzen'] }), 'authzen/broken.rego': 'package authzen\n\ndecision := {' });
  const config = testConfig({ PDP_BUNDLE_PATH: empty, PDP_BUNDLE_WATCH: 'false' });
  // A bundle that does not compile never activates: the server runs with no active policy.
  const server = await startServer(config);
  t.teardown(() => server.close());
  const r = await postJson(server.url + EVALUATION, { subject: alice, action: read, resource: doc1 });
  t.equal(r.status, 503);
  t.match(r.json, { error: { code: 'NO_ACTIVE_POLICY' } });
  const b = await postJson(server.url + EVALUATIONS, { subject: alice, action: read, evaluations: [{ resource: doc1 }] });
  t.equal(b.status, 503);
  const s = await postJson(server.url + '/access/v1/search/subject', { subject: { type: 'user' }, action: read, resource: doc1 });
  t.equal(s.status, 503);
});

// A search re-evaluates every candidate in turn, a short-circuit batch every item until it stops:
// those steps must not each wait for a turn of the event loop (src/decisions/evaluation-batch.ts),
// which under load would put every other request's work between two steps. In-process server:
// the loop's check phases are counted while one request runs.
t.test('searches and short-circuit batches do not cost a turn of the event loop per step', async (t) => {
  const dir = writeBundle({
    '.manifest': JSON.stringify({ revision: 'seq-1', roots: ['authzen'] }),
    'authzen/policy.rego': `package authzen

decision := {"allow": startswith(input.resource.id, "doc-")}

candidates := {"resource": {"document": [sprintf("doc-%d", [i]) | some i in numbers.range(0, 199)]}}
`,
  });
  const server = await startServer(testConfig({ PDP_BUNDLE_PATH: dir, PDP_BUNDLE_NAME: 'seq', PDP_BUNDLE_WATCH: 'false', PDP_CACHE_ENABLED: 'false' }));
  t.teardown(() => server.close());
  const search = await turnsDuring(async () =>
    postJson(server.url + '/access/v1/search/resource', { subject: { type: 'user', id: 'u' }, action: { name: 'read' }, resource: { type: 'document' } }),
  );
  const found = (search.result as { status: number; json: { results: unknown[] } }).json.results;
  t.equal(found.length, 200, 'every candidate was evaluated and allowed');
  t.ok(search.turns < 50, `200 candidates took ${search.turns} turns of the loop`);

  // 99 denied items, then a permitted one: the default limit is 100 items per request.
  const items = Array.from({ length: 99 }, (_, i) => ({ resource: { type: 'document', id: `x-${i}` } }));
  const batch = await turnsDuring(async () =>
    postJson(server.url + EVALUATIONS, {
      subject: { type: 'user', id: 'u' },
      action: { name: 'read' },
      options: { evaluations_semantic: 'permit_on_first_permit' },
      evaluations: [...items, { resource: { type: 'document', id: 'doc-1' } }],
    }),
  );
  const evaluations = (batch.result as { json: { evaluations: Decision[] } }).json.evaluations;
  t.equal(evaluations.length, 100, 'every item up to the first permit');
  t.equal(evaluations[99]?.decision, true);
  t.ok(batch.turns < 30, `100 sequential items took ${batch.turns} turns of the loop`);
});
