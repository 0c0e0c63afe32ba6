// Records carry their request's input, and a request may be as large as the body limit (1 MiB
// by default): the lookup store and each sink's buffer are bounded in size, not only in count,
// so large inputs cannot make the service hold gigabytes. Through the real service.
import t from 'tap';
import { createServer } from 'node:net';
import { getJson, postJson, startPdp, testBundle, toolCall, writeBundle } from '../helpers/pdp-harness.js';

/** A port nothing listens on: the HTTP sink stays down and its buffer only fills. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

t.test('large inputs: the store and a stalled sink buffer stay within their byte bounds', async (t) => {
  const dir = t.testdir();
  await writeBundle(dir, testBundle({ revision: 's1' }));
  const pdp = await startPdp({
    bundleDir: dir,
    env: {
      PDP_DECISION_LOG_STDOUT: 'false',
      PDP_DECISION_LOG_URL: `http://127.0.0.1:${await closedPort()}/logs`,
      PDP_DECISION_LOG_UPLOAD_INTERVAL_MS: '10',
      PDP_DECISION_LOG_STORE_MAX_BYTES: '350000',
      PDP_DECISION_LOG_BUFFER_MAX_BYTES: '250000',
      PDP_DECISION_LOG_FLUSH_TIMEOUT_MS: '300',
    },
  });
  t.teardown(() => pdp.close());

  const ids: string[] = [];
  for (let i = 0; i < 6; i++) {
    const r = await postJson(`${pdp.url}/v1/decisions/tool-call`, toolCall('read_file', { arguments: { path: `/r/${i}`, blob: `${i}`.repeat(100_000) } }));
    t.equal(r.status, 200);
    ids.push(String(r.json.decision_id));
  }
  type Status = {
    decision_log: {
      store: { entries: number; bytes: number; max_bytes: number };
      sinks: { name: string; queue_bytes: number; max_bytes: number; dropped: number }[];
    };
  };
  // Records reach the sink after their answers, and a batch the uploader holds (then fails to
  // send and puts back, dropping the oldest) is neither queued nor dropped meanwhile: read the
  // status until the six records have settled (≥ 3 dropped), for at most a few seconds.
  let status = (await getJson(`${pdp.url}/v1/pdp/status`)).json as Status;
  for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
    if ((status.decision_log.sinks.find((s) => s.name === 'http')?.dropped ?? 0) >= 3) break;
    await new Promise((r) => setTimeout(r, 25));
    status = (await getJson(`${pdp.url}/v1/pdp/status`)).json as Status;
  }
  const { store, sinks } = status.decision_log;
  t.equal(store.max_bytes, 350000);
  t.ok(store.bytes <= store.max_bytes, `store holds ${store.bytes} of ${store.max_bytes}`);
  t.ok(store.entries >= 2 && store.entries < 6, `only the newest ${store.entries} records are kept`);
  t.equal((await getJson(`${pdp.url}/v1/decisions/${ids[5]}`)).status, 200, 'the newest record is found');
  t.equal((await getJson(`${pdp.url}/v1/decisions/${ids[0]}`)).status, 404, 'the oldest was evicted for size');

  const http = sinks.find((s) => s.name === 'http');
  t.ok(http, 'the HTTP sink is listed');
  t.equal(http?.max_bytes, 250000);
  t.ok((http?.queue_bytes ?? Infinity) <= 250000, `its buffer holds ${http?.queue_bytes} bytes of records`);
  t.ok((http?.dropped ?? 0) >= 3, `the oldest records were dropped and counted (${http?.dropped})`);
});
