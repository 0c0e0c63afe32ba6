// The policy mask's outcome and the masked fields are reused for a record equal to one masked
// before (same hint: cache key and shared result object), and only then.
import t from 'tap';
import type { ActivePolicySet } from '../../src/bundles/types.js';
import type { EvaluationOutcome } from '../../src/engines/types.js';
import { Masker, type MaskHint } from '../../src/decisionlog/mask/masker.js';
import { policyMaskFrom } from '../../src/decisionlog/mask/policy-mask.js';
import { toLogRecord } from '../../src/decisionlog/record.js';
import type { LogRecord } from '../../src/decisionlog/types.js';
import { decidedRecord } from '../helpers/decision-record.js';

const RESULT = { allow: true };

function record(id: string, input: unknown = { secret: 'x', keep: 1 }): LogRecord {
  return toLogRecord(
    decidedRecord(
      {
        decision_id: id,
        timestamp: '2026-12-04T00:00:00.000Z',
        path: 'p/decision',
        kind: 'data',
        input,
        result: RESULT,
        outcome: 'decided',
        bundles: {},
        cached: true,
        engine: 'rego',
        duration_ms: 1,
      },
      true,
    ),
    {},
  );
}

/** A policy set whose mask erases /input/secret, counting evaluations. */
function policySet(keys: ReadonlySet<string> | null, dependsOnTime = false): ActivePolicySet & { evaluations: number } {
  const set = {
    revisions: {},
    evaluations: 0,
    engineFor: () => 'rego' as const,
    inputKeys: () => keys,
    evaluate(): EvaluationOutcome {
      set.evaluations++;
      return { ok: true, defined: true, result: ['/input/secret'], dependsOn: { time: dependsOnTime, random: false, external: false }, engine: 'rego' };
    },
  };
  return set;
}

const hint = (key: string): MaskHint => ({ anchor: RESULT, key });

t.test('same hint: one evaluation, the masked input shared', async (t) => {
  const set = policySet(new Set(['input', 'result', 'path']));
  const masker = new Masker({ policyMask: policyMaskFrom(() => set) });
  const a = masker.mask(record('a'), hint('k1'));
  const b = masker.mask(record('b'), hint('k1'));
  t.equal(set.evaluations, 1, 'the second record reused the outcome');
  t.same(b.input, { keep: 1 });
  t.equal(b.input, a.input, 'the masked input is the same object');
  t.same(b.erased, ['/input/secret']);
  t.equal(b.decision_id, 'b', 'the rest of the record is its own');
  masker.mask(record('c'), hint('k2'));
  t.equal(set.evaluations, 2, 'another key: evaluated');
  masker.mask(record('d'));
  t.equal(set.evaluations, 3, 'no hint: evaluated');
});

t.test('no reuse when the mask may read other fields, depends on the clock, or the snapshot changed', async (t) => {
  const wide = policySet(new Set(['input', 'decision_id']));
  const m1 = new Masker({ policyMask: policyMaskFrom(() => wide) });
  m1.mask(record('a'), hint('k'));
  m1.mask(record('b'), hint('k'));
  t.equal(wide.evaluations, 2, 'reads decision_id');
  const any = policySet(null);
  const m2 = new Masker({ policyMask: policyMaskFrom(() => any) });
  m2.mask(record('a'), hint('k'));
  m2.mask(record('b'), hint('k'));
  t.equal(any.evaluations, 2, 'may read anything');
  const clock = policySet(new Set(['input']), true);
  const m3 = new Masker({ policyMask: policyMaskFrom(() => clock) });
  m3.mask(record('a'), hint('k'));
  m3.mask(record('b'), hint('k'));
  t.equal(clock.evaluations, 2, 'time-dependent');
  let current = policySet(new Set(['input']));
  const first = current;
  const m4 = new Masker({ policyMask: policyMaskFrom(() => current) });
  m4.mask(record('a'), hint('k'));
  current = policySet(new Set(['input']));
  m4.mask(record('b'), hint('k'));
  t.equal(first.evaluations + current.evaluations, 2, 'a new snapshot evaluates its own mask');
});

t.test('configured pointers: the policy outcome may be reused, the fields are masked anew', async (t) => {
  const set = policySet(new Set(['input']));
  const masker = new Masker({ paths: ['/input/keep'], policyMask: policyMaskFrom(() => set) });
  const a = masker.mask(record('a'), hint('k'));
  const b = masker.mask(record('b'), hint('k'));
  t.same(a.input, {});
  t.same(b.input, {});
  t.not(b.input, a.input, 'masked again (configured pointers may address any field)');
  t.equal(set.evaluations, 1);
});

t.test('the engine is handed only the record fields the mask can read', async (t) => {
  const seen: unknown[] = [];
  const set = (keys: ReadonlySet<string> | null): ActivePolicySet => ({
    revisions: {},
    engineFor: () => 'rego' as const,
    inputKeys: () => keys,
    evaluate(_path: string, input: unknown): EvaluationOutcome {
      seen.push(input);
      return { ok: true, defined: false, dependsOn: { time: false, random: false, external: false }, engine: 'rego' };
    },
  });
  new Masker({ policyMask: policyMaskFrom(() => set(new Set(['input', 'path', 'absent']))) }).mask(record('a'));
  t.same(seen[0], { input: { secret: 'x', keep: 1 }, path: 'p/decision' }, 'only input and path (a field the record lacks stays absent)');
  new Masker({ policyMask: policyMaskFrom(() => set(null)) }).mask(record('b'));
  t.match(seen[1], { decision_id: 'b', input: { secret: 'x', keep: 1 }, labels: {} }, 'a mask that may read anything sees the whole record');
});
