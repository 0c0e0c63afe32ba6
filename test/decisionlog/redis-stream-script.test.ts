// The Redis Stream sink writes a batch with one script call per chunk of records (EVALSHA), and
// falls back to pipelines where Redis refuses scripts. Against a dedicated redis-server: what the
// script writes is the documented entry, byte for byte, for hostile values too; chunks keep their
// order; a flushed script cache is reloaded; an ACL without EVAL/EVALSHA switches to pipelines
// (status says why) without losing or repeating a record; any other script error is retried.
import t from 'tap';
import { Redis } from 'ioredis';
import { DEFAULT_DECISION_LOG, DEFAULT_REDIS } from '../../src/config/defaults.js';
import type { DecisionLogConfig, RedisConfig } from '../../src/config/types.js';
import { createDecisionLog } from '../../src/decisionlog/create.js';
import { STREAM_FIELDS, streamFields } from '../../src/decisionlog/sinks/redis-stream.js';
import type { LogRecord } from '../../src/decisionlog/types.js';
import type { DecisionRecord } from '../../src/decisions/types.js';
import { createRedisClient, type RedisClient } from '../../src/redis/connection.js';
import { wellFormed } from '../../src/shared/well-formed.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { decidedRecord } from '../helpers/decision-record.js';
import { until } from '../helpers/until.js';

const srv = await startRedisServer();
t.teardown(() => srv.stop());
const admin = new Redis(srv.url);
t.teardown(() => admin.disconnect());

function cfg(over: Partial<DecisionLogConfig> = {}): DecisionLogConfig {
  return {
    ...DEFAULT_DECISION_LOG,
    stdout: false,
    redis_stream: true,
    batch_size: 500,
    policy_mask: false,
    raw: true,
    retention_seconds: 60,
    caller_header: '',
    flush_timeout_ms: 5000,
    ...over,
  };
}

function redisCfg(prefix: string, over: Partial<RedisConfig> = {}): RedisConfig {
  return { ...DEFAULT_REDIS, url: srv.url, key_prefix: prefix, command_timeout_ms: 2000, connect_timeout_ms: 1000, max_retries_per_request: 1, ...over };
}

/** A connected client: records sent before the connection is up fail fast (no offline queue)
 * and are retried, which the error counts below would see. */
async function connect(r: RedisConfig): Promise<RedisClient> {
  const client = createRedisClient(r);
  if (!client) throw new Error('Redis is configured: expected a client');
  if (!(await until(() => client.status === 'ready'))) throw new Error(`client not ready: ${client.status}`);
  return client;
}

// Values a caller or a policy can put in a record: protocol bytes, Lua syntax, non-ASCII text,
// empty strings, and the fields that may be absent (trace).
const HOSTILE_ID = 'id\r\n*3\r\n$3\r\nDEL\r\n]]..ARGV[1]..[[\u0000✓𝄞';
function event(i: number, id = `id-${i}`): DecisionRecord {
  return decidedRecord(
    {
      decision_id: id,
      timestamp: '2026-12-05T12:00:00.000Z',
      path: i % 3 === 0 ? 'ai/tools/decision' : `data/x\r\n${i}`,
      kind: i % 2 === 0 ? 'tool-call' : 'data',
      input: { note: `"]] redis.call('FLUSHALL') --[[ ${i} ✓`, empty: '' },
      result: { allow: i % 2 === 0 },
      outcome: 'decided',
      bundles: { main: `rev-${i}`, 'b\r\n': '' },
      engine: 'rego',
      cached: i % 4 === 0,
      duration_ms: 0.1,
      ...(i % 5 === 0 ? {} : { trace_id: 'abcdefabcdefabcdefabcdefabcdefab', span_id: '0123456789abcdef' }),
    },
    i % 2 === 0,
  );
}

type Entry = [string, string[]];
async function entries(stream: string): Promise<Entry[]> {
  return (await admin.xrange(stream, '-', '+')) as Entry[];
}

/** The decision ids of a stream's entries, in order (decision_id is every entry's first field). */
const idsOf = (got: Entry[]): string[] => got.map(([, f]) => f[1] ?? '');
/** The ids event(0 … n-1) gives. */
const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `id-${i}`);

