// Slow clients (slowloris headers, slow bodies) and connection floods against a real listening
// server (issue "Trust II"): before, a connection that trickled its body stayed open forever and
// ~1,100 of them made the service unreachable. Now each is closed at its deadline, and
// connections over the limit are closed at once.
import { connect, type Socket } from 'node:net';
import t from 'tap';
import { startServer } from '../../src/server.js';
import { testConfig } from '../helpers/config.js';
import { send } from '../helpers/http.js';

/** Resolves with the ms until the server closed the socket (or rejects after `limitMs`). */
function closedWithin(socket: Socket, limitMs: number): Promise<number> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still open after ${limitMs} ms`)), limitMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - start);
    });
    socket.on('error', () => undefined);
  });
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

t.test('slowloris and slow bodies are closed at their deadlines', async (t) => {
  const s = await startServer(testConfig({ PDP_REQUEST_TIMEOUT_MS: '1500', PDP_HEADERS_TIMEOUT_MS: '800' }));
  t.teardown(() => s.close());

  // Headers that never end.
  const loris = await open(s.port);
  loris.write('POST /v1/decisions/tool-call HTTP/1.1\r\nHost: x\r\n');
  const trickle = setInterval(() => loris.writable && loris.write('X-a: b\r\n'), 200);
  t.teardown(() => clearInterval(trickle));

  // A body that arrives a byte at a time and never completes.
  const slow = await open(s.port);
  slow.write('POST /v1/decisions/tool-call HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
  const drip = setInterval(() => slow.writable && slow.write(' '), 200);
  t.teardown(() => clearInterval(drip));

  // Generous bounds (a loaded machine): the defaults before were "never".
  const [a, b] = await Promise.all([closedWithin(loris, 10_000), closedWithin(slow, 10_000)]);
  t.ok(a >= 500, `headers connection closed after ${a} ms, not at once`);
  t.ok(b >= 1000, `slow-body connection closed after ${b} ms, not at once`);
  const health = await send(`${s.url}/health`);
  t.equal(health.status, 200, 'the service still answers');
});

t.test('connections over max_connections are closed at once; the service answers again when they go', async (t) => {
  const s = await startServer(testConfig({ PDP_MAX_CONNECTIONS: '5' }));
  t.teardown(() => s.close());
  const held: Socket[] = [];
  t.teardown(() => held.forEach((x) => x.destroy()));
  for (let i = 0; i < 5; i++) held.push(await open(s.port));
  const extra = await open(s.port);
  const closedAfter = await closedWithin(extra, 5_000);
  t.ok(closedAfter < 5_000, `the sixth connection was closed by the server (after ${closedAfter} ms)`);
  t.notOk(
    held.some((s) => s.destroyed),
    'the five within the limit stay open',
  );
  held.forEach((x) => x.destroy());
  // Closing is noticed asynchronously by the server.
  let status = 0;
  for (let i = 0; i < 50 && status !== 200; i++) {
    status = await send(`${s.url}/health`).then(
      (r) => r.status,
      () => 0,
    );
    if (status !== 200) await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(status, 200, 'answers once the held connections are gone');
});

t.test('max_connections 0 is derived from the open-file limit', async (t) => {
  const { maxConnections } = await import('../../src/api/connections.js');
  const server = testConfig().server;
  t.equal(
    maxConnections(server, () => 'Limit  Soft Limit  Hard Limit  Units\nMax open files            1024                 524288               files\n'),
    1024 - 128,
  );
  t.equal(
    maxConnections(server, () => undefined),
    1000,
    'no /proc: a fixed fallback',
  );
  t.equal(
    maxConnections(server, () => 'Max open files            unlimited            unlimited            files\n'),
    1000,
  );
  t.equal(
    maxConnections({ ...server, max_connections: 7 }, () => 'Max open files 1024 1024 files'),
    7,
    'a configured value wins',
  );
});
