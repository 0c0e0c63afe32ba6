// The OPA-compatible Data API as route contracts through app.inject(): {"result", "decision_id"};
// undefined → no result.
import t from 'tap';
import { inject, injectApp, injectJson } from '../helpers/http.js';
import { EvalFailure, SwappablePolicies, jsPolicies } from '../helpers/js-engine.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const seen: { path: string; input: unknown; strict: boolean | undefined }[] = [];
const record = (path: string) => (input: unknown, opts: { strict?: boolean }) => {
  seen.push({ path, input, strict: opts.strict });
  return undefined;
};
const policies = jsPolicies({
  'ai/tools/allow': (input) => (input as { user?: string } | undefined)?.user === 'alice',
  'ai/tools/decision': () => ({ allow: false, reasons: [{ code: 'X' }] }),
  'ai/tools/undefined': () => undefined,
  'ai/tools/big': () => ({ id: 12345678901234567890n, b: 1, a: 2 }),
  'ai/tools/error': () => {
    throw new EvalFailure('eval_conflict_error', 'conflicting outputs');
  },
  'ai/tools/record': record('ai/tools/record'),
  '': () => ({ ai: { root: true } }),
});
const app = await injectApp({ policies });
t.teardown(() => app.close());

t.test('POST with input → {"result", "decision_id"}', async (t) => {
  const r = await injectJson(app, `/v1/data/ai/tools/allow`, { input: { user: 'alice' } });
  t.equal(r.status, 200);
  const body = r.json as { result: unknown; decision_id: string };
  t.same(Object.keys(body).sort(), ['decision_id', 'result']);
  t.equal(body.result, true);
  t.match(body.decision_id, UUID);
  const other = await injectJson(app, `/v1/data/ai/tools/allow`, { input: { user: 'mallory' } });
  t.equal((other.json as { result: unknown }).result, false);
});

t.test('the raw policy document is returned, not a wrapped decision', async (t) => {
  const r = await injectJson(app, `/v1/data/ai/tools/decision`, { input: {} });
  t.same((r.json as { result: unknown }).result, { allow: false, reasons: [{ code: 'X' }] });
});

t.test('undefined → {"decision_id"} and no result, like OPA', async (t) => {
  for (const path of ['ai/tools/undefined', 'no/such/document']) {
    const r = await injectJson(app, `/v1/data/${path}`, { input: {} });
    t.equal(r.status, 200, path);
    const body = r.json as Record<string, unknown>;
    t.same(Object.keys(body), ['decision_id'], path);
    t.match(body.decision_id, UUID);
  }
});

t.test('GET evaluates without input; POST without body or without "input" too', async (t) => {
  seen.length = 0;
  t.equal((await inject(app, `/v1/data/ai/tools/record`)).status, 200);
  t.equal((await inject(app, `/v1/data/ai/tools/record`, { method: 'POST' })).status, 200);
  t.equal((await injectJson(app, `/v1/data/ai/tools/record`, {})).status, 200);
  t.equal((await injectJson(app, `/v1/data/ai/tools/record`, { input: null })).status, 200);
  t.same(
    seen.map((x) => x.input),
    [undefined, undefined, undefined, null],
    'null input is an input; absent is none',
  );
  t.same(
    seen.map((x) => x.path),
    ['ai/tools/record', 'ai/tools/record', 'ai/tools/record', 'ai/tools/record'],
  );
});

t.test('input may be any JSON value', async (t) => {
  seen.length = 0;
  for (const input of [1, 'x', [1, 2], { a: { b: [true] } }]) {
    t.equal((await injectJson(app, `/v1/data/ai/tools/record`, { input })).status, 200);
  }
  t.same(
    seen.map((x) => x.input),
    [1, 'x', [1, 2], { a: { b: [true] } }],
  );
});

t.test('a body that is not an object → 400', async (t) => {
  const r = await injectJson(app, `/v1/data/ai/tools/allow`, '[1]');
  t.equal(r.status, 400);
  // OPA's error shape (issue 15: the SDKs raised SDKValidationError on the service's own shape).
  t.match(r.json, { code: 'invalid_parameter', message: String, errors: [{ code: 'invalid_parameter', message: String }] });
});

t.test('/v1/data alone is the data root', async (t) => {
  const r = await inject(app, `/v1/data`);
  t.same((r.json as { result: unknown }).result, { ai: { root: true } });
  const slash = await inject(app, `/v1/data/`);
  t.same((slash.json as { result: unknown }).result, { ai: { root: true } });
});

t.test('?pretty indents; ?strict-builtin-errors reaches the engine; unknown parameters are ignored', async (t) => {
  const pretty = await injectJson(app, `/v1/data/ai/tools/allow?pretty`, { input: { user: 'alice' } });
  t.match(pretty.text, /\n {2}"result": true/);
  const prettyTrue = await inject(app, `/v1/data/ai/tools/allow?pretty=true`);
  t.match(prettyTrue.text, /\n {2}"decision_id"/);
  const notPretty = await inject(app, `/v1/data/ai/tools/allow?pretty=false`);
  t.notMatch(notPretty.text, /\n/);

  seen.length = 0;
  await injectJson(app, `/v1/data/ai/tools/record?strict-builtin-errors=true&metrics=true&explain=full&provenance&instrument=1`, { input: 1 });
  await injectJson(app, `/v1/data/ai/tools/record`, { input: 1 });
  t.same(
    seen.map((x) => x.strict),
    [true, undefined],
  );
});

t.test('integers past 2^53 are written exactly; keys sorted as OPA does', async (t) => {
  const r = await inject(app, `/v1/data/ai/tools/big`);
  t.match(r.text, /"result":\{"a":2,"b":1,"id":12345678901234567890\}/);
});

t.test("evaluation error → 500 internal_error (as OPA), OPA's error shape, and the decision id", async (t) => {
  const r = await injectJson(app, `/v1/data/ai/tools/error`, { input: {} });
  t.equal(r.status, 500);
  const body = r.json as { code: string; message: string; errors: { code: string }[]; decision_id: string };
  t.equal(body.code, 'internal_error', "OPA's code for an evaluation error");
  t.equal(body.message, 'error(s) occurred while evaluating query', "OPA's message for an evaluation error");
  t.equal(body.errors[0]?.code, 'eval_conflict_error', "the engine's code in errors[]");
  t.match(body.decision_id, UUID);
  t.notOk('result' in body, 'no result that a client could read as an answer');
});

t.test('no active policy → 503 NO_ACTIVE_POLICY', async (t) => {
  const empty = await injectApp({ policies: new SwappablePolicies() });
  t.teardown(() => empty.close());
  const r = await injectJson(empty, '/v1/data/ai/tools/allow', { input: {} });
  t.equal(r.status, 503);
  t.match(r.json, { code: 'internal_error', message: /no policy bundle is active/ });
});
