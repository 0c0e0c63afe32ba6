// One decision log with every sink at once (stdout stream, Redis Stream, HTTP receiver):
// masked fields are absent from every sink and from the lookup store.
import t from 'tap';
import { PassThrough } from 'node:stream';
import { Redis } from 'ioredis';
import { DEFAULT_REDIS } from '../../src/config/defaults.js';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/types.js';
import { createDecisionLog } from '../../src/decisionlog/create.js';
import { createRedisClient } from '../../src/redis/connection.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { decidedRecord } from '../helpers/decision-record.js';
import { startCollector } from '../helpers/collector.js';

const SECRETS = ['hunter2', 'tok-abc', '078-05-1120', 'Bearer xyz'];

t.test('masked fields never reach any sink', async (t) => {
  const srv = await startRedisServer();
  const collector = await startCollector();
  const client = createRedisClient({ ...DEFAULT_REDIS, url: srv.url, command_timeout_ms: 200, connect_timeout_ms: 500, max_retries_per_request: 1 });
  if (!client) throw new Error('Redis is configured: expected a client');
  const raw = new Redis(srv.url);
  t.teardown(async () => {
    client.disconnect();
    raw.disconnect();
    await collector.stop();
    await srv.stop();
  });
  const loaded = loadConfig({
    env: {
      REDIS_URL: srv.url,
      REDIS_KEY_PREFIX: 'all:',
      PDP_DECISION_LOG_URL: collector.url,
      PDP_DECISION_LOG_UPLOAD_INTERVAL_MS: '10',
      PDP_DECISION_LOG_MASK_PATHS: '/input/arguments/password,/input/arguments/headers/*,/input/user/ssn',
    },
  });
  t.same(loaded.warnings, []);
  const cfg = loaded.config.decision_log;
  t.equal(cfg.stdout, true);
  t.equal(cfg.redis_stream, 'auto', 'the stream sink follows Redis');
  const out = new PassThrough();
  const lines: string[] = [];
  out.on('data', (b: Buffer) => lines.push(...b.toString('utf8').split('\n').filter(Boolean)));
  const log = createDecisionLog(cfg, loaded.config.redis, {
    redis: client,
    labels: { app: 'pdp' },
    stdout: out,
    // The bundle's mask: the API token in tool args is replaced, not removed.
    policyMask: (rec) =>
      (rec.input as { tool?: string } | undefined)?.tool === 'call_api'
        ? { kind: 'rules', rules: [{ op: 'upsert', path: '/input/arguments/api_token', value: '[REDACTED]' }] }
        : { kind: 'none' },
  });
  const N = 20;
  for (let i = 0; i < N; i++) {
    const e = decidedRecord(
      {
        decision_id: `m-${i}`,
        timestamp: new Date().toISOString(),
        path: 'ai/tools/decision',
        kind: 'tool-call',
        caller: 'agent-runtime',
        input: {
          tool: 'call_api',
          user: { id: 'u-17', ssn: '078-05-1120' },
          arguments: { url: 'https://api.example', password: 'hunter2', api_token: 'tok-abc', headers: { authorization: 'Bearer xyz' } },
        },
        result: { allow: true },
        outcome: 'decided',
        bundles: { main: 'r1' },
        cached: false,
        engine: 'rego',
        duration_ms: 1,
      },
      true,
    );
    t.equal(log.log(e)?.decision_id, `m-${i}`);
  }
  const flushed = await log.close(5000);
  t.same(flushed.undelivered, { stdout: 0, redis: 0, http: 0 }, 'everything delivered on close');

  // The stream key defaults to <REDIS_KEY_PREFIX>{decisions}:stream.
  const stream = (await raw.xrange('all:{decisions}:stream', '-', '+')).map(([, f]) => f.join(' '));
  const uploads = JSON.stringify(collector.events());
  const stored = JSON.stringify(await log.get('m-3'));
  t.equal(lines.length, N, 'stdout: one JSON line per decision');
  t.equal(stream.length, N, 'redis: one entry per decision');
  t.equal(collector.events().length, N, 'http: one event per decision');
  for (const [sink, text] of [
    ['stdout', lines.join('\n')],
    ['redis', stream.join('\n')],
    ['http', uploads],
    ['store', stored],
  ] as const) {
    for (const s of SECRETS) t.equal(text.includes(s), false, `${sink}: "${s}" absent`);
    t.ok(text.includes('u-17'), `${sink}: unmasked fields kept`);
  }
  const first = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
  t.equal(first.allow, true, 'allow comes from the answer in the record');
  t.same(first.input, { tool: 'call_api', user: { id: 'u-17' }, arguments: { url: 'https://api.example', api_token: '[REDACTED]', headers: {} } });
  t.same(first.erased, ['/input/arguments/password', '/input/arguments/headers/*', '/input/user/ssn']);
  t.same(first.masked, ['/input/arguments/api_token']);
});

t.test('bad decision-log settings are reported by variable', async (t) => {
  const sourcesOf = (env: Record<string, string>): string[] => {
    try {
      loadConfig({ env });
    } catch (e) {
      if (e instanceof ConfigError) return e.issues.map((i) => i.source).sort();
      throw e;
    }
    return [];
  };
  // Values the schema refuses, and values refused by the checks that need a well-formed
  // configuration (a mask path's root, a stream sink without Redis).
  t.same(sourcesOf({ PDP_DECISION_LOG_URL: 'ftp://x', PDP_DECISION_LOG_BUFFER_SIZE: '0' }), ['PDP_DECISION_LOG_BUFFER_SIZE', 'PDP_DECISION_LOG_URL']);
  t.same(sourcesOf({ PDP_DECISION_LOG_MASK_PATHS: '/decision_id', PDP_DECISION_LOG_REDIS_STREAM: 'true' }), [
    'PDP_DECISION_LOG_MASK_PATHS',
    'PDP_DECISION_LOG_REDIS_STREAM',
  ]);
});
