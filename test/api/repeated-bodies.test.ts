// Repeated decision bodies are parsed once (src/api/repeated-bodies.ts): the memory itself, and
// through the app — what is shared is frozen, hostile and invalid bodies are never kept, only
// decision routes with the cache on use it.
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { MAX_REPEATED_BODY_CHARS, RepeatedBodies } from '../../src/api/repeated-bodies.js';
import { decisionCacheKey } from '../../src/cache/key.js';
import { deepFreeze, isDeeplyFrozen } from '../../src/shared/deep-freeze.js';
import type { DecisionRecord } from '../../src/decisions/types.js';
import { injectApp, injectJson } from '../helpers/http.js';
import { configIssues } from '../helpers/config.js';
import { jsPolicies } from '../helpers/js-engine.js';
import { getJson, postJson, startPdp, toolCall, writeBundle } from '../helpers/pdp-harness.js';
import { until } from '../helpers/until.js';
import { timersCreatedBy } from '../helpers/timers-created.js';
import { EVALUATION, startAuthzen, type Decision } from '../helpers/authzen.js';
import { policyInput } from '../../src/authzen/mapping.js';
import type { EvaluationRequest } from '../../src/authzen/types.js';

const parse = (text: string): unknown => JSON.parse(text) as unknown;

t.test('a body is kept from its second arrival, frozen all the way down; bounded in size, length and time', async (t) => {
  const memo = new RepeatedBodies();
  const text = '{"a":{"b":[1,{"c":"d"}]}}';
  t.equal(memo.remember(text, parse(text)) !== undefined, true);
  t.equal(memo.get(text), undefined, 'off until enabled');

  memo.enable(1 << 20, 60_000);
  const first = parse(text) as { a: { b: [number, { c: string }] } };
  memo.remember(text, first);
  t.equal(memo.get(text), undefined, 'the first arrival leaves only its text');
  t.notOk(Object.isFrozen(first), 'and its value is not frozen');
  const second = parse(text) as { a: { b: [number, { c: string }] } };
  memo.remember(text, second);
  t.equal(memo.get(text)?.value, second, 'the second is kept');
  for (const v of [second, second.a, second.a.b, second.a.b[1]]) t.ok(Object.isFrozen(v), `frozen: ${JSON.stringify(v)}`);
  t.throws(() => {
    second.a.b[1].c = 'changed';
  }, TypeError);
  t.equal(memo.get(' ' + text), undefined, 'only the exact text');

  const long = JSON.stringify({ s: 'x'.repeat(MAX_REPEATED_BODY_CHARS) });
  memo.remember(long, parse(long));
  memo.remember(long, parse(long));
  t.equal(memo.get(long), undefined, `a body over ${MAX_REPEATED_BODY_CHARS} characters is never kept`);

  // 2 KiB: a few dozen short bodies; the oldest go first.
  const small = new RepeatedBodies();
  small.enable(2048, 60_000);
  const texts = Array.from({ length: 40 }, (_, i) => JSON.stringify({ n: i }));
  for (const s of texts) {
    small.remember(s, parse(s));
    small.remember(s, parse(s));
  }
  t.equal(small.get(texts[0] as string), undefined, 'the oldest was evicted');
  t.ok(small.get(texts[39] as string), 'the newest is kept');

  const brief = new RepeatedBodies();
  brief.enable(1 << 20, 30);
  brief.remember(text, parse(text));
  brief.remember(text, parse(text));
  t.ok(brief.get(text));
  await new Promise((r) => setTimeout(r, 80));
  t.equal(brief.get(text), undefined, 'gone after its time');

  // lru-cache's default keeps a clock reading for 1 ms through a timer re-armed whenever it has
  // lapsed: a timer (and an event-loop wake-up) per request at moderate rates.
  const made = timersCreatedBy(() => {
    for (let i = 0; i < 50; i++) {
      const s = JSON.stringify({ timer: i });
      memo.remember(s, parse(s));
      memo.remember(s, parse(s));
      memo.get(s);
    }
  });
  t.equal(made, 0, 'lookups and remembering make no timer');

  memo.disable();
  t.equal(memo.get(text), undefined, 'disable() forgets everything');
});

