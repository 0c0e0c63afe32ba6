// The Redis Stream sink's cost per record: a checkout's RedisStreamSink (its dist/) sends batches
// of a realistic record (~1 KB of JSON, its text already written, as the record store leaves it)
// to the Redis at REDIS_URL (default redis://127.0.0.1:6379) with a 3,600 s retention (an XADD and
// a SET per record), one batch at a time. Prints, per batch size, this process's CPU µs per record
// (the sink's client work; the records' making is measured apart and subtracted), Redis's own CPU
// µs per record (INFO cpu) and the wall time. Keys go under a prefix of this run's, deleted after.
// Compare checkouts by running it for each, alternating, several times.
//
//   node bench/decisionlog/redis-sink.mjs [<checkout>] [--records=20000] [--batches=10,100,500]
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { deleteBenchKeys, redisCpuUs, redisOrNull, REDIS_PREFIX, REDIS_URL } from '../lib/bench-redis.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { records: { type: 'string', default: '20000' }, batches: { type: 'string', default: '10,100,500' } },
});
const root = resolve(positionals[0] ?? fileURLToPath(new URL('../../', import.meta.url)));
const { RedisStreamSink } = await import(join(root, 'dist', 'decisionlog', 'sinks', 'redis-stream.js'));
const { recordJson } = await import(join(root, 'dist', 'decisionlog', 'record-json.js'));
const RECORDS = Number(values.records);

const SAMPLE = {
  decision_id: '',
  timestamp: '2026-12-05T12:00:00.000Z',
  path: 'ai/tools/decision',
  kind: 'tool-call',
  caller: 'agent-runtime',
  caller_auth: 'api_key',
  peer_address: '10.0.0.7',
  input: {
    agent: { id: 'agent-7', tenant: 'acme', roles: ['support'] },
    tool: { name: 'crm.lookup_customer', server: 'mcp://crm', risk: 'low' },
    arguments: { customer_id: 'c-123', fields: ['name', 'plan'] },
    session: { id: 's-1', user: 'u-9' },
  },
  result: { allow: true, reasons: [], obligations: [{ type: 'log' }] },
  allow: true,
  outcome: 'decided',
  reasons: [],
  obligations: [{ type: 'log' }],
  exceptions_applied: [],
  bundles: { 'ai-governance': { revision: 'r-2026-12-01' } },
  engine: 'rego',
  cached: true,
  cache_tier: 'memory',
  latency_ms: 0.12,
  trace_id: '0af7651916cd43dd8448eb211c80319c',
  span_id: 'b7ad6b7169203331',
  raw: false,
  labels: { id: 'pdp-7f9c', version: '0.1.0' },
  requested_by: '10.0.0.7:51234',
  req_id: 1,
};

let n = 0;
function record() {
  const r = structuredClone(SAMPLE);
  r.decision_id = `bench-${n++}`;
  recordJson(r);
  return r;
}

function cpuUs() {
  const c = process.cpuUsage();
  return c.user + c.system;
}

const redis = await redisOrNull();
if (!redis) {
  console.error(`no Redis answers at ${REDIS_URL}: nothing to measure`);
  process.exit(2);
}
const { Redis } = await import('ioredis');
// The service's connection options that matter per command: a command timeout.
const client = new Redis(REDIS_URL, { commandTimeout: 1000, enableOfflineQueue: false, lazyConnect: true });
await client.connect();
const sink = new RedisStreamSink({
  client,
  stream: `${REDIS_PREFIX}{decisions}:stream`,
  idKeyPrefix: `${REDIS_PREFIX}{decisions}:id:`,
  maxLen: 100_000,
  retentionMs: 3_600_000,
  timeoutMs: 10_000,
});
try {
  console.log(`checkout ${root}, ${RECORDS} records per batch size, node ${process.version}${sink.mode ? `, sink mode ${sink.mode}` : ''}`);
  for (const size of values.batches.split(',').map(Number)) {
    const send = async (count) => {
      for (let i = 0; i < count; i += size) await sink.send(Array.from({ length: size }, record));
    };
    await send(Math.min(RECORDS, 5000));
    const m0 = cpuUs();
    for (let i = 0; i < RECORDS; i++) record();
    const making = cpuUs() - m0;
    const r0 = await redisCpuUs(redis);
    const c0 = cpuUs();
    const t0 = performance.now();
    await send(RECORDS);
    const client = (cpuUs() - c0 - making) / RECORDS;
    const wall = ((performance.now() - t0) * 1000) / RECORDS;
    const r1 = await redisCpuUs(redis);
    const server = r0 === null || r1 === null ? NaN : (r1 - r0) / RECORDS;
    console.log(
      `batch ${String(size).padStart(4)}: client ${client.toFixed(1)} µs/record, redis ${server.toFixed(1)} µs/record, wall ${wall.toFixed(1)} µs/record`,
    );
  }
} finally {
  await deleteBenchKeys(redis);
  redis.disconnect();
  client.disconnect();
}
