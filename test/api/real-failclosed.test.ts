// Fail-closed semantics with the real stack: BundleManager over a bundle directory, the built-in
// Rego engine, the real server. Each failure mode is produced by actual Rego.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { postJson, send } from '../helpers/http.js';
import { startReal, writeBundle } from '../helpers/real-server.js';

const TOOLS_REGO = `package ai.tools

import rego.v1

decision := {"allow": true, "reasons": [{"code": "OK", "control": "T-1"}]} if input.tool.name == "ok"

decision := {"allow": false, "reasons": [{"code": "NO"}]} if input.tool.name == "conflict"

decision := {"allow": true} if input.tool.name == "conflict"

decision := {"allow": "yes"} if input.tool.name == "malformed"

decision := {"allow": count([x | some x in numbers.range(1, 1000000)]) > 0} if input.tool.name == "heavy"

allowed_tools := data.ai.tools.config.allowed
`;

const bundleDir = writeBundle({
  'ai/tools/policy.rego': TOOLS_REGO,
  'ai/tools/config/data.json': JSON.stringify({ allowed: ['ok'] }),
  '.manifest': JSON.stringify({ revision: 'rev-failclosed-1', roots: ['ai'] }),
});
const s = await startReal({ bundleDir, env: { PDP_EVAL_MAX_STEPS: '20000', PDP_BUNDLE_WATCH: 'false' } });
t.teardown(() => s.close());

const tool = (name: string) => postJson(`${s.url}/v1/decisions/tool-call`, { agent: { id: 'a' }, tool: { name } });
type Answer = { allow: boolean; reasons: { code: string; message?: string }[]; policy: { bundles: Record<string, string> } };

t.test('a defined decision from Rego, with the bundle revision', async (t) => {
  const r = await tool('ok');
  t.equal(r.status, 200);
  t.match(r.json, {
    allow: true,
    reasons: [{ code: 'OK', control: 'T-1' }],
    policy: { path: 'ai/tools/decision', bundles: { test: 'rev-failclosed-1' } },
    cached: false,
  });
});

t.test('no rule matches → deny POLICY_UNDEFINED', async (t) => {
  const r = await tool('nothing');
  t.equal(r.status, 200);
  t.same(
    (r.json as Answer).reasons.map((x) => x.code),
    ['POLICY_UNDEFINED'],
  );
  t.equal((r.json as Answer).allow, false);
});

t.test('a document no bundle defines → deny POLICY_UNDEFINED', async (t) => {
  const r = await postJson(`${s.url}/v1/decisions/model-deployment`, { model: { name: 'm', version: '1' }, deployment: { environment: 'prod' } });
  t.equal(r.status, 200);
  t.same(
    (r.json as Answer).reasons.map((x) => x.code),
    ['POLICY_UNDEFINED'],
  );
});

for (const [name, why, code] of [
  ['conflict', 'conflicting rule outputs', 'eval_conflict_error'],
  ['heavy', 'step budget exceeded', 'eval_budget_exceeded'],
] as const) {
  t.test(`${why} → deny EVALUATION_ERROR naming ${code}`, async (t) => {
    const r = await tool(name);
    t.equal(r.status, 200);
    const a = r.json as Answer;
    t.equal(a.allow, false);
    t.equal(a.reasons[0]?.code, 'EVALUATION_ERROR');
    t.match(a.reasons[0]?.message, code);
  });
}

t.test('allow that is not a boolean → deny MALFORMED_DECISION', async (t) => {
  const r = await tool('malformed');
  t.equal(r.status, 200);
  const a = r.json as Answer;
  t.equal(a.allow, false);
  t.same(
    a.reasons.map((x) => x.code),
    ['MALFORMED_DECISION'],
  );
  t.match(a.reasons[0]?.message, '/allow must be boolean');
});

t.test('OPA Data API over Rego: result, undefined, errors', async (t) => {
  const ok = await postJson(`${s.url}/v1/data/ai/tools/decision`, { input: { tool: { name: 'ok' } } });
  t.equal(ok.status, 200);
  t.same((ok.json as { result: unknown }).result, { allow: true, reasons: [{ code: 'OK', control: 'T-1' }] });

  const data = await send(`${s.url}/v1/data/ai/tools/allowed_tools`);
  t.same((data.json as { result: unknown }).result, ['ok'], 'GET without input reads a rule over data');
  const base = await send(`${s.url}/v1/data/ai/tools/config`);
  t.same((base.json as { result: unknown }).result, { allowed: ['ok'] }, 'base documents are readable');

  const undef = await postJson(`${s.url}/v1/data/ai/tools/decision`, { input: { tool: { name: 'none' } } });
  t.equal(undef.status, 200);
  t.same(Object.keys(undef.json as object), ['decision_id']);

  const missing = await send(`${s.url}/v1/data/ai/nothing/here`);
  t.same(Object.keys(missing.json as object), ['decision_id']);

  const conflict = await postJson(`${s.url}/v1/data/ai/tools/decision`, { input: { tool: { name: 'conflict' } } });
  t.equal(conflict.status, 500);
  t.match(conflict.json, {
    code: 'internal_error',
    message: 'error(s) occurred while evaluating query',
    errors: [{ code: 'eval_conflict_error' }],
    decision_id: /^[0-9a-f-]{36}$/,
  });
});

t.test('/v1/pdp/status reports the real bundle', async (t) => {
  const r = await send(`${s.url}/v1/pdp/status`);
  t.match(r.json, {
    ready: true,
    bundles: [{ name: 'test', source: bundleDir, revision: 'rev-failclosed-1', engine: 'rego', roots: ['ai'], last_error: null }],
  });
  t.match((r.json as { bundles: { digest: string }[] }).bundles[0]?.digest, /\S/);
});

t.test('/ready: 503 while the only bundle is broken, 200 once a fixed one activates', async (t) => {
  const dir = writeBundle({ 'ai/tools/policy.rego': 'package ai.tools\n\ndecision := {"allow": true if {\n' });
  const broken = await startReal({ bundleDir: dir });
  t.teardown(() => broken.close());

  const before = await send(`${broken.url}/ready`);
  t.equal(before.status, 503);
  t.equal((before.json as { error: { code: string } }).error.code, 'NOT_READY');
  const status = (await send(`${broken.url}/v1/pdp/status`)).json as {
    ready: boolean;
    bundles: { last_error: { code: string; message: string } | null; revision: string | null }[];
  };
  t.equal(status.ready, false);
  t.equal(status.bundles[0]?.revision, null);
  t.match(status.bundles[0]?.last_error?.message, /policy\.rego/, 'the error names the file');
  const cannot = await postJson(`${broken.url}/v1/decisions/tool-call`, { agent: { id: 'a' }, tool: { name: 'ok' } });
  t.equal(cannot.status, 503);
  t.match(cannot.json, { allow: false, reasons: [{ code: 'NO_ACTIVE_POLICY' }] });

  writeFileSync(join(dir, 'ai/tools/policy.rego'), 'package ai.tools\n\nimport rego.v1\n\ndecision := {"allow": true}\n');
  const deadline = Date.now() + 10_000;
  let ready = 0;
  while (Date.now() < deadline) {
    ready = (await send(`${broken.url}/ready`)).status;
    if (ready === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(ready, 200, 'ready once the fixed bundle is active');
  const decided = await postJson(`${broken.url}/v1/decisions/tool-call`, { agent: { id: 'a' }, tool: { name: 'ok' } });
  t.equal(decided.status, 200);
  t.match(decided.json, { allow: true });
});
