// `pdp serve` / `npm start`: the process around the service. It loads the configuration and
// decides what this process is: the one server (server.workers = 1), the cluster primary (> 1;
// src/cluster/primary.ts), or one of the primary's workers. The service itself (src/server.ts:
// fastify, the plugins, the engines, tracing) is imported only by a process that serves: the
// primary forks its workers without loading it (~1.2 s of module loading and schema compiling
// each worker would otherwise wait for, on the same cores).
import cluster from 'node:cluster';
import { resolveWorkers } from './cluster/cpus.js';
import { runPrimary, type RunningCluster } from './cluster/primary.js';
import { primaryLog } from './cluster/primary-log.js';
import { loadConfig } from './config/load.js';
import type { PdpConfig } from './config/types.js';
import type { RunningServer } from './server.js';
import { tuneHeapForServing } from './shared/heap-tuning.js';

/** Configuration from the config file (`configFile`, else PDP_CONFIG; native or OPA's format)
 * and the environment, signals handled. A bad configuration throws one ConfigError listing every
 * problem (bin/pdp.js prints it, exit 2). With server.workers > 1 this process becomes the cluster
 * primary and each worker it forks comes back here as a worker. */
export async function start(opts: { configFile?: string } = {}): Promise<RunningServer | RunningCluster> {
  tuneHeapForServing();
  const loaded = loadConfig(opts.configFile !== undefined ? { configFile: opts.configFile } : {});
  if (cluster.isWorker) return startWorker(loaded.config);
  for (const w of loaded.warnings) process.stderr.write(`pdp: warning: ${w}\n`);
  const count = resolveWorkers(loaded.config.server.workers);
  if (count === 1) {
    const { startServer } = await import('./server.js');
    return startServer(loaded.config, { handleSignals: true, ownsTracing: true, settleHeap: true });
  }
  const { server, decision_log } = loaded.config;
  return runPrimary({
    count,
    ...(opts.configFile !== undefined ? { configFile: opts.configFile } : {}),
    log: primaryLog(server.log_level, (line) => process.stdout.write(line)),
    // Drain, then flush the decision log, then a margin for the process to end.
    shutdownBudgetMs: server.shutdown_timeout_ms + decision_log.flush_timeout_ms + 2000,
  });
}

/** One worker of the cluster: the app as in a single process, with its stdout (service log and
 * decision log) through the primary, and the cluster hooks for lookups, metrics and status. */
async function startWorker(config: PdpConfig): Promise<RunningServer> {
  const [{ startServer }, { WorkerLink }] = await Promise.all([import('./server.js'), import('./cluster/worker-link.js')]);
  const link = new WorkerLink({ id: cluster.worker?.id ?? 0, count: resolveWorkers(config.server.workers) });
  // The primary gone (killed): this worker drains and exits rather than serve on as an orphan.
  // (Unless it is already shutting down: a second SIGTERM, its handler spent, would kill it mid-drain.)
  process.once('disconnect', () => {
    if (process.listenerCount('SIGTERM') > 0) process.kill(process.pid, 'SIGTERM');
  });
  const running = await startServer(config, {
    handleSignals: true,
    ownsTracing: true,
    settleHeap: true,
    cluster: link,
    logStream: link.stdout,
    decisionLogStdout: link.stdout,
    // The last lines (the decision-log flush, "shutdown complete") reach the primary first.
    exit: (code) => void link.drain().then(() => process.exit(code)),
  });
  link.listening(running.url);
  return running;
}
