// The service as the harness starts it: decisions from the test bundle, and the extensions
// (cache, decision log, metrics) visible in /v1/pdp/status and /metrics.
import t from 'tap';
import { getJson, postJson, startPdp, testBundle, toolCall, writeBundle } from '../helpers/pdp-harness.js';

t.test('the harness serves decisions from the test bundle with the extensions wired in', async (t) => {
  const dir = t.testdir();
  await writeBundle(dir, testBundle({ revision: 'h1' }));
  const pdp = await startPdp({ bundleDir: dir, env: { PDP_DECISION_LOG_STDOUT: 'true' } });
  t.teardown(() => pdp.close());
  const allow = await postJson(`${pdp.url}/v1/decisions/tool-call`, toolCall('read_file'));
  t.match(allow, { status: 200, json: { allow: true, cached: false, policy: { bundles: { test: 'h1' } } } });
  const deny = await postJson(`${pdp.url}/v1/decisions/tool-call`, toolCall('rm_rf'));
  t.match(deny.json, { allow: false, reasons: [{ code: 'TOOL_NOT_ALLOWED' }] });
  const status = await getJson(`${pdp.url}/v1/pdp/status`);
  t.match(status.json, { cache: { enabled: true, redis: 'disabled' }, decision_log: { sinks: [{ name: 'stdout' }] }, tracing: { export: String } });
  const metrics = await (await fetch(`${pdp.url}/metrics`)).text();
  t.match(metrics, /pdp_decisions_total\{path="ai\/tools\/decision",outcome="allow"\} 1/);
  t.match(metrics, /pdp_bundle_info\{bundle="test",revision="h1",engine="rego"\} 1/);
  for (let i = 0; i < 50 && pdp.stdout.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
  t.same(
    pdp.stdout.map((l) => l.decision_id),
    [allow.json.decision_id, deny.json.decision_id],
    'stdout sink wrote one record per decision',
  );
  t.match(pdp.stdout[0], { msg: 'Decision Log', level: 'info' });
});
