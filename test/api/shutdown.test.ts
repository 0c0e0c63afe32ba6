// Graceful shutdown of the real service in a child process: SIGTERM stops new connections,
// lets the in-flight request finish with its decision, stops the bundle manager and exits 0;
// a request that outlives the shutdown timeout makes the process exit 1 instead of hanging.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/shared/package-root.js';
import { postJson, send, type HttpResult } from '../helpers/http.js';

const BODY: unknown = JSON.parse(readFileSync(join(packageRoot, 'examples/tool-call/support-email.allow.json'), 'utf8'));

async function startChild(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(packageRoot, 'test/helpers/serve-child.ts')], {
    cwd: packageRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  let buf = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      buf += c.toString();
      const line = buf.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    void exited.then((code) => reject(new Error(`child exited early with ${code}`)));
  });
  return { child, url, exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('SIGTERM drains the in-flight request, refuses new ones, exits 0', async (t) => {
  const { child, url, exited } = await startChild({ SLOW_CACHE_MS: '1500' });
  t.teardown(() => void child.kill('SIGKILL'));
  t.equal((await send(`${url}/ready`)).status, 200);

  const started = Date.now();
  const inFlight = postJson(`${url}/v1/decisions/tool-call`, BODY);
  await sleep(300);
  child.kill('SIGTERM');
  await sleep(200);

  // The listener is closed: a new connection is refused (or, if one slipped in, told 503).
  const late = await send(`${url}/health`).then(
    (r: HttpResult) => r.status,
    (e: NodeJS.ErrnoException) => e.code,
  );
  t.ok(late === 'ECONNREFUSED' || late === 503, `new request after SIGTERM: ${String(late)}`);

  const r = await inFlight;
  t.equal(r.status, 200, 'the in-flight request completed');
  t.match(r.json, { decision_id: /^[0-9a-f-]{36}$/, allow: true, policy: { bundles: { 'ai-governance': /\S/ } } });
  t.ok(Date.now() - started >= 1400, 'it really was in flight across the signal');
  t.equal(await exited, 0, 'clean exit after draining');
});

t.test('a request outliving the shutdown timeout: exit 1, not a hang', async (t) => {
  const { child, url, exited } = await startChild({ SLOW_CACHE_MS: '20000', PDP_SHUTDOWN_TIMEOUT_MS: '500' });
  t.teardown(() => void child.kill('SIGKILL'));
  const stuck = postJson(`${url}/v1/decisions/tool-call`, BODY).catch((e: Error) => e);
  await sleep(300);
  const signalled = Date.now();
  child.kill('SIGTERM');
  t.equal(await exited, 1);
  t.ok(Date.now() - signalled < 5000, `exited ${Date.now() - signalled} ms after the signal`);
  await stuck;
});
