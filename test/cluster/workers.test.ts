// server.workers = 2, for real: `pdp serve` as a child process (the primary) forking two
// workers on one port. One cluster serves the tests in order (each spawn costs seconds of CPU on
// a shared machine): both workers answer and say who they are, /health and /ready per worker;
// a decision answered by one worker is found by a lookup the other receives; /metrics from
// either worker counts the decisions of both; records larger than PIPE_BUF written by both
// workers at once come out on stdout as whole lines, each decision exactly once; a killed worker
// is replaced, and the primary never serves; SIGTERM lets an in-flight request finish, flushes
// its record, and the primary exits 0. A second, short-lived cluster whose workers cannot listen
// shows the primary stops (exit 1) instead of restarting them forever; a third, whose primary is
// killed outright, that its workers end too; and two signalled while their workers are still
// starting (Ctrl-C to the group, SIGTERM to the primary alone), that this is a clean stop (exit 0).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Pool, type Client } from 'undici';
import { packageRoot } from '../../src/shared/package-root.js';
import { clientsOnDistinctWorkers, parseLine, startCluster, statusOf, type ClusterRun, type WorkerClient } from '../helpers/cluster.js';

const TOOL_CALL = JSON.parse(readFileSync(join(packageRoot, 'examples/tool-call/support-email.allow.json'), 'utf8')) as Record<string, unknown>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function json(client: Client | Pool, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await client.request({
    method,
    path,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.body.text();
  return { status: r.statusCode, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

async function decide(client: Client | Pool, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await json(client, 'POST', '/v1/decisions/tool-call', { ...TOOL_CALL, ...extra });
  if (r.status !== 200) throw new Error(`decision answered ${r.status}: ${JSON.stringify(r.body)}`);
  return String(r.body.decision_id);
}

/** Sum of one counter over all its label sets, from Prometheus text. */
function counterSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

/** Decision-log lines on stdout, by decision id. */
function decisionLines(run: ClusterRun): Map<string, string[]> {
  const by = new Map<string, string[]>();
  for (const l of run.lines) {
    const j = parseLine(l);
    if (j?.msg !== 'Decision Log') continue;
    const id = String(j.decision_id);
    by.set(id, [...(by.get(id) ?? []), l]);
  }
  return by;
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

let run: ClusterRun;
let a: WorkerClient;
let b: WorkerClient;
const closers: (() => Promise<unknown>)[] = [];

t.before(async () => {
  run = await startCluster({ PDP_WORKERS: '2', PDP_DECISION_LOG_STDOUT: 'true', PDP_CACHE_ENABLED: 'false' });
  [a, b] = (await clientsOnDistinctWorkers(run.url, 2)) as [WorkerClient, WorkerClient];
  closers.push(
    () => a.client.close(),
    () => b.client.close(),
  );
});
t.teardown(async () => {
  for (const c of closers) await c().catch(() => undefined);
  run?.kill();
});

t.test('two workers on one port: each says the count and who answered; health and readiness per worker', async (t) => {
  const primary = await run.waitFor((l) => l.msg === 'pdp listening' && l.role === 'primary', 1000);
  t.match(primary, { url: /^http:\/\/127\.0\.0\.1:\d+$/, workers: 2 }, 'the primary prints the shared url');
  t.not(a.worker.pid, b.worker.pid, 'two processes');
  t.not(a.worker.pid, run.child.pid, 'the primary does not serve');
  t.not(b.worker.pid, run.child.pid, 'the primary does not serve');
  for (const w of [a, b]) {
    const s = await statusOf(w.client);
    t.same(s, { count: 2, answered_by: w.worker }, `worker ${w.worker.id}: /v1/pdp/status`);
    t.equal((await json(w.client, 'GET', '/ready')).status, 200, `worker ${w.worker.id}: ready (its bundle active)`);
    t.equal((await json(w.client, 'GET', '/health?bundles')).status, 200, `worker ${w.worker.id}: healthy`);
  }
});

t.test('a decision answered by one worker is found by a lookup the other receives', async (t) => {
  for (const [answering, asked] of [
    [a, b],
    [b, a],
  ] as const) {
    const id = await decide(answering.client);
    const r = await json(asked.client, 'GET', `/v1/decisions/${id}`);
    t.equal(r.status, 200, `answered by worker ${answering.worker.id}, looked up on worker ${asked.worker.id}`);
    t.equal(r.body.decision_id, id);
  }
  const started = Date.now();
  const missing = await json(a.client, 'GET', '/v1/decisions/no-such-decision');
  t.equal(missing.status, 404, 'an unknown id: 404 once the sibling said so');
  t.ok(Date.now() - started < 1000, 'without waiting out the timeout');
  // Hostile ids stay ids: nothing in them reaches the sibling as anything but a key.
  const hostile = await json(b.client, 'GET', `/v1/decisions/${encodeURIComponent('__proto__')}`);
  t.equal(hostile.status, 404);
});

t.test('/metrics from either worker counts the decisions of both', async (t) => {
  const before = counterSum(await (await a.client.request({ method: 'GET', path: '/metrics' })).body.text(), 'pdp_decisions_total');
  for (let i = 0; i < 3; i++) await decide(a.client);
  for (let i = 0; i < 2; i++) await decide(b.client);
  for (const w of [a, b]) {
    const res = await w.client.request({ method: 'GET', path: '/metrics' });
    t.equal(res.statusCode, 200);
    const text = await res.body.text();
    t.equal(counterSum(text, 'pdp_decisions_total') - before, 5, `worker ${w.worker.id}: 3 + 2 decisions`);
    t.match(text, /^pdp_bundle_info\{[^}]*\} 1$/m, 'a state gauge is not summed over workers');
  }
});

t.test('records over 4 KiB from both workers at once: whole lines on stdout, each decision once', async (t) => {
  // Round-robin spreads the pool's connections over both workers.
  const stored = async (w: WorkerClient): Promise<number> =>
    ((await json(w.client, 'GET', '/v1/pdp/status')).body as { decision_log: { store: { entries: number } } }).decision_log.store.entries;
  const storedBefore = [await stored(a), await stored(b)];
  const pool = new Pool(run.url, { connections: 8, pipelining: 1 });
  closers.push(() => pool.close());
  // The default mask summarizes argument values but keeps their names: a long name makes a long record.
  const long = 'n'.repeat(40_000);
  const ids = await Promise.all(
    Array.from({ length: 48 }, (_, i) => decide(pool, { arguments: { ...(TOOL_CALL.arguments as object), [`${i}${long}`]: 'x' } })),
  );
  t.equal(new Set(ids).size, 48);
  await until('every record on stdout', () => ids.every((id) => decisionLines(run).has(id)));
  const by = decisionLines(run);
  for (const id of ids) {
    const lines = by.get(id) ?? [];
    t.equal(lines.length, 1, `${id}: logged once`);
    t.ok(lines[0]!.length > 40_000, 'the record is larger than PIPE_BUF');
  }
  const storedAfter = [await stored(a), await stored(b)];
  t.ok(
    storedAfter[0]! > storedBefore[0]! && storedAfter[1]! > storedBefore[1]!,
    `both workers wrote records (stored ${storedBefore.join('/')} → ${storedAfter.join('/')})`,
  );
  // One instance (OPA's labels.id): every worker's records name the same one, the one /v1/status shows.
  const instances = new Set(ids.map((id) => String((parseLine(by.get(id)![0]!)?.labels as Record<string, string>).id)));
  const shown = ((await json(a.client, 'GET', '/v1/status')).body as { result: { labels: { id: string } } }).result.labels.id;
  t.same([...instances], [shown], "one instance id in both workers' records and in /v1/status");
  t.equal(
    ((await json(b.client, 'GET', '/v1/status')).body as { result: { labels: { id: string } } }).result.labels.id,
    shown,
    'the other worker shows it too',
  );
  // Every line is whole: nothing on stdout fails to parse.
  const torn = run.lines.filter((l) => l !== '' && parseLine(l) === undefined);
  t.same(
    torn.map((l) => l.slice(0, 80)),
    [],
    'no torn or interleaved line',
  );
});

t.test('a worker killed is replaced; the others keep serving meanwhile', async (t) => {
  process.kill(b.worker.pid, 'SIGKILL');
  const gone = await run.waitFor((l) => l.msg === 'worker exited; replacing it' && l.worker_pid === b.worker.pid, 10_000, 'the replacement log line');
  t.match(gone, { level: 50, role: 'primary', signal: 'SIGKILL', restart_in_ms: Number });
  t.equal((await json(a.client, 'GET', '/ready')).status, 200, 'the other worker serves');
  await b.client.close().catch(() => undefined);
  // Connections land round-robin: a new worker id shows up once the replacement listens.
  let seen: { id: number; pid: number } | undefined;
  await until(
    'the replacement worker to answer',
    async () => {
      const p = new Pool(run.url, { connections: 1 });
      try {
        const s = await statusOf(p as unknown as Client);
        if (s.answered_by.pid !== a.worker.pid) seen = s.answered_by;
      } catch {
        // the replacement is still starting
      } finally {
        await p.close();
      }
      return seen !== undefined;
    },
    120_000,
  );
  t.not(seen!.pid, b.worker.pid, 'a new process');
  t.not(seen!.pid, run.child.pid, 'not the primary');
  t.ok(seen!.id > 2, `a new worker id (${seen!.id})`);
});

t.test('SIGTERM: the in-flight request completes, its record is flushed, the primary exits 0', async (t) => {
  // A request whose body is still arriving is in flight on its worker across the signal.
  const body = JSON.stringify(TOOL_CALL);
  const url = new URL(run.url);
  const inFlight = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/v1/decisions/tool-call',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.write(body.slice(0, 10));
    setTimeout(() => {
      run.child.kill('SIGTERM');
      setTimeout(() => req.end(body.slice(10)), 700);
    }, 300);
  });
  const r = await inFlight;
  t.equal(r.status, 200, 'the in-flight request was answered');
  const id = String((JSON.parse(r.text) as { decision_id: string }).decision_id);
  const code = await Promise.race([run.exited, sleep(60_000).then(() => 'timeout')]);
  t.equal(code, 0, 'the primary exits 0 once every worker drained and exited');
  t.equal(decisionLines(run).get(id)?.length, 1, 'the in-flight decision was logged, once, before exit');
  await run.waitFor((l) => l.msg === 'shutdown complete' && l.role === 'primary', 1000, 'the primary shutdown line');
  t.equal(run.lines.filter((l) => parseLine(l)?.msg === 'shutdown complete' && parseLine(l)?.role !== 'primary').length, 2, 'each worker said it finished');
});

t.test('workers that cannot start (the port is taken): the primary stops with exit 1, no restart loop', async (t) => {
  const blocker: Server = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => blocker.close(() => r())));
  const port = (blocker.address() as AddressInfo).port;
  const failing = await startCluster({ PDP_WORKERS: '2', PDP_PORT: String(port), PDP_DECISION_LOG_STDOUT: 'false' }, { waitFor: null });
  t.teardown(() => failing.kill());
  const code = await Promise.race([failing.exited, sleep(120_000).then(() => 'timeout')]);
  t.equal(code, 1);
  t.ok(
    failing.lines.some((l) => parseLine(l)?.msg === 'worker exited before it started serving; stopping'),
    'the primary says why',
  );
  t.notOk(
    failing.lines.some((l) => parseLine(l)?.msg === 'worker exited; replacing it'),
    'no replacement was forked',
  );
});

