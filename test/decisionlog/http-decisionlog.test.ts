// The decision log through the real service, every sink at once (stdout, a dedicated
// redis-server's stream, a real HTTP receiver): one record per decision with matching ids,
// masking by configured paths and by the bundle's system.log.mask, GET /v1/decisions/{id}
// (also from another replica via Redis), 404 outside retention, a receiver outage bridged,
// and the shutdown flush.
import t from 'tap';
import { Redis } from 'ioredis';
import { getJson, postJson, startPdp, testBundle, toolCall, writeBundle } from '../helpers/pdp-harness.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { startCollector } from '../helpers/collector.js';
import { until } from '../helpers/until.js';

const SECRETS = ['hunter2', 'sk-live-123', 'bob@private.example'];

t.test('N decisions → N records in every sink, ids matching, secrets masked everywhere', async (t) => {
  const redis = await startRedisServer();
  const collector = await startCollector();
  const raw = new Redis(redis.url);
  t.teardown(async () => {
    raw.disconnect();
    await collector.stop();
    await redis.stop();
  });
  const dir = t.testdir();
  await writeBundle(dir, testBundle({ revision: 'l1' }));
  const env = {
    REDIS_URL: redis.url,
    PDP_DECISION_LOG_STDOUT: 'true',
    PDP_DECISION_LOG_URL: collector.url,
    PDP_DECISION_LOG_UPLOAD_INTERVAL_MS: '50',
    PDP_DECISION_LOG_MASK_PATHS: '/input/arguments/password',
  };
  const a = await startPdp({ bundleDir: dir, env });
  const b = await startPdp({ bundleDir: dir, env: { ...env, PDP_DECISION_LOG_STDOUT: 'false', PDP_DECISION_LOG_URL: '' } });
  t.teardown(() => b.close());

  const N = 30;
  const ids: string[] = [];
  for (let i = 0; i < N; i++) {
    const body = toolCall(['read_file', 'delete_db', 'boom'][i % 3] as string, {
      user: { id: 'u-17', email: 'bob@private.example' },
      arguments: { to: 'a@example.com', password: 'hunter2', api_key: 'sk-live-123', n: i },
    });
    const r = await postJson(`${a.url}/v1/decisions/tool-call`, body, { 'x-pdp-caller': 'agent-runtime-7' });
    t.equal(r.status, 200);
    ids.push(String(r.json.decision_id));
  }
  const rejected = await postJson(`${a.url}/v1/decisions/tool-call`, { agent: {} });
  t.equal(rejected.status, 400, 'a request rejected before a decision…');

  const stream = 'pdp:{decisions}:stream';
  t.ok(await until(async () => (await raw.xlen(stream)) === N, 20_000), `${N} stream entries`);
  const entries = await raw.xrange(stream, '-', '+');
  t.same(
    entries.map(([, f]) => f[f.indexOf('decision_id') + 1]),
    ids,
    'stream ids match the answers, in order',
  );
  t.ok(await until(() => collector.events().length === N, 20_000), `${N} uploaded events`);
  t.same(new Set(collector.events().map((e) => e.decision_id)), new Set(ids));
  t.ok(await until(() => a.stdout.length === N, 20_000), `${N} stdout lines`);
  t.same(
    a.stdout.map((l) => l.decision_id),
    ids,
    '…is not in the log: exactly one record per decision',
  );

  const rec = (await getJson(`${a.url}/v1/decisions/${ids[0]}`)).json;
  t.match(rec, {
    decision_id: ids[0],
    path: 'ai/tools/decision',
    kind: 'tool-call',
    // Authentication is off here: no verified caller; the header is kept as an assertion.
    caller: null,
    caller_auth: 'none',
    on_behalf_of: { id: 'agent-runtime-7', asserted: true },
    allow: true,
    outcome: 'decided',
    bundles: { test: { revision: 'l1' } },
    engine: 'rego',
    cached: false,
    input: { user: { id: 'u-17', email: '[MASKED]' }, arguments: { to: 'a@example.com', n: 0 } },
    erased: ['/input/arguments/password', '/input/arguments/api_key'],
    masked: ['/input/user/email'],
    labels: { app: 'pdp-test' },
  });
  t.type(rec.latency_ms, 'number');
  t.match((await getJson(`${a.url}/v1/decisions/${ids[1]}`)).json, { allow: false, reasons: [{ code: 'TOOL_NOT_ALLOWED' }] });
  t.match((await getJson(`${a.url}/v1/decisions/${ids[2]}`)).json, { allow: false, outcome: 'error', error: { code: 'eval_conflict_error' } });

  // Another replica finds the record through Redis (its own memory never saw it).
  t.match((await getJson(`${b.url}/v1/decisions/${ids[5]}`)).json, { decision_id: ids[5], on_behalf_of: { id: 'agent-runtime-7', asserted: true } });
  t.match(await getJson(`${a.url}/v1/decisions/00000000-0000-4000-8000-000000000000`), { status: 404, json: { error: { code: 'DECISION_NOT_FOUND' } } });

  const sinks = {
    stdout: JSON.stringify(a.stdout),
    redis: JSON.stringify(entries),
    http: JSON.stringify(collector.events()),
    lookup: JSON.stringify(await Promise.all(ids.map(async (id) => (await getJson(`${b.url}/v1/decisions/${id}`)).json))),
  };
  for (const [sink, text] of Object.entries(sinks)) {
    for (const s of SECRETS) t.equal(text.includes(s), false, `${sink}: ${s} absent`);
  }

  // Receiver down: decisions keep flowing; records arrive after it returns.
  await collector.stop();
  const during: string[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await postJson(`${a.url}/v1/decisions/tool-call`, toolCall('read_file', { arguments: { k: i } }));
    t.equal(r.status, 200);
    during.push(String(r.json.decision_id));
  }
  t.ok(
    await until(async () => {
      const st = (await getJson(`${a.url}/v1/pdp/status`)).json.decision_log as { sinks: { name: string; errors: number }[] };
      return (st.sinks.find((s) => s.name === 'http')?.errors ?? 0) > 0;
    }, 5000),
    'status shows the failing upload',
  );
  await collector.start();
  t.ok(await until(() => during.every((id) => collector.events().some((e) => e.decision_id === id)), 15_000), 'delivered after the receiver came back');

  // Shutdown flushes what is buffered.
  const last = await postJson(`${a.url}/v1/decisions/tool-call`, toolCall('send_email'));
  await a.close();
  t.ok(
    collector.events().some((e) => e.decision_id === last.json.decision_id),
    'flushed on shutdown',
  );
  t.ok(a.stdout.some((l) => l.decision_id === last.json.decision_id));
});

t.test('retention: records are gone from the lookup after it', async (t) => {
  const dir = t.testdir();
  await writeBundle(dir, testBundle({ revision: 'l2' }));
  const pdp = await startPdp({ bundleDir: dir, env: { PDP_DECISION_LOG_STDOUT: 'false', PDP_DECISION_LOG_RETENTION_SECONDS: '1' } });
  t.teardown(() => pdp.close());
  const r = await postJson(`${pdp.url}/v1/decisions/tool-call`, toolCall('read_file'));
  t.equal((await getJson(`${pdp.url}/v1/decisions/${String(r.json.decision_id)}`)).status, 200);
  await new Promise((res) => setTimeout(res, 1100));
  t.equal((await getJson(`${pdp.url}/v1/decisions/${String(r.json.decision_id)}`)).status, 404);
});