/** Calls of EVALSHA and EVAL since the last CONFIG RESETSTAT. */
async function scriptCalls(): Promise<{ evalsha: number; eval: number }> {
  const info = await admin.info('commandstats');
  const calls = (name: string) => Number(new RegExp(`^cmdstat_${name}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  return { evalsha: calls('evalsha'), eval: calls('eval') };
}

t.test('one script call per 100 records writes the documented entries, byte for byte, in order', async (t) => {
  const r = redisCfg('s1:');
  const client = await connect(r);
  t.teardown(() => client.disconnect());
  await admin.config('RESETSTAT');
  const log = createDecisionLog(cfg(), r, { redis: client, labels: {} });
  const N = 250;
  for (let i = 0; i < N; i++) log.log(event(i, i === 7 ? HOSTILE_ID : `id-${i}`));
  await log.close(5000);

  const got = await entries('s1:{decisions}:stream');
  t.equal(got.length, N, `${N} entries`);
  t.same(
    idsOf(got),
    Array.from({ length: N }, (_, i) => (i === 7 ? HOSTILE_ID : `id-${i}`)),
    'in order, across chunk boundaries',
  );
  for (const [, fields] of [got[0], got[7], got[101], got[249]] as Entry[]) {
    const json = fields[fields.length - 1] ?? '';
    const record = JSON.parse(json) as LogRecord;
    t.same(fields, streamFields(record, json), `entry ${record.decision_id.slice(0, 8)}: the documented fields and values`);
    t.equal(await admin.get(`s1:{decisions}:id:${record.decision_id}`), json, 'its id key holds the same JSON');
  }
  t.same(
    got[7]?.[1].filter((_, i) => i % 2 === 0),
    [...STREAM_FIELDS],
    'field names',
  );
  const ttl = await admin.pttl(`s1:{decisions}:id:${HOSTILE_ID}`);
  t.ok(ttl > 0 && ttl <= 60_000, `id key expires with the retention (${ttl} ms)`);
  t.equal(await admin.dbsize(), N + 1, 'nothing else written (the stream and one key per record)');
  const calls = await scriptCalls();
  // The first batch's chunks find no script loaded (NOSCRIPT) and each sends it; Redis keeps it.
  t.equal(calls.evalsha, 3, 'three EVALSHA calls for 250 records');
  t.ok(calls.eval >= 1 && calls.eval <= 3, `the script sent with the first batch's chunks (${calls.eval})`);
  t.equal(log.status().sinks.find((s) => s.name === 'redis')?.mode, 'script');
});

t.test('lone surrogates and escapes in the values: the script writes what a pipeline writes', async (t) => {
  // A lone surrogate has no UTF-8: a command argument carries U+FFFD, and the script's JSON
  // argument (cjson refuses the escape) must carry the same. A backslash before "ud800" is text.
  const odd = [
    ['lone-high', 'data/x\uD800y', { main: 'r\uD800' }],
    ['lone-low', 'data/\uDC00', { main: '\uDFFF' }],
    ['pair', 'data/\uD834\uDD1E', { main: '\uD83D\uDE00' }],
    ['escaped', 'data/\\ud800 \\uDC00', { 'b\\ud83d': '\u0000\u001f"' }],
  ] as const;
  const written = new Map<string, Entry[]>();
  for (const mode of ['script', 'pipeline'] as const) {
    const prefix = `s6${mode[0]}:`;
    if (mode === 'pipeline') {
      await admin.acl('SETUSER', 'noscripts6', 'on', '>pw6', '~*', '&*', '+@all', '-eval', '-evalsha');
      t.teardown(() => admin.acl('DELUSER', 'noscripts6'));
    }
    const r = redisCfg(prefix, mode === 'pipeline' ? { username: 'noscripts6', password: 'pw6' } : {});
    const client = await connect(r);
    t.teardown(() => client.disconnect());
    const log = createDecisionLog(cfg(), r, { redis: client, labels: {} });
    for (const [id, path, bundles] of odd) {
      log.log({ ...event(1, id), path, bundles });
    }
    await log.close(5000);
    const got = await entries(`${prefix}{decisions}:stream`);
    t.same(
      idsOf(got),
      odd.map(([id]) => id),
      `${mode}: every record`,
    );
    const sinkMode = log.status().sinks.find((s) => s.name === 'redis')?.mode ?? '';
    t.equal(sinkMode.split(' ')[0], mode, `written by ${mode}`);
    written.set(mode, got);
  }
  const script = written.get('script') ?? [];
  for (const [i, [, fields]] of script.entries()) {
    const json = fields[fields.length - 1] ?? '';
    const documented = streamFields(JSON.parse(json) as LogRecord, json).map(wellFormed);
    t.same(fields, documented, `${fields[1]}: the documented values, a lone surrogate as U+FFFD`);
    t.same(fields, written.get('pipeline')?.[i]?.[1], `${fields[1]}: the entry a pipeline writes`);
  }
});

t.test('retention 0: no id keys; a flushed script cache is reloaded without losing a record', async (t) => {
  const r = redisCfg('s2:');
  const client = await connect(r);
  t.teardown(() => client.disconnect());
  const log = createDecisionLog(cfg({ retention_seconds: 0 }), r, { redis: client, labels: {} });
  for (let i = 0; i < 20; i++) log.log(event(i));
  t.ok(await until(async () => (await admin.xlen('s2:{decisions}:stream')) === 20), 'first batch');
  await admin.script('FLUSH');
  for (let i = 20; i < 40; i++) log.log(event(i));
  await log.close(5000);
  const got = await entries('s2:{decisions}:stream');
  t.same(idsOf(got), ids(40), 'every record once, in order');
  t.same(await admin.keys('s2:{decisions}:id:*'), [], 'no id keys');
  t.equal(log.status().sinks.find((s) => s.name === 'redis')?.errors, 0, 'no errors');
});

t.test('an ACL without EVAL/EVALSHA: pipelines from then on, every record once, status says why', async (t) => {
  await admin.acl('SETUSER', 'noscripts', 'on', '>pw-noscripts', '~*', '&*', '+@all', '-eval', '-evalsha');
  t.teardown(() => admin.acl('DELUSER', 'noscripts'));
  const r = redisCfg('s3:', { username: 'noscripts', password: 'pw-noscripts' });
  const client = await connect(r);
  t.teardown(() => client.disconnect());
  const log = createDecisionLog(cfg(), r, { redis: client, labels: {} });
  for (let i = 0; i < 30; i++) log.log(event(i));
  t.ok(await until(async () => (await admin.xlen('s3:{decisions}:stream')) === 30), '30 entries');
  for (let i = 30; i < 60; i++) log.log(event(i));
  await log.close(5000);
  const got = await entries('s3:{decisions}:stream');
  t.same(idsOf(got), ids(60), 'every record once, in order');
  const [, fields] = got[1] as Entry;
  const json = fields[fields.length - 1] ?? '';
  t.same(fields, streamFields(JSON.parse(json) as LogRecord, json), 'the same entry as the script writes');
  t.equal(await admin.get('s3:{decisions}:id:id-1'), json, 'id keys too');
  const sink = log.status().sinks.find((s) => s.name === 'redis');
  t.match(sink?.mode, /^pipeline \(scripts refused: NOPERM.*evalsha/i, 'status names the refusal');
  t.equal(sink?.errors, 0, 'the fallback is not a failed delivery');
  t.equal(sink?.delivered, 60);
});

t.test('any other script error is a failed batch, retried; scripts stay on', async (t) => {
  const r = redisCfg('s4:');
  const client = await connect(r);
  t.teardown(() => client.disconnect());
  // The stream's key holds a string: XADD inside the script fails (WRONGTYPE).
  await admin.set('s4:{decisions}:stream', 'not a stream');
  const log = createDecisionLog(cfg(), r, { redis: client, labels: {} });
  for (let i = 0; i < 10; i++) log.log(event(i));
  t.ok(await until(() => (log.status().sinks.find((s) => s.name === 'redis')?.errors ?? 0) >= 1), 'error counted');
  const failing = log.status().sinks.find((s) => s.name === 'redis');
  t.match(failing?.last_error?.message, /WRONGTYPE/);
  t.equal(failing?.mode, 'script', 'not switched to pipelines');
  t.equal(failing?.queue_depth, 10, 'records kept for the retry');
  await admin.del('s4:{decisions}:stream');
  t.ok(await until(async () => (await admin.xlen('s4:{decisions}:stream')) === 10, 10_000), 'written on a retry');
  await log.close(5000);
  t.same(idsOf(await entries('s4:{decisions}:stream')), ids(10));
});

t.test('chunks: at most 100 records and, past a chunk’s first record, 1 MiB of JSON', async (t) => {
  const { scriptChunks } = await import('../../src/decisionlog/sinks/redis-stream.js');
  const rec = (i: number, size: number): LogRecord => ({ ...({} as LogRecord), decision_id: `c-${i}`, input: 'x'.repeat(size) }) as LogRecord;
  const sizes = (cs: LogRecord[][]) => cs.map((c) => c.length);
  t.same(sizes(scriptChunks(Array.from({ length: 250 }, (_, i) => rec(i, 10)))), [100, 100, 50], 'by count');
  t.same(sizes(scriptChunks(Array.from({ length: 5 }, (_, i) => rec(i, 400 * 1024)))), [2, 2, 1], 'by size: two 400 KiB records fit, a third does not');
  t.same(sizes(scriptChunks([rec(0, 10), rec(1, 3 * 1024 * 1024), rec(2, 10)])), [1, 1, 1], 'a record over the bound goes alone');
  t.same(scriptChunks([]), []);
});

t.test('large records: 40 records of ~300 KB each are written, every one once', async (t) => {
  const r = redisCfg('s5:');
  const client = await connect(r);
  t.teardown(() => client.disconnect());
  const log = createDecisionLog(cfg(), r, { redis: client, labels: {} });
  for (let i = 0; i < 40; i++) {
    const e = event(i);
    log.log({ ...e, input: { blob: `${i}:`.padEnd(300_000, 'z') } });
  }
  await log.close(10_000);
  const got = await entries('s5:{decisions}:stream');
  t.same(idsOf(got), ids(40));
  t.ok(
    got.every(([, f]) => (f[f.length - 1] ?? '').length > 300_000),
    'whole records',
  );
  t.match(
    log.status().sinks.find((s) => s.name === 'redis'),
    { errors: 0, delivered: 40 },
  );
});

t.test('a batch sent again (a retry after its deadline passed while Redis wrote it): each record once with a retention, twice without', async (t) => {
  const { RedisStreamSink } = await import('../../src/decisionlog/sinks/redis-stream.js');
  const { toLogRecord } = await import('../../src/decisionlog/record.js');
  const r = redisCfg('s9:');
  const client = await connect(r);
  t.teardown(() => client.disconnect());
  const batch = Array.from({ length: 150 }, (_, i) => toLogRecord(event(i, i === 7 ? HOSTILE_ID : `id-${i}`), {}));
  const sink = (prefix: string, retentionMs: number) =>
    new RedisStreamSink({ client, stream: `${prefix}stream`, idKeyPrefix: `${prefix}id:`, maxLen: 100_000, retentionMs, timeoutMs: 5000 });
  const kept = sink('s9:{d}:', 60_000);
  await kept.send(batch);
  await kept.send(batch.slice(0, 120));
  await kept.send(batch);
  t.same(
    idsOf(await entries('s9:{d}:stream')),
    batch.map((x) => x.decision_id),
    'every record once, in order',
  );
  t.equal((await admin.keys('s9:{d}:id:*')).length, 150, 'and its id key');
  const unkept = sink('s9:{e}:', 0);
  await unkept.send(batch.slice(0, 10));
  await unkept.send(batch.slice(0, 10));
  t.equal(await admin.xlen('s9:{e}:stream'), 20, 'without a retention there is no id key to tell: at least once');
});
