import t from 'tap';
import { Masker, redactQuoted, type PolicyMaskFn } from '../../src/decisionlog/mask/masker.js';
import { expand, parsePointer, formatPointer } from '../../src/decisionlog/mask/pointer.js';
import { parseMaskRule, MaskRuleError } from '../../src/decisionlog/mask/rules.js';
import { DecisionLog } from '../../src/decisionlog/decision-log.js';
import { RecordStore } from '../../src/decisionlog/record-store.js';
import { toLogRecord } from '../../src/decisionlog/record.js';
import type { LogRecord } from '../../src/decisionlog/types.js';
import { decidedRecord } from '../helpers/decision-record.js';

/** A bundle mask that masks nothing for these records (so the configured pointers are what acts). */
const NOTHING: PolicyMaskFn = () => ({ kind: 'none' });

function record(input: unknown, result: unknown = { allow: true }): LogRecord {
  return toLogRecord(
    decidedRecord(
      {
        decision_id: 'd1',
        timestamp: '2026-03-01T12:00:00.000Z',
        path: 'ai/tools/decision',
        kind: 'tool-call',
        input,
        result,
        outcome: 'decided',
        bundles: { main: 'r1' },
        engine: 'rego',
        cached: false,
        duration_ms: 1.2345,
      },
      true,
    ),
    { app: 'pdp' },
  );
}

t.test('JSON pointers: RFC 6901 escapes and wildcard expansion', async (t) => {
  t.same(parsePointer('/a~1b/c~0d'), ['a/b', 'c~d']);
  t.equal(formatPointer(['a/b', 'c~d']), '/a~1b/c~0d');
  t.throws(() => parsePointer('a/b'));
  t.throws(() => parsePointer('/a~2'));
  const doc = { users: [{ ssn: 1 }, { name: 'x' }, { ssn: 3 }] };
  t.same(expand(doc, ['users', '*', 'ssn']), [
    ['users', '0', 'ssn'],
    ['users', '2', 'ssn'],
  ]);
});

t.test('configured paths erase fields, with * matching every key or element', async (t) => {
  const m = new Masker({ paths: ['/input/arguments/password', '/input/arguments/*/token', '/input/recipients/*'], policyMask: NOTHING });
  const r = record({
    tool: 'send_email',
    arguments: { password: 'hunter2', to: 'a@b.c', auth: { token: 'tok-1' }, other: { token: 'tok-2', keep: 1 } },
    recipients: ['x@y.z', 'p@q.r'],
  });
  const out = m.mask(r);
  t.same(out.input, { tool: 'send_email', arguments: { to: 'a@b.c', auth: {}, other: { keep: 1 } }, recipients: [] });
  t.same(out.erased, ['/input/arguments/password', '/input/arguments/*/token', '/input/recipients/*']);
  t.equal(JSON.stringify(out).includes('hunter2'), false);
  t.equal(JSON.stringify(out).includes('tok-'), false);
  t.same((r.input as { arguments: { password: string } }).arguments.password, 'hunter2', 'the original is untouched');
  const untouched = m.mask(record({ tool: 'x' }));
  t.equal(untouched.erased, undefined, 'nothing erased → no erased field');
});

t.test('policy mask: OPA pointers and upsert ops; the policy sees the unmasked record', async (t) => {
  let seen: unknown;
  const m = new Masker({
    paths: ['/input/ssn'],
    policyMask: (rec) => {
      seen = rec.input;
      return {
        kind: 'rules',
        rules: ['/input/card', { op: 'upsert', path: '/input/email', value: '**REDACTED**' }, { op: 'remove', path: '/result/secret' }],
      };
    },
  });
  const out = m.mask(record({ ssn: '123', card: '4111', email: 'bob@x.io', name: 'bob' }, { allow: true, secret: 's' }));
  t.same(seen, { ssn: '123', card: '4111', email: 'bob@x.io', name: 'bob' });
  t.same(out.input, { email: '**REDACTED**', name: 'bob' });
  t.same(out.result, { allow: true });
  t.same(out.erased, ['/input/ssn', '/input/card', '/result/secret']);
  t.same(out.masked, ['/input/email']);
});

