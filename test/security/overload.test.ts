// Overload and abuse of volume (issue "Trust II"): load shedding answers at once with 503 and a
// deny instead of queueing, per-caller rate limits keyed by the authenticated caller, and every
// 5xx of a decision route says allow:false.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { DecisionPipeline } from '../../src/decisions/pipeline.js';
import { buildApp, serve } from '../../src/server.js';
import { makeApiKeys } from '../helpers/auth.js';
import { testConfig } from '../helpers/config.js';
import { inject, injectJson, postJson, type HttpResult } from '../helpers/http.js';

const example = JSON.parse(readFileSync(new URL('../../examples/tool-call/analytics-select.allow.json', import.meta.url), 'utf8')) as unknown;

interface Body {
  allow?: boolean;
  error?: { code: string };
}

t.test('over the heap bound, decision routes answer 503 OVERLOADED with allow:false at once; health and readiness still answer', async (t) => {
  // A 1-byte heap bound is always exceeded: the state an overloaded process is in.
  const app = buildApp(testConfig({ PDP_SHED_HEAP_USED_BYTES: '1' }));
  await app.ready();
  t.teardown(() => app.close());
  let r = await injectJson(app, '/v1/decisions/tool-call', example);
  // under-pressure samples the heap once a second; before the first sample it has no reading.
  for (let i = 0; i < 40 && r.status !== 503; i++) {
    await new Promise((res) => setTimeout(res, 100));
    r = await injectJson(app, '/v1/decisions/tool-call', example);
  }
  t.equal(r.status, 503);
  t.equal((r.json as Body).allow, false, 'a client that reads only allow denies');
  t.equal((r.json as Body).error?.code, 'OVERLOADED');
  t.equal(r.headers['retry-after'], '1');
  const data = await inject(app, '/v1/data/ai/tools/decision');
  t.equal(data.status, 503, 'the Data API is shed too');
  t.notOk('allow' in (data.json as object), 'its error body is the plain error shape');
  t.equal((await inject(app, '/health')).status, 200);
  t.equal((await inject(app, '/ready')).status, 200);
});

t.test('rate limits are per authenticated caller: one caller over its limit does not limit another', async (t) => {
  const { keys, env } = makeApiKeys({ noisy: ['decide:tool-call'], quiet: ['decide:tool-call'] });
  const app = buildApp(testConfig({ PDP_AUTH_API_KEYS: env, PDP_RATE_LIMIT_MAX: '3', PDP_RATE_LIMIT_WINDOW_MS: '60000' }));
  await app.ready();
  t.teardown(() => app.close());
  const as = (who: string) => ({ authorization: `Bearer ${keys[who]}` });
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await injectJson(app, '/v1/decisions/tool-call', example, as('noisy'))).status);
  t.same(statuses, [200, 200, 200, 429, 429]);
  const limited = await injectJson(app, '/v1/decisions/tool-call', example, as('noisy'));
  t.equal((limited.json as Body).error?.code, 'RATE_LIMITED');
  t.ok(Number(limited.headers['retry-after']) >= 1, 'retry-after in seconds');
  t.equal((await injectJson(app, '/v1/decisions/tool-call', example, as('quiet'))).status, 200, 'another caller is not limited');
  t.equal((await inject(app, '/health')).status, 200, 'health is never limited');
});

t.test('while shutting down, a decision route answers 503 with allow:false', async (t) => {
  const app = buildApp(testConfig());
  // app.close() sets the closing flag first (the core's preClose hook), then runs this one while
  // the listener still accepts: a request made here meets the drain.
  let answered: HttpResult | undefined;
  app.addHook('preClose', async () => {
    answered = await postJson(`${s.url}/v1/decisions/tool-call`, example);
  });
  const s = await serve(app, testConfig());
  await s.close();
  t.equal(answered?.status, 503);
  t.equal((answered?.json as Body).allow, false);
  t.equal((answered?.json as Body).error?.code, 'SHUTTING_DOWN');
});

t.test('an internal error on a decision route is a 500 with allow:false', async (t) => {
  const app = buildApp(testConfig());
  app.addHook('preHandler', async (request) => {
    if (request.url.startsWith('/v1/decisions/')) throw new Error('a bug');
  });
  await app.ready();
  t.teardown(() => app.close());
  const r = await injectJson(app, '/v1/decisions/tool-call', example);
  t.equal(r.status, 500);
  t.same(r.json, { allow: false, error: { code: 'INTERNAL_ERROR', message: 'internal error', details: [] } });
});

t.test('the time budget counts from the request arrival: a request that spent it before evaluation is a deny', async (t) => {
  // A budget a cold first evaluation on a loaded CI machine stays well inside (50 ms did not, once).
  const app = buildApp(testConfig({ PDP_EVAL_TIMEOUT_MS: '2000' }));
  await app.ready();
  t.teardown(() => app.close());
  const pipeline: DecisionPipeline = app.pipeline;
  const query = { kind: 'tool-call', path: 'ai/tools/decision', input: example, strict: false } as const;
  const spent = await pipeline.decide({ ...query, receivedAt: performance.now() - 2100 });
  t.equal(spent.body.allow, false);
  t.match(spent.body.reasons, [{ code: 'EVALUATION_ERROR' }]);
  const fresh = await pipeline.decide({ ...query, receivedAt: performance.now() });
  t.equal(fresh.body.allow, true, 'the same request with its budget left is decided');
});
