// The caller's address and port (src/api/peer.ts): read once per connection, on a real listening
// server — each keep-alive connection keeps its own, a new connection gets its own.
import t from 'tap';
import Fastify from 'fastify';
import { request as httpRequest, Agent } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { peerOf } from '../../src/api/peer.js';

function get(port: number, agent: Agent, headers: Record<string, string> = {}): Promise<{ remoteAddress: string; remotePort: number; localPort: number }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/peer', agent, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ ...(JSON.parse(body) as { remoteAddress: string; remotePort: number }), localPort: req.socket?.localPort ?? -1 }));
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('each connection reports its own address and port, the same for every request on it', async (t) => {
  const app = Fastify();
  app.get('/peer', async (request) => {
    const peer = peerOf(request);
    // What fastify and Node report, for comparison.
    return { remoteAddress: peer.remoteAddress, remotePort: peer.remotePort, ip: request.ip, port: request.socket.remotePort };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => app.close());
  const port = (app.server.address() as { port: number }).port;

  const a = new Agent({ keepAlive: true, maxSockets: 1 });
  const b = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => {
    a.destroy();
    b.destroy();
  });
  const a1 = await get(port, a);
  const a2 = await get(port, a);
  const b1 = await get(port, b);
  t.equal(a1.remoteAddress, '127.0.0.1');
  t.equal(a1.remotePort, a1.localPort, "the peer's port is the client's own");
  t.equal(a2.remotePort, a1.remotePort, 'the same connection: the same peer');
  t.equal(a2.localPort, a1.localPort, '(the agent kept the connection)');
  t.not(b1.remotePort, a1.remotePort, 'another connection: its own port');
  t.equal(b1.remotePort, b1.localPort);

  // Forged proxy headers name nobody: the peer is the socket's, on a fresh connection and on a kept one.
  const forged = { 'x-forwarded-for': '203.0.113.9', forwarded: 'for=203.0.113.9', 'x-real-ip': '203.0.113.9' };
  const c = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => c.destroy());
  const c1 = await get(port, c, forged);
  const c2 = await get(port, c, forged);
  for (const x of [c1, c2]) {
    t.equal(x.remoteAddress, '127.0.0.1', 'not the forwarded address');
    t.equal(x.remotePort, x.localPort);
  }
});

t.test('a socket that reports no address yet is asked again next time', async (t) => {
  const socket: { remoteAddress?: string; remotePort?: number } = {};
  const request = { socket } as unknown as FastifyRequest;
  t.same(peerOf(request), { remoteAddress: undefined, remotePort: undefined });
  socket.remoteAddress = '10.0.0.7';
  socket.remotePort = 40_000;
  t.same(peerOf(request), { remoteAddress: '10.0.0.7', remotePort: 40_000 }, 'not kept while unknown');
  socket.remotePort = 1;
  t.equal(peerOf(request).remotePort, 40_000, 'kept once known');
  t.same(peerOf({} as FastifyRequest), { remoteAddress: undefined, remotePort: undefined }, 'no socket: none');
});
