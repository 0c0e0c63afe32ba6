// Requests sent one after another on each of a few keep-alive connections (node's http client):
// the load of the callgrind benchmarks (bench/http/instructions.mjs, profile.mjs), where what
// matters is how many requests were answered, not how fast.
import http from 'node:http';

/** `n` requests to `url` + `path` over `connections` keep-alive connections, one after another on
 * each, the bodies rotating; every answer must be 200. */
export async function sendSequential(url, path, bodies, n, connections) {
  const c = Math.max(1, connections);
  await Promise.all(Array.from({ length: c }, (_, i) => sendOn(url, path, bodies, Math.floor(n / c) + (i < n % c ? 1 : 0))));
}

async function sendOn(url, path, bodies, n) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const one = (body) =>
    new Promise((res, rej) => {
      const req = http.request(
        `${url}${path}`,
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } },
        (r) => {
          r.resume();
          r.on('end', () => (r.statusCode === 200 ? res() : rej(new Error(`HTTP ${r.statusCode}`))));
        },
      );
      req.on('error', rej);
      req.end(body);
    });
  for (let i = 0; i < n; i++) await one(bodies[i % bodies.length]);
  agent.destroy();
}
