// OPA's decision-log behaviour against a real listening server, in every sink (stdout, Redis
// Stream, HTTP upload) and the lookup: the drop policy (data.system.log.drop) keeps a record out
// entirely and counts it; a mask under /nd_builtin_cache is honoured instead of erasing the
// record's input and result; configured labels with OPA's id and version; requested_by with the
// port; req_id; metrics.
import t from 'tap';
import { PassThrough } from 'node:stream';
import { Redis } from 'ioredis';
import { startCollector } from '../helpers/collector.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { startReal, writeBundle } from '../helpers/real-server.js';
import { postJson, send } from '../helpers/http.js';
import { waitFor } from '../helpers/bundle-files.js';

const BUNDLE = {
  'app/policy.rego': `package app

allow if input.user == "alice"
`,
  'system/log.rego': `package system.log

# OPA's mask rules, one of them under /nd_builtin_cache (non-deterministic builtin results).
mask contains "/nd_builtin_cache/time.now_ns"
mask contains "/input/password"

# OPA's drop rule: sees the record (input.input is the request's input).
drop if input.input.noise == true
`,
};

type Rec = Record<string, unknown>;

t.test('drop, nd_builtin_cache masks, labels, requested_by, req_id and metrics in every sink', async (t) => {
  const redis = await startRedisServer();
  const collector = await startCollector();
  const raw = new Redis(redis.url);
  const stdout = new PassThrough();
  const lines: Rec[] = [];
  stdout.on('data', (b: Buffer) => {
    for (const l of b.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Rec);
  });
  const s = await startReal({
    bundleDir: writeBundle(BUNDLE),
    env: {
      PDP_BUNDLE_WATCH: 'false',
      PDP_DECISION_LOG_STDOUT: 'true',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: 'opa:',
      PDP_DECISION_LOG_URL: `${collector.url}/pdp`,
      PDP_DECISION_LOG_UPLOAD_INTERVAL_MS: '10',
      PDP_LABELS: '{"region":"eu-west","environment":"test","id":"ignored"}',
    },
    options: { decisionLogStdout: stdout },
  });
  t.teardown(async () => {
    await s.close();
    raw.disconnect();
    await collector.stop();
    await redis.stop();
  });

  const kept: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await postJson(`${s.url}/v1/data/app/allow`, { input: { user: 'alice', password: 'hunter2', i } });
    t.equal(r.status, 200);
    kept.push((r.json as { decision_id: string }).decision_id);
  }
  const noise = await postJson(`${s.url}/v1/data/app/allow`, { input: { user: 'alice', noise: true } });
  t.equal(noise.status, 200, 'a dropped record does not change the answer');
  const droppedId = (noise.json as { decision_id: string }).decision_id;

  await waitFor('3 records in stdout', () => lines.length >= 3);
  await waitFor('3 uploaded records', () => collector.events().length >= 3);
  const streamKey = 'opa:{decisions}:stream';
  let stream: Rec[] = [];
  await waitFor('3 stream entries', () => stream.length >= 3, 5000).catch(() => undefined);
  for (let tries = 0; tries < 100 && stream.length < 3; tries++) {
    const entries = await raw.xrange(streamKey, '-', '+');
    stream = entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('record') + 1] as string) as Rec);
    if (stream.length < 3) await new Promise((r) => setTimeout(r, 50));
  }
  const lookup = async (id: string): Promise<Rec | null> => {
    const r = await send(`${s.url}/v1/decisions/${id}`);
    return r.status === 200 ? (r.json as Rec) : null;
  };
  const sinks: Record<string, Rec[]> = {
    stdout: lines,
    http: collector.events(),
    redis: stream,
    lookup: (await Promise.all(kept.map(lookup))).filter((x): x is Rec => x !== null),
  };

  // Drop: no sink and no lookup has the dropped record; the others are all there.
  for (const [name, recs] of Object.entries(sinks)) {
    t.notOk(
      recs.some((r) => r.decision_id === droppedId),
      `${name}: the dropped record is absent`,
    );
    t.same(recs.map((r) => r.decision_id).sort(), [...kept].sort(), `${name}: every kept record`);
  }
  t.equal(await lookup(droppedId), null, 'lookup: dropped record not found');
  const status = (await send(`${s.url}/v1/pdp/status`)).json as { decision_log: { policy_dropped: number; drop_errors: number; mask_errors: number } };
  t.equal(status.decision_log.policy_dropped, 1, 'status counts the drop');
  t.equal(status.decision_log.drop_errors, 0);
  t.equal(status.decision_log.mask_errors, 0, 'the /nd_builtin_cache mask is not a mask error');
  const metrics = (await send(`${s.url}/metrics`)).text;
  t.match(metrics, /pdp_decision_log_policy_dropped_total 1\b/, 'the drop counter metric');

  const reqIds = new Set<number>();
  for (const [name, recs] of Object.entries(sinks)) {
    for (const r of recs) {
      // The mask under /nd_builtin_cache did not erase the record: input (masked) and result are kept.
      t.same(r.input, { user: 'alice', i: (r.input as { i?: number } | undefined)?.i }, `${name}: input kept, /input/password erased`);
      t.equal(r.result, true, `${name}: result kept`);
      t.same(r.erased, ['/input/password'], `${name}: erased says what`);
      t.notOk('mask_error' in r, `${name}: no mask error`);
      // Labels: configured ones, plus OPA's id (not the configured one) and version.
      const labels = r.labels as Record<string, string>;
      t.equal(labels.region, 'eu-west', `${name}: configured label`);
      t.equal(labels.environment, 'test');
      t.match(labels.id, /^[0-9a-f-]{36}$/, `${name}: OPA's id label is the instance id`);
      t.type(labels.version, 'string', `${name}: version label`);
      // requested_by: address:port, as OPA.
      t.match(r.requested_by, /^127\.0\.0\.1:\d{1,5}$/, `${name}: requested_by has the port`);
      t.type(r.req_id, 'number', `${name}: req_id`);
      if (name === 'stdout') reqIds.add(r.req_id as number);
      const m = r.metrics as Record<string, number>;
      t.ok(Number.isInteger(m.timer_server_handler_ns) && m.timer_server_handler_ns > 0, `${name}: metrics.timer_server_handler_ns`);
    }
  }
  t.equal(reqIds.size, 3, 'req_id differs per request');
  t.ok(
    [...reqIds].every((n) => Number.isInteger(n) && n >= 1),
    'req_id is a positive counter',
  );
  t.equal(collector.uploads[0]?.path, '/logs/pdp', 'uploaded to the configured resource');
});

