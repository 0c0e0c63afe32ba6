import t from 'tap';
import { CircuitBreaker } from '../../src/cache/circuit-breaker.js';

t.test('opens after N consecutive failures, probes once after the cool-down, closes on success', async (t) => {
  let clock = 0;
  const states: string[] = [];
  const b = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000, now: () => clock });
  b.onStateChange((s) => states.push(s));
  t.equal(b.tryAcquire(), true);
  b.failure();
  b.failure();
  b.success();
  b.failure();
  b.failure();
  t.equal(b.state, 'closed', 'a success in between resets the count');
  b.failure();
  t.equal(b.state, 'open');
  t.equal(b.tryAcquire(), false, 'open refuses');
  clock = 999;
  t.equal(b.tryAcquire(), false, 'still cooling down');
  clock = 1000;
  t.equal(b.state, 'half_open');
  t.equal(b.tryAcquire(), true, 'one probe');
  t.equal(b.tryAcquire(), false, 'only one probe at a time');
  b.success();
  t.equal(b.state, 'closed');
  t.same(states, ['open', 'half_open', 'closed']);
});

t.test('a failed probe re-opens for another full cool-down', async (t) => {
  let clock = 0;
  const b = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 100, now: () => clock });
  b.failure();
  clock = 100;
  t.equal(b.tryAcquire(), true);
  b.failure();
  t.equal(b.state, 'open');
  clock = 150;
  t.equal(b.tryAcquire(), false);
  b.expediteProbe();
  t.equal(b.state, 'half_open', 'a reconnect skips the rest of the cool-down');
});
