// `pdp test <paths...>`: run every `test_*` rule like `opa test`.
// A test passes when its rule is defined and true; an evaluation error is an ERROR (counted
// as failed); `todo_test_*` rules are SKIPPED.
import { parseArgs } from 'node:util';
import { describeThrown } from '../../shared/errors.js';
import { RegoError, type CompiledPolicy } from '../../rego/index.js';
import { CliError, type CliIO } from '../io.js';
import { jsonText } from '../json.js';
import { compileSources, printCompileErrors } from '../policy.js';
import { loadSources } from '../sources.js';
import { parseDuration } from '../duration.js';
import { printCoverage, TEST_OBSERVE_OPTIONS, testDetails, testObserveFlags, testTracer, TestCoverage } from '../test-observe.js';
import type { Tracer } from '../../rego/index.js';
import { benchLine, benchmark, opaSummary, opaTestJson, type BenchResult } from '../test-output.js';

export interface TestResult {
  package: string;
  name: string;
  file: string;
  row: number;
  pass: boolean;
  fail: boolean;
  skip: boolean;
  /** Set when evaluation raised an error: `message` as printed (location and code first), `detail`
   * and `location` apart for OPA's JSON (topdown.Error's code, message, location). */
  error: { code: string; message: string; detail?: string; location?: { file: string; row: number; col: number } } | null;
  duration_ms: number;
  /** print() output of the test. */
  output: string[];
  /** --explain / --var-values lines for the test. */
  details?: string[];
}

