// Attribution of V8 CPU-profile samples (node --cpu-prof) to the stages of one decision.
//
// Each sample is a stack. It is walked from the root to the leaf; every frame is looked up in
// RULES (first matching rule wins for that frame); the sample's stage is the stage of the deepest
// frame that matched — except that a frame whose rule is `sticky` claims everything beneath it
// (the mask policy's Rego evaluation under src/decisionlog is audit work, not evaluate; a span's
// ID generation under @opentelemetry is span work). Non-sticky rules let a deeper frame say
// better: fastify runs the route handler inside the body parser's callback, so the parse rule on
// the body parser must give way to handle-request.js (framework) and everything below it.
// Samples where no frame matched fall into framework/other and are listed by `unclassified()`
// so that the rules can be improved.
//
// A frame is matched as the string `<where>#<function>`, where <where> is
//   src/<path>            a file of this project (the compiled dist/<path>.js, named as its source)
//   npm:<package>/<path>  a dependency under node_modules
//   node:<module>         a Node.js built-in
//   (empty)               V8/native code and code generated at run time (new Function: ajv's
//                         validators, fast-json-stringify's serializers)
// e.g. `src/decisionlog/mask/masker#mask`, `npm:fastify/lib/reply.js#serialize`, `node:net#Socket._writev`,
// `#(garbage collector)`.

export const STAGES = [
  'parse',
  'validate',
  'auth',
  'key',
  'cache',
  'redis client',
  'evaluate',
  'shape',
  'serialize',
  'audit record',
  'span',
  'metrics',
  'write',
  'gc',
  'framework/other',
];

