// `pdp test` output in OPA's shapes (`opa test`): the `--format json` result array, the
// `PASS: n/N` / `FAIL: n/N` summary, and `--bench` lines. Kept apart from test.ts, which runs tests.
import type { TestResult } from './commands/test.js';

/** One `opa test --format json` result (OPA's tester.Result): omitempty fields left out. */
export interface OpaTestResult {
  location: { file: string; row: number; col: number };
  package: string;
  name: string;
  fail?: true;
  /** topdown.Error's fields: code, message (without the location and code prefix), location. */
  error?: { code: string; message: string; location?: { file: string; row: number; col: number } };
  skip?: true;
  /** Nanoseconds (Go's time.Duration). */
  duration: number;
  /** print() output, base64 (Go encodes []byte so). */
  output?: string;
  /** Go's testing.BenchmarkResult as encoding/json writes it (no tags: the Go field names; T in
   * ns). Allocations are not measured here: Bytes, MemAllocs and MemBytes are 0. */
  benchmark_result?: { N: number; T: number; Bytes: number; MemAllocs: number; MemBytes: number; Extra: Record<string, number> };
}

export interface BenchResult {
  /** Iterations run. */
  n: number;
  /** Total nanoseconds. */
  totalNs: number;
}

export function opaTestJson(r: TestResult, bench?: BenchResult): OpaTestResult {
  // Keys in tester.Result's field order, as encoding/json writes them.
  return {
    location: { file: r.file, row: r.row, col: 1 },
    package: `data.${r.package}`,
    name: r.name,
    ...(r.fail ? { fail: true as const } : {}),
    ...(r.error
      ? {
          error: {
            code: r.error.code,
            message: r.error.detail ?? r.error.message,
            ...(r.error.location ? { location: r.error.location } : {}),
          },
        }
      : {}),
    ...(r.skip ? { skip: true as const } : {}),
    duration: Math.round(r.duration_ms * 1e6),
    ...(r.output.length > 0 ? { output: Buffer.from(r.output.map((l) => l + '\n').join('')).toString('base64') } : {}),
    ...(bench ? { benchmark_result: { N: bench.n, T: bench.totalNs, Bytes: 0, MemAllocs: 0, MemBytes: 0, Extra: {} } } : {}),
  };
}

/** OPA's closing block: a rule of dashes (after detail lines), then PASS/FAIL/ERROR/SKIPPED counts of all tests. */
export function opaSummary(results: readonly TestResult[], detailPrinted: boolean): string {
  const n = results.length;
  const pass = results.filter((r) => r.pass).length;
  const fail = results.filter((r) => r.fail).length;
  const error = results.filter((r) => r.error !== null).length;
  const skip = results.filter((r) => r.skip).length;
  let s = detailPrinted ? '-'.repeat(80) + '\n' : '';
  if (pass > 0) s += `PASS: ${pass}/${n}\n`;
  if (fail > 0) s += `FAIL: ${fail}/${n}\n`;
  if (error > 0) s += `ERROR: ${error}/${n}\n`;
  if (skip > 0) s += `SKIPPED: ${skip}/${n}\n`;
  return s;
}

/** Go's benchmark line: name, iterations, ns/op. */
export function benchLine(name: string, b: BenchResult): string {
  return `${name}\t${String(b.n).padStart(8)}\t${String(Math.round(b.totalNs / b.n)).padStart(12)} ns/op\n`;
}

/**
 * Runs `once` as Go's testing.Benchmark does: N = 1, then grows N until a run lasts `targetMs`
 * (or N reaches `maxN`), and reports the last run.
 */
export function benchmark(once: () => void, targetMs = 200, maxN = 1_000_000): BenchResult {
  let n = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) once();
    const totalNs = Number(process.hrtime.bigint() - t0);
    if (totalNs >= targetMs * 1e6 || n >= maxN) return { n, totalNs };
    const perOp = Math.max(totalNs / n, 1);
    n = Math.min(maxN, Math.max(n + 1, Math.min(n * 100, Math.ceil(((targetMs * 1e6) / perOp) * 1.2))));
  }
}
