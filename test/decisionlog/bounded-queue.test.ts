import t from 'tap';
import { BoundedQueue } from '../../src/decisionlog/bounded-queue.js';

t.test('FIFO within capacity; past it the oldest are dropped and reported', async (t) => {
  const q = new BoundedQueue<number>(3);
  t.same([q.push(1), q.push(2), q.push(3)], [0, 0, 0]);
  t.equal(q.push(4), 1);
  t.equal(q.size, 3);
  t.same(q.take(10), [2, 3, 4]);
  t.equal(q.size, 0);
  t.throws(() => new BoundedQueue(0));
});

t.test('a failed batch goes back to the front; what does not fit is its oldest part', async (t) => {
  const q = new BoundedQueue<number>(4);
  for (const n of [1, 2, 3, 4]) q.push(n);
  const batch = q.take(3); // [1,2,3]
  q.push(5);
  q.push(6); // queue: 4,5,6 (one slot free)
  t.equal(q.unshiftAll(batch), 2, 'two could not go back');
  t.same(q.take(10), [3, 4, 5, 6], 'the newest of the failed batch kept, order preserved');
  for (const n of [7, 8]) q.push(n);
  t.equal(q.unshiftAll([5, 6]), 0);
  t.same(q.take(10), [5, 6, 7, 8]);
});

t.test('wraps around many times without growing', async (t) => {
  const q = new BoundedQueue<number>(5);
  let dropped = 0;
  for (let i = 0; i < 1000; i++) dropped += q.push(i);
  t.equal(dropped, 995);
  t.same(q.take(5), [995, 996, 997, 998, 999]);
});

t.test('bounded by weight too: the oldest go until the new item fits; the newest is always kept', async (t) => {
  const q = new BoundedQueue<string>(100, 10);
  t.same([q.push('a', 4), q.push('b', 4)], [0, 0]);
  t.equal(q.weight, 8);
  t.equal(q.push('c', 4), 1, 'a is dropped to make room');
  t.equal(q.weight, 8);
  t.equal(q.push('huge', 50), 2, 'an item heavier than the bound still goes in, alone');
  t.same([q.size, q.weight], [1, 50]);
  t.equal(q.push('d', 1), 1, 'and leaves at the next push');
  t.same(q.take(10), ['d']);
  t.equal(q.weight, 0);
  t.throws(() => new BoundedQueue(1, 0));
});

t.test('a failed batch goes back only as far as the weight bound allows', async (t) => {
  const q = new BoundedQueue<number>(100, 10);
  for (const n of [1, 2, 3]) q.push(n, 3);
  const batch = q.take(3); // weight 0 now
  q.push(4, 3);
  q.push(5, 3); // weight 6
  t.equal(
    q.unshiftAll(batch, () => 3),
    2,
    'only one of three fits (6 + 3 ≤ 10)',
  );
  t.same(q.take(10), [3, 4, 5], 'the newest of the batch is the one kept');
  t.equal(q.weight, 0);
});
