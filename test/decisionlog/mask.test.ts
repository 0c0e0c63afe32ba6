import t from 'tap';
import { Masker } from '../../src/decisionlog/mask/masker.js';
import { expand, parsePointer, formatPointer } from '../../src/decisionlog/mask/pointer.js';
import { parseMaskRule, MaskRuleError } from '../../src/decisionlog/mask/rules.js';
import { toLogRecord } from '../../src/decisionlog/record.js';
import type { LogRecord } from '../../src/decisionlog/types.js';
import { decidedRecord } from '../helpers/decision-record.js';

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
  const m = new Masker({ paths: ['/input/arguments/password', '/input/arguments/*/token', '/input/recipients/*'] });
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
  const m = new Masker({ paths: ['/input/items/*/secret', '/input/list/1'] });
  const out = m.mask(record({ items: [{ secret: 1, a: 1 }, { secret: 2 }, { b: 3 }], list: ['a', 'b', 'c'] }));
  t.same(out.input, { items: [{ a: 1 }, {}, { b: 3 }], list: ['a', 'c'] });
});
