// The test support HTTP receiver does what the sink tests rely on.
import t from 'tap';
import { gzipSync } from 'node:zlib';
import { startCollector } from '../helpers/collector.js';

t.test('the collector unzips uploads, can answer errors, and restarts on its port', async (t) => {
  const c = await startCollector();
  t.teardown(() => c.stop());
  const post = () => fetch(c.url, { method: 'POST', headers: { 'content-encoding': 'gzip' }, body: gzipSync(JSON.stringify([{ decision_id: 'a' }])) });
  t.equal((await post()).status, 200);
  c.respondWith(503);
  t.equal((await post()).status, 503);
  t.same(c.events(), [{ decision_id: 'a' }], 'failed uploads are not recorded');
  await c.stop();
  await t.rejects(post(), 'down');
  c.respondWith(200);
  await c.start();
  t.equal((await post()).status, 200);
  t.equal(c.events().length, 2);
});
