// request.log is made only when a request first logs at an enabled level
// (src/api/lazy-child-logger.ts): what reaches the log must be what pino's child would have
// written — the request's reqId on every line, levels as configured, a route's own level honoured.
import { Writable } from 'node:stream';
import t, { type Test } from 'tap';
import { createHttpApp } from '../../src/api/http.js';
import { DEFAULT_SERVER } from '../../src/config/defaults.js';
import type { ServerConfig } from '../../src/config/types.js';

type Line = { level: number; msg?: string; reqId?: string; [k: string]: unknown };

async function appWith(t: Test, server: Partial<ServerConfig>) {
  const lines: Line[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Line);
      done();
    },
  });
  const app = createHttpApp({ ...DEFAULT_SERVER, ...server }, { logStream });
  app.get('/logs', async (request) => {
    request.log.info({ n: 1 }, 'info line');
    request.log.debug('debug line');
    request.log.child({ part: 'inner' }).warn('child line');
    return { id: request.id, level: request.log.level };
  });
  app.get('/quiet', async (request) => ({ id: request.id }));
  app.get('/verbose', { logLevel: 'debug' }, async (request) => {
    request.log.debug('route debug line');
    return { id: request.id };
  });
  await app.ready();
  t.teardown(() => app.close());
  return { app, lines };
}

t.test('at info: a request logs with its reqId; debug is left out; a child keeps the reqId', async (t) => {
  const { app, lines } = await appWith(t, { log_level: 'info', request_logging: false });
  const res = await app.inject({ method: 'GET', url: '/logs' });
  const { id, level } = res.json() as { id: string; level: string };
  t.equal(level, 'info', "the request's logger reports the level");
  const mine = lines.filter((l) => l.reqId === id);
  t.same(
    mine.map((l) => [l.level, l.msg]),
    [
      [30, 'info line'],
      [40, 'child line'],
    ],
  );
  t.equal(mine[0]?.n, 1, 'the fields logged');
  t.equal(mine[1]?.part, 'inner', "the child's own bindings");
  t.notOk(
    lines.some((l) => l.msg === 'debug line'),
    'debug left out',
  );
});

t.test("request logging on: fastify's own request lines carry the reqId", async (t) => {
  const { app, lines } = await appWith(t, { log_level: 'info', request_logging: true });
  const res = await app.inject({ method: 'GET', url: '/quiet' });
  const { id } = res.json() as { id: string };
  t.same(
    lines.filter((l) => l.reqId === id).map((l) => l.msg),
    ['incoming request', 'request completed'],
  );
});

t.test("a route's own log level is honoured", async (t) => {
  const { app, lines } = await appWith(t, { log_level: 'info', request_logging: false });
  const res = await app.inject({ method: 'GET', url: '/verbose' });
  const { id } = res.json() as { id: string };
  t.same(
    lines.filter((l) => l.reqId === id).map((l) => [l.level, l.msg]),
    [[20, 'route debug line']],
  );
});

t.test('at warn: info lines are left out, warnings kept', async (t) => {
  const { app, lines } = await appWith(t, { log_level: 'warn', request_logging: true });
  const res = await app.inject({ method: 'GET', url: '/logs' });
  const { id, level } = res.json() as { id: string; level: string };
  t.equal(level, 'warn');
  t.same(
    lines.filter((l) => l.reqId === id).map((l) => l.msg),
    ['child line'],
  );
});
