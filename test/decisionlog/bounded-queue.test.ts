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
