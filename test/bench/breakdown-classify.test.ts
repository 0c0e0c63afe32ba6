// bench/breakdown/classify.mjs: profile samples to stages. Synthetic V8 profiles with the stacks
// the real server shows (checked against `npm run bench:breakdown -- --keep` profiles): the mask
// policy's Rego evaluation under src/decisionlog is audit, the decision's own is evaluate; fastify
// runs the handler inside the body parser's callback, which must not make the handler "parse".
import t from 'tap';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
  scriptId: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}
interface Attribution {
  samples: number;
  idle: number;
  byStage: Map<string, number>;
  byPart: Map<string, number>;
  unmatched: Map<string, number>;
}
interface Classify {
  STAGES: string[];
  RULES: [string, boolean, RegExp, string][];
  whereOf(url: string, root: string): string;
  attribute(profile: Profile, root: string, fromUs?: number, toUs?: number): Attribution;
  merge(parts: Attribution[]): Attribution;
}
// The bench scripts are plain JavaScript (bench/ runs without a build): typed here by their use.
const lib = (await import(new URL('../../bench/breakdown/classify.mjs', import.meta.url).href)) as Classify;

const ROOT = '/checkout/';
const dist = (f: string) => `file://${ROOT}dist/${f}`;
const npm = (f: string) => `file://${ROOT}node_modules/${f}`;

/** A profile from stacks (root first: [functionName, url]), one sample per stack, 1 ms apart from startTime 1000. */
function profile(stacks: [string, string][][]): Profile {
  const nodes: ProfileNode[] = [{ id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1, scriptId: '0' }, children: [] }];
  const samples: number[] = [];
  for (const stack of stacks) {
    let parent = nodes[0];
    for (const [functionName, url] of stack) {
      const found = (parent.children ?? []).map((id) => nodes[id - 1]).find((n) => n.callFrame.functionName === functionName && n.callFrame.url === url);
      if (found) {
        parent = found;
        continue;
      }
      const node: ProfileNode = { id: nodes.length + 1, callFrame: { functionName, url, lineNumber: 0, columnNumber: 0, scriptId: '1' }, children: [] };
      nodes.push(node);
      parent.children!.push(node.id);
      parent = node;
    }
    samples.push(parent.id);
  }
  return { nodes, startTime: 1000, endTime: 1000 + 1000 * stacks.length, samples, timeDeltas: samples.map(() => 1000) };
}

const HANDLER: [string, string][] = [
  ['processTicksAndRejections', 'node:internal/process/task_queues'],
  ['onEnd', npm('fastify/lib/content-type-parser.js')],
  ['parseJson', dist('api/body-parser.js')],
  ['onDone', npm('fastify/lib/content-type-parser.js')],
  ['handler', npm('fastify/lib/handle-request.js')],
  ['handler', dist('api/routes/decisions.js')],
  ['decide', dist('decisions/pipeline.js')],
];
const FLUSH: [string, string][] = [
  ['processImmediate', 'node:internal/timers'],
  ['flushRecords', dist('decisions/pipeline.js')],
];

