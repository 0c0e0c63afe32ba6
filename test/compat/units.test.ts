// The OPA compatibility parts on their own: the error mapping, the query parameters, path
// resolution into arrays, ad-hoc queries where the policy set cannot answer them, and the health
// and status forms with a failing plugin or no bundle — the branches the end-to-end files do not
// reach.
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { performance } from 'node:perf_hooks';
import { ApiError } from '../../src/api/errors.js';
import { opaCodeOf, toOpaBody } from '../../src/api/opa-errors.js';
import { flag, parseOpaParams } from '../../src/api/opa/params.js';
import { PolicySet } from '../../src/bundles/policy-set.js';
import { DecisionPipeline } from '../../src/decisions/pipeline.js';
import { resolveRemaining } from '../../src/engines/path.js';
import { RegoEngine } from '../../src/engines/rego.js';
import { inject, injectApp } from '../helpers/http.js';
import { JsEngine, JsPolicySet, SwappablePolicies } from '../helpers/js-engine.js';

t.test("toOpaBody: OPA's codes, errors from details, the decision id kept", async (t) => {
  t.same(toOpaBody(new ApiError(400, 'INVALID_REQUEST', 'bad', [{ path: '/input', message: 'must be object' }])), {
    code: 'invalid_parameter',
    message: 'bad',
    errors: [{ code: 'invalid_parameter', message: '/input: must be object' }],
  });
  t.same(toOpaBody(new ApiError(401, 'UNAUTHENTICATED', 'who', [{ path: '', message: 'missing_credentials' }])), {
    code: 'unauthorized',
    message: 'who',
    errors: [{ code: 'unauthorized', message: 'missing_credentials' }],
  });
  t.same(toOpaBody(new ApiError(500, 'EVALUATION_ERROR', 'x', [], 'd-1')), { code: 'internal_error', message: 'x', decision_id: 'd-1' });
  t.equal(opaCodeOf(new ApiError(429, 'RATE_LIMITED', 'slow down')), 'rate_limited', 'no OPA word: the service code, lower case');
  const own = new ApiError(404, 'NOT_FOUND', 'undefined');
  own.opa = { code: 'undefined_document' };
  t.equal(toOpaBody(own).code, 'undefined_document', 'an explicit OPA code wins');
});

t.test('parseOpaParams: flags, explain, input', async (t) => {
  t.equal(flag(undefined), false);
  t.equal(flag(''), true, '?pretty');
  t.equal(flag('false'), false);
  t.equal(flag('0'), false);
  t.equal(flag(['false', 'true']), true, 'the last of repeated values');
  const p = parseOpaParams({ pretty: '', provenance: 'true', metrics: 'false', explain: 'off' }, JSON.parse);
  t.same(p, { pretty: true, strict: false, provenance: true, metrics: false, instrument: false }, 'explain=off is no explain');
  t.match(parseOpaParams({ instrument: '', metrics: 'false' }, JSON.parse), { metrics: true, instrument: true }, 'instrument implies metrics');
  t.equal(parseOpaParams({ explain: ['notes', 'fails'] }, JSON.parse).explain, 'fails');
  t.throws(() => parseOpaParams({ explain: 'verbose' }, JSON.parse), /explain must be one of/);
  t.throws(() => parseOpaParams({ explain: {} }, JSON.parse), /explain must be one of/, 'a nested value (qs objects)');
  t.throws(() => parseOpaParams({ input: { a: '1' } }, JSON.parse), /one URL-encoded JSON value/, 'input[a]=1 is not JSON');
  const withInput = parseOpaParams({ input: '{"a":1}' }, JSON.parse);
  t.same(withInput.input, { value: { a: 1 } });
  t.type(withInput.inputParseNs, 'number');
});

t.test('resolveRemaining: objects by key, arrays by integer index', async (t) => {
  const doc = { a: [{ b: 'x' }, 2], n: null };
  t.same(resolveRemaining(doc, ['a', '0', 'b']), { value: 'x' });
  t.same(resolveRemaining(doc, ['a', '1']), { value: 2 });
  t.same(resolveRemaining(doc, []), { value: doc });
  t.equal(resolveRemaining(doc, ['a', '2']), undefined, 'past the end');
  t.equal(resolveRemaining(doc, ['a', '-1']), undefined, 'negative');
  t.equal(resolveRemaining(doc, ['a', 'b']), undefined, 'a key on an array');
  t.equal(resolveRemaining(doc, ['n', 'x']), undefined, 'below null');
  t.equal(resolveRemaining(doc, ['toString']), undefined, 'inherited properties are not documents');
});

