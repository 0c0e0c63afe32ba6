// OPA's mask roots (/input, /result, /nd_builtin_cache) and the drop policy, unit by unit.
import t from 'tap';
import { Masker } from '../../src/decisionlog/mask/masker.js';
import { parseMaskRule } from '../../src/decisionlog/mask/rules.js';
import { dataPath, policyDropFrom, type PolicyDropFn } from '../../src/decisionlog/policy-drop.js';
import { toLogRecord } from '../../src/decisionlog/record.js';
import type { ActivePolicySet } from '../../src/bundles/types.js';
import type { LogRecord } from '../../src/decisionlog/types.js';
import { decidedRecord } from '../helpers/decision-record.js';

function record(): LogRecord {
  const r = toLogRecord(
    decidedRecord(
      {
        decision_id: 'd1',
        timestamp: '2026-12-04T00:00:00.000Z',
        path: 'app/allow',
        kind: 'data',
        input: { user: 'alice', password: 'hunter2' },
        result: true,
        outcome: 'decided',
        bundles: {},
        cached: false,
        engine: 'rego',
        duration_ms: 1,
        requested_by: '127.0.0.1:5000',
        req_id: 7,
        metrics: { timer_rego_query_eval_ns: 12 },
      },
      true,
    ),
    { id: 'i' },
  );
  return { ...r, nd_builtin_cache: { 'time.now_ns': { '[]': 1 }, 'http.send': { x: 'secret' } } };
}

t.test('mask rules may address /nd_builtin_cache, whole or below', async (t) => {
  t.same(parseMaskRule('/nd_builtin_cache/time.now_ns').path, ['nd_builtin_cache', 'time.now_ns']);
  t.same(parseMaskRule('/nd_builtin_cache').path, ['nd_builtin_cache'], 'the whole cache, as OPA allows');
  t.throws(() => parseMaskRule('/labels/id'), /must start with/);
  const below = new Masker({ policyMask: () => ({ kind: 'rules', rules: ['/nd_builtin_cache/http.send', '/input/password'] }) }).mask(record());
  t.same(below.nd_builtin_cache, { 'time.now_ns': { '[]': 1 } });
  t.same(below.input, { user: 'alice' }, 'the input is kept (the bug erased it)');
  t.equal(below.result, true, 'the result is kept');
  t.notOk('mask_error' in below);
  t.same(below.erased, ['/nd_builtin_cache/http.send', '/input/password']);
  const whole = new Masker({ policyMask: () => ({ kind: 'rules', rules: [{ op: 'upsert', path: '/nd_builtin_cache', value: {} }] }) }).mask(record());
  t.same(whole.nd_builtin_cache, {});
  t.same(whole.masked, ['/nd_builtin_cache']);
});

t.test('without a mask policy, or when masking fails, nd_builtin_cache is left out with the input', async (t) => {
  const none = new Masker({}).mask(record());
  t.notOk('nd_builtin_cache' in none);
  t.notOk('input' in none);
  t.same(none.erased, ['/input', '/nd_builtin_cache', '/result']);
  const broken = new Masker({ policyMask: () => ({ kind: 'error', message: 'boom' }) }).mask(record());
  t.notOk('nd_builtin_cache' in broken);
  t.match(broken.mask_error, /boom/);
});

t.test('record fields: requested_by, req_id, metrics with the server timer', async (t) => {
  const r = record();
  t.equal(r.requested_by, '127.0.0.1:5000');
  t.equal(r.req_id, 7);
  t.same(r.metrics, { timer_rego_query_eval_ns: 12, timer_server_handler_ns: 1_000_000 });
});

t.test('the drop policy: exactly true drops; errors keep; no rule, no set, no path keep', async (t) => {
  t.equal(dataPath('/system/log/drop/'), 'system/log/drop');
  const seen: unknown[] = [];
  const set = (result: { ok: boolean; defined?: boolean; result?: unknown }, defines = true): ActivePolicySet =>
    ({
      engineFor: () => 'rego',
      mayDefine: () => defines,
      evaluate: (path: string, input: unknown) => {
        seen.push([path, input]);
        return result.ok ? { ok: true, defined: result.defined, result: result.result } : { ok: false, code: 'EVAL', message: 'x' };
      },
    }) as unknown as ActivePolicySet;
  const r = record();
  t.equal(policyDropFrom(() => set({ ok: true, defined: true, result: true }))(r), 'drop');
  t.same(seen[0], ['system/log/drop', r], 'evaluated at the data path with the record as input');
  t.equal(policyDropFrom(() => set({ ok: true, defined: true, result: 'true' }))(r), 'keep', 'not exactly true');
  t.equal(policyDropFrom(() => set({ ok: true, defined: false }))(r), 'keep');
  t.equal(policyDropFrom(() => set({ ok: false }))(r), 'error');
  t.equal(policyDropFrom(() => set({ ok: true, defined: true, result: true }, false))(r), 'keep', 'no rule there: not evaluated');
  t.equal(policyDropFrom(() => null)(r), 'keep', 'no policy yet');
  t.equal(policyDropFrom(() => set({ ok: true, defined: true, result: true }), { path: '/' })(r), 'keep', 'an empty path drops nothing');
  t.equal(policyDropFrom(() => set({ ok: true, defined: true, result: true })).present?.(), true, 'a drop rule is present');
  t.equal(policyDropFrom(() => null).present?.(), false, 'no policy set: no drop rule');
  t.equal(policyDropFrom(() => set({ ok: true, defined: true, result: true }, false)).present?.(), false, 'no rule at the path');
  t.equal(policyDropFrom(() => set({ ok: true, defined: true, result: true }), { path: '/' }).present?.(), false, 'an empty path: no drop rule');
});

