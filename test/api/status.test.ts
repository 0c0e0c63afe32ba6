// /health, /ready, /v1/pdp/status (with the sections plugins add) through app.inject(); GET
// /v1/decisions/{id} over a real socket (see that test for why).
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import type { DecisionRecord } from '../../src/decisions/types.js';
import { inject, injectApp, postJson, send, startApp } from '../helpers/http.js';
import { JsEngine, JsPolicySet, SwappablePolicies } from '../helpers/js-engine.js';

t.test('/ready is 503 until a bundle is active, then 200; /health is 200 throughout', async (t) => {
  const policies = new SwappablePolicies('ai-governance');
  const app = await injectApp({ policies });
  t.teardown(() => app.close());

  const before = await inject(app, '/ready');
  t.equal(before.status, 503);
  t.equal((before.json as { error: { code: string } }).error.code, 'NOT_READY');
  t.equal((await inject(app, '/health')).status, 200);
  t.same((await inject(app, '/health')).json, {}, "OPA's body");
  // OPA's readiness form: 500 until the bundles are active (the "Why" row of issue 15: it said 200).
  const bundlesBefore = await inject(app, '/health?bundles');
  t.equal(bundlesBefore.status, 500);
  t.match(bundlesBefore.json, { code: 'internal_error', message: /bundles/ });

  const statusBefore = (await inject(app, '/v1/pdp/status')).json as { ready: boolean; bundles: { revision: string | null }[] };
  t.equal(statusBefore.ready, false);
  t.equal(statusBefore.bundles[0]?.revision, null);

  policies.activate(new JsPolicySet(new JsEngine({}), { 'ai-governance': 'rev-7' }));
  const after = await inject(app, '/ready');
  t.equal(after.status, 200);
  t.same(after.json, { status: 'ready' });
  t.equal((await inject(app, '/health')).status, 200);
  t.equal((await inject(app, '/health?bundles')).status, 200, 'bundles active');
});

t.test('/v1/pdp/status lists bundles and the sections plugins added; a failing section does not hide the rest', async (t) => {
  const policies = new SwappablePolicies('ai-governance');
  policies.activate(new JsPolicySet(new JsEngine({}), { 'ai-governance': 'rev-7' }));
  const app = await injectApp({
    policies,
    // A test's own plugin adds sections, as the cache / decision-log / tracing plugins do.
    setup: (a) =>
      void a.register(async (instance: FastifyInstance) => {
        instance.status.add('extra', () => ({ enabled: false }));
        instance.status.add('broken', () => {
          throw new Error('section failed');
        });
      }),
  });
  t.teardown(() => app.close());
  const r = await inject(app, '/v1/pdp/status');
  t.equal(r.status, 200);
  const body = r.json as Record<string, unknown> & { bundles: Record<string, unknown>[] };
  t.equal(body.ready, true);
  t.equal(body.bundles.length, 1);
  t.match(body.bundles[0], { name: 'ai-governance', revision: 'rev-7', engine: 'rego', last_error: null });
  t.type(body.bundles[0]?.activated_at, 'string');
  t.same(body.extra, { enabled: false });
  t.same(body.broken, { error: 'section failed' });
  // The built-in sections are there too, next to the failing one.
  t.same(body.cache, { enabled: false, redis: 'disabled' }, 'cache off (the test default), no Redis');
  t.match(body.decision_log, { store: { entries: Number } }, 'the decision log: the in-memory store');
  t.same((body.decision_log as { sinks: unknown[] }).sinks, [], 'and no sinks (stdout off in tests, no Redis, no upload URL)');
  t.match(body.tracing, { export: String });
  t.same(body.workers, { count: 1, answered_by: { id: 0, pid: process.pid } }, 'one process, no cluster (server.workers 1 or buildApp)');
});

t.test('status section names may not shadow the core fields or another section', async (t) => {
  for (const name of ['bundles', 'ready', 'cache']) {
    await t.rejects(
      injectApp({
        policies: new SwappablePolicies(),
        setup: (a) => void a.register(async (instance: FastifyInstance) => instance.status.add(name, () => 1)),
      }),
      { message: /is taken/ },
      name,
    );
  }
});

