// Explain, metrics and nd_builtin_cache through the decision pipeline with the real Rego engine:
// DecisionQuery.explain → DataAnswer.explanation (OPA's event array), the decision cache neither
// answers nor keeps an explained query, engine timers when asked, and the decision record's
// nd_builtin_cache only when decision_log.nd_builtin_cache is on.
import t from 'tap';
import { PolicySet } from '../../src/bundles/policy-set.js';
import { DecisionPipeline } from '../../src/decisions/pipeline.js';
import type { CacheEntry, CacheHit, CacheQuery, DecisionCache, DecisionQuery, DecisionRecord, SuccessfulOutcome } from '../../src/decisions/types.js';
import { RegoEngine } from '../../src/engines/rego.js';
import { toLogRecord } from '../../src/decisionlog/record.js';
import { SwappablePolicies } from '../helpers/js-engine.js';

const POLICY = `package app

default allow := false

allow if {
	input.user == "alice"
	trace("alice is allowed")
}

stamp := {"now": time.now_ns(), "id": uuid.rfc4122("req")}
`;

const afterAnswers = (): Promise<void> => new Promise((r) => setImmediate(r));

function pipelineWith(opts: { ndBuiltinCache?: boolean } = {}): { pipeline: DecisionPipeline; records: DecisionRecord[]; cache: MapCache } {
  const engine = RegoEngine.compile([{ file: 'app.rego', source: POLICY }], {});
  const policies = new SwappablePolicies('b');
  policies.activate(new PolicySet([{ name: 'b', roots: [''], revision: 'r1', digest: 'd', engine }]));
  const pipeline = new DecisionPipeline({ policies, evaluation: {}, ...opts });
  const records: DecisionRecord[] = [];
  pipeline.addRecorder({ log: (r) => records.push(r) });
  const cache = new MapCache();
  pipeline.useCache(cache);
  return { pipeline, records, cache };
}

class MapCache implements DecisionCache {
  readonly store = new Map<string, CacheEntry>();
  gets = 0;
  sets: SuccessfulOutcome[] = [];
  private key(k: CacheQuery): string {
    return JSON.stringify([k.path, k.input]);
  }
  get(k: CacheQuery): CacheHit | undefined {
    this.gets++;
    const entry = this.store.get(this.key(k));
    return entry && { entry, tier: 'memory', shared: true };
  }
  set(k: CacheQuery, outcome: SuccessfulOutcome): void {
    this.sets.push(outcome);
    this.store.set(
      this.key(k),
      outcome.defined
        ? { defined: true, result: outcome.result, engine: outcome.engine, expiresAt: Infinity }
        : { defined: false, engine: outcome.engine, expiresAt: Infinity },
    );
  }
}

const DATA_Q: DecisionQuery = { kind: 'data', path: 'app/allow', input: { user: 'alice' }, strict: false };

t.test('explain: the answer carries OPA trace events; the cache is bypassed both ways', async (t) => {
  const { pipeline, cache } = pipelineWith();
  const plain = await pipeline.query(DATA_Q);
  t.match(plain, { ok: true, defined: true, result: true });
  t.notOk('explanation' in plain, 'no explanation unless asked');
  t.equal(cache.sets.length, 1);
  const hit = await pipeline.query(DATA_Q);
  t.equal(cache.gets, 2, 'the second plain query reads the cache');
  t.notOk('explanation' in hit);

  for (const mode of ['full', 'notes', 'fails', 'debug'] as const) {
    const a = await pipeline.query({ ...DATA_Q, explain: mode });
    t.equal(cache.gets, 2, `${mode}: the cache is not read`);
    t.equal(cache.sets.length, 1, `${mode}: nor written`);
    t.ok(a.ok);
    if (!a.ok) continue;
    t.equal(a.result, true);
    t.ok(Array.isArray(a.explanation));
    const ev = a.explanation as Record<string, unknown>[];
    if (mode === 'fails') t.same(ev, [], 'nothing failed on the way to the answer');
    else {
      t.match(ev[0], { op: 'enter', query_id: 0, parent_id: 0, type: 'body' });
      if (mode === 'notes')
        t.same(
          ev.map((e) => e.op),
          ['enter', 'enter', 'note'],
        );
      else t.ok(ev.some((e) => e.op === 'exit'));
      t.ok(ev.some((e) => e.op === 'note' && e.message === 'alice is allowed'));
    }
    t.equal(a.explanation_text?.length, ev.length, `${mode}: one text line per event`);
    if (mode === 'notes') t.match(a.explanation_text?.at(-1), /^app\.rego:7 +\| \| Note "alice is allowed"$/);
  }
  const bob = await pipeline.query({ ...DATA_Q, input: { user: 'bob' }, explain: 'fails' });
  t.ok(bob.ok && (bob.explanation as { op: string }[]).some((e) => e.op === 'fail'));
});

