// Without a mask policy, the decision log keeps no request values: the input of every AuthZEN
// record is erased, and the result of an AuthZEN search's candidates query (a document, not a
// decision: allow null) is erased too, like a Data API result — the candidates can echo the input.
import t from 'tap';
import { Masker } from '../../src/decisionlog/mask/masker.js';
import type { LogRecord } from '../../src/decisionlog/types.js';

const base: LogRecord = {
  decision_id: 'd-1',
  timestamp: '2026-12-03T00:00:00.000Z',
  path: 'authzen/candidates',
  kind: 'authzen',
  caller: null,
  caller_auth: 'none',
  peer_address: null,
  input: { subject: { type: 'user', id: 'alice@example.com' } },
  result: { subject: { user: ['alice@example.com', 'bob@example.com'] } },
  allow: null,
  outcome: 'decided',
  reasons: [],
  obligations: [],
  exceptions_applied: [],
  bundles: {},
  engine: 'rego',
  cached: false,
  cache_tier: null,
  latency_ms: 1,
  trace_id: null,
  span_id: null,
  raw: false,
  labels: {},
};

t.test('a candidates query: input and result erased', async (t) => {
  const masked = new Masker().mask(base);
  t.notOk('input' in masked);
  t.notOk('result' in masked);
  t.same(masked.erased, ['/input', '/result']);
  t.notMatch(JSON.stringify(masked), /example\.com/);
});

t.test('an AuthZEN decision: input erased, the decision document kept', async (t) => {
  const masked = new Masker().mask({ ...base, path: 'authzen/decision', allow: true, result: { allow: true } });
  t.notOk('input' in masked);
  t.same(masked.result, { allow: true });
  t.same(masked.erased, ['/input']);
});
