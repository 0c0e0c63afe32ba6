// A compiled (opa-wasm) policy that never terminates (issue "Trust II"): evaluation ran on the
// main thread, so /health never answered again and SIGTERM was ignored. It now runs in a worker
// with a hard deadline: the evaluation fails at the deadline (a deny), the worker is replaced,
// and the process stays healthy and stoppable.
import t from 'tap';
import { startServer } from '../../src/server.js';
import { buildWasmFixture, FIXTURE_ENTRYPOINTS } from '../../scripts/build-wasm-fixture.mjs';
import { writeTree } from '../helpers/bundle-files.js';
import { testConfig } from '../helpers/config.js';
import { postJson, send } from '../helpers/http.js';

t.test('a non-terminating wasm entrypoint fails at the deadline; the service stays healthy', async (t) => {
  const dir = t.testdir();
  await writeTree(dir, {
    '.manifest': JSON.stringify({ revision: 'w1', roots: [''], wasm: FIXTURE_ENTRYPOINTS.map((entrypoint) => ({ entrypoint, module: '/policy.wasm' })) }),
    'policy.wasm': await buildWasmFixture(),
  });
  const s = await startServer(testConfig({ PDP_BUNDLE_PATH: dir, PDP_BUNDLE_NAME: 'compiled', PDP_BUNDLE_WATCH: 'false', PDP_EVAL_TIMEOUT_MS: '1500' }));

  const t0 = Date.now();
  const order: string[] = [];
  const pending = postJson(`${s.url}/v1/data/fixture/loop`, { input: {} }).then((r) => (order.push('loop'), r));
  // While the worker spins, the main thread answers others.
  await new Promise((r) => setTimeout(r, 50));
  t.equal((await send(`${s.url}/health`)).status, 200);
  order.push('health');
  const loop = await pending;
  const took = Date.now() - t0;
  t.same(order, ['health', 'loop'], 'health answered while the runaway evaluation was still running');
  t.equal(loop.status, 500, 'an evaluation error, as OPA answers one on the Data API');
  t.match(
    loop.json,
    {
      code: 'internal_error',
      message: 'error(s) occurred while evaluating query',
      errors: [{ code: 'eval_budget_exceeded', message: /wasm evaluation exceeded/ }],
    },
    "OPA's error shape",
  );
  t.ok(took < 5000, `answered at its deadline (${took} ms)`);

  t.equal((await send(`${s.url}/health`)).status, 200, 'health answers');
  // The replacement worker started loading when the runaway one was stopped; the deadline (1.5 s)
  // leaves room for its load on a loaded CI machine (at 500 ms one run answered a worker timeout).
  const again = await postJson(`${s.url}/v1/data/fixture/allow`, { input: { allow: true } });
  t.match({ status: again.status, json: again.json }, { status: 200, json: { result: true } }, 'the next evaluation runs on a fresh worker');
  const second = await postJson(`${s.url}/v1/data/fixture/loop`, { input: {} });
  t.equal(second.status, 500, 'and the same policy fails the same way again');

  // SIGTERM's path: close() drains and stops (it never returned before).
  const closing = Date.now();
  await s.close();
  t.ok(Date.now() - closing < 5000, 'the service stops');
});
