// `pdp serve` with server.workers > 1 in a child process (the primary; it forks the workers),
// from the TypeScript sources. Collects its stdout — every worker's lines come through the
// primary — as raw lines and parsed objects, and finds the shared url in the primary's
// "pdp listening" line. Every wait is bounded; stop() and kill() end the whole process group.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { Client } from 'undici';
import { packageRoot } from '../../src/shared/package-root.js';

export interface ClusterRun {
  child: ChildProcess;
  url: string;
  /** Every complete stdout line so far, exactly as written. */
  lines: string[];
  stderr(): string;
  exited: Promise<number | null>;
  /** The first stdout JSON line (from now on or already seen) that matches. */
  waitFor(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number, what?: string): Promise<Record<string, unknown>>;
  kill(): void;
}

const BASE: Record<string, string> = {
  PDP_HOST: '127.0.0.1',
  PDP_PORT: '0',
  PDP_BUNDLE_WATCH: 'false',
  PDP_EVAL_TIMEOUT_MS: '10000',
  // A client's keep-alive connection stays with its worker for the whole test.
  PDP_KEEP_ALIVE_TIMEOUT_MS: '120000',
  OTEL_SDK_DISABLED: 'true',
};

export function parseLine(l: string): Record<string, unknown> | undefined {
  try {
    const j: unknown = JSON.parse(l);
    return typeof j === 'object' && j !== null ? (j as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Spawns the primary and resolves once every worker of the first set listens. */
export async function startCluster(
  env: Record<string, string>,
  opts: { waitFor?: 'all workers listening' | 'pdp listening' | null } = {},
): Promise<ClusterRun> {
  // The runner's environment minus this service's own settings: only what is set here.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(PDP_|REDIS_|OTEL_)/.test(k)));
  const child = spawn(process.execPath, ['--import', 'tsx', join(packageRoot, 'test/helpers/pdp-serve.ts')], {
    cwd: packageRoot,
    env: { ...base, ...BASE, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: kill() reaches the workers too, even if the primary is gone.
    detached: true,
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const lines: string[] = [];
  const waiters: { match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  let partial = '';
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString('utf8')));
  child.stdout!.on('data', (b: Buffer) => {
    const parts = (partial + b.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const l of parts) {
      lines.push(l);
      const j = parseLine(l);
      if (!j) continue;
      for (const w of [...waiters]) {
        if (w.match(j)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(j);
        }
      }
    }
  });
  const waitFor = (match: (l: Record<string, unknown>) => boolean, timeoutMs = 120_000, what = 'a matching line'): Promise<Record<string, unknown>> => {
    for (const l of lines) {
      const j = parseLine(l);
      if (j && match(j)) return Promise.resolve(j);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms; stderr: ${err}`)), timeoutMs);
      waiters.push({
        match,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  };
  const kill = (): void => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const wanted = opts.waitFor === undefined ? 'all workers listening' : opts.waitFor;
  let url = '';
  if (wanted !== null) {
    const started = await Promise.race([
      waitFor((l) => l.msg === wanted && l.role === 'primary', 120_000, `"${wanted}"`),
      exited.then((code) => {
        throw new Error(`exited ${code} before "${wanted}"; stderr: ${err}`);
      }),
    ]).catch((e: unknown) => {
      kill();
      throw e;
    });
    url = String(started.url);
  }
  return { child, url, lines, stderr: () => err, exited, waitFor, kill };
}

/** One keep-alive connection: each lands on one worker (round-robin) and stays there. */
export interface WorkerClient {
  client: Client;
  worker: { id: number; pid: number };
}

export async function statusOf(client: Client): Promise<{ count: number; answered_by: { id: number; pid: number } }> {
  const r = await client.request({ method: 'GET', path: '/v1/pdp/status' });
  const body = (await r.body.json()) as { workers: { count: number; answered_by: { id: number; pid: number } } };
  return body.workers;
}

/** Opens connections until `n` distinct workers answer on them (bounded tries). */
export async function clientsOnDistinctWorkers(url: string, n: number, tries = 12): Promise<WorkerClient[]> {
  const found = new Map<number, WorkerClient>();
  const spare: Client[] = [];
  for (let i = 0; i < tries && found.size < n; i++) {
    const client = new Client(url, { pipelining: 1, keepAliveTimeout: 120_000 });
    const w = await statusOf(client);
    if (found.has(w.answered_by.id)) spare.push(client);
    else found.set(w.answered_by.id, { client, worker: w.answered_by });
  }
  await Promise.all(spare.map((c) => c.close()));
  if (found.size < n) throw new Error(`only ${found.size} distinct workers answered in ${tries} connections`);
  return [...found.values()];
}