t.test('the decision log: a dropped record is not stored; a throwing drop keeps it and counts', async (t) => {
  const { createDecisionLog } = await import('../../src/decisionlog/create.js');
  const { testConfig } = await import('../helpers/config.js');
  const config = testConfig();
  let verdict: () => 'drop' | 'keep' = () => 'drop';
  let dropped = 0;
  const log = createDecisionLog(config.decision_log, config.redis, {
    labels: {},
    policyDrop: () => verdict(),
    observer: { delivered: () => undefined, dropped: () => undefined, failed: () => undefined, policyDropped: () => dropped++ },
  });
  t.teardown(() => log.close(100));
  const d = decidedRecord(
    {
      decision_id: 'x1',
      timestamp: '2026-12-04T00:00:00.000Z',
      path: 'p',
      kind: 'data',
      input: 1,
      outcome: 'decided',
      bundles: {},
      cached: false,
      engine: 'rego',
      duration_ms: 1,
    },
    true,
  );
  t.equal(log.log(d), undefined, 'dropped');
  t.equal(await log.get('x1'), undefined, 'not stored');
  t.equal(dropped, 1, 'the observer (metric) is told');
  verdict = () => {
    throw new Error('broken');
  };
  t.equal(log.log({ ...d, decision_id: 'x2' })?.decision_id, 'x2', 'kept');
  t.match(log.status(), { policy_dropped: 1, drop_errors: 1 });
});

t.test('the decision log leaves the input out of records it would erase it from, and says so', async (t) => {
  const { DecisionLog } = await import('../../src/decisionlog/decision-log.js');
  const { RecordStore } = await import('../../src/decisionlog/record-store.js');
  const buffer = { capacity: 10, batchSize: 10, maxDelayMs: 10 };
  const decision = (id: string, nd: boolean) =>
    decidedRecord(
      {
        decision_id: id,
        timestamp: '2026-12-04T00:00:00.000Z',
        path: 'app/allow',
        kind: 'tool-call',
        input: { user: 'alice', password: 'hunter2' },
        result: { allow: true },
        outcome: 'decided',
        bundles: {},
        cached: false,
        engine: 'rego',
        duration_ms: 1,
        ...(nd ? { nd_builtin_cache: { 'time.now_ns': { '[]': 1 } } } : {}),
      },
      true,
    );
  const store = () => new RecordStore({ maxEntries: 10, retentionMs: 60_000 });
  // A mask policy whose bundle may or may not hold the mask document (its mode says which).
  let present = false;
  const policyMask = Object.assign(() => (present ? { kind: 'rules' as const, rules: ['/input/password'] } : { kind: 'absent' as const }), {
    mode: () => (present ? ('policy' as const) : ('none' as const)),
  });
  const logWith = (policyDrop?: PolicyDropFn) => {
    const l = new DecisionLog({ sinks: [], masker: new Masker({ policyMask }), store: store(), labels: {}, buffer, ...(policyDrop ? { policyDrop } : {}) });
    t.teardown(() => l.close(100));
    return l;
  };
  const log = logWith();
  t.ok(new Masker({ policyMask }).leavesInputOut, 'no mask document: the input is left out');
  const a = log.log(decision('a', true));
  t.notOk(a && ('input' in a || 'nd_builtin_cache' in a), 'neither input nor nd_builtin_cache');
  t.same(a?.erased, ['/input', '/nd_builtin_cache'], 'both reported erased, as masking reports them');
  t.same(a?.result, { allow: true }, 'a decision document is kept');
  t.same(
    JSON.parse(JSON.stringify(await log.get('a'))),
    JSON.parse(JSON.stringify(new Masker({ policyMask }).mask(toLogRecord(decision('a', true), {})))),
    'the same record as masking the whole one',
  );
  t.same(log.log(decision('b', false))?.erased, ['/input']);
  present = true;
  const c = log.log(decision('c', false));
  t.same(c?.input, { user: 'alice' }, 'a mask document: the input is masked, not left out');
  t.same(c?.erased, ['/input/password']);
  present = false;
  // A drop policy sees the unmasked record: the input is there for it, erased after.
  const seen: unknown[] = [];
  const dropping = logWith((r) => (seen.push(r.input), 'keep'));
  const d = dropping.log(decision('d', false));
  t.same(seen, [{ user: 'alice', password: 'hunter2' }], 'the drop policy saw the input');
  t.notOk(d && 'input' in d);
  t.same(d?.erased, ['/input']);
  // A drop policy without a rule now (the bundle has no data.system.log.drop): nothing to see it.
  const seenToo: unknown[] = [];
  const ruleless = logWith(Object.assign((r: LogRecord) => (seenToo.push(r.input), 'keep' as const), { present: () => false }));
  t.same(ruleless.log(decision('e', false))?.erased, ['/input']);
  t.same(seenToo, [undefined], 'no drop rule: the record was made without the input');
  t.notOk(new Masker({ raw: true }).leavesInputOut, 'raw logging keeps the input');
});
