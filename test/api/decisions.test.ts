// Decision semantics as route contracts through app.inject(): the answer's shape, and
// fail-closed for every way the policy can fail to give a usable decision.
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { injectApp, injectJson } from '../helpers/http.js';
import { EvalFailure, JsEngine, JsPolicySet, SwappablePolicies, jsPolicies } from '../helpers/js-engine.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TOOL_BODY = { agent: { id: 'support-bot' }, tool: { name: 'send_email' }, arguments: { to: 'a@example.com' } };
const DEPLOY_BODY = { model: { name: 'fraud-scorer', version: '3.2.0' }, deployment: { environment: 'prod' } };

interface Answer {
  decision_id: string;
  allow: boolean;
  reasons: { code: string; message?: string; [k: string]: unknown }[];
  obligations: unknown[];
  exceptions_applied: unknown[];
  policy: { path: string; bundles: Record<string, string> };
  cached: boolean;
  trace_id?: string;
}

async function decide(pdp: FastifyInstance, url: string, body: unknown): Promise<{ status: number; answer: Answer }> {
  const r = await injectJson(pdp, url, body);
  return { status: r.status, answer: r.json as Answer };
}

t.test('a well-formed decision is passed through with id, policy path and revisions', async (t) => {
  let seen: unknown;
  const policies = jsPolicies(
    {
      'ai/tools/decision': (input) => {
        seen = input;
        return {
          allow: true,
          reasons: [{ code: 'TOOL_ALLOWED', control: 'AIGOV-TOOL-01', message: 'ok', extra: { n: 1 } }],
          obligations: [{ type: 'redact', paths: ['/arguments/body'] }],
          exceptions_applied: [{ id: 'EXC-1', control: 'AIGOV-TOOL-03', expires_at: '2027-01-01T00:00:00Z' }],
          ignored_extra_field: true,
        };
      },
    },
    'rev-42',
    'ai-governance',
  );
  const app = await injectApp({ policies });
  t.teardown(() => app.close());

  const { status, answer } = await decide(app, `/v1/decisions/tool-call`, TOOL_BODY);
  t.equal(status, 200);
  t.match(answer.decision_id, UUID);
  t.same(answer, {
    decision_id: answer.decision_id,
    allow: true,
    reasons: [{ code: 'TOOL_ALLOWED', control: 'AIGOV-TOOL-01', message: 'ok', extra: { n: 1 } }],
    obligations: [{ type: 'redact', paths: ['/arguments/body'] }],
    exceptions_applied: [{ id: 'EXC-1', control: 'AIGOV-TOOL-03', expires_at: '2027-01-01T00:00:00Z' }],
    policy: { path: 'ai/tools/decision', bundles: { 'ai-governance': 'rev-42' } },
    cached: false,
  });
  t.notOk('trace_id' in answer, 'no trace_id while tracing is off');
  t.same(seen, TOOL_BODY, 'the policy sees the body as sent');

  const second = await decide(app, `/v1/decisions/tool-call`, TOOL_BODY);
  t.not(second.answer.decision_id, answer.decision_id, 'every decision gets its own id');
});

t.test('each endpoint evaluates its own document', async (t) => {
  const policies = jsPolicies({
    'ai/deployment/decision': () => ({ allow: false, reasons: [{ code: 'FROM_DEPLOYMENT' }] }),
    'ai/tools/decision': () => ({ allow: false, reasons: [{ code: 'FROM_TOOLS' }] }),
  });
  const app = await injectApp({ policies });
  t.teardown(() => app.close());
  const d = await decide(app, `/v1/decisions/model-deployment`, DEPLOY_BODY);
  t.equal(d.status, 200, 'a decided deny is a 200');
  t.equal(d.answer.reasons[0]?.code, 'FROM_DEPLOYMENT');
  t.equal(d.answer.policy.path, 'ai/deployment/decision');
  const c = await decide(app, `/v1/decisions/tool-call`, TOOL_BODY);
  t.equal(c.answer.reasons[0]?.code, 'FROM_TOOLS');
  t.equal(c.answer.policy.path, 'ai/tools/decision');
});

