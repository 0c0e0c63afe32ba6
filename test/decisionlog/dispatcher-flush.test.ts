// The shutdown flush retries a failing sink until its deadline — and its waits between tries
// keep the process alive: with nothing else left on the event loop (the server already closed),
// an unref'd wait used to let the process exit mid-flush, losing the buffered records.
import t from 'tap';
import { SinkDispatcher } from '../../src/decisionlog/dispatcher.js';
import type { LogRecord, LogSink } from '../../src/decisionlog/types.js';

t.test('flush retries a sink that fails once and delivers everything before the deadline', async (t) => {
  const got: string[] = [];
  let calls = 0;
  const sink: LogSink = {
    name: 'flaky',
    // Resolves/rejects synchronously-settled promises: no socket or timer of its own keeps the loop alive.
    send: (batch: readonly LogRecord[]) => {
      calls++;
      if (calls === 1) return Promise.reject(new Error('down'));
      got.push(...batch.map((r) => r.decision_id));
      return Promise.resolve();
    },
  };
  const d = new SinkDispatcher({ sink, capacity: 10, batchSize: 10, maxDelayMs: 60_000, backoff: { initialMs: 150, maxMs: 150 } });
  for (const id of ['a', 'b', 'c']) d.enqueue({ decision_id: id } as LogRecord);
  const left = await d.flush(Date.now() + 3000);
  t.equal(left, 0, 'nothing left undelivered');
  t.same(got, ['a', 'b', 'c']);
  t.equal(calls, 2, 'one failure, one retry after the backoff');
  t.equal(d.status().errors, 1);
});
