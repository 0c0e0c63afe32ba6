// Decision answers are written around kept text (src/api/answer-text.ts): their bytes must be
// exactly what the route's response serializer writes, for hostile strings too — evaluated
// answers and cache hits alike.
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { AnswerWriter } from '../../src/api/answer-text.js';
import type { DecisionAnswerBody } from '../../src/decisions/types.js';
import { injectApp, injectJson, type HttpResult } from '../helpers/http.js';
import { jsPolicies } from '../helpers/js-engine.js';

// Strings fast-json-stringify escapes itself, ones it hands to JSON.stringify (control
// characters, lone surrogates), and ones neither escapes.
const HOSTILE = [
  '',
  'plain',
  'quote " and backslash \\ and both \\"',
  'control \u0000\u0001\u001f\n\t',
  'separators \u2028\u2029',
  'lone \ud800 and \udfff surrogates',
  'pair 😀 and é',
  '</script><!--',
  'long '.repeat(2000),
];

type Serialize = (body: DecisionAnswerBody) => string;

async function appWith(): Promise<{ app: FastifyInstance; serializer: () => Serialize }> {
  let captured: Serialize | undefined;
  const policies = jsPolicies({
    'ai/tools/decision': (input) => {
      const note = (input as { arguments?: { note?: string } }).arguments?.note ?? '';
      return {
        allow: note === 'plain',
        reasons: [{ code: 'NOTE', control: note, message: `saw ${note}`, extra: { note, n: 1e21, f: 0.1, neg: -0 } }],
        obligations: [{ type: 'log', reason: note, params: [note, 2, null, true] }],
        exceptions_applied: note === '' ? [] : [{ id: note, expires_at: '2027-01-01T00:00:00Z' }],
      };
    },
  });
  const app = await injectApp({
    policies,
    env: { PDP_CACHE_ENABLED: 'true' },
    setup: (a) =>
      a.addHook('onSend', async (request, reply) => {
        if (request.url === '/v1/decisions/tool-call') captured ??= reply.getSerializationFunction('200') as unknown as Serialize;
      }),
  });
  return {
    app,
    serializer: () => {
      if (captured === undefined) throw new Error('no serializer captured');
      return captured;
    },
  };
}

/** The answer with what differs between two answers to one question written alike. */
function normalized(r: HttpResult): string {
  const j = r.json as { decision_id: string; trace_id?: string };
  let text = r.text.replace(JSON.stringify(j.decision_id), '"ID"').replace(/"cached":(true|false)/, '"cached":X');
  if (j.trace_id !== undefined) text = text.replace(JSON.stringify(j.trace_id), '"TRACE"');
  return text;
}

t.test("a hit's answer is byte for byte what the serializer writes for an evaluated one", async (t) => {
  const { app, serializer } = await appWith();
  t.teardown(() => app.close());
  for (const note of HOSTILE) {
    const body = JSON.stringify({ agent: { id: 'a1' }, tool: { name: 'search' }, arguments: { note } });
    const first = await injectJson(app, '/v1/decisions/tool-call', body);
    const second = await injectJson(app, '/v1/decisions/tool-call', body);
    const third = await injectJson(app, '/v1/decisions/tool-call', body);
    // ASCII only: a raw U+2028 in a test name ends tap's line.
    const label = JSON.stringify(note.slice(0, 30)).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    t.same(
      [first.status, second.status, third.status, (first.json as { cached: boolean }).cached, (third.json as { cached: boolean }).cached],
      [200, 200, 200, false, true],
      `${label}: evaluated, then hits`,
    );
    t.equal(normalized(second), normalized(first), `${label}: the hit's bytes`);
    t.equal(normalized(third), normalized(first), `${label}: and the next hit's`);
    t.equal(second.headers['content-type'], first.headers['content-type'], `${label}: the same content type`);
    t.not((second.json as { decision_id: string }).decision_id, (third.json as { decision_id: string }).decision_id, `${label}: each its own decision id`);
    t.equal(second.headers['content-length'], String(Buffer.byteLength(second.text)), `${label}: content-length counts bytes`);
    // The evaluated answer too is written around kept text (its policy's): the serializer's bytes.
    t.equal(first.text, serializer()(first.json as DecisionAnswerBody), `${label}: the evaluated answer is the serializer's text`);
  }
});