t.test('fail closed', async (t) => {
  const docs: Record<string, (input: unknown) => unknown> = {};
  const policies = jsPolicies({ 'ai/tools/decision': (input) => docs[(input as { tool: { name: string } }).tool.name]?.(input) });
  const app = await injectApp({ policies });
  t.teardown(() => app.close());
  const ask = (name: string) => decide(app, `/v1/decisions/tool-call`, { agent: { id: 'a' }, tool: { name } });

  t.test('undefined → deny POLICY_UNDEFINED', async (t) => {
    const { status, answer } = await ask('nothing-defined');
    t.equal(status, 200);
    t.equal(answer.allow, false);
    t.same(
      answer.reasons.map((r) => r.code),
      ['POLICY_UNDEFINED'],
    );
    t.match(answer.reasons[0]?.message, 'data.ai.tools.decision');
    t.same(answer.obligations, []);
    t.same(answer.exceptions_applied, []);
  });

  t.test('engine error / budget exceeded → deny EVALUATION_ERROR with the engine code', async (t) => {
    docs.conflict = () => {
      throw new EvalFailure('eval_conflict_error', 'complete rules must not produce multiple outputs');
    };
    docs.budget = () => {
      throw new EvalFailure('eval_budget_exceeded', 'step budget of 1000000 exceeded');
    };
    for (const [name, code] of [
      ['conflict', 'eval_conflict_error'],
      ['budget', 'eval_budget_exceeded'],
    ] as const) {
      const { status, answer } = await ask(name);
      t.equal(status, 200, name);
      t.equal(answer.allow, false);
      t.equal(answer.reasons[0]?.code, 'EVALUATION_ERROR');
      t.match(answer.reasons[0]?.message, code);
    }
  });

  t.test('an engine that throws instead of reporting → still a deny', async (t) => {
    const throwing = new SwappablePolicies();
    throwing.activate({
      revisions: { b: 'r' },
      engineFor: () => 'rego',
      evaluate: () => {
        throw new TypeError('engine bug');
      },
    });
    const app2 = await injectApp({ policies: throwing });
    t.teardown(() => app2.close());
    const { status, answer } = await decide(app2, `/v1/decisions/tool-call`, TOOL_BODY);
    t.equal(status, 200);
    t.equal(answer.allow, false);
    t.equal(answer.reasons[0]?.code, 'EVALUATION_ERROR');
    t.match(answer.reasons[0]?.message, 'engine bug');
  });

  t.test('not a decision document → deny MALFORMED_DECISION', async (t) => {
    const bad: Record<string, unknown> = {
      'allow-string': { allow: 'true' },
      'allow-missing': { reasons: [] },
      'not-object': true,
      array: [{ allow: true }],
      'reasons-not-array': { allow: true, reasons: 'fine' },
      'reason-without-code': { allow: true, reasons: [{ message: 'x' }] },
      'obligation-without-type': { allow: true, obligations: [{ reason: 'x' }] },
      'exception-without-id': { allow: true, exceptions_applied: [{ control: 'x' }] },
      'allow-number': { allow: 1 },
    };
    for (const [name, doc] of Object.entries(bad)) docs[name] = () => doc;
    for (const name of Object.keys(bad)) {
      const { status, answer } = await ask(name);
      t.equal(status, 200, name);
      t.equal(answer.allow, false, `${name}: deny`);
      t.same(
        answer.reasons.map((r) => r.code),
        ['MALFORMED_DECISION'],
        name,
      );
      t.same(answer.obligations, [], `${name}: no obligations from a malformed document`);
    }
  });

  t.test('an integer past 2^53 is never rounded: the decision is malformed (deny), not a crash', async (t) => {
    docs.bigint = () => ({ allow: true, reasons: [], obligations: [{ type: 'limit', limit: 12345678901234567890n }] });
    const { status, answer } = await ask('bigint');
    t.equal(status, 200);
    t.equal(answer.allow, false);
    t.same(
      answer.reasons.map((r) => r.code),
      ['MALFORMED_DECISION'],
    );
    t.match(answer.reasons[0]?.message, /beyond 2\^53/);
  });
});

t.test('no active policy → 503, and the body still says deny', async (t) => {
  const policies = new SwappablePolicies();
  const app = await injectApp({ policies });
  t.teardown(() => app.close());
  for (const [url, body] of [
    ['/v1/decisions/tool-call', TOOL_BODY],
    ['/v1/decisions/model-deployment', DEPLOY_BODY],
  ] as const) {
    const { status, answer } = await decide(app, url, body);
    t.equal(status, 503);
    t.equal(answer.allow, false);
    t.same(
      answer.reasons.map((r) => r.code),
      ['NO_ACTIVE_POLICY'],
    );
    t.match(answer.decision_id, UUID);
    t.same(answer.policy.bundles, {});
  }
  // Once a bundle activates, the same service decides.
  policies.activate(new JsPolicySet(new JsEngine({ 'ai/tools/decision': () => ({ allow: true }) }), { 'test-bundle': 'r1' }));
  const after = await decide(app, `/v1/decisions/tool-call`, TOOL_BODY);
  t.equal(after.status, 200);
  t.equal(after.answer.allow, true);
});

t.test('a swap between requests changes the revision reported', async (t) => {
  const policies = new SwappablePolicies('b');
  policies.activate(new JsPolicySet(new JsEngine({ 'ai/tools/decision': () => ({ allow: false }) }), { b: 'r1' }));
  const app = await injectApp({ policies });
  t.teardown(() => app.close());
  const one = await decide(app, `/v1/decisions/tool-call`, TOOL_BODY);
  policies.activate(new JsPolicySet(new JsEngine({ 'ai/tools/decision': () => ({ allow: true }) }), { b: 'r2' }));
  const two = await decide(app, `/v1/decisions/tool-call`, TOOL_BODY);
  t.same([one.answer.allow, one.answer.policy.bundles.b], [false, 'r1']);
  t.same([two.answer.allow, two.answer.policy.bundles.b], [true, 'r2']);
});
