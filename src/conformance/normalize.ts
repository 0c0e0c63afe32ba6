// Turns raw YAML cases into ConformanceCase values, following the meaning each runner gives
// its fields (OPA: topdown's testRun; regorus: tests/interpreter's yaml_test_impl).
import { describeThrown } from '../shared/errors.js';
import { errorCodeInMessage, manyOrOne, opaRows, regorusValue } from './expected.js';
import type { RawFile } from './load.js';
import type { ConformanceCase, Dialect, Expectation, InputSpec, SimulatedTimer } from './types.js';

/** Fields only regorus's runner knows. A folder using any of them is read as regorus dialect. */
const REGORUS_ONLY = [
  'error',
  'no_result',
  'skip',
  'strict',
  'want_prints',
  'time_source',
  'execution_timer',
  'global_execution_timer',
  'want_inferred_resource_types',
];

export function detectDialect(files: RawFile[]): Dialect {
  for (const f of files) {
    for (const c of f.cases) {
      if (c !== null && typeof c === 'object' && REGORUS_ONLY.some((k) => k in c)) return 'regorus';
    }
  }
  return 'opa';
}

export type NormalizeResult = { ok: true; case: ConformanceCase } | { ok: false; case: CaseIdentity; message: string };

export interface CaseIdentity {
  folder: string;
  file: string;
  note: string;
  key: string;
  group: string;
}

function str(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined;
}

/** Normalizes every case of a file; notes repeated within the file get a " (n)" suffix so keys stay unique. */
export function normalizeFile(f: RawFile, dialect: Dialect): NormalizeResult[] {
  const seen = new Map<string, number>();
  const group = f.file.includes('/') ? f.file.slice(0, f.file.indexOf('/')) : '.';
  return f.cases.map((raw, i) => {
    const rec = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
    const base = str(rec.note) ?? `case ${i + 1}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const note = n === 1 ? base : `${base} (${n})`;
    const id: CaseIdentity = { folder: f.folder, file: f.file, note, key: `${f.folder}/${f.file}#${note}`, group };
    try {
      const c = dialect === 'opa' ? opaCase(rec, id) : regorusCase(rec, id);
      return { ok: true, case: c };
    } catch (e) {
      return { ok: false, case: id, message: `malformed case: ${describeThrown(e)}` };
    }
  });
}

function common(rec: Record<string, unknown>): { modules: string[]; query: string } {
  const query = str(rec.query);
  if (query === undefined) throw new TypeError('missing `query`');
  const modules = rec.modules ?? [];
  if (!Array.isArray(modules) || !modules.every((m) => typeof m === 'string')) {
    throw new TypeError('`modules` must be a list of strings');
  }
  return { modules: modules as string[], query };
}

function opaCase(rec: Record<string, unknown>, id: CaseIdentity): ConformanceCase {
  const { modules, query } = common(rec);
  const inputs: InputSpec[] = [];
  // OPA's runner prefers input_term over input when both are present.
  if (typeof rec.input_term === 'string') inputs.push({ kind: 'term', source: rec.input_term });
  else if (rec.input !== undefined) inputs.push({ kind: 'json', value: rec.input });
  let expect: Expectation;
  const wantError = str(rec.want_error);
  const wantCode = str(rec.want_error_code);
  if (wantCode !== undefined || wantError !== undefined) {
    expect = { kind: 'error', code: wantCode ?? (wantError ? errorCodeInMessage(wantError) : undefined), message: wantError };
  } else if (rec.want_result !== undefined) {
    expect = { kind: 'rows', rows: opaRows(rec.want_result) };
  } else {
    throw new TypeError("expected one of: 'want_result', 'want_error_code', or 'want_error'");
  }
  return {
    ...id,
    dialect: 'opa',
    modules,
    query,
    data: rec.data ?? undefined,
    inputs,
    strict: rec.strict_error === true,
    sortBindings: rec.sort_bindings === true,
    skip: false,
    regoVersion: 1,
    expect,
  };
}

function regorusCase(rec: Record<string, unknown>, id: CaseIdentity): ConformanceCase {
  const { modules, query } = common(rec);
  const inputs: InputSpec[] = rec.input === undefined ? [] : manyOrOne(rec.input).map((value) => ({ kind: 'json', value }));
  let expect: Expectation;
  const error = str(rec.error) ?? str(rec.want_error);
  if (error !== undefined || typeof rec.want_error_code === 'string') {
    expect = { kind: 'error', code: str(rec.want_error_code), message: error };
  } else if (rec.want_result !== undefined) {
    expect = { kind: 'values', values: manyOrOne(rec.want_result).map(regorusValue) };
  } else if (rec.no_result === true) {
    expect = { kind: 'noResult' };
  } else {
    throw new TypeError('either want_result, error or no_result must be specified');
  }
  const wantPrints = Array.isArray(rec.want_prints) ? rec.want_prints.map((p) => String(p)) : undefined;
  return {
    ...id,
    dialect: 'regorus',
    modules,
    query,
    data: rec.data ?? undefined,
    inputs,
    // regorus's runner defaults `strict` to true.
    strict: rec.strict !== false,
    sortBindings: rec.sort_bindings === true,
    skip: rec.skip === true,
    // regorus runs every file in v0 mode except binding/bindings.yaml (modules with
    // `import rego.v1` switch themselves to v1).
    regoVersion: id.file.endsWith('bindings.yaml') ? 1 : 0,
    expect,
    wantPrints,
    timer: simulatedTimer(rec),
  };
}

function record(x: unknown): Record<string, unknown> | undefined {
  return x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined;
}

function num(x: unknown): number | undefined {
  if (typeof x === 'bigint') return Number(x);
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

/**
 * regorus's runner: the engine's `execution_timer` overrides the `global_execution_timer`;
 * `disable` (or no limit) means no time limit; the clock is the case's `time_source`.
 */
function simulatedTimer(rec: Record<string, unknown>): SimulatedTimer | undefined {
  const cfg = record(rec.execution_timer) ?? record(rec.global_execution_timer);
  const src = record(rec.time_source);
  if (cfg === undefined || src === undefined || cfg.disable === true) return undefined;
  const limitMs = num(cfg.limit_ms);
  if (limitMs === undefined) return undefined;
  const increments = Array.isArray(src.increments_ms) ? src.increments_ms.map(num).filter((n): n is number => n !== undefined) : [];
  return { limitMs, checkInterval: Math.max(1, num(cfg.check_interval) ?? 1), incrementsMs: increments, defaultIncrementMs: num(src.default_increment_ms) ?? 0 };
}
