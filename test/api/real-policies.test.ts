// The embedded default end to end: no bundle configuration → the repo's policies/ served by the
// real BundleManager and Rego engine; every request in examples/ through the HTTP API.
import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/shared/package-root.js';
import { postJson, send } from '../helpers/http.js';
import { startReal } from '../helpers/real-server.js';

const s = await startReal();
t.teardown(() => s.close());

interface Answer {
  decision_id: string;
  allow: boolean;
  reasons: { code: string; control?: string; message?: string }[];
  obligations: { type: string }[];
  exceptions_applied: { id: string }[];
  policy: { path: string; bundles: Record<string, string> };
  cached: boolean;
}

const status = (await send(`${s.url}/v1/pdp/status`)).json as { ready: boolean; bundles: { name: string; revision: string; engine: string; digest: string }[] };

t.test('the embedded policies/ bundle is active', async (t) => {
  t.equal(status.ready, true);
  t.match(status.bundles, [{ name: 'ai-governance', engine: 'rego', revision: /\S/ }]);
  t.equal((await send(`${s.url}/ready`)).status, 200);
});

for (const kind of ['model-deployment', 'tool-call'] as const) {
  t.test(`examples/${kind}: the decision the file name promises`, async (t) => {
    const dir = join(packageRoot, 'examples', kind);
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    t.ok(files.length >= 5, `${files.length} examples`);
    for (const f of files) {
      const body = readFileSync(join(dir, f), 'utf8');
      const r = await postJson(`${s.url}/v1/decisions/${kind}`, body);
      t.equal(r.status, 200, f);
      const a = r.json as Answer;
      t.same(
        a.policy,
        {
          path: kind === 'tool-call' ? 'ai/tools/decision' : 'ai/deployment/decision',
          bundles: { 'ai-governance': status.bundles[0]?.revision },
          digests: { 'ai-governance': status.bundles[0]?.digest },
        },
        `${f}: policy`,
      );
      if (f.endsWith('.deny.json')) {
        t.equal(a.allow, false, `${f}: deny`);
        t.ok(a.reasons.length > 0, `${f}: a deny says why`);
        t.notOk(
          a.reasons.some((x) => ['POLICY_UNDEFINED', 'EVALUATION_ERROR', 'MALFORMED_DECISION'].includes(x.code)),
          `${f}: denied by a control, not by a failure`,
        );
      } else {
        // Model-deployment evaluations age: under the real clock an allow example turns into a
        // STALE_EVALUATION deny once its evaluation leaves the freshness window (examples/README).
        const aged = !a.allow && a.reasons.every((x) => x.code === 'STALE_EVALUATION');
        t.ok(a.allow || (kind === 'model-deployment' && aged), `${f}: allow (reasons: ${a.reasons.map((x) => x.code).join(',')})`);
      }
      // The Data API gives the raw document the decision endpoint wrapped.
      const data = await postJson(`${s.url}/v1/data/${a.policy.path}`, { input: JSON.parse(body) as unknown });
      t.equal((data.json as { result: { allow: boolean } }).result.allow, a.allow, `${f}: Data API agrees`);
    }
  });
}

t.test('applied exceptions and obligations come through', async (t) => {
  const body = readFileSync(join(packageRoot, 'examples/tool-call/refund-needs-human-approval.allow.json'), 'utf8');
  const a = (await postJson(`${s.url}/v1/decisions/tool-call`, body)).json as Answer;
  t.ok(
    a.obligations.some((o) => o.type === 'require_human_approval'),
    'require_human_approval obligation',
  );
  const exc = readFileSync(join(packageRoot, 'examples/model-deployment/exception-applied-churn-predictor.allow.json'), 'utf8');
  const b = (await postJson(`${s.url}/v1/decisions/model-deployment`, exc)).json as Answer;
  t.ok(
    b.exceptions_applied.some((e) => e.id === 'EXC-2026-014'),
    'the applied exception is named',
  );
});

t.test('missing metadata is a policy finding, not a 400', async (t) => {
  const r = await postJson(`${s.url}/v1/decisions/model-deployment`, { model: { name: 'm', version: '1' }, deployment: { environment: 'prod' } });
  t.equal(r.status, 200);
  const a = r.json as Answer;
  t.equal(a.allow, false);
  t.ok(
    a.reasons.some((x) => x.code === 'MISSING_METADATA'),
    a.reasons.map((x) => x.code).join(','),
  );
});