t.test('metrics: engine timers when asked (metrics or instrument), computed by an evaluation', async (t) => {
  const { pipeline } = pipelineWith();
  for (const ask of [{ metrics: true }, { instrument: true }]) {
    const a = await pipeline.query({ ...DATA_Q, input: { user: JSON.stringify(ask) }, ...ask });
    t.ok(a.ok);
    if (a.ok) {
      t.equal(a.result, false);
      t.type(a.metrics?.timer_rego_query_eval_ns, 'number');
      t.ok((a.metrics!.timer_rego_query_eval_ns as number) > 0);
    }
  }
  const undefinedDoc = await pipeline.query({ ...DATA_Q, path: 'app/none', metrics: true, explain: 'full' });
  t.match(undefinedDoc, { ok: true, defined: false });
  t.ok(undefinedDoc.ok && Array.isArray(undefinedDoc.explanation) && undefinedDoc.metrics !== undefined, 'an undefined answer carries them too');
});

t.test('observations never enter the decision cache', async (t) => {
  const { pipeline, cache } = pipelineWith({ ndBuiltinCache: true });
  await pipeline.query({ ...DATA_Q, metrics: true });
  t.equal(cache.sets.length, 1);
  const kept = cache.sets[0];
  t.notOk('metrics' in kept || 'explanation' in kept || 'explanation_text' in kept || 'nd_builtin_cache' in kept);
  const hit = await pipeline.query({ ...DATA_Q, metrics: true });
  t.ok(hit.ok && hit.metrics === undefined, 'a cached answer has no engine timers (no evaluation ran)');
});

t.test('nd_builtin_cache: off by default; on, records carry OPA shape and the decision log keeps it', async (t) => {
  const q: DecisionQuery = { kind: 'data', path: 'app/stamp', input: {}, strict: false };
  const off = pipelineWith();
  await off.pipeline.query(q);
  await afterAnswers();
  t.equal(off.records[0].nd_builtin_cache, undefined);
  t.notOk('nd_builtin_cache' in toLogRecord(off.records[0], {}));

  const on = pipelineWith({ ndBuiltinCache: true });
  const a = await on.pipeline.query(q);
  await afterAnswers();
  t.ok(a.ok);
  const result = (a.ok ? a.result : undefined) as { now: number; id: string };
  const nd = on.records[0].nd_builtin_cache!;
  t.same(Object.keys(nd).sort(), ['time.now_ns', 'uuid.rfc4122']);
  t.same(nd['time.now_ns'], { '[]': result.now }, 'the same clock reading the result used');
  t.same(nd['uuid.rfc4122'], { '["req"]': result.id });
  t.same(toLogRecord(on.records[0], {}).nd_builtin_cache, nd);
  t.notOk(a.ok && 'nd_builtin_cache' in a, 'the answer itself does not carry it');

  // a decision that calls no such builtin records nothing
  await on.pipeline.query(DATA_Q);
  await afterAnswers();
  t.equal(on.records[1].nd_builtin_cache, undefined);
});

t.test('an evaluation error with explain is an error answer (no explanation), and nothing is cached', async (t) => {
  const engine = RegoEngine.compile([{ file: 'c.rego', source: 'package c\nx := 1 if input.a\nx := 2 if input.a\n' }], {});
  const policies = new SwappablePolicies('b');
  policies.activate(new PolicySet([{ name: 'b', roots: [''], revision: 'r1', digest: 'd', engine }]));
  const pipeline = new DecisionPipeline({ policies, evaluation: {}, ndBuiltinCache: true });
  const cache = new MapCache();
  pipeline.useCache(cache);
  const a = await pipeline.query({ kind: 'data', path: 'c/x', input: { a: true }, strict: false, explain: 'full', metrics: true });
  t.match(a, { ok: false, code: 'EVALUATION_ERROR', message: /eval_conflict_error/ });
  t.notOk('explanation' in a);
  t.equal(cache.sets.length, 0);
  const plain = await pipeline.query({ kind: 'data', path: 'c/x', input: { a: false }, strict: false });
  t.match(plain, { ok: true, defined: false });
});
