// The pipeline's extension points (cache, decision log, tracing) and its snapshot rule, tested
// with small real implementations of each interface.
import t from 'tap';
import type { ActivePolicySet } from '../../src/bundles/types.js';
import type { EvaluationOutcome } from '../../src/engines/types.js';
import { DecisionPipeline } from '../../src/decisions/pipeline.js';
import type {
  CacheEntry,
  CacheHit,
  CacheQuery,
  DecisionCache,
  DecisionQuery,
  DecisionRecord,
  DecisionSpan,
  DecisionTracer,
  SuccessfulOutcome,
} from '../../src/decisions/types.js';
import { turnsDuring } from '../helpers/loop-turns.js';
import { TieredDecisionCache } from '../../src/cache/decision-cache.js';
import { MemoryTier } from '../../src/cache/memory-tier.js';
import { EvalFailure, JsEngine, JsPolicySet, SwappablePolicies } from '../helpers/js-engine.js';

/** The pipeline makes audit records right after the answers (setImmediate): let that run. */
const afterAnswers = (): Promise<void> => new Promise((r) => setImmediate(r));

const TOOL: DecisionQuery = { kind: 'tool-call', path: 'ai/tools/decision', input: { tool: { name: 'x' } }, strict: false };

/** An in-process cache keyed like a real one would be: path + input + revisions. */
class MapCache implements DecisionCache {
  readonly store = new Map<string, CacheEntry>();
  sets = 0;
  key(k: CacheQuery): string {
    return JSON.stringify([k.path, k.input, k.strict, Object.entries(k.revisions).sort()]);
  }
  get(k: CacheQuery): CacheHit | undefined {
    const entry = this.store.get(this.key(k));
    return entry && { entry, tier: 'memory', shared: true };
  }
  set(k: CacheQuery, outcome: SuccessfulOutcome): void {
    this.sets++;
    const { engine } = outcome;
    this.store.set(
      this.key(k),
      outcome.defined ? { defined: true, result: outcome.result, engine, expiresAt: Infinity } : { defined: false, engine, expiresAt: Infinity },
    );
  }
}

function policiesWith(doc: (input: unknown) => unknown, revision = 'r1'): SwappablePolicies {
  const p = new SwappablePolicies('b');
  p.activate(new JsPolicySet(new JsEngine({ 'ai/tools/decision': doc }), { b: revision }));
  return p;
}

t.test('the snapshot is taken once, at the start: a swap during the request does not change its policy', async (t) => {
  const policies = policiesWith(() => ({ allow: false, reasons: [{ code: 'OLD' }] }), 'old');
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  // A slow cache (think: Redis) gives the swap a window to happen mid-request.
  const slowCache: DecisionCache = { get: () => gate.then(() => undefined), set: () => undefined };
  const pipeline = new DecisionPipeline({ policies, evaluation: {} });
  pipeline.useCache(slowCache);
  const pending = pipeline.decide(TOOL);
  policies.activate(new JsPolicySet(new JsEngine({ 'ai/tools/decision': () => ({ allow: true }) }), { b: 'new' }));
  release();
  const answer = await pending;
  t.equal(answer.body.allow, false);
  t.equal(answer.body.reasons[0]?.code, 'OLD');
  t.same(answer.body.policy.bundles, { b: 'old' });
  const next = await pipeline.decide(TOOL);
  t.same([next.body.allow, next.body.policy.bundles.b], [true, 'new'], 'the next request sees the new policy');
});