t.test('the Rego engine: array indexes in paths, ad-hoc queries, its modules', async (t) => {
  const engine = RegoEngine.compile([{ file: 'b/p.rego', source: 'package p\n\nxs := [{"k": 1}, {"k": 2}] if true\n\nobj := {"0": "key"}\n' }], {
    list: [10, 20],
  });
  t.match(engine.evaluate('p/xs/1/k', undefined), { ok: true, defined: true, result: 2 }, 'into a rule value');
  t.match(engine.evaluate('list/0', undefined), { ok: true, defined: true, result: 10 }, 'into base data');
  t.match(engine.evaluate('p/obj/0', undefined), { ok: true, defined: true, result: 'key' }, 'an object key "0" is a key');
  t.match(engine.evaluate('list/9', undefined), { ok: true, defined: false });
  t.match(engine.evaluate('nothing/0', undefined), { ok: true, defined: false }, 'nothing at the prefix');
  t.match(engine.query('x := data.list[_]', undefined), { ok: true, rows: [{ x: 10 }, { x: 20 }] });
  t.match(engine.query('x := input.a', { a: 'in' }), { ok: true, rows: [{ x: 'in' }] });
  t.match(engine.query('x := ', undefined), { ok: false, code: 'rego_parse_error' });
  t.match(engine.query('x := 1 / 0', undefined, { strict: true }), { ok: false });
  t.match(engine.policies(), [{ id: 'b/p.rego', raw: /^package p/, ast: { package: Object, rules: Array } }]);
  t.equal(engine.policies(), engine.policies(), 'made once');
});

t.test('ad-hoc queries: no policy, a policy set that cannot query, the budget spent', async (t) => {
  const none = new DecisionPipeline({ policies: { current: () => null }, evaluation: {} });
  t.match(await none.adhoc({ query: 'x := 1', input: undefined, strict: false }), { ok: false, kind: 'no_policy' });
  const js = new DecisionPipeline({ policies: { current: () => new JsPolicySet(new JsEngine({}), { b: 'r' }) }, evaluation: {} });
  t.match(await js.adhoc({ query: 'x := 1', input: undefined, strict: false }), { ok: false, code: 'query_unsupported', kind: 'error' });
  const wasmOnly = new PolicySet([{ name: 'w', roots: [''], revision: 'r', digest: 'd', engine: new JsEngine({}) }]);
  t.match(wasmOnly.query('x := 1', undefined), { ok: false, code: 'query_unsupported' }, 'no engine that keeps source');
  t.same(wasmOnly.policies(), [], 'and no modules to list');
  const rego = RegoEngine.compile([{ file: 'p.rego', source: 'package p\n\nq := 1\n' }], {});
  const set = new PolicySet([
    { name: 'a', roots: ['p'], revision: 'r', digest: 'd', engine: rego },
    { name: 'b', roots: ['q'], revision: 'r', digest: 'd', engine: rego },
  ]);
  t.equal(set.policies().length, 1, 'one engine shared by two bundles lists its modules once');
  const spent = new DecisionPipeline({ policies: { current: () => set }, evaluation: { timeoutMs: 5 } });
  t.match(await spent.adhoc({ query: 'x := 1', input: undefined, strict: false, receivedAt: performance.now() - 10 }), {
    ok: false,
    code: 'eval_budget_exceeded',
  });
  const throwing = new DecisionPipeline({
    policies: {
      current: () =>
        Object.assign(new JsPolicySet(new JsEngine({}), {}), {
          query: () => {
            throw new Error('bug');
          },
        }),
    },
    evaluation: {},
  });
  t.match(await throwing.adhoc({ query: 'x := 1', input: undefined, strict: false }), { ok: false, code: 'internal_error', message: /bug/ });
});

t.test('health and status forms: no bundle, a failing plugin, exclude-plugin', async (t) => {
  const policies = new SwappablePolicies('main');
  const recorded: string[] = [];
  const app = await injectApp({
    policies,
    setup: (a) =>
      void a.register(async (instance: FastifyInstance) => {
        instance.status.add('broken', () => {
          throw new Error('down');
        });
        instance.pipeline.addRecorder({ log: (r) => void recorded.push(r.path) });
      }),
  });
  t.teardown(() => app.close());
  t.equal((await inject(app, '/health')).status, 200, 'alive');
  t.equal((await inject(app, '/health?bundles')).status, 500, 'no bundle yet');
  t.equal((await inject(app, '/health/ready')).status, 500, 'not ready (no system.health.ready, no bundle)');
  t.equal((await inject(app, '/health/live')).status, 200, 'live before any bundle: a pod is not restarted for a bundle it cannot fetch yet');
  t.equal((await inject(app, '/health/custom')).status, 500, 'a custom check before any bundle is unhealthy');
  t.match((await inject(app, '/v1/status')).json, {
    result: { plugins: { bundle: { state: 'NOT_READY' }, broken: { state: 'ERROR' } }, bundles: { main: { name: 'main' } } },
  });
  policies.activate(new JsPolicySet(new JsEngine({}), { main: 'r1' }));
  t.equal((await inject(app, '/health?bundles')).status, 200, 'bundle active');
  const plugins = await inject(app, '/health?plugins');
  t.equal(plugins.status, 500, 'a plugin in ERROR');
  t.match(plugins.json, { code: 'internal_error', message: /broken/ });
  t.equal((await inject(app, '/health?plugins&exclude-plugin=broken')).status, 200, 'excluded');
  t.equal((await inject(app, '/health/live')).status, 200, 'live without a rule');
  t.equal((await inject(app, '/health/ready')).status, 200, 'ready without a rule: bundles active');
  t.equal((await inject(app, '/health/other')).status, 500, 'an undefined custom check is unhealthy');
  t.equal((await inject(app, '/health/live/deeper')).status, 500, 'only the one-segment built-ins have defaults');
  t.match((await inject(app, '/v1/data/x')).json, { decision_id: String }, 'data still answers');
  await new Promise((r) => setImmediate(r));
  t.same(recorded, ['x'], 'health checks are not decisions: only the Data API query was recorded');
});