// V8 hashes strings longer than 16,383 characters by their length alone: kept bodies of one such
// length would share one bucket, every lookup comparing texts (a CPU exhaustion). None is kept; a
// lookup of one costs what a lookup of a short body does.
t.test('bodies longer than V8 hashes in full are never kept (no bucket of equal-length bodies)', async (t) => {
  t.ok(MAX_REPEATED_BODY_CHARS <= 16_383, `the bound (${MAX_REPEATED_BODY_CHARS}) is within V8's full-hash length`);
  const memo = new RepeatedBodies();
  memo.enable(256 << 20, 60_000);
  const body = (i: number, length: number): string => {
    const head = `{"i":"${String(i).padStart(6, '0')}","s":"`;
    return `${head}${'a'.repeat(length - head.length - 2)}"}`;
  };
  t.equal(body(1, 16_384).length, 16_384);
  // Each body twice: kept (parsed) if it may be.
  for (let i = 0; i < 1000; i++) for (let k = 0; k < 2; k++) memo.remember(body(i, 16_384), parse(body(i, 16_384)));
  t.equal(memo.status()?.entries, 0, 'no body of 16,384 characters is kept');
  const atBound = body(0, MAX_REPEATED_BODY_CHARS);
  memo.remember(atBound, parse(atBound));
  memo.remember(atBound, parse(atBound));
  t.ok(memo.get(atBound) !== undefined, 'a body at the bound is kept');
});

t.test("a deeply frozen input's cache key is made once per snapshot and path, and equals a fresh input's; a shallow-frozen one's is not kept", async (t) => {
  const revisions = { b: 'r1' };
  const input = deepFreeze({ z: 1, a: [1, { x: 2 }] });
  t.ok(isDeeplyFrozen(input) && Object.isFrozen(input.a[1]), 'frozen all the way down');
  const k1 = decisionCacheKey({ revisions, digests: undefined, path: 'ai/tools/decision', input });
  t.equal(decisionCacheKey({ revisions, digests: undefined, path: 'ai/tools/decision', input }), k1);
  t.equal(
    decisionCacheKey({ revisions, digests: undefined, path: 'ai/tools/decision', input: { a: [1, { x: 2 }], z: 1 } }),
    k1,
    'the same key as an unfrozen equal input',
  );
  t.not(decisionCacheKey({ revisions: { b: 'r2' }, digests: undefined, path: 'ai/tools/decision', input }), k1, 'another snapshot: another key');
  t.not(decisionCacheKey({ revisions, digests: undefined, path: 'ai/deployment/decision', input }), k1, 'another path: another key');
  t.equal(decisionCacheKey({ revisions, digests: undefined, path: 'ai/tools/decision', input }), k1, 'and back');

  // Object.freeze freezes one level: what is below may change, and the key must follow it.
  const inner = { x: 2 };
  const shallow = Object.freeze({ z: 1, a: [1, inner] });
  t.equal(decisionCacheKey({ revisions, digests: undefined, path: 'ai/tools/decision', input: shallow }), k1);
  inner.x = 3;
  t.not(decisionCacheKey({ revisions, digests: undefined, path: 'ai/tools/decision', input: shallow }), k1, 'a change below a shallow freeze changes the key');
  t.notOk(isDeeplyFrozen(shallow));
});

async function appWith(env: Record<string, string>): Promise<{ app: FastifyInstance; inputs: unknown[] }> {
  const inputs: unknown[] = [];
  const policies = jsPolicies({ 'ai/tools/decision': (input) => ({ allow: (input as { tool?: { name?: string } }).tool?.name === 'search' }) });
  const app = await injectApp({
    policies,
    env: { PDP_DECISION_LOG_STDOUT: 'false', ...env },
    setup: (a) => a.addHook('onReady', async () => a.pipeline.addRecorder({ log: (r: DecisionRecord) => void inputs.push(r.input) })),
  });
  return { app, inputs };
}

const post = (app: FastifyInstance, url: string, body: string) => injectJson(app, url, body);

t.test("through the app: the third equal body reuses the second one's frozen parse, and its answer is the same", async (t) => {
  const { app, inputs } = await appWith({ PDP_CACHE_ENABLED: 'true' });
  t.teardown(() => app.close());
  const body = JSON.stringify({ agent: { id: 'a1' }, tool: { name: 'search' }, arguments: { q: 'x' } });
  const answers = [];
  for (let i = 0; i < 4; i++) answers.push(await post(app, '/v1/decisions/tool-call', body));
  app.pipeline.flushRecords();
  t.same(
    answers.map((a) => [a.status, (a.json as { allow: boolean }).allow, (a.json as { cached: boolean }).cached]),
    [
      [200, true, false],
      [200, true, true],
      [200, true, true],
      [200, true, true],
    ],
  );
  t.equal(inputs.length, 4);
  t.not(inputs[0], inputs[1], 'the first two arrivals are parsed each');
  t.equal(inputs[2], inputs[1], 'the third reuses the second parse');
  t.equal(inputs[3], inputs[1], 'and so does the fourth');
  t.ok(Object.isFrozen(inputs[1]) && Object.isFrozen((inputs[1] as { tool: object }).tool), 'which is frozen');
  t.notOk(Object.isFrozen(inputs[0]));
  t.same(inputs[3], JSON.parse(body));

  // Another spelling of the same JSON: its own text, the same decision (the cache key is canonical).
  const spaced = JSON.stringify(JSON.parse(body), null, 1);
  const r = await post(app, '/v1/decisions/tool-call', spaced);
  t.same([r.status, (r.json as { cached: boolean }).cached], [200, true]);
});