t.test('ids the pipeline made are marked plain (no escape test needed); ids from elsewhere are not', async (t) => {
  const policies = policiesWith(() => ({ allow: true }));
  const records: DecisionRecord[] = [];
  const made = new DecisionPipeline({ policies, evaluation: {} });
  made.addRecorder({ log: (r) => void records.push(r) });
  const injected = new DecisionPipeline({ policies, evaluation: {}, newId: () => 'id "from" a test' });
  injected.addRecorder({ log: (r) => void records.push(r) });
  const own = await made.decide(TOOL);
  const given = await made.decide({ ...TOOL, decisionId: 'uid-"from"-a-caller' });
  const fromTest = await injected.decide(TOOL);
  await afterAnswers();
  t.match(own.body.decision_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.same([own.plainIds, given.plainIds, fromTest.plainIds], [true, undefined, undefined], "the answer: plain only for randomUUID's ids");
  t.same(
    records.map((r) => [r.decision_id, r.plain_ids]),
    [
      [own.body.decision_id, true],
      ['uid-"from"-a-caller', false],
      ['id "from" a test', false],
    ],
  );
  t.match(records[0]?.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

t.test("requested_by is the peer's address and port, per request, whichever peer came before on that port", async (t) => {
  const policies = policiesWith(() => ({ allow: true }));
  const records: DecisionRecord[] = [];
  const pipeline = new DecisionPipeline({ policies, evaluation: {} });
  pipeline.addRecorder({ log: (r) => void records.push(r) });
  const peers: [string | undefined, number | undefined, string | undefined][] = [
    ['10.0.0.1', 5000, '10.0.0.1:5000'],
    ['10.0.0.1', 5000, '10.0.0.1:5000'],
    ['10.0.0.2', 5000, '10.0.0.2:5000'],
    ['::1', 5000, '[::1]:5000'],
    ['10.0.0.1', 5001, '10.0.0.1:5001'],
    ['10.0.0.1', undefined, '10.0.0.1'],
    [undefined, 5000, undefined],
    ['10.0.0.1', 5000, '10.0.0.1:5000'],
  ];
  for (const [remoteAddress, remotePort] of peers) await pipeline.decide({ ...TOOL, remoteAddress, remotePort });
  await afterAnswers();
  t.same(
    records.map((r) => r.requested_by),
    peers.map((p) => p[2]),
  );
});

t.test('cache: a hit skips the engine and says cached:true; the key includes the revision', async (t) => {
  let evaluations = 0;
  const policies = policiesWith(() => {
    evaluations++;
    return { allow: true };
  });
  const cache = new MapCache();
  const records: DecisionRecord[] = [];
  const pipeline = new DecisionPipeline({ policies, evaluation: {} });
  pipeline.useCache(cache);
  pipeline.addRecorder({ log: (r) => void records.push(r) });

  const first = await pipeline.decide(TOOL);
  t.equal(records.length, 0, 'a record is made after its answer, not before');
  const second = await pipeline.decide(TOOL);
  t.equal(evaluations, 1);
  t.same([first.body.cached, second.body.cached], [false, true]);
  t.equal(second.body.allow, true);
  t.not(first.body.decision_id, second.body.decision_id, 'a cached answer is still its own decision');
  await afterAnswers();
  t.same(
    records.map((r) => [r.cached, r.cache_tier]),
    [
      [false, undefined],
      [true, 'memory'],
    ],
  );

  // New revision → new key → evaluated again.
  policies.activate(new JsPolicySet(new JsEngine({ 'ai/tools/decision': () => (evaluations++, { allow: false }) }), { b: 'r2' }));
  const third = await pipeline.decide(TOOL);
  t.equal(third.body.cached, false);
  t.equal(third.body.allow, false);
  t.equal(evaluations, 2);

  // Undefined results are cached too (they are just as deterministic); errors are not.
  const undef = await pipeline.query({ kind: 'data', path: 'no/such', input: 1, strict: false });
  t.same(undef, { ok: true, decision_id: undef.decision_id, defined: false, revisions: { b: 'r2' } }, 'with the revisions that answered (OPA provenance)');
  t.equal((await pipeline.query({ kind: 'data', path: 'no/such', input: 1, strict: false })).ok, true);
  await afterAnswers();
  t.equal(records.at(-1)?.cached, true);
});

t.test('cache: every successful result is offered with its dependencies (the cache decides); errors never', async (t) => {
  const offered: unknown[] = [];
  let deps = { time: true, random: false, external: false };
  let fail = false;
  const set: ActivePolicySet = {
    revisions: { b: 'r' },
    engineFor: () => 'rego',
    evaluate: (): EvaluationOutcome =>
      fail
        ? { ok: false, code: 'eval_type_error', message: 'x', engine: 'rego' }
        : { ok: true, defined: true, result: { allow: true }, dependsOn: deps, engine: 'rego' },
  };
  const policies = new SwappablePolicies('b');
  policies.activate(set);
  const cache: DecisionCache = { get: () => undefined, set: (_k, outcome) => void offered.push([outcome.defined, outcome.dependsOn]) };
  const pipeline = new DecisionPipeline({ policies, evaluation: {} });
  pipeline.useCache(cache);
  await pipeline.decide(TOOL);
  deps = { time: false, random: false, external: false };
  await pipeline.decide(TOOL);
  fail = true;
  await pipeline.decide(TOOL);
  t.same(offered, [
    [true, { time: true, random: false, external: false }],
    [true, { time: false, random: false, external: false }],
  ]);
});

t.test('cache failures are misses, never failed decisions', async (t) => {
  const policies = policiesWith(() => ({ allow: true }));
  let unhandled = 0;
  const onUnhandled = (): void => void unhandled++;
  process.on('unhandledRejection', onUnhandled);
  t.teardown(() => void process.off('unhandledRejection', onUnhandled));
  // set() is declared void, but an implementation returning a (rejected) promise still
  // type-checks: the pipeline must not leave that rejection unhandled.
  const caches: DecisionCache[] = [
    {
      get: () => {
        throw new Error('down');
      },
      set: () => {
        throw new Error('down');
      },
    },
    { get: () => Promise.reject(new Error('down')), set: () => Promise.reject(new Error('down')) },
  ];
  for (const cache of caches) {
    const pipeline = new DecisionPipeline({ policies, evaluation: {} });
    pipeline.useCache(cache);
    const answer = await pipeline.decide(TOOL);
    t.equal(answer.status, 200);
    t.equal(answer.body.allow, true);
    t.equal(answer.body.cached, false);
  }
  await new Promise((r) => setTimeout(r, 20));
  t.equal(unhandled, 0, 'a rejected cache write is not an unhandled rejection');
});

t.test('decision log: exactly one record per decision, whatever the outcome', async (t) => {
  const records: DecisionRecord[] = [];
  const logger = { log: (r: DecisionRecord) => void records.push(r) };
  const docs: Record<string, unknown> = { ok: { allow: true }, bad: { allow: 'yes' } };
  const policies = policiesWith((input) => {
    const name = (input as { tool: { name: string } }).tool.name;
    if (name === 'boom') throw new EvalFailure('eval_budget_exceeded', 'too many steps');
    return docs[name];
  });
  const pipeline = new DecisionPipeline({ policies, evaluation: {} });
  pipeline.addRecorder(logger);
  const ask = (name: string) => pipeline.decide({ ...TOOL, input: { tool: { name } } });
  const answers = [await ask('ok'), await ask('none'), await ask('bad'), await ask('boom')];
  const empty = new DecisionPipeline({ policies: new SwappablePolicies(), evaluation: {} });
  empty.addRecorder(logger);
  answers.push(await empty.decide(TOOL));
  await afterAnswers();

  t.equal(records.length, 5);
  t.same(
    records.map((r) => r.outcome),
    ['decided', 'undefined', 'malformed', 'error', 'no_policy'],
  );
  t.same(
    records.map((r) => r.decision_id),
    answers.map((a) => a.body.decision_id),
    'record ids are the answer ids',
  );
  t.same(
    records.map((r) => r.decision?.allow),
    [true, false, false, false, false],
  );
  t.same(records[3]?.error, { code: 'eval_budget_exceeded', message: 'too many steps' });
  t.same(records[0]?.result, { allow: true });
  t.same(records[0]?.bundles, { b: 'r1' });
  t.equal(records[0]?.engine, 'rego');
  t.equal(records[4]?.engine, null);
  t.same(records[0]?.input, { tool: { name: 'ok' } });
  t.match(records[0]?.timestamp, /^\d{4}-\d\d-\d\dT/);
  t.type(records[0]?.duration_ms, 'number');

  const throwing = new DecisionPipeline({ policies, evaluation: {} });
  const afterFailing: DecisionRecord[] = [];
  throwing.addRecorder({
    log: () => {
      throw new Error('disk full');
    },
  });
  throwing.addRecorder({ log: (r) => void afterFailing.push(r) });
  const ok = await throwing.decide({ ...TOOL, input: { tool: { name: 'ok' } } });
  t.equal(ok.body.allow, true, 'a failing recorder does not change the answer');
  await afterAnswers();
  t.same(
    afterFailing.map((r) => r.decision_id),
    [ok.body.decision_id],
    'nor keep the other recorders from their record',
  );
});

t.test('recorders: every recorder receives every record; caller from the verified caller and peer address, or useCallerOf', async (t) => {
  const a: DecisionRecord[] = [];
  const b: DecisionRecord[] = [];
  const pipeline = new DecisionPipeline({ policies: policiesWith(() => ({ allow: true })), evaluation: {} });
  pipeline.addRecorder({ log: (r) => void a.push(r) });
  pipeline.addRecorder({ log: (r) => void b.push(r) });
  await pipeline.decide({ ...TOOL, remoteAddress: '10.0.0.7' });
  await pipeline.decide({ ...TOOL, remoteAddress: '10.0.0.8', caller: { id: 'ci', method: 'api_key', mayAssertOnBehalfOf: false } });
  pipeline.useCallerOf((q) => ({
    id: (q.headers?.['x-caller'] as string | undefined) ?? null,
    auth: 'none',
    peer: q.remoteAddress ?? null,
    on_behalf_of: { id: 'u-1', asserted: true },
  }));
  await pipeline.decide({ ...TOOL, remoteAddress: '10.0.0.7', headers: { 'x-caller': 'agent-runtime' } });
  pipeline.useCallerOf(() => {
    throw new Error('bad header');
  });
  const last = await pipeline.decide({ ...TOOL, remoteAddress: '10.0.0.7' });
  t.equal(last.body.allow, true, 'a failing callerOf does not change the answer');
  await afterAnswers();
  t.same(
    a.map((r) => [r.caller, r.caller_auth, r.peer_address, r.on_behalf_of]),
    [
      [undefined, 'none', '10.0.0.7', undefined],
      ['ci', 'api_key', '10.0.0.8', undefined],
      ['agent-runtime', 'none', '10.0.0.7', { id: 'u-1', asserted: true }],
      [undefined, undefined, undefined, undefined],
    ],
  );
  t.equal(b.length, 4);
  t.same(
    b.map((r) => r.decision_id),
    a.map((r) => r.decision_id),
  );
  t.equal(a[0], b[0], 'the same record object');
});

t.test('tracing: one span per decision, ended once with the record; trace_id and traceparent surface', async (t) => {
  const ended: DecisionRecord[] = [];
  const children: string[] = [];
  const tracer: DecisionTracer = {
    start: (q, id): DecisionSpan => ({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      traceparent: `00-0af7651916cd43dd8448eb211c80319c-${id.replace(/-/g, '').slice(0, 16)}-01`,
      child: (name) => ({ end: () => void children.push(name) }),
      end: (r) => void ended.push(r),
    }),
  };
  const cache = new MapCache();
  const pipeline = new DecisionPipeline({ policies: policiesWith(() => ({ allow: true })), evaluation: {} });
  pipeline.useTracer(tracer);
  pipeline.useCache(cache);
  const a = await pipeline.decide(TOOL);
  const b = await pipeline.decide(TOOL);
  t.equal(a.body.trace_id, '0af7651916cd43dd8448eb211c80319c');
  t.match(a.traceparent, /^00-0af7/);
  t.same(
    ended.map((r) => r.decision_id),
    [a.body.decision_id, b.body.decision_id],
  );
  t.equal(ended[0]?.trace_id, '0af7651916cd43dd8448eb211c80319c');
  t.same(children, ['pdp.cache.lookup', 'pdp.evaluate', 'pdp.cache.lookup'], 'no evaluate span on a cache hit');

  const broken: DecisionTracer = {
    start: () => {
      throw new Error('otel down');
    },
  };
  const brokenPipeline = new DecisionPipeline({ policies: policiesWith(() => ({ allow: true })), evaluation: {} });
  brokenPipeline.useTracer(broken);
  const c = await brokenPipeline.decide(TOOL);
  t.equal(c.body.allow, true, 'a failing tracer does not change the answer');
  t.notOk('trace_id' in c.body);
});

t.test('evaluation budgets from config reach the engine; strict only when asked', async (t) => {
  const seen: unknown[] = [];
  const set: ActivePolicySet = {
    revisions: { b: 'r' },
    engineFor: () => 'rego',
    evaluate: (_p, _i, opts): EvaluationOutcome => {
      seen.push(opts);
      return { ok: true, defined: false, dependsOn: { time: false, random: false, external: false }, engine: 'rego' };
    },
  };
  const policies = new SwappablePolicies('b');
  policies.activate(set);
  const pipeline = new DecisionPipeline({ policies, evaluation: { timeoutMs: 50, maxSteps: 10, maxOutputSize: 99 } });
  await pipeline.decide(TOOL);
  await pipeline.query({ kind: 'data', path: 'x', input: 1, strict: true });
  t.same(seen, [
    { timeoutMs: 50, maxSteps: 10, maxOutputSize: 99 },
    { timeoutMs: 50, maxSteps: 10, maxOutputSize: 99, strict: true },
  ]);
});

t.test("batching: decisions of one turn are evaluated back to back after it; a sequence's steps wait for no turn", async (t) => {
  const order: string[] = [];
  const policies = policiesWith((input) => {
    order.push(`eval ${(input as { n: number }).n}`);
    return { allow: true };
  });
  const pipeline = new DecisionPipeline({ policies, evaluation: {} });
  const three = [0, 1, 2].map((n) => pipeline.decide({ ...TOOL, input: { n } }).then(() => order.push(`answer ${n}`)));
  order.push('turn over');
  await Promise.all(three);
  t.same(order.slice(0, 4), ['turn over', 'eval 0', 'eval 1', 'eval 2'], 'the three evaluations ran together, after the turn that asked');

  // Count the loop's check phases while 20 decisions run one after another.
  const turnsFor = async (sequential: boolean): Promise<number> =>
    (
      await turnsDuring(async () => {
        for (let n = 0; n < 20; n++) await pipeline.decide({ ...TOOL, input: { n }, sequential });
      })
    ).turns;
  const joined = await turnsFor(false);
  const sequential = await turnsFor(true);
  t.ok(joined >= 20, `each step of a joined sequence waits for a turn (${joined} turns)`);
  t.ok(sequential <= 2, `a sequential sequence does not (${sequential} turns)`);
});

t.test('equal decisions of one batch are evaluated once: the first caches, the others hit', async (t) => {
  let evaluations = 0;
  const policies = policiesWith(() => {
    evaluations++;
    return { allow: true };
  });
  const pipeline = new DecisionPipeline({ policies, evaluation: {} });
  const lookups: string[] = [];
  const cache = new TieredDecisionCache({
    memory: new MemoryTier({ maxEntries: 100 }),
    ttlMs: 60_000,
    observer: { hit: (tier) => void lookups.push(`hit ${tier}`), miss: (tier) => void lookups.push(`miss ${tier}`), rejected: () => undefined },
  });
  pipeline.useCache(cache);
  const three = await Promise.all([0, 1, 2].map(() => pipeline.decide(TOOL)));
  t.equal(evaluations, 1, 'one evaluation for three equal decisions of one batch');
  t.same(
    three.map((a) => a.body.cached),
    [false, true, true],
    'the two after it are answered from the cache',
  );
  t.same(lookups, ['miss memory', 'hit memory', 'hit memory'], 'one lookup each');
  // A slow (asynchronous) cache still works: each lookup is awaited.
  const slow: DecisionCache = { get: (q) => Promise.resolve(cache.get(q)), set: (q, o) => cache.set(q, o) };
  pipeline.useCache(slow);
  t.equal((await pipeline.decide(TOOL)).body.cached, true);
  t.equal((await pipeline.decide({ ...TOOL, input: { other: true } })).body.cached, false);
  t.equal(evaluations, 2);
});

t.test('answers share one frozen `policy` per snapshot and path; a new snapshot has its own', async (t) => {
  const policies = policiesWith(() => ({ allow: true, reasons: [] }), 'r1');
  const pipeline = new DecisionPipeline({ policies, evaluation: {} });
  const a = await pipeline.decide(TOOL);
  const b = await pipeline.decide({ ...TOOL, input: { tool: { name: 'y' } } });
  t.same(a.body.policy, { path: 'ai/tools/decision', bundles: { b: 'r1' } }, 'no digests: none shown');
  t.equal(a.body.policy, b.body.policy, 'the same object');
  t.ok(Object.isFrozen(a.body.policy) && Object.isFrozen(a.body.policy.bundles), 'frozen, bundles too');
  t.throws(() => {
    (a.body.policy.bundles as Record<string, string>).b = 'forged';
  }, TypeError);
  const other = await pipeline.decide({ ...TOOL, path: 'ai/tools/other' });
  t.equal(other.body.policy.path, 'ai/tools/other', 'per path');
  t.not(other.body.policy, a.body.policy);

  policies.activate(new JsPolicySet(new JsEngine({ 'ai/tools/decision': () => ({ allow: false, reasons: [] }) }), { b: 'r2' }));
  const c = await pipeline.decide(TOOL);
  t.same(c.body.policy, { path: 'ai/tools/decision', bundles: { b: 'r2' } }, 'the new revision');
  t.same(a.body.policy.bundles, { b: 'r1' }, 'earlier answers unchanged');

  // Snapshots with digests show them; past 256 paths on one snapshot the answers stay right.
  const withDigests = Object.assign(new JsPolicySet(new JsEngine({}), { b: 'r3' }), { digests: Object.freeze({ b: 'd'.repeat(64) }) });
  policies.activate(withDigests);
  for (let i = 0; i < 300; i++) {
    const d = await pipeline.decide({ ...TOOL, path: `p/${i}` });
    if (i % 100 === 0 || i === 299) t.same(d.body.policy, { path: `p/${i}`, bundles: { b: 'r3' }, digests: { b: 'd'.repeat(64) } }, `path ${i}`);
  }
  // 256 paths kept again (p/256…p/299 and q/0…q/211): the map is full; a kept path stays shared.
  for (let i = 0; i < 211; i++) await pipeline.decide({ ...TOOL, path: `q/${i}` });
  const again = await pipeline.decide({ ...TOOL, path: 'q/211' });
  t.equal((await pipeline.decide({ ...TOOL, path: 'q/211' })).body.policy, again.body.policy, 'a kept path stays shared when the map is full');
});