t.test('upsert adds a missing field (OPA semantics); pointers to nothing are ignored', async (t) => {
  const m = new Masker({
    policyMask: () => ({ kind: 'rules', rules: [{ op: 'upsert', path: '/input/meta/masked_by', value: 'policy' }, '/input/not/there'] }),
  });
  const out = m.mask(record({ a: 1 }));
  t.same(out.input, { a: 1, meta: { masked_by: 'policy' } });
  t.same(out.masked, ['/input/meta/masked_by']);
  t.equal(out.erased, undefined);
});

t.test('a failing or malformed policy mask erases input and result entirely (fail closed)', async (t) => {
  for (const policyMask of [
    () => ({ kind: 'error' as const, message: 'eval_type_error: boom' }),
    () => ({ kind: 'rules' as const, rules: [{ op: 'explode', path: '/input/x' }] }),
    () => ({ kind: 'rules' as const, rules: ['/decision_id'] }),
    () => {
      throw new Error('engine crashed');
    },
  ]) {
    const m = new Masker({ policyMask });
    const out = m.mask(record({ password: 'hunter2' }, { allow: true, echo: 'hunter2' }));
    t.equal('input' in out, false);
    t.equal('result' in out, false);
    t.same(out.erased, ['/input', '/result']);
    t.type(out.mask_error, 'string');
    t.equal(JSON.stringify(out).includes('hunter2'), false);
  }
});

t.test('rules are validated: roots, ops, values', async (t) => {
  t.throws(() => parseMaskRule('/decision_id'), MaskRuleError);
  t.throws(() => parseMaskRule('/reasons'), MaskRuleError, 'whole record fields other than input/result cannot be removed');
  t.throws(() => parseMaskRule({ op: 'upsert', path: '/input/a' }), MaskRuleError, 'upsert needs a value');
  t.throws(() => parseMaskRule(42), MaskRuleError);
  t.same(parseMaskRule('/reasons/*/message'), { op: 'remove', path: ['reasons', '*', 'message'], raw: '/reasons/*/message' });
  t.throws(() => new Masker({ paths: ['input/x'] }), 'bad configured path is a startup error');
});

t.test('policy removal of array elements removes every match', async (t) => {
  const m = new Masker({ paths: ['/input/items/*/secret', '/input/list/1'], policyMask: NOTHING });
  const out = m.mask(record({ items: [{ secret: 1, a: 1 }, { secret: 2 }, { b: 3 }], list: ['a', 'b', 'c'] }));
  t.same(out.input, { items: [{ a: 1 }, {}, { b: 3 }], list: ['a', 'c'] });
});

t.test('without a mask policy the input is left out (fail closed), unless raw logging is on', async (t) => {
  const secretInput = { arguments: { password: 'hunter2' } };
  for (const policyMask of [undefined, () => ({ kind: 'absent' as const })]) {
    const m = new Masker({ policyMask });
    const out = m.mask(record(secretInput, { allow: true }));
    t.equal('input' in out, false, 'no input');
    t.same(out.result, { allow: true }, 'the result stays');
    t.same(out.erased, ['/input']);
    t.equal(out.raw, false);
    t.equal(out.mask_error, undefined, 'not an error');
    t.equal(m.maskErrors, 0);
    // Every such record says so with the one shared list (its JSON written once), left as it is.
    const next = m.mask(record({ other: 1 }, { allow: false }));
    t.equal(next.erased, out.erased, 'the erased list is shared');
    t.same(next.erased, ['/input']);
    t.equal(secretInput.arguments.password, 'hunter2', 'the request itself is not modified');
  }
  const data = { ...record(secretInput, { echo: 'hunter2' }), kind: 'data' };
  const dataOut = new Masker().mask(data);
  t.same(dataOut.erased, ['/input', '/result'], 'a Data API document may echo its input: left out too');
  t.equal(JSON.stringify(dataOut).includes('hunter2'), false);
  const noInput = record(undefined, { allow: true });
  delete noInput.input;
  t.equal(new Masker().mask(noInput), noInput, 'nothing to leave out: the record itself');

  const raw = new Masker({ raw: true, paths: ['/input/arguments/password'], policyMask: () => ({ kind: 'rules', rules: ['/input/arguments'] }) });
  const out = raw.mask(record({ arguments: { password: 'hunter2', to: 'a@b.c' } }));
  t.same(out.input, { arguments: { to: 'a@b.c' } }, 'raw: the bundle mask is not applied; configured pointers are');
  t.equal(out.raw, true, 'the record says raw');
  t.same(out.erased, ['/input/arguments/password']);
  const plain = raw.mask(record({ a: 1 }));
  t.equal(plain.raw, true);
  t.same(plain.input, { a: 1 });
  const rawNoPaths = new Masker({ raw: true });
  const r = { ...record({ a: 1 }), raw: true };
  t.equal(rawNoPaths.mask(r), r, 'raw without pointers: the record itself, no copy');
});

