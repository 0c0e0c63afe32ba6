// A cache hit reuses the decision-log mask of the equal decision before it (same cache key, same
// shared result) — only where the mask can read nothing else of the record, and never when the
// mask depends on the clock. Each record still gets exactly its own masking.
import t, { type Test } from 'tap';
import { getJson, postJson, startPdp, toolCall, writeBundle } from '../helpers/pdp-harness.js';

const POLICY = `package ai.tools

decision := {"allow": true, "reasons": [], "obligations": [], "exceptions_applied": []}
`;

async function decideTwice(t: Test, mask: string): Promise<[Record<string, unknown>, Record<string, unknown>]> {
  const dir = t.testdir();
  await writeBundle(dir, {
    '.manifest': JSON.stringify({ revision: 'mr1', roots: ['ai', 'system'] }),
    'ai/tools/policy.rego': POLICY,
    'system/log/mask.rego': mask,
  });
  const pdp = await startPdp({ bundleDir: dir });
  t.teardown(() => pdp.close());
  const body = toolCall('lookup', { arguments: { secret: 'S3cret-value', note: 'n' } });
  const first = await postJson(`${pdp.url}/v1/decisions/tool-call`, body);
  const second = await postJson(`${pdp.url}/v1/decisions/tool-call`, body);
  t.equal(first.json.cached, false);
  t.equal(second.json.cached, true, 'the second answer is a cache hit');
  const a = (await getJson(`${pdp.url}/v1/decisions/${String(first.json.decision_id)}`)).json;
  const b = (await getJson(`${pdp.url}/v1/decisions/${String(second.json.decision_id)}`)).json;
  return [a, b];
}

t.test('a mask that reads only input.input/result/path: the hit is masked the same', async (t) => {
  const [a, b] = await decideTwice(t, 'package system.log\n\nmask contains "/input/arguments/secret" if input.input.arguments.secret\n');
  for (const r of [a, b]) {
    t.same(r.input, { ...toolCall('lookup'), arguments: { note: 'n' } }, 'the secret is erased');
    t.same(r.erased, ['/input/arguments/secret']);
    t.notOk('mask_error' in r);
  }
  t.not(a.decision_id, b.decision_id);
});

t.test('a mask that reads other record fields is evaluated for each record', async (t) => {
  const [a, b] = await decideTwice(t, 'package system.log\n\nmask contains {"op": "upsert", "path": "/input/arguments/secret", "value": input.decision_id}\n');
  t.equal((a.input as { arguments: { secret: string } }).arguments.secret, a.decision_id, 'the first record: its own id');
  t.equal((b.input as { arguments: { secret: string } }).arguments.secret, b.decision_id, 'the hit: its own id, not the first one');
});

t.test('a mask that depends on the clock is evaluated for each record', async (t) => {
  const [a, b] = await decideTwice(t, 'package system.log\n\nmask contains {"op": "upsert", "path": "/input/arguments/secret", "value": time.now_ns()}\n');
  const at = (r: Record<string, unknown>): number => (r.input as { arguments: { secret: number } }).arguments.secret;
  t.type(at(a), 'number');
  t.ok(at(b) > at(a), 'the hit was masked at its own time');
});
