// The serving process turns V8's allocation-site pretenuring off (src/shared/heap-tuning.ts).
// Checked in a child process with V8's own pretenuring statistics: the same workload, which makes
// V8 tenure its allocation sites by default, makes no pretenuring decision once tuned.
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { packageRoot } from '../../src/shared/package-root.js';

// Objects from one allocation site that survive young collections: what V8 pretenures.
const workload = `
  const keep = [];
  const make = (i) => ({ a: i, b: [i, i + 1] });
  for (let round = 0; round < 40; round++) {
    for (let i = 0; i < 100000; i++) keep.push(make(i));
    if (keep.length > 1e6) keep.length = 0;
  }
`;

function pretenuringLines(tuned: boolean): { lines: number; stderr: string; status: number | null } {
  // Only what V8 prints after the marker counts: loading the modules collects garbage too.
  const script = `${tuned ? "const m = await import('./src/shared/heap-tuning.ts'); m.tuneHeapForServing();" : ''}console.log('WORKLOAD');${workload}`;
  const r = spawnSync(process.execPath, ['--trace-pretenuring-statistics', '--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: packageRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const after = r.stdout.slice(Math.max(0, r.stdout.indexOf('WORKLOAD\n')));
  return {
    lines: after.split('\n').filter((l) => l.includes('pretenuring')).length,
    stderr: r.stderr + (r.stdout.includes('WORKLOAD') ? '' : ' (no marker)'),
    status: r.status,
  };
}

t.test('by default V8 tenures the allocation sites of the workload (so the next check can fail)', async (t) => {
  const r = pretenuringLines(false);
  t.equal(r.status, 0, r.stderr);
  t.ok(r.lines > 0, `pretenuring statistics printed: ${r.lines} lines`);
});

t.test('tuned for serving: no pretenuring decisions at all', async (t) => {
  const r = pretenuringLines(true);
  t.equal(r.status, 0, r.stderr);
  t.equal(r.lines, 0);
});

// `pdp serve` collects the garbage of compiling its bundles before it listens (settleHeap), so the
// first mark-compact does not come under load. Seen as a forced major collection.
async function forcedMajorCollections(during: () => Promise<void>): Promise<number> {
  const { PerformanceObserver, constants } = await import('node:perf_hooks');
  let forced = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const d = (e as unknown as { detail?: { kind?: number; flags?: number } }).detail;
      if (d?.kind === constants.NODE_PERFORMANCE_GC_MAJOR && ((d.flags ?? 0) & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) !== 0) forced++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  await during();
  // GC entries are delivered after the collection, on a later turn.
  await new Promise((r) => setTimeout(r, 50));
  observer.disconnect();
  return forced;
}

t.test('serving with settleHeap: one forced full collection before listening; without it, none', async (t) => {
  const { startReal } = await import('../helpers/real-server.js');
  const settled = await forcedMajorCollections(async () => {
    const s = await startReal({ env: { PDP_LOG_LEVEL: 'silent' }, options: { settleHeap: true } });
    await s.close();
  });
  t.ok(settled >= 1, `forced major collections with settleHeap: ${settled}`);
  const plain = await forcedMajorCollections(async () => {
    const s = await startReal({ env: { PDP_LOG_LEVEL: 'silent' } });
    await s.close();
  });
  t.equal(plain, 0, 'none without it (tests and embedders start without the pause)');
});