t.test('a drop policy that fails keeps the record (and counts the error)', async (t) => {
  const stdout = new PassThrough();
  const lines: Rec[] = [];
  stdout.on('data', (b: Buffer) => {
    for (const l of b.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Rec);
  });
  const s = await startReal({
    bundleDir: writeBundle({
      'app/policy.rego': 'package app\n\nallow := true\n',
      'system/log.rego':
        'package system.log\n\nmask contains "/input/x"\n\n# Two values for one complete rule: an evaluation error (eval_conflict_error).\ndrop := true if input.input.zero == 0\n\ndrop := false if input.input.zero == 0\n',
    }),
    env: { PDP_BUNDLE_WATCH: 'false', PDP_DECISION_LOG_STDOUT: 'true' },
    options: { decisionLogStdout: stdout },
  });
  t.teardown(() => s.close());
  const r = await postJson(`${s.url}/v1/data/app/allow`, { input: { zero: 0 } });
  t.equal(r.status, 200);
  await waitFor('the record', () => lines.length >= 1);
  t.equal(lines[0]?.decision_id, (r.json as { decision_id: string }).decision_id);
  const status = (await send(`${s.url}/v1/pdp/status`)).json as { decision_log: { policy_dropped: number; drop_errors: number } };
  t.equal(status.decision_log.policy_dropped, 0);
  t.equal(status.decision_log.drop_errors, 1, 'the failed drop evaluation is counted');
});
