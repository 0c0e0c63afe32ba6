// Aggregates case outcomes into a report and renders it as text or JSON.
import { knownText, type KnownList } from './known.js';
import { DEFAULT_SUBSETS, type Subset } from './subsets.js';
import type { CaseOutcome, Counts, FailureEntry, FolderReport, Report, SubsetReport } from './types.js';

const zero = (): Counts => ({ total: 0, passed: 0, failed: 0, errored: 0, skipped: 0 });

function add(c: Counts, o: CaseOutcome): void {
  c.total++;
  c[o.status]++;
}

function subsetCounts(folders: Map<string, FolderReport>, subsets: readonly Subset[]): SubsetReport[] {
  const out: SubsetReport[] = [];
  for (const s of subsets) {
    const f = folders.get(s.folder);
    if (!f) continue;
    const counts = zero();
    for (const g of s.groups) {
      const c = f.groups[g];
      if (!c) continue;
      for (const k of Object.keys(counts) as (keyof Counts)[]) counts[k] += c[k];
    }
    if (counts.total > 0) out.push({ name: s.name, folder: s.folder, counts });
  }
  return out;
}

export function buildReport(
  outcomes: CaseOutcome[],
  known: KnownList | undefined,
  durationMs: number,
  subsets: readonly Subset[] = DEFAULT_SUBSETS,
): Report {
  const folders = new Map<string, FolderReport>();
  const totals = zero();
  const failures: FailureEntry[] = [];
  const fixed: string[] = [];
  for (const o of outcomes) {
    let f = folders.get(o.folder);
    if (!f) folders.set(o.folder, (f = { folder: o.folder, counts: zero(), groups: {} }));
    add(f.counts, o);
    add((f.groups[o.group] ??= zero()), o);
    add(totals, o);
    if (o.status === 'failed' || o.status === 'errored') {
      const entry: FailureEntry = { key: o.key, folder: o.folder, file: o.file, note: o.note, status: o.status, reason: o.reason ?? '' };
      if (known) {
        const k = known[o.key];
        entry.known = k !== undefined;
        if (k) entry.knownReason = knownText(k);
      }
      failures.push(entry);
    } else if (o.status === 'passed' && known?.[o.key]) fixed.push(o.key);
  }
  return {
    folders: [...folders.values()],
    subsets: subsetCounts(folders, subsets),
    totals,
    failures,
    fixed,
    knownListApplied: known !== undefined,
    durationMs,
  };
}

/** Passed share of the cases that ran (skipped cases excluded), in percent. */
export function passRate(c: Counts): number {
  const ran = c.total - c.skipped;
  return ran === 0 ? 100 : (100 * c.passed) / ran;
}

function line(c: Counts): string {
  const parts = [`${c.passed}/${c.total - c.skipped} passed (${passRate(c).toFixed(1)}%)`, `${c.failed} failed`, `${c.errored} errored`];
  if (c.skipped > 0) parts.push(`${c.skipped} skipped`);
  return parts.join(', ');
}

export function renderText(r: Report): string {
  const out: string[] = [];
  for (const f of r.folders) {
    out.push(`${f.folder}: ${line(f.counts)}`);
    const names = Object.keys(f.groups).sort();
    const width = Math.max(...names.map((n) => n.length), 8);
    for (const g of names) out.push(`  ${g.padEnd(width)}  ${line(f.groups[g])}`);
    out.push('');
  }
  for (const s of r.subsets) out.push(`${s.folder} ${s.name}: ${line(s.counts)}`);
  out.push(`TOTAL: ${line(r.totals)}  [${(r.durationMs / 1000).toFixed(1)}s]`);
  if (r.failures.length > 0) {
    const nNew = r.failures.filter((f) => f.known === false).length;
    const head = r.knownListApplied ? ` (${r.failures.length - nNew} known, ${nNew} new)` : '';
    out.push('', `FAILURES: ${r.failures.length}${head}`);
    for (const f of r.failures) {
      const tag = f.known === undefined ? `[${f.status}]` : f.known ? '[known]' : '[NEW]';
      out.push(`${tag} ${f.folder}/${f.file}  ${f.note}`);
      out.push(`    ${f.reason}`);
      if (f.known && f.knownReason !== undefined && f.knownReason !== f.reason) out.push(`    known: ${f.knownReason}`);
    }
  }
  if (r.fixed.length > 0) {
    out.push('', `NOW PASSING (listed as known failures; regenerate the list with --write-known-failures): ${r.fixed.length}`);
    for (const k of r.fixed) out.push(`  ${k}`);
  }
  return out.join('\n') + '\n';
}

export function renderJson(r: Report): string {
  return JSON.stringify(r, null, 2) + '\n';
}
