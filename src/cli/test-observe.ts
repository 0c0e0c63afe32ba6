// `pdp test --coverage / --threshold / --var-values / --explain`: tests run with a tracer, and
// the coverage report (OPA's JSON), the variables bound where a failed test failed, and its
// trace are printed as `opa test` prints them.
import {
  CoverageCollector,
  exprText,
  filterTrace,
  isExplainMode,
  regoText,
  traceText,
  Tracer,
  type CoverageReport,
  type ExplainMode,
  type Module,
  type TraceEvent,
} from '../rego/index.js';
import { CliError, type CliIO } from './io.js';
import { jsonText } from './json.js';

export const TEST_OBSERVE_OPTIONS = {
  coverage: { type: 'boolean', short: 'c', default: false },
  threshold: { type: 'string' },
  'var-values': { type: 'boolean', default: false },
  explain: { type: 'string' },
} as const;

export interface TestObserveFlags {
  coverage: boolean;
  threshold?: number;
  varValues: boolean;
  explain?: ExplainMode;
}

export function testObserveFlags(values: { coverage?: boolean; threshold?: string; 'var-values'?: boolean; explain?: string }): TestObserveFlags {
  let threshold: number | undefined;
  if (values.threshold !== undefined) {
    threshold = Number(values.threshold);
    if (values.threshold.trim() === '' || !Number.isFinite(threshold) || threshold < 0 || threshold > 100) {
      throw new CliError('usage', '--threshold must be a number from 0 to 100');
    }
  }
  // As `opa test`: a threshold above 0 turns coverage on.
  const coverage = values.coverage === true || (threshold !== undefined && threshold > 0);
  if (values.explain !== undefined && !isExplainMode(values.explain)) throw new CliError('usage', '--explain must be notes, fails, full or debug');
  return { coverage, threshold, varValues: values['var-values'] === true, explain: values.explain as ExplainMode | undefined };
}

/** A tracer for one test, when any of these flags needs one. */
export function testTracer(f: TestObserveFlags): Tracer | undefined {
  return f.coverage || f.varValues || f.explain !== undefined ? new Tracer() : undefined;
}

/** Lines printed under a test's status line: its trace (per --explain) and, for a failure, where it failed. */
export function testDetails(f: TestObserveFlags, tracer: Tracer | undefined, failed: boolean): string[] {
  if (tracer === undefined) return [];
  const out: string[] = [];
  if (f.explain !== undefined && (failed || f.explain === 'notes')) {
    const events = filterTrace(tracer.events, f.explain);
    if (events.length > 0) out.push(...traceText(events));
  }
  if (f.varValues && failed) out.push(...varValues(tracer.events));
  return out;
}

/**
 * The failing expression of the test's own body (the last Fail at the test's query) with the
 * variables bound there, one per line, in Rego syntax.
 */
function varValues(events: readonly TraceEvent[]): string[] {
  const testQuery = events.find((e) => e.op === 'Enter' && e.type === 'rule')?.queryId;
  let fail: TraceEvent | undefined;
  for (const e of events) if (e.op === 'Fail' && e.type === 'expr' && e.queryId === testQuery) fail = e;
  if (fail === undefined || fail.expr === undefined) return [];
  const out = [`${fail.location.file}:${fail.location.row}:`, `  ${exprText(fail.expr)}`];
  const locals = [...fail.locals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const width = Math.max(0, ...locals.map(([n]) => n.length));
  for (const [name, v] of locals) out.push(`  ${name.padEnd(width)} = ${regoText(v)}`);
  return out;
}

export class TestCoverage {
  private readonly collector = new CoverageCollector();

  add(tracer: Tracer | undefined): void {
    if (tracer !== undefined) this.collector.add(tracer.events);
  }

  report(modules: readonly Module[]): CoverageReport {
    return this.collector.report(modules);
  }
}

/**
 * Prints OPA's coverage JSON, or, when the coverage is below the threshold, OPA's
 * CoverageThresholdError instead (stderr; with -v the lines not covered) and returns false.
 * The comparison is on the unrounded percentage, as current OPA compares it (a rounded 99.98
 * once passed a threshold of 100: OPA issue #6307).
 */
export function printCoverage(io: CliIO, report: CoverageReport, threshold: number | undefined, verbose = false): boolean {
  if (threshold !== undefined && report.coverage < threshold) {
    let msg = `Code coverage threshold not met: got ${report.coverage.toFixed(2)} instead of ${threshold.toFixed(2)}`;
    const files = Object.keys(report.files).sort();
    if (verbose && files.length > 0) {
      msg += '\nLines not covered:';
      for (const f of files) {
        for (const r of report.files[f]?.not_covered ?? []) {
          msg += r.start.row === r.end.row ? `\n\t${f}:${r.start.row}` : `\n\t${f}:${r.start.row}-${r.end.row}`;
        }
      }
    }
    io.err(msg + '\n');
    return false;
  }
  io.out(jsonText(report) + '\n');
  return true;
}