t.test('hostile and invalid bodies are refused every time, however often they repeat', async (t) => {
  const { app } = await appWith({ PDP_CACHE_ENABLED: 'true' });
  t.teardown(() => app.close());
  // Bodies that fail parsing are never kept; valid JSON that fails the schema may be kept parsed
  // (the schema is checked after), and is refused on every arrival all the same.
  const cases: [string, string, RegExp, boolean][] = [
    ['prototype key', '{"tool":{"name":"search"},"__proto__":{"allow":true}}', /__proto__/, false],
    ['too deep', '{"tool":{"name":"x"},"a":' + '['.repeat(200) + ']'.repeat(200) + '}', /deeper/, false],
    ['not JSON', '{"tool":', /not valid JSON/, false],
    ['schema: tool missing', '{"agent":{"id":"a1"}}', /\/tool/, true],
    ['schema: tool.name not a string', '{"agent":{"id":"a1"},"tool":{"name":7}}', /\/tool\/name/, true],
  ];
  for (const [name, body, message, parses] of cases) {
    for (let i = 0; i < 3; i++) {
      const r = await post(app, '/v1/decisions/tool-call', body);
      t.equal(r.status, 400, `${name}, arrival ${i + 1}: 400`);
      t.match(r.text, message, `${name}, arrival ${i + 1}: says why`);
    }
    t.equal(app.repeatedBodies.get(body) !== undefined, parses, `${name}: ${parses ? 'kept parsed, refused by the schema' : 'never kept'}`);
  }
});

t.test('only decision routes with the cache on: not with the cache off, not on the Data API', async (t) => {
  const off = await appWith({ PDP_CACHE_ENABLED: 'false' });
  t.teardown(() => off.app.close());
  t.notOk(off.app.repeatedBodies.enabled, 'cache off: off');
  const body = JSON.stringify({ agent: { id: 'a1' }, tool: { name: 'search' } });
  for (let i = 0; i < 3; i++) {
    const r = await post(off.app, '/v1/decisions/tool-call', body);
    t.equal(r.status, 200, r.text);
  }
  off.app.pipeline.flushRecords();
  t.ok(
    off.inputs.every((x, i) => off.inputs.indexOf(x) === i && !Object.isFrozen(x)),
    'every arrival parsed on its own',
  );

  const zero = await appWith({ PDP_CACHE_ENABLED: 'true', PDP_CACHE_REPEATED_BODIES_BYTES: '0' });
  t.teardown(() => zero.app.close());
  t.notOk(zero.app.repeatedBodies.enabled, 'PDP_CACHE_REPEATED_BODIES_BYTES=0: off');

  const on = await appWith({ PDP_CACHE_ENABLED: 'true' });
  t.teardown(() => on.app.close());
  const data = JSON.stringify({ input: { tool: { name: 'search' } } });
  for (let i = 0; i < 3; i++) t.equal((await post(on.app, '/v1/data/ai/tools/decision', data)).status, 200);
  t.equal(on.app.repeatedBodies.get(data), undefined, 'Data API bodies are not kept (their numbers are read exactly)');
});