export function formatDuration(ms: number): string {
  if (ms < 1) return `${Math.max(1, Math.round(ms * 1000))}µs`;
  if (ms < 1000) return `${ms.toFixed(1)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}

function runOne(
  policy: CompiledPolicy,
  pkg: string[],
  name: string,
  timeoutMs: number,
  tracer?: Tracer,
): Omit<TestResult, 'package' | 'name' | 'file' | 'row'> {
  if (name.startsWith('todo_')) return { pass: false, fail: false, skip: true, error: null, duration_ms: 0, output: [] };
  const output: string[] = [];
  const t0 = performance.now();
  try {
    const r = policy.evaluate([...pkg, name], { timeoutMs, print: (m) => output.push(m), tracer });
    const pass = r.defined && r.value === true;
    return { pass, fail: !pass, skip: false, error: null, duration_ms: performance.now() - t0, output };
  } catch (e) {
    const code = typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : 'internal_error';
    const message = describeThrown(e);
    const error: NonNullable<TestResult['error']> = { code, message };
    if (e instanceof RegoError) {
      error.detail = e.detail;
      if (e.location) error.location = { file: e.location.file, row: e.location.row, col: e.location.col };
    }
    return { pass: false, fail: false, skip: false, error, duration_ms: performance.now() - t0, output };
  }
}

function status(r: TestResult): string {
  return r.skip ? 'SKIPPED' : r.error ? 'ERROR' : r.pass ? 'PASS' : 'FAIL';
}

export async function testCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'pretty' },
      run: { type: 'string', short: 'r' },
      verbose: { type: 'boolean', short: 'v', default: false },
      timeout: { type: 'string', default: '5s' },
      bundle: { type: 'string', short: 'b', multiple: true },
      ignore: { type: 'string', multiple: true },
      'v0-compatible': { type: 'boolean', default: false },
      count: { type: 'string', default: '1' },
      bench: { type: 'boolean', default: false },
      'exit-zero-on-skipped': { type: 'boolean', short: 'z', default: false },
      'fail-on-empty': { type: 'boolean', default: false },
      ...TEST_OBSERVE_OPTIONS,
    },
  });
  const observe = testObserveFlags(values);
  const coverage = observe.coverage ? new TestCoverage() : undefined;
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > 10000) throw new CliError('usage', '--count must be an integer from 1 to 10000');
  if (values.format !== 'pretty' && values.format !== 'json') throw new CliError('usage', '--format must be pretty or json');
  const bundles = values.bundle ?? [];
  if (positionals.length === 0 && bundles.length === 0) throw new CliError('usage', 'pdp test: give at least one file or directory');
  const timeoutMs = parseDuration(values.timeout, '--timeout');
  let filter: RegExp | undefined;
  if (values.run !== undefined) {
    try {
      filter = new RegExp(values.run);
    } catch (e) {
      throw new CliError('usage', `--run: invalid regular expression: ${describeThrown(e)}`);
    }
  }

  const sources = await loadSources([...positionals, ...bundles], io.cwd, { bundles, ignore: values.ignore ?? [] });
  const compiled = compileSources(sources, values['v0-compatible']);
  if (!compiled.ok) {
    printCompileErrors(io, compiled.errors);
    return 1; // as `opa test`: a load or compile error exits 1
  }
  const seen = new Set<string>();
  const results: TestResult[] = [];
  for (const t of compiled.policy.tests()) {
    const full = ['data', ...t.package, t.name].join('.');
    if (seen.has(full) || (filter && !filter.test(full))) continue;
    seen.add(full);
    // --count N: each test runs N times and each run is a result, as `opa test --count`.
    for (let k = 0; k < count; k++) {
      const tracer = testTracer(observe);
      const r: TestResult = {
        package: t.package.join('.'),
        name: t.name,
        file: t.file,
        row: t.row,
        ...runOne(compiled.policy, t.package, t.name, timeoutMs, tracer),
      };
      coverage?.add(tracer);
      const details = testDetails(observe, tracer, r.fail || r.error !== null);
      if (details.length > 0) r.details = details;
      results.push(r);
    }
  }
  // --bench: every passing test is also run as a benchmark (Go's testing.Benchmark growth of N).
  const benches = new Map<TestResult, BenchResult>();
  if (values.bench) {
    for (const r of results) {
      if (!r.pass) continue;
      const pkg = r.package.split('.');
      benches.set(
        r,
        benchmark(() => void compiled.policy.evaluate([...pkg, r.name], { timeoutMs })),
      );
    }
  }

  // Exit codes as `opa test` (cmd/test.go): 2 when any test does not pass — failed, errored, or
  // skipped unless -z —, 1 for an error outside the tests (load, compile, --fail-on-empty), 0
  // otherwise, also when no test ran.
  const notPassed = results.some((r) => !r.pass && !(r.skip && values['exit-zero-on-skipped']));
  const finish = (): number => {
    if (results.length === 0 && values['fail-on-empty']) {
      io.err('no tests were run\n');
      return 1;
    }
    return notPassed ? 2 : 0;
  };
  const listing = (rs: TestResult[]): void => {
    let detail = false;
    for (const r of rs) {
      const bad = r.fail || r.error !== null;
      if (!values.verbose && !bad) continue;
      detail = true;
      io.out(`data.${r.package}.${r.name}: ${status(r)}${r.skip ? '' : ` (${formatDuration(r.duration_ms)})`}\n`);
      if (r.error) io.out(`  ${r.error.message.replace(/\n/g, '\n  ')}\n`);
      if ((bad || values.verbose) && r.output.length > 0) for (const line of r.output) io.out(`  ${line}\n`);
      if (r.details) for (const line of r.details) io.out(`  ${line}\n`);
    }
    io.out(opaSummary(rs, detail));
    io.out(`${rs.filter((r) => r.pass).length} passed, ${rs.filter((r) => r.fail || r.error).length} failed\n`);
  };

  if (coverage !== undefined) {
    // As `opa test --coverage` (tester.JSONCoverageReporter): the report replaces the test
    // listing, and is printed only when every test passed (an error or a failure: exit 1, the
    // failures listed) and the threshold is met (else exit 2, the message on stderr).
    const errored = results.find((r) => r.error !== null);
    if (errored?.error) {
      io.err(`${errored.error.message}\n`);
      return 1;
    }
    const failures = results.filter((r) => r.fail);
    const [first] = failures;
    if (first !== undefined) {
      listing(failures);
      io.err(`data.${first.package}.${first.name}: FAIL (${formatDuration(first.duration_ms)})\n`);
      return 1;
    }
    if (!printCoverage(io, coverage.report(compiled.policy.modules), observe.threshold, values.verbose)) return 2;
    return finish();
  }
  if (values.format === 'json') {
    io.out(jsonText(results.map((r) => opaTestJson(r, benches.get(r)))) + '\n');
  } else if (values.bench) {
    for (const r of results) {
      const b = benches.get(r);
      if (b) io.out(benchLine(`data.${r.package}.${r.name}`, b));
      else io.out(`data.${r.package}.${r.name}: ${status(r)}\n`);
    }
    io.out(opaSummary(results, true));
  } else {
    if (results.length === 0) io.err(filter ? `no tests match --run ${values.run}\n` : 'no tests found\n');
    listing(results);
  }
  return finish();
}
