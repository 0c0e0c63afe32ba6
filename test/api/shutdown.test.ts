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

/** The child, its url, its exit code, and when its first cache lookup started (a decision is
 * then in flight: a fixed sleep was not enough on a loaded CI machine). */
async function startChild(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null>; inFlight: Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(packageRoot, 'test/helpers/serve-child.ts')], {
    cwd: packageRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const lines: string[] = [];
  let buf = '';
  let onLine = (): void => undefined;
  child.stdout?.on('data', (c: Buffer) => {
    buf += c.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts.filter((l) => l.startsWith('{')));
    onLine();
  });
  const waitFor = <T>(pick: (line: Record<string, unknown>) => T | undefined): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const check = (): void => {
        for (const l of lines) {
          const v = pick(JSON.parse(l) as Record<string, unknown>);
          if (v !== undefined) return resolve(v);
        }
      };
      const previous = onLine;
      onLine = () => {
        previous();
        check();
      };
      check();
      void exited.then((code) => reject(new Error(`child exited with ${code}`)));
    });
  const url = await waitFor((l) => (typeof l.url === 'string' ? l.url : undefined));
  const inFlight = waitFor((l) => (l.cache_lookup !== undefined ? true : undefined)).then(() => undefined);
  inFlight.catch(() => undefined);
  return { child, url, exited, inFlight };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('SIGTERM drains the in-flight request, refuses new ones, exits 0', async (t) => {
  const { child, url, exited, inFlight: lookupStarted } = await startChild({ SLOW_CACHE_MS: '1500' });
  t.teardown(() => void child.kill('SIGKILL'));
  t.equal((await send(`${url}/ready`)).status, 200);

  const started = Date.now();
  const inFlight = postJson(`${url}/v1/decisions/tool-call`, BODY);
  await lookupStarted;
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
  const { child, url, exited, inFlight } = await startChild({ SLOW_CACHE_MS: '20000', PDP_SHUTDOWN_TIMEOUT_MS: '500' });
  t.teardown(() => void child.kill('SIGKILL'));
  const stuck = postJson(`${url}/v1/decisions/tool-call`, BODY).catch((e: Error) => e);
  await inFlight;
  const signalled = Date.now();
  child.kill('SIGTERM');
  t.equal(await exited, 1);
  t.ok(Date.now() - signalled < 5000, `exited ${Date.now() - signalled} ms after the signal`);
  await stuck;
});