t.test('a masked record says raw: false; error messages lose quoted request values outside raw', async (t) => {
  const m = new Masker({ policyMask: NOTHING });
  const errored = { ...record({ a: 1 }), error: { code: 'eval_builtin_error', message: 'time.parse_rfc3339_ns: parsing time "ssn 078-05-1120" as "2006"' } };
  const out = m.mask(errored);
  t.equal(out.raw, false);
  t.same(out.error, { code: 'eval_builtin_error', message: 'time.parse_rfc3339_ns: parsing time "…" as "…"' });
  t.equal(errored.error.message.includes('078-05-1120'), true, 'the argument is not modified');
  t.equal(new Masker({ raw: true }).mask({ ...errored, raw: true }).error?.message.includes('078-05-1120'), true, 'raw: kept');
  t.equal(redactQuoted('a "b\\"c" d "e"'), 'a "…" d "…"', 'escaped quotes stay inside the span');
  const clean = { ...record({ a: 1 }), error: { code: 'eval_conflict_error', message: 'complete rules must not produce multiple outputs' } };
  t.equal(m.mask(clean), clean, 'nothing quoted: untouched');
});

t.test('hostile mask output: never a crash, never the record lost, never unmasked', async (t) => {
  const hostile: [string, PolicyMaskFn][] = [
    [
      'a getter that throws',
      () => ({
        kind: 'rules',
        rules: [
          {
            op: 'upsert',
            path: '/input/x',
            get value(): unknown {
              throw new Error('boom');
            },
          },
        ],
      }),
    ],
    ['an upsert value that cannot be cloned', () => ({ kind: 'rules', rules: [{ op: 'upsert', path: '/input/x', value: () => 1 }] })],
    ['a result that is not a rule list', () => ({ kind: 'rules', rules: 42 })],
    [
      'a policy that throws a non-Error',
      () => {
        throw 'string thrown';
      },
    ],
  ];
  for (const [name, policyMask] of hostile) {
    const m = new Masker({ policyMask, paths: ['/reasons/*/message'] });
    const rec = { ...record({ password: 'hunter2' }, { echo: 'hunter2' }), reasons: [{ code: 'X', message: 'hunter2' }] };
    let out: LogRecord | undefined;
    t.doesNotThrow(() => (out = m.mask(rec)), `${name}: no throw`);
    t.equal(JSON.stringify(out).includes('hunter2'), false, `${name}: nothing of the request`);
    t.type(out?.mask_error, 'string', `${name}: says why`);
    t.same(out?.erased, ['/input', '/result', '/reasons/*/message'], `${name}: the configured pointers still apply to what is left`);
    t.equal(m.maskErrors, 1, `${name}: counted`);
  }
  // The configured pointers themselves cannot be applied: what they could address goes too.
  const m = new Masker({ policyMask: () => ({ kind: 'error', message: 'x' }), paths: ['/reasons/*/message'] });
  const unclonable = { ...record({ a: 1 }), reasons: [{ code: 'X', message: 'm', fn: () => 1 }] };
  const out = m.mask(unclonable);
  t.same(out.reasons, []);
  t.same(out.obligations, []);
  t.same(out.erased, ['/input', '/result', '/reasons', '/obligations', '/exceptions_applied']);
});

t.test('many rules: the report has one entry per pattern', async (t) => {
  const input: Record<string, string> = {};
  const rules: unknown[] = [];
  for (let i = 0; i < 20_000; i++) {
    input[`k${i}`] = `v${i}`;
    rules.push({ op: 'upsert', path: `/input/k${i}`, value: { type: 'string', length: 2 } });
  }
  rules.push({ op: 'upsert', path: '/input/k0', value: { type: 'string', length: 2 } });
  const m = new Masker({ policyMask: () => ({ kind: 'rules', rules }) });
  const out = m.mask(record(input));
  t.equal(out.masked?.length, 20_000, 'one report entry per pattern');
  t.same((out.input as Record<string, unknown>).k19999, { type: 'string', length: 2 });
});

