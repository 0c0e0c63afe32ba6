// Results of non-deterministic builtins (time.now_ns, rand.intn, uuid.rfc4122, http.send…)
// made during one evaluation, in OPA's decision-log shape: {builtin: {json(args): result}}.
// With it a logged decision can be replayed exactly.

import { toJSON, type Value } from '../value.js';

/** Builtin calls kept per evaluation (the log record must stay bounded). */
const MAX_ENTRIES = 1000;

export class NdBuiltinCache {
  private readonly byName = new Map<string, Map<string, unknown>>();
  private size = 0;

  record(name: string, args: Value[], result: Value): void {
    if (this.size >= MAX_ENTRIES) return;
    let m = this.byName.get(name);
    if (m === undefined) this.byName.set(name, (m = new Map()));
    const key = JSON.stringify(args.map((a) => toJSON(a)));
    if (m.has(key)) return;
    m.set(key, toJSON(result));
    this.size++;
  }

  get empty(): boolean {
    return this.size === 0;
  }

  /** OPA's JSON: builtin name → (JSON text of the argument array → result). */
  toJSON(): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [name, m] of this.byName) out[name] = Object.fromEntries(m);
    return out;
  }
}