t.test('stages of real-looking stacks', async (t) => {
  const stacks: Record<string, [string, string][]> = {
    parse: [...HANDLER.slice(0, 3), ['_parse', npm('secure-json-parse/index.js')]],
    evaluate: [
      ...HANDLER,
      ['evaluate', dist('decisions/pipeline.js')],
      ['evaluateSafely', dist('decisions/pipeline.js')],
      ['evalBody', dist('rego/eval/evaluator.js')],
    ],
    audit: [
      ...FLUSH,
      ['log', dist('decisionlog/decision-log.js')],
      ['mask', dist('decisionlog/mask/masker.js')],
      ['evaluate', dist('engines/rego.js')],
      ['conv', dist('rego/value.js')],
    ],
    nativeMask: [
      ...FLUSH,
      ['log', dist('decisionlog/decision-log.js')],
      ['mask', dist('decisionlog/mask/masker.js')],
      ['walk', dist('decisionlog/mask/default-mask.js')],
    ],
    metrics: [...FLUSH, ['log', dist('telemetry/metrics.js')], ['observe', npm('prom-client/lib/histogram.js')]],
    span: [
      ...HANDLER,
      ['begin', dist('decisions/pipeline.js')],
      ['start', dist('telemetry/decision-tracer.js')],
      ['startSpan', npm('@opentelemetry/sdk-trace/build/src/Tracer.js')],
      ['randomFillSync', 'node:internal/crypto/random'],
    ],
    key: [...HANDLER, ['get', dist('cache/decision-cache.js')], ['decisionCacheKey', dist('cache/key.js')], ['hash', 'node:internal/crypto/hash']],
    cache: [...HANDLER, ['get', dist('cache/decision-cache.js')], ['get', npm('lru-cache/dist/esm/index.js')]],
    validate: [...HANDLER.slice(0, 5), ['validate', npm('fastify/lib/validation.js')], ['validate23', '']],
    serialize: [
      ['processTicksAndRejections', 'node:internal/process/task_queues'],
      ['send', npm('fastify/lib/reply.js')],
      ['serialize', npm('fastify/lib/reply.js')],
      ['anonymous0', ''],
    ],
    write: [
      ['processTicksAndRejections', 'node:internal/process/task_queues'],
      ['send', npm('fastify/lib/reply.js')],
      ['onSendEnd', npm('fastify/lib/reply.js')],
      ['end', 'node:_http_outgoing'],
      ['writev', ''],
    ],
    shape: [...HANDLER, ['shapeDecision', dist('decisions/answer.js')]],
    gc: [['(garbage collector)', '']],
    // the route handler's own time (the pipeline's decide() below it assembles the answer: shape)
    framework: HANDLER.slice(0, 6),
    unmatched: [['somethingNew', 'file:///elsewhere/x.js']],
  };
  const keys = Object.keys(stacks);
  const a = lib.attribute(profile(keys.map((k) => stacks[k])), ROOT);
  t.equal(a.samples, keys.length);
  const expected: Record<string, string> = {
    parse: 'parse',
    evaluate: 'evaluate',
    audit: 'audit record',
    nativeMask: 'audit record',
    metrics: 'metrics',
    span: 'span',
    key: 'key',
    cache: 'cache',
    validate: 'validate',
    serialize: 'serialize',
    write: 'write',
    shape: 'shape',
    gc: 'gc',
  };
  // one sample per stack: each stage count is the number of stacks expected there
  const want = new Map<string, number>();
  for (const k of keys) {
    const st = expected[k] ?? 'framework/other';
    want.set(st, (want.get(st) ?? 0) + 1);
  }
  t.same(Object.fromEntries(a.byStage), Object.fromEntries(want), "every stack in its stage (the mask policy's Rego is audit; the handler is not parse)");
  t.same(
    Object.fromEntries(a.byPart),
    { 'audit record › mask policy (Rego)': 1, 'audit record › mask policy (native)': 1 },
    "the audit samples: the mask policy's evaluation, and the default mask computed natively",
  );
  t.same([...a.unmatched.keys()], ['somethingNew /elsewhere/x.js:1'], 'only the stack no rule knows is listed as unclassified');
  for (const s of a.byStage.keys()) t.ok(lib.STAGES.includes(s), `${s} is a declared stage`);
  for (const stage of new Set(lib.RULES.map((r) => r[0]))) t.ok(lib.STAGES.includes(stage), `rule stage ${stage} is declared`);
});

t.test('the measured window and idle samples', async (t) => {
  const p = profile([[['(idle)', '']], [['(garbage collector)', '']], [['(garbage collector)', '']], [['(program)', '']]]);
  // samples at 2000, 3000, 4000, 5000 µs
  const all = lib.attribute(p, ROOT);
  t.equal(all.idle, 1, 'idle is counted apart');
  t.equal(all.samples, 3, 'and left out of the shares');
  const window = lib.attribute(p, ROOT, 2500, 4000);
  t.same(Object.fromEntries(window.byStage), { gc: 2 }, 'only samples inside [from, to]');
  const merged = lib.merge([all, window]);
  t.equal(merged.samples, 5, 'profiles of several processes (cluster workers) add up');
  t.equal(merged.byStage.get('gc'), 4);
});

t.test('where a frame comes from', async (t) => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  t.equal(lib.whereOf(`file://${root}dist/decisionlog/mask/masker.js`, root), 'src/decisionlog/mask/masker');
  t.equal(lib.whereOf(`file://${root}node_modules/ajv/dist/core.js`, root), 'npm:ajv/dist/core.js', "a dependency's dist/ is not ours");
  t.equal(lib.whereOf('node:_http_outgoing', root), 'node:_http_outgoing');
  t.equal(lib.whereOf('', root), '', 'native and generated code');
  t.equal(lib.whereOf(`file://${root}node_modules/a/node_modules/b/x.js`, root), 'npm:b/x.js', 'the innermost package');
});
