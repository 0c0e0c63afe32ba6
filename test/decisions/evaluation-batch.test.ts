import t from 'tap';
import { EvaluationBatch } from '../../src/decisions/evaluation-batch.js';

t.test('jobs queued in one turn run together, in order, in the next check phase', async (t) => {
  const batch = new EvaluationBatch();
  const ran: string[] = [];
  const job = (name: string) => () => {
    ran.push(name);
    return name;
  };
  const a = batch.run(job('a'));
  const b = batch.run(job('b'));
  // Nothing runs while the turn that queued them is still going, nor in its microtasks.
  await Promise.resolve();
  t.same(ran, []);
  let between = false;
  // A timer due now fires in the next loop iteration's timers phase: after the check phase that
  // runs the batch (setImmediate was queued first, in this turn).
  const timer = new Promise<void>((r) =>
    setTimeout(() => {
      between = ran.length === 3;
      r();
    }, 0),
  );
  const c = batch.run(job('c'));
  t.same(await Promise.all([a, b, c]), ['a', 'b', 'c']);
  t.same(ran, ['a', 'b', 'c']);
  await timer;
  t.ok(between, 'all three ran before the timer');
});

t.test('a job queued while a batch runs goes to the next batch; a throwing job rejects only its own promise', async (t) => {
  const batch = new EvaluationBatch();
  const phases: number[] = [];
  let phase = 0;
  const tick = setInterval(() => phase++, 0);
  t.teardown(() => clearInterval(tick));
  let inner: Promise<string> | undefined;
  const outer = batch.run(() => {
    phases.push(phase);
    inner = batch.run(() => {
      phases.push(phase);
      return 'inner';
    });
    return 'outer';
  });
  const failing = batch.run(() => {
    throw new Error('boom');
  });
  const after = batch.run(() => 'after');
  t.equal(await outer, 'outer');
  await t.rejects(failing, { message: 'boom' });
  t.equal(await after, 'after', 'the job after a throwing one still runs');
  t.equal(await inner, 'inner');
  t.equal(phases.length, 2);
  t.ok((phases[1] as number) > (phases[0] as number), `the inner job ran in a later loop iteration (${phases.join(' → ')})`);
});

t.test('an idle batch schedules nothing and keeps nothing', async (t) => {
  const batch = new EvaluationBatch();
  t.equal(await batch.run(() => 1), 1);
  // A second use after the first drained starts a new batch.
  t.equal(await batch.run(() => 2), 2);
});
