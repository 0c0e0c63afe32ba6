// The secret-marker sweep (issue 12, privacy by default). The real service — `pdp serve` in a
// child process, the embedded default bundle, the default configuration plus: a real
// redis-server (decision cache and Redis Stream sink), the stdout sink, an OPA-compatible HTTP
// sink and an OTLP/HTTP receiver, all on loopback — is sent tool calls, a model deployment and
// Data API queries carrying a password, an API key, a bearer token, a JWT, a card number, an
// e-mail address, a US SSN and a cookie, each a unique marker, at depth 1 and 6 in `arguments`,
// `context` and `metadata` and in the identity fields. Then every place the service writes to
// is read: its stdout and stderr, every Redis key and value (stream entries, per-id keys, cache
// entries), GET /v1/decisions/{id}, /v1/pdp/status, /metrics, the HTTP sink's bodies and the OTLP
// receiver's spans. No marker may appear anywhere — raw, URL-encoded, JSON-escaped or base64
// (std and url alphabets, every alignment). A failing assertion names the sink, the marker and
// the JSON fields it was found in.
//
// With PDP_DECISION_LOG_RAW=true the same request reaches the log unmasked and the records say
// so; spans and the cache still carry no marker.
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { packageRoot } from '../../src/shared/package-root.js';
import { startCollector, type Collector } from '../helpers/collector.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { jsonLines, listeningUrl } from '../helpers/json-lines.js';
import { until } from '../helpers/until.js';

// ---- markers ---------------------------------------------------------------------------------

const KINDS = ['password', 'api_key', 'bearer', 'jwt', 'card', 'email', 'ssn', 'cookie'] as const;
type Kind = (typeof KINDS)[number];
/** The argument/field name each kind is sent under (names are logged; values must not be). */
const KEY: Record<Kind, string> = {
  password: 'password',
  api_key: 'api_key',
  bearer: 'authorization',
  jwt: 'id_token',
  card: 'card_number',
  email: 'email',
  ssn: 'ssn',
  cookie: 'cookie',
};

interface Marker {
  kind: Kind;
  /** Which request and where in it, e.g. "tc-email: arguments.l1.l2.l3.l4.l5.password". */
  where: string;
  value: string;
  /** Strings that must not appear: the value and its distinctive core. */
  needles: string[];
}

const b64url = (s: string): string => Buffer.from(s).toString('base64url');

function luhn(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits + String((10 - (sum % 10)) % 10);
}

class Markers {
  readonly all: Marker[] = [];
  private n = 0;
  constructor(private readonly run: string) {}

