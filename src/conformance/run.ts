// Runs one normalized case against an engine and decides passed/failed/errored.
//
// Error expectations (documented choice, see conformance/README.md):
// - `want_error_code` (OPA): passes when the engine raises a typed error with that code.
// - `want_error` without a code (OPA): if the text names an error code
//   ("test-0.rego:4: eval_type_error: ...") that code must match; otherwise any typed error
//   passes. OPA's runner checks that the message contains the text; our messages differ, so
//   the text is not compared.
// - `error` (regorus): passes when the engine raises any typed error; message text not compared.
// A crash (an exception that is not a RegoError) is "errored", never a pass.
import { ObjectV, type Value } from '../rego/value.js';
import { queryWithExpressions } from './capture.js';
import { compareRows, compareValues, short } from './compare.js';
import type { EngineLike, PolicyLike, QueryOptions } from './engine.js';
import { classifyThrown } from './errors.js';
import type { CaseOutcome, ConformanceCase, InputSpec, SimulatedTimer } from './types.js';

export interface RunLimits {
  /** Evaluation step budget per query. */
  maxSteps: number;
  /** Wall-clock budget per query, in ms. */
  timeoutMs: number;
  maxOutputSize: number;
}

export const DEFAULT_RUN_LIMITS: RunLimits = { maxSteps: 5_000_000, timeoutMs: 5_000, maxOutputSize: 1_000_000 };

type Verdict = { status: 'passed' } | { status: 'failed' | 'errored'; reason: string };

class CaseFailure extends Error {}

export function moduleFile(c: ConformanceCase, i: number): string {
  // The file names each runner uses (they appear in expected messages and prints).
  return c.dialect === 'opa' ? `test-${i}.rego` : `rego_${i}`;
}

function resolveInput(policy: PolicyLike, spec: InputSpec, limits: RunLimits): QueryOptions {
  if (spec.kind === 'json') return { input: spec.value };
  const { rows } = policy.query(`pdp_input_term__ := ${spec.source}`, { maxSteps: limits.maxSteps, timeoutMs: limits.timeoutMs });
  const v = rows[0]?.pdp_input_term__;
  if (v === undefined) throw new CaseFailure(`input_term ${short(spec.source, 60)} has no value`);
  return { inputValue: v };
}

/** regorus's push_query_results: bindings when present, else the expression values. */
function regorusResults(engine: EngineLike, policy: PolicyLike, c: ConformanceCase, opts: QueryOptions): Value[] {
  const { rows } = queryWithExpressions(engine, policy, c.query, opts);
  const out: Value[] = [];
  const bindingsValue = (b: Record<string, Value>): Value => ObjectV.fromStringMap(b);
  if (rows.length === 1) {
    const r = rows[0];
    if (Object.keys(r.bindings).length > 0) out.push(bindingsValue(r.bindings));
    else out.push(...r.expressions);
  } else {
    for (const r of rows) out.push(Object.keys(r.bindings).length > 0 ? bindingsValue(r.bindings) : r.expressions);
  }
  return out;
}

function judgeError(c: ConformanceCase, e: unknown): Verdict {
  const info = classifyThrown(e);
  if (!info.typed) return { status: 'errored', reason: `engine crashed: ${info.line}` };
  if (c.expect.kind !== 'error') return { status: 'failed', reason: `unexpected error ${info.line}` };
  const want = c.expect.code;
  if (want === undefined || info.codes.includes(want)) return { status: 'passed' };
  return { status: 'failed', reason: `expected error ${want}, got ${info.line}` };
}

/** A clock that advances by the timer's increments at each reading (regorus's test TimeSource). */
function simulatedClock(t: SimulatedTimer): () => number {
  let now = 0;
  let reads = 0;
  return () => {
    now += reads < t.incrementsMs.length ? t.incrementsMs[reads] : t.defaultIncrementMs;
    reads++;
    return now;
  };
}

function timerOptions(c: ConformanceCase, limits: RunLimits): Pick<QueryOptions, 'timeoutMs' | 'clockMs' | 'clockCheckInterval'> {
  if (c.timer === undefined) return { timeoutMs: limits.timeoutMs };
  return { timeoutMs: c.timer.limitMs, clockMs: simulatedClock(c.timer), clockCheckInterval: c.timer.checkInterval };
}

function evaluate(engine: EngineLike, c: ConformanceCase, limits: RunLimits, prints: string[]): Verdict {
  const modules = c.modules.map((source, i) => ({ file: moduleFile(c, i), source }));
  const policy = engine.compile(modules, c.data, { regoVersion: c.regoVersion });
  const base: QueryOptions = {
    strict: c.strict,
    maxSteps: limits.maxSteps,
    ...timerOptions(c, limits),
    maxOutputSize: limits.maxOutputSize,
    print: (m) => prints.push(m),
  };
  const inputs = c.inputs.length === 0 ? [{}] : c.inputs.map((s) => resolveInput(policy, s, limits));

  if (c.dialect === 'opa') {
    const rows = policy.query(c.query, { ...base, ...inputs[0] }).rows;
    if (c.expect.kind === 'error') {
      return { status: 'failed', reason: `expected error ${c.expect.code ?? '(any)'}, got ${rows.length} result(s)` };
    }
    if (c.expect.kind !== 'rows') return { status: 'errored', reason: 'opa case without rows expectation' };
    const diff = compareRows(c.expect.rows, rows, c.sortBindings);
    return diff === undefined ? { status: 'passed' } : { status: 'failed', reason: diff };
  }

  const results: Value[] = [];
  for (const input of inputs) results.push(...regorusResults(engine, policy, c, { ...base, ...input }));
  switch (c.expect.kind) {
    case 'error':
      return { status: 'failed', reason: `expected an error${c.expect.message ? ` (${short(c.expect.message, 80)})` : ''}, got ${results.length} result(s)` };
    case 'noResult':
      return results.length === 0 ? { status: 'passed' } : { status: 'failed', reason: `expected no result, got ${results.length} result(s)` };
    case 'values': {
      const diff = compareValues(c.expect.values, results, c.sortBindings);
      if (diff !== undefined) return { status: 'failed', reason: diff };
      if (c.wantPrints && (c.wantPrints.length !== prints.length || c.wantPrints.some((p, i) => p !== prints[i]))) {
        return { status: 'failed', reason: short(`print output differs: expected ${JSON.stringify(c.wantPrints)}, got ${JSON.stringify(prints)}`) };
      }
      return { status: 'passed' };
    }
    default:
      return { status: 'errored', reason: 'regorus case with a rows expectation' };
  }
}

export function runCase(engine: EngineLike, c: ConformanceCase, limits: RunLimits = DEFAULT_RUN_LIMITS): CaseOutcome {
  const id = { key: c.key, folder: c.folder, group: c.group, file: c.file, note: c.note };
  if (c.skip) return { ...id, status: 'skipped', durationMs: 0 };
  const t0 = performance.now();
  const prints: string[] = [];
  let verdict: Verdict;
  try {
    verdict = evaluate(engine, c, limits, prints);
  } catch (e) {
    verdict = e instanceof CaseFailure ? { status: 'failed', reason: e.message } : judgeError(c, e);
  }
  const durationMs = performance.now() - t0;
  return verdict.status === 'passed' ? { ...id, status: 'passed', durationMs } : { ...id, status: verdict.status, reason: verdict.reason, durationMs };
}
