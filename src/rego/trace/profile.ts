// OPA's profiler (`opa eval --profile`) over trace events: per expression location, the time
// spent from its Eval event to the next event, how often it was evaluated and re-evaluated, and
// how many compiled expressions came from that location.

import type { TraceEvent } from './tracer.js';

export interface ProfileRow {
  total_time_ns: number;
  num_eval: number;
  num_redo: number;
  num_gen_expr: number;
  location: { file: string; row: number; col: number };
}

export type ProfileSort = 'total_time_ns' | 'num_eval' | 'num_redo' | 'num_gen_expr' | 'file' | 'line';
export const PROFILE_SORTS: readonly ProfileSort[] = ['total_time_ns', 'num_eval', 'num_redo', 'num_gen_expr', 'file', 'line'];

export function profile(events: readonly TraceEvent[], sort: ProfileSort = 'total_time_ns', limit = 10): ProfileRow[] {
  const rows = new Map<string, ProfileRow & { exprs: Set<unknown> }>();
  const rowFor = (ev: TraceEvent): ProfileRow & { exprs: Set<unknown> } => {
    const l = ev.location;
    const key = `${l.file}\u0000${l.row}\u0000${l.col}`;
    let r = rows.get(key);
    if (r === undefined) {
      r = { total_time_ns: 0, num_eval: 0, num_redo: 0, num_gen_expr: 0, location: { file: l.file, row: l.row, col: l.col }, exprs: new Set() };
      rows.set(key, r);
    }
    return r;
  };
  let open: { row: ProfileRow; at: bigint } | null = null;
  for (const ev of events) {
    if (open !== null) {
      // events a rule held back (Tracer.deferStart) come later than they happened: never a negative span
      if (ev.at > open.at) open.row.total_time_ns += Number(ev.at - open.at);
      open = null;
    }
    // query expressions have no file (or the compiled query's name): OPA profiles the policy only
    if (ev.type !== 'expr' || ev.location.file === '' || ev.location.file === 'query') continue;
    if (ev.op === 'Eval') {
      const r = rowFor(ev);
      r.num_eval++;
      r.exprs.add(ev.expr);
      open = { row: r, at: ev.at };
    } else if (ev.op === 'Redo') rowFor(ev).num_redo++;
  }
  const out = [...rows.values()].map(({ exprs, ...r }) => ({ ...r, num_gen_expr: exprs.size }));
  const byLocation = (a: ProfileRow, b: ProfileRow): number =>
    a.location.file === b.location.file ? a.location.row - b.location.row || a.location.col - b.location.col : a.location.file < b.location.file ? -1 : 1;
  out.sort((a, b) => {
    switch (sort) {
      case 'file':
      case 'line':
        return byLocation(a, b);
      default:
        return b[sort] - a[sort] || byLocation(a, b);
    }
  });
  return limit > 0 ? out.slice(0, limit) : out;
}

/** A duration as Go prints it in OPA's profile table (`20.291µs`, `1.5ms`). */
export function goDuration(ns: number): string {
  if (ns < 1000) return `${ns}ns`;
  if (ns < 1_000_000) return `${trim((ns / 1000).toFixed(3))}µs`;
  if (ns < 1_000_000_000) return `${trim((ns / 1_000_000).toFixed(6))}ms`;
  return `${trim((ns / 1_000_000_000).toFixed(9))}s`;
}

function trim(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}
