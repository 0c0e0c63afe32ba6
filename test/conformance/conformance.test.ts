// The built-in Rego engine against the conformance suites in ../shared/conformance (OPA's
// v1 cases and regorus's cases), in-process. The run fails when a suite's or a subfolder's
// passed count falls below conformance/floor.json (a floor that is only ever raised) or when a case fails that is
// not in conformance/known-failures.json. Each case runs under a step and time budget.
//
// To update after engine work:
//   node bin/pdp.js conformance --known-failures conformance/known-failures.json \
//     --write-known-failures conformance/known-failures.json --write-floor conformance/floor.json
import { existsSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { belowFloor, passedCounts, readFloor } from '../../src/conformance/floor.js';
import { readKnown } from '../../src/conformance/known.js';
import { buildReport, passRate } from '../../src/conformance/report.js';
import { regoEngine } from '../../src/conformance/rego-engine.js';
import { runSuite } from '../../src/conformance/suite.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const shared = path.resolve(repoRoot, '../shared/conformance');
const folders = ['opa-v1', 'regorus'].map((f) => path.join(shared, f));

t.test('conformance suites', { skip: existsSync(shared) ? false : `${shared} not found: conformance run skipped` }, async (t) => {
  const present = folders.filter((f) => existsSync(f));
  const missing = folders.filter((f) => !existsSync(f));
  for (const m of missing) t.comment(`missing ${m}: that folder is skipped`);

  const known = await readKnown(path.join(repoRoot, 'conformance/known-failures.json'));
  const floor = await readFloor(path.join(repoRoot, 'conformance/floor.json'));
  const res = await runSuite(regoEngine, present, { limits: { maxSteps: 2_000_000, timeoutMs: 3_000, maxOutputSize: 1_000_000 } });
  const report = buildReport(res.outcomes, known, res.durationMs);

  for (const f of report.folders) {
    const c = f.counts;
    t.comment(`${f.folder}: ${c.passed}/${c.total - c.skipped} passed (${passRate(c).toFixed(1)}%), ${c.failed} failed, ${c.errored} errored, ${c.skipped} skipped`);
  }
  for (const s of report.subsets) t.comment(`${s.folder} ${s.name}: ${s.counts.passed}/${s.counts.total} passed (${passRate(s.counts).toFixed(1)}%)`);
  t.comment(`ran ${report.totals.total} cases in ${(res.durationMs / 1000).toFixed(1)}s`);

  const counts = passedCounts(report.folders);
  const passed = Object.fromEntries(counts);
  const below = belowFloor(floor, passed);
  t.same(below, [], 'no suite or subfolder passes fewer cases than conformance/floor.json');
  for (const f of report.folders) {
    t.ok(Object.keys(floor).some((k) => k.startsWith(`${f.folder}/`)), `conformance/floor.json keeps a floor per subfolder of ${f.folder}`);
  }
  for (const [key, n] of counts) {
    if (n > (floor[key] ?? 0)) t.comment(`${key}: ${n} passed > floor ${floor[key] ?? 0}: raise the floor (--write-floor)`);
  }

  const fresh = report.failures.filter((f) => !f.known);
  t.same(
    fresh.map((f) => `${f.key}: ${f.reason}`),
    [],
    'every failing case is listed in conformance/known-failures.json',
  );

  const knownNow = report.failures.filter((f) => f.known);
  t.comment(`known failures (${knownNow.length}):`);
  for (const f of knownNow) t.comment(`  ${f.key}: ${f.knownReason ?? f.reason}`);
  if (report.fixed.length > 0) {
    t.comment(`now passing but still listed as known failures (${report.fixed.length}); regenerate the list:`);
    for (const k of report.fixed) t.comment(`  ${k}`);
  }
});
