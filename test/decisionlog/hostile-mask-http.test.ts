// A bundle whose system.log.mask fails — an evaluation error, a pointer outside the record's
// maskable fields, a rule that is not a rule, a budget it cannot meet — through the real service:
// every decision is still answered and recorded (stdout, the lookup), without its input and
// result, saying why; the failures are counted in /v1/pdp/status; nothing of the request is written.
import t from 'tap';
import { getJson, postJson, startPdp, toolCall, writeBundle } from '../helpers/pdp-harness.js';

const SECRET = 'Hunter2-hostile-mask';

const bundle = {
  '.manifest': JSON.stringify({ revision: 'hm1', roots: ['ai', 'system'] }),
  'ai/tools/policy.rego': `package ai.tools

decision := {"allow": false, "reasons": [{"code": "NO", "message": sprintf("echo %v", [input.arguments])}], "obligations": [], "exceptions_applied": []}
`,
  'system/log/mask.rego': `package system.log

# A conflict: an evaluation error.
mode := 1 if input.input.tool.name == "conflict"
mode := 2 if input.input.tool.name == "conflict"

mask contains "/input/arguments" if mode > 0

mask contains "/decision_id" if input.input.tool.name == "outside"

mask contains 42 if input.input.tool.name == "number"

mask contains {"op": "upsert", "path": "/input/arguments"} if input.input.tool.name == "no-value"

# Work far beyond any budget.
mask contains "/input/arguments" if {
  input.input.tool.name == "slow"
  count([x | some i in numbers.range(1, 5000); some j in numbers.range(1, 5000); x := i * j]) > 0
}

mask contains "/input/arguments/password" if input.input.tool.name == "fine"
`,
};

t.test('a failing bundle mask never costs a record, never writes it unmasked, and is counted', async (t) => {
  const dir = t.testdir();
  await writeBundle(dir, bundle);
  const pdp = await startPdp({ bundleDir: dir });
  t.teardown(() => pdp.close());
  const hostile = ['conflict', 'outside', 'number', 'no-value', 'slow'];
  const ids: string[] = [];
  for (const tool of [...hostile, 'fine']) {
    const r = await postJson(`${pdp.url}/v1/decisions/tool-call`, toolCall(tool, { arguments: { password: SECRET } }));
    t.equal(r.status, 200, `${tool}: answered`);
    ids.push(String(r.json.decision_id));
  }
  for (const [i, tool] of hostile.entries()) {
    const rec = (await getJson(`${pdp.url}/v1/decisions/${ids[i]}`)).json;
    t.match(rec, { decision_id: ids[i], allow: false, raw: false, erased: ['/input', '/result'], mask_error: String }, `${tool}: recorded, failing closed`);
    t.notOk('input' in rec || 'result' in rec, `${tool}: no input, no result`);
  }
  const fine = (await getJson(`${pdp.url}/v1/decisions/${ids[5]}`)).json;
  t.match(fine, { input: { tool: { name: 'fine' }, arguments: {} }, erased: ['/input/arguments/password'] }, 'a working mask still applies');
  t.notOk('mask_error' in fine);
  t.match((await getJson(`${pdp.url}/v1/pdp/status`)).json, { decision_log: { mask_errors: hostile.length, raw: false } }, 'counted');
  t.equal(pdp.stdout.length, ids.length, 'one stdout line per decision');
  // The policy's own reason message echoes the arguments (what a mask of /input cannot reach):
  // everything but the reasons (top level, and in the kept decision document) is searched.
  const written = JSON.stringify(pdp.stdout.map((l) => ({ ...l, reasons: [], result: null })));
  t.ok(JSON.stringify(pdp.stdout).includes(SECRET), 'the search would find it (it is in the reason messages)');
  t.equal(written.includes(SECRET), false, 'the request value is nowhere but in the reason messages');
});