// Over a real socket: the record is written right after the answer (on the next event-loop turn),
// and what this checks is that a client reading its decision back after the answer arrived finds
// it. app.inject() would issue the lookup in the same turn as the answer, before the record is
// written, which no network client can do.
t.test('GET /v1/decisions/{id}: the logged record (in-memory store, no Redis needed); 404 for an unknown id', async (t) => {
  const policies = new SwappablePolicies();
  policies.activate(new JsPolicySet(new JsEngine({ 'ai/tools/decision': () => ({ allow: true }) }), { 'test-bundle': 'r1' }));
  // A recorder of our own sees the same pipeline record the decision log gets.
  const recorded: DecisionRecord[] = [];
  const s = await startApp({
    policies,
    setup: (a) => void a.register(async (instance: FastifyInstance) => instance.pipeline.addRecorder({ log: (rec) => void recorded.push(rec) })),
  });
  t.teardown(() => s.close());

  const unknown = await send(`${s.url}/v1/decisions/0b7c6c1e-0000-4000-8000-000000000000`);
  t.equal(unknown.status, 404);
  t.equal((unknown.json as { error: { code: string } }).error.code, 'DECISION_NOT_FOUND');

  const decided = await postJson(`${s.url}/v1/decisions/tool-call`, { agent: { id: 'a' }, tool: { name: 't' } });
  t.equal(decided.status, 200);
  const id = (decided.json as { decision_id: string }).decision_id;
  const got = await send(`${s.url}/v1/decisions/${id}`);
  t.equal(got.status, 200);
  t.match(got.json, {
    decision_id: id,
    kind: 'tool-call',
    path: 'ai/tools/decision',
    outcome: 'decided',
    allow: true,
    bundles: { 'test-bundle': { revision: 'r1' } },
    input: { agent: { id: 'a' }, tool: { name: 't' } },
  });
  t.equal(recorded.length, 1, 'one record per decision');
  t.match(recorded[0], { decision_id: id, kind: 'tool-call', outcome: 'decided', decision: { allow: true }, bundles: { 'test-bundle': 'r1' } });

  const missing = await send(`${s.url}/v1/decisions/not-a-logged-id`);
  t.equal(missing.status, 404);
  t.equal((missing.json as { error: { code: string } }).error.code, 'DECISION_NOT_FOUND');
});

// Records are made after the answers (an answer from an evaluation batch is written in a check
// phase, its record in the next one): the lookup route has the pipeline hand over pending records
// first. inject() issues the lookup in the very turn the answer was made, so without that it
// would be a 404.
t.test('GET /v1/decisions/{id} issued in the same turn as the answer finds the record', async (t) => {
  const policies = new SwappablePolicies();
  policies.activate(new JsPolicySet(new JsEngine({ 'ai/tools/decision': () => ({ allow: true }) }), { 'test-bundle': 'r1' }));
  const app = await injectApp({ policies });
  t.teardown(() => app.close());
  const decided = await app.inject({ method: 'POST', url: '/v1/decisions/tool-call', payload: { agent: { id: 'a' }, tool: { name: 't' } } });
  t.equal(decided.statusCode, 200);
  const id = (decided.json() as { decision_id: string }).decision_id;
  const got = await app.inject({ method: 'GET', url: `/v1/decisions/${id}` });
  t.equal(got.statusCode, 200, got.body);
  t.match(got.json(), { decision_id: id, outcome: 'decided', allow: true });
});

// Many decisions in flight at once over real sockets form evaluation batches; each client reads
// its record back the moment its answer arrives.
t.test('concurrent decisions over real sockets: every answer is found by a lookup that follows it', async (t) => {
  const policies = new SwappablePolicies();
  policies.activate(
    new JsPolicySet(new JsEngine({ 'ai/tools/decision': (input) => ({ allow: (input as { n: number }).n % 2 === 0 }) }), { 'test-bundle': 'r1' }),
  );
  const s = await startApp({ policies });
  t.teardown(() => s.close());
  const rounds = await Promise.all(
    Array.from({ length: 40 }, async (_, n) => {
      const decided = await postJson(`${s.url}/v1/decisions/tool-call`, { agent: { id: `a${n}` }, tool: { name: 't' }, n });
      const body = decided.json as { decision_id: string; allow: boolean };
      const got = await send(`${s.url}/v1/decisions/${body.decision_id}`);
      return { n, status: decided.status, allow: body.allow, lookup: got.status, record: got.json as { input?: { n?: number }; allow?: boolean } };
    }),
  );
  for (const r of rounds) {
    t.equal(r.status, 200);
    t.equal(r.allow, r.n % 2 === 0, `decision ${r.n} answered for its own input`);
    t.equal(r.lookup, 200, `decision ${r.n} found right after its answer`);
    t.equal(r.record.allow, r.allow, `record ${r.n} holds its own decision`);
  }
});