t.test('a real server: every record of a repeated body is masked on its own, none is lost, the input is never changed', async (t) => {
  const dir = t.testdir();
  await writeBundle(dir, {
    '.manifest': JSON.stringify({ revision: 'rb1', roots: ['ai', 'system'] }),
    'ai/tools/policy.rego':
      'package ai.tools\n\ndecision := {"allow": input.tool.name == "lookup", "reasons": [], "obligations": [], "exceptions_applied": []}\n',
    // One rule that reads the record's own id (evaluated per record), one removal.
    'system/log/mask.rego':
      'package system.log\n\nmask contains {"op": "upsert", "path": "/input/arguments/secret", "value": input.decision_id}\n\nmask contains "/input/arguments/drop"\n',
  });
  const pdp = await startPdp({ bundleDir: dir, env: { PDP_CACHE_ENABLED: 'true', PDP_DECISION_LOG_MASK_PATHS: '/input/arguments/note' } });
  t.teardown(() => pdp.close());
  const body = toolCall('lookup', { arguments: { secret: 'S3cret', drop: 'x', note: 'n', keep: [1, { k: 'v' }] } });
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await postJson(`${pdp.url}/v1/decisions/tool-call`, body);
    t.equal(r.status, 200);
    t.equal(r.json.allow, true);
    t.equal(r.json.cached, i > 0);
    ids.push(String(r.json.decision_id));
  }
  t.ok(Object.isFrozen(pdp.server.app.repeatedBodies.get(JSON.stringify(body))?.value), 'the body was kept parsed (frozen) and shared');
  const status = (await getJson(`${pdp.url}/v1/pdp/status`)).json as { cache: { repeated_bodies?: { entries: number; bytes: number; max_bytes: number } } };
  t.match(status.cache.repeated_bodies, { entries: 1, max_bytes: 4 * 1024 * 1024 }, '/v1/pdp/status shows what it holds');
  t.ok((status.cache.repeated_bodies?.bytes ?? 0) > 4 * JSON.stringify(body).length, 'and its estimated size');
  for (const id of ids) {
    const rec = (await getJson(`${pdp.url}/v1/decisions/${id}`)).json;
    t.same(rec.input, { ...toolCall('lookup'), arguments: { secret: id, keep: [1, { k: 'v' }] } }, `record ${id}: masked with its own id, the rest erased`);
  }
  await until(() => pdp.stdout.length >= 5);
  t.same(
    pdp.stdout.map((l) => (l.input as { arguments: { secret: string } }).arguments.secret),
    ids,
    'every record reached the sink, each with its own masking',
  );
});

t.test('AuthZEN evaluation: a repeated request reuses its parse and its policy input; the answers and records are the same', async (t) => {
  // Raw records: the certification bundle has no mask policy (its records would leave the input out).
  const az = await startAuthzen({ env: { PDP_CACHE_ENABLED: 'true', PDP_DECISION_LOG_RAW: 'true' } });
  t.teardown(() => az.close());
  const req = { subject: { type: 'user', id: 'alice' }, action: { name: 'read' }, resource: { type: 'record', id: 'record-1' }, context: { n: [1, 2] } };
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await az.post(EVALUATION, req);
    t.equal(r.status, 200);
    t.equal((r.json as Decision).decision, true, `arrival ${i + 1}: permit`);
    ids.push(String((r.json as Decision).context?.decision_id));
  }
  const kept = az.server.app.repeatedBodies.get(JSON.stringify(req));
  t.ok(Object.isFrozen(kept?.value), 'the request was kept parsed (frozen)');
  const records = await Promise.all(ids.map(async (id) => (await getJson(`${az.url}/v1/decisions/${id}`)).json));
  t.same(
    records.map((r) => r.cached),
    [false, true, true, true],
    'the first evaluated, the others hit the decision cache',
  );
  for (const r of records)
    t.same(r.input, { subject: req.subject, resource: req.resource, action: req.action, context: req.context }, 'each record has the input');
  // Another mapping of the same frozen request is its own input (src/authzen/mapping.ts).
  t.not(policyInput(kept?.value as EvaluationRequest, 'mcp-tool-call'), policyInput(kept?.value as EvaluationRequest, 'authzen'));
  t.equal(policyInput(kept?.value as EvaluationRequest, 'authzen'), policyInput(kept?.value as EvaluationRequest, 'authzen'), 'made once per mapping');
});

t.test('PDP_CACHE_REPEATED_BODIES_BYTES: hostile values are refused at start, naming the variable', async (t) => {
  for (const bad of ['-1', '1.5', 'lots', '1e30', '0x10']) {
    const issues = configIssues({ PDP_CACHE_REPEATED_BODIES_BYTES: bad });
    t.ok(issues.length > 0, `${bad}: refused`);
    t.match(JSON.stringify(issues), /PDP_CACHE_REPEATED_BODIES_BYTES|repeated_bodies_bytes/, `${bad}: the issue names the setting`);
  }
  t.same(configIssues({ PDP_CACHE_REPEATED_BODIES_BYTES: '0' }), [], '0 (off) is valid');
  t.same(configIssues({ PDP_CACHE_REPEATED_BODIES_BYTES: '1048576' }), []);
});
