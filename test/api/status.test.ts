// /health, /ready, /v1/status and the GET /v1/decisions/{id} extension point, over real HTTP.
import t from 'tap';
import { buildApp } from '../../src/api/app.js';
import type { DecisionLogReader, DecisionLogger, DecisionRecord } from '../../src/decisions/types.js';
import { postJson, send, startApp } from '../helpers/http.js';
import { JsEngine, JsPolicySet, SwappablePolicies } from '../helpers/js-engine.js';

t.test('/ready is 503 until a bundle is active, then 200; /health is 200 throughout', async (t) => {
  const policies = new SwappablePolicies('ai-governance');
  const s = await startApp({ policies });
  t.teardown(() => s.close());

  const before = await send(`${s.url}/ready`);
  t.equal(before.status, 503);
  t.equal((before.json as { error: { code: string } }).error.code, 'NOT_READY');
  t.equal((await send(`${s.url}/health`)).status, 200);
  t.same((await send(`${s.url}/health`)).json, { status: 'ok' });

  const statusBefore = (await send(`${s.url}/v1/status`)).json as { ready: boolean; bundles: { revision: string | null }[] };
  t.equal(statusBefore.ready, false);
  t.equal(statusBefore.bundles[0]?.revision, null);

  policies.activate(new JsPolicySet(new JsEngine({}), { 'ai-governance': 'rev-7' }));
  const after = await send(`${s.url}/ready`);
  t.equal(after.status, 200);
  t.same(after.json, { status: 'ready' });
  t.equal((await send(`${s.url}/health`)).status, 200);
});

t.test('/v1/status lists bundles and registered sections; a failing section does not hide the rest', async (t) => {
  const policies = new SwappablePolicies('ai-governance');
  policies.activate(new JsPolicySet(new JsEngine({}), { 'ai-governance': 'rev-7' }));
  const s = await startApp({
    policies,
    statusSections: {
      cache: () => ({ enabled: false }),
      broken: () => {
        throw new Error('section failed');
      },
    },
  });
  t.teardown(() => s.close());
  const r = await send(`${s.url}/v1/status`);
  t.equal(r.status, 200);
  const body = r.json as Record<string, unknown> & { bundles: Record<string, unknown>[] };
  t.equal(body.ready, true);
  t.equal(body.bundles.length, 1);
  t.match(body.bundles[0], { name: 'ai-governance', revision: 'rev-7', engine: 'rego', last_error: null });
  t.type(body.bundles[0]?.activated_at, 'string');
  t.same(body.cache, { enabled: false });
  t.same(body.broken, { error: 'section failed' });
});

t.test('status section names may not shadow the core fields', async (t) => {
  t.throws(() => buildApp({ policies: new SwappablePolicies(), statusSections: { bundles: () => 1 } }), /reserved/);
});

t.test('GET /v1/decisions/{id}: 404 DECISION_LOG_UNAVAILABLE without a log; the record with one', async (t) => {
  const policies = new SwappablePolicies();
  policies.activate(new JsPolicySet(new JsEngine({ 'ai/tools/decision': () => ({ allow: true }) }), { 'test-bundle': 'r1' }));

  const none = await startApp({ policies });
  t.teardown(() => none.close());
  const r = await send(`${none.url}/v1/decisions/0b7c6c1e-0000-4000-8000-000000000000`);
  t.equal(r.status, 404);
  t.equal((r.json as { error: { code: string } }).error.code, 'DECISION_LOG_UNAVAILABLE');

  // The smallest real log: a map filled by the pipeline's logger, read by the route.
  const records = new Map<string, DecisionRecord>();
  const logger: DecisionLogger = { log: (rec) => void records.set(rec.decision_id, rec) };
  const reader: DecisionLogReader = { get: (id) => records.get(id) };
  const withLog = await startApp({ policies, decisionLogger: logger, decisionLogReader: reader });
  t.teardown(() => withLog.close());
  const decided = await postJson(`${withLog.url}/v1/decisions/tool-call`, { agent: { id: 'a' }, tool: { name: 't' } });
  const id = (decided.json as { decision_id: string }).decision_id;
  const got = await send(`${withLog.url}/v1/decisions/${id}`);
  t.equal(got.status, 200);
  t.match(got.json, { decision_id: id, kind: 'tool-call', path: 'ai/tools/decision', outcome: 'decided', bundles: { 'test-bundle': 'r1' }, decision: { allow: true } });
  const missing = await send(`${withLog.url}/v1/decisions/not-a-logged-id`);
  t.equal(missing.status, 404);
  t.equal((missing.json as { error: { code: string } }).error.code, 'DECISION_NOT_FOUND');
});
