// bench/lib/gc-log.mjs: a benchmark server's garbage collections, logged by a preload and read
// back on the clock the benchmark marks its runs with (CLOCK_MONOTONIC). Real node processes that
// collect for real (global.gc under --expose-gc): a forced mark-compact must be read back as major,
// inside the window the test marked around it, and a cluster worker's log beside the primary's.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Gc {
  at: number;
  ms: number;
  major: boolean;
}
interface GcLog {
  monotonicMs(): number;
  gcLogging(file: string): { nodeArgs: string[]; env: Record<string, string> };
  readGcLog(file: string): Gc[];
  gcSummary(gcs: Gc[], from: number, to: number): { count: number; longest_ms: number; major: number; longest_major_ms: number };
  describeGcs(summary: { count: number; longest_ms: number; major: number; longest_major_ms: number }): string;
}
// The bench library is plain JavaScript (bench/ runs without a build): typed here by its use.
const lib = (await import(new URL('../../bench/lib/gc-log.mjs', import.meta.url).href)) as GcLog;

/** Runs `script` (written to a file beside the log: a cluster forks its main script) under the
 * preload and --expose-gc; resolves with its exit code. */
function run(script: string, file: string): Promise<number | null> {
  const { nodeArgs, env } = lib.gcLogging(file);
  const main = `${file}.main.cjs`;
  writeFileSync(main, script);
  const child = spawn(process.execPath, [...nodeArgs, '--expose-gc', main], { env: { ...process.env, ...env }, stdio: 'inherit' });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

t.test('a forced mark-compact is logged as major, on the monotonic clock, inside its window', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gc-log-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'gc.json');
  // Some young garbage (scavenges), then one full collection; the observer's entries are
  // delivered asynchronously, so the process lingers a moment before it exits.
  const before = lib.monotonicMs();
  t.equal(await run('let keep = []; for (let i = 0; i < 3e5; i++) keep.push({ i }); keep = null; global.gc(); setTimeout(() => {}, 100);', file), 0);
  const after = lib.monotonicMs();
  const gcs = lib.readGcLog(file);
  t.ok(
    gcs.some((g) => g.major),
    'the forced full collection is there, as major',
  );
  t.ok(
    gcs.every((g) => g.at >= before && g.at <= after && g.ms >= 0),
    'every collection inside the window the parent marked around the child',
  );
  const all = lib.gcSummary(gcs, before, after);
  t.equal(all.count, gcs.length);
  t.ok(all.major >= 1 && all.longest_major_ms > 0 && all.longest_ms >= all.longest_major_ms);
  t.same(lib.gcSummary(gcs, after + 1, after + 2), { count: 0, longest_ms: 0, major: 0, longest_major_ms: 0 }, 'nothing outside it');
  t.match(lib.describeGcs(all), new RegExp(`^server GCs ${all.count}, longest [\\d.]+ ms; mark-compacts ${all.major}, longest [\\d.]+ ms$`));
  t.equal(lib.describeGcs({ count: 3, longest_ms: 1.25, major: 0, longest_major_ms: 0 }), 'server GCs 3, longest 1.3 ms; mark-compacts 0');
});

t.test("a cluster worker's collections are read back with the primary's", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gc-log-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'gc.json');
  // The primary collects nothing on purpose; the worker (which inherits the preload through
  // execArgv, as the service's workers do) forces one full collection.
  const script = `
    const cluster = require('node:cluster');
    if (cluster.isPrimary) cluster.fork().once('exit', () => setTimeout(() => {}, 50));
    else { global.gc(); setTimeout(() => process.exit(0), 100); }
  `;
  t.equal(await run(script, file), 0);
  const gcs = lib.readGcLog(file);
  t.ok(
    gcs.some((g) => g.major),
    "the worker's forced collection is in what readGcLog returns",
  );
});

t.test('readGcLog throws when the server wrote no log', async (t) => {
  t.throws(() => lib.readGcLog(join(tmpdir(), `absent-${process.pid}`, 'gc.json')));
});
