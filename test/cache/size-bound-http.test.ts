// Through the real service: Data API results as large as their input, each input different, do
// not grow the in-process cache past PDP_CACHE_MAX_BYTES (/v1/pdp/status says how much it holds).
import t from 'tap';
import { getJson, postJson, startPdp, testBundle, writeBundle } from '../helpers/pdp-harness.js';

t.test('large Data API results keep the in-process cache within its byte bound', async (t) => {
  const dir = t.testdir();
  await writeBundle(dir, {
    ...testBundle({ revision: 'c1' }),
    'ai/echo/policy.rego': 'package ai.echo\n\n# As large as the request.\ncopy := input\n',
  });
  const pdp = await startPdp({ bundleDir: dir, env: { PDP_CACHE_MAX_BYTES: '300000', PDP_DECISION_LOG_STDOUT: 'false' } });
  t.teardown(() => pdp.close());

  for (let i = 0; i < 8; i++) {
    const input = { n: i, blob: `${i}`.repeat(100_000) };
    const r = await postJson(`${pdp.url}/v1/data/ai/echo/copy`, { input });
    t.equal(r.status, 200);
    t.same(r.json.result, input);
  }
  const cache = ((await getJson(`${pdp.url}/v1/pdp/status`)).json as { cache: { memory: { entries: number; bytes: number; max_bytes: number } } }).cache.memory;
  t.equal(cache.max_bytes, 300000);
  t.ok(cache.bytes <= cache.max_bytes, `the tier holds ${cache.bytes} of ${cache.max_bytes} bytes`);
  t.ok(cache.entries >= 1 && cache.entries < 8, `only the newest ${cache.entries} results are kept`);
});
