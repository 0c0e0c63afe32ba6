// Masked records stay ordinary (fast-properties) objects. Deleting a field turns a V8 object into
// a dictionary-mode one, and every later read of it — its JSON above all, written for the
// store and each sink — takes the slow path. The masker drops fields (the input when no mask
// policy is loaded, a Data API result, everything on a mask failure, an earlier masking's marks)
// by copying without them instead. V8's own check (%HasFastProperties) is read through a
// function compiled after allowing natives syntax in this process.
import t from 'tap';
import v8 from 'node:v8';
import { Masker, type MaskHint } from '../../src/decisionlog/mask/masker.js';
import { policyMaskFrom } from '../../src/decisionlog/mask/policy-mask.js';
import { toLogRecord } from '../../src/decisionlog/record.js';
import type { LogRecord } from '../../src/decisionlog/types.js';
import type { DecisionKind } from '../../src/decisions/types.js';
import type { ActivePolicySet } from '../../src/bundles/types.js';
import { decidedRecord } from '../helpers/decision-record.js';

v8.setFlagsFromString('--allow-natives-syntax');
// V8's natives syntax can only be compiled at run time, after the flag is set.
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

function record(kind: DecisionKind, input: unknown, result: unknown, extra: Partial<LogRecord> = {}): LogRecord {
  const r = toLogRecord(
    decidedRecord(
      {
        decision_id: 'id-1',
        timestamp: '2026-12-06T00:00:00.000Z',
        path: 'p/decision',
        kind,
        input,
        result,
        outcome: 'decided',
        bundles: { b: 'r1' },
        cached: false,
        engine: 'rego',
        duration_ms: 1,
        nd_builtin_cache: { 'time.now_ns': { '[]': 1 } },
      },
      true,
    ),
    { app: 'pdp' },
  );
  return Object.assign(r, extra);
}

/** A masker whose bundle's mask policy answers `answer` (undefined: the bundle has none). */
function maskerWith(answer: unknown, ok = true): Masker {
  const set = {
    revisions: {},
    engineFor: () => 'rego' as const,
    inputKeys: () => new Set(['input', 'result', 'path']),
    evaluate: () =>
      ok
        ? {
            ok: true as const,
            defined: answer !== undefined,
            result: answer,
            dependsOn: { time: false, random: false, external: false },
            engine: 'rego' as const,
          }
        : { ok: false as const, code: 'eval_builtin_error', message: 'boom', engine: 'rego' as const },
  } satisfies ActivePolicySet;
  return new Masker({ policyMask: policyMaskFrom(() => set) });
}

t.test('the probe: a deleted field makes a dictionary-mode object', async (t) => {
  const r = record('tool-call', { a: 1 }, { allow: true });
  t.ok(hasFastProperties(r), 'a fresh record is fast');
  const copy: Record<string, unknown> = { ...r };
  delete copy.reasons;
  t.notOk(hasFastProperties(copy), 'after delete it is not');
});

t.test('every way the masker drops a field leaves a fast-properties record', async (t) => {
  const cases: [string, () => LogRecord, (out: LogRecord) => void][] = [
    [
      'no mask policy: the input left out',
      () => new Masker({}).mask(record('tool-call', { secret: 's' }, { allow: true }), undefined, true),
      (out) => {
        t.notOk('input' in out);
        t.notOk('nd_builtin_cache' in out);
        t.same(out.erased, ['/input', '/nd_builtin_cache']);
      },
    ],
    [
      'no mask policy, a Data API query: the result left out too',
      () => new Masker({}).mask(record('data', { q: 1 }, { doc: 1 }, { allow: null }), undefined, false),
      (out) => {
        t.notOk('result' in out);
        t.notOk('input' in out);
      },
    ],
    [
      'a failing mask policy: input, result and nd_builtin_cache erased',
      () => maskerWith(undefined, false).mask(record('tool-call', { secret: 's' }, { allow: true }), undefined, true),
      (out) => {
        t.notOk('input' in out || 'result' in out || 'nd_builtin_cache' in out);
        t.match(out.mask_error, /policy mask failed/);
      },
    ],
    [
      "a record masked again: the earlier masking's marks replaced",
      () => new Masker({}).mask({ ...record('tool-call', { a: 1 }, { allow: true }), erased: ['/x'], masked: ['/y'], mask_error: 'old' }, undefined, false),
      (out) => {
        t.notOk('mask_error' in out);
        t.notOk('masked' in out);
        t.same(out.erased, ['/input', '/nd_builtin_cache']);
      },
    ],
  ];
  for (const [name, make, check] of cases) {
    const out = make();
    t.ok(hasFastProperties(out), `${name}: fast properties`);
    check(out);
    t.same(JSON.parse(JSON.stringify(out)).decision_id, 'id-1', `${name}: the rest kept`);
  }
});

t.test("an equal decision's masking reapplied (cache hits): fast properties, the same fields", async (t) => {
  const RESULT = { allow: true };
  const masker = maskerWith(['/input/secret']);
  const hint: MaskHint = { anchor: RESULT, key: 'k' };
  // nd_builtin_cache would keep the masking from being reused: these records have none.
  const make = (): LogRecord => {
    const r = record('tool-call', { secret: 's', keep: 1 }, RESULT) as LogRecord & { nd_builtin_cache?: unknown };
    delete r.nd_builtin_cache;
    return { ...r };
  };
  const first = masker.mask(make(), hint, true);
  const again = masker.mask(make(), hint, true);
  t.equal(again.input, first.input, 'the masked input reused');
  t.same(again.input, { keep: 1 });
  t.ok(hasFastProperties(again), 'fast properties');

  // A mask that erases the whole input and result: the reapplied record has neither.
  const erasing = maskerWith(['/input', '/result']);
  const hint2: MaskHint = { anchor: RESULT, key: 'k2' };
  const e1 = erasing.mask(make(), hint2, true);
  const e2 = erasing.mask(make(), hint2, true);
  t.notOk('input' in e2 || 'result' in e2, 'input and result left out again');
  t.same(e2.erased, ['/input', '/result']);
  t.equal(e2.erased, e1.erased, "the first record's erased list reused");
  t.ok(hasFastProperties(e2), 'fast properties after erasing');
  t.same(JSON.parse(JSON.stringify(e2)), { ...JSON.parse(JSON.stringify(e1)) }, 'the same record');
});
