// Issue 12, "an allow with no request at all": through a real listening server on the embedded
// policies/, every decision document and boolean the default bundle serves on the OPA Data API
// denies, with INVALID_REQUEST and the domain's request-shape control, when the request is
// missing (no body, GET), empty, under a misspelled key, wrapped twice, or not an object.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/shared/package-root.js';
import { send, type HttpResult } from '../helpers/http.js';
import { startReal } from '../helpers/real-server.js';

const s = await startReal();
t.teardown(() => s.close());

const example = (file: string): unknown => JSON.parse(readFileSync(join(packageRoot, 'examples', file), 'utf8')) as unknown;

const DOMAINS = [
  { path: 'ai/tools', control: 'AGT-REQ-01', valid: example('tool-call/support-email.allow.json') },
  // dev: this example's outcome does not depend on the clock (examples/README.md).
  { path: 'ai/deployment', control: 'AIGOV-REQ-01', valid: example('model-deployment/dev-prototype-unsigned.allow.json') },
] as const;

interface Reason {
  code: string;
  control: string;
  message: string;
}

const json = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

/** Request bodies of a Data API POST that carry no usable request. */
function badBodies(valid: unknown): [name: string, opts: { method: string; body?: string; headers?: Record<string, string> }][] {
  return [
    ['POST with no body', { method: 'POST' }],
    ['POST {}', json({})],
    ['POST {"input": {}}', json({ input: {} })],
    ['POST {"Input": <a valid request>} (misspelled key)', json({ Input: valid })],
    ['POST {"input": {"input": <a valid request>}} (wrapped twice)', json({ input: { input: valid } })],
    ['POST {"input": "x"}', json({ input: 'x' })],
    ['POST {"input": 17}', json({ input: 17 })],
    ['POST {"input": []}', json({ input: [] })],
    ['POST {"input": [<a valid request>]}', json({ input: [valid] })],
    ['POST {"input": null}', json({ input: null })],
    ['POST {"input": true}', json({ input: true })],
    ['POST {"input": false}', json({ input: false })],
    ['GET', { method: 'GET' }],
  ];
}

function result(r: HttpResult): unknown {
  return (r.json as { result?: unknown } | undefined)?.result;
}

for (const d of DOMAINS) {
  t.test(`${d.path}: a valid request is allowed (the baseline the denials are measured against)`, async (t) => {
    const r = await send(`${s.url}/v1/data/${d.path}/decision`, json({ input: d.valid }));
    t.equal(r.status, 200);
    t.match(result(r), { allow: true, reasons: [] });
    t.equal(result(await send(`${s.url}/v1/data/${d.path}/allow`, json({ input: d.valid }))), true);
  });

  for (const [name, opts] of badBodies(d.valid)) {
    t.test(`${d.path}: ${name} → deny INVALID_REQUEST`, async (t) => {
      const dec = await send(`${s.url}/v1/data/${d.path}/decision`, opts);
      t.equal(dec.status, 200, 'answered (OPA Data API)');
      const doc = result(dec) as { allow: boolean; reasons: Reason[] };
      t.equal(doc.allow, false, 'decision.allow is false');
      t.ok(
        doc.reasons.some((x) => x.code === 'INVALID_REQUEST' && x.control === d.control && x.message.length > 0),
        `a reason INVALID_REQUEST/${d.control} (reasons: ${JSON.stringify(doc.reasons)})`,
      );

      const allow = await send(`${s.url}/v1/data/${d.path}/allow`, opts);
      t.equal(allow.status, 200);
      t.equal(result(allow), false, 'the boolean is false, not true and not undefined');

      // The package document (what an OPA client reading data.ai.tools gets) says the same.
      const pkg = result(await send(`${s.url}/v1/data/${d.path}`, opts)) as { allow: boolean; decision: { allow: boolean } };
      t.equal(pkg.allow, false);
      t.equal(pkg.decision.allow, false);
    });
  }

  t.test(`${d.path}: the reasons name the problem, not a value`, async (t) => {
    const none = result(await send(`${s.url}/v1/data/${d.path}/decision`)) as { reasons: Reason[] };
    t.ok(
      none.reasons.some((x) => x.control === d.control && x.message === 'there is no request: the input document is missing'),
      'no input',
    );
    const str = result(await send(`${s.url}/v1/data/${d.path}/decision`, json({ input: 'delete_customer' }))) as { reasons: Reason[] };
    const mine = str.reasons.filter((x) => x.control === d.control);
    t.same(
      mine.map((x) => x.message),
      ['the request must be a JSON object, not string'],
    );
    t.notOk(JSON.stringify(str).includes('delete_customer'), 'the input value is not echoed');
  });
}

t.test('the decision endpoints still refuse a request without the required fields (400, schema)', async (t) => {
  for (const kind of ['tool-call', 'model-deployment']) {
    const r = await send(`${s.url}/v1/decisions/${kind}`, json({}));
    t.equal(r.status, 400, kind);
  }
});

t.test('a blank required field passes the schema (minLength 1) but not the policy', async (t) => {
  const body = { ...(DOMAINS[0].valid as Record<string, unknown>), agent: { id: '   ', trust_level: 'medium', environment: 'prod' } };
  const r = await send(`${s.url}/v1/decisions/tool-call`, json(body));
  t.equal(r.status, 200);
  const a = r.json as { allow: boolean; reasons: Reason[] };
  t.equal(a.allow, false);
  t.same(
    a.reasons.filter((x) => x.control === 'AGT-REQ-01'),
    [{ code: 'INVALID_REQUEST', control: 'AGT-REQ-01', message: 'request field agent.id is missing or not a non-empty string' }],
  );
});
