import t from 'tap';
import { EvaluationBatch, MAX_BATCH } from '../../src/decisions/evaluation-batch.js';
import { turnsDuring } from '../helpers/loop-turns.js';

t.test('decisions that join in one turn continue together, in join order, in one check phase', async (t) => {
  const batch = new EvaluationBatch();
  const ran: string[] = [];
  const decision = async (name: string): Promise<void> => {
    await batch.join();
    ran.push(name);
  };
  const { turns } = await turnsDuring(async () => {
    const a = decision('a');
    const b = decision('b');
    // Nothing continues while the turn that joined is still going, nor in its microtasks.
    await Promise.resolve();
    await Promise.resolve();
    t.same(ran, []);
    const c = decision('c');
    await Promise.all([a, b, c]);
  });
  t.same(ran, ['a', 'b', 'c']);
  t.equal(turns, 1, 'all three were released by the first check phase after they joined');
});

t.test('a join made while a batch continues waits for a later turn', async (t) => {
  const batch = new EvaluationBatch();
  const one = await turnsDuring(async () => batch.join());
  t.equal(one.turns, 1, 'one join: released in the first check phase');
  const two = await turnsDuring(async () => {
    await batch.join();
    await batch.join();
  });
  t.equal(two.turns, 2, 'a join from a continuation of a batch: released in the next check phase');
});

t.test('every join of one turn gets the same promise; a new turn a new one', async (t) => {
  const batch = new EvaluationBatch();
  const p1 = batch.join();
  const p2 = batch.join();
  t.equal(p1, p2, 'one promise per turn');
  await p1;
  const p3 = batch.join();
  t.not(p3, p1, 'a new turn after the first was released');
  await p3;
});

t.test(`at most ${MAX_BATCH} decisions share a release; the next batch continues after its answers`, async (t) => {
  const batch = new EvaluationBatch();
  const events: string[] = [];
  const decision = async (n: number): Promise<void> => {
    await batch.join();
    events.push(`evaluate ${n}`);
    // The answer is written a few microtasks later, as in the pipeline.
    await Promise.resolve();
    await Promise.resolve();
    events.push(`answer ${n}`);
  };
  const n = MAX_BATCH * 2 + 3;
  await Promise.all(Array.from({ length: n }, (_, i) => decision(i)));
  const firstOfSecond = events.indexOf(`evaluate ${MAX_BATCH}`);
  const lastAnswerOfFirst = events.indexOf(`answer ${MAX_BATCH - 1}`);
  t.ok(lastAnswerOfFirst >= 0 && lastAnswerOfFirst < firstOfSecond, 'the first batch answered before the second evaluated');
  t.same(
    events.slice(0, MAX_BATCH),
    Array.from({ length: MAX_BATCH }, (_, i) => `evaluate ${i}`),
    'the first batch evaluated back to back',
  );
  t.equal(events.filter((e) => e.startsWith('answer')).length, n, 'every decision answered');
});