  make(kind: Kind, where: string): string {
    const n = ++this.n;
    const tag = `${this.run}${String(n).padStart(3, '0')}Q`;
    let value: string;
    let needles: string[];
    switch (kind) {
      case 'password':
        value = `Pw!${tag}-Hunter2`;
        needles = [value, tag];
        break;
      case 'api_key':
        value = `sk_live_${tag}9f8e7d6c`;
        needles = [value, tag];
        break;
      case 'bearer':
        value = `Bearer ${tag}.t0ken`;
        needles = [value, `${tag}.t0ken`, tag];
        break;
      case 'jwt': {
        const payload = b64url(JSON.stringify({ sub: tag, email: `${tag}@jwt.example`, exp: 4102444800 }));
        const sig = b64url(`signature-${tag}-0123456789`);
        value = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${payload}.${sig}`;
        needles = [value, payload, sig];
        break;
      }
      case 'card':
        value = luhn(`4539${String(77_000_000_000 + n)}`);
        needles = [value];
        break;
      case 'email':
        value = `${tag.toLowerCase()}@private-mail.example`;
        needles = [value, tag.toLowerCase()];
        break;
      case 'ssn':
        value = `${200 + n}-47-${String(1000 + n)}`;
        needles = [value];
        break;
      case 'cookie':
        value = `sid=${tag}c00k; theme=dark`;
        needles = [value, `${tag}c00k`];
        break;
    }
    this.all.push({ kind, where, value, needles });
    return value;
  }

  /** Every kind under its key, directly in `obj` and five levels below it (depth 1 and 6). */
  fill(obj: Record<string, unknown>, label: string): Record<string, unknown> {
    const deep: Record<string, unknown> = {};
    for (const kind of KINDS) {
      obj[KEY[kind]] = this.make(kind, `${label}.${KEY[kind]}`);
      deep[KEY[kind]] = this.make(kind, `${label}.l1.l2.l3.l4.l5.${KEY[kind]}`);
    }
    obj.l1 = { l2: { l3: { l4: { l5: deep } } } };
    return obj;
  }
}

/** The marker value in every encoding a sink might plausibly write it in. */
function variants(needle: string): string[] {
  const out = new Set([needle, encodeURIComponent(needle), JSON.stringify(needle).slice(1, -1)]);
  const bytes = Buffer.from(needle);
  for (let align = 0; align < 3; align++) {
    // Base64 of the needle as it would be encoded inside a longer text: for each alignment, the
    // characters that depend on the needle's bytes only.
    const encoded = Buffer.concat([Buffer.alloc(align), bytes]).toString('base64');
    const from = align === 0 ? 0 : 4;
    const inner = encoded.slice(from, encoded.length - 4);
    if (inner.length >= 8) {
      out.add(inner);
      out.add(inner.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...out];
}

// ---- where a marker was found ----------------------------------------------------------------

/** JSON paths of the strings in `doc` that contain `needle` (object keys too). */
function pathsOf(doc: unknown, needle: string, at = ''): string[] {
  if (typeof doc === 'string') return doc.includes(needle) ? [at || '(value)'] : [];
  if (typeof doc === 'number' || typeof doc === 'bigint') return String(doc).includes(needle) ? [at || '(value)'] : [];
  if (Array.isArray(doc)) return doc.flatMap((x, i) => pathsOf(x, needle, `${at}[${i}]`));
  if (doc !== null && typeof doc === 'object') {
    return Object.entries(doc).flatMap(([k, v]) => [...(k.includes(needle) ? [`${at}.${k} (key)`] : []), ...pathsOf(v, needle, at ? `${at}.${k}` : k)]);
  }
  return [];
}

/** A sink's content: its raw text, and the JSON documents in it (for naming fields). */
interface Sink {
  text: string;
  docs: unknown[];
}

interface Leak {
  marker: string;
  found: string;
  fields: string[];
}

function leaksIn(sink: Sink, markers: readonly Marker[]): Leak[] {
  const leaks: Leak[] = [];
  for (const m of markers) {
    for (const needle of m.needles) {
      const hit = variants(needle).find((v) => sink.text.includes(v));
      if (hit === undefined) continue;
      const fields = [...new Set(sink.docs.flatMap((d) => pathsOf(d, hit)))];
      leaks.push({ marker: `${m.kind} at ${m.where}`, found: hit === needle ? 'as is' : `encoded (${hit})`, fields: fields.length ? fields : ['(raw text)'] });
      break;
    }
  }
  return leaks;
}

/** Only inside reason messages (the reason texts are another change of issue 12). */
const inReasonMessage = (field: string): boolean => /(^|\.)reasons\[\d+\]\.message$/.test(field);

// ---- the requests ----------------------------------------------------------------------------

interface Sent {
  name: string;
  method: 'POST';
  path: string;
  body: unknown;
}

function requests(mk: Markers): Sent[] {
  const toolCall = (
    name: string,
    tool: { name: string; server: string },
    agent: Record<string, unknown>,
    roles: string[],
    extra: Record<string, unknown> = {},
  ) => {
    const label = name;
    return {
      agent,
      user: { id: mk.make('email', `${label}: user.id`), email: mk.make('email', `${label}: user.email`), roles },
      session: { id: mk.make('bearer', `${label}: session.id`), untrusted_content_seen: false, sensitive_data_accessed: false },
      tool,
      arguments: mk.fill(extra, `${label}: arguments`),
      context: mk.fill({}, `${label}: context`),
      metadata: mk.fill({}, `${label}: metadata`),
      signals: { prompt_injection_score: 0.05 },
    };
  };
  const email = toolCall('tc-email', { name: 'send_email', server: 'mail' }, { id: 'support-bot', trust_level: 'medium', environment: 'prod' }, ['support'], {
    to: [mk.make('email', 'tc-email: arguments.to[0]')],
    subject: 'Your ticket',
    body: `Card ${mk.make('card', 'tc-email: arguments.body (in text)')} on file`,
    card_as_number: Number(mk.make('card', 'tc-email: arguments.card_as_number (a JSON number)')),
  });
  const webhook = toolCall(
    'tc-webhook',
    { name: 'post_webhook', server: 'web' },
    { id: 'ops-agent', trust_level: 'high', environment: 'staging' },
    ['engineer'],
    {
      url: 'https://hooks.partner.example.org/orders',
    },
  );
  const unknown = toolCall('tc-unknown', { name: 'exfiltrate', server: 'evil' }, { id: 'support-bot', trust_level: 'low' }, []);
  const deployment = {
    model: {
      name: 'fraud-scorer',
      version: '3.2.0',
      registry: 'registry.internal/models',
      artifact: { uri: `s3://svc:${mk.make('password', 'md: model.artifact.uri (userinfo)')}@models/fraud`, digest: `sha256:${'a'.repeat(64)}`, signed: true },
      license: 'apache-2.0',
      owner: mk.make('email', 'md: model.owner'),
      risk_tier: 2,
      data_classification: 'internal',
      intended_use: `Scoring for customer ${mk.make('ssn', 'md: model.intended_use (in text)')}`,
      retention_days: 30,
      evaluation: {
        evidence_url: `https://evidence.internal/report?api_key=${mk.make('api_key', 'md: model.evaluation.evidence_url (query)')}`,
        model_version: '3.2.0',
        completed_at: '2026-01-01T00:00:00Z',
        metrics: { safety: 0.99, toxicity: 0.01, jailbreak_resistance: 0.95, hallucination_rate: 0.02, fairness_gap: 0.01 },
      },
    },
    deployment: { environment: 'staging', exposure: 'internal', region: 'eu-west-1' },
    requester: { id: mk.make('email', 'md: requester.id'), roles: ['ml-engineer'] },
    approvals: [{ role: 'model-risk', approver_id: mk.make('email', 'md: approvals[0].approver_id'), approved_at: '2026-01-02T00:00:00Z' }],
    context: mk.fill({}, 'md: context'),
    metadata: mk.fill({}, 'md: metadata'),
  };
  const dataInput = toolCall('data-decision', { name: 'send_email', server: 'mail' }, { id: 'support-bot', trust_level: 'medium', environment: 'prod' }, [
    'support',
  ]);
  const echoInput = { arguments: mk.fill({}, 'data-echo: arguments') };
  // Under strict-builtin-errors a timestamp that does not parse is an evaluation error whose
  // message quotes the value.
  const strictInput = {
    ...deployment,
    approvals: [{ role: 'model-risk', approver_id: 'u-1', approved_at: mk.make('ssn', 'data-strict: approvals[0].approved_at') }],
    model: {
      ...deployment.model,
      evaluation: { ...deployment.model.evaluation, completed_at: mk.make('password', 'data-strict: model.evaluation.completed_at') },
    },
  };
  return [
    { name: 'tc-email', method: 'POST', path: '/v1/decisions/tool-call', body: email },
    { name: 'tc-webhook', method: 'POST', path: '/v1/decisions/tool-call', body: webhook },
    { name: 'tc-unknown', method: 'POST', path: '/v1/decisions/tool-call', body: unknown },
    { name: 'md', method: 'POST', path: '/v1/decisions/model-deployment', body: deployment },
    { name: 'data-decision', method: 'POST', path: '/v1/data/ai/tools/decision', body: { input: dataInput } },
    { name: 'data-echo', method: 'POST', path: '/v1/data/ai/tools/arguments', body: { input: echoInput } },
    { name: 'data-strict', method: 'POST', path: '/v1/data/ai/deployment/decision?strict-builtin-errors=true', body: { input: strictInput } },
  ];
}

// ---- the service under test ------------------------------------------------------------------

interface Run {
  markers: Markers;
  sent: Sent[];
  answers: { name: string; status: number; json: Record<string, unknown> }[];
  sinks: Record<string, Sink>;
  /** The logged records, by request name (from GET /v1/decisions/{id}). */
  records: Map<string, Record<string, unknown>>;
  stdoutLines: Record<string, unknown>[];
  streamLength: number;
  cacheValues: string[];
  spans: number;
}

async function runService(t: Test, runTag: string, env: Record<string, string>): Promise<Run> {
  const redis: RedisServer = await startRedisServer();
  const httpSink: Collector = await startCollector();
  const otlp: Collector = await startCollector();
  const rawRedis = new Redis(redis.url);
  t.teardown(async () => {
    rawRedis.disconnect();
    await otlp.stop();
    await httpSink.stop();
    await redis.stop();
  });
  // The test runner's environment minus this service's own settings: only what is set here.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(PDP_|REDIS_|OTEL_)/.test(k)));
  const child = spawn(process.execPath, ['--import', 'tsx', join(packageRoot, 'test/helpers/pdp-serve.ts')], {
    cwd: packageRoot,
    env: {
      ...base,
      PDP_HOST: '127.0.0.1',
      PDP_PORT: '0',
      // One process, as before server.workers (the cluster has its own tests, test/cluster/).
      PDP_WORKERS: '1',
      PDP_EVAL_TIMEOUT_MS: '10000',
      PDP_BUNDLE_WATCH: 'false',
      REDIS_URL: redis.url,
      REDIS_COMMAND_TIMEOUT_MS: '2000',
      PDP_DECISION_LOG_STDOUT: 'true',
      PDP_DECISION_LOG_URL: httpSink.url,
      PDP_DECISION_LOG_UPLOAD_INTERVAL_MS: '50',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlp.port}`,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const exited = once(child, 'exit');
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  if (!(await until(() => listeningUrl(stdout) !== undefined, 60_000, 50))) throw new Error(`the service did not start:\n${stdout}\n${stderr}`);
  const url = listeningUrl(stdout) ?? '';

  const markers = new Markers(runTag);
  const sent = requests(markers);
  const answers: Run['answers'] = [];
  // Twice each: the second answer comes from the cache.
  for (const round of [1, 2]) {
    for (const r of sent) {
      // A cookie header too: headers are read for trace context only.
      const headers = { 'content-type': 'application/json', cookie: markers.make('cookie', `${r.name}#${round}: Cookie header`) };
      const res = await fetch(`${url}${r.path}`, { method: r.method, headers, body: JSON.stringify(r.body) });
      answers.push({ name: `${r.name}#${round}`, status: res.status, json: (await res.json()) as Record<string, unknown> });
    }
  }
  const idOf = (a: { json: Record<string, unknown> }): string =>
    String(a.json.decision_id ?? (a.json.error as { decision_id?: unknown } | undefined)?.decision_id ?? a.json.decision_id);
  const ids = answers.map(idOf);
  const N = answers.length;
  // Everything is recorded after the answer; wait for the sinks before reading the lookup.
  t.ok(await until(async () => (await rawRedis.xlen('pdp:{decisions}:stream')) === N, 20_000), `${N} stream entries`);
  const records = new Map<string, Record<string, unknown>>();
  const lookups: string[] = [];
  for (const [i, id] of ids.entries()) {
    const res = await fetch(`${url}/v1/decisions/${id}`);
    const text = await res.text();
    lookups.push(text);
    if (res.status === 200) records.set(answers[i]?.name ?? '', JSON.parse(text) as Record<string, unknown>);
  }
  t.equal(records.size, N, 'every decision is found by GET /v1/decisions/{id}');
  const status = await (await fetch(`${url}/v1/pdp/status`)).text();
  const metrics = await (await fetch(`${url}/metrics`)).text();

  // Shutdown flushes every sink and the span exporter.
  child.kill('SIGTERM');
  await exited;
  t.ok(await until(() => httpSink.events().length === N, 10_000), `${N} events uploaded to the HTTP sink`);

  const redisDump: string[] = [];
  const cacheValues: string[] = [];
  for (const key of await rawRedis.keys('*')) {
    const type = await rawRedis.type(key);
    if (type === 'string') {
      const v = (await rawRedis.get(key)) ?? '';
      redisDump.push(`${key}\t${v}`);
      if (key.startsWith('pdp:dc:')) cacheValues.push(v);
    } else if (type === 'stream') {
      for (const [id, fields] of await rawRedis.xrange(key, '-', '+')) redisDump.push(`${key}\t${id}\t${JSON.stringify(fields)}`);
    } else {
      redisDump.push(`${key}\t(${type})`);
    }
  }
  const streamRecords = (await rawRedis.xrange('pdp:{decisions}:stream', '-', '+')).map(([, f]) => JSON.parse(f[f.indexOf('record') + 1] ?? '{}') as unknown);
  const otlpText = otlp.uploads.map((u) => u.text).join('\n');
  const httpText = httpSink.uploads.map((u) => u.text).join('\n');
  return {
    markers,
    sent,
    answers,
    records,
    stdoutLines: jsonLines(stdout) as Record<string, unknown>[],
    streamLength: streamRecords.length,
    cacheValues,
    spans: (otlpText.match(/"pdp\.decision"/g) ?? []).length,
    sinks: {
      stdout: { text: stdout, docs: jsonLines(stdout) },
      stderr: { text: stderr, docs: [] },
      'redis (every key and value)': { text: redisDump.join('\n'), docs: streamRecords },
      'GET /v1/decisions/{id}': { text: lookups.join('\n'), docs: [...records.values()] },
      'GET /v1/pdp/status and /metrics': { text: `${status}\n${metrics}`, docs: [] },
      'HTTP sink': { text: httpText, docs: httpSink.events() },
      'OTLP receiver (spans)': { text: otlpText, docs: otlp.uploads.map((u) => JSON.parse(u.text) as unknown) },
    },
  };
}

// ---- the tests -------------------------------------------------------------------------------

t.test('default configuration: no marker reaches any sink, the lookup, Redis or a span', async (t) => {
  const run = await runService(t, 'ZD', {});
  const N = run.answers.length;
  t.ok(run.markers.all.length > 250, `${run.markers.all.length} markers sent`);
  const sent = run.markers.all.filter((m) => !m.where.endsWith('Cookie header'));
  const sentText = { text: JSON.stringify(run.sent.map((s) => s.body)), docs: [] };
  t.equal(leaksIn(sentText, sent).length, sent.length, 'the search finds every marker in what was sent');
  t.match(
    run.answers.map((a) => [a.name, a.status]),
    [
      ['tc-email#1', 200],
      ['tc-webhook#1', 200],
      ['tc-unknown#1', 200],
      ['md#1', 200],
      ['data-decision#1', 200],
      ['data-echo#1', 200],
      ['data-strict#1', Number],
      ...Array.from({ length: 7 }, () => [String, Number]),
    ],
    'every request was answered',
  );
  t.equal(run.streamLength, N, 'the stream has every record');
  t.ok(run.spans >= N, `the OTLP receiver got the decision spans (${run.spans})`);
  t.ok(run.cacheValues.length >= 4, `decisions were cached in Redis (${run.cacheValues.length} entries)`);
  t.ok(
    run.cacheValues.every((v) => v.startsWith('s3.')),
    'cache values are sealed',
  );

  // What the log keeps: the record says it was masked; names and the listed fields are there,
  // values are summaries.
  const email = run.records.get('tc-email#1') ?? {};
  t.equal(email.raw, false, 'the record says it was masked');
  t.match(email.input, {
    agent: { id: 'support-bot', trust_level: 'medium', environment: 'prod' },
    tool: { name: 'send_email', server: 'mail' },
    user: { id: { type: 'string' }, roles: ['support'] },
    arguments: {
      password: { type: 'string', length: Number },
      to: [{ type: 'string' }],
      card_as_number: { type: 'number' },
      l1: { l2: { l3: { l4: { l5: { password: { type: 'string' }, cookie: { type: 'string' } } } } } },
    },
    context: { cookie: { type: 'string' }, l1: { l2: { l3: { l4: { l5: { id_token: { type: 'string' } } } } } } },
  });
  t.ok((email.masked as string[]).includes('/input/arguments/l1/l2/l3/l4/l5/ssn'), 'masked lists what was replaced');
  const logged = run.stdoutLines.filter((l) => l.msg === 'Decision Log');
  t.equal(logged.length, N, 'every decision on stdout');
  t.ok(
    logged.every((l) => l.raw === false),
    'every record on stdout says raw: false',
  );
  t.same(
    logged.filter((l) => l.mask_error !== undefined).map((l) => l.mask_error),
    [],
    'no record lost its input to a failing mask',
  );
  t.match(run.records.get('data-echo#1'), { raw: false, result: { password: { type: 'string' } } }, 'an echoing Data API result is summarized');
  t.match(
    run.records.get('data-strict#1'),
    { outcome: 'error', raw: false, error: { message: /"…"/ } },
    'an evaluation error quoting a request value is logged with the quote redacted',
  );
  t.match(run.records.get('md#1'), { input: { model: { name: 'fraud-scorer', owner: { type: 'string' } }, requester: { id: { type: 'string' } } } });

  // The sweep: one assertion per sink and kind of secret, naming where each marker was found.
  const reasonOnly: string[] = [];
  for (const [sink, content] of Object.entries(run.sinks)) {
    for (const kind of KINDS) {
      const leaks = leaksIn(
        content,
        run.markers.all.filter((m) => m.kind === kind),
      );
      const name = `${sink}: no ${kind} value`;
      if (leaks.length > 0 && leaks.every((l) => l.fields.every(inReasonMessage))) reasonOnly.push(name);
      t.same(leaks, [], name);
    }
  }
  if (reasonOnly.length > 0) t.comment(`failing only because reason messages quote request values: ${reasonOnly.join('; ')}`);
});

t.test('raw logging: the values are logged and the record says raw; spans and the cache still hold none', async (t) => {
  const run = await runService(t, 'ZR', { PDP_DECISION_LOG_RAW: 'true' });
  t.ok(
    run.stdoutLines.some((l) => l.level === 40 && /raw decision logging is on/.test(String(l.msg))),
    'a warning at start',
  );
  t.match(JSON.parse(run.sinks['GET /v1/pdp/status and /metrics']?.text.split('\n')[0] ?? '{}'), { decision_log: { raw: true } }, '/v1/pdp/status says so');
  const email = run.records.get('tc-email#1') ?? {};
  t.equal(email.raw, true, 'the record says raw');
  t.equal(email.masked, undefined, 'nothing masked');
  const argPassword = run.markers.all.find((m) => m.where === 'tc-email: arguments.password')?.value;
  t.match(email.input, { arguments: { password: argPassword } }, 'the argument value is in the record');
  const atDepth6 = run.markers.all.filter((m) => m.where.startsWith('tc-email: arguments.l1'));
  for (const sink of ['stdout', 'redis (every key and value)', 'GET /v1/decisions/{id}', 'HTTP sink']) {
    const found = leaksIn(run.sinks[sink] ?? { text: '', docs: [] }, atDepth6);
    t.equal(found.length, atDepth6.length, `${sink}: every depth-6 argument value is there`);
  }
  for (const sink of ['OTLP receiver (spans)', 'GET /v1/pdp/status and /metrics']) {
    t.same(leaksIn(run.sinks[sink] ?? { text: '', docs: [] }, run.markers.all), [], `${sink}: still none`);
  }
  const cache = { text: run.cacheValues.join('\n'), docs: [] };
  t.ok(run.cacheValues.length >= 4, 'decisions were cached in Redis');
  t.same(leaksIn(cache, run.markers.all), [], 'the Redis cache values: still none');
});
