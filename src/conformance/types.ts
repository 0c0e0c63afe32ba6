// Shapes shared by the conformance runner: cases as loaded, outcomes as run, reports as printed.
import type { Value } from '../rego/value.js';

/**
 * Which runner's rules a case follows. `opa`: OPA's topdown test runner
 * (`want_result` is a list of binding rows). `regorus`: regorus's YAML runner
 * (`want_result` is the query's value, `error` is an expected error message).
 */
export type Dialect = 'opa' | 'regorus';

/** What a case expects, normalized across the two dialects. */
export type Expectation =
  /** OPA: the result set, as a set of binding rows (order-insensitive, like OPA's runner). */
  | { kind: 'rows'; rows: Record<string, Value>[] }
  /** regorus: one value per result, in order (`#undefined` entries are `undefined`). */
  | { kind: 'values'; values: (Value | undefined)[] }
  /** regorus `no_result: true`: the query succeeds and produces no result. */
  | { kind: 'noResult' }
  /**
   * An error. `code` is matched exactly when present (`want_error_code`, or an error code
   * named inside a `want_error` message); `message` is kept for the report only.
   */
  | { kind: 'error'; code?: string; message?: string };

export interface ConformanceCase {
  /** Root folder name (e.g. "opa-v1"). */
  folder: string;
  /** YAML file path relative to the root folder, with forward slashes. */
  file: string;
  /** The case's note; made unique within its file by a " (2)", " (3)" suffix when repeated. */
  note: string;
  /** `<folder>/<file>#<note>`: the key used by the known-failures list. */
  key: string;
  /** First path segment of `file` (the subfolder), or "." for files at the root. */
  group: string;
  dialect: Dialect;
  modules: string[];
  query: string;
  /** Base document (plain YAML value; integers are bigints). */
  data?: unknown;
  /** Inputs to evaluate with: none (no input), one, or several (regorus `many!`). */
  inputs: InputSpec[];
  strict: boolean;
  sortBindings: boolean;
  skip: boolean;
  regoVersion: 0 | 1;
  expect: Expectation;
  /** regorus `want_prints`: expected print() lines, in order. */
  wantPrints?: string[];
  /** regorus `execution_timer` (else `global_execution_timer`) measured on its simulated `time_source`. */
  timer?: SimulatedTimer;
}

/** A time limit read on a test clock that advances by fixed steps at each reading (regorus's TimeSource). */
export interface SimulatedTimer {
  limitMs: number;
  /** Work units (here: evaluation steps) between two readings of the clock. */
  checkInterval: number;
  /** Advance of the clock at its first readings, in order; then `defaultIncrementMs`. */
  incrementsMs: number[];
  defaultIncrementMs: number;
}

export type InputSpec =
  | { kind: 'json'; value: unknown }
  /** OPA `input_term`: Rego term source text. */
  | { kind: 'term'; source: string };

export type OutcomeStatus = 'passed' | 'failed' | 'errored' | 'skipped';

export interface CaseOutcome {
  key: string;
  folder: string;
  group: string;
  file: string;
  note: string;
  status: OutcomeStatus;
  /** One-line reason for failed/errored cases. */
  reason?: string;
  durationMs: number;
}

/** A file that could not be read or parsed: reported as errored, keyed `<folder>/<file>#<load>`. */
export interface LoadProblem {
  folder: string;
  file: string;
  message: string;
}

export interface Counts {
  total: number;
  passed: number;
  failed: number;
  errored: number;
  skipped: number;
}

export interface FailureEntry {
  key: string;
  folder: string;
  file: string;
  note: string;
  status: 'failed' | 'errored';
  reason: string;
  /** Present when a known-failures list was given. */
  known?: boolean;
  /** The list's explanation for a known failure (its human-written `why`, else its recorded reason). */
  knownReason?: string;
}

export interface FolderReport {
  folder: string;
  counts: Counts;
  /** Per subfolder (first path segment below the root folder). */
  groups: Record<string, Counts>;
}

export interface SubsetReport {
  name: string;
  folder: string;
  counts: Counts;
}

export interface Report {
  folders: FolderReport[];
  /** Named subsets (e.g. the core-language folders), for folders present in the run. */
  subsets: SubsetReport[];
  totals: Counts;
  failures: FailureEntry[];
  /** Known-failure keys that passed in this run (candidates for removal from the list). */
  fixed: string[];
  /** Whether a known-failures list was applied. */
  knownListApplied: boolean;
  durationMs: number;
}
