// graph.reachable: nodes reachable from the initial ones in an adjacency object
// {node: set|array of neighbours}. As in OPA, only nodes that are keys of the graph are reported.

import { SetV, type Value } from '../value.js';
import type { Builtin } from './types.js';
import { def, obj } from './util.js';

function vertices(v: Value | undefined): Value[] {
  if (Array.isArray(v)) return v;
  if (v instanceof SetV) return v.sorted();
  return [];
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
];
