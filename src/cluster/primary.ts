// The cluster primary (server.workers > 1): forks the workers, which share the listening socket
// (node:cluster hands connections out round-robin); it never serves a request itself. It writes
// stdout for all of them, relays decision lookups and metrics between them, replaces a worker
// that crashes (with a backoff, within a budget), and on SIGTERM/SIGINT has every worker drain
// and flush before it exits — 0 only when every worker did (one still starting has nothing to
// drain: the signal ending it is a clean stop).
import cluster, { type Worker } from 'node:cluster';
import { extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { workerExecArgv } from './exec-argv.js';
import { isFromWorker } from './messages.js';
import { PrimaryRelay } from './primary-relay.js';
import type { PrimaryLog } from './primary-log.js';
import { RestartBudget, type RestartBudgetOptions } from './restart-budget.js';
import { instanceId } from '../shared/instance.js';

export interface PrimaryOptions {
  count: number;
  /** Handed to the workers (as PDP_CONFIG), which load the same configuration. */
  configFile?: string;
  log: PrimaryLog;
  /** How long the workers may take to drain and flush before they are killed. */
  shutdownBudgetMs: number;
  restart?: Partial<RestartBudgetOptions>;
  /** Where the workers' lines go (default process.stdout). */
  write?: (text: string) => void;
  exit?: (code: number) => void;
}

export interface RunningCluster {
  /** The shared url (as RunningServer's), e.g. http://127.0.0.1:8181. */
  url: string;
  workers: number;
  /** SIGTERM to every worker; resolves with the exit code the primary ends with. */
  close(): Promise<number>;
}

// The worker entry next to this file: worker-main.ts under tsx (tests), .js when compiled.
const WORKER_ENTRY = fileURLToPath(new URL(`./worker-main${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

/** Forks the workers; resolves once every one of them listens (a startup failure ends the
 * process instead, exit 1). */
export function runPrimary(opts: PrimaryOptions): Promise<RunningCluster> {
  const { log, count } = opts;
  const write = opts.write ?? ((text: string) => process.stdout.write(text));
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const budget = new RestartBudget({ maxRestarts: 5, windowMs: 60_000, initialDelayMs: 200, maxDelayMs: 10_000, ...opts.restart });
  const live = new Set<Worker>();
  const served = new WeakSet<Worker>();
  const restartTimers = new Set<NodeJS.Timeout>();
  const relay = new PrimaryRelay({ workers: () => [...live] });
  let stopping: Promise<number> | undefined;
  let failed = false;
  let url: string | undefined;
  let started = 0;
  let announce: (u: string) => void = () => undefined;
  const allListening = new Promise<string>((r) => (announce = r));

  // 'advanced' (V8's serializer): a batch of record lines crosses as a string, not re-escaped as JSON.
  cluster.setupPrimary({ exec: WORKER_ENTRY, execArgv: workerExecArgv(process.execArgv), args: [instanceId()], serialization: 'advanced' });
  const env = opts.configFile !== undefined ? { PDP_CONFIG: resolve(opts.configFile) } : {};

  const fork = (): void => {
    const w = cluster.fork(env);
    live.add(w);
    // Gone only when both happened: 'exit' can come before the channel's last messages (the
    // decision-log lines flushed at shutdown) are read; 'disconnect' comes after them.
    let exited: { code: number | null; signal: string | null } | undefined;
    let disconnected = false;
    const gone = (): void => {
      if (!exited || !disconnected || !live.has(w)) return;
      live.delete(w);
      onGone(w, exited.code, exited.signal);
    };
    w.on('exit', (code: number | null, signal: string | null) => {
      exited = { code, signal };
      gone();
    });
    w.on('disconnect', () => {
      disconnected = true;
      gone();
    });
  };

  const onGone = (w: Worker, code: number | null, signal: string | null): void => {
    const fields = { worker: w.id, worker_pid: w.process.pid, code, signal };
    if (stopping) {
      // A worker the signal ended before it listened (still starting: no handlers yet) had no
      // request to drain and no record to flush: a clean stop, as Ctrl-C during startup is.
      if (code === null && (signal === 'SIGTERM' || signal === 'SIGINT') && !served.has(w)) log.info(fields, 'worker stopped before it served');
      else if (code !== 0) {
        failed = true;
        log.error(fields, 'worker did not stop cleanly');
      }
      if (live.size === 0) finish();
      return;
    }
    if (!served.has(w) && url === undefined) {
      failed = true;
      // A worker that never started, before any did: a configuration or startup fault every
      // replacement would repeat. Stop, as a single process would.
      log.fatal(fields, 'worker exited before it started serving; stopping');
      stopAndExit();
      return;
    }
    const delay = budget.next();
    if (delay === undefined) {
      failed = true;
      log.fatal(fields, 'workers keep crashing (restart budget spent); stopping');
      stopAndExit();
      return;
    }
    log.error({ ...fields, restart_in_ms: delay }, 'worker exited; replacing it');
    const t = setTimeout(() => {
      restartTimers.delete(t);
      if (!stopping) fork();
    }, delay);
    restartTimers.add(t);
  };

  let finish: () => void = () => undefined;
  const stop = (): Promise<number> =>
    (stopping ??= new Promise<number>((done) => {
      for (const t of restartTimers) clearTimeout(t);
      restartTimers.clear();
      const killer = setTimeout(() => {
        log.error({ timeoutMs: opts.shutdownBudgetMs, workers: live.size }, 'workers did not stop in time; killing them');
        failed = true;
        for (const w of live) w.process.kill('SIGKILL');
      }, opts.shutdownBudgetMs);
      killer.unref();
      finish = () => {
        clearTimeout(killer);
        done(failed ? 1 : 0);
      };
      if (live.size === 0) finish();
      // Each worker drains its in-flight requests and flushes its decision log, then exits.
      for (const w of live) w.process.kill('SIGTERM');
    }));

  cluster.on('message', (w: Worker, m: unknown) => {
    if (!isFromWorker(m)) return;
    if (m.pdp === 'out') write(m.text);
    else if (m.pdp === 'listening') {
      served.add(w);
      started++;
      if (url === undefined) {
        url = m.url;
        log.info({ url, workers: count }, 'pdp listening');
      }
      // Every worker of the first set serves (tests wait for this before spreading requests).
      if (started === count) {
        log.info({ url, workers: count }, 'all workers listening');
        announce(url);
      }
    } else relay.handle(w, m);
  });

  const stopAndExit = (): void => {
    stop().then(
      (code) => {
        log.info({ code }, 'shutdown complete');
        exit(code);
      },
      () => exit(1),
    );
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    log.info({ signal, workers: live.size }, 'shutting down: every worker drains its in-flight requests');
    stopAndExit();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  for (let i = 0; i < count; i++) fork();
  log.info({ workers: count, pid: process.pid }, 'pdp primary started');
  return allListening.then((u) => ({ url: u, workers: count, close: stop }));
}