t.test('the kept text against the serializer itself: ids, trace ids, cached, policies, and parts that change', async (t) => {
  const { app, serializer } = await appWith();
  t.teardown(() => app.close());
  await injectJson(app, '/v1/decisions/tool-call', { agent: { id: 'a1' }, tool: { name: 'search' } });
  const serialize = serializer();
  const writer = new AnswerWriter(serialize);
  const policy = Object.freeze({ path: 'ai/tools/decision', bundles: Object.freeze({ b: 'r1' }) });
  const hostilePolicy = Object.freeze({
    path: 'a "quoted" \\ path \u2028',
    bundles: Object.freeze({ 'b "1"': 'r\u0000', '': '' }),
    digests: Object.freeze({ 'b "1"': 'ff \ud800' }),
  });
  const reasons = [{ code: 'R', message: 'm "quoted"' }];
  const obligations = [{ type: 'o' }];
  const exceptions: DecisionAnswerBody['exceptions_applied'] = [];
  const base: DecisionAnswerBody = { decision_id: 'd1', allow: false, reasons, obligations, exceptions_applied: exceptions, policy, cached: true };
  const empty: DecisionAnswerBody = { ...base, reasons: [], obligations: [], exceptions_applied: [] };
  const cases: DecisionAnswerBody[] = [
    base,
    { ...base, trace_id: '0af7651916cd43dd8448eb211c80319c' },
    { ...base, decision_id: 'hostile " \\ \u0000 \ud800 id', trace_id: 'x"y', cached: false },
    // The same reasons array with another policy or allow: not the kept text of the first.
    { ...base, policy: Object.freeze({ path: 'other/path', bundles: Object.freeze({ b: 'r2' }), digests: Object.freeze({ b: 'ff' }) }) },
    { ...base, allow: true },
    { ...base, obligations: [{ type: 'other' }] },
    { ...base, policy: hostilePolicy },
    { ...base, reasons: [], exceptions_applied: [{ id: 'x', expires_at: '2027-01-01T00:00:00Z' }] },
    empty,
    { ...empty, allow: true, trace_id: 'abc' },
    { ...empty, policy: hostilePolicy },
    { ...empty, allow: true },
    base,
  ];
  for (const shared of [false, true]) {
    for (const body of cases) {
      t.equal(
        writer.text(body, shared),
        serialize({ ...body }),
        `${shared ? 'shared' : 'fresh'} ${JSON.stringify(body)
          .slice(0, 80)
          .replace(/[^\x20-\x7e]/g, '?')}…`,
      );
    }
  }
  // Ids the pipeline made (a UUID, W3C hex: DecisionAnswer.plainIds) are written without the
  // escape test, and come out as the serializer writes them.
  const made: DecisionAnswerBody = { ...base, decision_id: '95c07048-1819-410a-8a12-79ae20073797', trace_id: '0af7651916cd43dd8448eb211c80319c' };
  for (const shared of [false, true]) t.equal(writer.text(made, shared, true), serialize({ ...made }), `plain ids, ${shared ? 'shared' : 'fresh'}`);
  // A serializer whose text cannot be split around the kept parts: the caller writes it whole.
  const pretty = new AnswerWriter((b: DecisionAnswerBody): string => JSON.stringify(b, null, 1));
  t.equal(pretty.text({ ...base, reasons: [...reasons] }, true), undefined);
  t.equal(pretty.text(base, false), undefined);
  t.equal(pretty.text(empty, false), undefined);
  // One that writes the decision's parts as expected but the policy otherwise.
  const odd = new AnswerWriter((b: DecisionAnswerBody): string =>
    b.policy === policy ? serialize({ ...b }).replace('"policy":', '"policy" :') : serialize({ ...b }),
  );
  t.equal(odd.text(empty, false), undefined, 'a policy text that does not start as expected is not used');
  t.equal(odd.text({ ...empty, policy: hostilePolicy }, false), serialize({ ...empty, policy: hostilePolicy }), 'other policies still are');
});