t.test('the decision log records a decision even if masking itself throws: without anything from the request', async (t) => {
  class BrokenMasker extends Masker {
    override mask(): LogRecord {
      throw new TypeError('masker bug');
    }
  }
  const store = new RecordStore({ maxEntries: 10, retentionMs: 60_000 });
  const log = new DecisionLog({ sinks: [], masker: new BrokenMasker(), store, labels: { app: 'pdp' }, buffer: { capacity: 10, batchSize: 1, maxDelayMs: 0 } });
  const decision = decidedRecord(
    {
      decision_id: 'broken-1',
      timestamp: '2026-03-01T12:00:00.000Z',
      path: 'ai/tools/decision',
      kind: 'tool-call',
      input: { arguments: { password: 'hunter2' } },
      result: { allow: false, reasons: [{ code: 'X', message: 'hunter2' }] },
      outcome: 'error',
      error: { code: 'eval_builtin_error', message: 'parsing "hunter2"' },
      bundles: { main: 'r1' },
      engine: 'rego',
      cached: true,
      cache_tier: 'memory',
      duration_ms: 1,
      caller: 'agent-7',
    },
    false,
    [{ code: 'X', message: 'hunter2' }],
  );
  const out = log.log(decision);
  t.match(out, {
    decision_id: 'broken-1',
    path: 'ai/tools/decision',
    allow: false,
    outcome: 'error',
    caller: 'agent-7',
    bundles: { main: { revision: 'r1' } },
    cache_tier: 'memory',
    reasons: [],
    error: { code: 'eval_builtin_error' },
    raw: false,
    mask_error: 'masking failed: TypeError',
  });
  t.equal(JSON.stringify(out).includes('hunter2'), false, 'nothing of the request');
  t.same(await log.get('broken-1'), JSON.parse(JSON.stringify(out)), 'stored for the lookup');
  t.equal(log.status().mask_errors, 1, 'counted');
});

t.test('an owned record is masked in place, to the same record a copy gives, never touching the values below it', async (t) => {
  // Where the masking leaves a field out (no mask policy, a failing one), the result is a copy
  // without it instead: deleting the field would make a slow dictionary-mode object
  // (test/decisionlog/mask-fast-properties.test.ts).
  const input = { tool: 'send_email', arguments: { password: 'hunter2', to: 'a@b.c' } };
  const result = { allow: true, reasons: [] };
  const snapshot = JSON.stringify({ input, result });
  const outcomes: [string, PolicyMaskFn | undefined, string[], 'in place' | 'copy'][] = [
    ['no mask policy (input left out)', undefined, [], 'copy'],
    ['policy rules', () => ({ kind: 'rules', rules: ['/input/arguments/password'] }), [], 'in place'],
    ['policy rules and configured pointers', () => ({ kind: 'rules', rules: ['/input/arguments/to'] }), ['/input/arguments/password'], 'in place'],
    ['a failing mask (fail closed)', () => ({ kind: 'error', message: 'boom "078-05-1120"' }), [], 'copy'],
    [
      'a throwing mask (fail closed)',
      () => {
        throw new Error('x');
      },
      ['/reasons/*/message'],
      'copy',
    ],
    ['nothing to mask', NOTHING, [], 'in place'],
  ];
  for (const [name, policyMask, paths, how] of outcomes) {
    const copied = new Masker({ policyMask, paths }).mask(record(input, result));
    const mine = record(input, result);
    const owned = new Masker({ policyMask, paths }).mask(mine, undefined, true);
    t.equal(JSON.stringify(owned), JSON.stringify(copied), `${name}: same record`);
    if (how === 'in place') t.equal(owned, mine, `${name}: the owned record itself`);
    else t.not(owned, mine, `${name}: a copy without the fields left out`);
    t.equal(JSON.stringify({ input, result }), snapshot, `${name}: input and result untouched`);
  }
  // A repeated decision reuses the masked fields (cache hits): in place too.
  const hint = { anchor: result, key: 'k' };
  const rules: PolicyMaskFn = () => ({ kind: 'rules', rules: ['/input/arguments/password'] });
  const reuse = new Masker({ policyMask: rules });
  const first = reuse.mask(record(input, result), hint, true);
  const again = record(input, result);
  const second = reuse.mask(again, hint, true);
  t.equal(second, again, 'reused fields set on the owned record');
  t.same(second.input, first.input, 'the same masked input');
  t.equal(JSON.stringify(second).includes('hunter2'), false);
  t.equal(JSON.stringify({ input, result }), snapshot, 'input and result untouched');
});
