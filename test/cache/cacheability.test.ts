import t from 'tap';
import { cacheabilityOf, parseRfc3339 } from '../../src/cache/cacheability.js';
import type { Dependencies, EvaluationOutcome } from '../../src/engines/types.js';

const now = Date.parse('2026-03-01T12:00:00Z');
const none: Dependencies = { time: false, random: false, external: false };
const ok = (result: unknown, deps: Partial<Dependencies> = {}): EvaluationOutcome => ({
  ok: true,
  defined: true,
  result,
  dependsOn: { ...none, ...deps },
  engine: 'rego',
});

t.test('deterministic results are cached for the TTL; undefined ones too', async (t) => {
  t.same(cacheabilityOf(ok({ allow: true }), { ttlMs: 60_000, nowMs: now }), { cache: true, ttlMs: 60_000, expiresAt: now + 60_000 });
  const undef: EvaluationOutcome = { ok: true, defined: false, dependsOn: none, engine: 'wasm' };
  t.equal(cacheabilityOf(undef, { ttlMs: 1000, nowMs: now }).cache, true);
});

t.test('errors, randomness and outside calls are never cached', async (t) => {
  const err: EvaluationOutcome = { ok: false, code: 'eval_budget_exceeded', message: 'x', engine: 'rego' };
  t.same(cacheabilityOf(err, { ttlMs: 1000, nowMs: now }), { cache: false, reason: 'evaluation_error' });
  t.same(cacheabilityOf(ok({}, { random: true }), { ttlMs: 1000, nowMs: now }), { cache: false, reason: 'depends_on_random' });
  t.same(cacheabilityOf(ok({}, { external: true, time: true }), { ttlMs: 1000, nowMs: now }), { cache: false, reason: 'depends_on_external' });
});

t.test('time-dependent: cached until min(TTL, valid_until), not at all without one', async (t) => {
  const soon = ok({ allow: true, valid_until: '2026-03-01T12:00:10Z' }, { time: true });
  t.same(cacheabilityOf(soon, { ttlMs: 60_000, nowMs: now }), { cache: true, ttlMs: 10_000, expiresAt: now + 10_000 });
  const later = ok({ allow: true, valid_until: '2026-03-02T00:00:00+01:00' }, { time: true });
  t.same(cacheabilityOf(later, { ttlMs: 60_000, nowMs: now }), { cache: true, ttlMs: 60_000, expiresAt: now + 60_000 });
  t.same(cacheabilityOf(ok({ allow: true }, { time: true }), { ttlMs: 60_000, nowMs: now }), {
    cache: false,
    reason: 'depends_on_time_without_expiry',
  });
  t.same(cacheabilityOf(ok({ allow: true, valid_until: 'tomorrow' }, { time: true }), { ttlMs: 60_000, nowMs: now }), {
    cache: false,
    reason: 'depends_on_time_without_expiry',
  });
  t.same(cacheabilityOf(ok({ allow: true, valid_until: '2026-03-01T11:59:59Z' }, { time: true }), { ttlMs: 60_000, nowMs: now }), {
    cache: false,
    reason: 'already_expired',
  });
});

t.test('an engine-reported expiry bounds the lifetime too', async (t) => {
  const o = ok({ allow: true }, { time: true });
  (o as { dependsOn: Dependencies & { expiresAtMs?: number } }).dependsOn.expiresAtMs = now + 5000;
  t.same(cacheabilityOf(o, { ttlMs: 60_000, nowMs: now }), { cache: true, ttlMs: 5000, expiresAt: now + 5000 });
});

t.test('valid_until is honoured even without a reported time dependency; TTL 0 disables', async (t) => {
  t.same(cacheabilityOf(ok({ valid_until: '2026-03-01T12:00:01Z' }), { ttlMs: 60_000, nowMs: now }), {
    cache: true,
    ttlMs: 1000,
    expiresAt: now + 1000,
  });
  t.same(cacheabilityOf(ok({}), { ttlMs: 0, nowMs: now }), { cache: false, reason: 'ttl_disabled' });
});

t.test('RFC 3339 parsing is strict', async (t) => {
  t.equal(parseRfc3339('2026-03-01T12:00:00.250Z'), now + 250);
  t.equal(parseRfc3339('2026-03-01'), null);
  t.equal(parseRfc3339('March 1, 2026'), null);
  t.equal(parseRfc3339(12), null);
});
