// decision_log.nd_builtin_cache end to end: with PDP_DECISION_LOG_ND_BUILTIN_CACHE=true the real
// service's records (stdout sink and GET /v1/decisions/{id}) carry OPA's nd_builtin_cache for a
// decision that called non-deterministic builtins; off (the default) they carry none.
import t from 'tap';
import { getJson, postJson, startPdp, toolCall, writeBundle } from '../helpers/pdp-harness.js';

const bundle = {
  '.manifest': JSON.stringify({ revision: 'nd1', roots: ['ai', 'system'] }),
  'ai/tools/policy.rego': `package ai.tools

decision := {"allow": false, "reasons": [{"code": "STAMP", "message": sprintf("at %d id %s", [time.now_ns(), uuid.rfc4122(input.tool.name)])}], "obligations": [], "exceptions_applied": []}
`,
  'system/log/mask.rego': 'package system.log\n\nmask contains "/input/arguments"\n',
};

for (const on of [true, false]) {
  t.test(`nd_builtin_cache ${on ? 'on' : 'off (default)'}`, async (t) => {
    const dir = t.testdir();
    await writeBundle(dir, bundle);
    const pdp = await startPdp({ bundleDir: dir, env: on ? { PDP_DECISION_LOG_ND_BUILTIN_CACHE: 'true' } : {} });
    t.teardown(() => pdp.close());
    const r = await postJson(`${pdp.url}/v1/decisions/tool-call`, toolCall('search'));
    t.equal(r.status, 200);
    const id = String(r.json.decision_id);
    const message = String((r.json.reasons as { message: string }[])[0].message);
    const rec = (await getJson(`${pdp.url}/v1/decisions/${id}`)).json as Record<string, unknown>;
    t.equal(rec.decision_id, id);
    if (!on) {
      t.notOk('nd_builtin_cache' in rec);
      return;
    }
    const nd = rec.nd_builtin_cache as Record<string, Record<string, unknown>>;
    t.same(Object.keys(nd).sort(), ['time.now_ns', 'uuid.rfc4122']);
    const now = nd['time.now_ns']['[]'];
    const uuid = nd['uuid.rfc4122']['["search"]'];
    t.equal(message, `at ${String(now)} id ${String(uuid)}`, 'the recorded results are the ones the decision used');
    const line = pdp.stdout.find((l) => l.decision_id === id);
    t.same(line?.nd_builtin_cache, nd, 'the stdout sink writes it too');
  });
}
