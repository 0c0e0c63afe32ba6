// The fetch deadline of bundle sources: a plain timer holding its controller (a composite
// AbortSignal.any([…, AbortSignal.timeout()]) lost its timeout under GC pressure, and
// manager-http's "server that never answers" test then hung for good when run beside others).
import t from 'tap';
import { deadline } from '../../src/bundles/deadline.js';

t.test('expires after ms, and says so', async (t) => {
  const parent = new AbortController();
  const d = deadline(parent.signal, 30);
  t.equal(d.signal.aborted, false);
  await new Promise((r) => setTimeout(r, 80));
  t.equal(d.signal.aborted, true);
  t.equal(d.expired(), true);
  t.equal((d.signal.reason as DOMException).name, 'TimeoutError');
  d.done();
});

t.test('follows its parent, which is not an expiry; done() clears the timer', async (t) => {
  const parent = new AbortController();
  const d = deadline(parent.signal, 30);
  parent.abort(new Error('stopped'));
  t.equal(d.signal.aborted, true);
  t.equal(d.expired(), false);
  d.done();
  const e = deadline(new AbortController().signal, 30);
  e.done();
  await new Promise((r) => setTimeout(r, 80));
  t.equal(e.signal.aborted, false, 'a finished deadline never fires');
  const already = new AbortController();
  already.abort();
  const f = deadline(already.signal, 1000);
  t.equal(f.signal.aborted, true, 'an already-aborted parent aborts at once');
  f.done();
});

t.test('a fetch to a server that never answers ends at the deadline even after forced GC-like churn', async (t) => {
  const { createServer } = await import('node:http');
  const srv = createServer(() => undefined).listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  t.teardown(() => {
    srv.closeAllConnections();
    srv.close();
  });
  const { port } = srv.address() as { port: number };
  const d = deadline(new AbortController().signal, 200);
  // Allocation churn between start and expiry: the deadline must still fire.
  const started = Date.now();
  const p = fetch(`http://127.0.0.1:${port}/`, { signal: d.signal }).catch((e: unknown) => e);
  for (let i = 0; i < 50; i++) new Array(100_000).fill(i);
  const err = await p;
  d.done();
  t.ok(err instanceof Error || err instanceof DOMException);
  t.ok(d.expired());
  t.ok(Date.now() - started < 5000);
});