for (const [how, signal] of [
  ['Ctrl-C (SIGINT to the process group)', 'SIGINT'],
  ['SIGTERM to the primary alone', 'SIGTERM'],
] as const) {
  t.test(`${how} while the workers are still starting: they stop, nothing is reported failed, the primary exits 0`, async (t) => {
    const starting = await startCluster({ PDP_WORKERS: '2', PDP_DECISION_LOG_STDOUT: 'false' }, { waitFor: null });
    t.teardown(() => starting.kill());
    await starting.waitFor((l) => l.msg === 'pdp primary started', 60_000, 'the primary started line');
    // Forked just now: each worker has its modules to load and its bundle to read (settled over
    // a second) before it listens.
    if (signal === 'SIGINT') process.kill(-starting.child.pid!, 'SIGINT');
    else starting.child.kill('SIGTERM');
    const code = await Promise.race([starting.exited, sleep(60_000).then(() => 'timeout')]);
    const msgs = starting.lines.map((l) => parseLine(l)?.msg);
    t.equal(msgs.filter((m) => m === 'pdp listening').length, 0, 'no worker had listened yet (the premise)');
    t.equal(msgs.filter((m) => m === 'worker stopped before it served').length, 2, 'each worker said it stopped before serving');
    t.equal(msgs.filter((m) => m === 'worker did not stop cleanly').length, 0, 'no worker reported as failed');
    t.equal(code, 0, 'the primary exits 0');
  });
}

t.test('the primary killed outright: its workers shut themselves down instead of serving on as orphans', async (t) => {
  const orphaned = await startCluster({ PDP_WORKERS: '2', PDP_DECISION_LOG_STDOUT: 'false' });
  t.teardown(() => orphaned.kill());
  const workers = await clientsOnDistinctWorkers(orphaned.url, 2);
  for (const w of workers) await w.client.close();
  orphaned.child.kill('SIGKILL');
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  await until('both workers to exit', () => workers.every((w) => !alive(w.worker.pid)), 30_000);
  t.same(
    workers.filter((w) => alive(w.worker.pid)).map((w) => w.worker.pid),
    [],
    'no worker outlived its primary',
  );
});
