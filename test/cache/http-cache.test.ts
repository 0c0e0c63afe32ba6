// Decision caching through the real service (fastify app, BundleManager, Rego engine):
// hit on repeat, miss after a new bundle revision, time-dependent decisions cached only until
// their valid_until, errors and clock-reading decisions without expiry never cached.
import t from 'tap';
import { deployment, getJson, postJson, startPdp, testBundle, toolCall, writeBundle } from '../helpers/pdp-harness.js';
import { until } from '../helpers/until.js';

const ENV = { PDP_DECISION_LOG_STDOUT: 'false' };

t.test('hit on repeat; miss after a bundle revision change', async (t) => {
  const dir = t.testdir();
  await writeBundle(dir, testBundle({ revision: 'r1' }));
  const pdp = await startPdp({ bundleDir: dir, env: ENV, watch: true });
  t.teardown(() => pdp.close());
  const url = `${pdp.url}/v1/decisions/tool-call`;

  const first = await postJson(url, toolCall('read_file'));
  t.match(first.json, { allow: true, cached: false, policy: { bundles: { test: 'r1' } } });
  const second = await postJson(url, toolCall('read_file'));
  t.match(second.json, { allow: true, cached: true, policy: { bundles: { test: 'r1' } } });
  t.not(second.json.decision_id, first.json.decision_id, 'a cached answer is still its own decision');
  const rec = await getJson(`${pdp.url}/v1/decisions/${String(second.json.decision_id)}`);
  t.match(rec.json, { cached: true, cache_tier: 'memory', engine: 'rego' });

  const deny1 = await postJson(url, toolCall('delete_db'));
  const deny2 = await postJson(url, toolCall('delete_db'));
  t.match(
    [deny1.json, deny2.json],
    [
      { allow: false, cached: false },
      { allow: false, cached: true },
    ],
    'denials are cached too',
  );

  // Same input, different field order: same key.
  const reordered = await postJson(url, {
    arguments: { to: 'a@example.com' },
    tool: { name: 'read_file' },
    user: { id: 'u-17' },
    agent: { environment: 'prod', id: 'support-bot' },
  });
  t.equal(reordered.json.cached, true);

  // New revision: read_file no longer allowed; the cached allow must not be served.
  await writeBundle(dir, testBundle({ revision: 'r2', allowedTools: ['send_email'] }));
  t.ok(
    await until(async () => ((await getJson(`${pdp.url}/v1/pdp/status`)).json.bundles as { revision: string | null }[])[0]?.revision === 'r2', 10_000),
    'r2 active',
  );
  const after = await postJson(url, toolCall('read_file'));
  t.match(after.json, { allow: false, cached: false, policy: { bundles: { test: 'r2' } } }, 'miss after the revision change');
  const again = await postJson(url, toolCall('read_file'));
  t.match(again.json, { allow: false, cached: true, policy: { bundles: { test: 'r2' } } });
});

t.test('errored decisions are never cached', async (t) => {
  const dir = t.testdir();
  await writeBundle(dir, testBundle({ revision: 'e1' }));
  const pdp = await startPdp({ bundleDir: dir, env: ENV });
  t.teardown(() => pdp.close());
  for (let i = 0; i < 2; i++) {
    const r = await postJson(`${pdp.url}/v1/decisions/tool-call`, toolCall('boom'));
    t.match(r, { status: 200, json: { allow: false, cached: false, reasons: [{ code: 'EVALUATION_ERROR' }] } });
  }
});

t.test('time-dependent decisions: cached until valid_until, never served stale', async (t) => {
  const dir = t.testdir();
  // Whole seconds (the policy compares RFC 3339 instants); ~4 s from now.
  const expires = new Date(Math.ceil((Date.now() + 4000) / 1000) * 1000);
  await writeBundle(dir, testBundle({ revision: 't1', exceptionExpiresAt: expires.toISOString().replace('.000Z', 'Z') }));
  const pdp = await startPdp({ bundleDir: dir, env: ENV });
  t.teardown(() => pdp.close());
  const url = `${pdp.url}/v1/decisions/model-deployment`;

  const a = await postJson(url, deployment);
  const b = await postJson(url, deployment);
  t.ok(Date.now() < expires.getTime(), 'still before the expiry (else the test proves nothing)');
  t.match(a.json, { allow: true, cached: false });
  t.match(b.json, { allow: true, cached: true }, 'cached while valid');

  // The same clock-reading rule without valid_until: evaluated every time.
  const undated1 = await postJson(`${pdp.url}/v1/data/ai/deployment/undated`, { input: deployment });
  const undated2 = await postJson(`${pdp.url}/v1/data/ai/deployment/undated`, { input: deployment });
  for (const u of [undated1, undated2]) {
    const rec = await getJson(`${pdp.url}/v1/decisions/${String(u.json.decision_id)}`);
    t.match(rec.json, { cached: false, result: { allow: true } }, 'depends on time, states no expiry → not cached');
  }

  await new Promise((r) => setTimeout(r, Math.max(0, expires.getTime() - Date.now()) + 50));
  const c = await postJson(url, deployment);
  t.match(c.json, { allow: false, cached: false, reasons: [{ code: 'EXCEPTION_EXPIRED' }] }, 'after valid_until: re-evaluated, not stale');
  const d = await postJson(url, deployment);
  t.match(d.json, { allow: false, cached: false }, 'the deny reads the clock too and states no expiry: evaluated again');
});

t.test('a data file edited in place (same .manifest revision): the cached answer is not served, the decision flips within 2 s', async (t) => {
  const dir = t.testdir();
  await writeBundle(dir, testBundle({ revision: 'same' }));
  const pdp = await startPdp({ bundleDir: dir, env: ENV, watch: true });
  t.teardown(() => pdp.close());
  const url = `${pdp.url}/v1/decisions/tool-call`;
  t.match((await postJson(url, toolCall('read_file'))).json, { allow: true, cached: false });
  t.match((await postJson(url, toolCall('read_file'))).json, { allow: true, cached: true }, 'cached before the edit');

  // Only the data file changes; the revision stays "same".
  const edited = testBundle({ revision: 'same', allowedTools: ['send_email'] });
  await writeBundle(dir, { 'ai/tools/data.json': edited['ai/tools/data.json'] as string });
  const started = Date.now();
  let flipped: Record<string, unknown> | undefined;
  while (Date.now() - started < 2000) {
    const r = (await postJson(url, toolCall('read_file'))).json;
    if (r.allow === false) {
      flipped = r;
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  t.ok(flipped, 'the decision flipped within 2 s of the edit');
  t.match(flipped, { allow: false, cached: false, policy: { bundles: { test: 'same' } } }, 'from the engine, not the old cache entry');
  t.match((await postJson(url, toolCall('read_file'))).json, { allow: false, cached: true }, 'and the new answer is cached');
});
