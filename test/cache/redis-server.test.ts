// The test support for Redis outages does what the other tests rely on.
import t from 'tap';
import { ping, startRedisServer } from '../helpers/redis-server.js';

t.test('a dedicated redis-server starts, hangs on pause, dies on kill and comes back on the same port', async (t) => {
  const srv = await startRedisServer();
  t.teardown(() => srv.stop());
  t.equal(await ping(srv.port), true, 'answers PING');
  srv.pause();
  t.equal(await ping(srv.port, 200), false, 'no answer while paused');
  srv.resume();
  t.equal(await ping(srv.port), true, 'answers again after resume');
  await srv.kill();
  t.equal(await ping(srv.port), false, 'no answer after kill');
  await srv.restart();
  t.equal(await ping(srv.port), true, 'answers PING after restart');
});
