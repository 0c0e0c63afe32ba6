// Preloaded into a benchmark's server (`node --import <this file>`, see gcLogging()): every garbage
// collection's start, duration and kind (perf_hooks 'gc' entries), written at exit to the file
// PDP_BENCH_GC_LOG names, with an anchor that maps the server's performance.now() onto
// CLOCK_MONOTONIC (process.hrtime), the clock every process on the machine shares. Cluster workers
// (PDP_WORKERS; they inherit the --import) each write a file of their own beside it.
import cluster from 'node:cluster';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { constants, PerformanceObserver, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const file = process.env.PDP_BENCH_GC_LOG;
if (file) {
  const gcs = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push([e.startTime, e.duration, e.detail?.kind ?? 0]);
  }).observe({ entryTypes: ['gc'] });
  const anchor = { monoMs: monotonicMs(), perfMs: performance.now() };
  const own = cluster.isWorker ? `${file}.worker-${process.pid}` : file;
  process.on('exit', () => writeFileSync(own, JSON.stringify({ anchor, gcs })));
}

/** CLOCK_MONOTONIC in ms: what a benchmark marks its windows with to compare with the log. */
export function monotonicMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The node arguments and environment that make a server keep its collections in `logFile`. */
export function gcLogging(logFile) {
  return { nodeArgs: ['--import', fileURLToPath(import.meta.url)], env: { PDP_BENCH_GC_LOG: logFile } };
}

/** The collections a server logged (after it exited), each { at (CLOCK_MONOTONIC ms), ms, major }
 * — major: a mark-compact (`NODE_PERFORMANCE_GC_MAJOR`); the rest are scavenges, incremental
 * marking steps and weak-callback processing. */
export function readGcLog(logFile) {
  const workers = readdirSync(dirname(logFile)).filter((f) => f.startsWith(`${basename(logFile)}.worker-`));
  return [logFile, ...workers.map((f) => join(dirname(logFile), f))].flatMap((f) => {
    const { anchor, gcs } = JSON.parse(readFileSync(f, 'utf8'));
    return gcs.map(([start, ms, kind]) => ({ at: start - anchor.perfMs + anchor.monoMs, ms, major: kind === constants.NODE_PERFORMANCE_GC_MAJOR }));
  });
}

/** The collections within [from, to] (CLOCK_MONOTONIC ms): how many, the longest pause, and the
 * same for mark-compacts alone. */
export function gcSummary(gcs, from, to) {
  const inside = gcs.filter((g) => g.at >= from && g.at <= to);
  const major = inside.filter((g) => g.major);
  return {
    count: inside.length,
    longest_ms: Math.max(0, ...inside.map((g) => g.ms)),
    major: major.length,
    longest_major_ms: Math.max(0, ...major.map((g) => g.ms)),
  };
}

/** A gcSummary as one line: `server GCs N, longest … ms; mark-compacts M[, longest … ms]`. */
export function describeGcs(g) {
  return `server GCs ${g.count}, longest ${g.longest_ms.toFixed(1)} ms; mark-compacts ${g.major}${g.major ? `, longest ${g.longest_major_ms.toFixed(1)} ms` : ''}`;
}