/** The one table: [stage, sticky, pattern on `<where>#<function>`, why]. Order matters (first match). */
export const RULES = [
  // V8 itself
  ['gc', true, /^#\(garbage collector\)$/, 'V8 garbage collection on the main thread (stop-the-world parts)'],
  ['framework/other', true, /^#\(program\)$/, 'V8/native time not attributed to a JS function'],

  // Work that owns everything beneath it (sticky)
  ['audit record', true, /^src\/decisionlog\//, "decision log: record, masking (incl. the mask policy's Rego evaluation), record JSON, sinks"],
  [
    'audit record',
    false,
    /^src\/decisions\/pipeline#(finish|flushRecords)$/,
    'the pipeline builds the DecisionRecord and hands it to recorders (metrics/span recorders below it say so)',
  ],
  ['span', true, /^npm:@opentelemetry\//, 'OpenTelemetry SDK'],
  ['span', true, /^src\/telemetry\/(decision-tracer|tracing|tracing-handle)#/, 'tracing'],
  ['span', true, /^src\/decisions\/pipeline#startChild$/, 'child spans of a decision'],
  ['metrics', true, /^npm:prom-client\//, 'Prometheus client'],
  ['metrics', true, /^src\/(telemetry\/(metrics|decision-counts)|plugins\/metrics)#/, "the service's metrics"],
  ['auth', true, /^src\/(auth\/|plugins\/auth#)/, 'authentication and authorization of the caller'],
  ['key', true, /^src\/cache\/key#/, 'cache key (canonical input, hashing)'],
  [
    'redis client',
    true,
    /^npm:(ioredis|redis-errors|redis-parser|denque|cluster-key-slot|standard-as-callback)\//,
    "ioredis: the cache tier's commands and every reply (the stream sink's commands are audit record work)",
  ],
  ['cache', false, /^src\/cache\//, 'cache lookup and store'],
  ['cache', false, /^src\/decisions\/pipeline#(cacheGet|cacheSet)$/, "the pipeline's cache calls"],
  ['evaluate', true, /^src\/(engines|rego)\//, 'the policy engine (outside the decision log)'],
  ['evaluate', true, /^src\/bundles\/policy-set#/, 'the active policy set dispatching to an engine'],
  ['evaluate', true, /^src\/decisions\/pipeline#(evaluateSafely|evaluateAsyncSafely|budgetFor|observing)$/, 'the pipeline around the engine call'],
  ['shape', true, /^src\/decisions\/(answer|reasons|json-safe)#/, 'answer shaping from the policy result'],
  ['shape', false, /^src\/decisions\/pipeline#decide$/, 'the answer body is assembled here'],
  ['serialize', true, /^npm:fastify\/lib\/reply\.js#serialize$/, 'response serialization (the compiled fast-json-stringify serializer below it)'],
  ['serialize', true, /^npm:fast-json-stringify\//, 'fast-json-stringify'],
  ['serialize', true, /^src\/api\/answer-text#/, 'an answer written around its kept text'],
  ['serialize', true, /^npm:fastify\/lib\/(error-serializer|error-handler)\.js#/, 'error serialization'],
  ['validate', true, /^npm:fastify\/lib\/validation\.js#/, 'request schema validation (ajv-generated validators below it)'],
  ['validate', true, /^src\/(api\/validator|shared\/schemas)#/, "the service's validator compiler/schemas"],
  ['validate', true, /^npm:ajv(-formats)?\//, 'ajv'],

  // Body reading and JSON parsing: not sticky, because fastify runs the rest of the request
  // (validation, handler) inside the parser's completion callback.
  ['parse', false, /^npm:fastify\/lib\/content-type-parser\.js#/, 'reading the request body'],
  ['parse', false, /^src\/api\/(body-parser|json-shape|request-encoding)#/, "the service's JSON body parser"],
  ['parse', true, /^npm:secure-json-parse\//, 'JSON.parse with prototype-poisoning checks'],
  [
    'parse',
    false,
    /^node:internal\/streams\/readable#(addChunk|readableAddChunk|Readable\.push|Readable\.read|endReadableNT|emitReadable_|flow)$/,
    'request body stream',
  ],
  ['parse', false, /^node:_http_common#parserOnBody$/, 'request body bytes'],
  ['parse', false, /^#JSONParse$|^#parse$/, 'JSON.parse (native)'],

  // Writing the response: non-sticky (deeper rules, if any, say better).
  ['write', false, /^npm:fastify\/lib\/reply\.js#(onSendEnd|writePayload|safeWriteHead)$/, 'fastify hands the payload to node http'],
  ['write', false, /^node:_http_outgoing#/, 'node http outgoing message'],
  ['write', false, /^node:_http_server#(writeHead|_writeHead|ServerResponse\.writeHead)/, 'response head'],
  ['write', false, /^node:net#Socket\._write/, 'socket writes'],
  ['write', false, /^node:internal\/stream_base_commons#/, 'socket writes'],
  ['write', false, /^#(writev|writeBuffer|writeUtf8String|writeLatin1String)$/, "socket writes (native, incl. the kernel's time)"],

  // Framework and glue that resets a stage claimed by a non-sticky frame above (e.g. parse).
  ['framework/other', false, /^npm:fastify\/lib\/handle-request\.js#/, "fastify request lifecycle (runs inside the body parser's callback)"],
  ['framework/other', false, /^npm:fastify\/lib\/(hooks|route|reply|request|four-oh-four|context|wrap-thenable)\.js#/, 'fastify lifecycle'],
  ['framework/other', false, /^npm:fastify\/fastify\.js#/, 'fastify routing'],
  ['framework/other', false, /^npm:(find-my-way|avvio|@fastify\/[^/]+|pino|light-my-request|abstract-logging)\//, 'routing, plugins, logger'],
  ['framework/other', false, /^src\/(api|plugins|decisions|server)\b/, "the service's routes, hooks and pipeline glue"],
  ['framework/other', false, /^node:(_http_server|_http_common|_http_incoming)#/, 'node http parsing and request objects'],
  ['framework/other', false, /^node:internal\/(timers|process\/task_queues|async_hooks)#|^node:async_hooks#/, 'timers, microtasks'],
];

/**
 * Parts of a stage, printed under it ("of which"): [stage, part, patterns]. A sample of that stage
 * belongs to the first part whose every pattern matches some frame of its stack.
 */
export const PARTS = [
  ['cache', 'seal (HMAC keys, AES-GCM)', [/^src\/cache\/redis-seal#/]],
  ['audit record', 'mask policy (Rego)', [/^src\/decisionlog\/mask\//, /^src\/(rego|engines)\//]],
  ['audit record', 'mask policy (native)', [/^src\/decisionlog\/mask\/default-mask#/]],
  ['audit record', 'masking, other', [/^src\/decisionlog\/mask\//]],
  ['audit record', 'record JSON', [/^src\/decisionlog\/record-json#/]],
  ['audit record', 'sinks', [/^src\/decisionlog\/sinks\//]],
];

/** `<where>` for a profile URL (see the header), given the checkout's root directory. */
export function whereOf(url, root) {
  if (!url) return '';
  const u = url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url;
  if (u.startsWith('node:')) return u;
  const nm = u.lastIndexOf('/node_modules/');
  if (nm >= 0) return `npm:${u.slice(nm + '/node_modules/'.length)}`;
  if (u.startsWith(`${root}dist/`)) return `src/${u.slice(root.length + 5).replace(/\.js$/, '')}`;
  if (u.startsWith(root)) return u.slice(root.length);
  return u;
}

const ruleCache = new Map();
/** The rule matching one frame key, or null. */
function ruleFor(key) {
  let r = ruleCache.get(key);
  if (r === undefined) {
    r = RULES.find(([, , re]) => re.test(key)) ?? null;
    ruleCache.set(key, r);
  }
  return r;
}

/**
 * Attribute the samples of one profile taken within [fromUs, toUs] (profile timestamps: µs of
 * the monotonic clock, the clock of process.hrtime in every process on the machine).
 * Returns { samples, idle, byStage: Map(stage → samples), byPart: Map('stage › part' → samples),
 *   byStageFn: Map(stage → Map(fn → samples)), unmatched: Map(fn → samples) } — counts, idle
 *   samples excluded from the others.
 */
export function attribute(profile, root, fromUs = -Infinity, toUs = Infinity) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (n) => `${whereOf(n.callFrame.url, root)}#${n.callFrame.functionName}`;
  // stage and leaf function per node, memoised (stacks share prefixes)
  const nodeStage = new Map();
  const stageOfNode = (id) => {
    const known = nodeStage.get(id);
    if (known !== undefined) return known;
    const path = [];
    for (let x = id; x !== undefined; x = parent.get(x)) path.push(byId.get(x));
    path.reverse();
    let stage = null;
    for (const n of path) {
      const r = ruleFor(keyOf(n));
      if (!r) continue;
      stage = r[0];
      if (r[1]) break;
    }
    const keys = path.map(keyOf);
    const part = PARTS.find(([st, , res]) => st === stage && res.every((re) => keys.some((k) => re.test(k))));
    const hit = { stage, part: part ? `${stage} › ${part[1]}` : null };
    nodeStage.set(id, hit);
    return hit;
  };
  const out = { samples: 0, idle: 0, byStage: new Map(), byPart: new Map(), byStageFn: new Map(), unmatched: new Map() };
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < fromUs || t > toUs) continue;
    const node = byId.get(profile.samples[i]);
    if (node.callFrame.functionName === '(idle)') {
      out.idle++;
      continue;
    }
    out.samples++;
    const { stage: matched, part } = stageOfNode(node.id);
    const stage = matched ?? 'framework/other';
    out.byStage.set(stage, (out.byStage.get(stage) ?? 0) + 1);
    if (part) out.byPart.set(part, (out.byPart.get(part) ?? 0) + 1);
    const fn = `${node.callFrame.functionName || '(anonymous)'} ${whereOf(node.callFrame.url, root) || '(native)'}:${node.callFrame.lineNumber + 1}`;
    const m = out.byStageFn.get(stage) ?? new Map();
    m.set(fn, (m.get(fn) ?? 0) + 1);
    out.byStageFn.set(stage, m);
    if (matched === null) out.unmatched.set(fn, (out.unmatched.get(fn) ?? 0) + 1);
  }
  return out;
}

/** Sum of several attribute() results (one per process: a cluster primary and its workers). */
export function merge(parts) {
  const out = { samples: 0, idle: 0, byStage: new Map(), byPart: new Map(), byStageFn: new Map(), unmatched: new Map() };
  const add = (into, from) => {
    for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
  };
  for (const p of parts) {
    out.samples += p.samples;
    out.idle += p.idle;
    add(out.byStage, p.byStage);
    add(out.byPart, p.byPart);
    add(out.unmatched, p.unmatched);
    for (const [s, m] of p.byStageFn) {
      const into = out.byStageFn.get(s) ?? new Map();
      add(into, m);
      out.byStageFn.set(s, into);
    }
  }
  return out;
}

/** The top n entries of a Map(name → count), largest first. */
export function top(map, n) {
  return [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
}
