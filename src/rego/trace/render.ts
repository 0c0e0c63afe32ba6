// OPA's explain modes and its two renderings of a trace: the JSON event array of the Data
// API's `explanation` field, and the text lines of `opa eval --explain` (PrettyTraceWithLocation).

import { bodyJson, exprJson, ruleJson } from '../ast-json.js';
import { ObjectV, SetV, type Value } from '../value.js';
import { bodyText, exprText } from './ast-text.js';
import { resolvedBody, resolvedExpr } from './resolve.js';
import type { TraceEvent } from './tracer.js';

export type ExplainMode = 'notes' | 'fails' | 'full' | 'debug';
export const EXPLAIN_MODES: readonly ExplainMode[] = ['notes', 'fails', 'full', 'debug'];

export function isExplainMode(x: unknown): x is ExplainMode {
  return typeof x === 'string' && (EXPLAIN_MODES as readonly string[]).includes(x);
}

/**
 * The events a mode shows: `notes` and `fails` keep each Note/Fail with the Enter/Redo events of
 * the queries leading to it (OPA's lineage), `full` everything but Unify events, `debug` all.
 */
export function filterTrace(events: readonly TraceEvent[], mode: ExplainMode): TraceEvent[] {
  switch (mode) {
    case 'debug':
      return [...events];
    case 'full':
      return events.filter((e) => e.op !== 'Unify');
    case 'notes':
      return lineage(events, 'Note');
    case 'fails':
      return lineage(events, 'Fail');
  }
}

function lineage(events: readonly TraceEvent[], op: 'Note' | 'Fail'): TraceEvent[] {
  const out: TraceEvent[] = [];
  let qids = new Map<number, TraceEvent>();
  for (const ev of events) {
    if (ev.op === op) {
      const path: TraceEvent[] = [ev];
      let cur = qids.get(ev.queryId);
      let prev: TraceEvent | undefined;
      while (cur !== undefined && cur !== prev) {
        path.push(cur);
        prev = cur;
        cur = qids.get(cur.parentId);
      }
      for (let i = path.length - 1; i >= 0; i--) out.push(path[i]);
      qids = new Map();
    }
    if ((ev.op === 'Enter' || ev.op === 'Redo') && (ev.type === 'rule' || ev.type === 'body')) qids.set(ev.queryId, ev);
  }
  return out;
}

// ------------------------------------------------------------------ JSON

type J = Record<string, unknown>;

/** A value as an OPA AST term ({type, value}). */
export function valueTerm(v: Value): J {
  if (v === null) return { type: 'null' };
  switch (typeof v) {
    case 'boolean':
      return { type: 'boolean', value: v };
    case 'number':
    case 'bigint':
      // integers past 2^53 stay exact (bigint), as results do: the response writer prints them exactly
      return { type: 'number', value: v };
    case 'string':
      return { type: 'string', value: v };
    default:
      if (Array.isArray(v)) return { type: 'array', value: v.map(valueTerm) };
      if (v instanceof ObjectV) return { type: 'object', value: [...v.entries()].map(([k, x]) => [valueTerm(k), valueTerm(x)]) };
      if (v instanceof SetV) return { type: 'set', value: [...v.values()].map(valueTerm) };
      return { type: 'null' };
  }
}

/** OPA's Data API `explanation`: one object per event (op lower-case, node as AST JSON). */
export function traceJson(events: readonly TraceEvent[]): J[] {
  return events.map((ev) => {
    const out: J = { op: ev.op.toLowerCase(), query_id: ev.queryId, parent_id: ev.parentId, type: ev.type, node: nodeJson(ev) };
    out.locals = ev.locals.map(([name, v]) => ({ key: { type: 'var', value: name }, value: valueTerm(v) }));
    if (ev.message !== undefined) out.message = ev.message;
    out.location = { file: ev.location.file, row: ev.location.row, col: ev.location.col };
    return out;
  });
}

function nodeJson(ev: TraceEvent): unknown {
  if (ev.type === 'rule') return ev.rule !== undefined ? ruleJson(ev.rule) : null;
  // nodes with names as OPA's compiler leaves them (rules and imports as data references, `=` for `:=`)
  if (ev.type === 'body') return ev.body !== undefined ? bodyJson(resolvedBody(ev.body, ev.scope, ev.localNames)) : [];
  return ev.expr !== undefined ? exprJson(resolvedExpr(ev.expr, ev.scope, ev.localNames), ev.index ?? 0) : null;
}

// ------------------------------------------------------------------ text

const MIN_LOCATION_WIDTH = 5; // "query"
const LOCATION_PADDING = 4;

/** OPA's text trace: `<file:row padded> <| per depth><Op> <node>` per event. */
export function traceText(events: readonly TraceEvent[]): string[] {
  let longest = 0;
  for (const ev of events) {
    const len = (ev.location.file === '' ? MIN_LOCATION_WIDTH : ev.location.file.length) + String(ev.location.row).length + 1;
    if (len > longest) longest = len;
  }
  const width = longest + LOCATION_PADDING;
  const depths = new Map<number, number>();
  return events.map((ev) => {
    let depth = depths.get(ev.queryId) ?? 0;
    if (depth === 0) {
      depth = (depths.get(ev.parentId) ?? 0) + 1;
      depths.set(ev.queryId, depth);
    }
    const loc = ev.location.file === '' ? `query:${ev.location.row}` : `${ev.location.file}:${ev.location.row}`;
    return `${loc.padEnd(width)} ${eventText(ev, depth)}`;
  });
}

function eventText(ev: TraceEvent, depth: number): string {
  const spaces = ev.op === 'Enter' || (ev.op === 'Redo' && ev.type !== 'expr') ? depth : depth + 1;
  const pad = spaces > 1 ? '| '.repeat(spaces - 1) : '';
  if (ev.op === 'Note') return `${pad}Note ${JSON.stringify(ev.message ?? '')}`;
  // OPA prints a rule's path, else the looked-up reference (Index events), else the node
  const st = { opa: true };
  const node =
    ev.type === 'rule'
      ? (ev.rulePath ?? '')
      : ev.ref !== undefined
        ? ev.ref
        : ev.type === 'body'
          ? bodyText(resolvedBody(ev.body ?? [], ev.scope, ev.localNames), st)
          : ev.expr !== undefined
            ? exprText(resolvedExpr(ev.expr, ev.scope, ev.localNames), st)
            : '';
  if (ev.message !== undefined) return `${pad}${ev.op} ${node} ${ev.message}`;
  return `${pad}${ev.op} ${node}`;
}
