// A cache hit's answer is written around kept text (src/api/shared-answer-text.ts): its bytes must
// be exactly what the route's response serializer writes, for hostile strings too.
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { sharedAnswerText } from '../../src/api/shared-answer-text.js';
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
  const { app } = await appWith();
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
  }
});

t.test('the kept text against the serializer itself: ids, trace ids, cached, and parts that change', async (t) => {
  const { app, serializer } = await appWith();
  t.teardown(() => app.close());
  await injectJson(app, '/v1/decisions/tool-call', { agent: { id: 'a1' }, tool: { name: 'search' } });
  const serialize = serializer();
  const policy = Object.freeze({ path: 'ai/tools/decision', bundles: Object.freeze({ b: 'r1' }) });
  const reasons = [{ code: 'R', message: 'm "quoted"' }];
  const obligations = [{ type: 'o' }];
  const exceptions: DecisionAnswerBody['exceptions_applied'] = [];
  const base: DecisionAnswerBody = { decision_id: 'd1', allow: false, reasons, obligations, exceptions_applied: exceptions, policy, cached: true };
  const cases: DecisionAnswerBody[] = [
    base,
    { ...base, trace_id: '0af7651916cd43dd8448eb211c80319c' },
    { ...base, decision_id: 'hostile " \\ \u0000 \ud800 id', trace_id: 'x"y', cached: false },
    // The same reasons array with another policy or allow: not the kept text of the first.
    { ...base, policy: Object.freeze({ path: 'other/path', bundles: Object.freeze({ b: 'r2' }), digests: Object.freeze({ b: 'ff' }) }) },
    { ...base, allow: true },
    { ...base, obligations: [{ type: 'other' }] },
    base,
  ];
  for (const body of cases) {
    t.equal(
      sharedAnswerText(body, serialize),
      serialize({ ...body }),
      `${JSON.stringify(body)
        .slice(0, 80)
        .replace(/[^\x20-\x7e]/g, '?')}…`,
    );
  }
  // A serializer whose text cannot be split around the shared parts: the caller writes it whole.
  const pretty = (b: DecisionAnswerBody): string => JSON.stringify(b, null, 1);
  t.equal(sharedAnswerText({ ...base, reasons: [...reasons] }, pretty), undefined);
});
