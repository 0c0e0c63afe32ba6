// `pdp eval --explain / --profile / --metrics`: the query is evaluated once more, as written,
// with a tracer (so the trace shows the user's query, not the capture rewrite the result needs),
// and the trace, profile and timers are rendered as `opa eval` renders them.
import {
  filterTrace,
  goDuration,
  isExplainMode,
  profile,
  PROFILE_SORTS,
  traceJson,
  traceText,
  Tracer,
  type CompiledPolicy,
  type ExplainMode,
  type ProfileRow,
  type ProfileSort,
} from '../rego/index.js';
import { CliError } from './io.js';

export interface ObserveFlags {
  explain?: ExplainMode;
  profile: boolean;
  profileLimit: number;
  profileSort: ProfileSort;
  metrics: boolean;
}

export const OBSERVE_OPTIONS = {
  explain: { type: 'string' },
  profile: { type: 'boolean', default: false },
  'profile-limit': { type: 'string', default: '10' },
  'profile-sort': { type: 'string', default: 'total_time_ns' },
  metrics: { type: 'boolean', default: false },
} as const;

export function observeFlags(values: {
  explain?: string;
  profile?: boolean;
  'profile-limit'?: string;
  'profile-sort'?: string;
  metrics?: boolean;
}): ObserveFlags {
  if (values.explain !== undefined && !isExplainMode(values.explain)) throw new CliError('usage', '--explain must be notes, fails, full or debug');
  const limit = Number(values['profile-limit'] ?? '10');
  if (!Number.isInteger(limit) || limit < 0) throw new CliError('usage', '--profile-limit must be a non-negative integer');
  const sort = values['profile-sort'] ?? 'total_time_ns';
  if (!(PROFILE_SORTS as readonly string[]).includes(sort)) throw new CliError('usage', `--profile-sort must be one of ${PROFILE_SORTS.join(', ')}`);
  return {
    explain: values.explain as ExplainMode | undefined,
    profile: values.profile === true,
    profileLimit: limit,
    profileSort: sort as ProfileSort,
    metrics: values.metrics === true,
  };
}

export function wantsObservation(f: ObserveFlags): boolean {
  return f.explain !== undefined || f.profile || f.metrics;
}

export interface Observed {
  explanation?: { json: unknown[]; text: string[] };
  profile?: ProfileRow[];
  metrics?: Record<string, number>;
}

/** Runs the traced evaluation when a trace or profile is asked for; errors were already reported by the main run. */
export function observe(
  f: ObserveFlags,
  policy: CompiledPolicy,
  query: string,
  opts: { input?: unknown; strict: boolean; timeoutMs: number },
  timers: Record<string, number>,
): Observed {
  const out: Observed = {};
  if (f.metrics || f.profile) out.metrics = { ...timers };
  if (f.explain === undefined && !f.profile) return out;
  const tracer = new Tracer();
  try {
    policy.query(query, { ...opts, tracer });
  } catch {
    // the trace up to the error is still worth showing
  }
  if (f.explain !== undefined) {
    const events = filterTrace(tracer.events, f.explain);
    out.explanation = { json: traceJson(events), text: traceText(events) };
  }
  if (f.profile) out.profile = profile(tracer.events, f.profileSort, f.profileLimit);
  return out;
}

/** The JSON output's extra keys, as `opa eval --format json` adds them. */
export function observedJson(o: Observed): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (o.explanation) out.explanation = o.explanation.json;
  if (o.metrics) out.metrics = o.metrics;
  if (o.profile) out.profile = o.profile;
  return out;
}

/** The pretty output's extra sections: the text trace, then the metrics and profile tables. */
export function observedPretty(o: Observed): { before: string; after: string } {
  const before = o.explanation ? o.explanation.text.join('\n') + '\n' : '';
  let after = '';
  if (o.metrics) {
    const keys = Object.keys(o.metrics).sort();
    after += table(
      ['METRIC', 'VALUE'],
      keys.map((k) => [k, String(o.metrics![k])]),
    );
  }
  if (o.profile) {
    after += table(
      ['TIME', 'NUM EVAL', 'NUM REDO', 'NUM GEN EXPR', 'LOCATION'],
      o.profile.map((r) => [
        goDuration(r.total_time_ns),
        String(r.num_eval),
        String(r.num_redo),
        String(r.num_gen_expr),
        `${r.location.file}:${r.location.row}`,
      ]),
    );
  }
  return { before, after };
}

/** An ASCII table with centred headers, as OPA's tablewriter prints them. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const rule = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  const centre = (s: string, w: number): string => {
    const left = Math.ceil((w - s.length) / 2);
    return ' '.repeat(left) + s + ' '.repeat(w - s.length - left);
  };
  const line = (cells: string[], head: boolean): string => '| ' + cells.map((c, i) => (head ? centre(c, widths[i]) : c.padEnd(widths[i]))).join(' | ') + ' |';
  return [rule, line(header, true), rule, ...rows.map((r) => line(r, false)), rule].join('\n') + '\n';
}
