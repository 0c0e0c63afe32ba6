// graph.reachable: nodes reachable from the initial ones in an adjacency object
// {node: set|array of neighbours}. As in OPA, only nodes that are keys of the graph are reported.
// graph.reachable_paths: every maximal path from the initial nodes, as OPA builds it: a path ends
// at a node without edges, before a node that is not in the graph, or where it would close a cycle.

import { ObjectV, SetV, type Value } from '../value.js';
import type { Builtin, BuiltinContext } from './types.js';
import { def, obj, typeErr } from './util.js';

function vertices(v: Value | undefined): Value[] {
  if (Array.isArray(v)) return v;
  if (v instanceof SetV) return v.sorted();
  return [];
}

function pathsFrom(adj: ObjectV, node: Value, path: Value[], onPath: SetV, out: SetV, ctx: BuiltinContext): void {
  ctx.checkBudget(path.length + 1);
  const edges = adj.get(node);
  if (edges === undefined) {
    out.add(path);
    return;
  }
  const here = [...path, node];
  const next = vertices(edges);
  if (next.length === 0) {
    out.add(here);
    return;
  }
  const seen = new SetV(onPath.sorted());
  seen.add(node);
  for (const n of next) {
    if (seen.has(n)) out.add(here);
    else pathsFrom(adj, n, here, seen, out, ctx);
  }
}

export const graph: Builtin[] = [
  def('graph.reachable', ['object', 'array|set'], ([g, initial], ctx) => {
    const adj = obj(g, 1);
    const queue: Value[] = [...vertices(initial)];
    const reached = new SetV();
    for (let i = 0; i < queue.length; i++) {
      const node = queue[i];
      if (reached.has(node)) continue; // already expanded: expanding again adds nothing new
      const edges = adj.get(node);
      if (edges === undefined) continue;
      const next = vertices(edges);
      ctx.checkBudget(next.length + 1);
      for (const n of next) if (!reached.has(n)) queue.push(n);
      reached.add(node);
    }
    return reached;
  }),

  def('graph.reachable_paths', ['object', 'array|set'], ([g, initial], ctx) => {
    const adj = obj(g, 1);
    if (!Array.isArray(initial) && !(initial instanceof SetV)) throw typeErr(2, initial, 'array', 'set');
    const out = new SetV();
    for (const node of vertices(initial)) {
      const edges = adj.get(node);
      if (edges === undefined) continue;
      const next = vertices(edges);
      if (next.length === 0) out.add([node]);
      for (const n of next) pathsFrom(adj, n, [node], new SetV([node]), out, ctx);
    }
    return out;
  }),
];
